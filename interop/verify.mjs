#!/usr/bin/env node
/**
 * Verifies a credential with @digitalbazaar/vc `verifyCredential`.
 *
 * stdin:  {"credential": {...}, "documents": {url: doc}, "checkStatus": bool,
 *          "now": "<ISO date, optional>", "checkIssuer": bool (default true)}
 * stdout: {"verified": bool, "error": string|null,
 *          "results": [{"type", "cryptosuite", "verificationMethod",
 *                       "proofPurpose", "verified", "error"}],
 *          "statusResult": null | {"verified", "error", "revoked",
 *                       "suspended", "entries": [{"statusPurpose",
 *                       "statusListIndex", "statusListCredential",
 *                       "set", "verified", "error"}]},
 *          "documentsUsed": [url, ...]}
 *
 * `checkIssuer: false` swaps vc's CredentialIssuancePurpose (which also requires
 * the verification method's controller to equal the credential's issuer) for
 * jsonld-signatures' plain AssertionProofPurpose (the VM must still be listed
 * under `assertionMethod` of its controller document). Needed for test vectors
 * such as the W3C vc-di-eddsa ones, whose issuer is an https URL but whose key
 * is a did:key.
 *
 * Note on status: @digitalbazaar/vc only marks the status check as failed when
 * the list could not be fetched / verified; a set bit is reported as
 * `status: true` with `verified: true`. We surface the bit per entry as `set`
 * and summarise it as `revoked` / `suspended`. `verified` stays exactly what
 * the library returned.
 */
import {checkStatus as bslCheckStatus} from
  '@digitalbazaar/vc-bitstring-status-list';
import {errorMessage, run} from './lib/io.mjs';
import {makeDocumentLoader} from './lib/loader.mjs';
import {verificationSuites} from './lib/suites.mjs';
import jsigs from 'jsonld-signatures';
import {verifyCredential} from '@digitalbazaar/vc';

const {AssertionProofPurpose} = jsigs.purposes;

function summariseProofs(results = []) {
  return results.map(r => {
    const proof = r.proof || {};
    const vm = r.verificationMethod;
    return {
      type: proof.type ?? null,
      cryptosuite: proof.cryptosuite ?? null,
      verificationMethod: (vm && typeof vm === 'object' ? vm.id : vm) ??
        proof.verificationMethod ?? null,
      proofPurpose: proof.proofPurpose ?? null,
      verified: r.verified === true,
      error: errorMessage(r.error ||
        (r.purposeResult && !r.purposeResult.valid ?
          r.purposeResult.error : null))
    };
  });
}

function summariseStatus(statusResult) {
  if(!statusResult) {
    return null;
  }
  const entries = (statusResult.results || []).map(r => ({
    statusPurpose: r.credentialStatus?.statusPurpose ?? null,
    statusListIndex: r.credentialStatus?.statusListIndex ?? null,
    statusListCredential: r.credentialStatus?.statusListCredential ?? null,
    set: r.status === true,
    verified: r.verified === true,
    error: errorMessage(r.error)
  }));
  const setFor = purpose => entries.some(
    e => e.statusPurpose === purpose && e.set);
  return {
    verified: statusResult.verified === true,
    error: errorMessage(statusResult.error),
    revoked: setFor('revocation'),
    suspended: setFor('suspension'),
    entries
  };
}

async function main({
  credential, documents = {}, checkStatus = false, checkIssuer = true, now
}) {
  if(!(credential && typeof credential === 'object')) {
    throw new TypeError('"credential" must be a JSON object.');
  }
  const used = new Set();
  const documentLoader = makeDocumentLoader(documents, used);
  const suite = verificationSuites();

  let result;
  try {
    result = await verifyCredential({
      credential,
      suite,
      documentLoader,
      ...(now ? {now} : {}),
      ...(checkIssuer ? {} : {purpose: new AssertionProofPurpose()}),
      // vc refuses credentials with `credentialStatus` unless a checker is
      // given; when status checking is off, use a no-op checker and report
      // `statusResult: null`.
      checkStatus: checkStatus ? bslCheckStatus :
        async () => ({verified: true, skipped: true})
    });
  } catch(e) {
    // verifyCredential reports most failures in its result, but some input
    // checks throw; those are verification failures too, not harness bugs
    result = {verified: false, error: e, results: []};
  }

  return {
    verified: result.verified === true,
    error: result.verified ? null : errorMessage(result.error) ||
      errorMessage(result.statusResult?.error) ||
      'verification failed',
    results: summariseProofs(result.results),
    statusResult: checkStatus ? summariseStatus(result.statusResult) : null,
    documentsUsed: [...used].sort()
  };
}

await run(main);
