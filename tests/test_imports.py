"""The import rules of the packages as a test: layers, independent siblings, no cycles.

    ouroboros  ->  curation | training  ->  store  ->  plumbing

A module may import its own package and any package in a lower layer; `curation` and
`training` share a layer and never import each other; `plumbing` imports no first-party
package. `store` may import `plumbing` (it is the bottom layer that every package may use)
but does not need to today. No two modules import each other, directly or through others.

The graph comes from `ast` over the source, not from importing it: every import statement
counts, at the top, inside a function (a lazy import is still a dependency) or under
TYPE_CHECKING (an annotation still ties the two modules' definitions together). This is
a small check instead of import-linter because its `layers` and `independence` contracts
cover the first two rules but no contract of it forbids a cycle between any two modules
(`acyclic_siblings` looks at siblings of one package), and a graph check needs no
dependency. Imports by dynamic name (importlib) are not seen.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = (("ouroboros",), ("curation", "training"), ("store",), ("plumbing",))  # top first
PACKAGES = tuple(p for layer in LAYERS for p in layer)
RANK = {p: i for i, layer in enumerate(LAYERS) for p in layer}

Graph = dict[str, dict[str, str]]  # module -> {imported module: "file:line" of the first import}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the first-party packages under `root`."""
    found = {}
    for package in PACKAGES:
        for file in sorted((root / package).rglob("*.py")):
            parts = file.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return found


def imported(name: str, file: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(first-party module, line) for every import statement in `file` (module `name`)."""
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: the package, less level - 1 parts, then the module
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # `from pkg import sub` imports the submodule when there is one, else names of pkg
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import a.b.C`-style names: the module that holds them
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


def import_graph(root: Path) -> Graph:
    known = modules(root)
    graph: Graph = {}
    for name, file in known.items():
        edges = graph.setdefault(name, {})
        for target, line in imported(name, file, known):
            edges.setdefault(target, f"{file.relative_to(root)}:{line}")
    return graph


def layer_violations(graph: Graph) -> list[str]:
    """One line per import that goes up a layer or across to a sibling package."""
    bad = []
    for source, edges in sorted(graph.items()):
        top = source.split(".")[0]
        for target, where in sorted(edges.items()):
            other = target.split(".")[0]
            if other != top and RANK[other] <= RANK[top]:
                allowed = ", ".join(p for p in PACKAGES if RANK[p] > RANK[top]) or "no first-party package"
                bad.append(f"{where} imports {target}, beside or above {top} (it may import {allowed})")
    return bad


def cycles(graph: Graph) -> list[str]:
    """One line per strongly connected set of two or more modules, naming the imports inside it (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = {stack.pop()}
            while v not in members:
                members.add(stack.pop())
            if len(members) > 1:
                edges = [f"{s} -> {t} ({graph[s][t]})" for s in sorted(members) for t in sorted(graph[s])
                         if t in members]
                found.append("cycle: " + "; ".join(edges))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_packages_keep_their_layers():
    assert layer_violations(import_graph(ROOT)) == []


def test_no_module_imports_itself_through_others():
    assert cycles(import_graph(ROOT)) == []


@pytest.fixture
def project(tmp_path):
    """A project with every package, one module each, that breaks no rule until a test writes one in."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "a.py").write_text("import os\n")
    (tmp_path / "ouroboros" / "a.py").write_text("from curation import a\nfrom training.a import x\nimport store.a\n")
    (tmp_path / "store" / "a.py").write_text("from plumbing.a import y\n")
    return tmp_path


def test_the_checker_sees_an_import_that_goes_up_or_across(project):
    assert layer_violations(import_graph(project)) == []
    (project / "plumbing" / "b.py").write_text("def late():\n    from store.a import z\n")
    (project / "curation" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                              "    import training.a\n")
    assert layer_violations(import_graph(project)) == [
        "curation/b.py:3 imports training.a, beside or above curation (it may import store, plumbing)",
        "plumbing/b.py:2 imports store.a, beside or above plumbing (it may import no first-party package)",
    ]


def test_the_checker_sees_a_cycle_through_a_package_init_and_a_relative_import(project):
    assert cycles(import_graph(project)) == []
    (project / "store" / "__init__.py").write_text("from store.a import y\n")
    (project / "store" / "a.py").write_text("from . import b\n")
    (project / "store" / "b.py").write_text("from store import Lake\n")
    assert cycles(import_graph(project)) == [
        "cycle: store -> store.a (store/__init__.py:1); store.a -> store.b (store/a.py:1); "
        "store.b -> store (store/b.py:1)"]
