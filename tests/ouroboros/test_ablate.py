import json
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from scipy import stats
from typer.testing import CliRunner

from curation.errors import UnknownNameError
from ouroboros.ablate import (
    ablate,
    arm_overrides,
    auc,
    blind_gains,
    compute_meter,
    dvc_lines,
    fork,
    mean_ci,
    paired,
    pairs,
    plot,
    signal_summary,
    summarize,
    with_overrides,
)
from ouroboros.cli import app
from ouroboros.errors import ParamsError
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params, load_params
from ouroboros.stages.build_scenes import collect_scenes
from ouroboros.workspace import Workspace
from ouroboros.worlds import stream_seed
from tests.ouroboros.pipeline_fixtures import TINY, write_params

runner = CliRunner()


def test_two_seeds_share_no_procedural_room_and_draw_their_own_streams():
    world = {"procedural": 40, "meta": [], "world": TINY["scenes"]["world"]}
    rooms = [collect_scenes(with_overrides(Params(seed=seed), {"scenes": world})) for seed in (0, 1)]
    assert len(rooms[0]) == len(rooms[1]) == 40
    ids, names = ({s.scene_id for s in r} for r in rooms), ({s.name for s in r} for r in rooms)
    assert not set.intersection(*ids) and not set.intersection(*names)
    # nor do the contents coincide (an id scheme that ignored the seed would hide that)
    layouts = [{json.dumps(s.to_row()["objects"], sort_keys=True, default=str) for s in r} for r in rooms]
    assert not set.intersection(*layouts)
    draws = {(seed, stream): {stream_seed(seed, stream, i) for i in range(200)}
             for seed in (0, 1) for stream in ("rooms", "vision")}
    assert len(set.union(*draws.values())) == 800  # no stream of any world repeats another's seed
    assert collect_scenes(with_overrides(Params(seed=0), {"scenes": world}))[0] == rooms[0][0]  # same seed, same world


def test_an_arm_is_a_policy_plus_params_overrides_that_dvc_can_set_too():
    assert arm_overrides("balanced") == {"loop.policy": "balanced"}
    assert arm_overrides("closed-nofilters") == {"loop.policy": "closed", "filters.after_scoring": []}
    assert arm_overrides("closed-spatialevo-noweights") == {"loop.policy": "closed", "feedback.policy": "spatialevo",
                                                            "feedback.floor": 1.0}
    assert arm_overrides("closed-learnability")["selection.prefer"] == "learnability"
    params = with_overrides(Params(), arm_overrides("closed-nofilters"))
    assert params.filters.after_scoring == [] and params.loop.policy == "closed"
    assert dvc_lines("closed-nofilters", 3) == ("-S 'seed=3' -S 'scenes.meta=[]' -S 'loop.policy=closed' "
                                                "-S 'filters.after_scoring=[]'")
    with pytest.raises(UnknownNameError, match="no loop policy named 'nope'"):
        arm_overrides("nope")
    with pytest.raises(UnknownNameError, match="no variant named 'loud'"):
        arm_overrides("closed-loud")
    with pytest.raises(ParamsError, match="feedback"):
        with_overrides(Params(), {"feedback.floor": 2.0})


def test_the_grpo_variant_trains_the_arm_s_rounds_by_grpo_at_sft_s_steps_and_batch():
    assert arm_overrides("balanced-grpo") == {"loop.policy": "balanced", "train.method": "grpo"}
    params = with_overrides(Params(), arm_overrides("closed-nofilters-grpo"))
    assert params.train.method == "grpo" and params.filters.after_scoring == []
    assert (params.train.steps_per_round, params.train.batch_size, params.train.lr) == (
        Params().train.steps_per_round, Params().train.batch_size, Params().train.lr)  # equal examples, same lr
    assert dvc_lines("balanced-grpo", 3) == ("-S 'seed=3' -S 'scenes.meta=[]' -S 'loop.policy=balanced' "
                                             "-S 'train.method=grpo'")
    assert pairs(["balanced", "balanced-grpo", "closed", "closed-grpo"]) == [
        ("balanced-grpo", "balanced"), ("closed", "balanced"), ("closed-grpo", "balanced"),
        ("closed", "balanced-grpo"), ("closed", "closed-grpo")]
    with pytest.raises(UnknownNameError, match="no variant named 'grop'; known: .*grpo"):
        arm_overrides("closed-grop")


