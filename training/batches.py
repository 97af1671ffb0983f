"""Samples + frames tables -> padded model inputs for the solver.

A sample row needs: qa_id, scene_id, question, options (list or null), answer, frame_ids.
Frames are decoded and patchified once and cached for the whole call (`FrameStore`). A batch is
left-padded, so the answer position is the last column for every row; its keys are exactly
what `Qwen3VLForConditionalGeneration.forward` takes: input_ids, attention_mask,
mm_token_type_ids (1 on `<|image_pad|>`, which transformers 5 needs to build M-RoPE
positions), pixel_values [sum of patches, C*t*p*p], image_grid_thw [frames, 3], and
labels (-100 everywhere but the answer tokens) when answers are given.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import torch

from training.errors import SampleError
from training.images import decode_png, patchify, tokens_per_frame
from training.prompts import answer_target, chat_prompt, option_letters, question_text
from training.solver import Solver

SAMPLE_COLUMNS = ("qa_id", "scene_id", "task", "question", "options", "answer_type", "answer", "frame_ids")
FRAME_COLUMNS = ("frame_id", "scene_id", "index", "image")


def require_columns(df: pl.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SampleError(f"{table} table lacks column(s) {missing}; it has {df.columns}")


def pick_frames(frame_ids: Sequence[str], max_frames: int) -> list[str]:
    """At most `max_frames` ids spread uniformly over the video, first and last included."""
    if len(frame_ids) <= max_frames:
        return list(frame_ids)
    keep = np.linspace(0, len(frame_ids) - 1, max_frames).round().astype(int)
    return [frame_ids[i] for i in keep]


class FrameStore:
    """Patchified frames by frame id. The table is indexed by scene once; a frame is decoded and
    patchified the first time a question uses it and kept for every later question of its scene."""

    def __init__(self, solver: Solver, frames: pl.DataFrame):
        require_columns(frames, FRAME_COLUMNS, "frames")
        self._solver = solver
        ordered = frames.select(FRAME_COLUMNS).sort("scene_id", "index")
        self._by_scene = {
            key[0]: part["frame_id"].to_list() for key, part in ordered.group_by("scene_id", maintain_order=True)
        }
        self._png = dict(zip(ordered["frame_id"], ordered["image"], strict=True))
        self._cache: dict[str, tuple[np.ndarray, tuple[int, int, int]]] = {}
        self.scenes = sorted(self._by_scene)

    def scene_frame_ids(self, scene_id: str) -> list[str]:
        """The scene's frame ids in video order."""
        if scene_id not in self._by_scene:
            raise SampleError(f"scene {scene_id!r} has no frames in the frames table")
        return self._by_scene[scene_id]

    def png(self, frame_id: str) -> bytes:
        """The frame's image bytes as stored (PNG)."""
        if frame_id not in self._png:
            raise SampleError(f"frame {frame_id!r} is not in the frames table")
        return self._png[frame_id]

    def get(self, frame_id: str) -> tuple[np.ndarray, tuple[int, int, int]]:
        """(patches [n, C*t*p*p], grid (1, gh, gw)) of one frame."""
        if frame_id not in self._cache:
            self._cache[frame_id] = patchify(decode_png(self.png(frame_id), f"frame {frame_id}"), self._solver.patch)
        return self._cache[frame_id]

    def blind_partner(self, scene_id: str) -> str:
        """The scene whose frames replace `scene_id`'s in blind scoring: the next scene in sorted
        order (wrapping), so the swap is deterministic and never keeps a scene's own frames."""
        if len(self.scenes) < 2:
            raise SampleError("blind scoring swaps frames between scenes but the frames table has only one scene")
        i = self.scenes.index(scene_id) if scene_id in self.scenes else -1
        return self.scenes[(i + 1) % len(self.scenes)]


def check_gold(row: dict) -> None:
    """A sample's gold answer must be scorable: an option letter of its options, or a number."""
    qa_id, answer = row["qa_id"], row["answer"]
    if row["answer_type"] == "mca":
        if not row["options"]:
            raise SampleError(f"sample {qa_id!r} is multiple choice but has no options")
        if answer not in option_letters(row["options"]):
            raise SampleError(f"sample {qa_id!r}: gold {answer!r} is not one of the option letters")
    elif row["answer_type"] == "numeric":
        try:
            float(answer)
        except (TypeError, ValueError):
            raise SampleError(f"sample {qa_id!r}: numeric gold {answer!r} is not a number") from None
    else:
        raise SampleError(f"sample {qa_id!r}: answer_type {row['answer_type']!r} is neither 'mca' nor 'numeric'")


@dataclass(frozen=True)
class Item:
    """One question ready to encode: the text (VSI-Bench wording), frame ids, the answer text."""

    text: str
    frame_ids: tuple[str, ...]
    answer: str | None = None


def items_from_samples(samples: pl.DataFrame, store: FrameStore, max_frames: int, blind: bool = False) -> list[Item]:
    """One Item per sample row, frames subsampled to `max_frames`; with `blind` the frames come
    from `store.blind_partner(scene)` (the same number of frames, spread over that video)."""
    require_columns(samples, SAMPLE_COLUMNS, "samples")
    if samples["qa_id"].n_unique() != samples.height:
        dupes = samples.filter(pl.col("qa_id").is_duplicated())["qa_id"].unique().sort().to_list()[:3]
        raise SampleError(f"samples repeat qa_id(s) {dupes}; each question must appear once")
    items = []
    for row in samples.iter_rows(named=True):
        if not row["frame_ids"]:
            raise SampleError(f"sample {row['qa_id']!r} has no frame_ids")
        frame_ids = pick_frames(row["frame_ids"], max_frames)
        if blind:
            other = store.scene_frame_ids(store.blind_partner(row["scene_id"]))
            frame_ids = pick_frames(other, len(frame_ids))
        options = row["options"] if row["answer_type"] == "mca" else None
        check_gold(row)
        items.append(Item(question_text(row["question"], options), tuple(frame_ids), row["answer"]))
    return items


def encode(solver: Solver, store: FrameStore, items: Sequence[Item], with_answers: bool) -> dict[str, torch.Tensor]:
    """Left-padded batch tensors on the solver's device (see the module docstring)."""
    patches, grids, rows, labels = [], [], [], []
    for item in items:
        frames = [store.get(fid) for fid in item.frame_ids]
        patches += [f[0] for f in frames]
        grids += [f[1] for f in frames]
        prompt = chat_prompt(item.text, [tokens_per_frame(f[1], solver.patch) for f in frames])
        ids = solver.tokenizer.encode(prompt, add_special_tokens=False)
        target = solver.tokenizer.encode(answer_target(item.answer), add_special_tokens=False) if with_answers else []
        rows.append(ids + target)
        labels.append([-100] * len(ids) + target)
    width = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), width), solver.pad_id, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    label_ids = torch.full((len(rows), width), -100, dtype=torch.long)
    for i, (row, lab) in enumerate(zip(rows, labels, strict=True)):
        input_ids[i, width - len(row) :] = torch.tensor(row)
        attention[i, width - len(row) :] = 1
        label_ids[i, width - len(row) :] = torch.tensor(lab)
    dtype = next(solver.model.parameters()).dtype
    batch = {
        "input_ids": input_ids,
        "attention_mask": attention,
        "mm_token_type_ids": (input_ids == solver.image_pad_id).long(),
        "pixel_values": torch.from_numpy(np.concatenate(patches)).to(dtype),
        "image_grid_thw": torch.tensor(grids, dtype=torch.long),
    }
    if with_answers:
        batch["labels"] = label_ids
    return {k: v.to(solver.device) for k, v in batch.items()}
