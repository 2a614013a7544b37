"""Issue #11: real wallet client libraries pick up credentials from a live server, over plain http
(allowed in tests only), and every credential they receive verifies in @digitalbazaar/vc and
@digitalcredentials/verifier-core (JSON-LD) or jose (JWT) and in our verifier, naming the client's DID
as subject. The third-party verifiers get only the issuer's DID document and status lists (issue #8).

Clients (``wallets/``, installed from its lock file): @openid4vc/openid4vci 0.4.6 (OID4VCI 1.0),
@sphereon/oid4vci-client 0.20.1 (draft 15), an LCW holder emulator built from the
@digitalcredentials libraries LCW uses (three link forms), and a VCALM holder on @digitalbazaar/vc.
"""
from __future__ import annotations

import threading

import jwt as pyjwt
import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from issuer import create_app
from issuer.exchanges.key_proof import did_jwk
from issuer.service import build_service
from issuer.demo.setup import demo_api_keys, initialize
from tests.conftest import ApiActions, make_config
from tests.interop import wallet_clients
from tests.interop.harness import HarnessError

LDP, JWT = "AchievementCredential_ldp_vc", "AchievementCredential_jwt_vc_json"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class Live:
    def __init__(self, tmp):
        self.server = make_server("127.0.0.1", 0, app=None, threaded=True, request_handler=_Quiet)
        self.base_url = f"http://localhost:{self.server.server_port}"
        self.service = build_service(make_config(tmp, f"sqlite:///{tmp / 'issuer.db'}", BASE_URL=self.base_url))
        initialize(self.service, load_demo=True)
        self.server.app = create_app(service=self.service)
        self.client = self.server.app.test_client()
        self.api = ApiActions(self.client, demo_api_keys(self.service))
        self.auth = self.api.headers("emob-academy")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def issue(self, offer=True) -> dict:
        return self.api.issue(offer=offer)

    def local(self, url: str) -> str:
        return url.replace(self.base_url, "")

    def documents(self, credential: dict) -> dict:
        issuer_id = credential["issuer"]["id"]
        slug = issuer_id.rsplit(":", 1)[-1]
        entries = credential["credentialStatus"]
        entries = entries if isinstance(entries, list) else [entries]
        documents = {issuer_id: self.client.get(f"/issuers/{slug}/did.json").get_json()}
        for entry in entries:
            url = entry["statusListCredential"]
            documents[url] = self.client.get(self.local(url)).get_json()
        return documents


@pytest.fixture(scope="module")
def live(tmp_path_factory, node_harness):
    wallet_clients.ensure_installed()
    server = Live(tmp_path_factory.mktemp("wallets"))
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.service.close()


def _as_wallet(live, node_harness, credential: dict) -> dict:
    """@digitalbazaar/vc and verifier-core, given only the issuer's DID document and status lists."""
    run = node_harness.verify_as_wallet([{"id": "received", "credential": credential}], live.documents(credential))
    assert run["refused"] == [], run["refused"]
    return run["results"][0]


def _check_ldp(live, node_harness, credential: dict, holder: str) -> None:
    assert credential["credentialSubject"]["id"] == holder
    theirs = _as_wallet(live, node_harness, credential)
    assert theirs["digitalbazaar"]["verified"] is True, theirs
    assert theirs["digitalbazaar"]["revoked"] is False and theirs["digitalbazaar"]["statusVerified"] is True
    assert theirs["dcc"]["verified"] is True and theirs["dcc"]["revoked"] is False, theirs["dcc"]
    ours = live.client.post("/api/v1/verify", json=credential).get_json()
    assert ours["verified"] is True, ours


def _check_jwt(live, node_harness, token: str, holder: str) -> None:
    issuer = pyjwt.decode(token, options={"verify_signature": False})["iss"]
    slug = issuer.rsplit(":", 1)[-1]
    theirs = node_harness.verify_jwt(token, live.client.get(f"/issuers/{slug}/jwks.json").get_json(), issuer=issuer)
    assert theirs["verified"] is True, theirs
    assert theirs["payload"]["sub"] == holder and theirs["payload"]["credentialSubject"]["id"] == holder
    ours = live.client.post("/api/v1/verify", data=token, content_type="application/jwt").get_json()
    assert ours["verified"] is True, ours


def _holder(answer: dict) -> str:
    return answer["holder"] or did_jwk(answer["publicJwk"])


@pytest.mark.parametrize("pin,key,binding", [(False, "Ed25519", "did"), (True, "P-256", "jwk"),
                                             (True, "Ed25519", "jwk"), (False, "P-256", "did")])
