"""LLMProposer against the replay server (tests/replay_server.py): what a request carries, what rows come back."""

import base64

import pytest

from curation.bands import BandParams
from curation.chat import ChatClient
from curation.executor.doc import api_doc
from curation.feedback import BinStats, Feedback
from curation.history import HistoryItem
from curation.proposer import LLMProposer
from curation.proposer.llm import FRONTIER, PROMPT_VERSION
from curation.proposer.llm_reply import MalformedReply, parse_reply
from curation.proposer.rows import PROPOSAL_SCHEMA
from tests.replay_server import request_images, request_text

NUMERIC = """```json
{"question": "How big is this room in square meters?", "answer_type": "numeric", "options": null}
```
```python
def compute_answer():
    return round(room_size, 1)
```"""
FEEDBACK = Feedback(
    round=1, policy="frontier",
    bins=(BinStats("object_rel_distance", "choices2", "hard", 4, 0.25, 0.3, 0.25, 0.75),),
    examples={"object_rel_distance": {"failed": ["Which is closest to the lamp?"]}},
)


def proposer(url: str, **kwargs) -> LLMProposer:
    return LLMProposer(ChatClient(url, "qwen-test", concurrency=2, backoff_s=0.0, retries=0), **kwargs)


def test_request_carries_api_scene_task_frames_feedback_and_the_scenes_history(replay_server, toy_scene):
    history = {toy_scene.scene_id: [
        HistoryItem(1, "object_rel_distance", "na", "Is the sofa closer to the tv or the bed?", "B. tv", 0.95, "easy"),
        HistoryItem(1, "object_counting", "na", "How many chairs are in this room?", "2", 0.42, "frontier"),
        HistoryItem(0, "object_counting", "na", "How many lamps are in this room?", "1", 0.05, "hard"),
    ]}
    llm = proposer(replay_server.url, seed=3, history_cap=2)
    rows = llm.propose([toy_scene], 4, FEEDBACK, images={toy_scene.scene_id: [b"png-1", b"png-2"]},
                       history=history, bands=BandParams(easy=0.8, hard=0.2),
                       tasks=["object_rel_distance", "object_counting"])
    assert len(replay_server.requests) == 4 and (llm.stats.ok, llm.stats.malformed) == (4, 0)
    for body in replay_server.requests:
        text = request_text(body)
        if "`object_rel_distance`" in text:
            assert "Which is closest to the lamp?" in text  # the task's feedback examples
        for needle in (api_doc(), "- sofa: count 1", FRONTIER,
                       "[easy, s=0.95] Is the sofa closer to the tv or the bed? -> B. tv",
                       "[frontier, s=0.42] How many chairs are in this room? -> 2",
                       "for a number, the accuracy of its answer (VSI-Bench's MRA); easy: s > 0.8, hard: s < 0.2"):
            assert needle in text
        assert "How many lamps" not in text  # beyond the cap
        assert [base64.b64decode(u.split(",", 1)[1]) for u in request_images(body)] == [b"png-1", b"png-2"]
        assert body["model"] == "qwen-test"
    assert rows.schema == PROPOSAL_SCHEMA and rows.height == 4
    assert set(rows["task"]) == {"object_rel_distance", "object_counting"}
    assert set(rows["proposer"]) == {"llm"} and set(rows["proposer_model"]) == {"qwen-test"}
    assert set(rows["prompt_version"]) == {PROMPT_VERSION}


def test_replayed_programs_fit_the_scene_and_execute_to_answers(replay_server, toy_scene, executor):
    from curation.gold import execute_proposals

    tasks = ["object_counting", "object_size_estimation", "object_abs_distance", "object_rel_distance",
             "object_rel_direction_hard", "room_size_estimation"]
    rows = proposer(replay_server.url).propose([toy_scene], 12, tasks=tasks)
    executed = execute_proposals(rows, [toy_scene], executor)
    assert executed.height >= 10  # room size questions repeat: one row per distinct question
    assert executed.filter(executed["answer"].is_null()).height <= 2, executed.select("question", "exec_error")
    for r in executed.iter_rows(named=True):
        assert "chair" not in r["program"]  # the scene's only multi-instance category is never rebound onto


def test_malformed_replies_are_counted_and_dropped(replay_server, toy_scene):
    replay_server.faults = ["malformed", "garbage"]
    llm = proposer(replay_server.url)
    rows = llm.propose([toy_scene], 5, tasks=["room_size_estimation", "object_counting"])
    stats = llm.stats
    assert (stats.requested, stats.ok, stats.malformed, stats.failed) == (5, 3, 2, 0)
    assert stats.reasons == {"no ```json block": 1, "not a chat completion": 1}
    assert rows.height <= 3


def test_parse_reply_rejects_what_it_cannot_use():
    assert parse_reply(NUMERIC).option_texts is None
    for bad, reason in [
        ("```json\n[1]\n```\n```python\ndef compute_answer():\n    return 1\n```", "not an object"),
        ('```json\n{"question": "q", "answer_type": "mca", "options": ["A. x"]}\n```\n'
         "```python\ndef compute_answer():\n    return 1\n```", "2-6 string options"),
        ('```json\n{"question": "", "answer_type": "numeric"}\n```\n```python\ndef compute_answer(): pass\n```',
         "question missing"),
        ('```json\n{"question": "q", "answer_type": "numeric"}\n```', "no ```python block"),
    ]:
        with pytest.raises(MalformedReply, match=reason):
            parse_reply(bad)
