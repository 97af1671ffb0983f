from dataclasses import dataclass, field
from typing import Literal

import pytest

from ouroboros.config import build
from ouroboros.errors import ParamsError


@dataclass(frozen=True)
class Inner:
    budget: int
    policy: Literal["frontier", "spatialevo"] = "frontier"
    tau: float = 0.9

    def __post_init__(self):
        if self.budget <= 0:
            raise ValueError(f"budget must be > 0, got {self.budget}")


@dataclass(frozen=True)
class Outer:
    seed: int
    inner: Inner
    paths: list[str] = field(default_factory=list)
    url: str | None = None


def test_builds_nested_dataclasses_and_coerces_int_to_float():
    got = build(Outer, {"seed": 1, "inner": {"budget": 5, "tau": 1}, "paths": ["a"]})
    assert got == Outer(seed=1, inner=Inner(budget=5, tau=1.0), paths=["a"])
    assert isinstance(got.inner.tau, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"seed": 1, "inner": {"budget": 5, "budjet": 3}}, "params.inner.budjet: unknown key"),
        ({"seed": 1, "inner": {}}, "params.inner.budget: missing"),
        ({"seed": "1", "inner": {"budget": 5}}, "params.seed: expected int, got '1'"),
        ({"seed": True, "inner": {"budget": 5}}, "params.seed: expected int"),
        ({"seed": 1, "inner": {"budget": 5, "policy": "greedy"}}, "params.inner.policy: expected one of"),
        ({"seed": 1, "inner": {"budget": 5}, "paths": "a"}, "params.paths: expected a list"),
        ({"seed": 1, "inner": {"budget": 5}, "paths": [1]}, r"params.paths\[0\]: expected str"),
        ({"seed": 1, "inner": {"budget": 0}}, "params.inner: budget must be > 0"),
        ({"seed": 1, "inner": {"budget": 5}, "url": 3}, "params.url: expected str"),
    ],
)
def test_errors_name_the_key(data, message):
    with pytest.raises(ParamsError, match=message):
        build(Outer, data)
