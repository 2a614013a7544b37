"""Issuing: a course completion becomes a signed OB 3.0 AchievementCredential.

build -> sign (eddsa-rdfc-2022 and VC-JWT) -> verify our own output -> persist (verbatim).
Plain Python: the caller passes the session, the provider, the clock, the id factory and the RNG.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .store import tenants
from .badges.credential import (AchievementInput, AlignmentInput, CredentialExtras, Learner, build_achievement,
                                build_credential, json_number)
from .errors import Conflict, NotFound, Unprocessable, ValidationFailed
from .resolve.did_document import DidError
from .resolve.did_key import public_key_from_did_key
from .resolve.did_web import parse_did_web
from .signing.jsonld.safemode import DataLossError
from .signing.keystore import KeyVault
from .signing import eddsa_rdfc_2022, vc_jose
from .intake.schemas import validate_or_raise
from .intake.text import is_blank
from .notify.events import record_event
from .status import lists as status_lists
from .store.listing import email_index, email_index_key
from .verify.selfcheck import check_own_output, self_verifier
from .verify.trust import has_direction_controls
from .store.models import (Course, CourseSkill, Credential, Framework, IssuerProfile, Provider, SigningKey, Skill,
                           StatusEvent)

__all__ = ["IssueRequest", "IssuanceContext", "parse_issue_request", "issue_credential", "did_problem",
           "achievement_input", "request_fingerprint", "sign_credential", "prepare_credential", "store_prepared",
           "PreparedCredential", "context_for"]

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
# DID Core 1.0 §3.1 ABNF: did:<method-name>:<method-specific-id>, idchar = ALPHA / DIGIT / "." / "-" /
# "_" / pct-encoded; no path, query or fragment.
_DID = re.compile(r"^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class IssueRequest:
    course: str
    learner: Learner
    issuer: str | None = None
    completed_at: datetime | None = None
    result: dict | None = None
    evidence: tuple[dict, ...] = ()
    send_email: bool | None = None  # e-mail the learner; None = the provider's default (issue #12 §4)


@dataclass
class IssuanceContext:
    base_url: str
    vault: KeyVault
    now: datetime
    status_length: int
    status_capacity: int
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    rng: random.Random = field(default_factory=random.SystemRandom)
    self_verify: Callable[[dict, str, dict], list[str]] | None = None
    clock_skew: timedelta = timedelta(minutes=5)
    email_index: Callable[[str], str] | None = None  # keyed hash stored for look-up (store.listing)
    # Reads shared by the issuances of one context, when its caller makes many in one transaction (a
    # batch group): course facts, issuer forms and open status lists, keyed by what was asked.
    # None (one request, one credential): read every time.
    memo: dict | None = None


def context_for(service, now: datetime) -> IssuanceContext:
    """The :class:`IssuanceContext` of ``service`` (the container of :mod:`issuer.service`) at ``now``,
    the same for every way of issuing (API, console, batches, wallet pickup).

    Every credential gets the cheap self-verification of both forms in :func:`sign_credential`;
    ``FULL_SELF_VERIFY`` (config) adds the full verifier on top (slow: it re-canonicalizes both
    forms)."""
    config = service.config
    key = email_index_key(config["SECRET_KEY"])
    return IssuanceContext(base_url=service.base_url, vault=service.vault, now=now,
                           status_length=config["STATUS_LIST_LENGTH"], status_capacity=config["STATUS_LIST_CAPACITY"],
                           new_id=service.new_id, rng=service.rng,
                           self_verify=self_verifier(service) if config.get("FULL_SELF_VERIFY") else None,
                           clock_skew=service.clock_skew, email_index=lambda email: email_index(key, email))


def request_fingerprint(body: dict) -> str:
    """SHA-256 hex of the canonical JSON of an issue request (sorted keys): what an idempotency key
    is bound to."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _text_problems(value, path: str) -> list[dict]:
    if isinstance(value, str):
        return [{"path": path, "message": "control characters are not allowed"}] if _CONTROL.search(value) else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _text_problems(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _text_problems(v, f"{path}/{i}")]
    return []


