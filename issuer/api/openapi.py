"""The OpenAPI 3.1 description of every route (``GET /openapi.json``) and its viewer (``/docs``).

Request and response schemas reuse the JSON Schemas in ``issuer/schemas`` (their ``$defs`` are
hoisted into ``components/schemas``); errors are RFC 9457 problem details; provider operations
accept an API key or an OAuth 2.0 access token (client credentials) with the scope they name.
``/docs`` is Swagger UI, served from the ``flask-swagger-ui`` package's files (no CDN).
"""
from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, abort, jsonify, send_from_directory

from ..store.clients import SCOPES
from .context import service
from .limits import LIMITS
from .openapi_console import console_paths

__all__ = ["bp", "document", "route_paths"]

bp = Blueprint("openapi", __name__)

PROBLEM = "application/problem+json"
REF = "#/components/schemas/"
_SCHEMA_FILES = {
    "IssueRequest": "issue-request.schema.json",
    "CourseCatalogue": "course-catalogue.schema.json",
    "CompetenceMatrix": "competence-matrix.schema.json",
    "AchievementCredential": "ob3-achievementcredential.schema.json",
}
_PROBLEM_TITLES = {
    400: "Bad request", 401: "Missing or invalid credentials", 403: "Forbidden or insufficient scope",
    404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 410: "Gone",
    413: "Payload too large", 415: "Unsupported media type", 422: "The request body is not valid",
    429: "Too many requests (see Retry-After)", 503: "Not ready",
}


