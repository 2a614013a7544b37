"""Issue #11: the learner's claim page on a phone, in headless Chromium. Its QR codes are decoded
from the rendered page and followed the way a wallet would, until a credential arrives."""
from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import LEARNER
from tests.exchanges.holder import Holder

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _offer(live_server, **option) -> dict:
    response = live_server.app.test_client().post(
        "/api/v1/credentials", json={"course": "HV-2S", "learner": LEARNER, "offer": option or True},
        headers={"Authorization": f"Bearer {live_server.api_keys['emob-academy']}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="de-DE", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _decode(page, selector: str) -> str:
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(page.locator(selector).screenshot()))
    # zxing-cpp may report one symbol more than once (found by two detectors): count distinct texts
    texts = {barcode.text for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert len(texts) == 1, f"no single QR code in {selector}: {texts}"
    return texts.pop()


def test_claim_page_qr_codes_lead_wallets_to_the_credential(phone, live_server, screenshots):
    issued = _offer(live_server, txCode=True)
    assert phone.goto(issued["offer"]["claimUrl"], wait_until="networkidle").status == 200
    assert phone.locator("html").get_attribute("lang") == "de"
    assert "Nachweis abholen" in phone.title()
    assert phone.locator("[data-tx-code=required]").count() == 1
    phone.screenshot(path=str(screenshots / "claim-page-phone-de.png"), full_page=True)
    # fits a phone: no horizontal scrolling
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # OID4VCI: the QR code is the button's link; a wallet resolves it, enters the PIN and gets a credential
    oid4vci = _decode(phone, "img[data-qr=oid4vci]")
    assert oid4vci == phone.locator("a[data-open=oid4vci]").get_attribute("href") == issued["offer"]["openid4vci"]
    offer_uri = parse_qs(urlsplit(oid4vci).query)["credential_offer_uri"][0]
    credential_offer = phone.request.get(offer_uri).json()
    code = credential_offer["grants"][PRE_AUTH]["pre-authorized_code"]
    token = phone.request.post(live_server.url("/oid4vci/token"), form={
        "grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": issued["offer"]["txCode"]}).json()
    nonce = phone.request.post(live_server.url("/oid4vci/nonce")).json()["c_nonce"]
    holder = Holder()
    answer = phone.request.post(live_server.url("/oid4vci/credential"), headers={
        "Authorization": f"Bearer {token['access_token']}"}, data={
        "credential_configuration_id": "AchievementCredential_ldp_vc",
        "proofs": {"jwt": [holder.proof_jwt(aud=live_server.base_url, nonce=nonce)]}})
    assert answer.status == 200, answer.text()
    assert answer.json()["credentials"][0]["credential"]["credentialSubject"]["id"] == holder.did

    # used: the page now says so, in German
    phone.reload(wait_until="networkidle")
    assert phone.locator("[data-claim-problem]").get_attribute("data-claim-problem") == "already_claimed"
    assert phone.locator("img[data-qr]").count() == 0


def test_lcw_qr_code_and_downloads(page, live_server, screenshots):
    issued = _offer(live_server)
    assert page.goto(issued["offer"]["claimUrl"] + "?lang=en", wait_until="networkidle").status == 200
    assert page.locator("h2#w-lcw").inner_text() == "Learner Credential Wallet"
    page.screenshot(path=str(screenshots / "claim-page-en.png"), full_page=True)
    lcw = _decode(page, "img[data-qr=lcw]")
    assert lcw == page.locator("a[data-open=lcw]").get_attribute("href") == issued["offer"]["lcw"]
    params = parse_qs(urlsplit(lcw).query)
    assert params["auth_type"] == ["bearer"]
    holder = Holder()
    vp = holder.did_auth(challenge=params["challenge"][0], domain=None, suite="Ed25519Signature2020")
    answer = page.request.post(params["vc_request_url"][0], data=vp)
    assert answer.status == 200, answer.text()
    assert answer.json()["credentialSubject"]["id"] == holder.did
    downloads = [a.get_attribute("data-download") for a in page.locator("a[data-download]").all()]
    assert {"json", "jwt", "png", "svg"} <= set(downloads)  # the same downloads as the credential page
    assert page.request.get(live_server.url(page.locator("a[data-download=json]").get_attribute("href"))).ok
    interaction = page.request.get(page.locator("a[data-open=interaction]").get_attribute("href"),
                                   headers={"Accept": "application/json"})
    assert interaction.status == 409  # one protocol claimed it: the exchange is used up


def test_public_credential_page_offers_no_pickup(page, live_server):
    issued = _offer(live_server)
    # networkidle: the favicon is served before the page closes (no dropped static-file connection)
    assert page.goto(live_server.url(f"/credentials/{issued['id']}"), wait_until="networkidle").status == 200
    html = page.content()
    assert "openid-credential-offer" not in html and "/claim/" not in html and "lcw.app" not in html
    assert page.locator("img[data-qr]").count() == 0


def test_with_a_pin_the_lcw_code_appears_after_the_pin_and_leads_to_the_credential(phone, live_server, screenshots):
    issued = _offer(live_server, txCode=True)
    assert phone.goto(issued["offer"]["claimUrl"] + "?lang=en", wait_until="networkidle").status == 200
    assert phone.locator("img[data-qr=lcw]").count() == 0 and phone.locator("[data-pin-form]").count() == 1
    # the OpenID code shows the bare exchange id: it opens no VC API exchange without the PIN
    offer_uri = parse_qs(urlsplit(_decode(phone, "img[data-qr=oid4vci]")).query)["credential_offer_uri"][0]
    bare = offer_uri.rsplit("/", 1)[-1]
    assert phone.request.post(live_server.url(f"/workflows/claim/exchanges/{bare}"), data={}).status == 403
    wrong = "000000" if issued["offer"]["txCode"] != "000000" else "111111"
    phone.fill("input[name=pin]", wrong)
    phone.click("[data-pin-form] button[type=submit]")
    assert phone.locator("[data-pin-error]").get_attribute("data-pin-error") == "4"
    phone.locator("[data-pin-form]").screenshot(path=str(screenshots / "claim-page-phone-pin-form-en.png"))
    phone.fill("input[name=pin]", issued["offer"]["txCode"])
    phone.click("[data-pin-form] button[type=submit]")
    phone.wait_for_selector("img[data-qr=lcw]")
    phone.screenshot(path=str(screenshots / "claim-page-phone-pin-en.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    lcw = _decode(phone, "img[data-qr=lcw]")
    assert lcw == phone.locator("a[data-open=lcw]").get_attribute("href") == issued["offer"]["lcw"]
    params = parse_qs(urlsplit(lcw).query)
    holder = Holder()
    vp = holder.did_auth(challenge=params["challenge"][0], domain=None, suite="Ed25519Signature2020")
    answer = phone.request.post(params["vc_request_url"][0], data=vp)
    assert answer.status == 200, answer.text()
    assert answer.json()["credentialSubject"]["id"] == holder.did
