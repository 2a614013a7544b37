"""Self-verification at issuance: the service verifies its own output before storing it."""
from __future__ import annotations

__all__ = ["self_verifier"]


def self_verifier(service):
    """A callable ``(document, jwt) -> list of problems`` using the full verifier, locally resolved."""
    from .service_verifier import verifier_for

    verifier = verifier_for(service)

    def check(document: dict, token: str) -> list[str]:
        problems = []
        for form, subject in (("json-ld", document), ("jwt", token)):
            report = verifier.verify(subject, now=service.clock(), check_status=False)
            if not report.verified:
                problems.extend(f"{form}: {c.id}: {c.reason}" for c in report.checks if c.status == "failed")
        return problems

    return check