def did_problem(did: str) -> str | None:
    """Why ``did`` cannot name a credential subject, or None. DID Core 1.0 §3.1 syntax for every
    method; a ``did:key`` must decode to a supported public key (Ed25519 or P-256, security catalog
    NET-07) and a ``did:web`` must name a valid host (did:web §3.1)."""
    if not _DID.match(did):
        return "not a DID (did:<method>:<method-specific id>, no path, query or fragment)"
    try:
        if did.startswith("did:key:"):
            public_key_from_did_key(did)
        elif did.startswith("did:web:"):
            parse_did_web(did)
    except DidError as exc:
        return f"not a valid {did.split(':')[1]} DID: {exc}"
    return None


def _parse_time(value: str, path: str, now: datetime, skew: timedelta) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed("completedAt is not an RFC 3339 date-time",
                               errors=[{"path": path, "message": "expected e.g. 2026-05-04T10:00:00Z"}]) from None
    if moment.tzinfo is None:
        raise ValidationFailed("completedAt needs a time zone offset",
                               errors=[{"path": path, "message": "add Z or an offset such as +02:00"}])
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        moment = None
    # xsd:dateTime as credentials write it has a four-digit year (VC Data Model 2.0 §4.9 dateTimeStamp).
    if moment is None or not 1000 <= moment.year <= 9999:
        raise ValidationFailed("completedAt must lie between the years 1000 and 9999 (UTC)",
                               errors=[{"path": path, "message": "year out of range"}])
    if moment > now + skew:
        raise ValidationFailed("completedAt is in the future", errors=[{"path": path, "message": "in the future"}])
    return moment


def _result(result: dict | None) -> dict | None:
    if not result:
        return None
    if result.get("passed") is False:
        raise Unprocessable("a credential certifies a completion; a failed attempt cannot be issued")
    if "grade" in result and "score" in result:
        raise ValidationFailed("give either a grade or a score, not both: a credential's result has one value",
                               errors=[{"path": "/result", "message": "both grade and score"}])
    if "maxScore" in result and "score" not in result:
        raise ValidationFailed("maxScore needs a score", errors=[{"path": "/result/maxScore",
                                                                  "message": "no score to scale"}])
    out: dict = {}
    if "grade" in result:
        out["value"] = result["grade"]
    elif "score" in result:
        score = json_number(float(result["score"]))
        out["value"] = f"{score}/{json_number(float(result['maxScore']))}" if "maxScore" in result else str(score)
    out["status"] = "Completed"
    return out


def _evidence(items: list[dict]) -> tuple[dict, ...]:
    out = []
    for i, item in enumerate(items):
        url = item.get("url")
        if url is not None and not re.match(r"^https?://[^\s]+$", url):
            raise ValidationFailed("evidence url must be an http(s) URL",
                                   errors=[{"path": f"/evidence/{i}/url", "message": "not an http(s) URL"}])
        evidence = {"type": ["Evidence"]}
        if url:
            evidence["id"] = url
        for key in ("name", "narrative"):
            if item.get(key):
                evidence[key] = item[key]
        out.append(evidence)
    return tuple(out)


