"""Where the shared reference data lives (read in place, never copied into the project).

``ISSUER_SPEC_DIR`` overrides the default ``../shared/spec`` (relative to the project root);
``ISSUER_CASES_DIR`` overrides ``../shared/cases`` (bug-report inputs with their right verdicts).
"""
from __future__ import annotations

import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC_DIR = pathlib.Path(os.environ.get("ISSUER_SPEC_DIR", ROOT.parent / "shared" / "spec")).resolve()
CASES_DIR = pathlib.Path(os.environ.get("ISSUER_CASES_DIR", ROOT.parent / "shared" / "cases")).resolve()


def spec_path(*parts: str) -> pathlib.Path:
    path = SPEC_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path} (set ISSUER_SPEC_DIR)")
    return path


def case_path(*parts: str) -> pathlib.Path:
    path = CASES_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"case file not found: {path} (set ISSUER_CASES_DIR)")
    return path


def load_spec_json(*parts: str):
    return json.loads(spec_path(*parts).read_text(encoding="utf-8"))


def spec_contexts() -> dict[str, object]:
    """All reference contexts by URL (primary copies), for test-only document loaders."""
    index = load_spec_json("contexts", "INDEX.json")["contexts"]
    return {url: load_spec_json("contexts", entry["file"]) for url, entry in index.items()}
