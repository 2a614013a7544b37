"""JSON-LD processing: bundled contexts, safe-mode expansion and RDFC-1.0 canonicalization."""
from .canonize import CanonizationError, canonize
from ...badges.contexts import BUNDLED_CONTEXTS, ContextNotAllowed, document_loader
from .safemode import DataLossError, expand_safe

__all__ = [
    "BUNDLED_CONTEXTS", "ContextNotAllowed", "document_loader",
    "DataLossError", "expand_safe", "CanonizationError", "canonize",
]
