"""TrainParams -> transformers.TrainingArguments: the fields' own mapping, the `trainer`
pass-through, and the DeepSpeed configs that reach the Trainer through it."""

import json
from dataclasses import fields
from pathlib import Path

import pytest
from pydantic import ValidationError
from transformers import TrainingArguments

from tests.conftest import ROOT
from training.errors import TrainParamsError
from training.sft import FIXED, training_arguments
from training.train_params import TrainParams

DEEPSPEED = sorted((ROOT / "configs" / "deepspeed").glob("*.json"))


def test_fields_become_their_trainingtraining_arguments(tiny, tmp_path):
    p = TrainParams(epochs=2.5, max_steps=0, lr=3e-3, batch_size=4, schedule="constant", warmup_ratio=0.1,
                    weight_decay=0.01, seed=3)
    args = training_arguments(tiny, p, tmp_path)
    assert (args.num_train_epochs, args.max_steps, args.learning_rate, args.per_device_train_batch_size) == (
        2.5, -1, 3e-3, 4)
    assert (args.lr_scheduler_type.value, args.warmup_steps, args.weight_decay, args.seed, args.data_seed) == (
        "constant_with_warmup", 0.1, 0.01, 3, 3)
    assert (args.logging_steps, args.save_strategy.value) == (FIXED["logging_steps"], FIXED["save_strategy"])
    assert training_arguments(tiny, TrainParams(max_steps=7, schedule="cosine"), tmp_path).max_steps == 7


def test_every_mapped_name_is_a_training_argument():
    known = {f.name for f in fields(TrainingArguments)}
    assert set(TrainParams().arguments()) <= known


def test_trainer_passes_othertraining_arguments_through(tiny, tmp_path):
    p = TrainParams(trainer={"gradient_accumulation_steps": 2, "max_grad_norm": 0.5})
    args = training_arguments(tiny, p, tmp_path)
    assert (args.gradient_accumulation_steps, args.max_grad_norm) == (2, 0.5)


@pytest.mark.parametrize(("trainer", "named"), [
    ({"learning_rate": 1.0}, "trainer.learning_rate: expected a key TrainParams does not own (set lr"),
    ({"data_seed": 1}, "trainer.data_seed: expected a key TrainParams does not own (set seed"),
    ({"learning_rat": 1.0}, "trainer.learning_rat: expected a transformers.TrainingArguments argument"),
])
def test_bad_trainer_keys_are_named(trainer, named):
    with pytest.raises(ValidationError, match=named.replace("(", r"\(").replace(".", r"\.")):
        TrainParams(trainer=trainer)


def test_keys_training_sft_fixes_are_refused(tiny, tmp_path):
    with pytest.raises(TrainParamsError, match="trainer.logging_steps: expected a key training.sft does not fix"):
        training_arguments(tiny, TrainParams(trainer={"logging_steps": 5}), tmp_path)


@pytest.mark.parametrize("config", DEEPSPEED, ids=[p.name for p in DEEPSPEED])
def test_deepspeed_configs_parse_and_pass_through(config: Path):
    ds = json.loads(config.read_text())
    stage = ds["zero_optimization"]["stage"]
    assert stage == (2 if "zero2" in config.name else 3)
    # batch sizes and accumulation are "auto": the Trainer fills them from TrainParams, so one global batch
    assert {ds[k] for k in ("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps")} == {
        "auto"}
    path = str(config.relative_to(ROOT))
    assert TrainParams(trainer={"deepspeed": path}).arguments()["deepspeed"] == path
    assert len(DEEPSPEED) == 2


@pytest.mark.parametrize("value", ["nope", ["dvclive", "comet_ml"], [], 3])
def test_report_to_is_checked_at_load(value):
    with pytest.raises(ValidationError, match=r"trainer\.report_to: expected one of \('dvclive'"):
        TrainParams(trainer={"report_to": value})


def test_report_to_an_integration_that_is_not_installed_says_what_to_install(monkeypatch):
    import transformers.integrations

    monkeypatch.setattr(transformers.integrations, "get_available_reporting_integrations", lambda: ["dvclive"])
    with pytest.raises(ValidationError, match=r"trainer\.report_to: expected integrations installed here "
                       r"\(pip install mlflow; installed: dvclive\), got \['dvclive', 'mlflow'\]"):
        TrainParams(trainer={"report_to": ["dvclive", "mlflow"]})


def test_report_to_passes_through_but_dvclive_gets_its_own_callback(tiny, tmp_path, monkeypatch):
    import transformers.integrations

    # as if tensorboard were installed: the pass-through is under test, not the package
    monkeypatch.setattr(transformers.integrations, "get_available_reporting_integrations",
                        lambda: ["dvclive", "tensorboard"])
    assert TrainParams().report_to() == ["dvclive"]
    both = TrainParams(trainer={"report_to": ["dvclive", "tensorboard"]})
    args = training_arguments(tiny, both, tmp_path, log_dir=tmp_path / "log")
    assert args.report_to == ["tensorboard"] and args.output_dir == str(tmp_path / "log")
    assert training_arguments(tiny, both, tmp_path).report_to == []  # no log dir: no integration
    assert training_arguments(tiny, TrainParams(), tmp_path, log_dir=tmp_path / "log").report_to == []
