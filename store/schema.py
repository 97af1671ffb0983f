"""The pyarrow schemas of every table in the lake: the one place they are defined.

Coordinates are metres in the scene's world frame, +z up. A box's `normalized_axes`
is a row-major 3x3 matrix whose *rows* are the box's unit axes (the VSI-Bench
`normalizedAxes` layout); `axes_lengths` are full edge lengths along those rows.
A frame's `pose` is a row-major 4x4 camera-to-world matrix (camera looks along +z,
x right, y down: the OpenCV convention); `intrinsics` is (fx, fy, cx, cy) in pixels.

Per-round rows live in physical tables named `<table>__<partition>` (for example
`qa__r3`) so that each DVC stage owns its own directory; `Lake.scan("qa")` reads the
union. `LOGICAL_TABLES` maps every logical name to its schema.

Code that builds rows as polars frames takes its dtypes from here (`polars_schema`,
`polars_dtype`), so a column's type is written once.
"""

from collections.abc import Sequence

import polars as pl
import pyarrow as pa

VEC3 = pa.list_(pa.float64(), 3)

BOX = pa.struct(
    [
        pa.field("category", pa.string(), nullable=False),
        pa.field("instance", pa.int32(), nullable=False),  # index in the category's box list
        pa.field("centroid", VEC3, nullable=False),
        pa.field("axes_lengths", VEC3, nullable=False),
        pa.field("normalized_axes", pa.list_(pa.float64(), 9), nullable=False),
        pa.field("min", VEC3, nullable=False),
        pa.field("max", VEC3, nullable=False),
    ]
)

CATEGORY_COUNT = pa.struct(
    [pa.field("category", pa.string(), nullable=False), pa.field("count", pa.int32(), nullable=False)]
)

