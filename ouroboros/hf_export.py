"""A round's training slice as a Hugging Face dataset folder (`ouro export --format hf | trl`).

- `hf`: data/train-<i>-of-<n>.parquet, one row per question: its frames as `Image` features
  (PNG bytes), question, options, answer, the VSI-Bench prompt, task, difficulty knobs and
  band, the gold confidence of every round that scored it, the generating program and its
  provenance (round, proposer, the lake table and version the row was read from).
- `trl`: for TRL's trainers, two configs of the same questions: `sft` with conversational
  `messages` (the user turn: one image entry per frame, then the prompt; the assistant turn:
  the answer) and `images`; `grpo` with the user turn alone as `prompt`, `images`, and the
  gold `answer` a reward function compares completions with.

Both come with README.md, the dataset card: YAML front matter (license, features, sizes,
configs) and how the slice was made and filtered. `datasets` reads each column's feature
from the Parquet schema's `huggingface` metadata, so `load_dataset("parquet", data_dir=...)`
or `load_dataset(<folder>)` gives the images back as images; writing needs no `datasets`.
"""

import json
import math
from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from curation.bands import BandParams, band
from store.views import per_round_confidence

ROWS_PER_SHARD = 1000


def _value(dtype: str) -> dict:
    return {"dtype": dtype, "_type": "Value"}


STRING, INT32, INT64, FLOAT64 = _value("string"), _value("int32"), _value("int64"), _value("float64")
# A list is written as [feature], the form every `datasets` version reads.
IMAGES = [{"_type": "Image"}]
HF_FEATURES = {
    "qa_id": STRING, "frames": IMAGES, "frame_ids": [STRING], "question": STRING, "options": [STRING],
    "answer": STRING, "answer_type": STRING, "prompt": STRING, "task": STRING, "template": STRING,
    "difficulty": STRING, "difficulty_bin": STRING, "band": STRING, "confidence": FLOAT64,
    "confidence_by_round": [{"round": INT32, "confidence": FLOAT64}], "program": STRING, "scene_id": STRING,
    "round": INT32, "proposer": STRING, "proposer_model": STRING, "lake_table": STRING, "lake_version": INT64,
}
TURN = {"role": STRING, "content": [{"type": STRING, "text": STRING}]}
TRL_FEATURES = {
    "sft": {"qa_id": STRING, "task": STRING, "images": IMAGES, "messages": [TURN]},
    "grpo": {"qa_id": STRING, "task": STRING, "images": IMAGES, "prompt": [TURN], "answer": STRING},
}
ARROW = {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64(), "float64": pa.float64()}


def _arrow(feature) -> pa.DataType:
    """The Arrow type `datasets` stores a feature as (an Image is a {bytes, path} struct)."""
    if isinstance(feature, list):
        return pa.list_(_arrow(feature[0]))
    if feature.get("_type") == "Image":
        return pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    if feature.get("_type") == "Value":
        return ARROW[feature["dtype"]]
    return pa.struct([(name, _arrow(f)) for name, f in feature.items()])


def _card_type(feature) -> dict:
    """A feature as the dataset card's YAML writes it (`dtype`, `list`, `struct`)."""
    if isinstance(feature, list):
        return {"list": next(iter(_card_type(feature[0]).values()))}
    if feature.get("_type") == "Image":
        return {"dtype": "image"}
    if feature.get("_type") == "Value":
        return {"dtype": feature["dtype"]}
    return {"struct": [{"name": name, **_card_type(f)} for name, f in feature.items()]}


def with_confidence(rows: pl.DataFrame, scores: pl.DataFrame, round: int, bands: BandParams) -> pl.DataFrame:
    """`rows` with `confidence_by_round` ([{round, confidence}], sighted, every round that scored the
    question), `confidence` (round `round`'s, that chose it) and its `band` (null where unscored)."""
    per_round = per_round_confidence(scores, ("confidence", "mra"))  # a numeric row's band reads its MRA
    history = per_round.group_by("qa_id").agg(
        pl.struct("round", "confidence").sort_by("round").alias("confidence_by_round"))
    now = per_round.filter(pl.col("round") == round).select("qa_id", "confidence", "mra")
    return (rows.join(history, on="qa_id", how="left").join(now, on="qa_id", how="left")
            .with_columns(band(bands).alias("band")).drop("mra"))


def _images(paths: list[str], png: dict[str, bytes]) -> list[dict]:
    return [{"bytes": png[Path(p).stem], "path": Path(p).name} for p in paths]


def hf_records(records: list[dict], rows: pl.DataFrame, png: dict[str, bytes], lake_table: str,
               lake_version: int) -> list[dict]:
    """One `hf` row per export record (ouroboros.export.records), with its lake row's columns."""
    by_id = {r["qa_id"]: r for r in rows.iter_rows(named=True)}
    out = []
    for rec in records:
        row = by_id[rec["id"]]
        out.append({
            **{name: row[name] for name in HF_FEATURES if name in row},
            "frames": _images(rec["images"], png), "frame_ids": [Path(p).stem for p in rec["images"]],
            "prompt": rec["prompt"], "lake_table": lake_table, "lake_version": lake_version,
        })
    return out