def parse_issue_request(body, *, now: datetime, skew: timedelta = timedelta(minutes=5)) -> IssueRequest:
    """Validate an issue request body (``schemas/issue-request.schema.json``, no control characters,
    ``completedAt`` an RFC 3339 time not after ``now + skew``) into an :class:`IssueRequest`.

    Raises ``ValidationFailed`` (422) listing the problems, or ``Unprocessable`` for a failed attempt."""
    if not isinstance(body, dict):
        raise ValidationFailed("the request body must be a JSON object")
    learner = body.get("learner")
    if isinstance(learner, dict) and ("email" in learner) == ("id" in learner):
        raise ValidationFailed("give either an e-mail or a DID for the learner (not both, not neither)",
                               errors=[{"path": "/learner", "message": "give either an e-mail or a DID"}])
    validate_or_raise("issue-request.schema.json", body)
    problems = _text_problems(body, "")
    if is_blank(learner["name"]):
        problems.append({"path": "/learner/name",
                         "message": "the name is empty (only white space or invisible characters)"})
    if has_direction_controls(learner["name"]):
        problems.append({"path": "/learner/name",
                         "message": "bidirectional override or isolate characters are not allowed in a name"})
    if "email" in learner and not _EMAIL.match(learner["email"].strip()):
        problems.append({"path": "/learner/email", "message": "not a valid e-mail address"})
    if "id" in learner:
        why = did_problem(learner["id"])
        if why:
            problems.append({"path": "/learner/id", "message": why})
    if problems:
        raise ValidationFailed("the request has invalid values", errors=problems)
    completed = _parse_time(body["completedAt"], "/completedAt", now, skew) if "completedAt" in body else None
    return IssueRequest(
        course=body["course"], issuer=body.get("issuer"),
        learner=Learner(name=learner["name"].strip(), email=learner.get("email"), did=learner.get("id")),
        completed_at=completed, result=_result(body.get("result")), evidence=_evidence(body.get("evidence", [])),
        send_email=body.get("sendEmail"),
    )


def achievement_input(course: Course, base_url: str) -> AchievementInput:
    """The builder input for ``course``'s ``Achievement`` (ids under ``base_url``, one alignment per
    mapped skill)."""
    return _achievement_input(course, base_url, tuple(
        AlignmentInput(name=cs.skill.name, url=f"{base_url}/skills/{cs.skill.framework.code}/{cs.skill.code}",
                       framework=cs.skill.framework.name, code=cs.skill.code, level=cs.level,
                       description=cs.skill.description)
        for cs in course.skills))


def _achievement_input(course, base_url: str, alignments: tuple[AlignmentInput, ...]) -> AchievementInput:
    """The builder input of a course row or :class:`_CourseFacts` (same attribute names) with its
    ``alignments``: the one place that maps a course onto an OB 3.0 ``Achievement``."""
    url = f"{base_url}/achievements/{course.slug}"  # /achievements/<provider>/<code>
    return AchievementInput(
        id=url, name=course.title, description=course.description, criteria=course.criteria,
        criteria_url=None, image_url=f"{url}/image", image_caption=f"Badge: {course.title}", code=course.code,
        alignments=alignments, learning_outcomes=tuple(course.learning_outcomes or ()),
        workload_hours=course.workload_hours, ects=course.ects, eqf_level=course.eqf_level,
        assessment_type=course.assessment_type, participation_form=course.participation_form,
        quality_assurance=course.quality_assurance, language=course.language,
    )


_COURSE_COLUMNS = (Course.id, Course.slug, Course.code, Course.title, Course.description, Course.criteria,
                   Course.learning_outcomes, Course.workload_hours, Course.ects, Course.eqf_level,
                   Course.assessment_type, Course.participation_form, Course.quality_assurance, Course.language,
                   Course.validity_days, Course.retired_at)


@dataclass(frozen=True)
class _CourseFacts:
    """What issuing needs of a course, as hashable values (the key of the achievement cache)."""
    id: int
    slug: str
    code: str
    title: str
    description: str
    criteria: str
    learning_outcomes: tuple
    workload_hours: float | None
    ects: float | None
    eqf_level: int | None
    assessment_type: str | None
    participation_form: str | None
    quality_assurance: str | None
    language: str | None
    validity_days: int | None
    retired_at: object  # datetime | None: a retired course is no longer issued
    skills: tuple  # (level, skill code, name, description, framework code, framework name) by CourseSkill.id