SCENES = pa.schema(
    [
        pa.field("scene_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),  # e.g. "scene0251_00" or "proc-000017"
        pa.field("source", pa.string(), nullable=False),  # scannet | scannetpp | arkitscenes | procedural
        pa.field("room_size", pa.float64(), nullable=False),  # floor area, m^2
        pa.field("room_center", VEC3, nullable=False),
        # object_counts is kept apart from the boxes: real ScanNet scenes disagree with
        # their own box lists, and VSI-Bench counting questions use the counts.
        pa.field("object_counts", pa.list_(CATEGORY_COUNT), nullable=False),
        pa.field("objects", pa.list_(BOX), nullable=False),
        pa.field("warnings", pa.list_(pa.string()), nullable=False),
    ]
)

VISIBLE_OBJECT = pa.struct(
    [
        pa.field("category", pa.string(), nullable=False),
        pa.field("instance", pa.int32(), nullable=False),
        pa.field("fraction", pa.float32(), nullable=False),  # visible pixels / image pixels
    ]
)

FRAMES = pa.schema(
    [
        pa.field("frame_id", pa.string(), nullable=False),
        pa.field("scene_id", pa.string(), nullable=False),
        pa.field("index", pa.int32(), nullable=False),  # position in the scene's video, 0-based
        pa.field("source", pa.string(), nullable=False),  # render | video
        pa.field("width", pa.int32(), nullable=False),
        pa.field("height", pa.int32(), nullable=False),
        pa.field("image", pa.binary(), nullable=False),  # PNG bytes
        pa.field("pose", pa.list_(pa.float64(), 16), nullable=True),  # null for real video
        pa.field("intrinsics", pa.list_(pa.float64(), 4), nullable=True),
        pa.field("visible_objects", pa.list_(VISIBLE_OBJECT), nullable=False),
        # No model output here: a frame's vectors live in `embeddings`, so the frames'
        # content (and its fingerprint) depends on data alone, never on a CPU's kernels.
    ]
)

FILTER_FLAG = pa.struct(
    [
        pa.field("filter", pa.string(), nullable=False),  # registry name of the filter
        pa.field("score", pa.float64(), nullable=True),  # what the filter measured
        pa.field("flagged", pa.bool_(), nullable=False),  # its decision under the thresholds
        pa.field("reason", pa.string(), nullable=True),
    ]
)

QA = pa.schema(
    [
        pa.field("qa_id", pa.string(), nullable=False),
        pa.field("round", pa.int32(), nullable=False),
        pa.field("split", pa.string(), nullable=False),  # train | eval
        pa.field("scene_id", pa.string(), nullable=False),
        pa.field("proposer", pa.string(), nullable=False),  # template | llm | corpus | vsibench
        # Which model and prompt wrote the row (null for code-written rows): part of the
        # content fingerprint, so swapping the proposer model is a new round, not the same one.
        pa.field("proposer_model", pa.string(), nullable=True),
        pa.field("prompt_version", pa.string(), nullable=True),
        pa.field("task", pa.string(), nullable=False),  # VSI-Bench question_type
        pa.field("template", pa.string(), nullable=False),
        pa.field("difficulty", pa.string(), nullable=False),  # JSON object of knob values
        pa.field("difficulty_bin", pa.string(), nullable=False),
        pa.field("question", pa.string(), nullable=False),
        pa.field("options", pa.list_(pa.string()), nullable=True),  # ["A. chair", ...]; null if numeric
        pa.field("answer_type", pa.string(), nullable=False),  # mca | numeric
        pa.field("program", pa.string(), nullable=False),
        pa.field("frame_ids", pa.list_(pa.string()), nullable=False),
        pa.field("answer", pa.string(), nullable=True),  # gold: option letter or str(number)
        pa.field("exec_value", pa.string(), nullable=True),  # the program's raw value, as JSON
        # ok | error | timeout | rejected | memory | crashed (curation.executor.ExecResult)
        pa.field("exec_status", pa.string(), nullable=False),
        pa.field("exec_error", pa.string(), nullable=True),
        pa.field("exec_ms", pa.float32(), nullable=True),
        pa.field("flags", pa.list_(FILTER_FLAG), nullable=False),
        pa.field("ambiguous", pa.bool_(), nullable=False),
        pa.field("drop_reason", pa.string(), nullable=True),  # null = kept by the filters
        pa.field("selected", pa.bool_(), nullable=False),  # in the round's training slice
    ]
)

# What a proposer writes: the QA columns before `answer`. Execution adds the answer and
# exec_* columns, the filters the flags, selection `selected`.
PROPOSAL_COLUMNS = tuple(QA.names[: QA.get_field_index("answer")])

SCORES = pa.schema(
    [
        pa.field("qa_id", pa.string(), nullable=False),
        pa.field("round", pa.int32(), nullable=False),  # the round whose rows were scored
        pa.field("solver", pa.string(), nullable=False),  # checkpoint that scored them
        pa.field("blind", pa.bool_(), nullable=False),  # frames swapped for another scene's
        pa.field("confidence", pa.float64(), nullable=False),  # p(gold) in [0, 1]
        pa.field("correct", pa.bool_(), nullable=False),
        pa.field("prediction", pa.string(), nullable=False),
        pa.field("mra", pa.float64(), nullable=True),  # numeric answers only
    ]
)

# What a solver measures of a row; qa_id, round, solver and blind say whose score it is.
SCORE_COLUMNS = ("confidence", "correct", "prediction", "mra")

# One sampled answer of a GRPO round (training.grpo): rounds trained by SFT write none.
ROLLOUTS = pa.schema(
    [
        pa.field("qa_id", pa.string(), nullable=False),
        pa.field("round", pa.int32(), nullable=False),  # the round that trained on it
        pa.field("group", pa.int64(), nullable=False),  # the question's group of samples, in generation order
        pa.field("sample", pa.int32(), nullable=False),  # its place in the group, 0..G-1
        pa.field("completion", pa.string(), nullable=False),  # the answer text, special tokens removed
        pa.field("reward", pa.float64(), nullable=False),  # weighted sum of train.grpo.rewards
        pa.field("advantage", pa.float64(), nullable=False),  # TRL's, normalised within the group
        pa.field("logp_mean", pa.float64(), nullable=False),  # mean log-prob (nats) of its tokens when sampled
        pa.field("parsed", pa.bool_(), nullable=False),  # the benchmark reads it as an answer
    ]
)
ROLLOUT_COLUMNS = tuple(n for n in ROLLOUTS.names if n != "round")  # what training writes; the round adds round

ROUNDS = pa.schema(
    [
        pa.field("round", pa.int32(), nullable=False),
        pa.field("prev", pa.int32(), nullable=False),
        pa.field("params_hash", pa.string(), nullable=False),
        pa.field("counts", pa.string(), nullable=False),  # JSON {reason: n}
        pa.field("bands", pa.string(), nullable=False),  # JSON {task: {easy, frontier, hard}}
        pa.field("metrics", pa.string(), nullable=False),  # JSON eval scores per task (+ blind)
        pa.field("checkpoint", pa.string(), nullable=False),  # path of the solver/adapter
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)

EMBEDDING_KINDS = ("frame", "question")


def embeddings_schema(dim: int | None) -> pa.Schema:
    """Rows of `embeddings`: one vector per (item, encoder).

    `item_id` is a frame_id or a qa_id (`kind` says which); `encoder` is the model's
    name and a digest of its weights ("tiny-vision@1f2e..."), so a new solver adds rows
    and never rewrites old ones. Each physical partition holds one encoder, one vector
    space, hence one `dim`: `vector` is a fixed-size float32 list, which is what a
    LanceDB vector index needs. `dim=None` is the logical view over partitions of
    different encoders, where the length varies.
    """
    vector = pa.list_(pa.float32()) if dim is None else pa.list_(pa.float32(), dim)
    return pa.schema(
        [
            pa.field("item_id", pa.string(), nullable=False),
            pa.field("kind", pa.string(), nullable=False),  # frame | question
            pa.field("encoder", pa.string(), nullable=False),
            pa.field("vector", vector, nullable=False),
        ]
    )


EMBEDDINGS = embeddings_schema(None)

LOGICAL_TABLES: dict[str, pa.Schema] = {
    "scenes": SCENES,
    "frames": FRAMES,
    "qa": QA,
    "scores": SCORES,
    "rounds": ROUNDS,
    "rollouts": ROLLOUTS,
    "embeddings": EMBEDDINGS,
}

# The key that identifies a row of each table; writes with mode="upsert" merge on it.
KEYS: dict[str, tuple[str, ...]] = {
    "scenes": ("scene_id",),
    "frames": ("frame_id",),
    "qa": ("qa_id", "round"),
    "scores": ("qa_id", "round", "solver", "blind"),
    "rounds": ("round",),
    "rollouts": ("round", "group", "sample"),
    "embeddings": ("item_id", "kind", "encoder"),
}


def polars_schema(schema: pa.Schema, columns: Sequence[str] | None = None) -> pl.Schema:
    """The polars dtypes of `schema`'s columns (all, or `columns` in the order given).

    A name `schema` lacks raises KeyError naming it."""
    full = pl.from_arrow(schema.empty_table()).schema
    if columns is None:
        return full
    missing = [c for c in columns if c not in full]
    if missing:
        raise KeyError(f"schema has no column(s) {missing}; it has {full.names()}")
    return pl.Schema({c: full[c] for c in columns})


# GRPO's rows as training writes them (no round yet): also the empty table an SFT round records
ROLLOUT_SCHEMA = polars_schema(ROLLOUTS, ROLLOUT_COLUMNS)


def polars_dtype(arrow_type: pa.DataType) -> pl.DataType:
    """The polars dtype a column of `arrow_type` reads as (e.g. FILTER_FLAG -> pl.Struct)."""
    return polars_schema(pa.schema([pa.field("value", arrow_type)]))["value"]
