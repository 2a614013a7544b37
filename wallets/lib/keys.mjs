/**
 * Holder keys for the OID4VCI clients: an Ed25519 or P-256 key pair from jose, named by its
 * did:key (multicodec 0xed01 / 0x8024 + compressed point, base58-btc) or used as a bare JWK.
 */
import {exportJWK, generateKeyPair} from 'jose';
import {base58btc} from './base58.mjs';

function b64uDecode(value) {
  return Buffer.from(value, 'base64url');
}

export async function holderKey(kind) {
  const alg = kind === 'P-256' ? 'ES256' : 'EdDSA';
  const {privateKey, publicKey} = await generateKeyPair(alg, {crv: kind === 'P-256' ? 'P-256' : 'Ed25519',
    extractable: true});
  const publicJwk = await exportJWK(publicKey);
  let raw;
  if(kind === 'P-256') {
    const x = b64uDecode(publicJwk.x);
    const y = b64uDecode(publicJwk.y);
    raw = Buffer.concat([Buffer.from([0x80, 0x24]), Buffer.from([2 + (y[y.length - 1] & 1)]), x]);
  } else {
    raw = Buffer.concat([Buffer.from([0xed, 0x01]), b64uDecode(publicJwk.x)]);
  }
  const multibase = 'z' + base58btc(raw);
  const did = `did:key:${multibase}`;
  return {alg, privateKey, publicJwk, did, kid: `${did}#${multibase}`};
}