def _course(session: Session, provider: Provider, code: str) -> _CourseFacts:
    """The course ``code`` of ``provider`` with its mapped skills, in one query."""
    rows = session.connection().execute(  # Core: no ORM round (this runs on every issuance)
        select(*_COURSE_COLUMNS, CourseSkill.level, Skill.code, Skill.name, Skill.description, Framework.code,
               Framework.name)
        .outerjoin(CourseSkill, CourseSkill.course_id == Course.id).outerjoin(Skill, Skill.id == CourseSkill.skill_id)
        .outerjoin(Framework, Framework.id == Skill.framework_id)
        .where(Course.provider_id == provider.id, Course.code == code).order_by(CourseSkill.id)).all()
    if not rows:
        raise NotFound(f"course {code!r} is not in your catalogue")
    first = list(rows[0][:len(_COURSE_COLUMNS)])
    first[6] = tuple(first[6] or ())
    if first[-1] is not None:
        raise Unprocessable(f"course {code!r} is retired: its credentials stay valid, but it is no longer issued")
    skills = tuple(tuple(r[len(_COURSE_COLUMNS):]) for r in rows if r[len(_COURSE_COLUMNS)] is not None)
    if not skills:
        raise Unprocessable(f"course {code!r} is not mapped to any competence-matrix skill, so it cannot be "
                            "issued as a micro-credential; map it first (issuer courses import)")
    return _CourseFacts(*first, skills=skills)


@lru_cache(maxsize=1024)
def _achievement_json(course: _CourseFacts, base_url: str) -> str:
    """The course's ``Achievement`` as JSON text, built once per process and course content (the
    key is the whole course as read, so any change to the course or its skills misses the cache)."""
    alignments = tuple(
        AlignmentInput(name=name, url=f"{base_url}/skills/{framework_code}/{skill_code}",
                       framework=framework_name, code=skill_code, level=level, description=description)
        for level, skill_code, name, description, framework_code, framework_name in course.skills)
    return json.dumps(build_achievement(_achievement_input(course, base_url, alignments)), ensure_ascii=False)


@dataclass(frozen=True)
class _IssuerForms:
    issuer_id: int
    profile_json: str
    did_document: dict
    material: tenants.SigningMaterial
    vault: KeyVault


@dataclass
class _KeySnapshot:
    """The columns of a ``SigningKey`` that the issuer's forms are made of."""
    id: int
    fragment: str
    algorithm: str
    active: bool
    compromised_at: datetime | None
    public_multibase: str | None
    public_jwk: dict
    private_encrypted: bytes


@dataclass
class _IssuerSnapshot:
    """The columns of an ``IssuerProfile`` (and its keys) that its forms are made of: what
    :func:`issuer.store.tenants.profile_json`, ``did_document`` and ``signing_material`` read."""
    id: int
    slug: str
    name: str
    url: str | None
    email: str | None
    description: str | None
    country_code: str | None
    did_method: str
    did_key: str | None
    logo_id: int | None
    keys: list


_ISSUER_COLUMNS = (IssuerProfile.id, IssuerProfile.slug, IssuerProfile.name, IssuerProfile.url, IssuerProfile.email,
                   IssuerProfile.description, IssuerProfile.country_code, IssuerProfile.did_method,
                   IssuerProfile.did_key, IssuerProfile.logo_id)
_KEY_COLUMNS = (SigningKey.id, SigningKey.fragment, SigningKey.algorithm, SigningKey.active, SigningKey.compromised_at,
                SigningKey.public_multibase, SigningKey.public_jwk, SigningKey.private_encrypted)
_ISSUER_FORMS: OrderedDict = OrderedDict()
_ISSUER_FORMS_LOCK = threading.Lock()


