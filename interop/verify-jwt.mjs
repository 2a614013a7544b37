#!/usr/bin/env node
/**
 * Verifies a compact JWS / VC-JWT with panva `jose` (`jwtVerify` against a
 * local JWK Set).
 *
 * stdin:  {"jwt": "<compact JWS>", "jwks": {"keys": [...]},
 *          "issuer": "<expected iss, optional>",
 *          "currentDate": "<ISO date, optional; clock for exp/nbf>"}
 * stdout: {"verified": bool, "error": string|null, "code": string|null,
 *          "header": {...}|null, "payload": {...}|null}
 *
 * Allowed algorithms: ES256, RS256, EdDSA. When `issuer` is given the `iss`
 * claim must equal it. `header`/`payload` are the verified protected header
 * and claims; on failure they are the *unverified* decoded values when the
 * token is at least well-formed (null otherwise), for diagnostics.
 */
import {createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify}
  from 'jose';
import {errorMessage, run} from './lib/io.mjs';

export const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

function tryDecode(jwt) {
  let header = null;
  let payload = null;
  try {
    header = decodeProtectedHeader(jwt);
  } catch{}
  try {
    payload = decodeJwt(jwt);
  } catch{}
  return {header, payload};
}

async function main({jwt, jwks, issuer, currentDate}) {
  if(typeof jwt !== 'string') {
    throw new TypeError('"jwt" must be a string.');
  }
  if(!(jwks && Array.isArray(jwks.keys))) {
    throw new TypeError('"jwks" must be a JWK Set ({"keys": [...]}).');
  }
  const options = {algorithms: ALGORITHMS};
  if(issuer !== undefined && issuer !== null) {
    options.issuer = issuer;
  }
  if(currentDate) {
    options.currentDate = new Date(currentDate);
  }
  try {
    const keySet = createLocalJWKSet(jwks);
    const {payload, protectedHeader} = await jwtVerify(jwt, keySet, options);
    return {
      verified: true, error: null, code: null,
      header: protectedHeader, payload
    };
  } catch(e) {
    return {
      verified: false,
      error: errorMessage(e),
      code: e?.code ?? null,
      ...tryDecode(jwt)
    };
  }
}

await run(main);
