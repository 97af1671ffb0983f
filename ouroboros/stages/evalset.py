"""Stage `eval_set`: the held-out questions no round ever trains on.

    ouro evalset        (dvc.yaml stage `eval_set`)

`eval.source: procedural`: questions proposed on the held-out scenes (a fixed share of
scene ids), executed and filtered like training rows; only rows the filters keep are
evaluated on. `eval.source: vsibench`: the benchmark's own derivable questions
(`eval.annotations`, duplicate-box referents read as the benchmark did) on its scenes,
with the official answers; those scenes are then held out of every round. With
`eval.pruned` (VSI-Bench-Debiased's removed ids) each row says whether the debiased subset
keeps it, and the rounds report `eval_debiased` beside `eval`. Written to the lake
partition `qa__eval` (split "eval", the version tagged `eval`) and runs/eval/fingerprint.json.
"""

import polars as pl

from curation.executor import Executor
from curation.scenes.metadata import Scene
from curation.vsibench.annotations import load_annotations, load_pruned_ids
from curation.vsibench.evalset import evalset_rows
from ouroboros.engine import start_engine
from ouroboros.errors import StageInputError
from ouroboros.fingerprints import write_fingerprint
from ouroboros.inputs import load_frames, load_scenes, split_scenes
from ouroboros.lakes import workspace_lake
from ouroboros.manifests import publish
from ouroboros.params import Params, ProposerParams
from ouroboros.steps import curated_rows, scorable
from ouroboros.workspace import Workspace
from ouroboros.worlds import stream_seed

EVAL_PARTITION = "eval"


def held_out_names(params: Params) -> set[str] | None:
    """Scene names the benchmark's eval set uses (None: the eval set is procedural)."""
    if params.eval.source != "vsibench":
        return None
    return set(load_annotations(params.eval.annotations)["scene_name"].unique())


def train_and_eval_scenes(params: Params, ws: Workspace) -> tuple[list[Scene], list[Scene]]:
    """The scenes rounds may train on, and the held-out ones."""
    return split_scenes(load_scenes(workspace_lake(ws)), params.scenes.eval_fraction, held_out_names(params))


def train_inputs(params: Params, ws: Workspace) -> tuple[list[Scene], pl.DataFrame]:
    """The scenes a round may train on, and their frames."""
    train, _ = train_and_eval_scenes(params, ws)
    return train, load_frames(workspace_lake(ws), [s.scene_id for s in train])


def procedural_rows(params: Params, held: list[Scene], frames: pl.DataFrame) -> pl.DataFrame:
    template = ProposerParams(kind="template", distance_mode=params.proposer.distance_mode)
    return curated_rows(template, stream_seed(params.seed, "eval"), params, held, frames, params.eval.n_questions,
                        None, round=0, split="eval")


def benchmark_rows(params: Params, held: list[Scene], frames: pl.DataFrame) -> pl.DataFrame:
    annotations = load_annotations(params.eval.annotations)
    pruned = load_pruned_ids(params.eval.pruned) if params.eval.pruned else None
    by_id = {s.scene_id: s.name for s in held}
    frames_by_scene = {by_id[sid]: part["frame_id"].to_list()
                       for (sid,), part in frames.sort("index").group_by("scene_id", maintain_order=True)}
    with Executor(workers=params.filters.workers, timeout_s=params.filters.timeout_s) as executor:
        return evalset_rows(annotations, held, frames_by_scene, executor, distance_mode=params.proposer.distance_mode,
                            pruned_ids=pruned)


def build_evalset(params: Params, ws: Workspace) -> dict:
    start_engine(params.curation)
    lake = workspace_lake(ws)
    _, held = train_and_eval_scenes(params, ws)
    if params.eval.blind and len(held) < 2:
        raise StageInputError(f"eval.blind swaps frames between held-out scenes, but only {len(held)} scene is "
                              f"held out: raise scenes.eval_fraction ({params.scenes.eval_fraction}) or add scenes")
    frames = load_frames(lake, [s.scene_id for s in held])
    rows = (benchmark_rows if params.eval.source == "vsibench" else procedural_rows)(params, held, frames)
    lake.write("qa", rows, mode="overwrite", partition=EVAL_PARTITION)
    fingerprint = write_fingerprint(ws.eval_dir / "fingerprint.json", lake, {"qa": f"qa__{EVAL_PARTITION}"})
    publish(ws, lake, EVAL_PARTITION, fingerprint["tables"])
    kept = scorable(rows)
    return {"scenes": len(held), "proposed": rows.height, "kept": kept.height,
            "per_task": dict(kept.group_by("task").len().sort("task").iter_rows())}


def load_evalset(ws: Workspace) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept eval rows, their frames)."""
    lake = workspace_lake(ws)
    rows = scorable(lake.scan(f"qa__{EVAL_PARTITION}")).collect()
    return rows, load_frames(lake, rows["scene_id"].unique().to_list())
