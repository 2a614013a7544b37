"""JSON-LD processing: bundled contexts, safe-mode expansion and RDFC-1.0 canonicalization.

JSON-LD 1.1 (https://www.w3.org/TR/json-ld11/), RDF Dataset Canonicalization
(https://www.w3.org/TR/rdf-canon/), VC Data Integrity §4.5 "Validating Contexts" and safe mode
(https://www.w3.org/TR/vc-data-integrity/)."""
from .canonize import CanonizationError, canonize
from ...badges.contexts import BUNDLED_CONTEXTS, ContextNotAllowed, document_loader
from .safemode import DataLossError, expand_safe

__all__ = [
    "BUNDLED_CONTEXTS", "ContextNotAllowed", "document_loader",
    "DataLossError", "expand_safe", "CanonizationError", "canonize",
]
