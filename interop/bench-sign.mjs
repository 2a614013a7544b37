#!/usr/bin/env node
/**
 * Signing rate of the Digital Bazaar stack, single-threaded: @digitalbazaar/vc
 * `issue` with a DataIntegrityProof / eddsa-rdfc-2022 suite (Ed25519 Multikey),
 * the comparison figure for bench/bench_issue_http.py.
 *
 * stdin:  {"credentials": [{...unsigned VC...}, ...],  (signed round-robin)
 *          "seconds": <number, default 5>,
 *          "documents": {url: doc} (optional; extra contexts)}
 * stdout: {"signed": <count>, "seconds": <elapsed>, "perSecond": <rate>,
 *          "rounds": [<rate of each third>], "node": <version>}
 *
 * One warm-up signature first (context loading, JIT). Every credential is a
 * fresh structuredClone, so nothing is cached between signatures but the
 * document loader's contexts (as in a long-running issuer).
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof, eddsaRdfc2022Cryptosuite} from './lib/suites.mjs';
import {issue} from '@digitalbazaar/vc';
import {makeDocumentLoader} from './lib/loader.mjs';
import {run} from './lib/io.mjs';

async function main({credentials, seconds = 5, documents = {}}) {
  if(!(Array.isArray(credentials) && credentials.length > 0)) {
    throw new TypeError('"credentials" must be a non-empty array.');
  }
  const did = typeof credentials[0].issuer === 'object' ?
    credentials[0].issuer.id : credentials[0].issuer;
  const keyPair = await Ed25519Multikey.generate({
    id: `${did}#key-bench`, controller: did
  });
  const documentLoader = makeDocumentLoader(documents);
  const signOne = async credential => issue({
    credential: structuredClone(credential),
    suite: new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022Cryptosuite
    }),
    documentLoader
  });
  await signOne(credentials[0]);
  const rounds = [];
  let total = 0;
  const start = performance.now();
  for(let r = 0; r < 3; r++) {
    const roundStart = performance.now();
    let n = 0;
    while(performance.now() - roundStart < seconds * 1000 / 3) {
      await signOne(credentials[(total + n) % credentials.length]);
      n++;
    }
    rounds.push(n / ((performance.now() - roundStart) / 1000));
    total += n;
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    signed: total, seconds: elapsed, perSecond: total / elapsed, rounds,
    node: process.version
  };
}

await run(main);
