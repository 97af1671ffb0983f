"""Validation shared by the frozen parameter dataclasses of the curation layer."""

from collections.abc import Collection
from typing import Any

from curation.errors import ParamError


def require_in_range(section: str, field: str, value: Any, lo: float, hi: float) -> None:
    """Raise ParamError unless lo <= value <= hi (and value is a real number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ParamError(section, field, f"expected a number in [{lo}, {hi}], got {value!r}")


def require_int(section: str, field: str, value: Any, lo: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ParamError(section, field, f"expected an integer >= {lo}, got {value!r}")


def require_choice(section: str, field: str, value: Any, choices: Collection[str]) -> None:
    if value not in choices:
        raise ParamError(section, field, f"expected one of {sorted(choices)}, got {value!r}")