def _hoist(name: str, schema: dict, into: dict) -> dict:
    """``schema`` without ``$schema``/``$id``; its ``$defs`` become ``<name>_<def>`` components."""
    schema = copy.deepcopy(schema)
    schema.pop("$schema", None)
    schema.pop("$id", None)
    defs = schema.pop("$defs", {})

    def fix(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = f"{REF}{name}_{ref[len('#/$defs/'):]}"
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(schema)
    for key, value in defs.items():
        fix(value)
        into[f"{name}_{key}"] = value
    return schema


def _file_schemas() -> dict:
    out: dict = {}
    folder = resources.files("issuer") / "schemas"
    for name, filename in _SCHEMA_FILES.items():
        out[name] = _hoist(name, json.loads((folder / filename).read_text(encoding="utf-8")), out)
    return out


def _obj(required: list[str], properties: dict, **extra) -> dict:
    return {"type": "object", "required": required, "properties": properties, **extra}


STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date-time"}
NDATE = {"type": ["string", "null"], "format": "date-time"}
ANY_OBJ = {"type": "object"}


def _schemas() -> dict:
    schemas = _file_schemas()
    schemas.update(_wallet_schemas())
    schemas["IssuerKeys"] = _obj(["issuer", "did", "keys"], {
        "issuer": STR, "did": STR, "new": {"type": "array", "items": STR},
        "keys": {"type": "array", "items": _obj(
            ["fragment", "verificationMethod", "algorithm", "state", "createdAt", "retiredAt", "compromisedAt", "note"], {
                "fragment": STR, "verificationMethod": STR, "algorithm": {"enum": ["Ed25519", "ES256", "RS256"]},
                "state": {"enum": ["active", "retired", "compromised"]}, "createdAt": NDATE, "retiredAt": NDATE,
                "compromisedAt": NDATE, "note": NSTR})}})
    schemas.update({
        "Problem": _obj(["type", "title", "status"], {
            "type": STR, "title": STR, "status": {"type": "integer"}, "detail": STR, "code": STR,
            "requestId": STR, "scope": {"type": "string", "description": "the missing scope (403)"},
            "errors": {"type": "array", "items": ANY_OBJ}}),
        "CredentialLinks": {"type": "object", "additionalProperties": STR},
        "IssuedCredential": _obj(["id", "status", "credential", "jwt", "links"], {
            "id": STR, "status": STR, "credential": {"$ref": REF + "AchievementCredential"},
            "jwt": STR, "links": {"$ref": REF + "CredentialLinks"},
            "email": {"enum": ["queued"], "description": "the learner e-mail was queued (sendEmail / emailLearners)"}}),
        "CredentialSummary": _obj(
            ["id", "url", "course", "issuer", "status", "issuedAt", "validUntil", "learnerName", "learnerDid",
             "claimedAt"], {
                "id": STR, "url": STR, "course": STR, "issuer": STR,
                "status": {"enum": ["active", "revoked", "suspended", "expired"]}, "issuedAt": DATE,
                "validUntil": NDATE, "learnerName": STR, "learnerDid": NSTR, "claimedAt": NDATE}),
        "CredentialList": _obj(["items", "next"], {
            "items": {"type": "array", "items": {"$ref": REF + "CredentialSummary"}},
            "next": {"type": ["string", "null"], "description": "URL of the next page, null on the last"}}),
        "StatusEvent": _obj(["action", "actor", "at"], {"action": STR, "reason": NSTR, "actor": STR, "at": DATE}),
        "CredentialStatus": _obj(["id", "status", "history"], {
            "id": STR, "status": {"enum": ["active", "revoked", "suspended"]},
            "history": {"type": "array", "items": {"$ref": REF + "StatusEvent"}},
            "validFrom": NDATE, "validUntil": NDATE, "changed": {"type": "boolean"}}),
        "StatusChange": _obj([], {"reason": {"type": "string", "maxLength": 1000}}, additionalProperties=True),
        "BulkRevoke": _obj(["ids"], {"ids": {"type": "array", "minItems": 1, "maxItems": 1000,
                                             "items": {"type": "string", "maxLength": 64}},
                                     "reason": {"type": "string", "maxLength": 1000}}),
        "BulkRevokeResult": _obj(["results", "revoked"], {
            "results": {"type": "array", "items": _obj(["id"], {
                "id": STR, "status": STR, "changed": {"type": "boolean"}, "error": {"$ref": REF + "Problem"}})},
            "revoked": {"type": "integer"}}),
        "Course": _obj(["code", "title"], {"code": STR, "slug": STR, "title": STR, "description": STR,
                                            "skills": {"type": "array", "items": ANY_OBJ}}),
        "CourseList": _obj(["courses"], {"courses": {"type": "array", "items": {"$ref": REF + "Course"}}}),
        "ImportSummary": {"type": "object", "description": "what an import created, updated or left unchanged"},
        "CourseImage": _obj(["course", "mediaType", "bytes", "url"], {
            "course": STR, "mediaType": STR, "bytes": {"type": "integer"}, "url": STR}),
        "Issuer": _obj(["slug", "did", "didMethod", "url", "profile", "legalIdentity"], {
            "slug": STR, "did": STR, "didMethod": {"enum": ["web", "key"]}, "url": STR, "profile": ANY_OBJ,
            "legalIdentity": {"$ref": REF + "LegalIdentity"}}),
        "LegalIdentity": _obj([], {
            "country": {"type": ["string", "null"], "pattern": "^[A-Za-z]{2}$",
                        "description": "ISO 3166-1 alpha-2; the ELM export needs a European one"},
            "legalIdentifier": {"type": ["string", "null"], "maxLength": 100,
                                "description": "VAT number, eIDAS legal person identifier or national registry "
                                               "number (letters, digits, space and ./:_(),-)"},
            "legalIdentifierScheme": {"enum": ["vat", "eidas", "registration", None],
                                      "description": "default registration"}},
            additionalProperties=False),
        "IssuerLegalIdentity": _obj(["issuer", "country", "legalIdentifier", "legalIdentifierScheme", "elmExport"], {
            "issuer": STR, "country": NSTR, "legalIdentifier": NSTR, "legalIdentifierScheme": NSTR,
            "elmExport": _obj(["available", "missing"], {"available": {"type": "boolean"},
                                                         "missing": {"type": "array", "items": STR}})}),
        "IssuerList": _obj(["issuers"], {"issuers": {"type": "array", "items": {"$ref": REF + "Issuer"}}}),
        "VerificationReport": _obj(["verified", "checks"], {
            "verified": {"type": "boolean"}, "format": NSTR,
            "checks": {"type": "array", "items": _obj(["id", "status"], {
                "id": STR, "status": {"enum": ["passed", "failed", "warning", "skipped"]}, "reason": NSTR,
                "code": STR, "detail": {}})},
            "problems": {"type": "array", "items": ANY_OBJ},
            "summary": {"type": ["object", "null"]}, "credential": {"type": ["object", "null"]}}),
        "VerifyUrl": _obj(["url"], {"url": {"type": "string", "format": "uri", "pattern": "^https?://"}},
                          additionalProperties=False),
        "CoverageRequest": _obj(["credentials"], {
            "credentials": {"type": "array", "minItems": 1, "maxItems": 50,
                            "items": {"oneOf": [ANY_OBJ, STR]}},
            "holder": {"oneOf": [_obj(["email"], {"email": STR}, additionalProperties=False),
                                 _obj(["id"], {"id": STR}, additionalProperties=False)]},
            "includeAllRoles": {"type": "boolean"}}),
        "Coverage": _obj(["roles"], {"skillsHeld": {"type": "integer"}, "roles": {"type": "array", "items": _obj(
            ["covered", "partial", "missing", "counts", "percentage"], {
                "covered": {"type": "array"}, "partial": {"type": "array"}, "missing": {"type": "array"},
                "counts": ANY_OBJ, "percentage": {"type": "number"}, "plan": {"$ref": REF + "CompletionPlan"}},
            description="a job role: each partial or missing skill has courses: [CourseRef] (the catalogue "
                        "courses teaching it at the required level); plan: the smallest set of courses "
                        "completing the role")},
                                     "credentials": {"type": "array"}, "counted": {"type": "integer"},
                                     "credential": STR}),
        "CourseRef": _obj(["code", "title", "url", "provider", "providerHasIssued"], {
            "code": STR, "title": {"type": "string", "description": "in the course's own language"},
            "titles": {"type": "object", "additionalProperties": STR,
                       "description": "the title in other languages, by BCP 47 tag"},
            "url": STR, "provider": STR, "providerName": STR,
            "providerHasIssued": {"type": "boolean", "description": "false: the provider has issued no "
                                  "credential here yet (its courses are listed all the same)"},
            "language": NSTR, "participation": {"enum": ["online", "onsite", "blended", None]},
            "eqf": {"type": ["integer", "null"]}, "workloadHours": {"type": ["number", "null"]},
            "level": {"type": "integer", "description": "the level the course teaches the skill in question"}}),
        "CatalogueCourse": {"allOf": [{"$ref": REF + "CourseRef"}, _obj(["skills", "roles"], {
            "description": STR, "translations": {"type": "object", "additionalProperties": ANY_OBJ},
            "ects": {"type": ["number", "null"]}, "countries": {"type": "array", "items": STR},
            "issuerUrl": NSTR, "skills": {"type": "array", "items": ANY_OBJ},
            "roles": {"type": "array", "items": ANY_OBJ}})]},
        "Facet": _obj(["value", "label", "count", "selected"], {
            "value": {"type": ["string", "integer"]}, "label": STR, "count": {"type": "integer"},
            "selected": {"type": "boolean"}}),
        "CatalogueSearch": _obj(["total", "courses", "facets"], {
            "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
            "courses": {"type": "array", "items": {"$ref": REF + "CatalogueCourse"}},
            "facets": {"type": "object", "description": "per dimension (role, skill, eqf, language, participation, "
                       "country, provider): the values and how many courses each would give",
                       "additionalProperties": {"type": "array", "items": {"$ref": REF + "Facet"}}}}),
        "CompletionPlan": _obj(["courses", "uncoverable", "complete", "method", "optimal", "lowerBound"], {
            "courses": {"type": "array", "items": {"allOf": [{"$ref": REF + "CourseRef"}, _obj(["closes"], {
                "closes": {"type": "array", "items": ANY_OBJ}})]}},
            "uncoverable": {"type": "array", "items": ANY_OBJ, "description": "gaps no catalogue course closes"},
            "complete": {"type": "boolean"}, "method": {"enum": ["exact", "greedy", "none"]},
            "optimal": {"type": "boolean"}, "lowerBound": {"type": "integer"},
            "ratioBound": {"type": ["number", "null"], "description": "greedy only: at most this many times "
                           "the smallest set (H(d))"}}),
        "GapReportRequest": _obj(["credentials", "role"], {
            "credentials": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"oneOf": [
                ANY_OBJ, STR, _obj(["url"], {"url": STR}, additionalProperties=False)]}},
            "role": {"type": "string", "pattern": "^[^/]+/[^/]+$", "examples": ["DRIVES-ACM/EV-CHG-TECH"]},
            "holder": {"oneOf": [_obj(["email"], {"email": STR}, additionalProperties=False),
                                 _obj(["id"], {"id": STR}, additionalProperties=False)]},
            "includeUnknownIssuers": {"type": "boolean"}}),
        "GapReport": _obj(["role", "credentials", "counted", "coverage", "plan", "stored"], {
            "role": ANY_OBJ, "credentials": {"type": "array", "items": ANY_OBJ}, "counted": {"type": "integer"},
            "skillsHeld": {"type": "integer"},
            "coverage": {"type": "object", "description": "covered, partial and missing skills; each partial "
                         "or missing skill has courses: [CourseRef]"},
            "plan": {"$ref": REF + "CompletionPlan"}, "stored": {"const": False}}),
        "JsonLd": {"type": "object", "description": "a JSON-LD document"},
        "OAuthToken": _obj(["access_token", "token_type", "expires_in"], {
            "access_token": STR, "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"},
            "scope": STR}),
        "OAuthError": _obj(["error"], {"error": STR, "error_description": STR, "error_uri": STR}),
        "Introspection": _obj(["active"], {
            "active": {"type": "boolean"}, "client_id": STR, "scope": STR, "token_type": STR,
            "iat": {"type": "integer"}, "exp": {"type": "integer"}, "sub": STR, "iss": STR}),
        "TokenRequest": _obj(["grant_type"], {
            "grant_type": {"const": "client_credentials"}, "scope": STR, "client_id": STR, "client_secret": STR}),
        "TokenOperation": _obj(["token"], {"token": STR, "token_type_hint": {"enum": ["access_token"]},
                                           "client_id": STR, "client_secret": STR}),
        "ClientCreate": _obj(["name", "scope"], {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                                                 "scope": {"type": "string", "description": "space-separated",
                                                           "examples": ["credentials:issue credentials:read"]}},
                             additionalProperties=False),
        "Client": _obj(["clientId", "name", "scope", "revoked"], {
            "clientId": STR, "name": STR, "scope": STR, "created": NSTR, "revoked": {"type": "boolean"},
            "clientSecret": {"type": "string", "description": "only in the answer that created the client"}}),
        "ClientList": _obj(["clients"], {"clients": {"type": "array", "items": {"$ref": REF + "Client"}}}),
        "ServerMetadata": _obj(["issuer", "token_endpoint", "grant_types_supported"], {
            "issuer": STR, "token_endpoint": STR, "grant_types_supported": {"type": "array"}}),
        "Health": _obj(["status"], {"status": {"const": "ok"}}),
        "BatchRequest": _obj(["items"], {
            "items": {"type": "array", "minItems": 1, "description": "issue requests (the body of POST "
                      "/api/v1/credentials), each optionally with `idempotencyKey`; `offer` is not accepted",
                      "items": {"type": "object", "description": "an IssueRequest (components/schemas) with "
                                "an optional `idempotencyKey` (string, 1-200 visible ASCII characters)"}},
            "sendEmail": {"type": "boolean", "description": "copied into items that do not set it"},
            "onInvalid": {"enum": ["reject", "issueValid"], "default": "reject",
                          "description": "reject the whole batch (422, nothing stored) or issue the valid rows"}},
            additionalProperties=False),
        "BatchCsv": {"type": "string", "description": "UTF-8 CSV with a header row; columns `course`, `name`, "
                     "`email` or `did`, and optionally `completedAt`, `grade`, `score`, `evidenceUrl`, "
                     "`idempotencyKey`, `issuer` (schemas/batch.csv.md). Each row's index is its CSV line "
                     "(the header is line 1)."},
        "RowProblem": _obj(["index", "message"], {
            "index": {"type": "integer", "description": "CSV line or array index"}, "path": STR, "message": STR}),
        "BatchAccepted": _obj(["id", "url", "status"], {
            "id": STR, "url": STR, "status": {"enum": ["pending", "running", "done"]},
            "total": {"type": "integer"}, "invalid": {"type": "integer"},
            "problems": {"type": "array", "items": {"$ref": REF + "RowProblem"}}}),
        "BatchProgress": _obj(["id", "url", "status", "total", "issued", "failed", "pending", "rate", "eta",
                               "createdAt"], {
            "id": STR, "url": STR, "itemsUrl": STR, "status": {"enum": ["pending", "running", "done"]},
            "total": {"type": "integer"}, "issued": {"type": "integer"}, "failed": {"type": "integer"},
            "pending": {"type": "integer", "description": "pending or being issued"},
            "rate": {"type": ["number", "null"], "description": "credentials issued per second since the start"},
            "eta": {"type": ["number", "null"], "description": "seconds left at that rate"},
            "createdAt": DATE, "startedAt": NDATE, "finishedAt": NDATE}),
        "BatchItem": _obj(["index", "state"], {
            "index": {"type": "integer", "description": "CSV line or array index"},
            "state": {"enum": ["pending", "running", "issued", "failed"]}, "credentialId": STR, "url": STR,
            "problem": {"$ref": REF + "Problem"}}),
        "BatchItemList": _obj(["items", "next"], {
            "items": {"type": "array", "items": {"$ref": REF + "BatchItem"}},
            "next": {"type": ["string", "null"], "description": "URL of the next page, null on the last"}}),
        "Ready": _obj(["status", "checks"], {"status": {"enum": ["ready", "not_ready"]},
                                             "checks": {"type": "object", "additionalProperties": STR}}),
    })
    schemas.update(_notify_schemas())
    return schemas


