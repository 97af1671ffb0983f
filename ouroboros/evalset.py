"""Stage `eval_set`: the held-out questions no round ever trains on.

    ouro evalset        (dvc.yaml stage `eval_set`)

Questions are proposed on the held-out scenes (a fixed share of scene ids), executed
and filtered like training rows; only rows the filters keep are evaluated on. Written
to the lake partition `qa__eval` (split "eval") and runs/eval/fingerprint.json.
"""

import polars as pl

from ouroboros.fingerprints import write_fingerprint
from ouroboros.inputs import frame_infos, load_frames, load_scenes, split_scenes, with_frame_ids
from ouroboros.params import Params
from ouroboros.steps import execute_and_filter, propose
from ouroboros.workspace import Workspace

EVAL_PARTITION = "eval"
EVAL_SEED_OFFSET = 1_000_003  # eval questions never share the training proposer's random stream


def build_evalset(params: Params, ws: Workspace) -> dict:
    lake = ws.lake()
    _, held = split_scenes(load_scenes(lake), params.scenes.eval_fraction)
    frames = load_frames(lake, [s.scene_id for s in held])
    infos = frame_infos(frames, held)
    proposals = propose(
        params.proposer.__class__(kind="template", distance_mode=params.proposer.distance_mode),
        params.seed + EVAL_SEED_OFFSET, held, params.eval.n_questions, None, infos=infos, round=0, split="eval",
    )
    rows = with_frame_ids(execute_and_filter(proposals, held, infos, params.filters, params.seed), frames)
    lake.write("qa", rows, mode="overwrite", partition=EVAL_PARTITION)
    write_fingerprint(ws.eval_dir / "fingerprint.json", lake, {"qa": f"qa__{EVAL_PARTITION}"})
    kept = rows.filter(pl.col("drop_reason").is_null() & pl.col("answer").is_not_null())
    return {"scenes": len(held), "proposed": rows.height, "kept": kept.height,
            "per_task": dict(kept.group_by("task").len().sort("task").iter_rows())}


def load_evalset(ws: Workspace) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept eval rows, their frames)."""
    lake = ws.lake()
    rows = (
        lake.scan(f"qa__{EVAL_PARTITION}")
        .filter(pl.col("drop_reason").is_null() & pl.col("answer").is_not_null())
        .collect()
    )
    return rows, load_frames(lake, rows["scene_id"].unique().to_list())
