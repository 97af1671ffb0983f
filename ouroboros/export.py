"""A round's training slice in the formats other trainers read, with its frames as PNG files.

- `jsonl`: one record per question with VSI-Bench fields (id, question_type, question,
  options, ground_truth), the prompt and the image paths.
- `swift` (ms-swift): `messages` [user, assistant] with one `<image>` tag per frame
  before the VSI-Bench prompt, and `images`.
- `llamafactory` (LLaMA-Factory sharegpt): the same `messages`/`images` records in one
  JSON array, plus the `dataset_info.json` entry that names the columns and role tags.

Image paths are relative to the output directory. The prompt is training.prompts'
VSI-Bench wording, so a model trained elsewhere sees exactly what the solver saw.
"""

import json
from pathlib import Path

import polars as pl

from ouroboros.errors import CliInputError
from store.lake import Lake
from training.batches import pick_frames
from training.prompts import question_text

FORMATS = ("jsonl", "swift", "llamafactory")
DATASET_NAME = "ouroboros_spatial"


def records(rows: pl.DataFrame, max_frames: int) -> list[dict]:
    """One dict per row with the VSI-Bench fields, prompt and image paths."""
    out = []
    for r in rows.sort("qa_id").iter_rows(named=True):
        frames = pick_frames(r["frame_ids"], max_frames)
        out.append({
            "id": r["qa_id"], "question_type": r["task"], "question": r["question"], "options": r["options"],
            "ground_truth": r["answer"], "prompt": question_text(r["question"], r["options"]),
            "images": [f"images/{f}.png" for f in frames],
        })
    return out


def as_messages(record: dict) -> dict:
    return {
        "messages": [
            {"role": "user", "content": "<image>" * len(record["images"]) + record["prompt"]},
            {"role": "assistant", "content": record["ground_truth"]},
        ],
        "images": record["images"],
    }


def export(rows: pl.DataFrame, frames: pl.DataFrame, out: Path, fmt: str, max_frames: int) -> dict:
    """Write `rows` (QA rows) and the frames they use under `out`; returns what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    recs = records(rows, max_frames)
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    needed = {Path(p).stem for r in recs for p in r["images"]}
    png = dict(frames.filter(pl.col("frame_id").is_in(sorted(needed))).select("frame_id", "image").iter_rows())
    missing = needed - set(png)
    if missing:
        raise ValueError(f"{len(missing)} frame(s) used by the slice are not in the lake, e.g. {sorted(missing)[0]}")
    for frame_id, data in png.items():
        (images / f"{frame_id}.png").write_bytes(data)
    if fmt == "jsonl":
        target = out / "data.jsonl"
        target.write_text("".join(json.dumps(r) + "\n" for r in recs))
    elif fmt == "swift":
        target = out / "data.jsonl"
        target.write_text("".join(json.dumps(as_messages(r)) + "\n" for r in recs))
    else:
        target = out / "data.json"
        target.write_text(json.dumps([as_messages(r) for r in recs], indent=1))
        info = {DATASET_NAME: {
            "file_name": target.name, "formatting": "sharegpt",
            "columns": {"messages": "messages", "images": "images"},
            "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"},
        }}
        (out / "dataset_info.json").write_text(json.dumps(info, indent=1))
    return {"records": len(recs), "images": len(png), "file": str(target)}


def export_round(lake: Lake, round: int, out: Path, fmt: str, max_frames: int) -> dict:
    """`export` round `round`'s selected rows and their scenes' frames; a round with no selected
    rows is an error listing the rounds that have some."""
    if fmt not in FORMATS:
        raise CliInputError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    selected = lake.scan("qa").filter(pl.col("selected"))
    rows = selected.filter(pl.col("round") == round).collect()
    if rows.is_empty():
        have = selected.select(pl.col("round").unique().sort()).collect().to_series().to_list()
        raise CliInputError(f"round {round} has no selected rows in {lake.path}; rounds with some: "
                            f"{', '.join(map(str, have)) or 'none (has a round run? see `ouro status`)'}")
    frames = lake.scan("frames").filter(pl.col("scene_id").is_in(rows["scene_id"].unique().implode())).collect()
    try:
        return export(rows, frames, out, fmt, max_frames)
    except ValueError as exc:
        raise CliInputError(str(exc)) from exc
