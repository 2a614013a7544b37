#!/usr/bin/env node
/**
 * Bitstring Status List helpers backed by @digitalbazaar/vc-bitstring-status-list
 * (bit order: index 0 is the most significant bit of the first byte).
 *
 * Decode mode
 *   stdin:  {"statusListCredential": {...VC...} | "<url in documents>",
 *            "index": int, "documents": {url: doc}, "verify": bool (optional)}
 *   stdout: {"bit": bool, "length": int, "statusPurpose": string|null,
 *            "verified": bool|null, "error": string|null}
 *   `length` is the list length in bits. With `"verify": true` the list
 *   credential's own proof is verified (offline loader, `documents`);
 *   otherwise `verified` is null. A list that cannot be decoded, or an index
 *   out of range, gives `bit: null` and an `error` (exit code 0).
 *
 * Encode mode
 *   stdin:  {"encode": {"length": int, "set": [int, ...]}}
 *   stdout: {"encodedList": "u<base64url(gzip(bits))>", "length": int}
 */
import {createList, decodeList} from '@digitalbazaar/vc-bitstring-status-list';
import {errorMessage, run} from './lib/io.mjs';
import {makeDocumentLoader} from './lib/loader.mjs';
import {verificationSuites} from './lib/suites.mjs';
import {verifyCredential} from '@digitalbazaar/vc';

async function encode({length, set = []}) {
  if(!Number.isInteger(length) || length <= 0) {
    throw new TypeError('"encode.length" must be a positive integer.');
  }
  const list = await createList({length});
  for(const index of set) {
    list.setStatus(index, true);
  }
  return {encodedList: await list.encode(), length: list.length};
}

async function decode({statusListCredential, index, documents = {}, verify}) {
  const documentLoader = makeDocumentLoader(documents);
  let slc = statusListCredential;
  if(typeof slc === 'string') {
    ({document: slc} = await documentLoader(slc));
  }
  if(!(slc && typeof slc === 'object')) {
    throw new TypeError('"statusListCredential" must be a VC or a URL.');
  }
  if(!Number.isInteger(index) || index < 0) {
    throw new TypeError('"index" must be a non-negative integer.');
  }
  const subject = [].concat(slc.credentialSubject ?? [])[0] ?? {};
  const result = {
    bit: null,
    length: null,
    statusPurpose: subject.statusPurpose ?? null,
    verified: null,
    error: null
  };
  if(verify) {
    const vr = await verifyCredential({
      credential: slc, suite: verificationSuites(), documentLoader
    });
    result.verified = vr.verified === true;
    if(!vr.verified) {
      result.error = errorMessage(vr.error) || 'verification failed';
    }
  }
  try {
    const list = await decodeList({encodedList: subject.encodedList});
    result.length = list.length;
    result.bit = list.getStatus(index);
  } catch(e) {
    result.bit = null;
    result.error = [result.error, errorMessage(e)].filter(Boolean).join('; ');
  }
  return result;
}

async function main(input) {
  if(input.encode) {
    return encode(input.encode);
  }
  return decode(input);
}

await run(main);
