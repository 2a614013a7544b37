"""Python side of the third-party interop harness in ``interop/`` (Node).

Each Node script reads one JSON object on stdin and writes one JSON object on
stdout; see ``interop/README.md`` for the exact contracts. A failed
verification is a normal result (``{"verified": false, ...}``); a non-zero
exit of a script is a harness bug and raises :class:`HarnessError`.

The npm dependencies are installed on demand with ``npm ci`` from the
committed ``interop/package-lock.json`` (see :func:`ensure_installed`).
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import threading
from functools import lru_cache
from typing import Any, Mapping, Sequence

from issuer.badges.contexts import EU_MICROCREDENTIAL_TERMS, MANIFEST

ROOT = pathlib.Path(__file__).resolve().parents[2]
INTEROP_DIR = ROOT / "interop"
TIMEOUT = 120  # seconds, per script run

_install_lock = threading.Lock()
_installed = False


class HarnessError(RuntimeError):
    """The interop harness itself failed (npm install, crash, bad output)."""


class SignRefused(RuntimeError):
    """@digitalbazaar/vc refused to sign the credential (e.g. jsonld safe mode)."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.result = result


# the contexts this project defines: a third-party verifier must never be handed one (issue #8)
OUR_CONTEXTS = frozenset(url for url, entry in MANIFEST.items() if entry["package"].startswith("this project"))
_MISSING = object()


@lru_cache(maxsize=1)
def _reference_contexts() -> dict[str, Any]:
    from tests.spec import spec_contexts  # ../shared/spec/contexts, read only when a context is handed over
    return spec_contexts()


def _names_our_context(document: Any) -> bool:
    contexts = document.get("@context") if isinstance(document, dict) else None
    items = contexts if isinstance(contexts, list) else [contexts]
    return any(item in OUR_CONTEXTS if isinstance(item, str) else item == dict(EU_MICROCREDENTIAL_TERMS)
               for item in items if isinstance(item, (str, dict)))


def check_documents(documents: Mapping[str, Any], *, shapes: bool = True) -> dict[str, Any]:
    """The ``documents`` a third-party script may be handed, beyond what its npm packages ship.

    Allowed: DID documents (keyed by the DID, ``id`` equal to it), status-list credentials (keyed by
    their URL) and reference contexts of ``../shared/spec/contexts`` that are not ours, byte for byte
    (e.g. ``https://www.w3.org/ns/credentials/examples/v2`` for the W3C test vectors). A context this
    project defines (``issuer/contexts/MANIFEST.json``, package "this project"), a document naming one,
    or anything else raises :class:`HarnessError`: no interop test may help a third-party verifier
    read our credentials (issue #8). ``shapes=False`` checks only for contexts of ours (for
    ``verify-wallet.mjs``, which checks the shapes itself, more strictly). Returns a plain dict.
    """
    checked = dict(documents or {})
    for url, document in checked.items():
        if url in OUR_CONTEXTS or _names_our_context(document):
            raise HarnessError(f"documents[{url!r}] is or names a context of ours: a third-party verifier "
                               "gets only the contexts its packages ship")
        if not shapes:
            continue
        types = document.get("type", []) if isinstance(document, dict) else []
        types = types if isinstance(types, list) else [types]
        is_did = url.startswith("did:") and isinstance(document, dict) and document.get("id") == url
        is_list = "BitstringStatusListCredential" in types and document.get("id") == url
        if not (is_did or is_list or _reference_contexts().get(url, _MISSING) == document):
            raise HarnessError(f"documents[{url!r}] is neither a DID document, a status-list credential nor "
                               "a reference context of ../shared/spec")
    return checked


def node_available() -> bool:
    """True when ``node`` and ``npm`` are on PATH."""
    return shutil.which("node") is not None and shutil.which("npm") is not None


