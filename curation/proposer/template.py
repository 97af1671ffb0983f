"""TemplateProposer: questions from the task families, steered by feedback.

The budget is split between task groups, then within a group between its (task,
template, difficulty bin) keys (curation.feedback.proposal_counts): evenly without
feedback; with it, by the feedback weights, so tasks and bins on the solver's frontier
get more questions. The bin is the knob
target: a slot aimed at "hard" keeps drawing until the drawn knobs land in "hard",
so knob targets follow each bin's accuracy. With per-scene weights
(curation.history.scene_weights) a slot's scene is drawn by its weight for the slot's
(task, bin), so scenes whose earlier questions of that kind were easy or hard are asked less.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from curation.errors import ParamError
from curation.feedback import Feedback, proposal_counts
from curation.history import HistoryKey, pick, scene_probabilities
from curation.params import require_choice, require_int
from curation.proposer.base import ProposalRequest, Proposer, register
from curation.proposer.rows import proposal_frame, proposal_row
from curation.scenes.metadata import Scene
from curation.tasks import BINS, TASKS, Candidate, Draw, task_keys
from curation.tasks.base import DISTANCE_FUNCTIONS

FrameInfo = Mapping[str, Any]


def frame_info_for(scene: Scene, scene_id: str, frame_info: Mapping[str, FrameInfo] | None) -> FrameInfo | None:
    """A scene's frame_info, keyed by scene_id or by scene name."""
    if not frame_info:
        return None
    return frame_info.get(scene_id) or frame_info.get(scene.name)


@register("template")
class TemplateProposer(Proposer):
    def __init__(self, seed: int, *, distance_mode: str = "vsibench", attempts: int = 32):
        require_choice("proposer", "distance_mode", distance_mode, DISTANCE_FUNCTIONS)
        require_int("proposer", "attempts", attempts, 1)
        self.seed, self.distance_mode, self.attempts = seed, distance_mode, attempts

    @classmethod
    def from_params(cls, params, seed, chat):
        return cls(seed, distance_mode=params.distance_mode)

    def run(self, request: ProposalRequest) -> pl.DataFrame:
        return self.propose(request.scenes, request.budget, request.feedback, frame_info=request.frame_info,
                            round=request.round, split=request.split, scene_weights=request.scene_weights())

    def propose(
        self, scenes: Sequence[Scene], budget: int, feedback: Feedback | None = None, *,
        frame_info: Mapping[str, FrameInfo] | None = None, round: int = 0, split: str = "train",
        scene_weights: Mapping[HistoryKey, float] | None = None,
    ) -> pl.DataFrame:
        """About `budget` proposal rows (fewer only when the scenes cannot pose more).

        `frame_info` maps scene_id (or name) to {"n_frames", "first_frame", ...};
        obj_appearance_order is proposed only for scenes that have it.
        """
        require_int("proposer", "budget", budget, 0)
        if not scenes:
            raise ParamError("proposer", "scenes", "no scenes to propose on")
        rng = np.random.default_rng([self.seed, round])
        scene_ids = [s.scene_id for s in scenes]
        infos = [frame_info_for(s, sid, frame_info) for s, sid in zip(scenes, scene_ids, strict=True)]
        with_frames = [i for i, info in enumerate(infos) if info]
        keys = task_keys(with_frames=bool(with_frames))
        counts = proposal_counts(keys, feedback, budget)
        rows: dict[str, dict[str, Any]] = {}
        for key in keys:
            pool = with_frames if TASKS[key[0]].needs_frames else range(len(scenes))
            probabilities = scene_probabilities(scene_weights, [scene_ids[i] for i in pool], key[0], key[2])
            for _ in range(counts[key]):
                self._fill_slot(key, pool, scenes, scene_ids, infos, rng, rows, round, split, probabilities)
        # Slots that found no scene to pose them go to random keys, within a bounded effort.
        for _ in range(self.attempts * max(budget - len(rows), 0)):
            if len(rows) >= budget:
                break
            key = keys[int(rng.integers(len(keys)))]
            pool = with_frames if TASKS[key[0]].needs_frames else range(len(scenes))
            self._fill_slot(key, pool, scenes, scene_ids, infos, rng, rows, round, split, any_bin=True)
        return proposal_frame(list(rows.values()))

    def _fill_slot(
        self, key: tuple[str, str, str], pool: Sequence[int], scenes: Sequence[Scene], scene_ids: list[str],
        infos: list[FrameInfo | None], rng: np.random.Generator, rows: dict[str, dict[str, Any]],
        round: int, split: str, probabilities: np.ndarray | None = None, *, any_bin: bool = False,
    ) -> None:
        """Draw until a new candidate lands in the key's bin; else keep the nearest-bin one."""
        task, template, target = key
        fallback: tuple[int, Candidate, int] | None = None  # (bin distance, candidate, scene)
        for _ in range(self.attempts):
            i = pool[pick(rng, len(pool), probabilities)]
            draw = Draw(scenes[i], task, template, infos[i], self.distance_mode)
            candidate = TASKS[task].draw(draw, rng)
            if candidate is None:
                continue
            row = proposal_row(candidate, scene_ids[i], proposer="template", round=round, split=split)
            if row["qa_id"] in rows:
                continue
            if any_bin or candidate.difficulty_bin == target:
                rows[row["qa_id"]] = row
                return
            distance = abs(BINS.index(candidate.difficulty_bin) - BINS.index(target))
            if fallback is None or distance < fallback[0]:
                fallback = (distance, candidate, i)
        if fallback is not None:
            _, candidate, i = fallback
            row = proposal_row(candidate, scene_ids[i], proposer="template", round=round, split=split)
            rows[row["qa_id"]] = row
