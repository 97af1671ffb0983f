"""params.yaml as frozen dataclasses: one section per stage, every key checked.

Sections that belong to a lower layer use that layer's own config class (`bands` ->
curation.bands.BandParams; `selection`, `feedback` -> curation.params; `train` ->
training.train_params.TrainParams; `vision.train` -> training.vision_params), so a knob
and its default are defined once. Paths are relative to the directory that holds
params.yaml.
Unknown keys, wrong types and bad values raise ParamsError naming the dotted key.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from curation.bands import BandParams
from curation.params import FeedbackParams, SelectionParams
from ouroboros.config import build
from ouroboros.errors import ParamsError
from training.train_params import TrainParams
from training.vision_params import VisionPretrainParams

DEFAULT_META = "../shared/data/vsibench_meta/scannet_meta_info_val.json"
Recipe = list[dict[str, dict[str, Any] | None]]


@dataclass(frozen=True)
class WorldParams:
    """Knobs of the procedural rooms (curation.scenes.procedural.generate_scene); None draws each
    scene's value from its seed, over the generator's whole range."""

    n_objects: list[int] | None = None  # [lo, hi]: each room gets a count in this range
    duplicates: int | None = None  # up to this many instances each time a category is drawn
    clutter: float | None = None  # 0..1: small objects on furniture, floor packing
    near_ties: int | None = None  # pairs of near-equal distances to a common anchor
    categories: list[str] | None = None  # draw only these categories (None: all of them)

    def __post_init__(self):
        if self.n_objects is not None and (len(self.n_objects) != 2 or self.n_objects[0] > self.n_objects[1]):
            raise ValueError(f"n_objects must be [lo, hi] with lo <= hi, got {self.n_objects}")

    def knobs(self, seed: int) -> dict:
        """generate_scene's keyword arguments for the room of `seed`."""
        knobs = {k: getattr(self, k) for k in ("duplicates", "clutter", "near_ties", "categories")}
        if self.n_objects is not None:
            lo, hi = self.n_objects
            knobs["n_objects"] = lo + seed % (hi - lo + 1)
        return {k: v for k, v in knobs.items() if v is not None}


@dataclass(frozen=True)
class ScenesParams:
    meta: list[str] = field(default_factory=lambda: [DEFAULT_META])  # VSI-Bench meta files to import
    max_real: int = 0  # use only the first N real scenes (0 = all); keeps the CPU demo small
    procedural: int = 40  # procedural rooms generated (seeds seed .. seed+N-1)
    eval_fraction: float = 0.25  # share of scenes held out for evaluation (by scene_id hash)
    world: WorldParams = field(default_factory=WorldParams)  # what the procedural rooms hold

    def __post_init__(self):
        if not 0.0 < self.eval_fraction < 1.0:
            raise ValueError(f"eval_fraction must be in (0, 1), got {self.eval_fraction}")
        if self.max_real < 0 or self.procedural < 0:
            raise ValueError("max_real and procedural must be >= 0")


@dataclass(frozen=True)
class FramesParams:
    n_frames: int = 4  # frames rendered per scene (the video the solver sees)
    size: int = 64  # square frame side in px; 64 keeps the tiny solver at ~150 samples/s
    overview_m: float | None = None  # add a top-down overview frame spanning this many metres
    overview_size: int | None = None  # its side in px (None: `size`); finer than the walk's

    def __post_init__(self):
        if self.overview_m is not None and self.overview_m <= 0:
            raise ValueError(f"overview_m must be > 0 metres, got {self.overview_m}")
        if self.overview_size is not None and self.overview_size < 32:
            raise ValueError(f"overview_size must be >= 32 px, got {self.overview_size}")


@dataclass(frozen=True)
class ProposerParams:
    # A name in curation.proposer.PROPOSERS, looked up when a stage builds the proposer (as filter
    # names are): importing every proposer here would make every stage depend on their code.
    kind: str = "template"
    per_round: int = 600  # candidate questions proposed per round
    distance_mode: Literal["vsibench", "exact"] = "vsibench"
    corpus: str = "../shared/data/vqagen/qa_code_generated_scannet.json"  # for kind=corpus
    base_url: str | None = None  # for kind=llm: an OpenAI-compatible server
    model: str | None = None
    api_key_env: str | None = None  # name of the environment variable holding the key
    concurrency: int = 4  # requests in flight; a vLLM server batches them, so more is faster up to its batch
    n_frames: int = 4  # frames attached to each llm request, evenly spaced over the scene's video
    history: int = 8  # earlier questions of the scene shown to the llm, newest first (curation.history)
    timeout_s: float = 120.0  # per request; a 4B model writes ~300 tokens in seconds, a loaded server queues
    retries: int = 3  # per request, after a timeout, a network error or a 408/429/5xx

    def __post_init__(self):
        if self.kind == "llm" and not (self.base_url and self.model):
            raise ValueError("kind 'llm' needs base_url and model")
        if self.per_round < 1:
            raise ValueError(f"per_round must be >= 1, got {self.per_round}")
        for name, lo in (("concurrency", 1), ("n_frames", 0), ("history", 0), ("retries", 0)):
            if getattr(self, name) < lo:
                raise ValueError(f"{name} must be >= {lo}, got {getattr(self, name)}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")


@dataclass(frozen=True)
class FiltersParams:
    # Applied to executed rows before the solver scores them (cheap, score-free checks).
    before_scoring: Recipe = field(default_factory=lambda: [
        {"invalid": {}}, {"near_tie": {}}, {"perturbation": {"k": 4}}, {"dedupe": {}}])
    # Applied after scoring (they read this and earlier rounds' scores).
    after_scoring: Recipe = field(default_factory=lambda: [
        {"trivial": {}}, {"blind_solvable": {"tau_blind": 0.8}}, {"cartography": {}}])
    workers: int = 2  # sandbox worker processes
    timeout_s: float = 1.0  # CPU seconds per program


