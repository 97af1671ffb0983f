"""dvc.yaml declares every round's DVCLive log (Workspace.train_log_dir) as metrics and plots,
for the warm start and each round params.yaml lists."""

import yaml

from ouroboros.params import load_params
from ouroboros.workspace import Workspace
from tests.conftest import ROOT


def test_dvc_yaml_declares_each_rounds_training_log():
    pipeline = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    plots = {name: spec for entry in pipeline["plots"] for name, spec in entry.items()}
    ws = Workspace(ROOT)
    for n in [0, *(r.id for r in load_params(ROOT / "params.yaml").rounds)]:
        log = ws.train_log_dir(n).relative_to(ROOT)
        assert str(log / "metrics.json") in pipeline["metrics"]
        assert plots["training loss per step"]["y"][str(log / "plots" / "metrics" / "loss.tsv")] == "loss"
        assert str(log / "plots" / "metrics" / "learning_rate.tsv") in plots["learning rate per step"]["y"]
