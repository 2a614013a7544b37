"""Self-verification at issuance: the service verifies its own output before storing it."""
from __future__ import annotations

from .runtime import verifier_for

__all__ = ["self_verifier"]


def self_verifier(service):
    """A callable ``(document, jwt, did_document) -> list of problems`` using the full verifier.

    The issuer's DID document is passed in (the issuing transaction already holds the issuer and
    its keys), so the check needs no database round trip of its own.
    """
    base = verifier_for(service)

    def check(document: dict, token: str, did_document: dict | None = None) -> list[str]:
        verifier = base
        if did_document is not None:
            fallback = base._resolve_did
            verifier = base.with_resolver(
                lambda did: did_document if did == did_document["id"] else fallback(did))
        problems = []
        for form, subject in (("json-ld", document), ("jwt", token)):
            report = verifier.verify(subject, now=service.clock(), check_status=False)
            if not report.verified:
                problems.extend(f"{form}: {c.id}: {c.reason}" for c in report.checks if c.status == "failed")
        return problems

    return check
