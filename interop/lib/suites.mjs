/**
 * Verification suites: Data Integrity `eddsa-rdfc-2022` and the legacy
 * `Ed25519Signature2020`. jsonld-signatures picks the suite that matches each
 * proof (`matchProof`); a proof that matches no suite fails verification.
 */
import {cryptosuite as eddsaRdfc2022Cryptosuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';

export function verificationSuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022Cryptosuite}),
    new Ed25519Signature2020()
  ];
}

export {DataIntegrityProof, Ed25519Signature2020, eddsaRdfc2022Cryptosuite};
