"""Tiny tables for solver tests: solid-colour PNG frames and VSI-Bench-shaped sample rows."""

import io

import numpy as np
import polars as pl
import pytest
import torch
from PIL import Image

from training.solver import load_solver

# The test machine's 2 cores are shared by several processes; with 2 intra-op threads the
# OpenMP workers spin-wait on each other and a tiny training step runs ~7x slower.
torch.set_num_threads(1)

CATEGORIES = [
    "chair",
    "table",
    "sofa",
    "bed",
    "door",
    "window",
    "cabinet",
    "shelf",
    "desk",
    "lamp",
    "sink",
    "toilet",
    "bathtub",
    "stove",
    "oven",
    "tv",
    "monitor",
    "keyboard",
    "laptop",
    "pillow",
    "curtain",
    "towel",
    "bin",
    "box",
    "bag",
    "basket",
    "bottle",
    "cup",
    "plant",
    "mirror",
    "clock",
    "fan",
]


def png(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), rgb).save(buf, format="PNG")
    return buf.getvalue()


def frames_table(n_scenes: int, per_scene: int, size: int = 32) -> pl.DataFrame:
    """Frames s<k>f<i>, each a solid colour unique to (scene, index)."""
    rng = np.random.default_rng(0)
    rows = [
        {
            "frame_id": f"s{s}f{i}",
            "scene_id": f"s{s}",
            "index": i,
            "image": png(tuple(int(c) for c in rng.integers(0, 256, 3)), size),
        }
        for s in range(n_scenes)
        for i in range(per_scene)
    ]
    return pl.DataFrame(
        rows, schema={"frame_id": pl.String, "scene_id": pl.String, "index": pl.Int32, "image": pl.Binary}
    )


def samples_table(n: int, n_scenes: int, per_scene: int, seed: int = 0) -> pl.DataFrame:
    """Alternating numeric counting and 3-option MCA rows, one distinct category each, so every
    row is distinguishable from its text alone (memorisable)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        scene = k % n_scenes
        cat, other, third = CATEGORIES[k % 32], CATEGORIES[(k + 1) % 32], CATEGORIES[(k + 2) % 32]
        base = {"qa_id": f"q{k}", "scene_id": f"s{scene}", "frame_ids": [f"s{scene}f{i}" for i in range(per_scene)]}
        if k % 2:
            rows.append(
                {
                    **base,
                    "task": "object_counting",
                    "question": f"How many {cat}(s) are in this room?",
                    "options": None,
                    "answer_type": "numeric",
                    "answer": str(int(rng.integers(1, 10))),
                }
            )
        else:
            rows.append(
                {
                    **base,
                    "task": "object_rel_distance",
                    "question": f"Which of these objects ({other}, {third}) is the closest to the {cat}?",
                    "options": [f"A. {other}", f"B. {third}", "C. sink"],
                    "answer_type": "mca",
                    "answer": "ABC"[int(rng.integers(0, 3))],
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "qa_id": pl.String,
            "scene_id": pl.String,
            "task": pl.String,
            "question": pl.String,
            "options": pl.List(pl.String),
            "answer_type": pl.String,
            "answer": pl.String,
            "frame_ids": pl.List(pl.String),
        },
    )


def tiny_solver():
    """A fresh random-init tiny solver at 32 px (one LLM token per frame), 2 frames max."""
    return load_solver("tiny", device="cpu", seed=0, image_size=32, max_frames=2)


@pytest.fixture
def tiny():
    return tiny_solver()


@pytest.fixture(scope="session")
def make_frames():
    return frames_table


@pytest.fixture(scope="session")
def make_samples():
    return samples_table


def numeric_pass_matches_reference(solver, samples: pl.DataFrame, frames: pl.DataFrame) -> None:
    """The shared-cache numeric pass must give what generate() and a plain teacher-forced
    forward give (greedy answers exactly, confidences to float precision)."""
    from training.batches import FrameStore, encode, items_from_samples
    from training.confidence import NUMERIC_MAX_NEW_TOKENS, numeric_pass

    store = FrameStore(solver, frames)
    items = items_from_samples(samples.filter(pl.col("answer_type") == "numeric"), store, solver.config.max_frames)
    with torch.inference_mode():
        confidence, answers = numeric_pass(solver, store, items)
        prompt = encode(solver, store, items, with_answers=False)
        out = solver.model.generate(
            **prompt,
            max_new_tokens=NUMERIC_MAX_NEW_TOKENS,
            do_sample=False,
            eos_token_id=solver.eos_id,
            pad_token_id=solver.pad_id,
        )
        width = prompt["input_ids"].shape[1]
        expected = [solver.tokenizer.decode(r, skip_special_tokens=True).strip() for r in out[:, width:]]
        full = encode(solver, store, items, with_answers=True)
        labels = full.pop("labels")[:, 1:]
        logp = torch.log_softmax(solver.model(**full).logits[:, :-1].float(), -1)
        keep = labels != -100
        gold = (logp.gather(-1, labels.clamp(min=0)[..., None])[..., 0] * keep).sum(-1) / keep.sum(-1)
    assert answers == expected
    torch.testing.assert_close(confidence, gold.exp(), rtol=1e-4, atol=1e-6)


@pytest.fixture(scope="session")
def check_numeric_pass():
    return numeric_pass_matches_reference
