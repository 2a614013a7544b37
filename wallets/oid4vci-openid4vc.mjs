#!/usr/bin/env node
/**
 * An OID4VCI 1.0 wallet built on @openid4vc/openid4vci (OpenWallet Foundation oid4vc-ts, the
 * library behind Credo-based wallets): resolves the offer, gets a token with the pre-authorized
 * code (and PIN), asks the nonce endpoint, signs a jwt key proof and fetches each configuration.
 *
 * stdin:  {"offer": "openid-credential-offer://...", "txCode": "123456"|null,
 *          "configurations": ["AchievementCredential_ldp_vc", ...], "key": "Ed25519"|"P-256",
 *          "binding": "did"|"jwk", "allowInsecure": true}
 * stdout: {"holder": did or null, "publicJwk": {...}, "version": "V1", "credentials": {configId: credential},
 *          "metadataDisplay": [...], "tokenResponse": {...}}
 */
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous, setGlobalConfig} from '@openid4vc/oauth2';
import {CompactSign, importJWK} from 'jose';
import crypto from 'node:crypto';
import {holderKey} from './lib/keys.mjs';
import {run} from './lib/io.mjs';

async function main({offer, txCode = null, configurations, key = 'Ed25519', binding = 'did',
  allowInsecure = false}) {
  setGlobalConfig({allowInsecureUrls: Boolean(allowInsecure)});
  const holder = await holderKey(key);
  const callbacks = {
    fetch,
    hash: (data, alg) => crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    generateRandom: n => crypto.randomBytes(n),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, {header, payload}) => {
      const jws = await new CompactSign(Buffer.from(JSON.stringify(payload)))
        .setProtectedHeader(header).sign(holder.privateKey);
      return {jwt: jws, signerJwk: holder.publicJwk};
    }
  };
  const client = new Openid4vciClient({callbacks});
  const credentialOffer = await client.resolveCredentialOffer(offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata, txCode: txCode ?? undefined
  });
  const signer = binding === 'jwk' ?
    {method: 'jwk', publicJwk: holder.publicJwk, alg: holder.alg} :
    {method: 'did', didUrl: holder.kid, alg: holder.alg};
  const credentials = {};
  for(const credentialConfigurationId of configurations) {
    const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
    const proof = await client.createCredentialRequestJwtProof({
      issuerMetadata, credentialConfigurationId, signer, nonce
    });
    const response = await client.retrieveCredentials({
      issuerMetadata, credentialConfigurationId, accessToken: accessTokenResponse.access_token,
      proofs: {jwt: [proof.jwt]}
    });
    credentials[credentialConfigurationId] = response.credentialResponse.credentials[0].credential;
  }
  return {
    holder: binding === 'jwk' ? null : holder.did, publicJwk: holder.publicJwk,
    version: issuerMetadata.originalDraftVersion, credentials,
    metadataDisplay: issuerMetadata.credentialIssuer.display, tokenResponse: accessTokenResponse
  };
}

run(main);