EVENT_TYPES = ["credential.issued", "credential.revoked", "credential.suspended", "credential.unsuspended",
               "credential.claimed", "batch.completed"]


def _notify_schemas() -> dict:
    """Webhooks and provider settings (issue #12 §3-4; docs/webhooks.md)."""
    endpoint = {"id": STR, "url": {"type": "string", "format": "uri"},
                "events": {"type": "array", "items": {"enum": EVENT_TYPES}},
                "enabled": {"type": "boolean"}, "createdAt": DATE}
    return {
        "WebhookCreate": _obj(["url", "events"], {
            "url": {"type": "string", "format": "uri", "maxLength": 2048,
                    "description": "https; public addresses only (checked now and at every delivery)"},
            "events": {"type": "array", "minItems": 1, "items": {"enum": EVENT_TYPES}}},
            additionalProperties=False),
        "Webhook": _obj(["id", "url", "events", "enabled", "createdAt"], endpoint),
        "WebhookCreated": _obj(["id", "url", "events", "enabled", "createdAt", "secret"], {
            **endpoint, "secret": {"type": "string", "pattern": "^whsec_",
                                   "description": "the Standard Webhooks signing secret, shown only here"}}),
        "WebhookList": _obj(["webhooks"], {"webhooks": {"type": "array", "items": {"$ref": REF + "Webhook"}}}),
        "WebhookAttempt": _obj(["at", "statusCode", "error", "response", "durationMs"], {
            "at": DATE, "statusCode": {"type": ["integer", "null"]}, "error": NSTR,
            "response": {"type": ["string", "null"], "description": "the answer's first 1,024 characters"},
            "durationMs": {"type": "integer"}}),
        "WebhookDelivery": _obj(["id", "event", "state", "attempts", "nextAttemptAt", "lastStatus", "deliveredAt",
                                 "createdAt", "log"], {
            "id": {"type": "string", "description": "the message's webhook-id (the same on every retry)"},
            "event": _obj(["id", "type", "data"], {"id": STR, "type": {"enum": EVENT_TYPES}, "data": ANY_OBJ}),
            "state": {"enum": ["pending", "delivered", "failed", "cancelled"]},
            "attempts": {"type": "integer"}, "nextAttemptAt": NDATE,
            "lastStatus": {"type": ["integer", "null"]}, "deliveredAt": NDATE, "createdAt": DATE,
            "log": {"type": "array", "items": {"$ref": REF + "WebhookAttempt"}}}),
        "WebhookDeliveryList": _obj(["deliveries"], {
            "deliveries": {"type": "array", "items": {"$ref": REF + "WebhookDelivery"}}}),
        "WebhookPayload": _obj(["type", "timestamp", "data"], {
            "type": {"enum": EVENT_TYPES}, "timestamp": DATE,
            "data": {"type": "object", "description": "credentialId (or batchId) and a few public facts"}}),
        "Settings": _obj(["emailLearners"], {"emailLearners": {"type": "boolean"}}, additionalProperties=False),
    }


def _outgoing_webhooks() -> dict:
    """OpenAPI 3.1 ``webhooks``: the messages this service POSTs to registered endpoints."""
    header = lambda text: {"required": True, "schema": STR, "description": text}  # noqa: E731
    return {"event": {"post": {
        "operationId": "webhookEvent", "summary": "An event, signed per Standard Webhooks", "tags": ["webhooks"],
        "parameters": [
            {"name": "webhook-id", "in": "header", **header("the message id (msg_...), the same on every retry")},
            {"name": "webhook-timestamp", "in": "header", **header("Unix seconds of this attempt")},
            {"name": "webhook-signature", "in": "header",
             **header("v1,<base64 HMAC-SHA256 of `id.timestamp.body` under the secret>")}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": REF + "WebhookPayload"},
            "example": {"type": "credential.issued", "timestamp": "2026-05-04T10:00:00Z",
                        "data": {"credentialId": "2f6c0d2e-7d55-4d1e-9d0c-0a1b2c3d4e5f", "course": "HV-2S"}}}}},
        "responses": {"2XX": {"description": "received; anything else is retried (docs/webhooks.md)"}}}}}


def _notify_paths() -> dict:
    """Webhooks (scope webhooks:manage) and provider settings."""
    manage, auth_errors = "webhooks:manage", (401, 403, 429)
    endpoint_id = _param("endpoint_id", description="the endpoint id (ep_...)")
    return {
        "/api/v1/webhooks": {
            "post": _op("createWebhook", "Register a webhook endpoint; the signing secret is shown once", "webhooks", {
                "201": _json("WebhookCreated", "Registered", headers={"Location": {"schema": STR}}),
                **_problems(400, *auth_errors, 409, 413, 415, 422)},
                security=_provider(manage), body=_body({"application/json": "WebhookCreate"}, example={
                    "url": "https://lms.example.org/hooks/badges", "events": ["credential.issued"]}),
                description="Messages follow Standard Webhooks: headers webhook-id, webhook-timestamp and "
                            "webhook-signature (v1, HMAC-SHA256 of `id.timestamp.body` with the secret), body "
                            "`{type, timestamp, data}`. Retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and "
                            "10 h, then the delivery fails. 409: at most 20 endpoints per provider."),
            "get": _op("listWebhooks", "The provider's webhook endpoints", "webhooks", {
                "200": _json("WebhookList", "Oldest first, without secrets"), **_problems(*auth_errors)},
                security=_provider(manage))},
        "/api/v1/webhooks/{endpoint_id}": {
            "get": _op("getWebhook", "One webhook endpoint", "webhooks", {
                "200": _json("Webhook", "The endpoint"), **_problems(*auth_errors, 404)},
                security=_provider(manage), params=[endpoint_id]),
            "delete": _op("deleteWebhook", "Delete an endpoint; its pending deliveries are cancelled", "webhooks", {
                "204": {"description": "Deleted"}, **_problems(*auth_errors, 404)},
                security=_provider(manage), params=[endpoint_id])},
        "/api/v1/webhooks/{endpoint_id}/deliveries": {"get": _op(
            "listWebhookDeliveries", "The endpoint's delivery log, newest first", "webhooks", {
                "200": _json("WebhookDeliveryList", "Deliveries with every attempt"),
                **_problems(400, *auth_errors, 404)},
            security=_provider(manage), params=[endpoint_id, _param(
                "limit", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20})])},
        "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver": {"post": _op(
            "redeliverWebhook", "Send a message again (due now, fresh retry schedule)", "webhooks", {
                "202": _json("WebhookDelivery", "Queued"), **_problems(*auth_errors, 404)},
            security=_provider(manage), params=[endpoint_id, _param("delivery_id", description="msg_...")])},
        "/api/v1/settings": {
            "get": _op("getSettings", "The provider's settings", "settings", {
                "200": _json("Settings", "Settings"), **_problems(*auth_errors)},
                security=_provider("credentials:read")),
            "put": _op("putSettings", "Set the provider's defaults (emailLearners: e-mail learners by default)",
                       "settings", {"200": _json("Settings", "The new settings"),
                                    **_problems(400, *auth_errors, 413, 415, 422)},
                       security=_provider("credentials:issue"),
                       body=_body({"application/json": "Settings"}, example={"emailLearners": True}))},
    }


def _problems(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/Problem{code}"} for code in codes}


def _json(schema: str | dict, description: str, media: str = "application/json", example=None,
          headers: dict | None = None) -> dict:
    content = {"schema": {"$ref": REF + schema} if isinstance(schema, str) else schema}
    if example is not None:
        content["example"] = example
    out = {"description": description, "content": {media: content}}
    if headers:
        out["headers"] = headers
    return out


def _multi(description: str, types: dict) -> dict:
    return {"description": description,
            "content": {m: {"schema": {"$ref": REF + s} if isinstance(s, str) else s} for m, s in types.items()}}


HTML = {"type": "string", "description": "an HTML page"}
BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}


def _param(name: str, where: str = "path", schema: dict | None = None, description: str = "",
           required: bool | None = None) -> dict:
    return {"name": name, "in": where, "required": where == "path" if required is None else required,
            "schema": schema or {"type": "string"}, "description": description}


def _provider(scope: str) -> list[dict]:
    return [{"apiKey": []}, {"oauth2": [scope]}]


