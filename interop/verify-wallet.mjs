#!/usr/bin/env node
/**
 * Verifies many credentials the way a wallet or verifier outside the service
 * does: with the contexts its npm packages ship, and nothing of ours but our
 * DID documents and our status-list credentials.
 *
 * stdin:
 *   {"items": [{"id": "<label>", "credential": {VC}}                    JSON-LD
 *              | {"id": "<label>", "jwt": "<compact VC-JWT>"}],          VC-JWT
 *    "documents": {"<did:web DID>": {DID document},
 *                  "<status list URL>": {BitstringStatusListCredential}},
 *    "verifiers": ["digitalbazaar", "dcc", "jose"],              (optional)
 *    "now": "<ISO date>"}                                          (optional)
 *
 * `documents` may hold ONLY DID documents (keyed by DID) and status-list
 * credentials (keyed by URL): anything else (a JSON-LD context, say) is a
 * harness error (exit 1).
 *
 * stdout: {"results": [{"id",
 *            "digitalbazaar": {"verified", "error", "revoked", "suspended",
 *                              "otherSet", "statusVerified", "statusError"},  JSON-LD
 *            "dcc": {"verified", "registeredIssuer", "failedSteps", "signature",
 *                    "expiration", "revoked", "suspended", "log", "errors",
 *                    "schema"},                                         JSON-LD
 *            "jose": {"verified", "error", "revoked", "suspended", "otherSet",
 *                     "statusVerified", "statusError"}}],               VC-JWT
 *          "requested": [every URL fetched over "HTTP" or from `documents`],
 *          "refused": [URLs asked for that were neither shipped nor given]}
 *
 * * digitalbazaar: @digitalbazaar/vc `verifyCredential` with eddsa-rdfc-2022
 *   and Ed25519Signature2020, `checkStatus` of
 *   @digitalbazaar/vc-bitstring-status-list; contexts only from the npm
 *   context packages (lib/loader.mjs `CONTEXTS`), did:key locally.
 * * dcc: @digitalcredentials/verifier-core `verifyCredential` (the library of
 *   the Learner Credential Wallet and VerifierPlus), unchanged: it has its own
 *   document loader (contexts its packages ship, did:key, did:web over HTTPS,
 *   other URLs over HTTP). Its network is `globalThis.fetch`, replaced here by
 *   one that answers from `documents` only (did:web DIDs at their did.json
 *   URL) and 404 otherwise. Its informational OB schema check runs only for
 *   `OpenBadgeCredential` types (ours are `AchievementCredential`): `schema`
 *   is then "NO_SCHEMA"; were it to fetch the schema, the URL would show in
 *   `refused`.
 * * jose: `jwtVerify` with the key the JWT's `kid` names in the issuer's DID
 *   document (`publicKeyJwk`), then the payload's Bitstring Status List entries
 *   with @digitalbazaar/vc-bitstring-status-list, as for JSON-LD.
 *
 * `revoked` / `suspended` are true when an entry of that purpose is set (for
 * dcc: when its `<purpose>_status` log step is not valid). dcc `verified` is
 * what LCW / VerifierPlus show as valid: no fatal error and every log step
 * valid, except `registered_issuer` (no DCC trust registry is given here).
 * verifier-core writes diagnostics with console.log; they go to stderr.
 */
import {checkStatus as bslCheckStatus} from
  '@digitalbazaar/vc-bitstring-status-list';
import {decodeProtectedHeader, importJWK, jwtVerify} from 'jose';
import {CONTEXTS, makeDocumentLoader} from './lib/loader.mjs';
import {errorMessage, run} from './lib/io.mjs';
import {verificationSuites} from './lib/suites.mjs';
import {verifyCredential} from '@digitalbazaar/vc';

console.log = (...args) => console.error(...args);

const STATUS_LIST_TYPE = 'BitstringStatusListCredential';

/** did:web DID -> the https URL of its DID document (DID Web "Read"). */
export function didWebUrl(did) {
  const [, , domain, ...path] = did.split(':');
  const host = decodeURIComponent(domain);
  return `https://${host}/${path.length ? path.map(decodeURIComponent).join('/') :
    '.well-known'}/did.json`;
}

function checkDocuments(documents) {
  for(const [key, doc] of Object.entries(documents)) {
    const types = [].concat(doc?.type ?? []);
    const isDid = key.startsWith('did:') && doc?.id === key;
    const isList = types.includes(STATUS_LIST_TYPE) && doc?.id === key;
    if(!(isDid || isList)) {
      throw new Error(`documents["${key}"] is neither a DID document nor a ` +
        'status list credential: a third-party verifier gets nothing else.');
    }
    if(CONTEXTS.has(key)) {
      throw new Error(`documents["${key}"] would replace a shipped context.`);
    }
  }
}

function statusSummary(statusResult) {
  const results = statusResult?.results ?? [];
  const setFor = purpose => results.some(
    r => r.credentialStatus?.statusPurpose === purpose && r.status === true);
  return {
    statusVerified: statusResult ? statusResult.verified === true : null,
    statusError: errorMessage(statusResult?.error),
    revoked: setFor('revocation'),
    suspended: setFor('suspension'),
    // entries of other purposes (e.g. "message") whose bit is set
    otherSet: [...new Set(results.filter(r => r.status === true &&
      !['revocation', 'suspension'].includes(r.credentialStatus?.statusPurpose))
      .map(r => r.credentialStatus?.statusPurpose))]
  };
}

