"""A Python test holder: did:key keys, OID4VCI key proofs and DIDAuth presentations.

Used by the API tests for precise bad-input cases; the interop tests use the real wallet libraries.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import jwt as pyjwt

from issuer.resolve import did_key_from_public_key
from issuer.badges.contexts import ED25519_2020, VC_V2
from issuer.signing import ed25519_signature_2020, eddsa_rdfc_2022
from issuer.signing import keys as K


class Holder:
    def __init__(self, kind: str = "Ed25519"):
        self.key = K.generate_ed25519() if kind == "Ed25519" else K.generate_p256()
        self.alg = "EdDSA" if kind == "Ed25519" else "ES256"
        self.did = did_key_from_public_key(self.key.public_key())
        self.kid = f"{self.did}#{self.did[len('did:key:'):]}"

    def proof_jwt(self, *, aud: str, nonce: str | None, iat: int | None = None, typ: str = "openid4vci-proof+jwt",
                  use_jwk: bool = False, key=None, header_extra: dict | None = None) -> str:
        header = {"typ": typ, **(header_extra or {})}
        if use_jwk:
            header["jwk"] = K.public_jwk(self.key)
        else:
            header["kid"] = self.kid
        claims = {"aud": aud, "iat": int(time.time()) if iat is None else iat}
        if nonce is not None:
            claims["nonce"] = nonce
        return pyjwt.encode(claims, key or self.key, algorithm=self.alg, headers=header)

    def did_auth(self, *, challenge: str, domain: str | None, suite: str = "eddsa-rdfc-2022",
                 purpose: str = "authentication", holder: str | None = None, key=None) -> dict:
        """A signed DIDAuth presentation (``key`` signs instead of the holder's own key, for attacks)."""
        ed2020 = suite == "Ed25519Signature2020"
        vp = {"@context": [VC_V2] + ([ED25519_2020] if ed2020 else []), "type": ["VerifiablePresentation"],
              "holder": holder or self.did}
        options = {"type": "Ed25519Signature2020"} if ed2020 else {"type": "DataIntegrityProof",
                                                                   "cryptosuite": "eddsa-rdfc-2022"}
        options.update(created=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       verificationMethod=self.kid, proofPurpose=purpose, challenge=challenge)
        if domain is not None:
            options["domain"] = domain
        module = ed25519_signature_2020 if ed2020 else eddsa_rdfc_2022
        config = module.configure_proof(options, vp["@context"])
        digest = eddsa_rdfc_2022.hash_data(eddsa_rdfc_2022.transform(vp), config)
        options["proofValue"] = eddsa_rdfc_2022.serialize_proof(digest, key or self.key)
        return {**vp, "proof": options}
