#!/usr/bin/env node
/**
 * A Learner Credential Wallet holder emulator, built only from the libraries LCW itself uses, at the
 * versions LCW 2.2.10's package-lock.json resolves: @digitalcredentials/vc 10.0.2 (createPresentation,
 * signPresentation), ed25519-signature-2020 6.0.0, ed25519-verification-key-2020 5.0.0,
 * did-method-key 3.0.0 and security-document-loader 8.0.0. It makes its DID and signs the way LCW's
 * app/lib/did.ts (mintDid), present.ts (createVerifiablePresentation: legacy link, challenge only)
 * and composeVp.ts (VC API DIDAuth: challenge and domain, both required) do.
 *
 * It follows the three link forms LCW opens:
 *  - the legacy direct link  https://lcw.app/request.html?issuer=…&auth_type=bearer&challenge=…
 *    &vc_request_url=…  → DIDAuth presentation with the challenge and no domain, posted bare to
 *    vc_request_url; the answer is the bare credential (or a presentation holding it);
 *  - the request= form  …?request={"credentialRequestOrigin", "protocols": {"vcapi"}}  → VC API
 *    exchange: POST {} for the presentation request, then {"verifiablePresentation"};
 *  - a VCALM interaction URL (iuv=1): GET with Accept: application/json → protocols.vcapi → as above.
 *
 * stdin:  {"link": "<url>"}
 * stdout: {"holder": "did:key:…", "form": "legacy"|"request"|"interaction", "credentials": [...],
 *          "presentationRequest": {...}|null}
 */
import crypto from 'node:crypto';
import * as DidMethodKey from '@digitalcredentials/did-method-key';
import {Ed25519Signature2020} from '@digitalcredentials/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalcredentials/ed25519-verification-key-2020';
import {createPresentation, signPresentation} from '@digitalcredentials/vc';
import {securityLoader} from '@digitalcredentials/security-document-loader';
import {run} from './lib/io.mjs';

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body)
  });
  const text = await response.text();
  if(!response.ok) {
    const error = new Error(`POST ${url} answered ${response.status}: ${text}`);
    error.status = response.status;
    error.body = text;
    throw error;
  }
  return JSON.parse(text);
}

/** LCW's mintDid (app/lib/did.ts): a seeded Ed25519VerificationKey2020 and its did:key document. */
async function mintDid() {
  const driver = DidMethodKey.driver();
  driver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from});
  const verificationKeyPair = await Ed25519VerificationKey2020.generate({seed: crypto.randomBytes(32)});
  const {didDocument} = await driver.fromKeyPair({verificationKeyPair});
  verificationKeyPair.controller = didDocument.id;
  verificationKeyPair.id = `${didDocument.id}#${verificationKeyPair.fingerprint()}`;
  return {did: didDocument.id, verificationKeyPair};
}

async function didAuth({holder, suite, documentLoader, challenge, domain}) {
  if(domain === undefined) {
    // present.ts createVerifiablePresentation (the legacy request.html link): challenge only
    const presentation = createPresentation({holder, verify: false});
    return signPresentation({presentation, suite, challenge, documentLoader});
  }
  // composeVp.ts (VC API exchange): LCW refuses a DIDAuth request without challenge and domain
  if(!(challenge && domain)) {
    throw new Error('Both "challenge" and "domain" are required for DID Auth.');
  }
  const presentation = createPresentation({holder, verify: false});
  return signPresentation({presentation, challenge, domain, documentLoader, suite});
}

function credentialsFrom(answer) {
  if(answer?.verifiablePresentation) {
    return [].concat(answer.verifiablePresentation.verifiableCredential ?? []);
  }
  if(answer?.type?.includes?.('VerifiablePresentation')) {
    return [].concat(answer.verifiableCredential ?? []);
  }
  return [answer];
}

async function vcapiExchange({exchangeUrl, holder, suite, documentLoader}) {
  const {verifiablePresentationRequest: request} = await postJson(exchangeUrl, {});
  if(!request.query?.some(q => q.type === 'DIDAuthentication')) {
    throw new Error('the exchange did not ask for DIDAuthentication');
  }
  const vp = await didAuth({holder, suite, documentLoader, challenge: request.challenge,
    domain: request.domain ?? null});
  const answer = await postJson(exchangeUrl, {verifiablePresentation: vp});
  return {credentials: credentialsFrom(answer), presentationRequest: request};
}

async function main({link}) {
  const {did: holder, verificationKeyPair} = await mintDid();
  const suite = new Ed25519Signature2020({key: verificationKeyPair});
  // LCW builds securityLoader({fetchRemoteContexts: true}); offline here, so only its bundled contexts
  const documentLoader = securityLoader().build();
  const url = new URL(link);
  const params = url.searchParams;
  if(params.get('iuv') === '1') {
    const response = await fetch(link, {headers: {Accept: 'application/json'}});
    if(!response.ok) {
      throw new Error(`GET ${link} answered ${response.status}: ${await response.text()}`);
    }
    const {protocols} = await response.json();
    return {holder, form: 'interaction',
      ...await vcapiExchange({exchangeUrl: protocols.vcapi, holder, suite, documentLoader})};
  }
  if(params.has('request')) {
    const request = JSON.parse(params.get('request'));
    return {holder, form: 'request',
      ...await vcapiExchange({exchangeUrl: request.protocols.vcapi, holder, suite, documentLoader})};
  }
  if(params.get('auth_type') !== 'bearer') {
    throw new Error('LCW supports only auth_type=bearer');
  }
  const vp = await didAuth({holder, suite, documentLoader, challenge: params.get('challenge')});
  const answer = await postJson(params.get('vc_request_url'), vp);
  return {holder, form: 'legacy', credentials: credentialsFrom(answer), presentationRequest: null};
}

run(main);