async function digitalBazaar(credential, documentLoader, now) {
  let result;
  try {
    result = await verifyCredential({
      credential, suite: verificationSuites(), documentLoader,
      ...(now ? {now} : {}),
      checkStatus: bslCheckStatus
    });
  } catch(e) {
    result = {verified: false, error: e};
  }
  return {
    verified: result.verified === true,
    error: result.verified ? null : errorMessage(result.error) ||
      errorMessage(result.statusResult?.error) || 'verification failed',
    ...statusSummary(result.statusResult)
  };
}

async function dcc(verifierCore, credential) {
  const result = await verifierCore.verifyCredential(
    {credential, knownDIDRegistries: []});
  const log = Object.fromEntries((result.log ?? []).map(
    entry => [entry.id, entry.error ? {error: entry.error.name} : entry.valid]));
  const errors = (result.errors ?? []).map(e => `${e.name}: ${e.message}`);
  const schema = (result.additionalInformation ?? [])
    .find(i => i.id === 'schema_check')?.results;
  // the steps that decide validity; `registered_issuer` (membership of a DCC
  // trust registry; none is given here) is reported, not counted
  const steps = (result.log ?? []).filter(e => e.id !== 'registered_issuer');
  return {
    verified: errors.length === 0 && steps.length > 0 &&
      steps.every(entry => entry.valid === true),
    registeredIssuer: log.registered_issuer ?? null,
    failedSteps: steps.filter(entry => entry.valid !== true).map(e => e.id),
    signature: errors.length ? 'invalid' : (log.valid_signature === true ?
      'valid' : 'invalid'),
    expiration: log.expiration ?? null,
    revoked: log.revocation_status === false,
    suspended: log.suspension_status === false,
    log,
    errors,
    schema: Array.isArray(schema) ? schema.map(s => ({
      schema: s.schema, valid: s.result?.valid ?? null,
      errors: (s.result?.errors ?? []).slice(0, 5).map(
        e => `${e.instancePath} ${e.message}`)
    })) : schema ?? null
  };
}

async function joseJwt(jwt, documents, documentLoader, now) {
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch(e) {
    return {verified: false, error: errorMessage(e)};
  }
  const kid = header.kid ?? '';
  const didDocument = documents[kid.split('#')[0]];
  const vm = didDocument?.verificationMethod?.find(m => m.id === kid);
  if(!vm?.publicKeyJwk) {
    return {verified: false, error: `no publicKeyJwk for kid "${kid}" in ` +
      'the DID document'};
  }
  let payload;
  try {
    const key = await importJWK(vm.publicKeyJwk, header.alg);
    ({payload} = await jwtVerify(jwt, key, {
      algorithms: ['ES256', 'RS256', 'EdDSA'],
      issuer: didDocument.id,
      ...(now ? {currentDate: new Date(now)} : {})
    }));
  } catch(e) {
    return {verified: false, error: errorMessage(e), code: e?.code ?? null};
  }
  if(!payload.credentialStatus) {
    return {verified: true, error: null, ...statusSummary(null)};
  }
  const statusResult = await bslCheckStatus({
    credential: payload, documentLoader, suite: verificationSuites(),
    verifyBitstringStatusListCredential: true
  });
  const status = statusSummary(statusResult);
  return {verified: status.statusVerified === true, error:
    status.statusError, ...status};
}

function installFetch(documents, requested, refused) {
  const byUrl = new Map();
  for(const [key, doc] of Object.entries(documents)) {
    byUrl.set(key.startsWith('did:web:') ? didWebUrl(key) : key, doc);
  }
  globalThis.fetch = async input => {
    const url = typeof input === 'string' ? input :
      (input instanceof URL ? input.href : input.url);
    const doc = byUrl.get(url);
    if(doc === undefined) {
      refused.add(url);
      return new Response('not found', {status: 404});
    }
    requested.add(url);
    return new Response(JSON.stringify(doc), {
      status: 200, headers: {'content-type': 'application/json'}
    });
  };
}

async function main({
  items, documents = {},
  verifiers = ['digitalbazaar', 'dcc', 'jose'], now
}) {
  if(!Array.isArray(items)) {
    throw new TypeError('"items" must be an array.');
  }
  checkDocuments(documents);
  const requested = new Set();
  const refused = new Set();
  installFetch(documents, requested, refused);
  // imported after fetch is replaced, so nothing of it can reach the network
  const verifierCore = await import('@digitalcredentials/verifier-core');
  const strict = makeDocumentLoader(documents, requested);
  const documentLoader = async url => {
    try {
      return await strict(url);
    } catch(e) {
      refused.add(url);
      throw e;
    }
  };
  const results = [];
  for(const item of items) {
    const out = {id: item.id ?? null};
    if(item.jwt !== undefined) {
      if(verifiers.includes('jose')) {
        out.jose = await joseJwt(item.jwt, documents, documentLoader, now);
      }
    } else {
      if(verifiers.includes('digitalbazaar')) {
        out.digitalbazaar = await digitalBazaar(
          item.credential, documentLoader, now);
      }
      if(verifiers.includes('dcc')) {
        out.dcc = await dcc(verifierCore, item.credential);
      }
    }
    results.push(out);
  }
  return {results, requested: [...requested].sort(),
    refused: [...refused].sort()};
}

await run(main);
