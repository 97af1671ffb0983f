"""params.yaml is checked once, at load: types, ranges, cross-field rules and registered names
fail before any stage runs, with one line naming the dotted key."""

import subprocess
import sys

import pytest
import yaml

from ouroboros.errors import ParamsError
from ouroboros.params import ScenesParams, build, load_params
from ouroboros.registered import check_registered_names
from tests.conftest import ROOT


def test_builds_nested_sections_and_takes_an_int_for_a_float():
    got = build(ScenesParams, {"procedural": 3, "eval_fraction": 1 / 2, "world": {"n_objects": [2, 4], "clutter": 1}})
    assert (got.procedural, got.world.n_objects, got.world.clutter) == (3, [2, 4], 1.0)
    assert isinstance(got.world.clutter, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"world": {"clutterr": 0.1}}, r"^scenes\.world\.clutterr: unknown key$"),
        ({"procedural": "10"}, r"^scenes\.procedural: Input should be a valid integer, got '10'$"),
        ({"procedural": True}, r"^scenes\.procedural: Input should be a valid integer"),
        ({"procedural": -1}, r"^scenes\.procedural: Input should be greater than or equal to 0"),
        ({"eval_fraction": 1.0}, r"^scenes\.eval_fraction: Input should be less than 1"),
        ({"meta": "a.json"}, r"^scenes\.meta: Input should be a valid array"),
        ({"meta": [1]}, r"^scenes\.meta\[0\]: Input should be a valid string"),
        ({"world": {"n_objects": [8, 5]}}, r"^scenes\.world\.n_objects: expected \[lo, hi\] with lo <= hi"),
    ],
)
def test_errors_name_the_key(data, message):
    with pytest.raises(ParamsError, match=message):
        build(ScenesParams, data, where="scenes")


def _with(tmp_path, section, value):
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw[section] = {**raw.get(section, {}), **value} if isinstance(value, dict) else value
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("bands", {"easy": 0.9, "hard": 0.95}, "bands.hard: must be below bands.easy"),
        ("bands", {"easy": 1.5}, "bands.easy"),
        ("selection", {"tau_easy": 0.9}, "selection.tau_easy: unknown key"),  # one easy threshold: bands.easy
        ("selection", {"strategy": "random"}, "selection.strategy: unknown key"),  # the policy is loop.policy
        ("solver", {"image_size": 64}, "solver.image_size: 64 px would shrink"),  # the 128 px overview
        ("solver", {"backend": "sglang"}, "solver.backend: Input should be 'hf' or 'vllm'"),
        ("solver", {"backend": "vllm"}, "solver.backend: 'vllm' needs base_url and model"),
        ("solver", {"backend": "vllm", "base_url": "http://h:8000", "model": "m", "timeout_s": 0},
         "solver.timeout_s: Input should be greater than 0"),
        ("train", {"lr": 0}, "train.lr: Input should be greater than 0"),
        ("train", {"trainer": {"learning_rate": 1.0}}, "train.trainer.learning_rate: expected a key TrainParams "
                                                      "does not own (set lr instead)"),
        ("vision", {"train": {"steps": 0}}, "vision.train.steps"),
        ("rounds", [{"id": 2, "prev": 2}], "rounds: round 2 needs 0 <= prev < 2"),
        ("filters", {"after_scoring": None}, "filters.after_scoring"),
        ("train", {"method": "ppo"}, "train.method: Input should be 'sft' or 'grpo'"),
        ("train", {"method": "grpo", "grpo": {"group_size": 1}},
         "train.grpo.group_size: Input should be greater than or equal to 2"),
        ("train", {"method": "grpo", "grpo": {"max_completion_length": 0}},
         "train.grpo.max_completion_length: Input should be greater than 0"),
        ("train", {"grpo": {"loss": "ppo"}}, "train.grpo.loss: Input should be 'grpo', 'dr_grpo' or 'dapo'"),
        ("train", {"grpo": {"rewards": {}}}, "train.grpo.rewards: Dictionary should have at least 1 item"),
    ],
)
def test_types_ranges_and_rules_fail_at_load_naming_the_key(tmp_path, section, value, message):
    with pytest.raises(ParamsError, match="^params.yaml." + message.replace("(", r"\(").replace(")", r"\)")):
        load_params(_with(tmp_path, section, value))


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("proposer", {"kind": "gpt"}, "proposer.kind: no proposer named 'gpt'"),
        ("loop", {"policy": "closd"}, "loop.policy: no loop policy named 'closd'"),
        ("feedback", {"policy": "greedy"}, "feedback.policy: no feedback policy named 'greedy'"),
        ("filters", {"after_scoring": [{"trivial": {}}, {"blind_solveable": {}}]},
         "filters.after_scoring: no filter named 'blind_solveable'"),
        ("filters", {"after_scoring": [{"blind_solvable": {"tau_blind": 2}}]},
         "filters.after_scoring: filters.blind_solvable.tau_blind: expected a number in"),
        ("filters", {"before_scoring": [{"dedupe": {"treshold": 0.9}}]},
         r"filters.before_scoring: filters.\[0\].dedupe"),
        ("train", {"method": "grpo", "grpo": {"rewards": {"vsibench": 1.0, "mra": 0.5}}},
         "train.grpo.rewards: no reward function named 'mra'; known: format, vsibench"),
    ],
)
def test_registered_names_and_filter_arguments_fail_before_any_stage(tmp_path, section, value, message):
    params = load_params(_with(tmp_path, section, value))
    with pytest.raises(ParamsError, match="^params.yaml." + message):
        check_registered_names(params)


def test_the_project_params_pass_every_check():
    check_registered_names(load_params(ROOT / "params.yaml"))


def test_reading_params_imports_no_registry_and_no_torch():
    code = ("import sys, ouroboros.params as p; p.load_params('params.yaml'); "
            "print(sorted(m for m in ('torch', 'transformers', 'curation.feedback_policies', 'curation.filters', "
            "'curation.proposer', 'ouroboros.loop_policies') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_registry_imports_without_torch():
    # load-time name checks import the registries; a policy reaches the solver only when it runs
    code = ("import sys, curation.filters, curation.proposer, curation.feedback_policies, ouroboros.loop_policies; "
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