def trl_records(records: list[dict], png: dict[str, bytes]) -> dict[str, list[dict]]:
    """{config: rows} for TRL: `sft` (messages) and `grpo` (prompt + answer)."""
    sft, grpo = [], []
    for rec in records:
        images = _images(rec["images"], png)
        user = {"role": "user", "content": [{"type": "image", "text": None}] * len(images)
                + [{"type": "text", "text": rec["prompt"]}]}
        answer = {"role": "assistant", "content": [{"type": "text", "text": rec["ground_truth"]}]}
        common = {"qa_id": rec["id"], "task": rec["question_type"], "images": images}
        sft.append({**common, "messages": [user, answer]})
        grpo.append({**common, "prompt": [user], "answer": rec["ground_truth"]})
    return {"sft": sft, "grpo": grpo}


def write_split(rows: list[dict], features: dict, folder: Path) -> dict:
    """`rows` as folder/train-<i>-of-<n>.parquet shards carrying their features; the split's sizes.
    An earlier export's shards go first: the card's `train-*` glob would read them too."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("train-*-of-*.parquet"):
        stale.unlink()
    schema = pa.schema([(name, _arrow(f)) for name, f in features.items()],
                       metadata={"huggingface": json.dumps({"info": {"features": features}})})
    shards = max(1, math.ceil(len(rows) / ROWS_PER_SHARD))
    size = 0
    for i in range(shards):
        table = pa.Table.from_pylist(rows[i * ROWS_PER_SHARD:(i + 1) * ROWS_PER_SHARD], schema=schema)
        pq.write_table(table, folder / f"train-{i:05d}-of-{shards:05d}.parquet")
        size += table.nbytes
    return {"name": "train", "num_bytes": size, "num_examples": len(rows)}


def _size_category(n: int) -> str:
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < bound:
            return label
    return "100K<n<1M"


def card(configs: dict[str, tuple[dict, dict]], *, title: str, license: str, how: str) -> str:
    """README.md: YAML front matter ({config: (features, split sizes)}) and the text `how`."""
    info = [{"config_name": name, "features": [{"name": n, **_card_type(f)} for n, f in features.items()],
             "splits": [split]} for name, (features, split) in configs.items()]
    front = {
        "license": license, "pretty_name": title, "language": ["en"],
        "task_categories": ["visual-question-answering"], "tags": ["spatial-reasoning", "synthetic", "vsi-bench"],
        "size_categories": [_size_category(max(split["num_examples"] for _, split in configs.values()))],
        "configs": [{"config_name": name, "data_files": [{"split": "train", "path": f"{folder}/train-*.parquet"}],
                     **({"default": True} if i == 0 else {})}
                    for i, (name, folder) in enumerate((n, "data" if n == "default" else f"data/{n}")
                                                       for n in configs)],
        "dataset_info": info[0] if len(info) == 1 else info,
    }
    return f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n\n# {title}\n\n{how}"


def provenance(round: int, all_rows: pl.DataFrame, selected: int, lake_uri: str, lake_table: str,
               lake_version: int, round_row: dict | None, bands: BandParams) -> str:
    """The card's body: where the rows come from and which steps kept them."""
    dropped = Counter(r for r in all_rows["drop_reason"].to_list() if r is not None)
    proposers = Counter(all_rows["proposer"].to_list())
    lines = [
        f"Round {round} of an Ouroboros-Spatial loop: the questions its solver was fine-tuned on.",
        "",
        "## How it was made",
        "",
        f"- Proposed: {all_rows.height} questions by {', '.join(f'{p} ({n})' for p, n in proposers.most_common())};"
        " each carries a program whose sandboxed run on its scene's metadata gave the answer.",
        "- Filtered: " + (", ".join(f"{reason} {n}" for reason, n in dropped.most_common()) or "none dropped")
        + " (rows dropped, by reason: invalid programs, near-ties, answers that flip under measurement noise,"
        " duplicates; after scoring, easy and blind-solvable ones).",
        f"- Selected: {selected} rows by the round's loop policy (closed: task shares from the feedback"
        " weights, frontier rows preferred; open and static: at random).",
        f"- `band` is the round's chance-corrected gold confidence band: easy > {bands.easy}, hard < {bands.hard}"
        " (the default thresholds); `confidence_by_round` is every round's sighted score.",
        f"- Lake: `{lake_uri}`, table `{lake_table}` version {lake_version}.",
    ]
    if round_row is not None:
        lines.append(f"- Round record: params hash `{round_row['params_hash']}`, content fingerprint "
                     f"`{round_row['fingerprint']}`, solver `{round_row['checkpoint']}`.")
    lines += ["", "## License", "", "The license field is the one `ouro export --license` was given. Questions about"
              " real scenes (ScanNet, ScanNet++, ARKitScenes) derive from those datasets' metadata and follow"
              " their terms of use."]
    return "\n".join(lines) + "\n"
