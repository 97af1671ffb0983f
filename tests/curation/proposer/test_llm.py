"""LLMProposer against a stub OpenAI-compatible server on 127.0.0.1 started here."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from curation.feedback import BinStats, Feedback
from curation.proposer import LLMProposer
from curation.proposer.llm_reply import MalformedReply, parse_reply
from curation.proposer.rows import PROPOSAL_SCHEMA

GOOD = """Here you go.
```json
{"question": "Is the sofa closer to the tv or the bed?", "answer_type": "mca", "options": ["A. tv", "B. bed"]}
```
```python
def compute_answer():
    a = cal_3d_bbox_distance_between_categories(object_bboxes["sofa"], object_bboxes["tv"])
    b = cal_3d_bbox_distance_between_categories(object_bboxes["sofa"], object_bboxes["bed"])
    return "tv" if a < b else "bed"
```"""
NUMERIC = """```json
{"question": "How big is this room in square meters?", "answer_type": "numeric", "options": null}
```
```python
def compute_answer():
    return round(room_size, 1)
```"""
NO_CODE = '```json\n{"question": "Where is the tv?", "answer_type": "mca", "options": ["A. here", "B. there"]}\n```'


class Stub(BaseHTTPRequestHandler):
    """Replies in turn from `script`: ("ok", text) | ("status", code) | ("sleep", seconds) | ("garbage", bytes)."""

    script: list = []
    bodies: list = []
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            Stub.bodies.append((self.path, self.headers.get("Authorization"), body))
            kind, arg = Stub.script.pop(0) if Stub.script else ("ok", GOOD)
        if kind == "sleep":
            time.sleep(arg)
            kind, arg = "ok", GOOD
        if kind == "status":
            self.send_response(arg)
            self.end_headers()
            return
        payload = arg if kind == "garbage" else json.dumps({"choices": [{"message": {"content": arg}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a slow reply, as intended

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Stub.script, Stub.bodies = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_round_trip_builds_rows_and_sends_scene_api_frames_and_feedback(server, toy_scene):
    Stub.script = [("ok", GOOD), ("ok", NUMERIC)]
    feedback = Feedback(
        round=1, policy="frontier",
        bins=(BinStats("object_rel_distance", "choices2", "hard", 4, 0.25, 0.3, 0.25, 0.75),),
        examples={"object_rel_distance": {"failed": ["Which is closest to the lamp?"]}},
    )
    proposer = LLMProposer(server, "qwen-test", api_key="k", concurrency=1, api_doc="API TEXT", backoff_s=0.0)
    rows = proposer.propose([toy_scene], 2, feedback, frames={toy_scene.scene_id: [b"\x89PNGfake"]},
                            tasks=["object_rel_distance"])
    assert rows.schema == PROPOSAL_SCHEMA
    assert (rows.height, proposer.stats.ok, proposer.stats.malformed) == (2, 2, 0)
    mca = rows.filter(rows["answer_type"] == "mca").row(0, named=True)
    assert sorted(mca["options"]) in (["A. bed", "B. tv"], ["A. tv", "B. bed"])
    assert mca["proposer"] == "llm" and mca["task"] == "object_rel_distance"
    assert "def compute_answer" in mca["program"]
    path, auth, body = Stub.bodies[0]
    assert (path, auth, body["model"]) == ("/v1/chat/completions", "Bearer k", "qwen-test")
    text = body["messages"][1]["content"][0]["text"]
    for needle in ("API TEXT", "- sofa: count 1", "object_rel_distance", "Which is closest to the lamp?"):
        assert needle in text
    assert body["messages"][1]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_malformed_slow_and_failing_replies_are_counted_and_dropped(server, toy_scene):
    Stub.script = [
        ("ok", NO_CODE), ("garbage", b"{not json"), ("ok", "no blocks at all"),
        ("sleep", 1.0), ("sleep", 1.0),  # one request: timed out twice -> failed
        ("status", 500), ("ok", NUMERIC),  # retried once, then fine
        ("status", 400),  # a client error is not retried
    ]
    proposer = LLMProposer(server, "m", concurrency=1, timeout_s=0.3, retries=1, backoff_s=0.0)
    rows = proposer.propose([toy_scene], 6, tasks=["room_size_estimation"])
    stats = proposer.stats
    assert (stats.requested, stats.ok, stats.malformed, stats.failed) == (6, 1, 3, 2)
    assert stats.reasons["timeout"] == 1 and stats.reasons["http 400"] == 1
    assert stats.reasons["no ```python block defining compute_answer()"] == 1
    assert rows.height == 1


def test_parse_reply_rejects_what_it_cannot_use():
    assert parse_reply(NUMERIC).option_texts is None
    for bad, reason in [
        ("```json\n[1]\n```\n```python\ndef compute_answer():\n    return 1\n```", "not an object"),
        ('```json\n{"question": "q", "answer_type": "mca", "options": ["A. x"]}\n```\n'
         "```python\ndef compute_answer():\n    return 1\n```", "2-6 string options"),
        ('```json\n{"question": "", "answer_type": "numeric"}\n```\n```python\ndef compute_answer(): pass\n```',
         "question missing"),
    ]:
        with pytest.raises(MalformedReply, match=reason):
            parse_reply(bad)
