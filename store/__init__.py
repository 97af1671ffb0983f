"""The lake, where curation and training meet: pyarrow schemas, LanceDB tables, polars views, diffs.

Owns the table schemas (`schema`, checked on write by `conform`), the `Lake` of LanceDB
tables and partitions (`lake`; with `vectors`, the only modules that talk to LanceDB),
content ids and fingerprints (`ids`, `fingerprint`), read-side views (`views`), object-store
lakes (`remote`) and the row-level diff (`store.diff.diff`, a submodule and a function of one
name, so it is not re-exported here). It imports no other first-party package. Exports
resolve lazily: importing `store.errors` (which every package's errors build on) must not
pull in lancedb, seconds of start-up for a CLI `--help` or a sandbox worker.
"""

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Lake": "store.lake",
    "SchemaError": "store.errors",
    "TableNotFoundError": "store.errors",
    "UserFacingError": "store.errors",
}

if TYPE_CHECKING:
    from store.errors import SchemaError, TableNotFoundError, UserFacingError
    from store.lake import Lake


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


__all__ = ["Lake", "SchemaError", "TableNotFoundError", "UserFacingError"]
