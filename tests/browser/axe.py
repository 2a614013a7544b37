"""WCAG 2.1 AA checks in the browser with axe-core (Deque, MPL-2.0), from its npm package in
``a11y/`` (installed by ``npm ci`` from the committed lock file; no CDN). ``check(page)`` injects
``axe.min.js`` and fails with a readable list of every violation."""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

import pytest

A11Y_DIR = pathlib.Path(__file__).resolve().parents[2] / "a11y"
AXE = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> pathlib.Path:
    """The path of ``axe.min.js``; runs ``npm ci`` in ``a11y/`` when it is missing (skips without
    npm outside CI, fails in CI)."""
    if AXE.exists():
        return AXE
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("npm is needed for axe-core (a11y/package.json)", pytrace=False)
        pytest.skip("npm is not on PATH: cannot install axe-core")
    proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=A11Y_DIR, capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0 or not AXE.exists():
        pytest.fail(f"`npm ci` in {A11Y_DIR} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}", pytrace=False)
    return AXE


def violations(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return result["violations"]


def check(page) -> None:
    """Assert that the page has no WCAG 2.1 AA violation axe-core can find."""
    found = violations(page)
    report = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
               "nodes": [n["target"] for n in v["nodes"][:5]]} for v in found]
    assert not found, f"WCAG 2.1 AA violations on {page.url}:\n" + json.dumps(report, indent=1)
