"""training.rewards: the registered GRPO rewards against VSI-Bench's scorer and the answer format."""

import pytest

from training.errors import UnknownRewardError
from training.metrics import sample_score
from training.rewards import REWARDS, parses


def _turn(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


CASES = [  # (task, gold, answer_type, options, completion)
    ("object_rel_distance", "B", "mca", ["A. chair", "B. sofa", "C. bed"], "B"),
    ("object_rel_distance", "B", "mca", ["A. chair", "B. sofa", "C. bed"], "b."),
    ("object_rel_distance", "B", "mca", ["A. chair", "B. sofa", "C. bed"], "A"),
    ("object_rel_distance", "B", "mca", ["A. chair", "B. sofa", "C. bed"], "D"),
    ("object_counting", "4", "numeric", None, "4"),
    ("object_counting", "4", "numeric", None, "5"),
    ("room_size_estimation", "20.5", "numeric", None, "18.0"),
    ("object_counting", "4", "numeric", None, "four"),
    ("object_counting", "4", "numeric", None, ""),
]


def _columns():
    return {"task": [c[0] for c in CASES], "answer": [c[1] for c in CASES], "answer_type": [c[2] for c in CASES],
            "options": [c[3] for c in CASES]}


def test_vsibench_reward_is_the_benchmark_score_of_each_completion():
    rewards = REWARDS["vsibench"](completions=[_turn(c[4]) for c in CASES], prompts=None, **_columns())
    assert rewards == [sample_score(t, g, c) for t, g, _, _, c in CASES]
    assert rewards[:4] == [1.0, 1.0, 0.0, 0.0] and rewards[4] == 1.0 and 0 < rewards[6] < 1


def test_unparsable_answers_score_zero_and_are_told_apart_from_wrong_ones():
    rewards = REWARDS["vsibench"](completions=[_turn(c[4]) for c in CASES], **_columns())
    read = [parses(k, o, c) for _, _, k, o, c in CASES]
    assert read == [True, True, True, False, True, True, True, False, False]
    assert all(r == 0.0 for r, ok in zip(rewards, read, strict=True) if not ok)
    assert rewards[2] == 0.0 and read[2]  # a wrong letter parses: it is wrong, not malformed


def test_format_reward_is_one_exactly_when_the_answer_parses():
    rewards = REWARDS["format"](completions=[c[4] for c in CASES], **_columns())  # plain strings work too
    assert rewards == [float(parses(k, o, c)) for _, _, k, o, c in CASES]


def test_unknown_reward_names_list_the_registered_ones():
    with pytest.raises(UnknownRewardError, match="no reward function named 'mra'; known: format, vsibench"):
        REWARDS["mra"]
    assert isinstance(UnknownRewardError("x"), KeyError)
