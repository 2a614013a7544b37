"""OpenID for Verifiable Credential Issuance 1.0 (final), pre-authorized code flow.

https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html

The Credential Issuer Identifier is the service's origin (``BASE_URL``); it is also its own
Authorization Server (RFC 8414 metadata with ``pre-authorized_grant_anonymous_access_supported``).

* §4.1 Credential Offer (by reference: ``credential_offer_uri``), both configurations, the
  pre-authorized code grant with an optional ``tx_code``;
* §6 Token Endpoint: ``urn:ietf:params:oauth:grant-type:pre-authorized_code``; the code is single
  use; wrong PINs count, and the offer locks after ``OFFER_TX_CODE_TRIES``;
* §7 Nonce Endpoint: single-use ``c_nonce`` values;
* §8 Credential Endpoint: one ``jwt`` key proof, configurations ``AchievementCredential_ldp_vc``
  (OB 3.0 §8.3, eddsa-rdfc-2022) and ``AchievementCredential_jwt_vc_json`` (OB 3.0 §8.2, ES256);
* §12.2 Credential Issuer Metadata with ``credential_metadata`` (the 1.0 layout) and display in
  English and German.

Draft-era requests are accepted too: the singular ``proof`` object, ``user_pin`` for ``tx_code``,
``format`` (+ ``credential_definition``) instead of ``credential_configuration_id``.
Errors are :class:`OAuthError` (RFC 6749 §5.2 and OID4VCI §6.3, §8.3.1.2), never anything else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..errors import NotFound
from ..issuance import IssuanceContext
from ..badges.credential import CONTEXT
from ..store import offers as store
from ..badges.timestamps import as_utc
from . import codes
from .binding import FORMATS, JWT_VC_JSON, LDP_VC, ClaimRefused, claim_credential
from .key_proof import PROOF_ALGORITHMS, ProofRejected, verify_key_proof
from .offers import check_tx_code, find_offer, offer_problem

__all__ = ["PRE_AUTHORIZED_GRANT", "CONFIGURATIONS", "OAuthError", "Settings", "issuer_metadata",
           "authorization_server_metadata", "credential_offer", "token", "new_nonce", "credential"]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LDP_CONFIGURATION = "AchievementCredential_ldp_vc"
JWT_CONFIGURATION = "AchievementCredential_jwt_vc_json"
CONFIGURATIONS = {LDP_CONFIGURATION: LDP_VC, JWT_CONFIGURATION: JWT_VC_JSON}
CREDENTIAL_TYPES = ["VerifiableCredential", "AchievementCredential"]
_ACCEPTED_TYPES = {"AchievementCredential", "OpenBadgeCredential"}


class OAuthError(Exception):
    """An OAuth 2.0 / OID4VCI error response: ``{"error", "error_description"}`` with ``status``."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict:
        """The JSON error response body."""
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class Settings:
    """What the protocol needs from the configuration (seconds and counts)."""

    base_url: str
    master: str
    token_ttl: timedelta
    nonce_ttl: timedelta
    skew: timedelta
    tx_code_tries: int


def _display(name_en: str, name_de: str, logo: str, description_en: str | None = None,
              description_de: str | None = None) -> list[dict]:
    out = []
    for locale, name, description in (("en", name_en, description_en), ("de", name_de, description_de)):
        entry = {"name": name, "locale": locale, "logo": {"uri": logo, "alt_text": name}}
        if description:
            entry["description"] = description
        out.append(entry)
    return out


