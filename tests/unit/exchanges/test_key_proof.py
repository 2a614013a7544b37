"""OID4VCI key proofs (Appendix F.1) and holder DIDs, without HTTP."""
from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta, timezone

import jwt as pyjwt
import pytest

from issuer.exchanges import codes
from issuer.exchanges.key_proof import ProofRejected, did_jwk, public_key_from_did_jwk, verify_key_proof
from issuer.signing import keys as K
from tests.exchanges.holder import Holder

AUD = "https://skills.example.org"


def _verify(token, nonces=("n-1",)):
    unused = set(nonces)

    def use(value):
        if value in unused:
            unused.discard(value)
            return True
        return False

    return verify_key_proof(token, audience=AUD, now=datetime.now(timezone.utc), skew=timedelta(minutes=5),
                            max_age=timedelta(minutes=5), use_nonce=use)


def test_did_key_and_did_jwk_holders():
    ed, p256 = Holder(), Holder("P-256")
    assert _verify(ed.proof_jwt(aud=AUD, nonce="n-1")) == ed.did
    assert _verify(p256.proof_jwt(aud=[AUD, "https://other.example"], nonce="n-1")) == p256.did
    jwk_holder = _verify(p256.proof_jwt(aud=AUD, nonce="n-1", use_jwk=True))
    assert jwk_holder == did_jwk(K.public_jwk(p256.key))
    decoded = json.loads(base64.urlsafe_b64decode(jwk_holder[len("did:jwk:"):] + "=="))
    assert decoded == {k: K.public_jwk(p256.key)[k] for k in ("crv", "kty", "x", "y")}
    assert public_key_from_did_jwk(jwk_holder).alg == "ES256"
    kid = f"{jwk_holder}#0"
    token = pyjwt.encode({"aud": AUD, "iat": int(time.time()), "nonce": "n-1"}, p256.key, algorithm="ES256",
                         headers={"typ": "openid4vci-proof+jwt", "kid": kid})
    assert _verify(token) == jwk_holder


def test_a_nonce_works_once():
    unused = {"n-1"}

    def use(value):
        if value not in unused:
            return False
        unused.remove(value)
        return True

    token = Holder().proof_jwt(aud=AUD, nonce="n-1")
    options = {"audience": AUD, "now": datetime.now(timezone.utc), "skew": timedelta(minutes=5), "max_age": timedelta(minutes=5),
               "use_nonce": use}
    verify_key_proof(token, **options)
    with pytest.raises(ProofRejected) as err:
        verify_key_proof(token, **options)  # replay
    assert err.value.error == "invalid_nonce"


@pytest.mark.parametrize("case", ["not_jws", "typ", "alg_none", "both_kid_and_jwk", "x5c", "private_jwk",
                                  "future_iat", "no_nonce", "aud_list_without_us", "hs256"])
def test_bad_proofs(case):
    holder = Holder()
    claims = {"aud": AUD, "iat": int(time.time()), "nonce": "n-1"}
    header = {"typ": "openid4vci-proof+jwt", "kid": holder.kid}
    key, alg = holder.key, "EdDSA"
    if case == "not_jws":
        token = "a.b"
    else:
        if case == "typ":
            header["typ"] = "jwt"
        elif case == "both_kid_and_jwk":
            header["jwk"] = K.public_jwk(holder.key)
        elif case == "x5c":
            header["x5c"] = ["MIIB"]
        elif case == "private_jwk":
            header.pop("kid")
            header["jwk"] = {**K.public_jwk(holder.key), "d": "AAAA"}
        elif case == "future_iat":
            claims["iat"] += 3600
        elif case == "no_nonce":
            claims.pop("nonce")
        elif case == "aud_list_without_us":
            claims["aud"] = ["https://a.example", "https://b.example"]
        elif case == "hs256":
            key, alg = "a-shared-secret-of-32-bytes-long!", "HS256"
        if case == "alg_none":
            token = pyjwt.encode(claims, None, algorithm="none", headers=header)
        else:
            token = pyjwt.encode(claims, key, algorithm=alg, headers=header)
    with pytest.raises(ProofRejected) as err:
        _verify(token)
    assert err.value.error == ("invalid_nonce" if case == "no_nonce" else "invalid_proof")


def test_offer_secrets_derive_from_the_token_and_the_pin_is_bound_to_the_offer():
    token = codes.new_claim_token()
    a, b = codes.derive("m" * 40, claim_token=token), codes.derive("m" * 40, claim_token=token)
    assert (a.exchange_id, a.pre_authorized_code, a.challenge) == (b.exchange_id, b.pre_authorized_code, b.challenge)
    again = codes.derive("m" * 40, exchange_id=a.exchange_id)
    assert again.pre_authorized_code == a.pre_authorized_code and again.challenge == a.challenge
    assert codes.derive("n" * 40, claim_token=token).exchange_id != a.exchange_id  # another master key
    assert len({a.exchange_id, a.pre_authorized_code, a.challenge, token}) == 4
    assert codes.hash_tx_code("m" * 40, "offer-1", "123456") != codes.hash_tx_code("m" * 40, "offer-2", "123456")
    pin = codes.new_tx_code(6)
    assert len(pin) == 6 and pin.isdigit()
