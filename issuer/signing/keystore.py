"""Private keys at rest: AES-256-GCM under a key derived from the master key.

The master key (``ISSUER_SECRET_KEY``) never touches the database. Each ciphertext is bound to
its key's identity (issuer slug and fragment) as associated data, so a ciphertext moved to
another row does not decrypt.
"""
from __future__ import annotations

import os
from functools import lru_cache

from .keys import aes_gcm_decrypt, aes_gcm_encrypt, hkdf_sha256, load_private_pem, private_pem

__all__ = ["KeyVault"]

_VERSION = b"\x01"


class KeyVault:
    def __init__(self, master_key: str):
        self._key = hkdf_sha256(master_key.encode("utf-8"), salt=b"ob3-issuer/keystore/v1",
                                info=b"private-key-encryption")

    def seal(self, private_key, binding: str) -> bytes:
        """``private_key`` encrypted (AES-256-GCM, fresh 96-bit nonce) and bound to ``binding`` (e.g.
        ``"issuer-slug#key-1"``): version byte + nonce + ciphertext."""
        nonce = os.urandom(12)
        return _VERSION + nonce + aes_gcm_encrypt(self._key, nonce, private_pem(private_key), binding.encode())

    def open(self, sealed: bytes, binding: str):
        """The private key (decrypted keys are kept in memory, per process, for signing)."""
        return self._open_cached(bytes(sealed), binding)

    @lru_cache(maxsize=256)  # noqa: B019 - one vault per service; bounded
    def _open_cached(self, sealed: bytes, binding: str):
        if sealed[:1] != _VERSION:
            raise ValueError("unknown key envelope version")
        nonce, ciphertext = sealed[1:13], sealed[13:]
        return load_private_pem(aes_gcm_decrypt(self._key, nonce, ciphertext, binding.encode()))

    def __repr__(self) -> str:  # never show key material
        return "KeyVault(<sealed>)"
