"""params.yaml as frozen dataclasses: one section per stage, every key checked.

Sections that belong to a lower layer use that layer's own config class (`bands` ->
curation.bands.BandParams; `selection`, `feedback` -> curation.params; `train` ->
training.train_params.TrainParams; `vision.train` -> training.vision_params), so a knob
and its default are defined once. Paths are relative to the directory that holds
params.yaml.
Every section is a frozen pydantic dataclass (plumbing.params says how to write one);
unknown keys, wrong types and bad values raise ParamsError naming the dotted key.
"""

import importlib.util
import json
from dataclasses import asdict, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, TypeAdapter, ValidationError, model_validator
from pydantic.dataclasses import dataclass

from curation.bands import BandParams
from curation.params import FeedbackParams, SelectionParams
from ouroboros.errors import ParamsError
from plumbing.params import STRICT
from training.train_params import TrainParams
from training.vision_params import VisionPretrainParams

Recipe = list[dict[str, dict[str, Any] | None]]


@dataclass(frozen=True, config=STRICT)
class WorldParams:
    """Knobs of the procedural rooms (curation.scenes.procedural.generate_scene); None draws each
    scene's value from its seed, over the generator's whole range."""

    n_objects: list[int] | None = None  # [lo, hi]: each room gets a count in this range
    duplicates: int | None = None  # up to this many instances each time a category is drawn
    clutter: float | None = None  # 0..1: small objects on furniture, floor packing
    near_ties: int | None = None  # pairs of near-equal distances to a common anchor
    categories: list[str] | None = None  # draw only these categories (None: all of them)

    @model_validator(mode="after")
    def _n_objects_is_a_range(self):
        if self.n_objects is not None and (len(self.n_objects) != 2 or self.n_objects[0] > self.n_objects[1]):
            raise ValueError(f"n_objects: expected [lo, hi] with lo <= hi, got {self.n_objects}")
        return self

    def knobs(self, seed: int) -> dict:
        """generate_scene's keyword arguments for the room of `seed`."""
        knobs = {k: getattr(self, k) for k in ("duplicates", "clutter", "near_ties", "categories")}
        if self.n_objects is not None:
            lo, hi = self.n_objects
            knobs["n_objects"] = lo + seed % (hi - lo + 1)
        return {k: v for k, v in knobs.items() if v is not None}


@dataclass(frozen=True, config=STRICT)
class ScenesParams:
    meta: list[str] = field(default_factory=list)  # VSI-Bench meta files to import (`ouro data fetch vsibench`)
    max_real: NonNegativeInt = 0  # use only the first N real scenes (0 = all); keeps the CPU demo small
    procedural: NonNegativeInt = 40  # procedural rooms generated (seeds seed .. seed+N-1)
    eval_fraction: Annotated[float, Field(gt=0, lt=1)] = 0.25  # share of scenes held out for eval (by scene_id hash)
    world: WorldParams = field(default_factory=WorldParams)  # what the procedural rooms hold


@dataclass(frozen=True, config=STRICT)
class FramesParams:
    n_frames: int = 4  # frames rendered per scene (the video the solver sees)
    size: int = 64  # square frame side in px; 64 keeps the tiny solver at ~150 samples/s
    overview_m: PositiveFloat | None = None  # add a top-down overview frame spanning this many metres
    overview_size: Annotated[int, Field(ge=32)] | None = None  # its side in px (None: `size`); finer than the walk's


@dataclass(frozen=True, config=STRICT)
class ProposerParams:
    # A name in curation.proposer.PROPOSERS, checked at load by ouroboros.registered: importing
    # every proposer here would make every stage depend on their code.
    kind: str = "template"
    per_round: PositiveInt = 600  # candidate questions proposed per round
    distance_mode: Literal["vsibench", "exact"] = "vsibench"
    corpus: str = "../shared/data/vqagen/qa_code_generated_scannet.json"  # for kind=corpus
    base_url: str | None = None  # for kind=llm: an OpenAI-compatible server
    model: str | None = None
    api_key_env: str | None = None  # name of the environment variable holding the key
    concurrency: PositiveInt = 4  # requests in flight; a vLLM server batches them, so more is faster up to its batch
    n_frames: NonNegativeInt = 4  # frames attached to each llm request, evenly spaced over the scene's video
    history: NonNegativeInt = 8  # earlier questions of the scene shown to the llm, newest first (curation.history)
    timeout_s: PositiveFloat = 120.0  # per request; a 4B model writes ~300 tokens in seconds, a loaded server queues
    retries: NonNegativeInt = 3  # per request, after a timeout, a network error or a 408/429/5xx

    @model_validator(mode="after")
    def _llm_needs_a_server(self):
        if self.kind == "llm" and not (self.base_url and self.model):
            raise ValueError("kind: 'llm' needs base_url and model")
        return self