def _records(curve, blind=None):
    return [{"round": i, "steps": 0 if i == 0 else 5, "n_samples": 0, "eval": {"overall": v, "object_counting": v},
             "eval_blind": {"overall": blind[i]} if blind and blind[i] is not None else {},
             "eval_blank": {}} for i, v in enumerate(curve)]


RUNS = {
    "closed": {"0": _records([20, 26, 30], [20, None, 21]), "1": _records([22, 27, 33], [21, None, 20]),
               "2": _records([21, 25, 29], [20, None, 20])},
    "open": {"0": _records([20, 22, 24], [20, None, 22]), "1": _records([22, 23, 28], [21, None, 21]),
             "2": _records([21, 22, 25], [20, None, 21])},
}


def test_paired_differences_are_per_world_with_t_intervals_over_the_curve_and_the_final_round():
    assert auc([20, 26, 30]) == pytest.approx((20 / 2 + 26 + 30 / 2) / 2)
    d = paired(RUNS)["closed - open"]
    final = [30 - 24, 33 - 28, 29 - 25]
    assert d["final"]["per_seed"] == final and d["final"]["n"] == 3
    half = stats.t.ppf(0.975, 2) * np.std(final, ddof=1) / np.sqrt(3)  # scipy's own t, by hand
    assert d["final"]["mean"] == pytest.approx(np.mean(final)) and d["final"]["half"] == pytest.approx(half)
    curves = {arm: {seed: [r["eval"]["overall"] for r in rs] for seed, rs in per.items()} for arm, per in RUNS.items()}
    assert d["auc"]["per_seed"] == pytest.approx([auc(curves["closed"][s]) - auc(curves["open"][s]) for s in "012"])
    assert mean_ci([5.0]) == (5.0, 0.0)
    summary = summarize(RUNS)
    assert summary["arms"]["closed"]["rounds"][2]["overall"][0] == pytest.approx(92 / 3)
    assert "blind" in summary["arms"]["closed"]["rounds"][2] and "blind" not in summary["arms"]["closed"]["rounds"][1]
    gains = blind_gains(RUNS)["closed"]
    assert gains["sighted"][0] == pytest.approx(29 / 3) and gains["blind"][0] == pytest.approx(0.0)


def test_the_plot_draws_curves_and_paired_differences(tmp_path):
    result = {"steps_per_round": 5, "summary": summarize(RUNS), "paired": paired(RUNS)}
    png = plot(result, tmp_path / "ablation.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--policies", "closed,nope"], "--policies: no loop policy named 'nope'"),
    (["--seeds", "3"], "--seeds: paired confidence intervals need at least 2 seeds"),
    (["--steps", "0"], "--steps: expected an integer >= 1, got 0"),
    (["--set", "selection.budget"], "--set: expected key=value"),
    (["--set", "nope.x=1"], "nope.x: 'nope' is not a params section"),
    (["--policies", "balanced,balanced-grop"], "--policies: arm 'balanced-grop': no variant named 'grop'"),
])
def test_bad_arguments_stop_in_one_line_before_any_work(tmp_path, args, message):
    out = tmp_path / "grid"
    result = runner.invoke(app, ["ablate", "--params", str(write_params(tmp_path)), "--out", str(out), *args])
    assert result.exit_code != 0
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.pipeline
def test_every_arm_trains_the_same_steps_from_one_base_per_world(tmp_path):
    params = load_params(write_params(tmp_path, scenes={"meta": [], "procedural": 10, "eval_fraction": 0.3}))
    params = with_overrides(params, {"train.steps_per_round": 2})
    result = ablate(params, tmp_path / "grid", rounds=2, seeds=[0, 1], arms=["closed", "balanced", "static"])
    runs = result["runs"]
    for arm in ("closed", "balanced", "static"):
        for seed in ("0", "1"):
            rounds = runs[arm][seed]
            assert [r["round"] for r in rounds] == [0, 1, 2] and rounds[0] == runs["closed"][seed][0]
            assert [r["steps"] for r in rounds[1:]] == [2, 2]
            assert arm != "static" or all(r["n_samples"] == params.selection.budget for r in rounds[1:])  # full chunks
            assert rounds[-1]["eval_blind"] and rounds[-1]["eval_blank"] and not rounds[1]["eval_blind"]
    assert runs["closed"]["0"][0]["eval"] != runs["closed"]["1"][0]["eval"]  # two worlds, two bases
    lake = workspace_lake(Workspace(tmp_path / "grid" / "seed0" / "static"))
    chunks = lake.scan("qa").filter((pl.col("round") > 0) & pl.col("selected")).collect()
    assert chunks["qa_id"].n_unique() == chunks.height  # static's chunks are disjoint
    assert set(result["paired"]) == {"closed - balanced", "closed - static"}
    assert json.loads((tmp_path / "grid" / "ablation.json").read_text())["eval_counts"]["0"]
    compute = result["compute"]
    assert compute["worlds"]["cpu_s"] > 0 and all(a["cpu_s"] > 0 for a in compute["arms"].values())
    arms_cpu = sum(a["cpu_s"] for a in compute["arms"].values())
    assert compute["cpu_s"] == pytest.approx(compute["worlds"]["cpu_s"] + arms_cpu)


