"""Print the package's shape figures (issue #10): modules at the root, import cycles, the largest
modules and functions, imports inside functions and docstring coverage of public functions.

    python -m bench.layout_figures [PACKAGE_DIR]     # default: ./issuer

Everything is read from the source with ``ast`` (nothing is imported), so the same script measures
an older checkout: ``git archive c446362 issuer | tar -x -C /tmp/before && python -m
bench.layout_figures /tmp/before/issuer``. Function length counts its docstring (as the style
guide's table does); migrations are left out.
"""
from __future__ import annotations

import ast
import pathlib
import statistics
import sys

from tests.layering import cycles, import_graph

EDGE = ("api", "web", "demo", "cli.py", "__init__.py")  # everything else is the core


def _modules(package: pathlib.Path) -> list[pathlib.Path]:
    return [p for p in sorted(package.rglob("*.py")) if "migrations" not in p.relative_to(package).parts]


def _functions(tree: ast.AST):
    """(qualified name, node, is_public) for module-level functions and methods of module-level classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node, not node.name.startswith("_")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    public = not node.name.startswith("_") and not item.name.startswith("_")
                    yield f"{node.name}.{item.name}", item, public


def _inner_imports(tree: ast.AST) -> int:
    count = 0
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            count += sum(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(function))
    return count


def figures(package: pathlib.Path) -> dict:
    """The figures for the package folder ``package`` (e.g. ``pathlib.Path("issuer")``)."""
    modules, functions, inner = [], [], 0
    documented = {"all": [0, 0], "core": [0, 0]}
    for path in _modules(package):
        rel = path.relative_to(package).as_posix()
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        modules.append((len(text.splitlines()), rel))
        inner += _inner_imports(tree)
        for name, node, public in _functions(tree):
            functions.append((node.end_lineno - node.lineno + 1, f"{rel}:{name}"))
            if not public:
                continue
            has_doc = ast.get_docstring(node) is not None
            scopes = ["all"] + ([] if rel.split("/")[0] in EDGE else ["core"])
            for scope in scopes:
                documented[scope][0] += has_doc
                documented[scope][1] += 1
    lengths = sorted(n for n, _ in functions)
    return {
        "root_modules": sorted(p.name for p in package.glob("*.py")),
        "package_cycles": cycles(import_graph(package)),
        "module_cycles": cycles(import_graph(package, lambda module: module)),
        "imports_inside_functions": inner,
        "modules": len(modules),
        "largest_modules": sorted(modules, reverse=True)[:5],
        "functions": len(functions),
        "median_function": statistics.median(lengths),
        "p90_function": lengths[int(0.9 * (len(lengths) - 1))],
        "largest_functions": sorted(functions, reverse=True)[:5],
        "docstrings": {scope: tuple(counts) for scope, counts in documented.items()},
    }


def main(argv: list[str]) -> None:
    package = pathlib.Path(argv[0] if argv else "issuer")
    f = figures(package)
    print(f"package: {package}")
    print(f"modules at the root: {len(f['root_modules'])} ({', '.join(f['root_modules'])})")
    print(f"import cycles between packages: {len(f['package_cycles'])} {f['package_cycles']}")
    print(f"import cycles between modules:  {len(f['module_cycles'])} {f['module_cycles']}")
    print(f"imports inside functions: {f['imports_inside_functions']}")
    print(f"modules: {f['modules']}; functions: {f['functions']}, median {f['median_function']} lines, "
          f"p90 {f['p90_function']} lines")
    print("largest modules: " + ", ".join(f"{rel} ({n})" for n, rel in f["largest_modules"]))
    print("largest functions: " + ", ".join(f"{name} ({n})" for n, name in f["largest_functions"]))
    for scope, (done, total) in f["docstrings"].items():
        label = "all modules" if scope == "all" else "core (all but " + ", ".join(EDGE) + ")"
        print(f"public functions with a docstring, {label}: {done}/{total} ({100 * done / max(total, 1):.0f}%)")


if __name__ == "__main__":
    main(sys.argv[1:])
