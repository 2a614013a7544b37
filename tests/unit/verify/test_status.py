"""Bitstring Status List checking (Bitstring Status List 1.0 §3.2; catalog SL-06 .. SL-10)."""
from __future__ import annotations

import base64
import gzip
import json
from datetime import timedelta

import pytest

from issuer.resolve.fetch import FetchError
from issuer.status.lists import STATUS_MESSAGES

from .support import (
    LIST_URL, MIN_LIST, NOW, NeverFetch, Resolver, credential, did_key_issuer, did_web_issuer, iso, sign_di,
    status_entry, status_list, verifier,
)


@pytest.fixture(scope="module")
def issuer():
    return did_web_issuer("status")


class Lists:
    """A fake ``fetch_status_list`` serving one document per URL and counting fetches."""

    def __init__(self, **documents):
        self.documents = {LIST_URL: documents.pop("default")} if "default" in documents else {}
        self.calls = []

    def __call__(self, url):
        self.calls.append(url)
        document = self.documents.get(url)
        if isinstance(document, Exception):
            raise document
        if document is None:
            raise FetchError("http_error", f"404 for {url}", status=404)
        return document


def _run(issuer, status, lists, **kwargs):
    document = sign_di(credential(issuer, credentialStatus=status), issuer)
    return verifier(Resolver().add(issuer), fetch_status_list=lists).verify(document, now=NOW, **kwargs)


def test_not_revoked(issuer):
    lists = Lists(default=status_list(issuer, set_values={8: 1}))
    report = _run(issuer, status_entry(7), lists)
    assert report.verified
    assert report.check("status").reason == "neither revoked nor suspended"
    assert report.summary["status"] == {"revoked": False, "suspended": False}
    assert lists.calls == [LIST_URL]


def test_revoked(issuer):
    report = _run(issuer, status_entry(7), Lists(default=status_list(issuer, set_values={7: 1})))
    result = report.check("status")
    assert result.status == "failed" and result.reason.startswith("revoked") and result.detail["revoked"] is True
    assert report.summary["status"] == {"revoked": True, "suspended": False}
    assert not report.verified


def test_suspended_with_suspension_purpose(issuer):
    lists = Lists(default=status_list(issuer, set_values={3: 1}, purpose="suspension"))
    report = _run(issuer, status_entry(3, purpose="suspension"), lists)
    assert report.check("status").reason.startswith("suspended")
    assert report.summary["status"] == {"revoked": False, "suspended": True}


@pytest.mark.parametrize("value, expected", [(0, "passed"), (1, "revoked"), (2, "suspended")])
def test_two_bit_message_list(issuer, value, expected):
    lists = Lists(default=status_list(issuer, set_values={5: value}, purpose="message", size=2))
    entry = status_entry(5, purpose="message", statusSize=2, statusMessage=STATUS_MESSAGES)
    report = _run(issuer, entry, lists)
    result = report.check("status")
    if expected == "passed":
        assert result.status == "passed" and result.detail["entries"][0]["message"] == "valid"
    else:
        assert result.status == "failed" and result.reason.startswith(expected)
        assert report.summary["status"][expected] is True


def test_array_of_entries(issuer):
    revocation = status_list(issuer)
    suspension = status_list(issuer, set_values={9: 1}, purpose="suspension", id="https://issuer.example/status/2")
    lists = Lists()
    lists.documents = {LIST_URL: revocation, "https://issuer.example/status/2": suspension}
    entries = [status_entry(9), {**status_entry(9, purpose="suspension"), "id": "https://issuer.example/status/2#9",
                                 "statusListCredential": "https://issuer.example/status/2"}]
    report = _run(issuer, entries, lists)
    assert report.summary["status"] == {"revoked": False, "suspended": True}


def test_each_list_fetched_once(issuer):
    lists = Lists(default=status_list(issuer))
    report = _run(issuer, [status_entry(1), status_entry(2)], lists)
    # (two entries are a VC 2.0 array, which the official OB schema, now on by default, does not allow)
    assert report.check("status").status == "passed" and lists.calls == [LIST_URL]


@pytest.mark.parametrize("error", [FetchError("timeout", "deadline"), LookupError("gone"), RuntimeError("x"), None])
def test_retrieval_error(issuer, error):  # SL-10
    lists = Lists()
    if error is not None:
        lists.documents[LIST_URL] = error
    result = _run(issuer, status_entry(), lists).check("status")
    assert result.status == "failed" and result.code == "STATUS_RETRIEVAL_ERROR"


def test_no_fetcher_configured_fails_closed(issuer):
    document = sign_di(credential(issuer, credentialStatus=status_entry()), issuer)
    report = verifier(Resolver().add(issuer)).verify(document, now=NOW)
    assert report.check("status").code == "STATUS_RETRIEVAL_ERROR" and not report.verified


def test_list_signed_by_another_issuer(issuer):  # SL-08
    other = did_web_issuer("other-status")
    lists = Lists(default=status_list(other))
    resolver = Resolver().add(issuer, other)
    document = sign_di(credential(issuer, credentialStatus=status_entry()), issuer)
    result = verifier(resolver, fetch_status_list=lists).verify(document, now=NOW).check("status")
    assert result.status == "failed" and result.code == "STATUS_VERIFICATION_ERROR"
    assert "someone other" in result.reason


