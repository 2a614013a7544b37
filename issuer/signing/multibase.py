"""Multibase and multicodec helpers used by Multikey, did:key and Data Integrity.

Multibase (draft-multiformats-multibase): ``z`` = base58-btc, ``u`` = base64url without padding.
Multicodec varint prefixes: ``0xed01`` Ed25519 public key, ``0x8026`` Ed25519 private key (seed),
``0x8024`` P-256 compressed public key.
"""
from __future__ import annotations

import base64

__all__ = [
    "b58encode", "b58decode", "encode_base58btc", "decode_base58btc",
    "encode_base64url", "decode_base64url", "MultibaseError",
    "ED25519_PUB", "ED25519_PRIV", "P256_PUB",
]

ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
P256_PUB = b"\x80\x24"

_ALPHABET = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


class MultibaseError(ValueError):
    """A value is not valid multibase / base58 / base64url."""


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) text of ``data``; leading zero bytes become ``1``."""
    n = int.from_bytes(data, "big")
    out = bytearray()
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return (b"1" * pad + bytes(reversed(out))).decode("ascii")


def b58decode(text: str) -> bytes:
    """The bytes of Base58 (Bitcoin alphabet) ``text``; raises :class:`MultibaseError`."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise MultibaseError("base58 text is not ASCII") from exc
    n = 0
    for c in raw:
        if c not in _INDEX:
            raise MultibaseError(f"invalid base58 character {chr(c)!r}")
        n = n * 58 + _INDEX[c]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(raw) - len(raw.lstrip(b"1"))
    return b"\0" * pad + body


def encode_base58btc(data: bytes) -> str:
    """Multibase ``base58btc``: ``"z"`` + Base58 of ``data``."""
    return "z" + b58encode(data)


def decode_base58btc(value: str, *, max_len: int = 4096) -> bytes:
    """The bytes of a multibase ``base58btc`` string (``z...``, at most ``max_len`` characters);
    raises :class:`MultibaseError`."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > max_len:
        raise MultibaseError("expected a base58-btc multibase string starting with 'z'")
    return b58decode(value[1:])


def encode_base64url(data: bytes) -> str:
    """Multibase ``base64url`` (no padding): ``"u"`` + base64url of ``data``."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(value: str) -> bytes:
    """The bytes of a multibase ``base64url`` string (``u...``, no padding); raises :class:`MultibaseError`."""
    if not isinstance(value, str) or not value.startswith("u"):
        raise MultibaseError("expected a base64url multibase string starting with 'u'")
    body = value[1:]
    if "=" in body or any(c in body for c in "+/"):
        raise MultibaseError("base64url multibase must not be padded or use + and /")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, TypeError) as exc:
        raise MultibaseError("invalid base64url") from exc
