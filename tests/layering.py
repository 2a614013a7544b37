"""The package's import graph, read from the source (no imports run): shared by
tests/unit/test_layering.py and bench/layout_figures.py."""
from __future__ import annotations

import ast
import pathlib

__all__ = ["import_graph", "cycles"]


def _room(module: str) -> str:
    """The room of a dotted module: ``issuer.signing.jsonld.rdfc`` -> ``issuer.signing``; a root
    module is its own room (``issuer.issuance``); ``issuer`` itself is the app factory."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _module_name(path: pathlib.Path, package: pathlib.Path) -> tuple[str, str]:
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), ".".join(parts[:-1])
    return ".".join(parts), ".".join(parts[:-1])


def _is_module(dotted: str, package: pathlib.Path) -> bool:
    base = package.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def import_graph(package: pathlib.Path, node_of=None) -> dict[str, set[str]]:
    """Room -> rooms it imports (at any level, including imports inside functions); with
    ``node_of=lambda module: module``, the same graph between modules."""
    node_of = node_of or _room
    graph: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.relative_to(package).parts:
            continue
        module, parent = _module_name(path, package)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets += [a.name for a in node.names if a.name.startswith("issuer")]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = parent.split(".")
                    base = base[: len(base) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if source != "issuer" and not source.startswith("issuer."):
                    continue
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    targets.append(full if _is_module(full, package) else source)
        room = node_of(module)
        graph.setdefault(room, set()).update(node_of(t) for t in targets if node_of(t) != room)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one room (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out
