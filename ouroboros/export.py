"""A round's training slice in the formats other trainers read, with its frames as PNG files.

- `jsonl`: one record per question with VSI-Bench fields (id, question_type, question,
  options, ground_truth), the prompt and the image paths.
- `swift` (ms-swift): `messages` [user, assistant] with one `<image>` tag per frame
  before the VSI-Bench prompt, and `images`.
- `llamafactory` (LLaMA-Factory sharegpt): the same `messages`/`images` records in one
  JSON array, plus the `dataset_info.json` entry that names the columns and role tags.
- `hf`, `trl`: a Hugging Face dataset folder, Parquet with the frames inside
  (ouroboros.hf_export).

Image paths are relative to the output directory. The prompt is training.prompts'
VSI-Bench wording, so a model trained elsewhere sees exactly what the solver saw.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from curation.bands import BandParams
from ouroboros.errors import CliInputError
from store.lake import physical_name
from training.prompts import question_text

if TYPE_CHECKING:
    from store.lake import Lake

FILE_FORMATS = ("jsonl", "swift", "llamafactory")
DATASET_FORMATS = ("hf", "trl")  # Hugging Face dataset folders
FORMATS = FILE_FORMATS + DATASET_FORMATS
DATASET_NAME = "ouroboros_spatial"


def records(rows: pl.DataFrame, max_frames: int) -> list[dict]:
    """One dict per row with the VSI-Bench fields, prompt and image paths."""
    from training.batches import pick_frames  # imports torch; `ouro export --help` should not

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


def frame_png(recs: list[dict], frames: pl.DataFrame) -> dict[str, bytes]:
    """{frame id: PNG bytes} of every frame `recs` use; a ValueError names one that is missing."""
    needed = {Path(p).stem for r in recs for p in r["images"]}
    png = dict(frames.filter(pl.col("frame_id").is_in(sorted(needed))).select("frame_id", "image").iter_rows())
    missing = needed - set(png)
    if missing:
        raise ValueError(f"{len(missing)} frame(s) used by the slice are not in the lake, e.g. {sorted(missing)[0]}")
    return png


def export(rows: pl.DataFrame, frames: pl.DataFrame, out: Path, fmt: str, max_frames: int) -> dict:
    """Write `rows` (QA rows) and the frames they use under `out` as jsonl, swift or llamafactory
    files; returns what was written."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"format must be one of {FILE_FORMATS}, got {fmt!r}")
    recs = records(rows, max_frames)
    png = frame_png(recs, frames)
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
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


def export_dataset(lake: "Lake", round: int, rows: pl.DataFrame, frames: pl.DataFrame, out: Path, fmt: str,
                   max_frames: int, license: str) -> dict:
    """Round `round`'s selected `rows` as a Hugging Face dataset folder (`hf` or `trl`) with its card."""
    from ouroboros import hf_export as hf

    recs = records(rows, max_frames)
    png = frame_png(recs, frames)
    table = physical_name("qa", f"r{round}")
    version = lake.version(table)
    if fmt == "hf":
        scores = lake.scan("scores").filter(pl.col("qa_id").is_in(rows["qa_id"].implode())).collect()
        scored = hf.with_confidence(rows, scores, round, BandParams())
        configs = {"default": (hf.HF_FEATURES, hf.write_split(
            hf.hf_records(recs, scored, png, table, version), hf.HF_FEATURES, out / "data"))}
    else:
        configs = {name: (hf.TRL_FEATURES[name], hf.write_split(split, hf.TRL_FEATURES[name], out / "data" / name))
                   for name, split in hf.trl_records(recs, png).items()}
    proposed = lake.scan("qa").filter(pl.col("round") == round).select("proposer", "drop_reason").collect()
    round_row = lake.scan("rounds").filter(pl.col("round") == round).collect().head(1).to_dicts()
    how = hf.provenance(round, proposed, rows.height, str(lake.path), table, version,
                        round_row[0] if round_row else None, BandParams())
    (out / "README.md").write_text(hf.card(
        configs, title=f"Ouroboros-Spatial round {round} training slice", license=license, how=how))
    return {"records": rows.height, "images": len(png), "file": str(out / "README.md")}


def export_round(lake: "Lake", round: int, out: Path, fmt: str, max_frames: int, license: str = "other") -> dict:
    """`export` (or `export_dataset`) round `round`'s selected rows and their scenes' frames; a
    round with no selected rows is an error listing the rounds that have some. `license` is
    the dataset card's (hf, trl)."""
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
        if fmt in DATASET_FORMATS:
            return export_dataset(lake, round, rows, frames, out, fmt, max_frames, license)
        return export(rows, frames, out, fmt, max_frames)
    except ValueError as exc:
        raise CliInputError(str(exc)) from exc
