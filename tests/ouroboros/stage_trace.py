"""What a DVC stage's `ouro` verb really depends on: the first-party files it can import and
the params keys it reads. tests/ouroboros/test_stage_deps.py compares both with dvc.yaml
(whose stages are read here too).

Code: the import graph from the verb's callback, read statically with `ast` so that imports
inside functions (the CLI imports heavy modules lazily) and modules named in strings (the
sandbox worker starts as `-m curation.executor.worker`; `store` resolves its exports through
a name table) count as well. A `from package import name` resolves to the module that
defines `name`, so re-exports and lazy exports lead to the file an edit would change.

Params: every field read of the Params tree that the verb's own `load_params` built
(dataclass fields are read through `__getattribute__`, patched for the duration).
"""

import ast
import dataclasses
import importlib
import inspect
import shlex
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import yaml

import ouroboros.params
from tests.conftest import ROOT

PACKAGES = ("plumbing", "store", "curation", "training", "ouroboros")


# ------------------------------------------------------------------------------- dvc.yaml

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text())
PROJECT_PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())


def expand(name: str, spec: dict) -> tuple[str, dict, set[str]]:
    """(stage name, definition, params keys the stage follows by construction).

    A `foreach` stage is checked on its first entry (they share one definition); it follows
    the list it iterates over, since DVC regenerates its entries from it."""
    if "foreach" not in spec:
        return name, spec, set()
    source = spec["foreach"].strip("${} ")
    item = PROJECT_PARAMS[source][0]
    text = yaml.safe_dump(spec["do"])
    for key, value in item.items():
        text = text.replace("${item." + key + "}", str(value))
    return f"{name}@0", yaml.safe_load(text), {source}


STAGES = [expand(name, spec) for name, spec in DVC["stages"].items()]


def stage_names(stage: str) -> set[str]:
    """The names `dvc status` gives the entries of a checked stage (round@0 -> round@0, round@1, ...)."""
    name, at, _ = stage.partition("@")
    if not at:
        return {stage}
    source = DVC["stages"][name]["foreach"].strip("${} ")
    return {f"{name}@{i}" for i in range(len(PROJECT_PARAMS[source]))}


def callback(args: list[str]):
    """The function behind `ouro <verb> ...` or `ouro <group> <verb> ...`."""
    from ouroboros.cli import app  # the CLI, only when a verb is looked up

    for info in app.registered_commands:
        if (info.name or info.callback.__name__) == args[0]:
            return info.callback
    for group in app.registered_groups:
        if group.name == args[0] and len(args) > 1:
            for info in group.typer_instance.registered_commands:
                if (info.name or info.callback.__name__) == args[1]:
                    return info.callback
    raise LookupError(f"dvc.yaml runs `ouro {' '.join(args[:2])}`, which is not an `ouro` verb")


def ouro_args(stage: str, spec: dict) -> list[str]:
    words = shlex.split(spec["cmd"])
    assert words[0] == "ouro", f"stage {stage}: expected an `ouro` command, got {spec['cmd']!r}"
    return words[1:]




def module_path(name: str) -> Path | None:
    """The first-party file of module `name`, or None when it is not one."""
    if name.split(".")[0] not in PACKAGES:
        return None
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _with_parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _defining_module(package: str, name: str) -> str | None:
    """The module that defines `package.name` (itself a submodule, or where the object was defined)."""
    if module_path(f"{package}.{name}") is not None:
        return f"{package}.{name}"
    try:
        value = getattr(importlib.import_module(package), name)
    except (ImportError, AttributeError):
        return None
    if isinstance(value, ModuleType):
        return value.__name__
    owner = inspect.getmodule(value)
    return owner.__name__ if owner is not None else None


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imported_names(tree: ast.AST, module: str, path: Path) -> set[str]:
    """First-party modules a syntax tree imports anywhere (or names in a string constant)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = _package_of(module, path).split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {m for a in node.names if a.name != "*" and (m := _defining_module(base, a.name))}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and module_path(node.value):
            found.add(node.value)
    return {parent for name in found if module_path(name) for parent in _with_parents(name) if module_path(parent)}


def module_closure(roots: set[str], shallow: frozenset[str] = frozenset()) -> set[Path]:
    """Files of `roots` and of every first-party module they import, transitively.

    Modules in `shallow` contribute only their module-level imports (not those inside
    their functions): the verb's own module, whose other verbs import other stages' code."""
    seen: set[str] = set()
    todo = [p for r in roots for p in _with_parents(r) if module_path(p)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_path(name)
        tree = ast.parse(path.read_text(), str(path))
        if name in shallow:
            tree.body = [s for s in tree.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
        todo += imported_names(tree, name, path) - seen
    return {module_path(n) for n in seen}


def verb_code(callback) -> set[Path]:
    """The files a verb's callback can load: its module's top level and what the callback imports."""
    source = inspect.getsource(callback)
    module = callback.__module__
    tree = ast.parse(inspect.cleandoc("\n" + source) if source.startswith(" ") else source)
    return module_closure({module} | imported_names(tree, module, module_path(module)), frozenset({module}))


def declared_code(deps: list[str]) -> set[Path]:
    """The first-party .py files a stage's `deps` entries cover (a folder covers all of its files)."""
    files: set[Path] = set()
    for dep in deps:
        path = ROOT / dep
        if dep.split("/")[0] not in PACKAGES:
            continue
        if path.is_dir():
            files |= {p for p in path.rglob("*.py") if "__pycache__" not in p.parts}
        else:
            files.add(path)
    return files


