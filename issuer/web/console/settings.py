"""The console's settings (administrators): issuer profiles, API keys and OAuth clients (secrets
shown once), signing key rotation, and the organisation's staff accounts."""
from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext as _

from ...api.context import committing, db, service
from ...delivery.artifacts import store_issuer_logo
from ...delivery.elm import issuer_gaps
from ...errors import Conflict, NotFound, ValidationFailed
from ...store import clients, staff, tenants
from ...store import console as views
from .base import bp, current_provider, current_user, flash_message, render, requires, uploaded_image, \
    write_session

__all__ = ["settings", "save_profile", "create_key", "revoke_key", "create_client", "revoke_client", "rotate",
           "compromise", "upload_logo", "users", "create_user", "change_user"]


def _settings_page(*, status: int = 200, **extra):
    session = db()
    provider = current_provider()
    return render("console/settings.html", status=status, issuers=views.issuers_of(session, provider),
                  keys=views.api_keys_of(session, provider), oauth_clients=clients.clients_of(session, provider),
                  scopes=clients.SCOPES, schemes=tenants.LEGAL_IDENTIFIER_SCHEMES,
                  elm_gaps=lambda issuer: issuer_gaps(issuer.country_code, issuer.legal_identifier), **extra)


@bp.get("/settings")
@requires("manage")
def settings():
    """Issuer profiles, API keys, OAuth clients and signing keys of the provider."""
    return _settings_page()


@bp.post("/settings/issuers/<slug>")
@requires("manage")
def save_profile(slug: str):
    """Save an issuer profile: ``name``, ``description``, ``url``, ``email``, ``country``,
    ``legalIdentifier`` and ``legalIdentifierScheme`` (credentials issued from now on show them)."""
    session = write_session()
    issuer = tenants.get_issuer(session, slug, current_provider(session))
    form = request.form
    with committing(session):
        issuer.name = tenants.check_name(form.get("name", "")[:200], "issuer name")
        issuer.description = form.get("description", "").strip()[:5000] or None
        url = form.get("url", "").strip()
        if url and not url.startswith(("https://", "http://")):
            raise ValidationFailed(_("The web site must be an http(s) address."))
        issuer.url = url[:500] or None
        email = form.get("email", "").strip()
        issuer.email = staff.normalize_email(email) if email else None
        tenants.set_legal_identity(issuer, country_code=form.get("country", "").strip() or None,
                                   legal_identifier=form.get("legalIdentifier", "").strip() or None,
                                   scheme=form.get("legalIdentifierScheme") or None)
        if not form.get("country", "").strip():
            issuer.country_code = None
    flash_message(_("Issuer profile saved."))
    return redirect("/console/settings", 303)


def _scopes(form) -> list[str] | None:
    chosen = [s for s in form.getlist("scope") if s in clients.SCOPES]
    return chosen or None


@bp.post("/settings/issuers/<slug>/logo")
@requires("manage")
def upload_logo(slug: str):
    """Upload the issuer's logo (PNG or SVG, validated as badge images); credentials issued from
    now on show it as the issuer's ``image``."""
    data, media_type = uploaded_image("logo")
    session = write_session()
    issuer = tenants.get_issuer(session, slug, current_provider(session))
    with committing(session):
        store_issuer_logo(session, issuer, data, media_type)
    flash_message(_("Logo uploaded."))
    return redirect("/console/settings", 303)


@bp.post("/settings/api-keys")
@requires("manage")
def create_key():
    """A new API key with a ``label`` and the chosen ``scope`` values (none chosen: every scope);
    its secret is shown on this answer only."""
    session = write_session()
    provider = current_provider(session)
    label = request.form.get("label", "").strip()[:200] or "console"
    secret = tenants.create_api_key(session, provider, label=label, scopes=_scopes(request.form))
    session.commit()
    return _settings_page(status=201, secret={"kind": _("API key"), "value": secret})


@bp.post("/settings/api-keys/<prefix>/revoke")
@requires("manage")
def revoke_key(prefix: str):
    """Revoke an API key of the provider."""
    session = write_session()
    views.revoke_api_key(session, current_provider(session), prefix, service().clock())
    session.commit()
    flash_message(_("API key %(prefix)s revoked.", prefix=prefix))
    return redirect("/console/settings", 303)


