"""Typed config from YAML: a nested dict becomes frozen dataclasses, or a ParamsError.

`build(cls, data, where)` checks every key against the dataclass fields: unknown keys,
missing required keys and wrong types are errors that name the dotted key
(`selection.budget: expected int, got 'ten'`). Supported annotations: bool, int, float,
str, Literal[...], X | None, list[X], tuple[X, ...], dict[str, X] and nested dataclasses.
Lower layers keep their own config dataclasses; this module only fills them.
"""

import dataclasses
import types
import typing
from typing import Any, Literal, TypeVar, Union

from ouroboros.errors import ParamsError

T = TypeVar("T")


def _check(tp: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        return build(tp, value, where)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return _check(option, value, where)
            except ParamsError as exc:
                errors.append(str(exc))
        raise ParamsError(errors[0] if len(errors) == 1 else f"{where}: {value!r} fits none of {tp}")
    if origin is Literal:
        if value not in args:
            raise ParamsError(f"{where}: expected one of {list(args)}, got {value!r}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ParamsError(f"{where}: expected a list, got {value!r}")
        item = args[0] if args else Any
        out = [_check(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(out) if origin is tuple else out
    if origin is dict:
        if not isinstance(value, dict):
            raise ParamsError(f"{where}: expected a mapping, got {value!r}")
        return {str(k): _check(args[1] if args else Any, v, f"{where}.{k}") for k, v in value.items()}
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamsError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp in (int, str, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise ParamsError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    raise TypeError(f"{where}: unsupported annotation {tp!r}")


def build(cls: type[T], data: Any, where: str = "params") -> T:
    """Instantiate dataclass `cls` from a mapping, checking keys and types recursively."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParamsError(f"{where}: expected a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ParamsError(f"{where}.{unknown[0]}: unknown key (known: {', '.join(sorted(fields))})")
    kwargs = {}
    for name, field in fields.items():
        if name in data:
            kwargs[name] = _check(hints[name], data[name], f"{where}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ParamsError(f"{where}.{name}: missing")
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as exc:  # a dataclass's own __post_init__ checks
        raise ParamsError(f"{where}: {exc}") from exc
