"""Convert a program's return value into plain JSON (so every result can be stored).

Accepted: None, bool, int, finite float, str, list/tuple (-> list), dict with str keys,
numpy scalars and arrays (-> Python numbers / nested lists). NaN/inf, text with lone
surrogates (not storable as UTF-8), other types, non-str keys, values nested deeper than
MAX_DEPTH or bigger than MAX_ITEMS / MAX_CHARS raise `UnstorableValue` naming the path
(e.g. `value[2]['d']`). `to_json` makes exact type checks only: no method of a
program-made object is ever called by it. `plain` does the same conversion for trusted
data (a caller's scene or options), calling numpy's own `tolist`.
"""

import math
from typing import Any

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 100_000  # list items + dict entries in one result
MAX_CHARS = 1_000_000  # total characters of strings in one result


class UnstorableValue(ValueError):
    """The value cannot be stored as JSON; the message names where and why."""


def plain(value: Any) -> Any:
    """Trusted data (a caller's scene, options read from a file, an in-process result) with numpy
    arrays and scalars as Python lists and numbers and tuples as lists, at any depth; other
    values as they are. It calls the values' own `tolist`, so a program's result goes through
    `to_json` instead."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def to_json(value: Any) -> Any:
    """`value` as plain JSON types, or UnstorableValue."""
    budget = [MAX_ITEMS, MAX_CHARS]
    return _convert(value, "value", 0, budget)


def _convert(value: Any, path: str, depth: int, budget: list[int]) -> Any:
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise UnstorableValue(f"{path} is {value} (not a finite number)")
        return value
    if kind is str:
        budget[1] -= len(value)
        if budget[1] < 0:
            raise UnstorableValue(f"{path}: result has more than {MAX_CHARS} characters of text")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise UnstorableValue(f"{path} is text that is not valid Unicode (a lone surrogate)") from None
        return value
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return _convert(value.item(), path, depth, budget)
    if depth >= MAX_DEPTH:
        raise UnstorableValue(f"{path} is nested deeper than {MAX_DEPTH} levels")
    if kind is np.ndarray:
        if value.size > budget[0]:
            raise UnstorableValue(f"{path} is an array of {value.size} items, more than {MAX_ITEMS}")
        if value.dtype.kind not in "biufU":
            raise UnstorableValue(f"{path} is an array of dtype {value.dtype}, not numbers or text")
        return _convert(value.tolist(), path, depth, budget)
    if kind is list or kind is tuple:
        budget[0] -= len(value)
        if budget[0] < 0:
            raise UnstorableValue(f"{path}: result has more than {MAX_ITEMS} items")
        return [_convert(v, f"{path}[{i}]", depth + 1, budget) for i, v in enumerate(value)]
    if kind is dict:
        budget[0] -= len(value)
        if budget[0] < 0:
            raise UnstorableValue(f"{path}: result has more than {MAX_ITEMS} items")
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise UnstorableValue(f"{path} has a key of type {type(key).__name__} (JSON keys are strings)")
            out[_convert(key, path, depth + 1, budget)] = _convert(item, f"{path}[{key[:40]!r}]", depth + 1, budget)
        return out
    raise UnstorableValue(f"{path} has type {kind.__name__}, which cannot be stored as JSON")
