#!/usr/bin/env node
/**
 * Signs a credential with @digitalbazaar/vc `issue` using a fresh (or
 * seed-derived) Ed25519 did:key, so our Python verifier can be checked against
 * a third-party signer.
 *
 * stdin:  {"credential": {...unsigned VC...},
 *          "suite": "eddsa-rdfc-2022" | "Ed25519Signature2020",
 *          "seed": "<64 hex chars, optional>",
 *          "created": "<XSD dateTime, optional; proof.created>",
 *          "did": "<DID, optional; e.g. did:web:...>",
 *          "keyId": "<VM fragment without '#', optional>",
 *          "documents": {url: doc} (optional; extra contexts)}
 * stdout: {"signed": {...VC with proof...} | null, "error": string|null,
 *          "didDocument": {...},
 *          "verificationMethod": "did:key:z6Mk...#z6Mk...",
 *          "publicKeyMultibase": "z6Mk..."}
 *
 * Without "did" the issuer is the key's did:key (resolved locally by the
 * verifier). With "did" (e.g. a did:web) the returned `didDocument` is a
 * minimal controller document for that DID — @context [did/v1, multikey/v1],
 * one `Multikey` verification method `<did>#<keyId>` (default keyId: the
 * publicKeyMultibase) listed under `assertionMethod` and `authentication` —
 * which the caller passes to verify.mjs in `documents` keyed by the DID.
 *
 * The issuer is always that DID: `credential.issuer` (or `issuer.id` when
 * the issuer is an object) is overwritten. For Ed25519Signature2020 the suite
 * context https://w3id.org/security/suites/ed25519-2020/v1 is appended to
 * `@context` if missing (the suite only matches documents carrying it). Both
 * suites sign VC 2.0 credentials (v2 base context) as well as VC 1.1 ones; the
 * credential's own context version is kept as given.
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {
  DataIntegrityProof, Ed25519Signature2020, eddsaRdfc2022Cryptosuite
} from './lib/suites.mjs';
import {
  DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL, didKeyDriver, makeDocumentLoader
} from './lib/loader.mjs';
import {issue} from '@digitalbazaar/vc';
import {randomBytes} from 'node:crypto';
import {errorMessage, run} from './lib/io.mjs';

const SUITES = new Set(['eddsa-rdfc-2022', 'Ed25519Signature2020']);

function parseSeed(seed) {
  if(seed === undefined || seed === null) {
    return null;
  }
  if(!(typeof seed === 'string' && /^[0-9a-fA-F]{64}$/.test(seed))) {
    throw new TypeError('"seed" must be 32 bytes as 64 hex characters.');
  }
  return Uint8Array.from(Buffer.from(seed, 'hex'));
}

async function main({
  credential, suite: suiteName, seed, created, did: didOverride, keyId,
  documents = {}
}) {
  if(!(credential && typeof credential === 'object')) {
    throw new TypeError('"credential" must be a JSON object.');
  }
  if(!SUITES.has(suiteName)) {
    throw new TypeError(`"suite" must be one of ${[...SUITES].join(', ')}.`);
  }
  credential = structuredClone(credential);

  // The public key decides the did:key, which is the key's controller; so
  // generate once for the public key, then again (same seed) with id and
  // controller set. (did-method-key's `fromKeyPair` would re-import the key
  // from its public multibase and drop the secret key.)
  const seedBytes = parseSeed(seed) ?? randomBytes(32);
  const {publicKeyMultibase} = await Ed25519Multikey.generate({
    seed: seedBytes
  });
  let didDocument;
  let did;
  if(didOverride === undefined || didOverride === null) {
    did = `did:key:${publicKeyMultibase}`;
    didDocument = await didKeyDriver.get({did});
  } else {
    if(!(typeof didOverride === 'string' && didOverride.startsWith('did:') &&
      !didOverride.includes('#'))) {
      throw new TypeError('"did" must be a DID without fragment.');
    }
    did = didOverride;
  }
  const vmId = `${did}#${keyId ?? publicKeyMultibase}`;
  const signingKey = await Ed25519Multikey.generate({
    seed: seedBytes, id: vmId, controller: did
  });
  if(!didDocument) {
    didDocument = {
      '@context': [DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL],
      id: did,
      verificationMethod: [{
        id: vmId, type: 'Multikey', controller: did, publicKeyMultibase
      }],
      assertionMethod: [vmId],
      authentication: [vmId]
    };
  }

  if(credential.issuer && typeof credential.issuer === 'object') {
    credential.issuer = {...credential.issuer, id: did};
  } else {
    credential.issuer = did;
  }

  let suite;
  const date = created ? new Date(created) : undefined;
  if(suiteName === 'eddsa-rdfc-2022') {
    suite = new DataIntegrityProof({
      signer: signingKey.signer(), date, cryptosuite: eddsaRdfc2022Cryptosuite
    });
  } else {
    const contextUrl = Ed25519Signature2020.CONTEXT_URL;
    const ctx = [].concat(credential['@context'] ?? []);
    if(!ctx.includes(contextUrl)) {
      credential['@context'] = [...ctx, contextUrl];
    }
    suite = new Ed25519Signature2020({signer: signingKey.signer(), date});
  }
  // `verificationMethod` defaults to signer.id (the VM id)
  // A refusal by the library (safe mode, vc data model checks) is a result,
  // not a harness bug: report it as `error` with `signed: null`.
  let signed = null;
  let error = null;
  try {
    signed = await issue({
      credential, suite, documentLoader: makeDocumentLoader(documents)
    });
  } catch(e) {
    error = errorMessage(e);
  }

  return {
    signed,
    error,
    didDocument,
    verificationMethod: signingKey.id,
    publicKeyMultibase: signingKey.publicKeyMultibase
  };
}

await run(main);
