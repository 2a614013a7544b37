"""Public, unauthenticated resources: credentials, issuers (DID documents, JWKS, profiles),
achievements, skills, job roles, status lists and the project's JSON-LD context.

Each resource answers JSON by content negotiation (or a ``.json`` suffix) and HTML for people.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request

from ..badges.contexts import BUNDLED_CONTEXTS, EU_MICROCREDENTIAL_V1
from ..badges.credential import CONTEXT, build_achievement
from ..issuance import achievement_input
from ..status.publish import published_list
from ..store import queries, tenants
from ..store.models import Course, Credential, Framework, IssuerProfile, JobRole, Skill
from .context import db, service
from .metrics import STATUS_LIST_SIGNING

bp = Blueprint("public", __name__)

JSON_TYPES = ["application/json", "application/ld+json", "application/vc+ld+json", "text/html"]


def html_page(name: str, row: Credential) -> Response:
    """The people's page ``name`` ("credential" or "coverage") for a credential row.

    The pages are registered by :func:`issuer.web.init_app` (``app.extensions["issuer_pages"]``), so
    that the HTTP API serves them on its negotiating routes without importing ``issuer.web``.
    """
    return current_app.extensions["issuer_pages"][name](row)


def wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(JSON_TYPES, default="application/json")
    return best != "text/html"


def json_response(payload, *, media_type: str = "application/json", max_age: int = 300) -> Response:
    response = jsonify(payload)
    response.mimetype = media_type
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def text_response(text: str, media_type: str, *, max_age: int = 300, etag: bool = True) -> Response:
    response = Response(text, mimetype=media_type)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if etag:
        response.set_etag(hashlib.sha256(text.encode("utf-8")).hexdigest()[:32])
        response.make_conditional(request)
    return response


def find_credential(credential_id: str) -> Credential:
    if len(credential_id) > 64:
        abort(404)
    row = db().get(Credential, credential_id)
    if row is None:
        abort(404)
    return row


def find_issuer(slug: str) -> IssuerProfile:
    issuer = queries.issuer_by_slug(db(), slug)
    if issuer is None:
        abort(404)
    return issuer


@bp.get("/credentials/<credential_id>.json")
def credential_json(credential_id: str):
    row = find_credential(credential_id)
    return text_response(row.document, "application/vc+ld+json" if "vc" in request.args else "application/json")


@bp.get("/credentials/<credential_id>.jwt")
def credential_jwt(credential_id: str):
    return text_response(find_credential(credential_id).jwt, "application/vc+jwt")


@bp.get("/issuers/<slug>/did.json")
def did_document(slug: str):
    issuer = find_issuer(slug)
    if issuer.did_method != "web":
        abort(404)
    return json_response(tenants.did_document(issuer, service().base_url), media_type="application/did+json")


@bp.get("/issuers/<slug>/jwks.json")
def jwks(slug: str):
    return json_response(tenants.jwks(find_issuer(slug), service().base_url), media_type="application/jwk-set+json")


@bp.get("/issuers/<slug>.json")
def issuer_profile_json(slug: str):
    return _profile(find_issuer(slug))


def _profile(issuer: IssuerProfile):
    profile = tenants.profile_json(issuer, service().base_url)
    profile = {"@context": ["https://www.w3.org/ns/credentials/v2",
                            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"], **profile}
    return json_response(profile, media_type="application/ld+json")


@bp.get("/achievements/<provider>/<code>.json")
def achievement_json(provider: str, code: str):
    return _achievement(find_course(provider, code))


@bp.get("/achievements/<slug>.json")
def legacy_achievement_json(slug: str):
    return legacy_course_redirect(slug, ".json")


def find_course(provider: str, code: str) -> Course:
    """The course at ``/achievements/<provider>/<code>`` (the code case-insensitively), or 404."""
    slug = f"{provider}/{code}".lower()
    course = queries.course_by_slug(db(), slug) if len(slug) <= 140 else None
    if course is None:
        abort(404)
    return course


def legacy_course_redirect(slug: str, suffix: str = ""):
    """``/achievements/<provider>-<code>`` (the form used before issue #9 §5, found in the achievement
    ids of credentials issued then): a permanent redirect to the course's path, or 404. Only the
    paths that courses actually had are redirected, so the old form's ambiguity cannot return."""
    course = queries.course_by_legacy_slug(db(), slug) if len(slug) <= 140 else None
    if course is None:
        abort(404)
    target = f"/achievements/{course.slug}{suffix}"
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    response = redirect(target, code=301)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _achievement(course: Course):
    achievement = build_achievement(achievement_input(course, service().base_url))
    return json_response({"@context": CONTEXT, **achievement}, media_type="application/ld+json")


def find_framework(code: str) -> Framework:
    framework = queries.framework_by_code(db(), code)
    if framework is None:
        abort(404)
    return framework


def find_skill(framework_code: str, code: str) -> Skill:
    skill = queries.skill_by_code(db(), framework_code, code)
    if skill is None:
        abort(404)
    return skill


def find_role(framework_code: str, code: str) -> JobRole:
    role = queries.role_by_code(db(), framework_code, code)
    if role is None:
        abort(404)
    return role


def skill_json(skill: Skill) -> dict:
    base = service().base_url
    out = {"id": f"{base}/skills/{skill.framework.code}/{skill.code}", "type": "Skill", "code": skill.code,
           "name": skill.name, "description": skill.description,
           "framework": {"code": skill.framework.code, "name": skill.framework.name,
                         "version": skill.framework.version, "url": f"{base}/frameworks/{skill.framework.code}"}}
    if skill.esco_uri:
        out["escoUri"] = skill.esco_uri
    return out


def role_json(role: JobRole) -> dict:
    base = service().base_url
    out = {"id": f"{base}/roles/{role.framework.code}/{role.code}", "type": "JobRole", "code": role.code,
           "name": role.name, "description": role.description,
           "framework": {"code": role.framework.code, "name": role.framework.name},
           "skills": [{"code": rs.skill.code, "name": rs.skill.name, "level": rs.level,
                       "url": f"{base}/skills/{role.framework.code}/{rs.skill.code}"} for rs in role.skills]}
    if role.esco_uri:
        out["escoUri"] = role.esco_uri
    return out


@bp.get("/skills/<framework>/<code>.json")
def skill_json_view(framework: str, code: str):
    return json_response(skill_json(find_skill(framework, code)))


@bp.get("/roles/<framework>/<code>.json")
def role_json_view(framework: str, code: str):
    return json_response(role_json(find_role(framework, code)))


@bp.get("/status/<public_id>")
def status_list(public_id: str):
    """A signed ``BitstringStatusListCredential``, re-signed only when it changed."""
    svc = service()
    text = published_list(svc.session, public_id, base_url=svc.base_url, vault=svc.vault,
                          now=svc.clock(), on_signed=STATUS_LIST_SIGNING.observe) if len(public_id) <= 64 else None
    if text is None:
        abort(404)
    return text_response(text, "application/vc+ld+json" if "vc" in request.args else "application/json",
                         max_age=service().config["STATUS_LIST_MAX_AGE"])


@bp.get("/contexts/eu-microcredential-v1.json")
def eu_context():
    return json_response(BUNDLED_CONTEXTS[EU_MICROCREDENTIAL_V1], media_type="application/ld+json",
                         max_age=86400)


@bp.get("/credentials/<credential_id>")
def credential(credential_id: str):
    """The credential: JSON-LD for machines (``Accept``), the learner's page for people."""
    row = find_credential(credential_id)
    if wants_json():
        response = text_response(row.document, "application/json")
        response.vary.add("Accept")
        return response
    return html_page("credential", row)