def test_list_claiming_issuer_but_signed_by_another_key(issuer):  # SL-08
    attacker = did_key_issuer()
    forged = sign_di(status_list(issuer, sign=False, set_values={}), attacker)
    result = _run(issuer, status_entry(), Lists(default=forged)).check("status")
    assert result.code == "STATUS_VERIFICATION_ERROR" and "key_binding" in result.reason


@pytest.mark.parametrize("change", ["unsigned", "tampered", "expired"])
def test_list_that_does_not_verify(issuer, change):  # SL-08
    if change == "unsigned":
        document = status_list(issuer, sign=False)
    elif change == "expired":
        document = status_list(issuer, validUntil=iso(NOW - timedelta(days=1)))
    else:
        document = status_list(issuer)
        document["credentialSubject"]["encodedList"] = status_list(issuer, set_values={1: 1},
                                                                   sign=False)["credentialSubject"]["encodedList"]
    result = _run(issuer, status_entry(), Lists(default=document)).check("status")
    assert result.status == "failed" and result.code == "STATUS_VERIFICATION_ERROR"
    assert result.detail["failedChecks"]


def test_purpose_mismatch(issuer):  # SL-07
    lists = Lists(default=status_list(issuer, purpose="revocation"))
    result = _run(issuer, status_entry(purpose="suspension"), lists).check("status")
    assert result.code == "STATUS_VERIFICATION_ERROR" and "statusPurpose" in result.reason


def test_short_list(issuer):
    lists = Lists(default=status_list(issuer, length=MIN_LIST // 2))
    result = _run(issuer, status_entry(), lists).check("status")
    assert result.code == "STATUS_LIST_LENGTH_ERROR"


@pytest.mark.parametrize("index", ["-1", "abc", "1e3", str(2 ** 64), str(MIN_LIST), " 1", "0x10", True, 1.5])
def test_index_out_of_range_or_malformed(issuer, index):  # SL-06
    entry = status_entry()
    entry["statusListIndex"] = index
    report = _run(issuer, entry, Lists(default=status_list(issuer)))
    assert report.check("status").status == "failed" and report.check("status").code == "RANGE_ERROR"
    assert not report.verified


def test_integer_index_is_accepted(issuer):
    entry = status_entry()
    entry["statusListIndex"] = 7
    report = _run(issuer, entry, Lists(default=status_list(issuer, set_values={7: 1})))
    assert report.check("status").reason.startswith("revoked")


@pytest.mark.parametrize("encoded", ["not-multibase", "u" + "A" * 40, "u" + base64.urlsafe_b64encode(
    gzip.compress(b"\0" * (32 * 1024 * 1024))).rstrip(b"=").decode()])
def test_bad_encoded_list(issuer, encoded):  # SL-09
    document = status_list(issuer, sign=False)
    document["credentialSubject"]["encodedList"] = encoded
    result = _run(issuer, status_entry(), Lists(default=sign_di(document, issuer))).check("status")
    assert result.code == "STATUS_VERIFICATION_ERROR"


def test_status_size_without_messages(issuer):
    entry = status_entry(purpose="message", statusSize=2)
    lists = Lists(default=status_list(issuer, purpose="message", size=2))
    assert _run(issuer, entry, lists).check("status").code == "STATUS_VERIFICATION_ERROR"


def test_1edtech_revocation_list_is_skipped(issuer):
    lists = NeverFetch()
    entry = {"id": "https://issuer.example/revocations/1", "type": "1EdTechRevocationList"}
    contexts = credential(issuer)["@context"] + ["https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]
    document = sign_di(credential(issuer, credentialStatus=entry, **{"@context": contexts}), issuer)
    report = verifier(Resolver().add(issuer), fetch_status_list=lists).verify(document, now=NOW)
    assert report.verified
    assert report.check("status").status == "skipped" and "1EdTechRevocationList" in report.check("status").reason
    assert lists.calls == []


def test_status_not_requested(issuer):
    lists = NeverFetch()
    report = _run(issuer, status_entry(), lists, check_status=False)
    assert report.check("status").status == "skipped" and report.verified and lists.calls == []
    assert "status" not in report.summary


def test_no_credential_status(issuer):
    report = verifier(Resolver().add(issuer), fetch_status_list=NeverFetch()).verify(
        sign_di(credential(issuer), issuer), now=NOW)
    assert report.check("status").status == "skipped" and report.verified


def test_list_as_json_text_or_jwt(issuer):
    document = status_list(issuer, set_values={7: 1})
    result = _run(issuer, status_entry(7), lambda url: json.dumps(document)).check("status")
    assert result.reason.startswith("revoked")


def test_service_built_list_is_accepted(issuer):
    """The service's own list builder (issuer.status.lists) produces lists this verifier reads."""
    from types import SimpleNamespace

    from issuer.status.lists import build_list_credential

    status = SimpleNamespace(length=MIN_LIST, status_size=2, public_id="abc", purpose="message")
    document = build_list_credential(base_url="https://issuer.example", status_list=status, issuer=issuer.did,
                                     set_values={11: 2}, now_iso=iso(NOW - timedelta(days=1)))
    entry = {"id": f"{document['id']}#11", "type": "BitstringStatusListEntry", "statusPurpose": "message",
             "statusListIndex": "11", "statusListCredential": document["id"], "statusSize": 2,
             "statusMessage": STATUS_MESSAGES}
    report = _run(issuer, entry, lambda url: sign_di(document, issuer))
    assert report.check("status").reason.startswith("suspended"), report.check("status")
