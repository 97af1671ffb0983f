"""params.yaml as frozen dataclasses: one section per stage, every key checked.

Sections that belong to a lower layer use that layer's own config class
(`feedback` -> curation.feedback.FeedbackParams, `train` -> training.sft.TrainParams),
so a knob is defined once. Paths are relative to the directory that holds params.yaml.
Unknown keys, wrong types and bad values raise ParamsError naming the dotted key.
"""

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import yaml

from curation.feedback import FeedbackParams
from ouroboros.config import build
from ouroboros.errors import ParamsError
from training.train_params import TrainParams

DEFAULT_META = "../shared/data/vsibench_meta/scannet_meta_info_val.json"
Recipe = list[dict[str, dict[str, Any] | None]]


@dataclass(frozen=True)
class ScenesParams:
    meta: list[str] = field(default_factory=lambda: [DEFAULT_META])  # VSI-Bench meta files to import
    max_real: int = 0  # use only the first N real scenes (0 = all); keeps the CPU demo small
    procedural: int = 40  # procedural rooms generated (seeds seed .. seed+N-1)
    eval_fraction: float = 0.25  # share of scenes held out for evaluation (by scene_id hash)

    def __post_init__(self):
        if not 0.0 < self.eval_fraction < 1.0:
            raise ValueError(f"eval_fraction must be in (0, 1), got {self.eval_fraction}")
        if self.max_real < 0 or self.procedural < 0:
            raise ValueError("max_real and procedural must be >= 0")


@dataclass(frozen=True)
class FramesParams:
    n_frames: int = 4  # frames rendered per scene (the video the solver sees)
    size: int = 64  # square frame side in px; 64 keeps the tiny solver at ~150 samples/s


@dataclass(frozen=True)
class ProposerParams:
    kind: Literal["template", "corpus", "llm"] = "template"
    per_round: int = 600  # candidate questions proposed per round
    distance_mode: Literal["vsibench", "exact"] = "vsibench"
    corpus: str = "../shared/data/vqagen/qa_code_generated_scannet.json"  # for kind=corpus
    base_url: str | None = None  # for kind=llm: an OpenAI-compatible server
    model: str | None = None
    api_key_env: str | None = None  # name of the environment variable holding the key
    concurrency: int = 4

    def __post_init__(self):
        if self.kind == "llm" and not (self.base_url and self.model):
            raise ValueError("kind 'llm' needs base_url and model")
        if self.per_round < 1:
            raise ValueError(f"per_round must be >= 1, got {self.per_round}")


@dataclass(frozen=True)
class FiltersParams:
    # Applied to executed rows before the solver scores them (cheap, score-free checks).
    before_scoring: Recipe = field(default_factory=lambda: [
        {"invalid": {}}, {"near_tie": {}}, {"perturbation": {"k": 4}}, {"dedupe": {}}])
    # Applied after scoring (they read this and earlier rounds' scores).
    after_scoring: Recipe = field(default_factory=lambda: [
        {"trivial": {"tau_easy": 0.9}}, {"blind_solvable": {"tau_blind": 0.8}}, {"cartography": {}}])
    workers: int = 2  # sandbox worker processes
    timeout_s: float = 1.0  # CPU seconds per program


@dataclass(frozen=True)
class SelectionParams:
    budget: int = 200  # training examples per round
    strategy: Literal["frontier", "random"] = "frontier"  # random = the open-loop ablation
    tau_easy: float = 0.9
    frontier: float = 0.5  # success probability preferred (R-Zero)
    unscored_distance: float = 0.25


@dataclass(frozen=True)
class SolverParams:
    spec: str = "tiny"  # "tiny" or a local Qwen3-VL checkpoint directory
    image_size: int = 64
    max_frames: int = 4
    score_batch_size: int = 32
    size: dict[str, int] = field(default_factory=dict)  # tiny-model size overrides


@dataclass(frozen=True)
class BaseParams:
    budget: int = 400  # warm-start examples (uniform over tasks, random selection)
    probe: int = 300  # held-in questions the trained base scores to seed round 1's feedback
    epochs: float = 3.0


@dataclass(frozen=True)
class EvalParams:
    source: Literal["procedural", "vsibench"] = "procedural"
    n_questions: int = 240  # procedural: questions proposed on held-out scenes
    annotations: str | None = None  # vsibench: the benchmark's jsonl/parquet
    pruned: str | None = None  # vsibench: VSI-Bench-Debiased's removed ids; rounds then also report that subset
    blind: bool = True  # also evaluate with frames swapped between scenes

    def __post_init__(self):
        if self.source == "vsibench" and not self.annotations:
            raise ValueError("source 'vsibench' needs annotations")


@dataclass(frozen=True)
class RoundRef:
    id: int
    prev: int


@dataclass(frozen=True)
class Params:
    seed: int = 0
    scenes: ScenesParams = field(default_factory=ScenesParams)
    frames: FramesParams = field(default_factory=FramesParams)
    proposer: ProposerParams = field(default_factory=ProposerParams)
    filters: FiltersParams = field(default_factory=FiltersParams)
    selection: SelectionParams = field(default_factory=SelectionParams)
    feedback: FeedbackParams = field(default_factory=FeedbackParams)
    solver: SolverParams = field(default_factory=SolverParams)
    train: TrainParams = field(default_factory=TrainParams)
    base: BaseParams = field(default_factory=BaseParams)
    eval: EvalParams = field(default_factory=EvalParams)
    rounds: list[RoundRef] = field(default_factory=list)

    def __post_init__(self):
        ids = [r.id for r in self.rounds]
        if len(set(ids)) != len(ids):
            raise ValueError(f"round ids must be unique, got {ids}")
        for r in self.rounds:
            if r.id < 1 or not 0 <= r.prev < r.id:
                raise ValueError(f"round {r.id}: prev must be in [0, {r.id}), got {r.prev}")

    def section(self, name: str) -> Any:
        return getattr(self, name)


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read and check params.yaml; every problem is a ParamsError naming the key."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: no such params file")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({exc})") from exc
    return build(Params, raw, where=path.name)


def section_names() -> list[str]:
    return [f.name for f in fields(Params)]
