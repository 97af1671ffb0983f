"""What every task family emits, and the helpers they share.

A `Candidate` is a question before execution: wording, options, the program whose
sandboxed run gives the gold answer, and the difficulty knobs that feedback steers.
Families never compute ground truth themselves; knobs are cheap geometry estimates.

Conventions (VSI-Bench, see ../shared/data/vsibench_qa/README.md): category names in
questions use spaces where the metadata has `_`; programs use the metadata names;
MCA options are "A. text" with a seeded uniform shuffle, so every letter is gold
equally often whatever the answer distribution.
"""

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from curation.constants import KnobBins
from curation.scenes.metadata import Box, Scene
from plumbing.options import lettered

BINS = ("easy", "medium", "hard")
AMBIGUOUS = "ambiguous"  # what a program returns when the question is not well posed

# How a program reads "the X". `unique` (every generated question): X must have exactly one
# box, else the program answers "ambiguous". `benchmark` (auditing VSI-Bench and building an
# eval set from it): as the benchmark's generator did, which called X "the X" whenever
# object_counts[X] was 1 even when the box list held more; sizes and distances then read every
# box of X, directions the first box of each object and the bare centroid angle.
READINGS = ("unique", "benchmark")

# Program API names of the two box-distance modes (issue 7): the point-sampled distance
# VSI-Bench's generator used, and the exact closest-point distance.
DISTANCE_FUNCTIONS = {
    "vsibench": "cal_3d_bbox_distance_between_categories",
    "exact": "cal_3d_bbox_exact_distance_between_categories",
}


@dataclass(frozen=True)
class Candidate:
    task: str  # VSI-Bench question_type
    template: str  # structural variant of the task (phrasings vary inside it)
    question: str
    options: tuple[str, ...] | None  # ("A. chair", ...); None for numeric answers
    answer_type: str  # "mca" | "numeric"
    program: str  # defines compute_answer(); run only in the sandbox
    difficulty: Mapping[str, Any]  # knob name -> value (JSON-serialisable)
    difficulty_bin: str  # one of BINS

    @property
    def difficulty_json(self) -> str:
        return json.dumps(dict(self.difficulty), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Draw:
    """Where and how a family should draw a candidate."""

    scene: Scene
    task: str
    template: str
    frame_info: Mapping[str, Any] | None = None
    distance_mode: str = "vsibench"


class TaskFamily(ABC):
    """A family of VSI-Bench tasks; `draw` returns one random candidate or None."""

    name: str
    templates: Mapping[str, tuple[str, ...]]  # task -> its template names
    needs_frames: bool = False

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(self.templates)

    @abstractmethod
    def draw(self, draw: Draw, rng: np.random.Generator) -> Candidate | None:
        """One random candidate on `draw.scene`, or None when the scene cannot pose it."""

    @abstractmethod
    def program_for(
        self, task: str, roles: Mapping[str, Any], distance_mode: str = "vsibench", reading: str = "unique"
    ) -> str:
        """The program that answers `task` about given categories (the one `draw` would emit
        with the default `reading`; see READINGS).

        `roles` names the categories in metadata spelling, keyed as
        `curation.vsibench.parse.ParsedQuestion.categories` keys them ("object"; "a"/"b";
        "target"/"choices"; "standing"/"facing"/"query"; "order"). The audit and the eval
        set build their programs here, so they and the proposer share one source of truth.
        """


def check_reading(reading: str) -> str:
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}, got {reading!r}")
    return reading


def no_referent(boxes: str, reading: str) -> str:
    """The program condition under which the box list `boxes` (a program expression) names no referent."""
    return f"len({boxes}) != 1" if check_reading(reading) == "unique" else f"not {boxes}"


def spoken(category: str) -> str:
    """A metadata category as it reads in a question ("trash_bin" -> "trash bin")."""
    return category.replace("_", " ")


def normalise_answer(value: str) -> str:
    """How option texts and program values are compared: spaces for `_`, case-folded."""
    return " ".join(spoken(str(value)).split()).casefold()


def shuffled(items: Sequence[str], rng: np.random.Generator) -> list[str]:
    return [items[i] for i in rng.permutation(len(items))]


def pick(items: Sequence[Any], rng: np.random.Generator) -> Any:
    return items[int(rng.integers(len(items)))]


def single_box_categories(scene: Scene) -> dict[str, Box]:
    """Categories with exactly one box, the only ones VSI-Bench names as "the X" (sorted by name)."""
    return {c: bs[0] for c, bs in sorted(scene.boxes_by_category().items()) if len(bs) == 1}


def by_thresholds(value: float, bins: KnobBins) -> str:
    """Bin a knob (curation.constants.DIFFICULTY_BINS): in `bins.hard` -> hard, else in
    `bins.easy` -> easy, else medium; ranges are [lo, hi)."""
    if bins.hard[0] <= value < bins.hard[1]:
        return "hard"
    return "easy" if bins.easy[0] <= value < bins.easy[1] else "medium"


def literal(value: Any) -> str:
    """A Python literal for a program (strings double-quoted, lists as lists)."""
    return json.dumps(value)


def make_candidate(
    draw: Draw, question: str, program: str, difficulty: Mapping[str, Any], difficulty_bin: str,
    option_texts: Sequence[str] | None = None,
) -> Candidate:
    """A candidate of the drawn task; MCA when option texts are given (lettered in that order)."""
    return Candidate(
        task=draw.task, template=draw.template, question=question,
        options=lettered(option_texts) if option_texts is not None else None,
        answer_type="mca" if option_texts is not None else "numeric",
        program=program, difficulty=difficulty, difficulty_bin=difficulty_bin,
    )