@dataclass(frozen=True, config=STRICT)
class FiltersParams:
    # No recipe here: the one the pipeline runs is params.yaml's, written once (empty = no filter).
    # Filter names and their arguments are checked by ouroboros.registered, which imports the filters.
    before_scoring: Recipe = field(default_factory=list)  # on executed rows, before scoring (score-free)
    after_scoring: Recipe = field(default_factory=list)  # after scoring (reads this and earlier rounds' scores)
    workers: PositiveInt = 2  # sandbox worker processes
    timeout_s: PositiveFloat = 1.0  # CPU seconds per program


@dataclass(frozen=True, config=STRICT)
class CurationParams:
    """Where rendering, executing, the score-free filters and embedding run (docs/scaling.md).

    local: this process and its sandbox workers; ray: Ray Data over scenes, on the cluster at
    RAY_ADDRESS or a local instance. Either gives the same rows (content fingerprints)."""

    engine: Literal["local", "ray"] = "local"
    # ray: whole scenes a task executes and filters; fewer is finer balance, more amortises a task's overhead
    scenes_per_task: PositiveInt = 32

    @model_validator(mode="after")
    def _ray_is_installed(self):
        if self.engine == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError("engine: 'ray' needs Ray, which is not installed: pip install -e '.[ray]'")
        return self


@dataclass(frozen=True, config=STRICT)
class LoopParams:
    """The data policy of the rounds: the ablation's arms are runs of the same pipeline
    with this key set (`dvc exp run -S loop.policy=static`)."""

    # closed: feedback steers the proposer, confidence-based selection (the method);
    # open: the same proposer without feedback, valid rows at random;
    # static: one dataset proposed up front (round 1's stream), a random chunk per round.
    # A name in ouroboros.loop_policies.LOOP_POLICIES, checked at load by ouroboros.registered
    # (importing the policies here would make every stage depend on the round's code).
    policy: str = "closed"


@dataclass(frozen=True, config=STRICT)
class SolverParams:
    spec: str = "tiny"  # "tiny" or a local Qwen3-VL checkpoint directory
    image_size: int = 64
    max_frames: int = 4
    score_batch_size: PositiveInt = 32  # rows per forward (hf); requests in flight (vllm)
    size: dict[str, int] = field(default_factory=dict)  # tiny-model size overrides
    # Who scores a round's rows with the previous round's solver: this process (hf) or a vLLM
    # server that serves that solver's weights (vllm; training/backends, docs/scaling.md).
    backend: Literal["hf", "vllm"] = "hf"
    base_url: str | None = None  # for vllm: the OpenAI-compatible server (".../v1" works too)
    model: str | None = None  # for vllm: its --served-model-name
    timeout_s: PositiveFloat = 120.0  # for vllm: per request; a 32-frame prompt prefills fast

    @model_validator(mode="after")
    def _vllm_needs_a_server(self):
        if self.backend == "vllm" and not (self.base_url and self.model):
            raise ValueError("backend: 'vllm' needs base_url and model (the server and its --served-model-name)")
        return self


@dataclass(frozen=True, config=STRICT)
class VisionParams:
    """Stage `vision`: pretraining of the tiny solver's encoder (ouroboros.stages.vision)."""

    enabled: bool = True  # ignored for a real checkpoint, which has its own encoder
    scenes: PositiveInt = 1500  # pretraining rooms (disjoint from the pipeline's)
    train: VisionPretrainParams = field(default_factory=VisionPretrainParams)


@dataclass(frozen=True, config=STRICT)
class WarmStartParams:
    budget: PositiveInt = 400  # warm-start examples (uniform over tasks, random selection)
    probe: NonNegativeInt = 300  # held-in questions the warm-started solver scores to seed round 1's feedback
    epochs: PositiveFloat = 3.0


@dataclass(frozen=True, config=STRICT)
class EvalParams:
    source: Literal["procedural", "vsibench"] = "procedural"
    n_questions: PositiveInt = 240  # procedural: questions proposed on held-out scenes
    annotations: str | None = None  # vsibench: the benchmark's jsonl/parquet
    pruned: str | None = None  # vsibench: VSI-Bench-Debiased's removed ids; rounds then also report that subset
    blind: bool = True  # also evaluate with frames swapped between scenes

    @model_validator(mode="after")
    def _vsibench_needs_annotations(self):
        if self.source == "vsibench" and not self.annotations:
            raise ValueError("source: 'vsibench' needs annotations")
        return self


