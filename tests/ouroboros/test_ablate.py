import json

import pytest

from ouroboros.ablate import POLICIES, ablate, mean_ci, plot, summarize
from ouroboros.params import load_params
from tests.conftest import shared_file
from tests.ouroboros.pipeline_fixtures import write_params


@pytest.mark.slow
@pytest.mark.pipeline
def test_every_policy_trains_the_same_budget_from_one_base_and_is_evaluated_per_round(tmp_path):
    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    params = load_params(write_params(tmp_path, scenes={"meta": [meta], "max_real": 4, "procedural": 4,
                                                        "eval_fraction": 0.3}))
    result = ablate(params, tmp_path / "ablate", rounds=1, seeds=[0])
    runs = result["runs"]
    assert set(runs) == set(POLICIES)
    for policy in POLICIES:
        rounds = runs[policy]["0"]
        assert [r["round"] for r in rounds] == [0, 1]
        assert rounds[0] == runs["closed"]["0"][0]  # one shared warm start
        assert {"overall"} <= set(rounds[1]["eval"]) and "overall" in rounds[1]["eval_blind"]
        trained = json.loads((tmp_path / "ablate" / "seed0" / policy / "runs" / "r1" / "metrics.json").read_text())
        assert trained["train"]["n_samples"] == rounds[1]["examples"] <= params.selection.budget
    saved = json.loads((tmp_path / "ablate" / "ablation.json").read_text())
    assert saved["summary"]["policies"]["static"][1]["round"] == 1


def test_mean_ci_uses_students_t():
    mean, half = mean_ci([10.0, 12.0, 14.0])
    assert mean == 12.0
    assert half == pytest.approx(4.303 * 2.0 / 3**0.5)  # t(0.975, 2) * s / sqrt(n)
    assert mean_ci([5.0]) == (5.0, 0.0)


def _record(round_, examples, overall, blind):
    return {"round": round_, "examples": examples, "eval": {"overall": overall, "object_counting": overall},
            "eval_blind": {"overall": blind}}


def test_summary_reports_examples_to_reach_statics_final_score_and_plots(tmp_path):
    runs = {
        "static": {"0": [_record(0, 0, 20, 20), _record(1, 100, 24, 20), _record(2, 200, 26, 20)],
                   "1": [_record(0, 0, 22, 21), _record(1, 100, 26, 21), _record(2, 200, 30, 21)]},
        "closed": {"0": [_record(0, 0, 20, 20), _record(1, 100, 28, 20), _record(2, 200, 33, 20)],
                   "1": [_record(0, 0, 22, 21), _record(1, 100, 30, 21), _record(2, 200, 35, 21)]},
        "open": {"0": [_record(0, 0, 20, 20), _record(1, 100, 21, 20), _record(2, 200, 22, 20)],
                 "1": [_record(0, 0, 22, 21), _record(1, 100, 23, 21), _record(2, 200, 24, 21)]},
    }
    summary = summarize(runs)
    assert summary["target"] == 28.0  # static's final mean
    assert summary["examples_to_target"] == {"static": 200, "closed": 100, "open": None}
    closed_final = summary["policies"]["closed"][-1]
    assert closed_final["overall"] == (34.0, pytest.approx(12.706 * 2**0.5 / 2**0.5))
    assert closed_final["blind"][0] == 20.5
    png = plot(summary, tmp_path / "ablation.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
