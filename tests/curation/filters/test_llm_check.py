"""llm_check: rows in, the model's verdicts as flags out (a scripted chat client stands in for the model)."""

import pytest

from curation.chat import ChatStats
from curation.errors import ParamError
from curation.filters import FilterContext, apply_recipe
from curation.filters.llm_check import SYSTEM
from tests.curation.builders import qa_frame


class ScriptedChat:
    """complete_many answers from `replies` by question; records what it was sent."""

    def __init__(self, replies):
        self.replies, self.sent, self.stats = replies, [], ChatStats()

    def complete_many(self, conversations, *, temperature=None):
        self.sent += [(messages, temperature) for messages, _ in conversations]
        texts = [m[1]["content"][0]["text"] for m, _ in conversations]
        return [next((r for q, r in self.replies.items() if q in t), None) for t in texts]


def verdict(keep: bool, reason: str) -> str:
    return f'```json\n{{"keep": {str(keep).lower()}, "reason": "{reason}"}}\n```'


ROWS = qa_frame([
    {"question": "How many chairs are in this room?", "scene_id": "s1", "answer": "3"},
    {"question": "How tall is the fridge?", "scene_id": "s1", "answer": "180"},
    {"question": "Which is closest to the bed?", "scene_id": "s2", "answer": "B",
     "options": ["A. lamp", "B. desk"], "answer_type": "mca"},
    {"question": "Broken program?", "answer": None, "exec_status": "error"},
    {"question": "Nobody answers this", "answer": "1"},
    {"question": "Gibberish verdict", "answer": "1"},
])


def test_verdicts_become_scores_flags_and_drop_reasons():
    chat = ScriptedChat({
        "chairs": verdict(True, "needs the scene"),
        "fridge": verdict(False, "a typical fridge size: answerable without looking"),
        "closest": verdict(True, "the frames agree"),
        "Gibberish": "keep it, I guess",
    })
    ctx = FilterContext(chat=chat, images={"s1": [b"png-a", b"png-b"], "s2": [b"png-c"]})
    out = apply_recipe(ROWS, [{"llm_check": {}}], ctx)
    flags = [r[0] for r in out["flags"].to_list()]
    assert [f["score"] for f in flags] == [1.0, 0.0, 1.0, None, None, None]
    assert [f["flagged"] for f in flags] == [False, True, False, False, False, False]
    assert flags[1]["reason"] == "llm_check: a typical fridge size: answerable without looking"
    assert out["drop_reason"].to_list() == [None, "llm_check", None, None, None, None]
    assert not out["ambiguous"].any()
    # the row without a gold answer is not sent; the others go with their scene's frames, at temperature 0
    assert len(chat.sent) == 5 and {t for _, t in chat.sent} == {0.0}
    messages = chat.sent[2][0]
    assert messages[0] == {"role": "system", "content": SYSTEM}
    text, *images = messages[1]["content"]
    assert "Options:\nA. lamp\nB. desk\nComputed answer: B" in text["text"]
    assert len(images) == 1 and images[0]["type"] == "image_url"
    assert (chat.stats.ok, chat.stats.malformed) == (3, 1)


def test_a_threshold_changes_only_the_decision():
    chat = ScriptedChat({"fridge": verdict(False, "prior")})
    out = apply_recipe(ROWS.slice(1, 1), [{"llm_check": {"threshold": 0.0}}], FilterContext(chat=chat))
    assert out["drop_reason"].to_list() == [None]


def test_without_the_proposer_model_it_says_what_to_set():
    with pytest.raises(ParamError, match="llm_check: needs the proposer's model: set proposer.kind: llm"):
        apply_recipe(ROWS, [{"llm_check": {}}], FilterContext())
    with pytest.raises(ParamError, match="threshold"):
        apply_recipe(ROWS, [{"llm_check": {"threshold": 2}}], FilterContext())
