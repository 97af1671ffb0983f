"""A named set of implementations of one extension point (Data-Juicer's registry).

Filters, proposers, feedback policies, loop policies (curation.registry) and GRPO reward
functions (training.rewards) each own one `Registry`; an implementation joins it with
`@REGISTRY.register("name")` in its own module, and the package's `__init__` imports that
module. Looking up a name that nobody registered raises the registry's `error` (a KeyError
the layer above makes user-facing: curation.errors.UnknownNameError, training.errors.
UnknownRewardError) listing the names that exist, so a typo in params.yaml says what to write.
It lives in the bottom layer because curation and training both keep registries and never
import each other.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class Registry(Mapping[str, T]):
    """name -> implementation; read-only but for `register` (and `registered`), iterated in sorted name order."""

    error: type[KeyError] = KeyError  # what an unknown name raises; subclasses name a user-facing one

    def __init__(self, kind: str):
        self.kind = kind  # what an entry is, for messages: "filter", "proposer", ...
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator adding its target under `name`; a taken name raises ValueError."""

        def add(entry: T) -> T:
            if name in self._entries:
                taken = getattr(self._entries[name], "__name__", repr(self._entries[name]))
                raise ValueError(f"{self.kind} name {name!r} is already registered by {taken}")
            self._entries[name] = entry
            return entry

        return add

    @contextmanager
    def registered(self, name: str, entry: T) -> Iterator[T]:
        """`entry` under `name` for the `with` block only: a test's toy joins the registry the way
        a real implementation does, and leaves it after, so no other test sees it."""
        self.register(name)(entry)
        try:
            yield entry
        finally:
            del self._entries[name]

    def __getitem__(self, name: str) -> T:
        if name not in self._entries:
            raise self.error(f"no {self.kind} named {name!r}; known: {', '.join(self)}")
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)
