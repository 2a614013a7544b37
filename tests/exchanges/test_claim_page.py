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


def test_with_a_pin_the_lcw_code_shows_only_after_the_pin(client, wallet, issue_with_offer):
    """The OpenID wallet asks for the PIN itself; LCW cannot, so the page asks for it first. Wrong
    PINs on the page and at the token endpoint count together, up to the lock."""
    offer = issue_with_offer({"txCode": True})["offer"]
    path = path_of(offer["claimUrl"])
    html = client.get(path + "?lang=de").get_data(as_text=True)
    assert 'data-qr="oid4vci"' in html and 'data-qr="lcw"' not in html and "data-pin-form" in html
    assert "lcw.app" not in html and "/interactions/" not in html and "/workflows/" not in html
    assert "Geben Sie sie hier ein" in html
    wrong = "000000" if offer["txCode"] != "000000" else "111111"
    refused = client.post(path + "?lang=de", data={"pin": wrong})
    assert refused.status_code == 400 and 'data-pin-error="4"' in refused.get_data(as_text=True)
    assert "Noch 4 Versuche" in refused.get_data(as_text=True) and "lcw.app" not in refused.get_data(as_text=True)
    shown = client.post(path, data={"pin": offer["txCode"]})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'data-qr="lcw"' in page and "data-pin-form" not in page
    assert f'href="{offer["lcw"].replace("&", "&amp;")}"' in page and shown.headers["Cache-Control"] == "no-store"
    # the same count as the token endpoint: 1 wrong on the page + 3 at the token endpoint + 1 on the page = locked
    code = wallet.offer(offer)["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    for left in (3, 2, 1):
        assert f"{left} tries left" in wallet.token(code, tx_code=wrong).get_json()["error_description"]
    locked = client.post(path, data={"pin": wrong})
    assert locked.status_code == 400 and 'data-claim-problem="locked"' in locked.get_data(as_text=True)
    again = client.post(path, data={"pin": offer["txCode"]})  # even the right PIN shows nothing now
    assert 'data-qr=' not in again.get_data(as_text=True)


def test_the_interaction_page_of_a_pin_offer_asks_for_the_pin_too(client, issue_with_offer):
    offer = issue_with_offer({"txCode": True})["offer"]
    bare = path_of(offer["interactionUrl"]).split("?")[0].rsplit("/", 1)[-1].split(".")[0]
    page = client.get(f"/interactions/{bare}?iuv=1", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "data-pin-form" in page.get_data(as_text=True)
    shown = client.post(f"/interactions/{bare}?iuv=1", data={"pin": offer["txCode"]})
    assert shown.status_code == 200 and 'data-qr="lcw"' in shown.get_data(as_text=True)
    tagged = client.get(path_of(offer["interactionUrl"]), headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-qr="lcw"' in tagged  # the tagged link was only shown to someone who knew the PIN
    assert client.post("/claim/not-a-token", data={"pin": "1"}).status_code == 404
    assert client.post("/interactions/unknown", data={"pin": "1"}).status_code == 404
