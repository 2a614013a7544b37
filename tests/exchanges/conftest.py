"""Fixtures for wallet pickup: issue a credential with an offer, follow its links."""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.conftest import BASE_URL


def path_of(url: str) -> str:
    assert url.startswith(BASE_URL), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def offer_uri_path(offer: dict) -> str:
    query = parse_qs(urlsplit(offer["openid4vci"]).query)
    return path_of(query["credential_offer_uri"][0])


@pytest.fixture
def issue_with_offer(api):
    """``api.issue`` of HV-2S with a claim ``offer`` (``True`` or the offer object); the response JSON."""
    def issue(offer=True, **extra) -> dict:
        return api.issue(offer=offer, **extra)
    return issue


class Wallet:
    """Drives the OID4VCI endpoints through the Flask test client."""

    def __init__(self, client):
        self.client = client

    def offer(self, offer: dict) -> dict:
        response = self.client.get(offer_uri_path(offer))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def token(self, code: str, **extra):
        return self.client.post("/oid4vci/token", data={
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code", "pre-authorized_code": code,
            **extra})

    def nonce(self) -> str:
        response = self.client.post("/oid4vci/nonce")
        assert response.status_code == 200
        return response.get_json()["c_nonce"]

    def credential(self, access_token: str, body: dict):
        return self.client.post("/oid4vci/credential", json=body,
                                headers={"Authorization": f"Bearer {access_token}"})


@pytest.fixture
def wallet(client):
    return Wallet(client)


__all__ = ["path_of", "offer_uri_path", "unquote", "LEARNER"]