# ------------------------------------------------------------------------------- params


def _config_classes(cls: type, out: set[type]) -> set[type]:
    hints = typing.get_type_hints(cls)
    out.add(cls)
    for f in dataclasses.fields(cls):
        for tp in [hints[f.name], *typing.get_args(hints[f.name])]:
            if dataclasses.is_dataclass(tp) and tp not in out:
                _config_classes(tp, out)
    return out


def _register(value, path: str, paths: dict[int, str]) -> None:
    paths[id(value)] = path
    for f in dataclasses.fields(value):
        child = object.__getattribute__(value, f.name)
        if dataclasses.is_dataclass(child):
            _register(child, f"{path}.{f.name}".lstrip("."), paths)


@contextmanager
def recorded_params_reads() -> Iterator[set[str]]:
    """Yields the set that collects the dotted keys read from any Params built inside the block.

    A section read on the way to its keys (`params.train.lr`) records only the key; a
    section handed on whole records each key its reader then reads."""
    reads: set[str] = set()
    paths: dict[int, str] = {}
    alive: list = []  # keeps every registered object alive, so no other object reuses its id()
    real_build = ouroboros.params.build
    classes = _config_classes(ouroboros.params.Params, set())
    originals = {cls: cls.__dict__.get("__getattribute__") for cls in classes}

    def build(cls, data, where="params"):
        built = real_build(cls, data, where)
        if cls is ouroboros.params.Params:
            alive.append(built)
            _register(built, "", paths)
        return built

    def getattribute(self, name):
        value = object.__getattribute__(self, name)
        path = paths.get(id(self))
        if path is not None and name in type(self).__dataclass_fields__ and id(value) not in paths:
            reads.add(f"{path}.{name}".lstrip("."))
        return value

    ouroboros.params.build = build
    for cls in classes:
        cls.__getattribute__ = getattribute
    try:
        yield reads
    finally:
        ouroboros.params.build = real_build
        for cls, original in originals.items():
            if original is None:
                del cls.__getattribute__
            else:
                cls.__getattribute__ = original


def covers(declared: str, key: str) -> bool:
    """A dvc.yaml params entry covers a key when it is the key or a section above it."""
    return key == declared or key.startswith(declared + ".")


# ------------------------------------------------------------------------------- dvc.yaml deps


def folded(files: set[Path]) -> list[str]:
    """The shortest deps list covering exactly `files`: a folder where every .py file under it
    is in `files`, otherwise the files (what dvc.yaml lists, and what
    `python -m tests.ouroboros.stage_trace` prints for each stage)."""
    out: list[str] = []

    def walk(folder: Path) -> None:
        covered = declared_code([str(folder.relative_to(ROOT))])
        if covered and covered <= files:  # a folder of templates alone is no code dep
            out.append(str(folder.relative_to(ROOT)))
            return
        for child in sorted(folder.iterdir()):
            if child.is_dir() and child.name != "__pycache__":
                walk(child)
            elif child in files:
                out.append(str(child.relative_to(ROOT)))

    for package in PACKAGES:
        if any(f.is_relative_to(ROOT / package) for f in files):
            walk(ROOT / package)
    return out


def rewrite_code_deps(text: str, deps: dict[str, list[str]]) -> str:
    """dvc.yaml's `text` with each stage's first-party code deps replaced by `deps[stage]`
    (in place of the first one, at its indent); data deps such as runs/ stay as they are.

    Only entries under a stage's `deps:` key are code deps: a params entry can share a
    package's name (the `curation` section and the `curation` package)."""
    out: list[str] = []
    stage, written, in_deps = None, False, False
    for line in text.splitlines(keepends=True):
        bare = line.strip()
        if line.startswith("  ") and not line.startswith("   ") and bare.endswith(":"):
            stage, written = bare[:-1], False
        if bare.endswith(":") and not bare.startswith(("- ", "#")):  # a key opens a new list
            in_deps = bare == "deps:"
        if in_deps and bare.startswith("- ") and bare[2:].split("/")[0] in PACKAGES and stage in deps:
            if not written:
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(f"{indent}- {dep}\n" for dep in deps[stage])
                written = True
            continue
        out.append(line)
    return "".join(out)


if __name__ == "__main__":
    import sys

    traced = {stage.partition("@")[0]: folded(verb_code(callback(ouro_args(stage, spec)))) for stage, spec, _ in STAGES}
    if sys.argv[1:] == ["--write"]:  # refresh dvc.yaml's code deps after an import changed
        path = ROOT / "dvc.yaml"
        path.write_text(rewrite_code_deps(path.read_text(), traced))
    for stage, deps in traced.items():
        print(f"{stage}:")
        print("\n".join(f"  - {dep}" for dep in deps))
