"""``./scripts/serve`` installs only ``[project.dependencies]`` (no test extras). Every third-party
module the running service imports must therefore come from a distribution in the closure of
those dependencies; a module that is present only because a test tool pulled it in (as
``requests`` was for Authlib's Flask client) would make a fresh ``./scripts/serve`` fail to boot."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys, tempfile
from issuer import create_app
from issuer.config import load_config
from issuer.service import build_service
from issuer import jobs, cli  # noqa: F401 - what issuer serve / issuer worker load too
tmp = tempfile.mkdtemp()
service = build_service(load_config(__import__("pathlib").Path(tmp), environ={}, overrides={
    "DATABASE_URL": f"sqlite:///{tmp}/probe.db", "SECRET_KEY": "x" * 40, "JSONLD_WORKERS": 0}))
create_app(service=service)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _closure(requirements: list[str]) -> set[str]:
    """Canonical names of the distributions ``requirements`` install, with their dependencies."""
    seen: set[str] = set()
    todo = [(Requirement(r), ()) for r in requirements]
    while todo:
        req, _ = todo.pop()
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        try:
            dependencies = requires(req.name) or []
        except PackageNotFoundError:
            continue
        for text in dependencies:
            dep = Requirement(text)
            if dep.marker is not None and not any(dep.marker.evaluate({"extra": e}) for e in (req.extras or {""})):
                continue
            todo.append((dep, ()))
    return {s for s in seen if "[" not in s}


def test_every_module_the_service_imports_is_a_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _closure(project["dependencies"])
    probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert probe.returncode == 0, probe.stderr[-3000:]
    modules = json.loads(probe.stdout.strip().splitlines()[-1])
    owners = packages_distributions()
    missing = {}
    for module in modules:
        dists = {canonicalize_name(d) for d in owners.get(module, [])}
        if dists and not dists & runtime and "issuer" not in module and module != "_distutils_hack":
            # (_distutils_hack: setuptools' .pth hook, loaded by site in every venv)
            missing[module] = sorted(dists)
    assert not missing, f"imported at run time but only installed by test extras or by hand: {missing}"