def issuer_metadata(base_url: str) -> dict:
    """§12.2.4 Credential Issuer Metadata (1.0: ``credential_metadata`` in every configuration)."""
    logo = f"{base_url}/static/logo.png"
    card = _display("Open Badge micro-credential", "Open-Badge-Microcredential", logo,
                    "An Open Badges 3.0 achievement aligned to the automotive competence matrix.",
                    "Ein Open-Badges-3.0-Nachweis, abgebildet auf die Kompetenzmatrix der Automobilbranche.")
    common = {"cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
              "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}}}
    claims = [{"path": ["credentialSubject", "achievement", "name"],
               "display": [{"name": "Achievement", "locale": "en"}, {"name": "Nachweis", "locale": "de"}]},
              {"path": ["credentialSubject", "name"],
               "display": [{"name": "Holder", "locale": "en"}, {"name": "Inhaber", "locale": "de"}]},
              {"path": ["issuer", "name"],
               "display": [{"name": "Issuer", "locale": "en"}, {"name": "Aussteller", "locale": "de"}]}]
    return {
        "credential_issuer": base_url,
        "credential_endpoint": f"{base_url}/oid4vci/credential",
        "nonce_endpoint": f"{base_url}/oid4vci/nonce",
        "display": _display("Skills Hub", "Skills Hub", logo),
        "credential_configurations_supported": {
            LDP_CONFIGURATION: {
                "format": "ldp_vc", "scope": "AchievementCredential_ldp_vc",
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"], **common,
                # URLs only: clients type @context as string[]; an embedded (inline) context is left out
                "credential_definition": {"@context": [c for c in CONTEXT if isinstance(c, str)],
                                          "type": list(CREDENTIAL_TYPES)},
                "credential_metadata": {"display": card, "claims": claims},
            },
            JWT_CONFIGURATION: {
                "format": "jwt_vc_json", "scope": "AchievementCredential_jwt_vc_json",
                "credential_signing_alg_values_supported": ["ES256"], **common,
                "credential_definition": {"type": list(CREDENTIAL_TYPES)},
                "credential_metadata": {"display": card, "claims": claims},
            },
        },
    }


def authorization_server_metadata(base_url: str) -> dict:
    """RFC 8414 metadata of the (built-in) Authorization Server, OID4VCI §12.3."""
    return {
        "issuer": base_url,
        "token_endpoint": f"{base_url}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
    }


def credential_offer(session, exchange_id: str, settings: Settings, now: datetime) -> dict:
    """§4.1.1 Credential Offer object for ``credential_offer_uri``; NotFound or :class:`OAuthError`."""
    offer = find_offer(session, exchange_id=exchange_id)
    problem = offer_problem(session, offer, now)
    if problem is not None:
        raise OAuthError("invalid_grant", problem[1], status=410 if problem[0] != "credential_suspended" else 409)
    secrets = codes.derive(settings.master, exchange_id=exchange_id)
    grant: dict = {"pre-authorized_code": secrets.pre_authorized_code}
    if offer.tx_code_hash:
        grant["tx_code"] = {"input_mode": "numeric", "length": offer.tx_code_length or 6,
                            "description": "Enter the PIN your training provider sent you / "
                                           "Geben Sie die PIN Ihres Bildungsanbieters ein"}
    return {"credential_issuer": settings.base_url, "credential_configuration_ids": list(CONFIGURATIONS),
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def token(session, form: dict, settings: Settings, now: datetime) -> dict:
    """§6 Token Request (form fields as a dict of strings) → Token Response. The caller commits
    (also on :class:`OAuthError`: counted PIN failures must persist)."""
    if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", f"only {PRE_AUTHORIZED_GRANT} is supported")
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    try:
        offer = find_offer(session, code=code, for_update=True)
    except NotFound:
        raise OAuthError("invalid_grant", "the pre-authorized code is not valid") from None
    problem = offer_problem(session, offer, now)
    if problem is not None:
        raise OAuthError("invalid_grant", problem[1])
    if offer.access_token_hash is not None:
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    if offer.tx_code_hash:
        pin = form.get("tx_code", form.get("user_pin"))
        if not pin:
            raise OAuthError("invalid_request", "this offer needs the tx_code (PIN)")
        left = check_tx_code(offer, pin, settings.master, settings.tx_code_tries)
        if left == 0:
            raise OAuthError("invalid_grant", "wrong tx_code; too many tries, so this offer is now locked")
        if left is not None:
            raise OAuthError("invalid_grant", f"wrong tx_code; {left} tries left")
    access_token = codes.new_opaque()
    offer.access_token_hash = codes.digest(access_token)
    offer.access_token_expires_at = now + settings.token_ttl
    nonce = new_nonce(session, settings, now)
    return {"access_token": access_token, "token_type": "Bearer",
            "expires_in": int(settings.token_ttl.total_seconds()),
            # draft-era wallets read the first c_nonce from the token response
            "c_nonce": nonce, "c_nonce_expires_in": int(settings.nonce_ttl.total_seconds())}


def new_nonce(session, settings: Settings, now: datetime) -> str:
    """§7 a fresh ``c_nonce``, stored until it expires (expired ones are purged here)."""
    value = codes.new_opaque()
    store.add_nonce(session, value, now + settings.nonce_ttl, now)
    return value


def _use_nonce(session, now: datetime):
    return lambda value: len(value) <= 64 and store.use_nonce(session, value, now)


def _requested_format(body: dict) -> tuple[str, bool]:
    """(our format, draft-style request?) from a §8.2 Credential Request."""
    config_id = body.get("credential_configuration_id")
    if config_id is not None:
        if not isinstance(config_id, str) or config_id not in CONFIGURATIONS:
            raise OAuthError("unknown_credential_configuration",
                         f"unknown credential_configuration_id {str(config_id)[:100]!r}")
        return CONFIGURATIONS[config_id], False
    if "credential_identifier" in body:
        raise OAuthError("unknown_credential_identifier",
                         "this issuer gives no credential_identifier values; send credential_configuration_id")
    fmt = body.get("format")
    if isinstance(fmt, str) and fmt in FORMATS:
        definition = body.get("credential_definition")
        types = definition.get("type", definition.get("types")) if isinstance(definition, dict) else None
        if types is not None and (not isinstance(types, list) or not any(t in _ACCEPTED_TYPES for t in types
                                                                           if isinstance(t, str))):
            raise OAuthError("unsupported_credential_type", "only AchievementCredential is issued here")
        return fmt, True
    if fmt is not None:
        raise OAuthError("unsupported_credential_format", f"format {str(fmt)[:100]!r} is not issued here")
    raise OAuthError("invalid_credential_request", "send credential_configuration_id")


def _proof_jwt(body: dict) -> tuple[str, bool]:
    proofs, proof = body.get("proofs"), body.get("proof")
    if proofs is not None and proof is not None:
        raise OAuthError("invalid_credential_request", "send either proofs or proof, not both")
    if isinstance(proofs, dict):
        jwts = proofs.get("jwt")
        if list(proofs) != ["jwt"] or not isinstance(jwts, list):
            raise OAuthError("invalid_proof", "only the jwt proof type is supported")
        if len(jwts) != 1:
            raise OAuthError("invalid_proof", "send exactly one jwt proof (batch issuance is not offered)")
        return jwts[0], False
    if isinstance(proof, dict):
        if proof.get("proof_type") != "jwt":
            raise OAuthError("invalid_proof", "only the jwt proof type is supported")
        return proof.get("jwt"), True
    raise OAuthError("invalid_proof", "a key proof (proofs.jwt) is required to bind the credential")


def credential(session, authorization: str | None, body, settings: Settings, ctx: IssuanceContext
               ) -> dict:
    """§8 Credential Request → Credential Response ``{"credentials": [{"credential": …}]}``. The caller
    commits on success and rolls back on :class:`OAuthError` (nonces stay unused then)."""
    now = ctx.now
    if not authorization or not authorization.startswith("Bearer ") or len(authorization) > 300:
        raise OAuthError("invalid_token", "send the access token as 'Authorization: Bearer <token>'", 401)
    try:
        offer = find_offer(session, access_token=authorization[7:].strip(), for_update=True)
    except NotFound:
        raise OAuthError("invalid_token", "the access token is not valid", 401) from None
    if offer.state != "open" or as_utc(offer.access_token_expires_at) <= now:
        raise OAuthError("invalid_token", "the access token has expired or was withdrawn", 401)
    if not isinstance(body, dict):
        raise OAuthError("invalid_credential_request", "the body must be a JSON object")
    fmt, draft_format = _requested_format(body)
    jwt, draft_proof = _proof_jwt(body)
    try:
        holder = verify_key_proof(jwt, audience=settings.base_url, now=now, skew=settings.skew,
                                  max_age=settings.nonce_ttl, use_nonce=_use_nonce(session, now))
    except ProofRejected as exc:
        raise OAuthError(exc.error, exc.description) from None
    try:
        delivery = claim_credential(session, offer, holder, protocol="oid4vci", fmt=fmt, ctx=ctx)
    except ClaimRefused as exc:
        raise OAuthError("credential_request_denied", exc.message) from None
    if set(delivery.claim.formats) >= set(FORMATS):
        offer.access_token_expires_at = now  # both formats delivered: the offer is used up
    issued = delivery.as_format(fmt)
    response: dict = {"credentials": [{"credential": issued}]}
    if draft_format or draft_proof:
        response["credential"] = issued  # draft 13/14 wallets read the singular member
        response["format"] = fmt
    return response

