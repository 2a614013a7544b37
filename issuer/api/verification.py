"""Verification and coverage for employers: ``POST /api/v1/verify``, ``POST /api/v1/coverage``,
``GET /credentials/<id>/coverage`` (JSON). Public: no API key.

``/api/v1/verify`` answers 200 with a report whenever a verdict was reached (``verified: false``
included) and 4xx only for unusable requests (too large, unsupported media type, no input).
"""
from __future__ import annotations

import functools

from flask import Blueprint, json, jsonify, request

from ..badges.identity import identity_matches
from ..badges.read import subject_of, subjects
from ..skills.coverage_report import coverage_for
from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ..delivery.elm import ElmNotAvailable, build_elm
from ..delivery.record import credential_record
from ..intake.strict_json import JsonError, strict_loads
from ..signing.jsonld import workers as jsonld_workers
from ..store.models import Credential
from ..verify import elm_copy
from ..verify.runtime import counts_for_coverage, load_url, request_budget, verifier_for
from . import limits
from .metrics import VERIFICATION, VERIFICATION_LATENCY
from .context import db, service
from .public import find_credential, html_page, json_response, wants_json

bp = Blueprint("verification", __name__)

MAX_VERIFY_BYTES = 2 * 1024 * 1024
JWT_TYPES = ("application/jwt", "application/vc+jwt", "text/plain")
IMAGE_TYPES = ("image/png", "image/svg+xml")


def _limit(data: bytes) -> bytes:
    if len(data) > MAX_VERIFY_BYTES:
        raise PayloadTooLarge(f"credentials to verify are limited to {MAX_VERIFY_BYTES} bytes")
    return data


def json_request_body():
    """The request's ``application/json`` body, parsed strictly (duplicate members, NaN, depth) and
    capped at the verifier's size limit: 415, 413 or 400 problem otherwise."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send application/json")
    try:
        return strict_loads(_limit(request.get_data(cache=True)))
    except JsonError as exc:
        raise BadRequest(f"the body is not acceptable JSON: {exc}") from None


def subject_from_request():
    """The thing to verify, from any of the accepted request shapes."""
    if request.content_length and request.content_length > MAX_VERIFY_BYTES + 64 * 1024:
        raise PayloadTooLarge(f"credentials to verify are limited to {MAX_VERIFY_BYTES} bytes")
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        request.max_form_memory_size = MAX_VERIFY_BYTES  # a pasted credential may be as large as a file
        upload = request.files.get("file") or request.files.get("image")
        if upload is not None and upload.filename:
            return _limit(upload.stream.read(MAX_VERIFY_BYTES + 1))
        for field in ("credential", "jwt", "text"):
            if request.form.get(field, "").strip():
                return _limit(request.form[field].strip().encode("utf-8"))
        if request.form.get("url", "").strip():
            limits.check("verify_url", request.remote_addr or "")
            return load_url(service(), request.form["url"])
        raise BadRequest("send a file, a pasted credential or JWT, or a URL")
    data = _limit(request.get_data(cache=True))
    if not data.strip():
        raise BadRequest("the request body is empty: send a credential, a JWT, an image or {\"url\": ...}")
    if mimetype in JWT_TYPES or mimetype in IMAGE_TYPES:
        return data
    if mimetype in ("application/json", "application/ld+json", "application/vc+ld+json", "application/vc"):
        try:
            parsed = strict_loads(data)
        except JsonError:
            return data  # not JSON: the report's parsing check says so
        if isinstance(parsed, dict) and set(parsed) == {"url"}:
            limits.check("verify_url", request.remote_addr or "")
            return load_url(service(), parsed["url"])
        if isinstance(parsed, dict) and set(parsed) == {"credential"}:
            inner = parsed["credential"]
            return inner if isinstance(inner, (dict, str)) else data
        return parsed if isinstance(parsed, dict) else data  # parsed once: the verifier takes the object
    raise UnsupportedMediaType("send application/json (a credential or {\"url\": ...}), application/jwt or "
                               "text/plain (a JWT), image/png or image/svg+xml (a baked badge), or a "
                               "multipart/form-data upload")


def verify_subject(subject, *, check_status: bool = True, stop_early: bool = False):
    svc = service()
    elm_document = elm_copy.as_elm_document(subject, max_bytes=MAX_VERIFY_BYTES)
    with VERIFICATION_LATENCY.time():
        if elm_document is not None:
            report = verify_elm_copy(elm_document, check_status=check_status)
        else:
            report = verifier_for(svc).verify(subject, now=svc.clock(), check_status=check_status,
                                              stop_early=stop_early)
    VERIFICATION.labels("verified" if report.verified else "not_verified").inc()
    return report


def within_budget(view):
    """Run a verification view under the request's fetch and JSON-LD time budgets (docs/limits.md)."""
    @functools.wraps(view)
    def budgeted(*args, **kwargs):
        with request_budget(service()):
            return view(*args, **kwargs)
    return budgeted