def _issuer_forms(session: Session, provider: Provider, slug: str | None, base_url: str,
                  vault: KeyVault) -> _IssuerForms:
    """The issuer profile ``slug`` of ``provider`` (default: its first) as issuing needs it: the
    embedded ``Profile``, the DID document and the opened signing keys.

    One query reads the profile's and its keys' columns; the forms are made once per process and
    kept under a key of everything they derive from (every column read, including each key's state
    and sealed material), so an edited profile, a rotated, retired or compromised key misses the
    cache. Raises NotFound (no issuer ``slug`` of the provider) or Unprocessable (no profile)."""
    query = (select(*_ISSUER_COLUMNS, *_KEY_COLUMNS).outerjoin(SigningKey, SigningKey.issuer_id == IssuerProfile.id)
             .where(IssuerProfile.provider_id == provider.id))
    if slug:
        query = query.where(IssuerProfile.slug == slug)
    else:
        query = query.where(IssuerProfile.id == select(func.min(IssuerProfile.id))
                            .where(IssuerProfile.provider_id == provider.id).scalar_subquery())
    rows = session.connection().execute(query.order_by(SigningKey.id)).all()  # Core: on every issuance
    if not rows:
        if slug:
            raise NotFound(f"issuer {slug!r} not found")
        raise Unprocessable("this provider has no issuer profile yet")
    n = len(_ISSUER_COLUMNS)
    profile = tuple(rows[0][:n])
    keys = [tuple(r[n:]) for r in rows if r[n] is not None]
    cache_key = (id(vault), base_url, profile,
                 tuple((*k[:6], json.dumps(k[6], sort_keys=True), bytes(k[7])) for k in keys))
    with _ISSUER_FORMS_LOCK:
        forms = _ISSUER_FORMS.get(cache_key)
        if forms is not None and forms.vault is vault:
            _ISSUER_FORMS.move_to_end(cache_key)
            return forms
    issuer = _IssuerSnapshot(*profile, keys=[_KeySnapshot(*k) for k in keys])
    forms = _IssuerForms(issuer.id, json.dumps(tenants.profile_json(issuer, base_url), ensure_ascii=False),
                         tenants.did_document(issuer, base_url), tenants.signing_material(issuer, base_url, vault),
                         vault)
    with _ISSUER_FORMS_LOCK:
        _ISSUER_FORMS[cache_key] = forms
        while len(_ISSUER_FORMS) > 256:
            _ISSUER_FORMS.popitem(last=False)
    return forms


def find_idempotent(session: Session, provider: Provider, key: str | None, fingerprint: str) -> Credential | None:
    """The credential issued earlier by ``provider`` under idempotency ``key`` (``None`` if none or no
    key); raises ``Conflict`` (409) when the key was used for a different request ``fingerprint``."""
    if not key:
        return None
    existing = session.scalar(select(Credential).where(Credential.provider_id == provider.id,
                                                        Credential.idempotency_key == key))
    if existing is not None and existing.request_hash != fingerprint:
        raise Conflict("this Idempotency-Key was already used with a different request body",
                       code_hint="idempotency_key_reused")
    return existing


def sign_credential(unsigned: dict, issuer, material: tenants.SigningMaterial,
                    ctx: IssuanceContext, *, did_document: dict | None = None) -> tuple[str, str]:
    """Sign ``unsigned`` both ways (eddsa-rdfc-2022 JSON-LD text, VC-JWT compact) and self-verify.

    Both forms are always checked against the issuer's DID document (``did_document``, default:
    built from ``issuer``) with :func:`issuer.verify.selfcheck.check_own_output` (signature over
    the hash data just produced, JWT signature and payload); ``ctx.self_verify``, when set, runs the
    full verifier in addition. Raises Unprocessable when JSON-LD processing would lose data;
    RuntimeError when our own output does not verify (a bug: nothing may be stored then).
    """
    try:
        proof, hashed = eddsa_rdfc_2022.create_proof_hashed(
            unsigned, material.di_key, verification_method=material.di_verification_method, created=ctx.now)
    except DataLossError as exc:
        raise Unprocessable("the credential would lose data under JSON-LD processing; refusing to sign it",
                            errors=[{"message": p} for p in exc.problems]) from exc
    signed = {**{k: v for k, v in unsigned.items() if k != "proof"}, "proof": [proof]}
    document = json.dumps(signed, ensure_ascii=False, indent=2)
    token = vc_jose.sign_vc_jwt(signed, material.jwt_key, alg=material.jwt_alg, kid=material.jwt_kid)
    if did_document is None:
        did_document = tenants.did_document(issuer, ctx.base_url)
    problems = check_own_output(document, signed, hashed, token, did_document)
    if not problems and ctx.self_verify is not None:
        problems = ctx.self_verify(json.loads(document), token, did_document)
    if problems:
        raise RuntimeError(f"refusing to store a credential that does not verify: {problems}")
    return document, token


