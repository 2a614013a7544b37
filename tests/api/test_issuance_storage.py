"""Issuance self-checks both signed forms before storing (a faulty signer stores nothing), and the
compact storage serves every form byte for byte as signed (issue #12 §5)."""
from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select

from issuer import issuance
from issuer.delivery.baking import unbake_png, unbake_svg
from issuer.signing import eddsa_rdfc_2022, keys, vc_jose
from issuer.store.models import Credential, CredentialDictionary, StatusEntry, StatusEvent

TABLES = (Credential, StatusEntry, StatusEvent, CredentialDictionary)


def _counts(service) -> dict:
    with service.session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}


@pytest.fixture
def signed(monkeypatch):
    """Every (document, jwt) pair issuance signs, in order."""
    pairs: list[tuple[str, str]] = []
    original = issuance.sign_credential

    def recording(*args, **kwargs):
        pair = original(*args, **kwargs)
        pairs.append(pair)
        return pair

    monkeypatch.setattr(issuance, "sign_credential", recording)
    return pairs


def _with_material(monkeypatch, **changes):
    original = issuance._issuer_forms

    def faulty(*args):
        forms = original(*args)
        return dataclasses.replace(forms, material=dataclasses.replace(forms.material, **changes))

    monkeypatch.setattr(issuance, "_issuer_forms", faulty)


def _wrong_di_key(monkeypatch):
    _with_material(monkeypatch, di_key=keys.generate_ed25519())


def _wrong_jwt_key(monkeypatch):
    _with_material(monkeypatch, jwt_key=keys.generate_p256())


def _signature_over_other_bytes(monkeypatch):
    original = eddsa_rdfc_2022.serialize_proof
    monkeypatch.setattr(eddsa_rdfc_2022, "serialize_proof", lambda hashed, key: original(bytes(64), key))


def _jwt_of_another_credential(monkeypatch):
    original = vc_jose.sign_vc_jwt

    def other(credential, *args, **kwargs):
        changed = {**credential, "credentialSubject": {**credential["credentialSubject"], "name": "Someone Else"}}
        return original(changed, *args, **kwargs)

    monkeypatch.setattr(vc_jose, "sign_vc_jwt", other)


def _jwt_with_wrong_kid(monkeypatch):
    _with_material(monkeypatch, jwt_kid="did:web:localhost%3A5000:issuers:emob-academy#no-such-key")


@pytest.mark.parametrize("fault", [_wrong_di_key, _wrong_jwt_key, _signature_over_other_bytes,
                                   _jwt_of_another_credential, _jwt_with_wrong_kid])
def test_a_faulty_signer_stores_nothing(fault, api, service, monkeypatch):
    api.issue()  # the issuer's status list and the course dictionary exist: only the faulty issue is tested
    before = _counts(service)
    fault(monkeypatch)
    api.issue(expect=500)
    assert _counts(service) == before


def test_a_faulty_signer_stores_nothing_on_the_first_credential(api, service, monkeypatch):
    before = _counts(service)
    _wrong_di_key(monkeypatch)
    api.issue(expect=500)
    assert _counts(service) == before


def test_the_full_verifier_can_be_switched_on(api, service):
    service.config["FULL_SELF_VERIFY"] = True
    body = api.issue()
    assert body["credential"]["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_every_form_is_served_as_signed(api, client, service, signed):
    ids = [api.issue(learner={"name": f"Lena Ölmez {i}", "email": f"lena{i}@example.org"})["id"]
           for i in range(3)]
    ids.append(api.issue(learner={"name": "Did Holder", "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"})["id"])
    assert len(signed) == len(ids)
    for credential_id, (document, token) in zip(ids, signed):
        assert client.get(f"/credentials/{credential_id}.json").data == document.encode()
        assert client.get(f"/credentials/{credential_id}.json?vc").data == document.encode()
        assert client.get(f"/credentials/{credential_id}", headers={"Accept": "application/json"}).data == \
            document.encode()
        assert client.get(f"/credentials/{credential_id}.jwt").data == token.encode()
        provider_view = client.get(f"/api/v1/credentials/{credential_id}", headers=api.headers()).get_json()
        assert provider_view["credential"] == json.loads(document) and provider_view["jwt"] == token
        assert unbake_png(client.get(f"/credentials/{credential_id}.png").data) == document
        assert unbake_png(client.get(f"/credentials/{credential_id}.png?form=jwt").data) == token
        assert unbake_svg(client.get(f"/credentials/{credential_id}.svg?form=jwt").data) == token
    with service.session() as s:
        rows = s.scalars(select(Credential).where(Credential.id.in_(ids))).all()
        assert {r.id: (r.document, r.jwt) for r in rows} == dict(zip(ids, signed))
        sizes = [len(r.packed) for r in rows]
        assert s.scalar(select(func.count()).select_from(CredentialDictionary)) == 1  # one course
    signed_bytes = [len(d.encode()) + len(t.encode()) for d, t in signed]
    assert max(sizes) * 10 < min(signed_bytes)