def test_the_compute_meter_counts_child_processes_and_adds_up_resumed_runs(tmp_path):
    burn = [sys.executable, "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass"]
    with compute_meter(tmp_path):
        subprocess.run(burn, check=True)  # the sandbox workers are child processes like this one
    first = json.loads((tmp_path / "compute.json").read_text())
    assert first["cpu_s"] >= 0.4 and first["wall_s"] > 0
    with compute_meter(tmp_path):
        subprocess.run(burn, check=True)
    assert json.loads((tmp_path / "compute.json").read_text())["cpu_s"] >= first["cpu_s"] + 0.4
    # an arm forked from this world starts with none of the world's seconds
    arm = fork(Workspace(tmp_path), tmp_path.parent / "arm")
    assert arm.root.is_dir() and not (arm.root / "compute.json").exists()


def test_the_signal_summary_is_each_worlds_mean_over_rounds_then_a_ci_over_worlds(tmp_path):
    def signal(auroc, rho):
        return {"signal": {"confidence": {"overall": {"auroc": auroc}},
                           "bands": {"success": {"overall": {"frontier": 0.5}}},
                           "effective_cells": {"selected": {"exp_entropy": 10.0}},
                           "steering": {"progress": {"spearman": rho}}}}

    rounds = {0: [(0.6, 0.2), (0.8, 0.4)], 1: [(0.7, float("nan")), (0.9, -0.2)]}  # seed -> rounds 1, 2
    for seed, values in rounds.items():
        ws = Workspace(tmp_path / f"seed{seed}" / "closed")
        for n, (auroc, rho) in enumerate([(0.5, 0.9), *values]):  # round 0 is the shared base: left out
            ws.round_dir(n).mkdir(parents=True)
            ws.metrics_path(n).write_text(json.dumps(signal(auroc, rho)))
    out = signal_summary(tmp_path, [0, 1], ["closed"], rounds=2)["closed"]
    assert out["auroc"] == pytest.approx(mean_ci([0.7, 0.8]))
    assert out["steering_progress"] == pytest.approx(mean_ci([0.3, -0.2]))  # a NaN round is left out
    assert out["cells_selected"] == (10.0, 0.0) and out["frontier_share"] == (0.5, 0.0)


@pytest.mark.slow
@pytest.mark.pipeline
def test_sft_and_grpo_arms_train_equal_examples_from_one_base(tmp_path):
    params = load_params(write_params(tmp_path, scenes={"meta": [], "procedural": 10, "eval_fraction": 0.3}))
    params = with_overrides(params, {"train.steps_per_round": 2, "train.batch_size": 4, "train.grpo.group_size": 2,
                                     "train.grpo.max_completion_length": 4})
    result = ablate(params, tmp_path / "grid", rounds=1, seeds=[0, 1], arms=["balanced", "balanced-grpo"])
    for seed in ("0", "1"):
        sft, grpo = result["runs"]["balanced"][seed], result["runs"]["balanced-grpo"][seed]
        assert sft[0] == grpo[0] and [r["steps"] for r in sft[1:]] == [r["steps"] for r in grpo[1:]] == [2]
    lakes = {arm: workspace_lake(Workspace(tmp_path / "grid" / "seed0" / arm)) for arm in ("balanced", "balanced-grpo")}
    assert lakes["balanced"].scan("rollouts").filter(pl.col("round") == 1).collect().is_empty()
    sampled = lakes["balanced-grpo"].scan("rollouts").filter(pl.col("round") == 1).collect()
    assert sampled["group"].n_unique() == 2 * 4 and sampled.height == 2 * 4 * 2  # steps x questions (x answers)
    assert set(result["paired"]) == {"balanced-grpo - balanced"}
