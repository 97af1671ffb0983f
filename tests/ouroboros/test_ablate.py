import json

import pytest

from ouroboros.ablate import POLICIES, ablate
from ouroboros.params import load_params
from tests.conftest import shared_file
from tests.ouroboros.pipeline_fixtures import write_params

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]


def test_every_policy_trains_the_same_budget_and_is_evaluated_per_round(tmp_path):
    meta = str(shared_file("vsibench_meta", "scannet_meta_info_val.json"))
    params = load_params(write_params(tmp_path, scenes={"meta": [meta], "max_real": 4, "procedural": 4,
                                                        "eval_fraction": 0.3}))
    results = ablate(params, tmp_path / "ablate", rounds=1)
    assert set(results) == set(POLICIES)
    for policy in POLICIES:
        rounds = results[policy]
        assert [r["round"] for r in rounds] == [0, 1]
        assert rounds[0] == results["closed"][0]  # one shared base
        assert {"overall"} <= set(rounds[1]["eval"]) and "overall" in rounds[1]["eval_blind"]
        trained = json.loads((tmp_path / "ablate" / policy / "runs" / "r1" / "solver" / "metrics.json").read_text())
        assert trained["n_samples"] <= params.selection.budget
    saved = json.loads((tmp_path / "ablate" / "ablation.json").read_text())
    assert saved["results"]["static"][1]["round"] == 1
