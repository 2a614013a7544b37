"""The package's layering rules (issue #10; style habits 2 and 4), checked by parsing the source.

* at most 6 modules at the package root;
* Flask only at the edge (``api/``, ``web/``, the app factory, ``cli.py``);
* SQLAlchemy only in ``store/`` and the services that own transactions;
* ``cryptography.hazmat`` only in the key modules of ``signing/``;
* sockets and HTTP clients only in ``resolve/`` (and the CLI); file I/O only in ``resolve/``,
  ``store/`` and the CLI, apart from the documented exceptions below;
* no import cycle between packages (rooms), and imports inside functions only with a stated reason.
"""
import ast
import pathlib
import re

import pytest

from tests.layering import cycles, import_graph

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "issuer"
ROOT_MODULES = {"__init__.py", "cli.py", "config.py", "errors.py", "issuance.py", "service.py"}
EDGE = {"api", "web", "cli.py", "__init__.py"}

# SQLAlchemy: store/ plus the services that open, commit or roll back transactions. Views listed here
# still run their own queries; new code must go through store/ instead of growing this list.
SQLALCHEMY_ALLOWED = {
    "store", "service.py", "issuance.py", "cli.py", "demo",
    "skills/catalogue.py", "skills/coverage.py", "skills/coverage_report.py", "skills/matrix.py",
    "status/lists.py", "status/publish.py", "status/revocation.py",
    "delivery/artifacts.py", "verify/runtime.py",
    "api/provider.py",  # owns the issuing transaction (idempotent retry on IntegrityError)
    "api/batches.py",  # owns the submission transaction (idempotent replay on IntegrityError)
    "jobs/batches.py",  # owns the job's transactions (an item issued twice meets the key: IntegrityError)
}
HAZMAT_ALLOWED = {"signing/keys.py"}
NETWORK_MODULES = {"socket", "ssl", "http.client", "http.server", "urllib.request", "urllib3", "requests",
                   "httpx", "aiohttp", "smtplib", "ftplib", "socketserver", "xmlrpc.client"}
NETWORK_ALLOWED = {"resolve", "cli.py"}
FILE_IO_ALLOWED = {"resolve", "store", "cli.py"}
# Documented exceptions to the file I/O rule (reading package data through importlib.resources is
# always allowed and needs no entry here).
FILE_IO_EXCEPTIONS = {
    "config.py": "Flask's instance folder: the instance config.py and the generated SECRET_KEY file",
    "demo/setup.py": "first start writes the demo API keys to the instance folder (mode 0600) for the CLI",
    "verify/runtime.py": "the one verify/ module doing I/O reads the official schemas of OFFICIAL_SCHEMA_DIR",
}
FILE_CALLS = {"read_text", "read_bytes", "write_text", "write_bytes"}


def _rel(path: pathlib.Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _modules():
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.relative_to(PACKAGE).parts]


def _allowed(rel: str, rooms: set[str]) -> bool:
    return rel in rooms or rel.split("/")[0] in rooms


