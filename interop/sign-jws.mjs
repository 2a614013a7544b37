#!/usr/bin/env node
/**
 * Signs a payload as a compact JWS with panva `jose` (`CompactSign`), header
 * taken as given (e.g. a VC-JOSE-COSE status list credential: typ "vc+jwt",
 * cty "vc").
 *
 * stdin:  {"payload": {...}, "header": {"alg": "EdDSA"|"ES256"|"RS256", ...},
 *          "jwk": {private JWK}}
 * stdout: {"jws": "<header>.<payload>.<signature>"}
 *
 * The payload is serialized with JSON.stringify; `header.alg` must be one of
 * the algorithms verify-jwt.mjs accepts.
 */
import {CompactSign, importJWK} from 'jose';
import {run} from './lib/io.mjs';

const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];  // as verify-jwt.mjs

async function main({payload, header, jwk}) {
  if(!(payload && typeof payload === 'object')) {
    throw new TypeError('"payload" must be a JSON object.');
  }
  if(!(header && ALGORITHMS.includes(header.alg))) {
    throw new TypeError(`"header.alg" must be one of ${ALGORITHMS.join(', ')}.`);
  }
  const key = await importJWK(jwk, header.alg);
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
  return {jws};
}

await run(main);