def _op(op_id: str, summary: str, tag: str, responses: dict, *, security: list | None = None,
        params: list | None = None, body: dict | None = None, description: str | None = None) -> dict:
    out = {"operationId": op_id, "summary": summary, "tags": [tag], "responses": responses}
    if description:
        out["description"] = description
    out["security"] = security if security is not None else []
    if params:
        out["parameters"] = params
    if body:
        out["requestBody"] = body
    return out


def _body(types: dict, required: bool = True, example=None) -> dict:
    content = {}
    for media, schema in types.items():
        content[media] = {"schema": {"$ref": REF + schema} if isinstance(schema, str) else schema}
        if example is not None and media == "application/json":
            content[media]["example"] = example
    return {"required": required, "content": content}


ISSUE_EXAMPLE = {"course": "HV-2S", "learner": {"name": "Alex Muster", "email": "alex.muster@example.org"},
                 "completedAt": "2026-05-04T10:00:00Z", "result": {"grade": "A"}}
LIST_EXAMPLE = {"items": [{"id": "2f6c0d2e-7d55-4d1e-9d0c-0a1b2c3d4e5f",
                           "url": "https://skills.example.org/api/v1/credentials/2f6c0d2e-7d55-4d1e-9d0c-0a1b2c3d4e5f",
                           "course": "HV-2S", "issuer": "emob-academy", "status": "active",
                           "issuedAt": "2026-05-04T10:00:00Z", "validUntil": None, "learnerName": "Alex Muster",
                           "learnerDid": None, "claimedAt": None}],
                "next": "https://skills.example.org/api/v1/credentials?limit=1&cursor=WyIyMDI2LTA1LTA0In0"}
PROBLEM_EXAMPLE = {"type": "https://github.com/ob3-skills-hub/issuer/blob/main/docs/problems.md#insufficient_scope",
                   "title": "Insufficient scope", "status": 403, "code": "insufficient_scope",
                   "detail": "this call needs the scope 'credentials:issue'", "scope": "credentials:issue",
                   "requestId": "4f1d2c3b4a5968778695a4b3c2d1e0f9"}

CRED_ID = _param("credential_id", description="the credential's UUID")
SLUG = _param("slug", description="issuer or achievement slug")
FRAMEWORK, CODE = _param("framework", description="framework code"), _param("code", description="code")
PROVIDER, COURSE = _param("provider", description="provider slug"), _param("code", description="course code (path form)")


