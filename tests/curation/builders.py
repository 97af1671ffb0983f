"""Builders for tests: hand-made scenes with geometry simple enough to check by hand, QA and score rows."""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curation.scenes.metadata import Box, Scene
from store.schema import QA, SCORES, polars_schema

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SCANNET_META = DATA / "vsibench_meta" / "scannet_meta_info_val.json"


def make_box(category: str, centroid, lengths, yaw_deg: float = 0.0, instance: int = 0) -> Box:
    """An upright box rotated by yaw about +z; rows of the rotation are the box axes."""
    c, s = math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    R = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])
    corners = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
    world = np.asarray(centroid) + (corners * np.asarray(lengths)) @ R
    return Box(
        category=category, instance=instance, centroid=tuple(map(float, centroid)),
        axes_lengths=tuple(map(float, lengths)), rotation=tuple(R.ravel().tolist()),
        min=tuple(world.min(0).tolist()), max=tuple(world.max(0).tolist()),
    )


def make_scene(name: str, boxes: list[Box], room_size: float = 20.0, counts: dict[str, int] | None = None) -> Scene:
    tally: dict[str, int] = {}
    for b in boxes:
        tally[b.category] = tally.get(b.category, 0) + 1
    return Scene(
        name=name, source="procedural", room_size=room_size, room_center=(0.0, 0.0, 0.0),
        object_counts=counts if counts is not None else tally, boxes=tuple(boxes),
    )


def qa_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """QA-shaped rows with defaults for every column a test does not care about."""
    defaults = {
        "qa_id": None, "round": 1, "split": "train", "scene_id": "s0", "proposer": "template",
        "task": "object_counting", "template": "count", "difficulty": "{}", "difficulty_bin": "easy",
        "question": "How many chair(s) are in this room?", "options": None, "answer_type": "numeric",
        "program": "def compute_answer():\n    return 1\n", "frame_ids": [], "answer": "1",
        "exec_value": "1", "exec_status": "ok", "exec_error": None, "exec_ms": 1.0, "flags": [],
        "ambiguous": False, "drop_reason": None,
    }
    full = []
    for i, r in enumerate(rows):
        row = {**defaults, **r}
        row["qa_id"] = row["qa_id"] or f"q{i}"
        if isinstance(row["difficulty"], dict):
            row["difficulty"] = json.dumps(row["difficulty"])
        full.append(row)
    return pl.DataFrame(full, schema=polars_schema(QA, [c for c in QA.names if c != "selected"]))


def scores_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """store.schema.SCORES-shaped rows with defaults."""
    defaults = {"round": 1, "solver": "r0", "blind": False, "confidence": 0.5, "correct": True,
                "prediction": "A", "mra": None}
    return pl.DataFrame(
        [{**defaults, **r} for r in rows],
        schema=polars_schema(SCORES),
    )
