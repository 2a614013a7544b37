"""Refresh the official 1EdTech Open Badges 3.0 JSON Schemas bundled in ``issuer/official_schemas``.

Usage:  python scripts/bundle_official_schemas.py [FOLDER]

FOLDER (default ``$ISSUER_SPEC_DIR/schemas``, else ``../shared/spec/schemas``) holds byte copies of the
schemas as published in ``1EdTech/openbadges-specification`` (gh-pages ``docs/schema/``, served at
``https://purl.imsglobal.org/spec/ob/v3p0/schema/json/``). Each file is copied byte for byte and
recorded in ``issuer/official_schemas/MANIFEST.json`` with its published URL, its ``$id``, its source
(repository @ commit : path) and its sha256. ``tests/unit/verify/test_official_schemas.py`` checks the
bundled copies against the reference folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "issuer" / "official_schemas"
PUBLISHED = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
REPOSITORY = "1EdTech/openbadges-specification"
COMMIT = "a4e4e709665ced019c271173b180fcafe35f6f2a"  # gh-pages; schemas built 2024-07-31
LICENSE_NOTE = ("the schema files carry no licence text; the Open Badges 3.0 specification that publishes "
                "them refers to the 1EdTech specification licence (http://www.imsglobal.org/speclicense.html)")
SCHEMAS = {  # bundled file name -> path in the repository
    "ob_v3p0_achievementcredential_schema.json": "docs/schema/achievementcredential.json",
    "ob_v3p0_endorsementcredential_schema.json": "docs/schema/endorsementcredential.json",
    "ob_v3p0_profile_schema.json": "docs/schema/profile.json",
}


def main(argv: list[str]) -> int:
    default = pathlib.Path(os.environ.get("ISSUER_SPEC_DIR", ROOT.parent / "shared" / "spec")) / "schemas"
    source = pathlib.Path(argv[0]) if argv else default
    manifest = {}
    for name, path in SCHEMAS.items():
        data = (source / name).read_bytes()
        schema = json.loads(data)
        (TARGET / name).write_bytes(data)
        manifest[name] = {
            "url": PUBLISHED + name,
            "$id": schema.get("$id"),
            "title": schema.get("title"),
            "source": f"{REPOSITORY}@{COMMIT}:{path}",
            "license": LICENSE_NOTE,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    (TARGET / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"bundled {len(manifest)} schemas from {source} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