@dataclass(frozen=True, config=STRICT)
class LakeParams:
    """Where the lake lives and what DVC tracks of it (every stage).

    dvc.yaml names each stage's table outputs `${lake.outs}/<table>${lake.suffix}`: DVC
    templating has no conditionals, so the two path parts are params that must agree with
    `track` (checked here)."""
    uri: str = "lake"  # a directory (relative to the project) or s3://bucket/prefix (AWS_* environment)
    track: Literal["directory", "manifest"] = "directory"  # what DVC tracks: .lance folders or manifests
    outs: str = "lake"  # directory: the lake folder itself; manifest: the manifests' folder
    suffix: str = ".lance"  # directory: .lance; manifest: .json

    @model_validator(mode="after")
    def _paths_agree_with_track(self):
        if self.track == "directory":
            if "://" in self.uri:
                raise ValueError(f"track: 'directory' needs a local lake, but uri is {self.uri}: set track: manifest, "
                                 "outs: runs/manifests, suffix: .json (DVC cannot track folders in a bucket)")
            if self.outs != self.uri or self.suffix != ".lance":
                raise ValueError(f"track: 'directory' needs outs: {self.uri} (the uri) and suffix: .lance, "
                                 f"got outs: {self.outs}, suffix: {self.suffix}")
        elif self.suffix != ".json" or self.outs == self.uri:
            raise ValueError(f"track: 'manifest' needs suffix: .json and outs: a folder that is not the lake "
                             f"(e.g. runs/manifests), got outs: {self.outs}, suffix: {self.suffix}")
        return self


@dataclass(frozen=True, config=STRICT)
class RoundRef:
    id: int
    prev: int


@dataclass(frozen=True, config=STRICT)
class Params:
    seed: int = 0
    lake: LakeParams = field(default_factory=LakeParams)
    scenes: ScenesParams = field(default_factory=ScenesParams)
    frames: FramesParams = field(default_factory=FramesParams)
    proposer: ProposerParams = field(default_factory=ProposerParams)
    filters: FiltersParams = field(default_factory=FiltersParams)
    curation: CurationParams = field(default_factory=CurationParams)
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

    @model_validator(mode="after")
    def _sections_agree(self):
        overview = self.frames.overview_size or self.frames.size
        if self.frames.overview_m is not None and overview > self.solver.image_size:
            raise ValueError(f"solver.image_size: {self.solver.image_size} px would shrink the "
                             f"{overview} px overview frame (frames.overview_size); use >= {overview}")
        ids = [r.id for r in self.rounds]
        if len(set(ids)) != len(ids):
            raise ValueError(f"rounds: ids must be unique, got {ids}")
        for r in self.rounds:
            if r.id < 1 or not 0 <= r.prev < r.id:
                raise ValueError(f"rounds: round {r.id} needs 0 <= prev < {r.id}, got {r.prev}")
        return self

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


T = TypeVar("T")


def build(cls: type[T], data: Any, where: str = "params") -> T:
    """`cls` (a params dataclass) from a mapping; the first problem is a ParamsError naming its key.

    Validated as JSON, as YAML's values are: a strict list for a tuple and a mapping for a
    nested section are then accepted, and "10" for an int is not."""
    try:
        return TypeAdapter(cls).validate_json(json.dumps(data if data is not None else {}, default=str))
    except ValidationError as exc:
        raise ParamsError(_one_line(exc.errors()[0], where)) from None


def _one_line(error: dict, where: str) -> str:
    """'params.yaml.selection.budget: ...' from one pydantic error (its loc is the key path)."""
    key = where
    for part in error["loc"]:
        # a union or a validator adds steps like 'list[int]' or 'function-after[...]': not keys
        if isinstance(part, int):
            key += f"[{part}]"
        elif part.isidentifier():
            key += f".{part}"
    if error["type"] == "unexpected_keyword_argument":
        return f"{key}: unknown key"
    if error["type"] == "missing_argument":
        return f"{key}: missing"
    if error["type"] == "value_error":  # a rule's message starts with the key it names, within its section
        return f"{key}.{error['msg'].removeprefix('Value error, ')}"
    return f"{key}: {error['msg']}, got {error['input']!r}"


def with_engine(params: Params, engine: str | None) -> Params:
    """`params` with curation.engine set by a verb's --engine (None: as params.yaml says), checked alike."""
    if engine is None:
        return params
    curation = build(CurationParams, {**asdict(params.curation), "engine": engine}, where="curation")
    return replace(params, curation=curation)


def solver_frames(params: Params) -> dict[str, int]:
    """Frame settings (and tiny sizes) the solver is built with."""
    extra = dict(params.solver.size) if params.solver.spec == "tiny" else {}
    return {"image_size": params.solver.image_size, "max_frames": params.solver.max_frames, **extra}
