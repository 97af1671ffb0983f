"""Difficulty bins of the task knobs: ranges are [lo, hi), hard wins over easy."""

import pytest

from curation.constants import DIFFICULTY_BINS, KnobBins
from curation.tasks import TASKS
from curation.tasks.base import by_thresholds


@pytest.mark.parametrize(("task", "value", "expected"), [
    ("object_counting", 1, "easy"), ("object_counting", 2, "medium"), ("object_counting", 4, "hard"),
    ("object_abs_distance", 0.49, "hard"), ("object_abs_distance", 0.5, "medium"),
    ("object_abs_distance", 1.0, "easy"), ("object_abs_distance", 3.0, "medium"),
    ("room_size_estimation", 14.9, "easy"), ("room_size_estimation", 15, "medium"),
    ("room_size_estimation", 35, "hard"),
    ("object_rel_direction", 19.99, "hard"), ("object_rel_direction", 40.0, "easy"),
])
def test_edges_fall_on_the_side_the_families_were_written_with(task, value, expected):
    assert by_thresholds(value, DIFFICULTY_BINS[task]) == expected


def test_hard_wins_where_the_ranges_overlap():
    assert by_thresholds(5, KnobBins(easy=(0, 10), hard=(4, 6))) == "hard"


def test_every_task_family_has_bins():
    assert {family.name for family in TASKS.values()} <= set(DIFFICULTY_BINS)