def _paths() -> dict:
    read, issue, status_scope = "credentials:read", "credentials:issue", "credentials:status"
    auth_errors = (401, 403, 429)
    public_page = {"200": _multi("JSON by Accept (or ?format=json), else an HTML page",
                                 {"application/json": "JsonLd", "application/ld+json": "JsonLd",
                                  "text/html": HTML}), **_problems(404)}
    return {
        "/api/v1/credentials": {
            "get": _op("listCredentials", "List and find the provider's credentials", "credentials", {
                "200": _json("CredentialList", "One page, newest first; a Link header names the next page",
                             example=LIST_EXAMPLE,
                             headers={"Link": {"schema": STR, "description": '<next page URL>; rel="next"'}}),
                **_problems(400, *auth_errors)},
                security=_provider(read), params=[
                    _param("course", "query", description="course code"),
                    _param("status", "query", {"enum": ["active", "revoked", "suspended", "expired"]}),
                    _param("issuedAfter", "query", DATE, "issued at or after (RFC 3339, with offset)"),
                    _param("issuedBefore", "query", DATE, "issued before (RFC 3339, with offset)"),
                    _param("learnerDid", "query", {"type": "string", "pattern": "^did:"}),
                    _param("learnerEmail", "query", {"type": "string", "format": "email"},
                           "matched through a keyed hash; the address is never stored"),
                    _param("batch", "query", {"type": "string", "format": "uuid"}, "the credentials of a batch"),
                    _param("claimed", "query", {"enum": ["true", "false"]},
                           "true: claimed into a wallet (OID4VCI, VC-API or LCW); false: not yet"),
                    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
                    _param("cursor", "query", description="the cursor of the next page, from `next`")],
                description="Filters combine with AND. Other providers' credentials never appear."),
            "post": _op("issueCredential", "Issue an OB 3.0 AchievementCredential", "credentials", {
                "201": _json("IssuedCredential", "Issued", headers={"Location": {"schema": STR}}),
                "200": _json("IssuedCredential", "A replay of an earlier request with the same Idempotency-Key",
                             headers={"Idempotent-Replayed": {"schema": STR}}),
                **_problems(400, *auth_errors, 404, 409, 413, 415, 422)},
                security=_provider(issue), body=_body({"application/json": "IssueRequest"}, example=ISSUE_EXAMPLE),
                params=[_param("Idempotency-Key", "header", {"type": "string", "maxLength": 200},
                               "makes retries safe", required=False)]),
        },
        "/api/v1/credentials/{credential_id}": {"get": _op(
            "getCredential", "The provider's view of one credential", "credentials",
            {"200": _json("IssuedCredential", "The credential"), **_problems(*auth_errors, 404)},
            security=_provider(read), params=[CRED_ID])},
        "/api/v1/credentials/{credential_id}/{action}": {"post": _op(
            "changeCredentialStatus", "Revoke (final), suspend or unsuspend a credential", "credentials",
            {"200": _json("CredentialStatus", "The new status; `changed` is false for a repeat"),
             **_problems(400, *auth_errors, 404, 409, 415, 422)},
            security=_provider(status_scope),
            params=[CRED_ID, _param("action", schema={"enum": ["revoke", "suspend", "unsuspend"]})],
            body=_body({"application/json": "StatusChange"}, required=False, example={"reason": "issued in error"}))},
        "/api/v1/credentials/{credential_id}/status": {"get": _op(
            "getCredentialStatus", "Current status and its audit history", "credentials",
            {"200": _json("CredentialStatus", "Status"), **_problems(*auth_errors, 404)},
            security=_provider(read), params=[CRED_ID])},
        "/api/v1/credentials/revoke": {"post": _op(
            "revokeCredentials", "Revoke many credentials", "credentials",
            {"200": _json("BulkRevokeResult", "One result per id"), **_problems(400, *auth_errors, 413, 415, 422)},
            security=_provider(status_scope), body=_body({"application/json": "BulkRevoke"}))},
        "/api/v1/issuers": {"get": _op(
            "listIssuers", "The provider's issuer profiles", "catalogue",
            {"200": _json("IssuerList", "Issuers"), **_problems(*auth_errors)}, security=_provider("catalogue:read"))},
        "/api/v1/courses": {
            "get": _op("listCourses", "The provider's catalogue", "catalogue",
                       {"200": _json("CourseList", "Courses"), **_problems(*auth_errors)},
                       security=_provider("catalogue:read")),
            "post": _op("importCourses", "Import (upsert) courses", "catalogue",
                        {"200": _json("ImportSummary", "What changed"), **_problems(400, *auth_errors, 413, 415, 422)},
                        security=_provider("catalogue:write"), body=_body({"application/json": "CourseCatalogue"})),
        },
        "/api/v1/courses/{code}": {"get": _op(
            "getCourse", "One course of the provider's catalogue", "catalogue",
            {"200": _json("Course", "The course"), **_problems(*auth_errors, 404)},
            security=_provider("catalogue:read"), params=[CODE])},
        "/api/v1/courses/{code}/image": {"put": _op(
            "uploadCourseImage", "Upload a course's badge image (PNG, or SVG which is sanitized)", "catalogue",
            {"200": _json("CourseImage", "Stored"), **_problems(400, *auth_errors, 404, 413, 415, 422)},
            security=_provider("catalogue:write"), params=[CODE],
            body=_body({"image/png": BINARY, "image/svg+xml": TEXT}))},
        "/api/v1/matrix": {"post": _op(
            "importMatrix", "Import the shared competence matrix (admin token)", "catalogue",
            {"200": _json("ImportSummary", "What changed"), **_problems(400, 401, 404, 413, 415, 422, 429)},
            security=[{"adminToken": []}],
            body=_body({"application/json": "CompetenceMatrix", "text/csv": TEXT}))},
        "/api/v1/oauth/clients": {
            "post": _op("createOAuthClient", "Create an OAuth 2.0 client (its secret is shown once)", "oauth",
                        {"201": _json("Client", "Created; `clientSecret` is never shown again"),
                         **_problems(400, *auth_errors, 413, 415, 422)},
                        security=_provider("clients:manage"),
                        body=_body({"application/json": "ClientCreate"},
                                   example={"name": "LMS back-end", "scope": "credentials:issue credentials:read"})),
            "get": _op("listOAuthClients", "The provider's OAuth 2.0 clients", "oauth",
                       {"200": _json("ClientList", "Clients"), **_problems(*auth_errors)},
                       security=_provider("clients:manage")),
        },
        "/api/v1/oauth/clients/{client_id}/revoke": {"post": _op(
            "revokeOAuthClient", "Revoke a client and, with it, its tokens", "oauth",
            {"200": _json("Client", "Revoked"), **_problems(*auth_errors, 404)},
            security=_provider("clients:manage"), params=[_param("client_id")])},
        "/oauth/token": {"post": _op(
            "token", "Client credentials grant (RFC 6749 §4.4)", "oauth",
            {"200": _json("OAuthToken", "An access token",
                          example={"access_token": "oat_…", "token_type": "Bearer", "expires_in": 600,
                                   "scope": "credentials:issue"}),
             "400": _json("OAuthError", "OAuth 2.0 error (RFC 6749 §5.2)"),
             "401": _json("OAuthError", "Client authentication failed"), **_problems(405, 429)},
            security=[{"clientBasic": []}, {}],
            body=_body({"application/x-www-form-urlencoded": "TokenRequest"}))},
        "/oauth/revoke": {"post": _op(
            "revokeToken", "Token revocation (RFC 7009), tokens of the caller's provider", "oauth",
            {"200": {"description": "Revoked (or unknown)", "content": {"application/json": {"schema": ANY_OBJ}}},
             "400": _json("OAuthError", "OAuth 2.0 error"), "401": _json("OAuthError", "Client authentication failed"),
             **_problems(405, 429)},
            security=[{"clientBasic": []}, {}], body=_body({"application/x-www-form-urlencoded": "TokenOperation"}))},
        "/oauth/introspect": {"post": _op(
            "introspectToken", "Token introspection (RFC 7662), tokens of the caller's provider", "oauth",
            {"200": _json("Introspection", "The token's state"), "400": _json("OAuthError", "OAuth 2.0 error"),
             "401": _json("OAuthError", "Client authentication failed"), **_problems(405, 429)},
            security=[{"clientBasic": []}, {}], body=_body({"application/x-www-form-urlencoded": "TokenOperation"}))},
        "/.well-known/oauth-authorization-server": {"get": _op(
            "serverMetadata", "Authorization server metadata (RFC 8414)", "oauth",
            {"200": _json("ServerMetadata", "Metadata")})},
        "/api/v1/verify": {"post": _op(
            "verify", "Verify a credential, a JWT, a baked image or a URL", "verification",
            {"200": _json("VerificationReport", "The report (verified true or false)"),
             **_problems(400, 404, 413, 415, 422, 429)},
            body=_body({"application/json": {"oneOf": [{"$ref": REF + "VerifyUrl"}, ANY_OBJ]},
                        "application/jwt": TEXT, "text/plain": TEXT, "image/png": BINARY, "image/svg+xml": TEXT,
                        "multipart/form-data": _obj([], {"file": BINARY, "credential": STR, "url": STR})}),
            params=[_param("status", "query", {"enum": ["false"]}, "skip the status check", required=False)],
            description="Public. 4xx only for unusable requests; `{\"url\"}` fetches have a stricter rate limit.")},
        "/api/v1/coverage": {"post": _op(
            "coverage", "Combined job-role coverage of a holder's credentials", "verification",
            {"200": _json("Coverage", "Coverage"), **_problems(400, 413, 415, 422, 429)},
            body=_body({"application/json": "CoverageRequest"}))},
        "/credentials/{credential_id}": {"get": _op(
            "credentialPage", "A credential: JSON-LD by Accept, else the learner's page", "public",
            {"200": _multi("The credential", {"application/json": "AchievementCredential",
                                              "application/ld+json": "AchievementCredential",
                                              "application/vc+ld+json": "AchievementCredential", "text/html": HTML}),
             **_problems(404)}, params=[CRED_ID])},
        "/credentials/{credential_id}.json": {"get": _op(
            "credentialJson", "The signed credential, byte for byte", "public",
            {"200": _multi("The credential", {"application/json": "AchievementCredential",
                                              "application/vc+ld+json": "AchievementCredential"}),
             **_problems(404)}, params=[CRED_ID])},
        "/credentials/{credential_id}.jwt": {"get": _op(
            "credentialJwt", "The VC-JWT", "public",
            {"200": {"description": "Compact JWS", "content": {"application/vc+jwt": {"schema": TEXT}}},
             **_problems(404)}, params=[CRED_ID])},
        "/credentials/{credential_id}.png": {"get": _op(
            "credentialPng", "The baked PNG badge", "public",
            {"200": {"description": "PNG", "content": {"image/png": {"schema": BINARY}}}, **_problems(404)},
            params=[CRED_ID])},
        "/credentials/{credential_id}.svg": {"get": _op(
            "credentialSvg", "The baked SVG badge", "public",
            {"200": {"description": "SVG", "content": {"image/svg+xml": {"schema": TEXT}}}, **_problems(404)},
            params=[CRED_ID])},
        "/credentials/{credential_id}.pdf": {"get": _op(
            "credentialPdf", "The A4 certificate (304 when the ETag still matches)", "public",
            {"200": {"description": "PDF", "content": {"application/pdf": {"schema": BINARY}},
                     "headers": {"ETag": {"schema": STR}}},
             "304": {"description": "Not modified"}, **_problems(404)},
            params=[CRED_ID, _param("download", "query", description="any value: as an attachment",
                                    required=False)])},
        "/credentials/{credential_id}.elm.json": {"get": _op(
            "credentialElm", "The unsealed Europass (ELM) copy of an active credential", "public",
            {"200": _json("JsonLd", "EuropeanDigitalCredential", "application/ld+json"), **_problems(404, 409)},
            params=[CRED_ID])},
        "/shapes/elm-unsealed-copy.ttl": {"get": _op(
            "elmUnsealedCopyShape", "The SHACL shape of an unsealed Europass (ELM) copy, named in its "
            "credentialSchema", "public",
            {"200": {"description": "Turtle", "content": {"text/turtle": {"schema": TEXT}}}})},
        "/credentials/{credential_id}/qr.{fmt}": {"get": _op(
            "credentialQr", "A QR code linking to the credential", "public",
            {"200": {"description": "QR code", "content": {"image/png": {"schema": BINARY},
                                                           "image/svg+xml": {"schema": TEXT}}}, **_problems(404)},
            params=[CRED_ID, _param("fmt", schema={"enum": ["png", "svg"]})])},
        "/credentials/{credential_id}/verify": {"get": _op(
            "credentialVerifyPage", "The credential's verification page", "public",
            {"200": _multi("Report page", {"text/html": HTML}), **_problems(404)}, params=[CRED_ID])},
        "/credentials/{credential_id}/coverage": {"get": _op(
            "credentialCoverage", "Job-role coverage of one credential (JSON by Accept, else HTML)", "public",
            {"200": _multi("Coverage", {"application/json": "Coverage", "text/html": HTML}), **_problems(404)},
            params=[CRED_ID])},
        "/credentials/{credential_id}/coverage.json": {"get": _op(
            "credentialCoverageJson", "Job-role coverage of one credential", "public",
            {"200": _json("Coverage", "Coverage"), **_problems(404)}, params=[CRED_ID])},
        "/issuers/{slug}": {"get": _op("issuerPage", "An issuer (profile by Accept, else HTML)", "public",
                                       public_page, params=[SLUG])},
        "/issuers/{slug}.json": {"get": _op(
            "issuerProfile", "The issuer's OB 3.0 Profile", "public",
            {"200": _json("JsonLd", "Profile", "application/ld+json"), **_problems(404)}, params=[SLUG])},
        "/issuers/{slug}/did.json": {"get": _op(
            "didDocument", "The issuer's did:web DID document", "public",
            {"200": _json("JsonLd", "DID document", "application/did+json"), **_problems(404)}, params=[SLUG])},
        "/issuers/{slug}/logo": {"get": _op(
            "issuerLogo", "The issuer's logo (its Profile image)", "public",
            {"200": {"description": "PNG or SVG", "content": {"image/png": {"schema": BINARY},
                                                             "image/svg+xml": {"schema": BINARY}}},
             **_problems(404)}, params=[SLUG])},
        "/issuers/{slug}/jwks.json": {"get": _op(
            "jwks", "The issuer's public keys as a JWK Set", "public",
            {"200": _json(ANY_OBJ, "JWK Set", "application/jwk-set+json"), **_problems(404)}, params=[SLUG])},
        "/achievements/{provider}/{code}": {"get": _op(
            "achievementPage", "An achievement (JSON by Accept, else HTML)", "public", public_page,
            params=[PROVIDER, COURSE])},
        "/achievements/{provider}/{code}.json": {"get": _op(
            "achievementJson", "The OB 3.0 Achievement", "public",
            {"200": _json("JsonLd", "Achievement", "application/ld+json"), **_problems(404)},
            params=[PROVIDER, COURSE])},
        "/achievements/{provider}/{code}/image": {"get": _op(
            "achievementImage", "The achievement's badge image", "public",
            {"200": {"description": "Image", "content": {"image/png": {"schema": BINARY},
                                                         "image/svg+xml": {"schema": TEXT}}}, **_problems(404)},
            params=[PROVIDER, COURSE])},
        **{path: {"get": _op(op_id, f"Moved: the path of credentials issued before ({what})", "public",
                             {"301": {"description": "Moved to /achievements/{provider}/{code}" + suffix,
                                      "headers": {"Location": {"schema": STR}}}, **_problems(404)},
                             params=[SLUG])}
           for path, op_id, what, suffix in (
               ("/achievements/{slug}", "legacyAchievementPage", "page", ""),
               ("/achievements/{slug}.json", "legacyAchievementJson", "JSON", ".json"),
               ("/achievements/{slug}/image", "legacyAchievementImage", "image", "/image"))},
        "/skills/{framework}/{code}": {"get": _op("skillPage", "A skill (JSON by Accept, else HTML)", "public",
                                                  public_page, params=[FRAMEWORK, CODE])},
        "/skills/{framework}/{code}.json": {"get": _op(
            "skillJson", "A skill of the competence matrix", "public",
            {"200": _json(ANY_OBJ, "Skill"), **_problems(404)}, params=[FRAMEWORK, CODE])},
        "/roles/{framework}/{code}": {"get": _op("rolePage", "A job role (JSON by Accept, else HTML)", "public",
                                                 public_page, params=[FRAMEWORK, CODE])},
        "/roles/{framework}/{code}.json": {"get": _op(
            "roleJson", "A job role and the skills it needs", "public",
            {"200": _json(ANY_OBJ, "Job role"), **_problems(404)}, params=[FRAMEWORK, CODE])},
        "/frameworks/{code}": {"get": _op("frameworkPage", "A competence framework (HTML)", "public",
                                          public_page, params=[CODE])},
        "/frameworks/{code}.json": {"get": _op(
            "frameworkJson", "A competence framework: its skills and job roles", "public",
            {"200": _json(ANY_OBJ, "Framework"), **_problems(404)}, params=[CODE])},
        "/status/{public_id}": {"get": _op(
            "statusList", "A signed BitstringStatusListCredential", "public",
            {"200": _multi("Status list", {"application/json": "JsonLd", "application/vc+ld+json": "JsonLd"}),
             **_problems(404)}, params=[_param("public_id")])},
        "/contexts/eu-microcredential-v1.json": {"get": _op(
            "euContext", "The EU micro-credential JSON-LD context", "public",
            {"200": _multi("Context", {"application/ld+json": "JsonLd", "application/json": "JsonLd"})})},
        **_hub_paths(),
        "/": {"get": _op("home", "Home page: providers and their courses", "pages",
                         {"200": _multi("HTML", {"text/html": HTML})})},
        "/verify": {
            "get": _op("verifyForm", "The verification form", "pages", {"200": _multi("HTML", {"text/html": HTML})}),
            "post": _op("verifySubmit", "Verify from the form (multipart); shows the report", "pages",
                        {"200": _multi("Report page", {"text/html": HTML}),
                         **{str(c): _multi("The form with an error", {"text/html": HTML})
                            for c in (400, 404, 413, 415, 422)}, **_problems(429)},
                        body=_body({"multipart/form-data": _obj([], {"file": BINARY, "credential": STR, "url": STR})}))},
        "/healthz": {"get": _op("healthz", "The process is up", "operations", {"200": _json("Health", "Up")})},
        "/readyz": {"get": _op("readyz", "Database reachable, migrations current, keys loadable", "operations",
                               {"200": _json("Ready", "Ready"), "503": _json("Ready", "Not ready")})},
        "/metrics": {"get": _op(
            "metrics", "Prometheus metrics (restricted by METRICS_ALLOW or METRICS_TOKEN)", "operations",
            {"200": {"description": "Text exposition format",
                     "content": {"text/plain": {"schema": TEXT}}}, **_problems(401, 403, 404)},
            security=[{"metricsToken": []}, {}])},
        "/openapi.json": {"get": _op("openapi", "This document", "operations",
                                     {"200": _json(ANY_OBJ, "OpenAPI 3.1")})},
        "/docs": {"get": _op("docs", "This document for people (Swagger UI)", "operations",
                             {"200": _multi("HTML", {"text/html": HTML})})},
        "/docs/{filename}": {"get": _op(
            "docsAsset", "Swagger UI's files", "operations",
            {"200": {"description": "a file", "content": {"*/*": {"schema": BINARY}}}, **_problems(404)},
            params=[_param("filename")])},
        **_wallet_paths(),
        **_batch_paths(),
        **_key_paths(),
        **_notify_paths(),
        **console_paths(),
    }


