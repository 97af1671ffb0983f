"""Shared fixtures: hand-built boxes and scenes, the real reference data (skipped when absent)."""

import json
import math
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
SCANNET_META = DATA / "vsibench_meta" / "scannet_meta_info_val.json"
VQAGEN_PROGRAMS = DATA / "vqagen" / "qa_code_generated_scannet.json"
VSIBENCH_SAMPLE = DATA / "vsibench_qa" / "sample_scannet.jsonl"


def make_box(center, lengths, yaw_deg: float = 0.0) -> dict:
    """A VSI-Bench box dict: centre [3] m, full edge lengths [3] m, rotated by `yaw_deg` about +z."""
    c, s = math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    axes = [[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]]
    half = [
        abs(axes[0][k]) * lengths[0] / 2 + abs(axes[1][k]) * lengths[1] / 2 + abs(axes[2][k]) * lengths[2] / 2
        for k in range(3)
    ]
    return {
        "centroid": [float(v) for v in center],
        "axesLengths": [float(v) for v in lengths],
        "normalizedAxes": [v for row in axes for v in row],
        "min": [center[k] - half[k] for k in range(3)],
        "max": [center[k] + half[k] for k in range(3)],
    }


def make_scene(boxes: dict[str, list[dict]], room_size: float = 20.0) -> dict:
    return {
        "room_size": room_size,
        "room_center": [0.0, 0.0, 0.0],
        "object_counts": {k: len(v) for k, v in boxes.items()},
        "object_bbox": boxes,
    }


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (see ../shared/data/README.md)")
    return path


@pytest.fixture(scope="session")
def scannet_meta() -> dict:
    return json.loads(_need(SCANNET_META).read_text())


@pytest.fixture(scope="session")
def vqagen_programs() -> list[dict]:
    return json.loads(_need(VQAGEN_PROGRAMS).read_text())


@pytest.fixture(scope="session")
def vsibench_sample() -> list[dict]:
    return [json.loads(line) for line in _need(VSIBENCH_SAMPLE).read_text().splitlines() if line.strip()]