@bp.post("/settings/oauth-clients")
@requires("manage")
def create_client():
    """A new OAuth 2.0 client (client credentials grant) with a ``name`` and ``scope`` values;
    its secret is shown on this answer only."""
    session = write_session()
    provider = current_provider(session)
    scopes = _scopes(request.form)
    if not scopes:
        raise ValidationFailed(_("Choose at least one scope for the client."))
    client, secret = clients.create_client(session, provider, request.form.get("name", ""), scopes)
    session.commit()
    return _settings_page(status=201, secret={"kind": _("OAuth client"), "client_id": client.client_id,
                                              "value": secret})


@bp.post("/settings/oauth-clients/<client_id>/revoke")
@requires("manage")
def revoke_client(client_id: str):
    """Revoke an OAuth client of the provider: its tokens stop working at once."""
    session = write_session()
    row = clients.revoke_client(session, client_id, service().clock(), current_provider(session))
    if row is None:
        session.rollback()
        raise NotFound(_("No such OAuth client."))
    session.commit()
    flash_message(_("OAuth client %(client)s revoked.", client=client_id))
    return redirect("/console/settings", 303)


@bp.post("/settings/issuers/<slug>/rotate")
@requires("manage")
def rotate(slug: str):
    """Rotate an issuer's signing keys: new keys sign from now on; the old public keys stay
    published, so credentials issued before keep verifying."""
    session = write_session()
    with committing(session):
        issuer = tenants.get_issuer(session, slug, current_provider(session), lock=True)
        new = tenants.rotate_keys(session, issuer, service().vault, service().clock(),
                                  jwt_algorithm=service().config["JWT_ALGORITHM"])
    flash_message(_("New signing keys: %(keys)s.", keys=", ".join(k.fragment for k in new)))
    return redirect("/console/settings", 303)


@bp.post("/settings/issuers/<slug>/keys/<fragment>/compromise")
@requires("manage")
def compromise(slug: str, fragment: str):
    """Retire a signing key reported compromised, with a ``note``: it leaves the published DID
    document and JWK Set, so the credentials it signed fail verification, and this service's
    verifier names the reason; an active key is replaced by fresh keys (security catalog T-14)."""
    note = request.form.get("note", "").strip()[:500] or None
    session = write_session()
    with committing(session):
        issuer = tenants.get_issuer(session, slug, current_provider(session), lock=True)
        new = tenants.compromise_key(session, issuer, fragment, service().vault, service().clock(), note=note,
                                     jwt_algorithm=service().config["JWT_ALGORITHM"])
    flash_message(_("Key %(key)s retired as compromised; credentials it signed no longer verify.", key=fragment)
                  + (" " + _("New signing keys: %(keys)s.", keys=", ".join(k.fragment for k in new)) if new else ""),
                  "warn")
    return redirect("/console/settings", 303)


@bp.get("/users")
@requires("manage")
def users():
    """The organisation's staff accounts."""
    return render("console/users.html", users=staff.users_of(db(), current_provider()), roles=staff.ROLES)


@bp.post("/users")
@requires("manage")
def create_user():
    """A new staff account (``email``, ``name``, ``role``); its first password is shown once."""
    session = write_session()
    provider = current_provider(session)
    password = staff.new_password()
    with committing(session):
        user = staff.create_user(session, provider, request.form.get("email", ""), request.form.get("role", ""),
                                 password=password, name=request.form.get("name"))
    return render("console/users.html", status=201, users=staff.users_of(db(), current_provider()),
                  roles=staff.ROLES, created={"email": user.email, "password": password})


@bp.post("/users/<int:user_id>")
@requires("manage")
def change_user(user_id: int):
    """Change an account's ``role``, or disable / enable it (``action``); administrators cannot
    lock themselves out."""
    session = write_session()
    provider = current_provider(session)
    user = staff.get_user(session, user_id, provider)
    action = request.form.get("action")
    if user.id == current_user().id:
        raise Conflict(_("You cannot change your own account here."))
    if action == "role":
        staff.set_role(user, request.form.get("role", ""))
    elif action in ("disable", "enable"):
        staff.set_disabled(user, action == "disable", service().clock())
    elif action == "reset":
        password = staff.new_password()
        staff.set_password(user, password)
        session.commit()
        return render("console/users.html", users=staff.users_of(db(), current_provider()), roles=staff.ROLES,
                      created={"email": user.email, "password": password})
    else:
        raise ValidationFailed(_("Unknown action."))
    session.commit()
    flash_message(_("Account %(email)s changed.", email=user.email))
    return redirect("/console/users", 303)