def _remembered(ctx: IssuanceContext, key: tuple, read: Callable):
    """``read()``, or what it gave before under ``key`` in ``ctx.memo``."""
    if ctx.memo is None:
        return read()
    if key not in ctx.memo:
        ctx.memo[key] = read()
    return ctx.memo[key]


@dataclass
class PreparedCredential:
    """A credential signed and self-verified but not stored yet (see :func:`prepare_credential`)."""
    row: Credential
    allocations: list
    issuer_id: int
    course_code: str


def _unsigned(credential_id: str, request: IssueRequest, course: _CourseFacts, forms: _IssuerForms,
              entries: list[dict], ctx: IssuanceContext) -> dict:
    valid_for = timedelta(days=course.validity_days) if course.validity_days else None
    return build_credential(
        credential_id=f"urn:uuid:{credential_id}", issuer=json.loads(forms.profile_json),
        achievement=json.loads(_achievement_json(course, ctx.base_url)), learner=request.learner,
        now=ctx.now, extras=CredentialExtras(completed_at=request.completed_at, result=request.result,
                                             evidence=request.evidence, valid_for=valid_for,
                                             credential_status=entries[0] if len(entries) == 1 else entries))


def _new_row(credential_id: str, provider: Provider, issuer_id: int, course: _CourseFacts,
             request: IssueRequest, ctx: IssuanceContext, idempotency_key, fingerprint) -> Credential:
    row = Credential(id=credential_id, provider_id=provider.id, issuer_id=issuer_id, course_id=course.id,
                     learner_name=request.learner.name, subject_id=request.learner.did, document="", jwt="",
                     valid_from=ctx.now, idempotency_key=idempotency_key, request_hash=fingerprint,
                     status="active")
    row.valid_until = ctx.now + timedelta(days=course.validity_days) if course.validity_days else None
    if request.learner.email and ctx.email_index is not None:
        row.learner_email_index = ctx.email_index(request.learner.email)
    return row


def prepare_credential(session: Session, provider: Provider, request: IssueRequest, ctx: IssuanceContext, *,
                       idempotency_key: str | None = None, fingerprint: str | None = None,
                       credential_id: str | None = None) -> PreparedCredential | None:
    """Read what a credential needs, choose its status positions, build, sign and self-verify it,
    WITHOUT writing: ``session`` may be a reading session, so that on SQLite the CPU work happens
    outside the write lock. :func:`store_prepared` then stores it in a writing transaction.

    Returns None when the issuer has no open status list yet (:func:`issue_credential` then
    allocates inside its transaction). Raises as :func:`issue_credential`.
    """
    course = _remembered(ctx, ("course", provider.id, request.course),
                         lambda: _course(session, provider, request.course))
    forms = _remembered(ctx, ("issuer", provider.id, request.issuer),
                        lambda: _issuer_forms(session, provider, request.issuer, ctx.base_url, ctx.vault))
    allocations = []
    for purpose in status_lists.purposes_for(provider.suspension_enabled):
        allocation = status_lists.choose(session, issuer_id=forms.issuer_id, purpose=purpose, rng=ctx.rng,
                                         memo=ctx.memo)
        if allocation is None:
            return None
        allocations.append(allocation)
    credential_id = credential_id or ctx.new_id()
    row = _new_row(credential_id, provider, forms.issuer_id, course, request, ctx, idempotency_key, fingerprint)
    unsigned = _unsigned(credential_id, request, course, forms,
                         [status_lists.entry_json(ctx.base_url, a) for a in allocations], ctx)
    row.document, row.jwt = sign_credential(unsigned, None, forms.material, ctx, did_document=forms.did_document)
    return PreparedCredential(row, allocations, forms.issuer_id, course.code)


