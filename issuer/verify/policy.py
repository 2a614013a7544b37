"""Verifier policy: the allowlists and limits a verification runs under (never taken from the input)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .limits import StructureLimits

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
    * ``max_array_items``, ``max_object_members``, ``max_string_chars``, ``max_values`` (and
      ``max_depth``, ``max_proofs``) - structural limits checked before any JSON-LD work
      (:mod:`issuer.verify.limits`).
    * ``clock_skew`` - tolerance for ``validFrom``/``validUntil``, ``created``/``expires``, ``nbf``/``exp``.
    * ``max_proofs`` - proof sets larger than this are refused (catalog DI-17).
    * ``require_key_binding`` - when False, a key that cannot be bound to the issuer is reported as
      ``skipped`` instead of ``failed`` (only for testing or closed deployments).
    """

    cryptosuites: tuple[str, ...] = ("eddsa-rdfc-2022", "Ed25519Signature2020")
    jwt_algorithms: tuple[str, ...] = ("ES256", "RS256", "EdDSA")
    max_bytes: int = 1_000_000
    max_depth: int = 32
    clock_skew: timedelta = timedelta(minutes=5)
    max_proofs: int = 4
    require_key_binding: bool = True
    max_image_bytes: int = 8_000_000
    status_list_min_entries: int = STATUS_LIST_MIN_ENTRIES
    max_array_items: int = 256
    max_object_members: int = 128
    max_string_chars: int = 262_144
    max_values: int = 5_000

    @property
    def structure(self) -> StructureLimits:
        return StructureLimits(max_depth=self.max_depth, max_array_items=self.max_array_items,
                               max_object_members=self.max_object_members, max_string_chars=self.max_string_chars,
                               max_values=self.max_values)
