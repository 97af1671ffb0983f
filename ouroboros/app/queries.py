"""The rows page's URL as a `SliceQuery` and a page number, and back.

The URL is the state: `/rows?round=2&task=object_counting&band=frontier&page=3` is a
view anyone with the app can open. Parameters are named like SliceQuery's fields; empty
ones mean "any". A value of the wrong type is the same kind of one-line CliInputError
the rest of the values give (ouroboros.slicing).
"""

from collections.abc import Mapping
from dataclasses import fields
from urllib.parse import urlencode

from ouroboros.errors import CliInputError
from ouroboros.slicing import SliceQuery

PAGE_ROWS = 50
TYPES = {"round": int, "min_confidence": float, "max_confidence": float, "min_reward": float, "max_reward": float,
         "group": int}


def parse(params: Mapping[str, str]) -> tuple[SliceQuery, int]:
    """(query, page) of the rows page's query parameters; page counts from 1."""
    given = {}
    for field in fields(SliceQuery):
        text = params.get(field.name, "").strip()
        if not text:
            continue
        if field.name == "selected":
            if text not in ("true", "false"):
                raise CliInputError(f"selected {text!r} is not a choice; valid: true, false")
            given["selected"] = text == "true"
        elif field.name in TYPES:
            try:
                given[field.name] = TYPES[field.name](text)
            except ValueError:
                raise CliInputError(f"{field.name} {text!r} is not a number") from None
        else:
            given[field.name] = text
    page = params.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise CliInputError(f"page {page!r} is not a page number (1, 2, ...)")
    return SliceQuery(**given), int(page)


def to_params(query: SliceQuery) -> dict[str, str]:
    """The URL parameters of `query` (only those it sets)."""
    out = {}
    for field in fields(SliceQuery):
        value = getattr(query, field.name)
        if value is not None and value != field.default:
            out[field.name] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def url(query: SliceQuery, page: int = 1) -> str:
    params = to_params(query) | ({"page": str(page)} if page > 1 else {})
    return "/rows" + ("?" + urlencode(params) if params else "")
