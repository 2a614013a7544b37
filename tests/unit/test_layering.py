"""Flask only at the edge: the core packages never import Flask (style habit 2)."""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "issuer"
EDGE = {"api", "web", "cli.py", "__init__.py"}


def _core_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in EDGE or "migrations" in rel.parts:
            continue
        yield pytest.param(path, id=str(rel))


@pytest.mark.parametrize("path", list(_core_modules()))
def test_core_module_does_not_import_flask(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        assert not any(n == "flask" or n.startswith("flask.") or n == "werkzeug" or n.startswith("werkzeug.")
                       for n in names), f"{path.name} imports Flask/Werkzeug"


def test_only_the_key_modules_import_hazmat():
    """Signing keys live in proofs/keys.py; keystore.py seals them (AES-GCM). Nothing else (habit 4)."""
    allowed = {"proofs/keys.py", "keystore.py"}
    users = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
             if "cryptography.hazmat" in p.read_text(encoding="utf-8")}
    assert users <= allowed, users - allowed
