"""The learner's claim page (server side): private, bilingual, both protocols, never on the public page."""
from __future__ import annotations

from tests.exchanges.conftest import path_of


def test_claim_page_is_private_and_shows_both_protocols(client, issue_with_offer):
    offer = issue_with_offer()["offer"]
    page = client.get(path_of(offer["claimUrl"]), headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer" and "noindex" in page.headers["X-Robots-Tag"]
    html = page.get_data(as_text=True)
    assert 'data-qr="oid4vci"' in html and 'data-qr="lcw"' in html
    assert f'href="{offer["openid4vci"]}"' in html and f'href="{offer["lcw"].replace("&", "&amp;")}"' in html
    assert "Pick up your credential" in html
    german = client.get(path_of(offer["claimUrl"]) + "?lang=de").get_data(as_text=True)
    assert "Nachweis abholen" in german and "In der Learner Credential Wallet öffnen" in german
    assert client.get("/claim/not-a-token").status_code == 404


def test_public_credential_page_has_no_pickup(client, issue_with_offer):
    issued = issue_with_offer()
    html = client.get(f"/credentials/{issued['id']}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "openid-credential-offer" not in html and "/claim/" not in html and "lcw.app" not in html
