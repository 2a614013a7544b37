"""Issue #15: the PDF and Europass (ELM) downloads on the learner page, in English and German."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from issuer.store.models import IssuerProfile
from tests.web.helpers import GERMAN, HTML, get_page, issue


@pytest.mark.parametrize("headers,pdf_label,elm_hint", [
    (HTML, "Certificate (PDF)", "Europass format, for upload to the EDC builder; unsealed"),
    (GERMAN, "Zertifikat (PDF)", "Europass-Format zum Hochladen in den EDC-Builder; ohne Siegel"),
])
def test_pdf_and_europass_downloads_in_both_languages(client, auth, headers, pdf_label, elm_hint):
    cid = issue(client, auth)
    page = get_page(client, f"/credentials/{cid}", headers=headers)
    pdf = page.first("a", **{"data-download": "pdf"})
    elm = page.first("a", **{"data-download": "elm"})
    assert pdf["href"] == f"/credentials/{cid}.pdf" and pdf["type"] == "application/pdf"
    assert pdf["download"] == f"certificate-{cid}.pdf"
    assert pdf_label in pdf["_text"]
    assert elm["href"] == f"/credentials/{cid}.elm.json" and elm["type"] == "application/ld+json"
    assert elm_hint in " ".join(elm["_text"].split())
    for link in (pdf, elm):  # the links work
        assert client.get(link["href"]).status_code == 200


def test_no_europass_link_for_a_revoked_credential(client, auth):
    cid = issue(client, auth)
    assert client.post(f"/api/v1/credentials/{cid}/revoke", json={"reason": "test"}, headers=auth).status_code == 200
    page = get_page(client, f"/credentials/{cid}")
    assert not page.find("a", **{"data-download": "elm"})
    assert page.first("a", **{"data-download": "pdf"})  # the PDF stays, and says "revoked"


def test_no_europass_link_without_a_legal_identifier(client, auth, service):
    with service.session(write=True) as session:
        session.scalar(select(IssuerProfile).where(IssuerProfile.slug == "emob-academy")).legal_identifier = None
        session.commit()
    cid = issue(client, auth)
    assert not get_page(client, f"/credentials/{cid}").find("a", **{"data-download": "elm"})
