#!/usr/bin/env node
/**
 * A VCALM (VC API) holder built on @digitalbazaar/vc with Data Integrity eddsa-rdfc-2022: follows an
 * interaction URL (iuv=1, Accept: application/json → protocols.vcapi) or an exchange URL, posts {}
 * for the presentation request, answers the DIDAuthentication query with a did:key presentation
 * signed with the request's challenge and domain, and returns the credentials it receives.
 *
 * stdin:  {"interactionUrl": "...?iuv=1"} or {"exchangeUrl": "..."}
 * stdout: {"holder": "did:key:…", "presentationRequest": {...}, "credentials": [...]}
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {run} from './lib/io.mjs';

const CONTEXTS = new Map([...credentialsContexts, ...dataIntegrityContext.contexts]);

function documentLoader(url) {
  if(CONTEXTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
  }
  throw new Error(`Document "${url}" not allowed offline.`);
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body)
  });
  const text = await response.text();
  if(!response.ok) {
    throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

async function main({interactionUrl, exchangeUrl}) {
  if(interactionUrl) {
    const response = await fetch(interactionUrl, {headers: {Accept: 'application/json'}});
    if(!response.ok) {
      throw new Error(`GET ${interactionUrl} answered ${response.status}: ${await response.text()}`);
    }
    exchangeUrl = (await response.json()).protocols.vcapi;
  }
  const keyPair = await Ed25519Multikey.generate();
  const holder = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = holder;
  keyPair.id = `${holder}#${keyPair.publicKeyMultibase}`;
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});
  const {verifiablePresentationRequest: request} = await postJson(exchangeUrl, {});
  const presentation = vc.createPresentation({holder});
  const signed = await vc.signPresentation({
    presentation, suite, documentLoader, challenge: request.challenge, domain: request.domain
  });
  const answer = await postJson(exchangeUrl, {verifiablePresentation: signed});
  return {holder, presentationRequest: request,
    credentials: [].concat(answer.verifiablePresentation?.verifiableCredential ?? [])};
}

run(main);