@dataclass(frozen=True)
class LoopParams:
    """The data policy of the rounds: the ablation's arms are runs of the same pipeline
    with this key set (`dvc exp run -S loop.policy=static`)."""

    # closed: feedback steers the proposer, confidence-based selection (the method);
    # open: the same proposer without feedback, valid rows at random;
    # static: one dataset proposed up front (round 1's stream), a random chunk per round.
    # A name in ouroboros.loop_policies.LOOP_POLICIES, looked up when a round runs (importing the
    # policies here would make every stage depend on the round's code).
    policy: str = "closed"


@dataclass(frozen=True)
class SolverParams:
    spec: str = "tiny"  # "tiny" or a local Qwen3-VL checkpoint directory
    image_size: int = 64
    max_frames: int = 4
    score_batch_size: int = 32  # rows per forward (hf); requests in flight (vllm)
    size: dict[str, int] = field(default_factory=dict)  # tiny-model size overrides
    # Who scores a round's rows with the previous round's solver: this process (hf) or a vLLM
    # server that serves that solver's weights (vllm; training/backends, docs/scaling.md).
    backend: Literal["hf", "vllm"] = "hf"
    base_url: str | None = None  # for vllm: the OpenAI-compatible server (".../v1" works too)
    model: str | None = None  # for vllm: its --served-model-name
    timeout_s: float = 120.0  # for vllm: per request; a 32-frame prompt prefills in well under a second

    def __post_init__(self):
        if self.backend == "vllm" and not (self.base_url and self.model):
            raise ValueError("backend 'vllm' needs base_url and model (the server and its --served-model-name)")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")


@dataclass(frozen=True)
class VisionParams:
    """Stage `vision`: pretraining of the tiny solver's encoder (ouroboros.stages.vision)."""

    enabled: bool = True  # ignored for a real checkpoint, which has its own encoder
    scenes: int = 1500  # pretraining rooms (disjoint from the pipeline's)
    train: VisionPretrainParams = field(default_factory=VisionPretrainParams)

    def __post_init__(self):
        if self.scenes < 1:
            raise ValueError(f"scenes must be >= 1, got {self.scenes}")


@dataclass(frozen=True)
class WarmStartParams:
    budget: int = 400  # warm-start examples (uniform over tasks, random selection)
    probe: int = 300  # held-in questions the warm-started solver scores to seed round 1's feedback
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
class LakeParams:
    """Where the lake lives and what DVC tracks of it (every stage).

    dvc.yaml names each stage's table outputs `${lake.outs}/<table>${lake.suffix}`: DVC
    templating has no conditionals, so the two path parts are params that must agree with
    `track` (checked here)."""
    uri: str = "lake"  # a directory (relative to the project) or s3://bucket/prefix (AWS_* environment)
    track: Literal["directory", "manifest"] = "directory"  # what DVC tracks: .lance folders or manifests
    outs: str = "lake"  # directory: the lake folder itself; manifest: the manifests' folder
    suffix: str = ".lance"  # directory: .lance; manifest: .json

    def __post_init__(self):
        if self.track == "directory":
            if "://" in self.uri:
                raise ValueError(f"track 'directory' needs a local lake, but uri is {self.uri}: set track: manifest, "
                                 "outs: runs/manifests, suffix: .json (DVC cannot track folders in a bucket)")
            if self.outs != self.uri or self.suffix != ".lance":
                raise ValueError(f"track 'directory' needs outs: {self.uri} (the uri) and suffix: .lance, "
                                 f"got outs: {self.outs}, suffix: {self.suffix}")
        elif self.suffix != ".json" or self.outs == self.uri:
            raise ValueError(f"track 'manifest' needs suffix: .json and outs: a folder that is not the lake "
                             f"(e.g. runs/manifests), got outs: {self.outs}, suffix: {self.suffix}")


@dataclass(frozen=True)
class RoundRef:
    id: int
    prev: int


@dataclass(frozen=True)
class Params:
    seed: int = 0
    lake: LakeParams = field(default_factory=LakeParams)
    scenes: ScenesParams = field(default_factory=ScenesParams)
    frames: FramesParams = field(default_factory=FramesParams)
    proposer: ProposerParams = field(default_factory=ProposerParams)
    filters: FiltersParams = field(default_factory=FiltersParams)
    selection: SelectionParams = field(default_factory=SelectionParams)
    bands: BandParams = field(default_factory=BandParams)
    loop: LoopParams = field(default_factory=LoopParams)
    feedback: FeedbackParams = field(default_factory=FeedbackParams)
    solver: SolverParams = field(default_factory=SolverParams)
    train: TrainParams = field(default_factory=TrainParams)
    vision: VisionParams = field(default_factory=VisionParams)
    warm_start: WarmStartParams = field(default_factory=WarmStartParams)
    eval: EvalParams = field(default_factory=EvalParams)
    rounds: list[RoundRef] = field(default_factory=list)

    def __post_init__(self):
        overview = self.frames.overview_size or self.frames.size
        if self.frames.overview_m is not None and overview > self.solver.image_size:
            raise ParamsError(f"solver.image_size: {self.solver.image_size} px would shrink the "
                              f"{overview} px overview frame (frames.overview_size); use >= {overview}")
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


def solver_frames(params: Params) -> dict[str, int]:
    """Frame settings (and tiny sizes) the solver is built with."""
    extra = dict(params.solver.size) if params.solver.spec == "tiny" else {}
    return {"image_size": params.solver.image_size, "max_frames": params.solver.max_frames, **extra}
