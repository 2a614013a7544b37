"""Reading the operator's trust list files (``ISSUER_TRUST_LIST``) from disk.

What the documents mean is :mod:`issuer.verify.trust`'s business (``TrustList.from_document``); this
module only reads the files, with a size cap, and names the file in every failure.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

__all__ = ["TrustListFileError", "read_trust_list_files", "MAX_TRUST_LIST_BYTES"]

MAX_TRUST_LIST_BYTES = 16 * 1024 * 1024


class TrustListFileError(ValueError):
    """A trust list file that cannot be read: missing, too large, not UTF-8 JSON."""


def read_trust_list_files(paths: Iterable[str | Path]) -> list[tuple[str, object]]:
    """``[(file name, parsed JSON), ...]`` in the given order. Raises TrustListFileError."""
    documents = []
    for path in map(Path, paths):
        try:
            if path.stat().st_size > MAX_TRUST_LIST_BYTES:
                raise TrustListFileError(f"{path}: larger than {MAX_TRUST_LIST_BYTES} bytes")
            documents.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
        except OSError as exc:
            raise TrustListFileError(f"{path}: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TrustListFileError(f"{path}: not JSON ({exc})") from None
    return documents
