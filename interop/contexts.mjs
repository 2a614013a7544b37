#!/usr/bin/env node
/**
 * Lists the JSON-LD context URLs each third-party verifier ships offline.
 *
 * stdin:  {}
 * stdout: {"digitalbazaar": [url, ...], "dcc": [url, ...]}
 *
 * digitalbazaar: the contexts of the npm context packages lib/loader.mjs
 * serves to @digitalbazaar/vc. dcc: the static documents of the loader that
 * @digitalcredentials/verifier-core builds (security-document-loader's
 * `securityLoader`); verifier-core fetches any other context over the network.
 */
import {CONTEXTS} from './lib/loader.mjs';
import {run} from './lib/io.mjs';
import {securityLoader} from '@digitalcredentials/security-document-loader';

async function main() {
  const dcc = securityLoader({fetchRemoteContexts: false});
  return {
    digitalbazaar: [...CONTEXTS.keys()].sort(),
    dcc: [...dcc.documents.keys()].filter(url => /^https?:\/\//.test(url)).sort()
  };
}

await run(main);
