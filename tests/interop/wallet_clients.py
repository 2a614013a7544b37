"""Python side of the wallet clients in ``wallets/`` (Node): OID4VCI (@openid4vc, Sphereon), the
LCW holder emulator (@digitalcredentials) and a VCALM holder (@digitalbazaar/vc).

Same conventions as :mod:`tests.interop.harness`: one JSON object in on stdin, one out on stdout;
``npm ci`` from the committed ``wallets/package-lock.json`` on first use.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import threading

from tests.interop.harness import HarnessError

WALLETS_DIR = pathlib.Path(__file__).resolve().parents[2] / "wallets"
TIMEOUT = 120
_lock = threading.Lock()
_ready = False


def _current() -> bool:
    pinned = json.loads((WALLETS_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, version in pinned.items():
        try:
            manifest = json.loads((WALLETS_DIR / "node_modules" / name / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if manifest.get("version") != version:
            return False
    return True


def ensure_installed() -> None:
    """``npm ci`` in ``wallets/`` unless node_modules already holds the pinned versions."""
    global _ready
    with _lock:
        if _ready or _current():
            _ready = True
            return
        proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WALLETS_DIR, capture_output=True,
                              text=True, timeout=600, stdin=subprocess.DEVNULL)
        if proc.returncode != 0 or not _current():
            raise HarnessError(f"`npm ci` failed in {WALLETS_DIR}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        _ready = True


def run(script: str, payload: dict) -> dict:
    """Run ``wallets/<script>``; its JSON answer. A failing client raises :class:`HarnessError`."""
    ensure_installed()
    try:
        proc = subprocess.run(["node", str(WALLETS_DIR / script)], cwd=WALLETS_DIR, input=json.dumps(payload),
                              capture_output=True, text=True, timeout=TIMEOUT,
                              env={**os.environ, "NODE_NO_WARNINGS": "1"})
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"wallets/{script} timed out after {TIMEOUT} s") from exc
    if proc.returncode != 0:
        raise HarnessError(f"wallets/{script} exited {proc.returncode}:\n{proc.stderr.strip()[-4000:]}")
    return json.loads(proc.stdout)
