"""Where a pipeline's files live: the lake and the per-stage run folders.

The paths are fixed relative to the project root because dvc.yaml names them as stage
outputs: `lake/` (one LanceDB directory, one `.lance` folder per table partition) and
`runs/` (`runs/scenes.json`, `runs/eval/`, `runs/r<N>/` with solver, feedback,
metrics and plot data, `runs/fingerprints/r<N>.json`, `runs/report/`).

With params `lake.uri` the lake may live elsewhere (another folder, `s3://bucket/prefix`);
with `lake.track: manifest` DVC tracks one small manifest per table in `manifest_dir`
instead of the `.lance` folders, and `ouroboros.lakes.workspace_lake` reads exactly the
versions they name. A Workspace is paths only: it opens nothing.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workspace:
    root: Path = Path(".")
    lake_uri: str = "lake"  # params lake.uri: a path relative to root, or an object-store URI
    manifest_dir: Path | None = None  # params lake.outs (relative to root) when lake.track is manifest

    @property
    def lake_dir(self) -> Path:
        return self.root / self.lake_uri

    @property
    def lake_location(self) -> str:
        return self.lake_uri if "://" in self.lake_uri else str(self.lake_dir)

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    def round_dir(self, n: int) -> Path:
        return self.runs / f"r{n}"

    def solver_dir(self, n: int) -> Path:
        return self.round_dir(n) / "solver"

    def train_log_dir(self, n: int) -> Path:
        """Round n's training log (DVCLive: metrics.json, plots/metrics/*.tsv), beside the solver
        rather than in it: dvc.yaml declares these files as metrics and plots, not as a cached output."""
        return self.round_dir(n) / "train"

    def feedback_path(self, n: int) -> Path:
        return self.round_dir(n) / "feedback.json"

    def fingerprint_path(self, n: int) -> Path:
        # one folder for all rounds, so the report stage can depend on it whatever the rounds
        return self.runs / "fingerprints" / f"r{n}.json"

    def metrics_path(self, n: int) -> Path:
        return self.round_dir(n) / "metrics.json"

    @property
    def scenes_fingerprint(self) -> Path:
        return self.runs / "scenes.json"

    @property
    def embeddings_dir(self) -> Path:
        # model vectors are fingerprinted apart from the data stages (ouroboros/stages/embed.py)
        return self.runs / "embeddings"

    @property
    def eval_dir(self) -> Path:
        return self.runs / "eval"

    @property
    def report_dir(self) -> Path:
        return self.runs / "report"