def verify_elm_copy(document: dict, *, check_status: bool = True):
    """An ELM (Europass) copy exported here: verify the signed original it names and compare the
    copy's facts with a fresh export of the same record (:mod:`issuer.verify.elm_copy`)."""
    svc = service()
    ob_id = elm_copy.original_id(document) or ""
    row = db().get(Credential, ob_id[len("urn:uuid:"):]) if ob_id.startswith("urn:uuid:") and len(ob_id) <= 80 \
        else None
    if row is None or json.loads(row.document).get("id") != ob_id:
        return elm_copy.elm_copy_report(document, original=None, original_url=None, expected_facts=None)
    original = verifier_for(svc).verify(row.document, now=svc.clock(), check_status=check_status)
    try:
        expected = elm_copy.elm_facts(build_elm(credential_record(row, svc.base_url)))
    except ElmNotAvailable:
        expected = None
    return elm_copy.elm_copy_report(document, original=original, original_url=f"{svc.base_url}/credentials/{row.id}",
                                    expected_facts=expected)


@bp.post("/api/v1/verify")
@within_budget
def verify():
    report = verify_subject(subject_from_request(), check_status=request.args.get("status") != "false")
    response = jsonify(report.to_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


def credential_coverage(row) -> dict:
    coverage = coverage_for(db(), service().base_url, [json.loads(row.document)], include_all=False)
    coverage["credential"] = f"{service().base_url}/credentials/{row.id}"
    return coverage


@bp.get("/credentials/<credential_id>/coverage.json")
def coverage_json(credential_id: str):
    return json_response(credential_coverage(find_credential(credential_id)))


@bp.get("/credentials/<credential_id>/coverage")
def coverage(credential_id: str):
    row = find_credential(credential_id)
    if wants_json():
        return json_response(credential_coverage(row))
    return html_page("coverage", row)


def _holder_matches(credential: dict, holder: dict | None) -> tuple[bool, str | None]:
    if not holder:
        return True, None
    if "id" in holder:
        matched = any(subject.get("id") == holder["id"] for subject in subjects(credential))
        return matched, "credentialSubject.id differs from the holder's id"
    email = str(holder.get("email", ""))
    for subject in subjects(credential):
        identities = subject.get("identifier")
        if any(identity_matches(i, email) for i in (identities if isinstance(identities, list) else [])):
            return True, None
    return False, "the credential's recipient identifier does not match the holder"


def _holder_identity(credential: dict) -> tuple[str, str | None]:
    """``("did", DID)`` for a subject with an id, else ``("email", None)`` (a hashed e-mail, which
    cannot be compared across credentials without the holder's address). A list-valued
    ``credentialSubject`` is read as :func:`issuer.badges.read.subject_of` reads it: its first subject."""
    did = subject_of(credential).get("id")
    return ("did", did) if isinstance(did, str) and did else ("email", None)


def _same_holder(first: tuple[str, str | None] | None, credential: dict) -> tuple[bool, str | None]:
    """Without a ``holder``, the first counted credential names the holder; the others must be
    shown to belong to the same one (issue #9 §7: a DID holder and an e-mail holder are never merged)."""
    if first is None:
        return True, None
    kind, did = _holder_identity(credential)
    if first[0] == "did" and kind == "did":
        return (True, None) if did == first[1] else (
            False, f"not combined: this credential's holder is {did}, the first counted one's is {first[1]}")
    if first[0] == "did":
        return False, (f"not combined: this credential names its holder by a hashed e-mail address, the first "
                       f"counted one by the DID {first[1]}; nothing shows they are one holder")
    if kind == "did":
        return False, (f"not combined: this credential's holder is the DID {did}, the first counted one names "
                       "its holder by a hashed e-mail address; nothing shows they are one holder")
    return False, ("not combined: both credentials name their holder by a hashed e-mail address; send "
                   "holder: {\"email\": ...} to show that they belong to one holder")


def count_credentials(items: list, holder: dict | None, *, include_unknown: bool = False) -> tuple[list[dict], list[dict]]:
    """Verify ``items`` (credentials, JWTs, raw bytes) for a coverage: ``(counted credentials,
    one result per item)``. An item counts when it is verified, its issuer is hosted or known
    (unless ``include_unknown``) and it is shown to belong to ``holder`` (else to the same holder
    as the first counted one); each result is ``{"verified", "counted", "issuerTrust",
    "achievement"?, "reason"?}``. Items after the request's JSON-LD time budget are not checked."""
    counted, results = [], []
    first: tuple[str, str | None] | None = None
    for item in items:
        left = jsonld_workers.budget_left()
        if left is not None and left <= 0:  # the request's time is up: the rest are not even parsed
            results.append({"verified": False, "counted": False, "reason": (
                "not checked: the request's time budget (JSONLD_BUDGET_SECONDS) is spent; send fewer credentials")})
            continue
        report = verify_subject(item, stop_early=True)  # only the verdict counts here: stop at the first failure
        entry = {"verified": report.verified, "counted": False,
                 "issuerTrust": (report.issuer_trust or {}).get("level")}
        if report.summary:
            entry["achievement"] = (report.summary.get("achievement") or {}).get("name")
        if report.verified and report.credential:
            if not counts_for_coverage(report, include_unknown=include_unknown):
                entry["reason"] = ("the issuer is not hosted here and not in the trust list: the name it gives is "
                                   "only the credential's own claim, so its skills are not counted "
                                   "(includeUnknownIssuers: true counts them)")
            else:
                ok, why = _holder_matches(report.credential, holder) if holder else \
                    _same_holder(first, report.credential)
                entry["counted"] = ok
                if ok:
                    counted.append(report.credential)
                    first = first or _holder_identity(report.credential)
                else:
                    entry["reason"] = why
        else:
            entry["reason"] = "; ".join(f"{c.id}: {c.reason}" for c in report.checks if c.status == "failed")
        results.append(entry)
    return counted, results


def holder_of(body: dict) -> dict | None:
    """The optional ``holder`` of a coverage or gap-report request: ``{"email": str}`` or
    ``{"id": <DID>}``, or ``None`` when absent; anything else is ``ValidationFailed`` (422)."""
    holder = body.get("holder")
    if holder is not None and not (isinstance(holder, dict) and len(holder) == 1 and
                                   isinstance(holder.get("email", holder.get("id")), str)):
        raise ValidationFailed("holder must be {\"email\": ...} or {\"id\": <DID>}")
    return holder


@bp.post("/api/v1/coverage")
@within_budget
def combined_coverage():
    """``{"credentials": [credential | JWT, ...], "holder": {"email"|"id"}?, "includeAllRoles"?,
    "includeUnknownIssuers"?}``: the combined job-role coverage and a per-credential verdict.

    A credential counts when it is verified, its issuer is hosted here or known (unless
    ``includeUnknownIssuers``), and it is shown to belong to the holder: to ``holder`` when given,
    else to the same holder as the first counted credential (same DID). Every credential that does
    not count says why (``reason``)."""
    body = json_request_body()
    items = body.get("credentials") if isinstance(body, dict) else None
    cap = service().config["COVERAGE_MAX_CREDENTIALS"]
    if not isinstance(items, list) or not items:
        raise ValidationFailed(f"send {{\"credentials\": [1 to {cap} credentials or JWTs], \"holder\": {{...}}}}")
    if len(items) > cap:
        raise ValidationFailed(f"{len(items)} credentials: a coverage request takes at most {cap} "
                               f"(the limit COVERAGE_MAX_CREDENTIALS)")
    holder = holder_of(body)
    counted, results = count_credentials(items, holder, include_unknown=body.get("includeUnknownIssuers") is True)
    coverage = coverage_for(db(), service().base_url, counted, include_all=bool(body.get("includeAllRoles")))
    return jsonify({"credentials": results, "counted": len(counted), **coverage})