BATCH_ID = _param("batch_id", description="the batch's UUID")


def _batch_paths() -> dict:
    """Batches (issue #12; docs/jobs.md)."""
    auth_errors = (401, 403, 429)
    options = [_param("onInvalid", "query", {"enum": ["reject", "issueValid"]}, "CSV uploads: what invalid rows do",
                      required=False),
               _param("sendEmail", "query", {"enum": ["true", "false"]}, "CSV uploads: e-mail the learners",
                      required=False),
               _param("Idempotency-Key", "header", {"type": "string", "maxLength": 200},
                      "the same key and body answer the same batch; another body 409", required=False)]
    return {
        "/api/v1/batches": {"post": _op(
            "submitBatch", "Issue many credentials: JSON items or a CSV upload", "batches", {
                "202": _json("BatchAccepted", "Accepted: every row was checked, the valid ones are queued",
                             headers={"Location": {"schema": STR}}),
                **_problems(400, *auth_errors, 409, 413, 415, 422)},
            security=_provider("credentials:issue"), params=options,
            body=_body({"application/json": "BatchRequest", "text/csv": "BatchCsv"},
                       example={"items": [ISSUE_EXAMPLE], "onInvalid": "reject"}),
            description="Rows are validated like single issue requests; a 422 lists each invalid row's "
                        "`index` (CSV line or array index), `path` and `message`. Limits: "
                        "`ISSUER_BATCH_MAX_ITEMS` rows (422 above), `ISSUER_BATCH_MAX_BYTES` bytes (413).")},
        "/api/v1/batches/{batch_id}": {"get": _op(
            "getBatch", "A batch's progress, rate and ETA", "batches",
            {"200": _json("BatchProgress", "Progress"), **_problems(*auth_errors, 404)},
            security=_provider("credentials:read"), params=[BATCH_ID])},
        "/api/v1/batches/{batch_id}/items": {"get": _op(
            "listBatchItems", "Per-item results: the credential id or the problem", "batches", {
                "200": _json("BatchItemList", "One page in item order; a Link header names the next page",
                             headers={"Link": {"schema": STR, "description": '<next page URL>; rel="next"'}}),
                **_problems(400, *auth_errors, 404)},
            security=_provider("credentials:read"), params=[
                BATCH_ID, _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}),
                _param("cursor", "query", description="the cursor of the next page, from `next`")])},
    }


def _key_paths() -> dict:
    """Issuer signing keys (docs/keys.md): list, rotate, retire one reported compromised; and the
    issuer's legal identity (docs/elm-export.md)."""
    scope, errors = _provider("keys:manage"), (401, 403, 404, 429)
    slug = _param("slug", description="issuer slug")
    return {
        "/api/v1/issuers/{slug}/legal-identity": {
            "get": _op("getLegalIdentity", "The issuer's legal identity and whether the Europass (ELM) export "
                       "works", "catalogue", {"200": _json("IssuerLegalIdentity", "Legal identity"),
                                             **_problems(*errors)},
                       security=_provider("catalogue:read"), params=[slug]),
            "put": _op("putLegalIdentity", "Set the issuer's legal identifier and country (needed by the "
                       "Europass export)", "catalogue",
                       {"200": _json("IssuerLegalIdentity", "Legal identity"),
                        **_problems(400, *errors, 413, 415, 422)},
                       security=_provider("catalogue:write"), params=[slug],
                       body=_body({"application/json": "LegalIdentity"},
                                  example={"country": "DE", "legalIdentifier": "DE298173645",
                                           "legalIdentifierScheme": "vat"}),
                       description="Replaces the three members (a missing one counts as null). The ELM export "
                                   "of the issuer's credentials answers 409 until it has a legal identifier "
                                   "and a European country.")},
        "/api/v1/issuers/{slug}/keys": {"get": _op(
            "listKeys", "The issuer's signing keys and their state", "keys",
            {"200": _json("IssuerKeys", "The keys"), **_problems(*errors)}, security=scope, params=[slug])},
        "/api/v1/issuers/{slug}/keys/rotate": {"post": _op(
            "rotateKeys", "New active keys; old ones stay published so earlier credentials verify", "keys",
            {"201": _json("IssuerKeys", "The keys; `new` names the fresh ones"), **_problems(*errors, 409)},
            security=scope, params=[slug])},
        "/api/v1/issuers/{slug}/keys/{fragment}/compromise": {"post": _op(
            "compromiseKey", "Retire a key reported compromised", "keys",
            {"200": _json("IssuerKeys", "The keys; `new` names replacements when the key was active"),
             **_problems(400, *errors, 409, 413, 415, 422)}, security=scope,
            params=[slug, _param("fragment", description="the key's fragment, e.g. key-1")],
            body=_body({"application/json": _obj([], {"note": {"type": "string", "maxLength": 500}},
                                                  additionalProperties=False)}, required=False),
            description="The key leaves the published DID document and JWK Set, so credentials signed with "
                        "it fail verification everywhere; this service's verifier names the reason. "
                        "A did:key issuer answers 409 (its identifier is its key).")},
    }