def test_openid4vc_client_picks_up_both_formats(live, node_harness, pin, key, binding):
    issued = live.issue({"txCode": True} if pin else True)
    answer = wallet_clients.run("oid4vci-openid4vc.mjs", {
        "offer": issued["offer"]["openid4vci"], "txCode": issued["offer"].get("txCode"),
        "configurations": [LDP, JWT], "key": key, "binding": binding, "allowInsecure": True})
    assert answer["version"] == "V1"  # the client reads our metadata as OID4VCI 1.0
    holder = _holder(answer)
    _check_ldp(live, node_harness, answer["credentials"][LDP], holder)
    _check_jwt(live, node_harness, answer["credentials"][JWT], holder)
    claim = live.client.get(f"/api/v1/credentials/{issued['id']}", headers=live.auth).get_json()["claim"]
    assert claim["holder"] == holder and claim["protocol"] == "oid4vci"


@pytest.mark.parametrize("pin,key,binding", [(True, "Ed25519", "did"), (False, "P-256", "jwk")])
def test_sphereon_client_picks_up_both_formats(live, node_harness, pin, key, binding):
    issued = live.issue({"txCode": True} if pin else True)
    answer = wallet_clients.run("oid4vci-sphereon.mjs", {
        "offer": issued["offer"]["openid4vci"], "txCode": issued["offer"].get("txCode"), "key": key,
        "binding": binding, "configurations": [{"id": LDP, "format": "ldp_vc"}, {"id": JWT, "format": "jwt_vc_json"}]})
    holder = _holder(answer)
    _check_ldp(live, node_harness, answer["credentials"][LDP], holder)
    _check_jwt(live, node_harness, answer["credentials"][JWT], holder)


def test_openid4vc_client_with_a_wrong_pin_gets_invalid_grant(live):
    issued = live.issue({"txCode": True})
    wrong = "123456" if issued["offer"]["txCode"] != "123456" else "654321"
    with pytest.raises(HarnessError, match="invalid_grant"):
        wallet_clients.run("oid4vci-openid4vc.mjs", {"offer": issued["offer"]["openid4vci"], "txCode": wrong,
                                                     "configurations": [LDP], "allowInsecure": True})


@pytest.mark.parametrize("pin", [False, True], ids=["no-pin", "pin"])
@pytest.mark.parametrize("form,field", [("legacy", "lcw"), ("request", "lcwRequest"),
                                        ("interaction", "interactionUrl")])
def test_lcw_holder_follows_each_link_form(live, node_harness, form, field, pin):
    """With a PIN, the links are the ones the claim page shows after the PIN (they carry its tag)."""
    issued = live.issue({"txCode": True} if pin else True)
    answer = wallet_clients.run("lcw-holder.mjs", {"link": issued["offer"][field]})
    assert answer["form"] == form and len(answer["credentials"]) == 1
    if form != "legacy":
        assert answer["presentationRequest"]["domain"] == live.base_url
    _check_ldp(live, node_harness, answer["credentials"][0], answer["holder"])
    claim = live.client.get(f"/api/v1/credentials/{issued['id']}", headers=live.auth).get_json()["claim"]
    assert claim["protocol"] == ("lcw" if form == "legacy" else "vcapi") and claim["holder"] == answer["holder"]
    with pytest.raises(HarnessError, match="409"):  # used: already claimed
        wallet_clients.run("lcw-holder.mjs", {"link": issued["offer"][field]})


@pytest.mark.parametrize("form,field", [("legacy", "lcw"), ("request", "lcwRequest"),
                                        ("interaction", "interactionUrl")])
def test_lcw_holder_gets_nothing_from_a_pin_offer_without_the_pin(live, form, field):
    """The bare exchange id (what the OpenID QR code shows) in any LCW link form: 403, nothing claimed."""
    issued = live.issue({"txCode": True})
    tagged = issued["offer"]["vcapi"].rsplit("/", 1)[-1]
    link = issued["offer"][field].replace(tagged, tagged.split(".")[0])
    assert link != issued["offer"][field]
    with pytest.raises(HarnessError, match="403"):
        wallet_clients.run("lcw-holder.mjs", {"link": link})
    claim = live.client.get(f"/api/v1/credentials/{issued['id']}", headers=live.auth).get_json()["claim"]
    assert claim["claimed"] is False


def test_vcalm_holder_with_a_pin_offer(live, node_harness):
    issued = live.issue({"txCode": True})
    answer = wallet_clients.run("vcalm-holder.mjs", {"interactionUrl": issued["offer"]["interactionUrl"]})
    _check_ldp(live, node_harness, answer["credentials"][0], answer["holder"])


def test_vcalm_holder_and_revocation_reaches_the_claimed_copy(live, node_harness):
    issued = live.issue()
    answer = wallet_clients.run("vcalm-holder.mjs", {"interactionUrl": issued["offer"]["interactionUrl"]})
    credential = answer["credentials"][0]
    _check_ldp(live, node_harness, credential, answer["holder"])
    assert live.client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "issued in error"},
                            headers=live.auth).status_code == 200
    theirs = _as_wallet(live, node_harness, credential)
    assert theirs["digitalbazaar"]["revoked"] is True  # one record: the copy is revoked too
    assert theirs["dcc"]["revoked"] is True and theirs["dcc"]["verified"] is False
    ours = live.client.post("/api/v1/verify", json=credential).get_json()
    assert ours["verified"] is False
