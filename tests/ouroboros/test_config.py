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


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("bands", {"easy": 0.9, "hard": 0.95}, "bands.hard"),
        ("bands", {"easy": 1.5}, "bands.easy"),
        ("selection", {"tau_easy": 0.9}, "selection.tau_easy: unknown key"),  # one easy threshold: bands.easy
        ("selection", {"strategy": "random"}, "selection.strategy: unknown key"),  # the policy is loop.policy
        ("solver", {"image_size": 64}, "solver.image_size"),  # would shrink the 128 px overview
        ("solver", {"backend": "sglang"}, "solver.backend: expected one of ['hf', 'vllm']"),
        ("solver", {"backend": "vllm"}, "solver: backend 'vllm' needs base_url and model"),
        ("solver", {"backend": "vllm", "base_url": "http://h:8000", "model": "m", "timeout_s": 0}, "timeout_s"),
    ],
)
def test_the_loop_and_band_params_fail_at_load_naming_the_key(tmp_path, section, value, message):
    import yaml

    from ouroboros.params import load_params

    raw = yaml.safe_load(open("params.yaml"))
    raw[section] = {**raw.get(section, {}), **value}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_params(path)