def _wallet_schemas() -> dict:
    """Response shapes of the wallet pickup routes, as OID4VCI 1.0, RFC 6749 and VCALM define them."""
    url = {"type": "string", "format": "uri"}
    return {
        "CredentialOfferView": _obj(
            ["id", "credentialId", "claimUrl", "openid4vci", "lcw", "lcwRequest", "interactionUrl", "vcapi",
             "expiresAt"], {
                "id": STR, "credentialId": STR, "claimUrl": url, "openid4vci": STR, "lcw": STR,
                "lcwRequest": url, "interactionUrl": url, "vcapi": url, "expiresAt": DATE,
                "txCode": {"type": "string", "description": "the PIN, when asked for; shown only here"}},
            description="A private claim offer; its secrets are shown only in this answer"),
        "OfferWithdrawn": _obj(["id", "revoked"], {"id": STR, "revoked": {"type": "integer", "minimum": 0}}),
        "CredentialIssuerMetadata": _obj(
            ["credential_issuer", "credential_endpoint", "credential_configurations_supported"], {
                "credential_issuer": url, "credential_endpoint": url, "nonce_endpoint": url,
                "display": {"type": "array", "items": ANY_OBJ},
                "credential_configurations_supported": {"type": "object", "additionalProperties": _obj(
                    ["format"], {"format": {"enum": ["ldp_vc", "jwt_vc_json"]}, "scope": STR})}},
            description="OID4VCI 1.0 §12.2.4"),
        "CredentialOffer": _obj(["credential_issuer", "credential_configuration_ids", "grants"], {
            "credential_issuer": url, "credential_configuration_ids": {"type": "array", "items": STR},
            "grants": {"type": "object"}}, description="OID4VCI 1.0 §4.1.1"),
        "TokenResponse": _obj(["access_token", "token_type", "expires_in"], {
            "access_token": STR, "token_type": {"enum": ["Bearer"]}, "expires_in": {"type": "integer"},
            "c_nonce": STR, "c_nonce_expires_in": {"type": "integer"}}, description="RFC 6749 §5.1"),
        "NonceResponse": _obj(["c_nonce"], {"c_nonce": STR}, description="OID4VCI 1.0 §7.2"),
        "CredentialResponse": _obj(["credentials"], {
            "credentials": {"type": "array", "minItems": 1, "items": _obj(["credential"], {
                "credential": {"oneOf": [{"$ref": REF + "AchievementCredential"}, STR]}})},
            "credential": {"oneOf": [{"$ref": REF + "AchievementCredential"}, STR],
                           "description": "draft 13/14 wallets read the singular member"},
            "format": STR}, description="OID4VCI 1.0 §8.3 (ldp_vc: the JSON-LD credential; jwt_vc_json: a VC-JWT)"),
        "ExchangeState": _obj(["exchange"], {"exchange": _obj(["id", "state"], {
            "id": STR, "state": {"enum": ["pending", "active", "complete", "invalid"]}})}),
        "ExchangeProtocols": _obj(["protocols"], {"protocols": _obj(["vcapi", "OID4VCI"], {
            "vcapi": url, "OID4VCI": STR})}),
        "ExchangeStep": {"type": "object", "description": "VCALM: a verifiablePresentationRequest "
                         "(DIDAuthentication) after {}, or a verifiablePresentation carrying the credential",
                         "oneOf": [_obj(["verifiablePresentationRequest"], {"verifiablePresentationRequest": ANY_OBJ}),
                                   _obj(["verifiablePresentation"], {"verifiablePresentation": ANY_OBJ})]},
    }


def _hub_paths() -> dict:
    """The catalogue search and the learner's gap report (issue #14 §2)."""
    filters = [_param(name, "query", schema, description, required=False) for name, schema, description in (
        ("q", {"type": "string", "maxLength": 200}, "words, all of which must occur"),
        ("role", {"type": "string", "pattern": "^[^/]+/[^/]+$"}, "<framework>/<job role code>"),
        ("skill", {"type": "string", "pattern": "^[^/]+/[^/]+$"}, "<framework>/<skill code>"),
        ("level", {"type": "integer", "minimum": 1, "maximum": 5}, "with skill: taught at this level or above"),
        ("eqf", {"type": "integer", "minimum": 1, "maximum": 8}, "EQF level"),
        ("language", STR, "BCP 47 tag; de also matches de-AT"),
        ("participation", {"enum": ["online", "onsite", "blended"]}, "form of participation"),
        ("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "ISO 3166-1 alpha-2 of the provider"),
        ("provider", STR, "provider slug"))]
    paging = [_param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}, "default 50", False),
              _param("offset", "query", {"type": "integer", "minimum": 0}, "default 0", False)]
    form = _obj(["role"], {"role": STR, "file": {"type": "array", "items": BINARY}, "credentials": STR,
                           "urls": {"type": "string", "description": "one URL per line, at most 5"},
                           "email": {"type": "string", "description": "the holder's e-mail address, to count "
                                     "credentials issued to it together (optional)"}})
    html_errors = {str(c): _multi("The form with an error", {"text/html": HTML}) for c in (400, 404, 413, 415, 422)}
    return {
        "/api/v1/catalogue": {"get": _op(
            "searchCatalogue", "Search the public course catalogue, with result counts per filter value", "catalogue",
            {"200": _json("CatalogueSearch", "Matching courses and facets"), **_problems(400)},
            params=filters + paging)},
        "/catalogue": {"get": _op(
            "cataloguePage", "The catalogue search page (JSON by Accept: the first 20 results)", "pages",
            {"200": _multi("Search", {"text/html": HTML, "application/json": "CatalogueSearch"}), **_problems(400)},
            params=filters + [_param("offset", "query", {"type": "integer", "minimum": 0}, "", False)])},
        "/api/v1/gap-report": {"post": _op(
            "gapReport", "A learner's gap report: coverage of a target job role, courses for each gap and the "
            "smallest set of courses completing it; nothing is stored", "verification",
            {"200": _json("GapReport", "The plan"), **_problems(400, 413, 415, 422, 429)},
            body=_body({"application/json": "GapReportRequest"}))},
        "/gap-report": {
            "get": _op("gapReportForm", "The gap report form", "pages", {"200": _multi("HTML", {"text/html": HTML})},
                       params=[_param("role", "query", STR, "the role to preselect", False)]),
            "post": _op("gapReportSubmit", "The gap report from the form (multipart); nothing is stored", "pages",
                        {"200": _multi("The plan", {"text/html": HTML}), **html_errors, **_problems(429)},
                        body=_body({"multipart/form-data": form}))},
    }


