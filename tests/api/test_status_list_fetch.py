"""The service's verifier reads another service's status list whatever securing it uses (Bitstring Status
List 1.0 §2.2): the fetched body is handed over as text, so a VC-JWT list verifies as well as JSON."""
from __future__ import annotations

import json
from datetime import timedelta
from types import MappingProxyType

import pytest

from issuer.resolve.fetch import FetchResult
from issuer.service import build_service
from issuer.demo.setup import initialize
from issuer.verify.runtime import verifier_for
from tests.conftest import make_config
from tests.unit.verify.support import (
    LIST_URL, alg_for, credential, did_key_issuer, raw_jws, sign_di, status_entry, status_list,
)

REVOKED = 5


class _Fetcher:
    def __init__(self, body: bytes):
        self.body, self.requests = body, []

    def fetch(self, url, accept="application/json", **kwargs):
        self.requests.append((url, accept))
        return FetchResult(url, 200, MappingProxyType({}), self.body)


@pytest.fixture
def remote_service(tmp_path, database_url):
    svc = build_service(make_config(tmp_path, database_url, VERIFY_REMOTE_DID_WEB=True))
    initialize(svc, load_demo=False)
    yield svc
    svc.close()


def _served(issuer, form: str) -> bytes:
    unsigned = status_list(issuer, set_values={REVOKED: 1}, sign=False)
    if form == "json":
        return json.dumps(sign_di(unsigned, issuer)).encode()
    alg = alg_for(issuer.key)
    return raw_jws({"alg": alg, "kid": issuer.vm, "typ": "vc+jwt", "cty": "vc"}, unsigned, issuer.key, alg).encode()


@pytest.mark.parametrize("form", ["json", "vc+jwt"])
def test_remote_status_list_in_either_form(remote_service, now, form):
    issuer = did_key_issuer()
    fetcher = _Fetcher(_served(issuer, form))
    remote_service.caches["fetcher"] = fetcher
    document = sign_di(credential(issuer, credentialStatus=status_entry(REVOKED),
                                  validFrom=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")), issuer)
    report = verifier_for(remote_service).verify(document, now=now)
    assert report.check("status").reason.startswith("revoked"), report.check("status")
    [(url, accept)] = fetcher.requests
    assert url == LIST_URL and "application/vc+jwt" in accept and "application/json" in accept
