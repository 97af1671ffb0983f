"""DVCLive for a training run as files alone: the Trainer callback `report_to: dvclive` gets.

transformers' own `report_to="dvclive"` opens `Live()` in ./dvclive, and `Live` itself looks
for the DVC repository around the working directory: it runs `dvc init` in a git repository
that has none, fails in one without a commit (its HEAD read raises), writes stages into the
project's dvc.yaml, and posts to DVC Studio wherever a Studio token is configured. None of
that is needed here: dvc.yaml declares the files as top-level metrics and plots, and
`dvc exp run` commits top-level metrics and plot sources with the experiment by itself. So
`FileLive` skips the repository and Studio and only writes under its folder:
plots/metrics/<name>.tsv per logged step (loss, learning_rate, grad_norm, epoch) and
metrics.json (the last step's values, and the run's mean loss and speed under `train`).
"""

from pathlib import Path

from dvclive import Live
from transformers.integrations import DVCLiveCallback


class FileLive(Live):
    """A `Live` that writes files and talks to neither a DVC repository nor DVC Studio."""

    def __init__(self, log_dir: Path):
        super().__init__(dir=str(log_dir), save_dvc_exp=False, dvcyaml=False, report=None)

    def _init_dvc(self):
        """No repository lookup: DVC finds these files through dvc.yaml."""

    def _init_studio(self):
        self._studio_events_to_skip.update(("start", "data", "done"))  # never posts


def dvclive_callback(log_dir: Path) -> DVCLiveCallback:
    return DVCLiveCallback(live=FileLive(log_dir))
