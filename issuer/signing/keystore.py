"""Private keys at rest: AES-256-GCM under a key derived from the master key.

The master key (``ISSUER_SECRET_KEY``) never touches the database. :class:`SecretBox` seals other
secrets the service must read back (webhook signing secrets, a queued e-mail's address) the same
way, under a key of its own. Each ciphertext is bound to
its key's identity (issuer slug and fragment) as associated data, so a ciphertext moved to
another row does not decrypt.
"""
from __future__ import annotations

import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag

from .keys import aes_gcm_decrypt, aes_gcm_encrypt, hkdf_sha256, load_private_pem, private_pem

__all__ = ["KeyVault", "SecretBox"]

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


class SecretBox:
    """Short secrets at rest (webhook signing secrets, a queued e-mail's recipient): AES-256-GCM
    under a key derived from the master key (HKDF-SHA-256, its own ``info``, so it never equals the
    private-key key), bound to the owning row by associated data."""

    def __init__(self, master_key: str):
        self._key = hkdf_sha256(master_key.encode("utf-8"), salt=b"ob3-issuer/keystore/v1",
                                info=b"secret-encryption")

    def seal(self, plaintext: bytes, binding: str) -> bytes:
        """``plaintext`` encrypted with a fresh 96-bit nonce and bound to ``binding`` (e.g. the row
        id): version byte + nonce + ciphertext (16-byte tag included)."""
        nonce = os.urandom(12)
        return _VERSION + nonce + aes_gcm_encrypt(self._key, nonce, plaintext, binding.encode())

    def open(self, sealed: bytes, binding: str) -> bytes:
        """The plaintext of :meth:`seal`; raises ``ValueError`` for a foreign (another master key),
        tampered or re-bound envelope."""
        sealed = bytes(sealed)
        if sealed[:1] != _VERSION:
            raise ValueError("unknown secret envelope version")
        try:
            return aes_gcm_decrypt(self._key, sealed[1:13], sealed[13:], binding.encode())
        except InvalidTag:
            raise ValueError("the secret does not open under this master key and binding") from None

    def __repr__(self) -> str:  # never show key material
        return "SecretBox(<sealed>)"