def _imports(tree):
    """Every imported module name (``from a.b import c`` gives ``a.b``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, [node.module]


def _users(prefixes) -> dict[str, list[str]]:
    """Module (relative path) -> the imported names starting with one of ``prefixes``."""
    found = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n for _node, names in _imports(tree) for n in names
                 if any(n == p or n.startswith(p + ".") for p in prefixes)]
        if names:
            found[_rel(path)] = names
    return found


def _params(predicate):
    return [pytest.param(p, id=_rel(p)) for p in _modules() if predicate(_rel(p))]


def test_at_most_six_modules_at_the_package_root():
    root = {p.name for p in PACKAGE.glob("*.py")}
    assert len(root) <= 6 and root <= ROOT_MODULES, sorted(root - ROOT_MODULES)


@pytest.mark.parametrize("path", _params(lambda rel: not _allowed(rel, EDGE)))
def test_core_module_does_not_import_flask(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for _node, names in _imports(tree):
        assert not any(n.split(".")[0] in {"flask", "werkzeug"} for n in names), f"{path.name} imports Flask/Werkzeug"


def test_sqlalchemy_only_in_store_and_transaction_owners():
    users = _users(["sqlalchemy"])
    outside = sorted(rel for rel in users if not _allowed(rel, SQLALCHEMY_ALLOWED))
    assert not outside, outside


def test_hazmat_only_in_the_key_modules():
    """Key material, key derivation and AES-GCM live in signing/keys.py and nowhere else (habit 4)."""
    users = set(_users(["cryptography.hazmat"]))
    assert users <= HAZMAT_ALLOWED, users - HAZMAT_ALLOWED
    # ``from cryptography import hazmat`` would dodge the prefix test
    sneaky = {rel for rel, names in _users(["cryptography"]).items() if "cryptography" in names}
    assert not sneaky - HAZMAT_ALLOWED


def test_network_clients_only_in_resolve():
    users = _users(sorted(NETWORK_MODULES))
    outside = {rel: names for rel, names in users.items() if not _allowed(rel, NETWORK_ALLOWED)}
    assert not outside, outside


def _resource_names(tree) -> set[str]:
    """Names bound (anywhere in the module) to ``importlib.resources`` traversables."""
    names: set[str] = set()
    assigns = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    changed = True
    while changed:
        changed = False
        for node in assigns:
            if _is_resource(node.value, names):
                for target in node.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and name.id not in names:
                            names.add(name.id)
                            changed = True
    return names


def _is_resource(expr, names: set[str]) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id in names:
            return True
        if isinstance(node, ast.Attribute) and node.attr == "files" and \
                isinstance(node.value, ast.Name) and node.value.id == "resources":
            return True
    return False


def _file_io(tree) -> list[str]:
    """File-system calls: builtin/os/io ``open``, ``os.fdopen``, ``Path.read_text`` and friends."""
    resources = _resource_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append(f"open() at line {node.lineno}")
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            if func.attr in {"open", "fdopen"} and owner in {"os", "io"}:
                found.append(f"{owner}.{func.attr}() at line {node.lineno}")
            elif func.attr == "open" and isinstance(func.value, ast.Call) and \
                    getattr(func.value.func, "id", None) == "Path":
                found.append(f"Path().open() at line {node.lineno}")
            elif func.attr in FILE_CALLS and not _is_resource(func.value, resources):
                found.append(f".{func.attr}() at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", _params(lambda rel: not _allowed(rel, FILE_IO_ALLOWED)))
def test_file_io_only_in_resolve_store_and_cli(path):
    rel = _rel(path)
    found = _file_io(ast.parse(path.read_text(encoding="utf-8")))
    if rel in FILE_IO_EXCEPTIONS:
        assert found, f"{rel} no longer does file I/O: drop its exception"
    else:
        assert not found, f"{rel}: {found}"


def test_the_file_io_check_sees_what_it_should():
    flagged = _file_io(ast.parse(
        "open('x')\nos.open('x', 0)\nPath('x').read_text()\nPath('x').open()\n"
        "root = resources.files('issuer') / 'contexts'\n(root / 'a.json').read_text()\n"
        "vault.open(b'', 'binding')\n"))
    assert len(flagged) == 4, flagged


def test_no_import_cycle_between_packages():
    assert cycles(import_graph(PACKAGE)) == []


def test_no_import_cycle_between_modules():
    assert cycles(import_graph(PACKAGE, lambda module: module)) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


REASON = re.compile(r"#\s*reason:", re.IGNORECASE)


def _import_block(lines: list[str], node) -> list[str]:
    """The import's own lines plus the imports, comments and blank lines just above it."""
    start = node.lineno - 1
    while start > 0 and re.match(r"\s*(#|from |import |$)", lines[start - 1]):
        start -= 1
    return lines[start: node.end_lineno]


@pytest.mark.parametrize("path", _params(lambda rel: True))
def test_imports_inside_functions_state_their_reason(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    unexplained = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if not any(REASON.search(line) for line in _import_block(lines, node)):
                    unexplained.append(node.lineno)
    assert not unexplained, f"{_rel(path)}: imports inside functions without a '# reason:' comment at lines {unexplained}"


@pytest.mark.parametrize("path", [pytest.param(p, id=_rel(p)) for p in sorted(PACKAGE.rglob("__init__.py"))])
def test_each_package_docstring_names_its_spec_url(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert re.search(r"https?://", doc), f"{_rel(path)}: the package docstring names no spec URL"
