"""Key material: the only module that imports ``cryptography.hazmat``.

Ed25519 keys sign Data Integrity proofs (eddsa-rdfc-2022); P-256 (ES256) or RSA (RS256) keys sign
VC-JWTs. Keys are encoded as Multikey (W3C Controlled Identifiers 1.0, section 2.2.2) and JWK.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .multibase import (
    ED25519_PRIV, ED25519_PUB, P256_PUB, MultibaseError, decode_base58btc, encode_base58btc,
)

__all__ = [
    "KeyError_", "generate_ed25519", "generate_p256", "generate_rsa",
    "ed25519_public_multibase", "ed25519_from_multibase", "ed25519_private_from_multibase",
    "public_key_from_multikey", "public_jwk", "public_key_from_jwk",
    "private_pem", "load_private_pem", "ed25519_verify", "ed25519_sign", "PublicKeyInfo",
    "p256_public_multibase", "public_multikey", "hkdf_sha256", "aes_gcm_encrypt", "aes_gcm_decrypt",
]


class KeyError_(ValueError):
    """Key material could not be decoded or is not acceptable."""


@dataclass(frozen=True)
class PublicKeyInfo:
    """A decoded public key and the JOSE algorithm it is bound to."""

    key: object
    alg: str  # "EdDSA", "ES256" or "RS256"


def generate_ed25519() -> ed25519.Ed25519PrivateKey:
    """A new Ed25519 private key (RFC 8032), for Data Integrity proofs."""
    return ed25519.Ed25519PrivateKey.generate()


def generate_p256() -> ec.EllipticCurvePrivateKey:
    """A new P-256 private key (ES256, RFC 7518 §3.4), for VC-JWTs."""
    return ec.generate_private_key(ec.SECP256R1())


def generate_rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A new RSA private key (RS256) of ``bits`` bits; raises :class:`KeyError_` below 2048."""
    if bits < 2048:
        raise KeyError_("RSA keys must be at least 2048 bits")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ed25519_sign(key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``data`` (RFC 8032 §5.1.6)."""
    return key.sign(data)


def ed25519_verify(public_key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is ``public_key``'s Ed25519 signature of ``data``; never raises for a
    bad signature."""
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _raw_public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def ed25519_public_multibase(key) -> str:
    """``publicKeyMultibase`` of an Ed25519 key (private or public): z + base58(0xed01 || 32 bytes)."""
    pub = key.public_key() if isinstance(key, ed25519.Ed25519PrivateKey) else key
    return encode_base58btc(ED25519_PUB + _raw_public(pub))


def ed25519_from_multibase(value: str) -> ed25519.Ed25519PublicKey:
    """The Ed25519 public key of a Multikey ``publicKeyMultibase`` (``z`` + base58btc of 0xed01 +
    32 bytes); raises :class:`KeyError_`."""
    try:
        raw = decode_base58btc(value)
    except MultibaseError as exc:
        raise KeyError_(str(exc)) from exc
    if len(raw) != 34 or raw[:2] != ED25519_PUB:
        raise KeyError_("not an Ed25519 Multikey (0xed01 + 32 bytes)")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])


def ed25519_private_from_multibase(value: str) -> ed25519.Ed25519PrivateKey:
    """Accept 0x8026 + 32-byte seed (W3C vectors) or + 64 bytes seed||public (OB guide)."""
    raw = decode_base58btc(value)
    if raw[:2] != ED25519_PRIV or len(raw) not in (34, 66):
        raise KeyError_("not an Ed25519 secret Multikey")
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:34])


def _p256_compressed(pub: ec.EllipticCurvePublicKey) -> bytes:
    return pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


def p256_public_multibase(key) -> str:
    """The Multikey ``publicKeyMultibase`` of a P-256 key (0x8024 + compressed point, base58btc)."""
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return encode_base58btc(P256_PUB + _p256_compressed(pub))