def store_prepared(session: Session, prepared: PreparedCredential, ctx: IssuanceContext, *,
                   actor: str) -> Credential | None:
    """Store a :class:`PreparedCredential` in the writing ``session``: the credential row, its status
    entries (reserved now, in the same transaction), the ``issue`` status event and the
    ``credential.issued`` notification event (:func:`issuer.notify.events.record_event`). None (nothing stored)
    when a chosen position was taken meanwhile: prepare again. The caller commits."""
    row = prepared.row
    nested = session.begin_nested()
    try:
        session.add(row)
        session.add(StatusEvent(credential_id=row.id, provider_id=row.provider_id, action="issue",
                                reason=None, actor=actor, at=ctx.now))
        record_event(session, provider_id=row.provider_id, type="credential.issued", now=ctx.now,
                     data={"credentialId": row.id, "course": prepared.course_code})
        session.flush()
        for allocation in prepared.allocations:
            if not status_lists.claim(session, allocation, row.id, ctx.rng, savepoint=False):
                nested.rollback()  # (a list over capacity is marked full by the fallback in issue_credential)
                return None
        nested.commit()
        return row
    except BaseException:
        if nested.is_active:
            nested.rollback()
        raise


def issue_credential(session: Session, provider: Provider, request: IssueRequest, ctx: IssuanceContext, *,
                     actor: str, idempotency_key: str | None = None, fingerprint: str | None = None,
                     read_session: Session | None = None, credential_id: str | None = None) -> Credential:
    """Build, sign, self-verify and store a credential, and record its ``credential.issued`` event
    (:func:`issuer.notify.events.record_event`, same transaction). The caller commits ``session``.

    ``credential_id`` (a UUID string) fixes the credential's id, as batch items do (their id is
    derived from the batch and position, so a re-run job meets the primary key instead of issuing
    twice); by default ``ctx.new_id()``.

    With ``read_session`` (a reading session of the same database), the course, issuer and status
    positions are read there and the credential is signed before ``session`` writes anything
    (:func:`prepare_credential`, :func:`store_prepared`), so a SQLite writer holds its lock for the
    inserts only. Raises NotFound (unknown course or issuer), Unprocessable (course without skills,
    issuer without profile, data loss under JSON-LD) or RuntimeError (our own output does not
    verify: nothing is stored, the caller rolls back)."""
    for _attempt in range(4):
        prepared = prepare_credential(read_session or session, provider, request, ctx,
                                      idempotency_key=idempotency_key, fingerprint=fingerprint,
                                      credential_id=credential_id)
        if prepared is None:
            break
        row = store_prepared(session, prepared, ctx, actor=actor)
        if row is not None:
            return row
        if ctx.memo is not None:
            ctx.memo.clear()  # a position taken or a list gone full: read the open lists again
    course = _course(session, provider, request.course)
    forms = _issuer_forms(session, provider, request.issuer, ctx.base_url, ctx.vault)
    credential_id = credential_id or ctx.new_id()
    row = _new_row(credential_id, provider, forms.issuer_id, course, request, ctx, idempotency_key, fingerprint)
    session.add(row)
    session.flush()
    entries = [status_lists.entry_json(ctx.base_url, status_lists.allocate(
        session, issuer_id=forms.issuer_id, credential_id=credential_id, purpose=purpose, length=ctx.status_length,
        capacity=ctx.status_capacity, rng=ctx.rng, new_id=ctx.new_id))
        for purpose in status_lists.purposes_for(provider.suspension_enabled)]
    unsigned = _unsigned(credential_id, request, course, forms, entries, ctx)
    row.document, row.jwt = sign_credential(unsigned, None, forms.material, ctx, did_document=forms.did_document)
    session.add(StatusEvent(credential_id=credential_id, provider_id=provider.id, action="issue",
                            reason=None, actor=actor, at=ctx.now))
    record_event(session, provider_id=provider.id, type="credential.issued", now=ctx.now,
                 data={"credentialId": credential_id, "course": course.code})
    session.flush()
    return row
