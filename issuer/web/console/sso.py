"""Single sign-on to the console with OpenID Connect (OpenID Connect Core 1.0, authorization code
flow with ``state`` and ``nonce``), through Authlib's Flask client, configured per provider by the
operator (``issuer console-user sso``). The identity provider vouches for an e-mail address
(``email`` with ``email_verified``); that signs in the provider's existing account with the
address, never creates one.

Authlib fetches the provider's discovery document, token endpoint and JWKS: only the URLs the
operator set are contacted (the console cannot change them), so no user can point the service
elsewhere.
"""
from __future__ import annotations

import hashlib

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from joserfc.errors import JoseError
from flask import redirect
from flask_babel import gettext as _

from ...api.context import db, service
from ...errors import NotFound
from ...signing.keystore import SecretBox
from ...store import staff
from .base import bp, render, start_session, write_session

__all__ = ["oauth", "sso_start", "sso_callback", "client_for"]

oauth = OAuth()


def _config(slug: str) -> staff.SsoConfig:
    config = staff.sso_config(db(), slug, SecretBox(service().config["SECRET_KEY"]))
    if config is None:
        raise NotFound(f"single sign-on is not configured for {slug!r}")
    return config


def client_for(config: staff.SsoConfig):
    """Authlib's Flask client for a provider's settings (registered once per distinct settings)."""
    digest = hashlib.sha256(f"{config.metadata_url}|{config.client_id}|{config.client_secret}".encode()).hexdigest()
    name = f"console_{config.provider.id}_{digest[:12]}"
    client = oauth.create_client(name)
    if client is None:
        oauth.register(name, client_id=config.client_id, client_secret=config.client_secret,
                       server_metadata_url=config.metadata_url,
                       client_kwargs={"scope": "openid email profile", "timeout": 10})
        client = oauth.create_client(name)
    return client


def _redirect_uri(slug: str) -> str:
    return f"{service().base_url}/console/sso/{slug}/callback"


def _failed(message: str):
    return render("console/login.html", status=400, next="/console/", email="", error=message,
                  sso_links=staff.sso_providers(db()))


@bp.get("/sso/<slug>")
def sso_start(slug: str):
    """Start single sign-on with the provider ``slug``'s identity provider (a redirect to it)."""
    config = _config(slug)
    try:
        return client_for(config).authorize_redirect(_redirect_uri(slug))
    except (OAuthError, OSError, ValueError):
        return _failed(_("The identity provider of your organisation cannot be reached. Try again later."))


@bp.get("/sso/<slug>/callback")
def sso_callback(slug: str):
    """The identity provider's answer: the code is exchanged and the ID token checked (signature,
    issuer, audience, expiry, nonce); then the account with the verified e-mail address signs in."""
    config = _config(slug)
    try:
        token = client_for(config).authorize_access_token()
    except (OAuthError, JoseError, OSError, ValueError, KeyError):
        return _failed(_("Single sign-on failed. Try again, or log in with your password."))
    claims = token.get("userinfo") or {}
    if not claims.get("email") or claims.get("email_verified") is not True:
        return _failed(_("Your organisation's identity provider did not confirm an e-mail address."))
    session = write_session()
    provider = session.get(type(config.provider), config.provider.id)
    try:
        user = staff.login_by_sso(session, provider, claims["email"], service().clock())
        session.commit()
    except staff.LoginFailed:
        session.rollback()
        return _failed(_("There is no console account for %(email)s at this organisation.", email=claims["email"]))
    start_session(user)
    return redirect("/console/", 303)