def _install_is_current() -> bool:
    """Every dependency pinned in package.json is present at that version."""
    pinned = json.loads((INTEROP_DIR / "package.json").read_text(encoding="utf-8"))
    for name, version in pinned.get("dependencies", {}).items():
        manifest = INTEROP_DIR / "node_modules" / name / "package.json"
        try:
            installed = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            return False
        if installed != version:
            return False
    return True


def ensure_installed() -> None:
    """Run ``npm ci`` in ``interop/`` once, unless node_modules is already current.

    Raises :class:`HarnessError` (with npm's output) when node/npm are missing
    or ``npm ci`` fails.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        if not node_available():
            raise HarnessError("node/npm not found on PATH; the interop harness needs Node >= 20")
        if not _install_is_current():
            try:
                proc = subprocess.run(
                    ["npm", "ci", "--no-audit", "--no-fund"],
                    cwd=INTEROP_DIR,
                    capture_output=True,
                    text=True,
                    timeout=600,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired as exc:
                raise HarnessError(f"`npm ci` in {INTEROP_DIR} timed out after {exc.timeout} s") from exc
            if proc.returncode != 0 or not _install_is_current():
                raise HarnessError(
                    f"`npm ci --no-audit --no-fund` failed in {INTEROP_DIR} "
                    f"(exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
                )
        _installed = True


def _run(script: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    ensure_installed()
    try:
        proc = subprocess.run(
            ["node", str(INTEROP_DIR / script)],
            cwd=INTEROP_DIR,
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"interop/{script} timed out after {TIMEOUT} s") from exc
    if proc.returncode != 0:
        raise HarnessError(f"interop/{script} exited {proc.returncode}:\n{proc.stderr.strip()}")
    try:
        result = json.loads(proc.stdout)
    except ValueError as exc:
        raise HarnessError(f"interop/{script} printed non-JSON output: {proc.stdout[:500]!r}") from exc
    if not isinstance(result, dict):
        raise HarnessError(f"interop/{script} printed {type(result).__name__}, expected an object")
    return result


def verify(
    credential: Mapping[str, Any],
    documents: Mapping[str, Any] | None = None,
    check_status: bool = False,
    *,
    check_issuer: bool = True,
    now: str | None = None,
) -> dict[str, Any]:
    """Verify a Data Integrity / Ed25519Signature2020 credential with @digitalbazaar/vc.

    ``documents`` maps URL -> JSON for everything that is not a bundled npm
    context or a did:key: extra contexts, DID documents (keyed by the DID; a
    ``#fragment`` VM id is looked up inside it), status list credentials.
    ``check_issuer=False`` drops vc's "issuer == VM controller" rule (for test
    vectors whose issuer is not the signing DID). Returns
    ``{"verified", "error", "results", "statusResult", "documentsUsed"}``.
    """
    payload: dict[str, Any] = {
        "credential": credential,
        "documents": check_documents(documents or {}),
        "checkStatus": bool(check_status),
        "checkIssuer": bool(check_issuer),
    }
    if now is not None:
        payload["now"] = now
    return _run("verify.mjs", payload)


def verify_jwt(
    jwt: str,
    jwks: Mapping[str, Any],
    issuer: str | None = None,
    *,
    current_date: str | None = None,
) -> dict[str, Any]:
    """Verify a compact JWT with jose ``jwtVerify`` (ES256/RS256/EdDSA only).

    Returns ``{"verified", "error", "code", "header", "payload"}``.
    """
    payload: dict[str, Any] = {"jwt": jwt, "jwks": dict(jwks)}
    if issuer is not None:
        payload["issuer"] = issuer
    if current_date is not None:
        payload["currentDate"] = current_date
    return _run("verify-jwt.mjs", payload)


def sign(
    credential: Mapping[str, Any],
    suite: str,
    seed: bytes | str | None = None,
    *,
    did: str | None = None,
    key_id: str | None = None,
    created: str | None = None,
    documents: Mapping[str, Any] | None = None,
    strict: bool = True,
) -> dict[str, Any]:
    """Sign with @digitalbazaar/vc ``issue`` ("eddsa-rdfc-2022" or "Ed25519Signature2020").

    The issuer becomes the key's did:key, or ``did`` when given (then the
    returned ``didDocument`` must be passed to :func:`verify` in ``documents``
    under that DID). ``seed``: 32 bytes (or 64 hex chars) for a deterministic
    key. Returns ``{"signed", "error", "didDocument", "verificationMethod",
    "publicKeyMultibase"}``. When the library refuses to sign, ``signed`` is
    None and ``error`` says why; with ``strict`` (default) that raises
    :class:`SignRefused` instead.
    """
    payload: dict[str, Any] = {"credential": credential, "suite": suite, "documents": check_documents(documents or {})}
    if seed is not None:
        payload["seed"] = seed.hex() if isinstance(seed, (bytes, bytearray)) else seed
    if did is not None:
        payload["did"] = did
    if key_id is not None:
        payload["keyId"] = key_id
    if created is not None:
        payload["created"] = created
    result = _run("sign.mjs", payload)
    if strict and result.get("signed") is None:
        raise SignRefused(f"@digitalbazaar/vc refused to sign: {result.get('error')}", result)
    return result


def sign_jws(payload: Mapping[str, Any], header: Mapping[str, Any], jwk: Mapping[str, Any]) -> str:
    """A compact JWS of ``payload`` signed by panva ``jose`` ``CompactSign`` with ``header`` as given
    and the private ``jwk`` (EdDSA, ES256 or RS256)."""
    return _run("sign-jws.mjs", {"payload": dict(payload), "header": dict(header), "jwk": dict(jwk)})["jws"]


def status_bit(
    list_credential: Mapping[str, Any] | str,
    index: int,
    documents: Mapping[str, Any] | None = None,
    *,
    verify: bool = False,
) -> dict[str, Any]:
    """Read bit ``index`` of a BitstringStatusListCredential with their decoder.

    ``list_credential`` is the credential itself or its URL in ``documents``.
    Returns ``{"bit", "length", "statusPurpose", "verified", "error"}``
    (``verified`` is None unless ``verify=True``).
    """
    return _run(
        "status.mjs",
        {
            "statusListCredential": list_credential,
            "index": index,
            "documents": check_documents(documents or {}),
            "verify": bool(verify),
        },
    )


def encode_list(length: int, set_bits: Sequence[int]) -> dict[str, Any]:
    """Encode a status list of ``length`` bits with ``set_bits`` set, using their encoder.

    Returns ``{"encodedList": "u...", "length": int}``.
    """
    return _run("status.mjs", {"encode": {"length": length, "set": list(set_bits)}})


def verify_as_wallet(
    items: Sequence[Mapping[str, Any]],
    documents: Mapping[str, Any],
    *,
    verifiers: Sequence[str] = ("digitalbazaar", "dcc", "jose"),
) -> dict[str, Any]:
    """Verify many credentials in one node process, as a wallet outside the service would.

    ``items``: ``{"id", "credential"}`` (JSON-LD: @digitalbazaar/vc and
    @digitalcredentials/verifier-core) or ``{"id", "jwt"}`` (VC-JWT: jose, key from the DID
    document). ``documents`` may hold only DID documents (by DID) and status-list credentials
    (by URL); anything else is a :class:`HarnessError`. Returns
    ``{"results": [...], "requested": [urls], "refused": [urls]}`` (see ``interop/verify-wallet.mjs``).
    """
    payload = {"items": [dict(i) for i in items], "documents": check_documents(documents, shapes=False),
               "verifiers": list(verifiers)}
    return _run("verify-wallet.mjs", payload)


def shipped_contexts() -> dict[str, list[str]]:
    """The context URLs each third-party verifier ships: ``{"digitalbazaar": [...], "dcc": [...]}``."""
    return _run("contexts.mjs", {})
