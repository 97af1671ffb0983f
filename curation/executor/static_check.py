"""Static check of an untrusted QA program: parse it and walk the AST against an allow-list.

A program is accepted only if its AST stays inside what VQAGen-style programs need:
- imports: `import numpy [as x]`, `import math [as x]`, `from numpy|math|numpy.linalg
  import name [as x]`; at run time they resolve to the sandbox's read-only module proxies
  (the modules are already in the namespace), so no import machinery runs;
- no identifier starting with `__` (dunders and mangled names), no attribute starting
  with `_`, no attribute on the deny-list (frame/generator internals, numpy file I/O);
- no introspection or escape builtins (`getattr`, `eval`, `exec`, `open`, `type`, ...)
  unless the program binds that name itself (then it is just a variable);
- no attribute assignment or deletion (the only way left to mutate shared objects such as
  numpy's Python classes), no class definitions, no async code, no star imports;
- `str.format` only on a string literal whose fields use no attribute or index lookups
  (format fields can reach dunders), no `format_map`.

The executor runs the check in its worker (parsing hostile text is itself a risk);
`check_program` offers the same check in-process as a cheap pre-filter and never
executes anything.
"""

import ast
import string
from dataclasses import dataclass

MAX_SOURCE_CHARS = 100_000
ALLOWED_MODULES = {"numpy", "math"}
ALLOWED_FROM_MODULES = {"numpy", "math", "numpy.linalg"}
DENIED_BUILTINS = frozenset(
    """getattr setattr delattr hasattr eval exec compile open globals locals vars dir input
    breakpoint help memoryview type super object classmethod staticmethod property exit quit
    id copyright credits license""".split()
)
DENIED_ATTRIBUTES = frozenset(
    """gi_frame gi_code gi_yieldfrom gi_running gi_suspended cr_frame cr_code cr_await cr_origin
    ag_frame ag_code ag_await f_back f_globals f_locals f_builtins f_code f_trace tb_frame tb_next
    co_code co_consts co_names func_globals func_code mro format_map
    load save savez savez_compressed savetxt loadtxt genfromtxt fromregex fromfile tofile dump
    memmap open_memmap ctypes ctypeslib lib DataSource f2py distutils testing
    set_printoptions seterr seterrcall setbufsize set_string_function show_config info source""".split()
)


class ProgramRejected(ValueError):
    """The program fails the static check; the message says what and where (line)."""


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: str = ""  # why it was rejected ("" when ok)


def check_program(code: str) -> CheckResult:
    """Statically check `code` in this process (a cheap pre-filter; the executor re-checks in its worker)."""
    try:
        parse_checked(code)
    except ProgramRejected as exc:
        return CheckResult(False, str(exc))
    return CheckResult(True)


def parse_checked(code: str) -> ast.Module:
    """The program's AST if it passes the check; ProgramRejected (naming the line) otherwise."""
    if not isinstance(code, str):
        raise ProgramRejected(f"program must be a string, got {type(code).__name__}")
    if len(code) > MAX_SOURCE_CHARS:
        raise ProgramRejected(f"program is {len(code)} characters, more than {MAX_SOURCE_CHARS}")
    try:
        tree = ast.parse(code, "<program>", "exec")
    except SyntaxError as exc:
        raise ProgramRejected(f"syntax error at line {exc.lineno}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        raise ProgramRejected(f"cannot parse the program: {type(exc).__name__}") from None
    bound: set[str] = set()
    loaded_denied: list[ast.Name] = []
    for node in ast.walk(tree):  # iterative: no recursion limit on deep trees
        _check_node(node, bound, loaded_denied)
    for node in loaded_denied:
        if node.id not in bound:
            raise ProgramRejected(f"builtin {node.id!r} is not allowed in programs, {_where(node)}")
    return tree


def _where(node: ast.AST) -> str:
    return f"line {getattr(node, 'lineno', '?')}"


def _identifier(name: str | None, node: ast.AST, what: str) -> None:
    if name and name.startswith("__"):
        raise ProgramRejected(f"{what} {name!r} is not allowed (dunder names are off limits), {_where(node)}")


def _attribute_name(attr: str, node: ast.AST) -> None:
    if attr.startswith("_"):
        raise ProgramRejected(f"attribute {attr!r} is not allowed (private or dunder), {_where(node)}")
    if attr in DENIED_ATTRIBUTES:
        raise ProgramRejected(f"attribute {attr!r} is not allowed (introspection or file access), {_where(node)}")


def _check_node(node: ast.AST, bound: set[str], loaded_denied: list[ast.Name]) -> None:
    """Check one node; record names the program binds and denied builtins it reads."""
    if isinstance(node, ast.Name):
        _identifier(node.id, node, "name")
        if isinstance(node.ctx, ast.Load):
            if node.id in DENIED_BUILTINS:
                loaded_denied.append(node)
        else:
            bound.add(node.id)
    elif isinstance(node, ast.Attribute):
        _attribute_name(node.attr, node)
        if not isinstance(node.ctx, ast.Load):
            raise ProgramRejected(f"assigning or deleting attribute {node.attr!r} is not allowed, {_where(node)}")
        if node.attr == "format" and not _safe_format_literal(node.value):
            raise ProgramRejected(
                f"str.format is allowed only on a string literal with plain fields (use an f-string), {_where(node)}"
            )
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES:
                raise ProgramRejected(f"import of {alias.name!r} is not allowed (only numpy and math), {_where(node)}")
            _identifier(alias.asname, node, "name")
            bound.add(alias.asname or alias.name)
    elif isinstance(node, ast.ImportFrom):
        if node.level or node.module not in ALLOWED_FROM_MODULES:
            raise ProgramRejected(
                f"import from {node.module!r} is not allowed (only numpy, numpy.linalg and math), {_where(node)}"
            )
        for alias in node.names:
            if alias.name == "*":
                raise ProgramRejected(f"star import is not allowed, {_where(node)}")
            _attribute_name(alias.name, node)
            _identifier(alias.asname, node, "name")
            bound.add(alias.asname or alias.name)
    elif isinstance(node, ast.FunctionDef):
        _identifier(node.name, node, "function name")
        bound.add(node.name)
    elif isinstance(node, ast.arg):
        _identifier(node.arg, node, "parameter")
        bound.add(node.arg)
    elif isinstance(node, ast.keyword):
        _identifier(node.arg, node, "keyword")
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        _identifier(node.name, node, "name")
        if node.name:
            bound.add(node.name)
    elif isinstance(node, ast.Global | ast.Nonlocal):
        for name in node.names:
            _identifier(name, node, "name")
    elif isinstance(node, ast.MatchMapping):
        _identifier(node.rest, node, "name")
        if node.rest:
            bound.add(node.rest)
    elif isinstance(node, ast.MatchClass):
        for attr in node.kwd_attrs:  # class patterns read attributes by name
            _attribute_name(attr, node)
    elif isinstance(node, ast.ClassDef):
        raise ProgramRejected(f"class definitions are not allowed, {_where(node)}")
    elif isinstance(node, ast.AsyncFunctionDef | ast.AsyncFor | ast.AsyncWith | ast.Await):
        raise ProgramRejected(f"async code is not allowed, {_where(node)}")


def _safe_format_literal(value: ast.expr) -> bool:
    """A string constant whose replacement fields name no attribute or index (`{0.__class__}`, `{x[0]}`)."""
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        return False
    try:
        fields = list(string.Formatter().parse(value.value))
    except ValueError:
        return False
    for _, field, spec, _ in fields:
        if field is None:
            continue
        if "." in field or "[" in field or "{" in (spec or ""):
            return False
    return True
