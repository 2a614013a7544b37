"""The package's layering rules (issue #10; style habits 2 and 4), checked by parsing the source.

* at most 6 modules at the package root;
* Flask only at the edge (``api/``, ``web/`` and the app factory);
* SQLAlchemy only in ``store/`` and the services that own transactions;
* ``cryptography.hazmat`` only in the key modules of ``signing/``;
* sockets, HTTP clients and other network clients only in ``resolve/`` (and the CLI); file I/O
  only in ``resolve/``, ``store/`` and the CLI; each exception to either rule is listed below
  with its reason, and the test fails when an exception is no longer needed;
* the README's layout tree names every folder of the package, and no folder that is gone;
* no import cycle between packages (rooms), and imports inside functions only with a stated reason.
"""
import ast
import os
import pathlib
import re

import pytest

from tests.layering import cycles, import_graph

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "issuer"
ROOT_MODULES = {"__init__.py", "cli.py", "config.py", "errors.py", "issuance.py", "service.py"}
EDGE = {"api", "web", "__init__.py"}  # Flask's edge: the HTTP rooms and the app factory
#: Flask itself, its extensions and the libraries that only make sense inside a Flask request
FLASK_PACKAGES = ("flask", "flask_", "werkzeug", "authlib.integrations.flask_")

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
                   "httpx", "aiohttp", "smtplib", "ftplib", "socketserver", "xmlrpc.client", "pika", "redis",
                   "authlib.integrations.flask_client", "authlib.integrations.requests_client",
                   "authlib.integrations.httpx_client", "dramatiq.brokers.rabbitmq", "dramatiq.brokers.redis"}
NETWORK_ALLOWED = {"resolve", "cli.py"}
# Documented exceptions to the network rule: connections to servers the operator configures (never
# a URL taken from a request or a credential, which go through resolve/fetch.py's SSRF guard).
NETWORK_EXCEPTIONS = {
    "jobs/queue.py": "the job broker: Dramatiq's RabbitMQ client at ISSUER_BROKER_URL",
    "web/console/sso.py": "Authlib's Flask OpenID Connect client fetches the discovery document, token "
                          "endpoint and JWKS the operator set (issuer console-user sso); it keeps its "
                          "state in the Flask session, so it cannot live in resolve/ (no Flask there)",
}
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
        assert not any(_is_flask(n) for n in names), f"{_rel(path)} imports Flask: {names}"


def _is_flask(name: str) -> bool:
    return any(name == p or name.startswith(p if p.endswith("_") else p + ".") for p in FLASK_PACKAGES)


def test_the_flask_check_sees_extensions():
    assert all(_is_flask(n) for n in ("flask", "flask.json", "flask_babel", "flask_wtf.csrf", "werkzeug.exceptions",
                                      "authlib.integrations.flask_client"))
    assert not any(_is_flask(n) for n in ("flaskish", "authlib.jose", "authlib.integrations.base_client"))


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
    assert set(outside) == set(NETWORK_EXCEPTIONS), (
        f"network clients outside resolve/: {sorted(set(outside) - set(NETWORK_EXCEPTIONS))}; "
        f"exceptions no longer needed: {sorted(set(NETWORK_EXCEPTIONS) - set(outside))}")


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
    hosts = re.findall(r"https?://([^/\s:)\"]+)", doc)
    real = [h for h in hosts if not h.endswith((".example", "localhost")) and h != "example.org"]
    assert real, f"{_rel(path)}: the package docstring names no spec URL (example hosts do not count: {hosts})"


README = PACKAGE.parent / "README.md"


def _layout_tree() -> list[tuple[int, str]]:
    """``(depth, name)`` of every named line of the README's Layout tree (two spaces a level)."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    out = []
    for line in block.splitlines():
        name = line.split()[0] if line.strip() else ""
        indent = len(line) - len(line.lstrip(" "))
        if name and indent % 2 == 0 and (name.endswith("/") or "." in name or name == "schemas"):
            out.append((indent // 2, name))
    return out


def _listed_folders() -> tuple[set[str], set[str]]:
    """The package folders the tree names (relative to issuer/) and the repository's top folders."""
    package, top, stack = set(), set(), []
    for depth, name in _layout_tree():
        stack[depth:] = [name.rstrip("/")]
        if depth == 0:
            top.add(stack[0])
            continue
        if stack[0] != "issuer" or name.endswith(".py"):
            continue
        parts = "/".join(stack[1:]).split("/")
        package.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return package, top


def _package_folders() -> set[str]:
    """Every folder below issuer/ that holds a file (a folder left with only ``__pycache__`` by a
    branch switch does not count) and every link to a folder."""
    found = set()
    for folder, dirs, _files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = pathlib.Path(folder).relative_to(PACKAGE).as_posix()
        if rel != "." and any(f.is_file() and "__pycache__" not in f.parts for f in pathlib.Path(folder).rglob("*")):
            found.add(rel)
        found.update((pathlib.Path(rel) / d).as_posix().lstrip("./") for d in os.listdir(folder)
                     if (pathlib.Path(folder) / d).is_symlink() and (pathlib.Path(folder) / d).is_dir())
    return found


def test_the_readme_layout_names_every_package_folder_and_no_other():
    listed, top = _listed_folders()
    actual = _package_folders()
    assert not actual - listed, f"folders of issuer/ missing from the README's Layout: {sorted(actual - listed)}"
    assert not listed - actual, f"the README's Layout names folders issuer/ no longer has: {sorted(listed - actual)}"
    gone = sorted(t for t in top if not (PACKAGE.parent / t).is_dir())
    assert not gone, f"the README's Layout names top folders that are gone: {gone}"


CORE_EXCLUDED = {"api", "web", "demo", "cli.py", "__init__.py"}  # the edge; as bench/layout_figures.py counts


def _public_functions(tree):
    """Module-level functions and the methods of module-level classes whose names are public."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    yield f"{node.name}.{item.name}", item


@pytest.mark.parametrize("path", _params(lambda rel: rel.split("/")[0] not in CORE_EXCLUDED))
def test_every_public_function_of_the_core_has_a_docstring(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = [name for name, node in _public_functions(tree) if ast.get_docstring(node) is None]
    assert not missing, f"{_rel(path)}: public functions without a docstring: {missing}"