def public_multikey(key) -> str:
    """``publicKeyMultibase`` of an Ed25519 or P-256 key (private or public)."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return ed25519_public_multibase(key)
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyError_("only P-256 EC keys are supported")
        return p256_public_multibase(key)
    raise KeyError_(f"unsupported key type {type(key).__name__}")


def public_key_from_multikey(value: str) -> PublicKeyInfo:
    """Decode a ``publicKeyMultibase`` (Ed25519 or P-256)."""
    try:
        raw = decode_base58btc(value)
    except MultibaseError as exc:
        raise KeyError_(str(exc)) from exc
    if raw[:2] == ED25519_PUB and len(raw) == 34:
        return PublicKeyInfo(ed25519.Ed25519PublicKey.from_public_bytes(raw[2:]), "EdDSA")
    if raw[:2] == P256_PUB and len(raw) == 35:
        try:
            return PublicKeyInfo(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:]), "ES256")
        except ValueError as exc:
            raise KeyError_("invalid P-256 point") from exc
    raise KeyError_("unsupported Multikey type")


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64u_int(n: int) -> str:
    return _b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def _unb64u(value: str) -> bytes:
    if not isinstance(value, str):
        raise KeyError_("JWK member is not a string")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyError_("JWK member is not base64url") from exc


def public_jwk(key, kid: str | None = None) -> dict:
    """Public JWK (RFC 7517) of an Ed25519, P-256 or RSA key."""
    pub = key.public_key() if hasattr(key, "public_key") else key
    if isinstance(pub, ed25519.Ed25519PublicKey):
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64u(_raw_public(pub))}
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        if not isinstance(pub.curve, ec.SECP256R1):
            raise KeyError_("only P-256 EC keys are supported")
        nums = pub.public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": _b64u(nums.x.to_bytes(32, "big")), "y": _b64u(nums.y.to_bytes(32, "big"))}
    elif isinstance(pub, rsa.RSAPublicKey):
        nums = pub.public_numbers()
        jwk = {"kty": "RSA", "n": _b64u_int(nums.n), "e": _b64u_int(nums.e)}
    else:
        raise KeyError_("unsupported key type")
    if kid:
        jwk["kid"] = kid
    return jwk


def public_key_from_jwk(jwk: dict) -> PublicKeyInfo:
    """Decode a public JWK; the algorithm is fixed by the key type, never by the caller."""
    if not isinstance(jwk, dict):
        raise KeyError_("JWK is not an object")
    if any(k in jwk for k in ("d", "p", "q", "dp", "dq", "qi", "k")):
        raise KeyError_("JWK holds private or symmetric key material")
    kty = jwk.get("kty")
    try:
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return PublicKeyInfo(ed25519.Ed25519PublicKey.from_public_bytes(_unb64u(jwk["x"])), "EdDSA")
        if kty == "EC" and jwk.get("crv") == "P-256":
            x, y = _unb64u(jwk["x"]), _unb64u(jwk["y"])
            if len(x) != 32 or len(y) != 32:
                raise KeyError_("P-256 coordinates must be 32 bytes")
            nums = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1())
            return PublicKeyInfo(nums.public_key(), "ES256")
        if kty == "RSA":
            n = int.from_bytes(_unb64u(jwk["n"]), "big")
            e = int.from_bytes(_unb64u(jwk["e"]), "big")
            if n.bit_length() < 2048:
                raise KeyError_("RSA keys under 2048 bits are refused")
            return PublicKeyInfo(rsa.RSAPublicNumbers(e, n).public_key(), "RS256")
    except (KeyError, ValueError) as exc:
        raise KeyError_(f"invalid JWK: {exc}") from exc
    raise KeyError_(f"unsupported JWK kty/crv {kty!r}/{jwk.get('crv')!r}")


def private_pem(key) -> bytes:
    """``key`` as unencrypted PKCS#8 PEM bytes (only ever sealed by :class:`~issuer.signing.keystore.KeyVault`)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_private_pem(data: bytes):
    """The private key of unencrypted PKCS#8 PEM ``data``."""
    return serialization.load_pem_private_key(data, password=None)


# --------------------------------------------------------------------------- keys at rest


def hkdf_sha256(secret: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF-SHA-256 (RFC 5869, https://www.rfc-editor.org/rfc/rfc5869): ``length`` bytes from ``secret``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(secret)


def aes_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """AES-GCM (NIST SP 800-38D) ciphertext with its 16-byte tag appended; ``key`` is 16/24/32 bytes,
    ``nonce`` 12 bytes and never reused with the same key."""
    return AESGCM(key).encrypt(nonce, plaintext, associated_data)


def aes_gcm_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
    """The plaintext of :func:`aes_gcm_encrypt`; raises ``cryptography.exceptions.InvalidTag`` when
    the ciphertext, nonce, key or associated data do not match."""
    return AESGCM(key).decrypt(nonce, ciphertext, associated_data)
