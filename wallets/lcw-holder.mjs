#!/usr/bin/env node
/**
 * A Learner Credential Wallet holder emulator, built only from the libraries LCW itself uses:
 * @digitalcredentials/vc (createPresentation, signPresentation), @digitalcredentials/
 * ed25519-signature-2020 (LCW 2.2.10 pins 6.0.0), @digitalcredentials/ed25519-verification-key-2020,
 * @digitalcredentials/did-method-key and @digitalcredentials/security-document-loader.
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
import * as didKey from '@digitalcredentials/did-method-key';
import {Ed25519Signature2020} from '@digitalcredentials/ed25519-signature-2020';
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

async function didAuth({holder, suite, documentLoader, challenge, domain}) {
  const presentation = createPresentation({holder});
  return signPresentation({presentation, suite, documentLoader, challenge, ...(domain ? {domain} : {})});
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
  const vp = await didAuth({holder, suite, documentLoader, challenge: request.challenge, domain: request.domain});
  const answer = await postJson(exchangeUrl, {verifiablePresentation: vp});
  return {credentials: credentialsFrom(answer), presentationRequest: request};
}

async function main({link}) {
  const driver = didKey.driver();
  const {didDocument, methodFor} = await driver.generate();
  const key = methodFor({purpose: 'authentication'});
  const suite = new Ed25519Signature2020({key});
  const documentLoader = securityLoader().build();
  const holder = didDocument.id;
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
