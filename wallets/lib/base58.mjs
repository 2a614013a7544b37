/** base58-btc encoding (Bitcoin alphabet), for did:key identifiers. */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes) {
  let value = 0n;
  for(const b of bytes) {
    value = value * 256n + BigInt(b);
  }
  let out = '';
  while(value > 0n) {
    out = ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  for(const b of bytes) {
    if(b !== 0) {
      break;
    }
    out = '1' + out;
  }
  return out;
}
