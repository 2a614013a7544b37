"""The provider console's routes (``/console``, HTML for people) in the OpenAPI document.

The console is not an API: its pages answer HTML, forms post ``application/x-www-form-urlencoded``
(uploads ``multipart/form-data``) with the session's ``csrf_token``, and a request without a
console session is redirected (303) to ``/console/login``. Errors are pages, or RFC 9457 problem
details where the request never reached the console (a body over the size limit, a malformed
request)."""
from __future__ import annotations

import re

__all__ = ["console_paths", "CONSOLE_ROUTES"]

_HTML = {"type": "string", "description": "an HTML page"}
_PAGE_OR_PROBLEM = {"text/html": {"schema": _HTML},
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STR = {"type": "string"}
_PARAM = re.compile(r"\{[a-z_]+\}")

#: path → method → (operationId, summary, form fields or None, multipart)
CONSOLE_ROUTES: dict[str, dict[str, tuple]] = {
    "/console/login": {
        "get": ("consoleLoginForm", "The console's log-in form", None, False),
        "post": ("consoleLogin", "Log in (rate limited per address; accounts lock after repeated failures)",
                 {"email": _STR, "password": _STR, "next": _STR}, False)},
    "/console/sso/{slug}": {"get": ("consoleSsoStart", "Single sign-on: a redirect to the provider's OpenID Connect "
                                                     "identity provider", None, False)},
    "/console/sso/{slug}/callback": {"get": ("consoleSsoCallback", "Single sign-on: the identity provider's answer "
                                                                   "(code, state)", None, False)},
    "/console/logout": {"post": ("consoleLogout", "Log out", {}, False)},
    "/console/": {"get": ("consoleDashboard", "Dashboard: counts per month and course, recent activity", None, False)},
    "/console/credentials": {"get": ("consoleCredentials", "Find credentials (the listing API's filters)", None, False)},
    "/console/credentials/{credential_id}": {
        "get": ("consoleCredential", "One credential: record, history, claim state", None, False)},
    "/console/credentials/{credential_id}/status": {
        "post": ("consoleChangeStatus", "Revoke, suspend or unsuspend with a reason",
                 {"action": {"enum": ["revoke", "suspend", "unsuspend"]}, "reason": _STR}, False)},
    "/console/credentials/revoke": {
        "post": ("consoleBulkRevoke", "Revoke the selected credentials",
                 {"ids": {"type": "array", "items": _STR}, "reason": _STR}, False)},
    "/console/issue": {
        "get": ("consoleIssueForm", "The issue form", None, False),
        "post": ("consoleIssue", "Issue to one learner",
                 {"course": _STR, "name": _STR, "email": _STR, "did": _STR, "completed": _STR}, False)},
    "/console/issue/class/preview": {
        "post": ("consoleClassPreview", "Check a class CSV: the problems by line; nothing is stored",
                 {"csv": {"type": "string", "format": "binary"}}, True)},
    "/console/issue/class": {
        "post": ("consoleClassSubmit", "Issue the checked class as a batch on the job queue",
                 {"csv": _STR, "onInvalid": {"enum": ["reject", "issueValid"]}}, False)},
    "/console/batches/{batch_id}": {"get": ("consoleBatch", "A class batch: live progress, results", None, False)},
    "/console/batches/{batch_id}/progress": {"get": ("consoleBatchProgress", "A class batch's progress (JSON)", None, False)},
    "/console/batches/{batch_id}/results.csv": {"get": ("consoleBatchResults", "A class batch's results (CSV)", None, False)},
    "/console/courses": {"get": ("consoleCourses", "The catalogue", None, False)},
    "/console/courses/import": {
        "post": ("consoleImportCourses", "Import a course-catalogue JSON file",
                 {"catalogue": {"type": "string", "format": "binary"}}, True)},
    "/console/courses/new": {
        "get": ("consoleNewCourseForm", "The new course form", None, False),
        "post": ("consoleNewCourse", "Create a course with its first skill",
                 {"code": _STR, "title": _STR, "skill": _STR, "level": _STR}, False)},
    "/console/courses/{code}": {"get": ("consoleCourse", "A course: elements, skills, job roles, skill picker", None, False)},
    "/console/courses/{code}/edit": {
        "get": ("consoleEditCourseForm", "The course form", None, False),
        "post": ("consoleEditCourse", "Save a course's EU micro-credential elements", {"title": _STR}, False)},
    "/console/courses/{code}/skills": {
        "post": ("consoleCourseSkills", "Map a skill at a level, change its level or remove it",
                 {"action": {"enum": ["add", "level", "remove"]}, "framework": _STR, "skill": _STR, "level": _STR},
                 False)},
    "/console/courses/{code}/image": {
        "post": ("consoleCourseImage", "Upload the badge image (PNG or SVG)",
                 {"image": {"type": "string", "format": "binary"}}, True)},
    "/console/courses/{code}/retire": {
        "post": ("consoleRetireCourse", "Retire a course or issue it again", {"retire": {"enum": ["0", "1"]}}, False)},
    "/console/settings": {"get": ("consoleSettings", "Issuer profiles, API keys, OAuth clients, keys", None, False)},
    "/console/settings/issuers/{slug}": {
        "post": ("consoleSaveProfile", "Save an issuer profile", {"name": _STR, "country": _STR}, False)},
    "/console/settings/issuers/{slug}/logo": {
        "post": ("consoleIssuerLogo", "Upload the issuer's logo (PNG or SVG)",
                 {"logo": {"type": "string", "format": "binary"}}, True)},
    "/console/settings/issuers/{slug}/rotate": {"post": ("consoleRotateKeys", "Rotate signing keys", {}, False)},
    "/console/settings/issuers/{slug}/keys/{fragment}/compromise": {
        "post": ("consoleCompromiseKey", "Retire a signing key reported compromised", {"note": _STR}, False)},
    "/console/settings/api-keys": {
        "post": ("consoleCreateApiKey", "Create an API key (secret shown once)", {"label": _STR, "scope": _STR}, False)},
    "/console/settings/api-keys/{prefix}/revoke": {"post": ("consoleRevokeApiKey", "Revoke an API key", {}, False)},
    "/console/settings/oauth-clients": {
        "post": ("consoleCreateClient", "Create an OAuth client (secret shown once)",
                 {"name": _STR, "scope": _STR}, False)},
    "/console/settings/oauth-clients/{client_id}/revoke": {
        "post": ("consoleRevokeClient", "Revoke an OAuth client", {}, False)},
    "/console/notifications": {"get": ("consoleNotifications", "Webhooks and the learner e-mail default", None, False)},
    "/console/notifications/webhooks": {
        "post": ("consoleCreateWebhook", "Register a webhook endpoint (signing secret shown once)",
                 {"url": _STR, "event": _STR}, False)},
    "/console/notifications/webhooks/{endpoint_id}": {
        "get": ("consoleWebhook", "A webhook endpoint's delivery log", None, False)},
    "/console/notifications/webhooks/{endpoint_id}/delete": {
        "post": ("consoleDeleteWebhook", "Delete a webhook endpoint", {}, False)},
    "/console/notifications/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver": {
        "post": ("consoleRedeliver", "Send a webhook delivery again", {}, False)},
    "/console/notifications/email": {
        "post": ("consoleEmailDefault", "The learner e-mail default", {"emailLearners": {"enum": ["0", "1"]}}, False)},
    "/console/users": {
        "get": ("consoleUsers", "Staff accounts", None, False),
        "post": ("consoleCreateUser", "Create a staff account (password shown once)",
                 {"email": _STR, "name": _STR, "role": {"enum": ["admin", "issuer", "viewer"]}}, False)},
    "/console/users/{user_id}": {
        "post": ("consoleChangeUser", "Change a staff account's role, password or state",
                 {"action": {"enum": ["role", "reset", "disable", "enable"]}, "role": _STR}, False)},
}


#: console answers that are not pages: path → (media type, schema)
_NOT_HTML = {
    "/console/batches/{batch_id}/progress": ("application/json", {
        "type": "object", "required": ["total", "done", "issued", "failed", "state", "finished", "text"],
        "properties": {"total": {"type": "integer"}, "done": {"type": "integer"}, "issued": {"type": "integer"},
                       "failed": {"type": "integer"}, "state": {"enum": ["pending", "running", "done"]},
                       "finished": {"type": "boolean"}, "text": _STR}}),
    "/console/batches/{batch_id}/results.csv": ("text/csv", {"type": "string",
                                                             "description": "line,state,credentialId,url,problem"}),
}


def _responses(method: str, path: str = "") -> dict:
    media, schema = _NOT_HTML.get(path, ("text/html", _HTML))
    page = {"description": "a console page" if media == "text/html" else "the answer",
            "content": {media: {"schema": schema}}}
    out = {"200": page,
           "302": {"description": "single sign-on: to the identity provider",
                   "headers": {"Location": {"schema": _STR}}},
           "303": {"description": "to the log-in page (no session), or to the page showing the result",
                   "headers": {"Location": {"schema": _STR}}, "content": {"text/html": {"schema": _HTML}}},
           "400": {"description": "the form's CSRF token is missing or old, or a malformed request",
                   "content": _PAGE_OR_PROBLEM},
           "403": {"description": "the account's role does not allow this", "content": {"text/html": {"schema": _HTML}}},
           "404": {"$ref": "#/components/responses/NotFoundPage"}}
    if method == "post":
        out["201"] = {"description": "created; the page shows the new secret once", "content": {"text/html": {"schema": _HTML}}}
        for code, why in (("409", "conflicts with the current state"), ("413", "the body is too large"),
                          ("415", "an image type that is not accepted"), ("422", "the form has invalid values"),
                          ("423", "the account is locked"), ("429", "too many log-in attempts")):
            out[code] = {"description": why, "content": _PAGE_OR_PROBLEM}
    return out


def console_paths() -> dict:
    """The OpenAPI path items of the console, tagged ``console``, with cookie session security."""
    paths: dict = {}
    for path, methods in CONSOLE_ROUTES.items():
        item = {}
        for method, (op_id, summary, fields, multipart) in methods.items():
            params = [{"name": name[1:-1], "in": "path", "required": True, "schema": _STR}
                      for name in _PARAM.findall(path)]
            op = {"operationId": op_id, "summary": summary, "tags": ["console"], "responses": _responses(method, path),
                  "security": [] if path == "/console/login" else [{"consoleSession": []}, {}]}
            if params:
                op["parameters"] = params
            if fields is not None:
                media = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
                op["requestBody"] = {"required": True, "content": {media: {"schema": {
                    "type": "object", "required": ["csrf_token"],
                    "properties": {"csrf_token": _STR, **fields}}}}}
            item[method] = op
        paths[path] = item
    return paths
