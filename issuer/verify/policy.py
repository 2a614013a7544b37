"""Verifier policy: the allowlists and limits a verification runs under (never taken from the input)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["Policy", "STATUS_LIST_MIN_ENTRIES"]

STATUS_LIST_MIN_ENTRIES = 131_072  # Bitstring Status List 1.0 §6.1 herd privacy minimum


@dataclass(frozen=True)
class Policy:
    """What the verifier accepts.

    * ``cryptosuites`` - Data Integrity suites (``DataIntegrityProof`` ``cryptosuite`` values) and
      legacy proof types (``Ed25519Signature2020``) that may be verified.
    * ``jwt_algorithms`` - JOSE ``alg`` values for VC-JWT; HS* and ``none`` are never accepted.
    * ``max_bytes`` / ``max_depth`` - size and nesting caps for JSON and JWT text (checked before
      parsing); ``max_image_bytes`` caps a baked PNG/SVG before unbaking.
    * ``clock_skew`` - tolerance for ``validFrom``/``validUntil``, ``created``/``expires``, ``nbf``/``exp``.
    * ``max_proofs`` - proof sets larger than this are refused (catalog DI-17).
    * ``require_key_binding`` - when False, a key that cannot be bound to the issuer is reported as
      ``skipped`` instead of ``failed`` (only for testing or closed deployments).
    """

    cryptosuites: tuple[str, ...] = ("eddsa-rdfc-2022", "Ed25519Signature2020")
    jwt_algorithms: tuple[str, ...] = ("ES256", "RS256", "EdDSA")
    max_bytes: int = 1_000_000
    max_depth: int = 64
    clock_skew: timedelta = timedelta(minutes=5)
    max_proofs: int = 4
    require_key_binding: bool = True
    max_image_bytes: int = 8_000_000
    status_list_min_entries: int = STATUS_LIST_MIN_ENTRIES
