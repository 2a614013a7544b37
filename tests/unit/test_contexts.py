"""Bundled JSON-LD contexts: provenance recorded, files intact, equal to the reference copies."""
import hashlib
import json
from importlib import resources

import pytest

from issuer.badges.contexts import BUNDLED_CONTEXTS, MANIFEST
from tests.spec import load_spec_json, spec_path

ROOT = resources.files("issuer") / "contexts"


def test_every_bundled_context_has_provenance():
    assert set(BUNDLED_CONTEXTS) == set(MANIFEST)
    for url, entry in MANIFEST.items():
        assert {"file", "package", "path", "license", "published_sha256", "sha256"} <= set(entry), url
        assert entry["license"], url
        data = (ROOT / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{entry['file']} changed since bundling"


@pytest.mark.parametrize("url", sorted(u for u, e in MANIFEST.items() if not e["package"].startswith("this project")))
def test_bundled_context_equals_reference_copy(url):
    index = load_spec_json("contexts", "INDEX.json")["contexts"]
    assert url in index, f"no reference copy for {url}"
    reference = json.loads(spec_path("contexts", index[url]["file"]).read_text(encoding="utf-8"))
    assert BUNDLED_CONTEXTS[url] == reference


def test_reference_sha256_matches_where_published():
    """INDEX.json records the sha256 of the published file where one is published."""
    index = load_spec_json("contexts", "INDEX.json")["contexts"]
    for url, entry in MANIFEST.items():
        published = index.get(url, {}).get("sha256")
        if published and published == entry["published_sha256"]:
            continue  # the npm file is byte-identical to the published one
        if published:
            ref = spec_path("contexts", index[url]["file"]).read_bytes()
            assert hashlib.sha256(ref).hexdigest() == published  # reference copy is the published bytes
