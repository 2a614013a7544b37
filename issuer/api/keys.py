"""An issuer's signing keys: list them, rotate them, and retire one reported compromised.

``GET /api/v1/issuers/<slug>/keys``, ``POST /api/v1/issuers/<slug>/keys/rotate`` and
``POST /api/v1/issuers/<slug>/keys/<fragment>/compromise`` (scope ``keys:manage``). A compromised
key leaves the published DID document and JWK Set, so credentials signed with it stop verifying
everywhere, and this service's verifier says why (security catalog T-14; docs/keys.md).
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from ..errors import ValidationFailed
from ..store import tenants
from .context import committing, current_provider, db_write, principal, requires, service
from .requests import json_body

bp = Blueprint("keys", __name__, url_prefix="/api/v1/issuers")
log = logging.getLogger(__name__)

NOTE_MAX = 500


def _keys_body(issuer, new=()) -> dict:
    base = service().base_url
    body = {"issuer": issuer.slug, "did": tenants.issuer_did(issuer, base),
            "keys": [tenants.key_view(k, issuer, base) for k in sorted(issuer.keys, key=lambda k: k.id or 0)]}
    if new:
        body["new"] = [k.fragment for k in new]
    return body


@bp.get("/<slug>/keys")
@requires("keys:manage")
def list_keys(slug: str):
    """``{"issuer", "did", "keys": [key view]}`` for one of the caller's issuers."""
    session = db_write()
    issuer = tenants.get_issuer(session, slug, current_provider(session))
    return jsonify(_keys_body(issuer))


@bp.post("/<slug>/keys/rotate")
@requires("keys:manage")
def rotate(slug: str):
    """New active keys; the old ones stay published so earlier credentials verify (201)."""
    session = db_write()
    issuer = tenants.get_issuer(session, slug, current_provider(session), lock=True)
    with committing(session):
        new = tenants.rotate_keys(session, issuer, service().vault, service().clock(),
                                  jwt_algorithm=service().config["JWT_ALGORITHM"])
    log.info("signing keys rotated", extra={"event": "key.rotated", "issuer": slug, "actor": principal().actor})
    return jsonify(_keys_body(issuer, new)), 201


@bp.post("/<slug>/keys/<fragment>/compromise")
@requires("keys:manage")
def compromise(slug: str, fragment: str):
    """Retire ``fragment`` as compromised, optionally with ``{"note": "..."}`` (kept for the
    provider, never published); answers the keys, with ``new`` naming replacement keys."""
    body = json_body(16 * 1024) if request.get_data(cache=True) else {}
    note = body.get("note") if isinstance(body, dict) else None
    if not isinstance(body, dict) or set(body) - {"note"} or not (note is None or isinstance(note, str)) \
            or (isinstance(note, str) and len(note) > NOTE_MAX):
        raise ValidationFailed(f'the body must be {{}} or {{"note": "<at most {NOTE_MAX} characters>"}}')
    session = db_write()
    issuer = tenants.get_issuer(session, slug, current_provider(session), lock=True)
    with committing(session):
        new = tenants.compromise_key(session, issuer, fragment, service().vault, service().clock(), note=note,
                                     jwt_algorithm=service().config["JWT_ALGORITHM"])
    log.warning("signing key reported compromised", extra={"event": "key.compromised", "issuer": slug,
                                                           "key": fragment, "actor": principal().actor})
    return jsonify(_keys_body(issuer, new))