def _wallet_paths() -> dict:
    """Wallet pickup (issue #11; docs/wallets.md): OID4VCI 1.0, VCALM exchanges and the DCC LCW links.
    OAuth and OID4VCI errors are their specifications' JSON (``OAuthError``); the VCALM and provider
    routes answer problem+json."""
    exchange = _param("exchange_id", description="the exchange id from the offer; for an offer with a PIN, the VC API "
                      "links carry `<exchange id>.<PIN tag>` (the bare id answers 403 `tx_code_required`)")
    pin_form = _body({"application/x-www-form-urlencoded": _obj(["pin"], {"pin": STR})})
    pin_page = {"200": _multi("The page, with the Learner Credential Wallet code after the right PIN",
                              {"text/html": HTML}),
                "400": _multi("The page: a wrong PIN (tries left) or a locked offer", {"text/html": HTML})}
    form = _body({"application/x-www-form-urlencoded": _obj(["grant_type", "pre-authorized_code"], {
        "grant_type": {"const": "urn:ietf:params:oauth:grant-type:pre-authorized_code"},
        "pre-authorized_code": STR, "tx_code": STR})})
    json_obj = _body({"application/json": ANY_OBJ}, required=False)
    issue, auth_errors = "credentials:issue", (401, 403, 429)

    def oauth(*codes: int) -> dict:
        return {str(c): _json("OAuthError", "OAuth / OID4VCI error") for c in codes}

    # the wallet rate limit (RATE_LIMIT_WALLET), in OAuth style on the OID4VCI endpoints
    oauth_429 = {"429": _json("OAuthError", "Too many wallet requests from this address (error "
                              "temporarily_unavailable; see Retry-After)",
                              headers={"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}})}

    page = {"200": {"description": "an HTML page", "content": {"text/html": {"schema": HTML}}}}
    return {
        "/api/v1/credentials/{credential_id}/offer": {
            "post": _op("createOffer", "A private claim offer for one credential (201), shown once", "wallets",
                        {"201": _json("CredentialOfferView", "The offer, with its secrets"),
                         **_problems(400, *auth_errors, 404, 409, 415, 422)},
                        security=_provider(issue), params=[CRED_ID], body=json_obj),
            "delete": _op("withdrawOffer", "Withdraw the credential's open offer", "wallets",
                          {"200": _json("OfferWithdrawn", "How many open offers were withdrawn"),
                           **_problems(*auth_errors, 404)},
                          security=_provider(issue), params=[CRED_ID])},
        "/.well-known/openid-credential-issuer": {"get": _op(
            "credentialIssuerMetadata", "OID4VCI 1.0 §12.2 Credential Issuer Metadata", "wallets",
            {"200": _json("CredentialIssuerMetadata", "The metadata")})},
        "/oid4vci/credential-offer/{exchange_id}": {"get": _op(
            "credentialOffer", "OID4VCI 1.0 §4.1.3 Credential Offer behind credential_offer_uri", "wallets",
            {"200": _json("CredentialOffer", "The Credential Offer"), **oauth(404, 409, 410), **oauth_429},
            params=[exchange])},
        "/oid4vci/token": {"post": _op(
            "oid4vciToken", "OID4VCI 1.0 §6 token endpoint, pre-authorized code grant (also at /oauth/token)",
            "wallets", {"200": _json("TokenResponse", "An access token"), **oauth(400, 401, 409, 410, 413),
                        **oauth_429}, body=form)},
        "/oid4vci/nonce": {"post": _op("oid4vciNonce", "OID4VCI 1.0 §7 nonce endpoint", "wallets",
                                       {"200": _json("NonceResponse", "A fresh c_nonce"), **oauth_429})},
        "/oid4vci/credential": {"post": _op(
            "oid4vciCredential", "OID4VCI 1.0 §8 credential endpoint (Bearer access token, jwt key proof)",
            "wallets", {"200": _json("CredentialResponse", "The credential, bound to the holder"),
                        **oauth(400, 401, 403, 409, 410, 413), **oauth_429}, body=json_obj)},
        "/workflows/claim/exchanges/{exchange_id}": {
            "get": _op("exchangeState", "VCALM exchange state", "wallets",
                       {"200": _json("ExchangeState", "The state"), **_problems(403, 404)}, params=[exchange]),
            "post": _op("exchange", "VCALM exchange: {} starts DIDAuthentication; a signed presentation claims",
                        "wallets", {"200": _json("ExchangeStep", "The next step, or the credential"),
                                    **_problems(400, 403, 404, 409, 410, 413, 415, 422, 429)},
                        params=[exchange], body=json_obj)},
        "/workflows/claim/exchanges/{exchange_id}/protocols": {"get": _op(
            "exchangeProtocols", "The exchange's protocols (VCALM)", "wallets",
            {"200": _json("ExchangeProtocols", "The protocols"), **_problems(403, 404, 409, 410)}, params=[exchange])},
        "/claim/{token}": {
            "get": _op("claimPage", "The learner's private claim page (HTML)", "wallets", {**page, **_problems(404)},
                       params=[_param("token", description="the offer's claim token")]),
            "post": _op("claimPagePin", "The claim page's PIN form (offers with a PIN): the right PIN shows the "
                        "Learner Credential Wallet code; wrong ones count toward the lock", "wallets",
                        {**pin_page, **_problems(404, 413, 429)},
                        params=[_param("token", description="the offer's claim token")], body=pin_form)},
        "/interactions/{exchange_id}": {
            "get": _op("interaction", "VCALM interaction URL (?iuv=1): JSON protocols or a page", "wallets",
                       {"200": _multi("JSON protocols (Accept: application/json or ?format=json), else a page",
                                      {"application/json": "ExchangeProtocols", "text/html": HTML}),
                        **_problems(403, 404, 409, 410)}, params=[exchange]),
            "post": _op("interactionPin", "The interaction page's PIN form (the bare exchange id of an offer "
                        "with a PIN)", "wallets", {**pin_page, **_problems(404, 413, 429)}, params=[exchange],
                        body=pin_form)},
    }


def _limits_text(config: dict) -> str:
    rows = "\n".join(f"| {what} | {key} | `{config.get(setting)}` | `ISSUER_{setting}` |"
                     for setting, what, key in LIMITS.values())
    return ("\n\n**Rate limits** (429 problem+json with `Retry-After`; the OID4VCI endpoints answer the OAuth "
            "error `temporarily_unavailable` instead):\n\n| what | per | now | setting |\n"
            "|---|---|---|---|\n" + rows)


def _public_not_found(paths: dict) -> dict:
    """Outside ``/api/`` and ``/oauth/``, a 404 is a page for people or problem details by Accept."""
    for path, operations in paths.items():
        if path.startswith(("/api/", "/oauth/")):
            continue
        for operation in operations.values():
            if operation["responses"].get("404") == {"$ref": "#/components/responses/Problem404"}:
                operation["responses"]["404"] = {"$ref": "#/components/responses/NotFoundPage"}
    return paths


def document(base_url: str, config: dict) -> dict:
    """The OpenAPI 3.1 document for a service at ``base_url``."""
    components = {
        "schemas": _schemas(),
        "responses": {f"Problem{code}": {
            "description": title, "content": {PROBLEM: {"schema": {"$ref": REF + "Problem"},
                                                        **({"example": PROBLEM_EXAMPLE} if code == 403 else {})}},
            **({"headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}}
               if code == 429 else {})} for code, title in _PROBLEM_TITLES.items()} | {
            "NotFoundPage": {"description": "Not found: problem details, or a page for people (by Accept)",
                             "content": {PROBLEM: {"schema": {"$ref": REF + "Problem"}}, "text/html": {"schema": HTML}}}},
        "securitySchemes": {
            "apiKey": {"type": "http", "scheme": "bearer",
                       "description": "A provider API key (`obk_…`), all scopes unless it was limited"},
            "oauth2": {"type": "oauth2", "description": "Client credentials grant; tokens live "
                                                         f"{config.get('OAUTH_TOKEN_LIFETIME', 600)} s",
                       "flows": {"clientCredentials": {"tokenUrl": f"{base_url}/oauth/token", "scopes": SCOPES}}},
            "clientBasic": {"type": "http", "scheme": "basic",
                            "description": "client_id and client_secret (or client_secret_post in the form)"},
            "adminToken": {"type": "http", "scheme": "bearer", "description": "ISSUER_ADMIN_TOKEN"},
            "metricsToken": {"type": "http", "scheme": "bearer", "description": "ISSUER_METRICS_TOKEN"},
            "consoleSession": {"type": "apiKey", "in": "cookie", "name": "console_session",
                               "description": "the provider console's session cookie (log in at /console/login)"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Skills Hub issuer API", "version": "1",
                 "description": "Open Badges 3.0 micro-credentials: issue, manage, find and verify. Provider "
                                "operations take an API key or an OAuth 2.0 access token carrying the named "
                                "scope; a missing scope answers 403 `insufficient_scope` naming it. Errors are "
                                "RFC 9457 problem details with a `requestId`." + _limits_text(config),
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "servers": [{"url": base_url}],
        "tags": [{"name": n} for n in ("credentials", "batches", "catalogue", "keys", "wallets", "oauth", "verification", "public", "pages",
                                       "operations", "webhooks", "settings", "console")],
        "paths": _public_not_found(_paths()),
        "webhooks": _outgoing_webhooks(),
        "components": components,
    }


def route_paths(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``<any(a, b):x>`` and ``<path:x>`` become ``{x}``."""
    return re.sub(r"<(?:[^:<>]+:)?([A-Za-z_][A-Za-z0-9_]*)>", r"{\1}", re.sub(r"<any\([^)]*\):", "<", rule))


@lru_cache(maxsize=1)
def _swagger_dir() -> str:
    return str(Path(flask_swagger_ui.__file__).resolve().parent / "dist")


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Skills Hub issuer API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script></body></html>
"""
_DOCS_INIT = """window.onload = function () {
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"});
};
"""
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


@bp.get("/openapi.json")
def openapi_json():
    svc = service()
    response = jsonify(document(svc.base_url, svc.config))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/docs")
def docs():
    response = Response(_DOCS_PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/docs/<filename>")
def docs_asset(filename: str):
    if filename == "init.js":
        return Response(_DOCS_INIT, mimetype="text/javascript")
    if filename not in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                        "favicon-32x32.png", "favicon-16x16.png"):
        abort(404)
    return send_from_directory(_swagger_dir(), filename, max_age=86400)
