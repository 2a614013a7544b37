#!/usr/bin/env node
/**
 * An OID4VCI wallet built on @sphereon/oid4vci-client 0.20.1 (its draft-15 client,
 * OpenID4VCIClientV1_0_15; the client behind Sphereon's SSI wallet): offer by reference, token with
 * the pre-authorized code (and PIN), nonce, one jwt key proof per configuration.
 *
 * stdin:  {"offer": "openid-credential-offer://...", "txCode": "123456"|null,
 *          "configurations": [{"id": "AchievementCredential_ldp_vc", "format": "ldp_vc"}, ...],
 *          "key": "Ed25519"|"P-256", "binding": "did"|"jwk"}
 * stdout: {"holder": did or null, "publicJwk": {...}, "credentials": {configId: credential}}
 */
import {OpenID4VCIClientV1_0_15} from '@sphereon/oid4vci-client';
import {CompactSign} from 'jose';
import {holderKey} from './lib/keys.mjs';
import {run} from './lib/io.mjs';

async function main({offer, txCode = null, configurations, key = 'Ed25519', binding = 'did'}) {
  const holder = await holderKey(key);
  const client = await OpenID4VCIClientV1_0_15.fromURI({
    uri: offer, kid: binding === 'did' ? holder.kid : undefined, alg: holder.alg, retrieveServerMetadata: true
  });
  await client.acquireAccessToken(txCode ? {pin: txCode} : {});
  const signCallback = async ({header, payload}) => {
    const protectedHeader = {...header, alg: holder.alg, typ: 'openid4vci-proof+jwt'};
    if(binding === 'jwk') {
      delete protectedHeader.kid;
      protectedHeader.jwk = holder.publicJwk;
    }
    return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(protectedHeader)
      .sign(holder.privateKey);
  };
  const credentials = {};
  for(const {id, format} of configurations) {
    // a c_nonce is single use: ask the nonce endpoint for a fresh one before each request (the
    // client would otherwise reuse the one cached from the token response)
    await client.acquireNonce();
    const response = await client.acquireCredentials({
      credentialConfigurationId: id, format, alg: holder.alg,
      ...(binding === 'did' ? {kid: holder.kid} : {jwk: holder.publicJwk}),
      proofCallbacks: {signCallback}
    });
    credentials[id] = response.credentials?.[0]?.credential ?? response.credential;
  }
  return {holder: binding === 'jwk' ? null : holder.did, publicJwk: holder.publicJwk,
    version: client.version(), credentials};
}

run(main);
