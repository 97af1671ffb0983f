"""A stand-in for a vision-language model behind an OpenAI-compatible API, for tests and the bench.

Stdlib http.server on 127.0.0.1 (an ephemeral port). It reads requests as a model would,
from their text:

- a proposal ("Write one question of the VSI-Bench task `T`", with the scene described as
  "- category: count N; ..." lines) gets a real program of task T from the VQAGen corpus
  (../shared/data/vqagen), its categories rebound onto single-instance categories of the
  described scene, in the ```json + ```python reply format;
- a self-check ("Computed answer: ...") gets a ```json verdict: keep, except about one
  question in five (by a hash of the question), dropped as "answerable without looking".

`faults` are served first, one per proposal request, in order: "malformed" (a reply without
the blocks), "garbage" (a body that is not JSON), "500", "timeout" (sleeps `stall_s`, past
the client's timeout). `latency_s` delays every reply, as generation would. Every request
body is kept in `requests` (tests/json_server.py serves it).
"""

import json
import re
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from curation.proposer.corpus import TASK_OF, category_literals, rebind
from tests.json_server import JsonServer

TASK = re.compile(r"Write one question of the VSI-Bench task `([a-z_]+)`")
CATEGORY = re.compile(r"^- (.+?): count (\d+);", re.MULTILINE)
QUESTION = re.compile(r"^Question: (.*)$", re.MULTILINE)


def request_text(body: Mapping[str, Any]) -> str:
    """The text parts of the last user message."""
    content = body["messages"][-1]["content"]
    return content if isinstance(content, str) else "\n".join(p["text"] for p in content if p["type"] == "text")


def request_images(body: Mapping[str, Any]) -> list[str]:
    """The image data URIs of the last user message."""
    content = body["messages"][-1]["content"]
    return [] if isinstance(content, str) else [p["image_url"]["url"] for p in content if p["type"] == "image_url"]


class ReplayServer(JsonServer):
    model = "replay"

    def __init__(self, corpus: Sequence[Mapping[str, Any]], *, latency_s: float = 0.0, stall_s: float = 2.0,
                 faults: Iterable[str] = ()):
        super().__init__()
        self.by_task: dict[str, list[Mapping[str, Any]]] = {}
        for record in corpus:
            qtype = record["question_type"]
            self.by_task.setdefault(TASK_OF.get(qtype, qtype), []).append(record)
        self.literals = {id(r): category_literals(r) for r in corpus}
        self.latency_s, self.stall_s, self.faults = latency_s, stall_s, list(faults)

    def reply(self, body: Mapping[str, Any]) -> str:
        """What the "model" writes for a request."""
        text = request_text(body)
        if question := QUESTION.search(text):
            drop = zlib.crc32(question.group(1).encode()) % 5 == 0
            verdict = {"keep": not drop, "reason": "answerable without looking" if drop else "needs the scene"}
            return f"```json\n{json.dumps(verdict)}\n```"
        task = TASK.search(text)
        if task is None:
            return "I do not know what you want."
        return self.proposal(task.group(1), dict(CATEGORY.findall(text)), int(body.get("seed", 0)))

    def proposal(self, task: str, counts: Mapping[str, str], seed: int) -> str:
        """A corpus program of `task` rebound onto the scene's single-instance categories."""
        singles = sorted(c for c, n in counts.items() if n == "1")
        records = [r for r in self.by_task.get(task, []) if len(self.literals[id(r)]) <= len(singles)]
        if not records:
            return "This scene has too few objects for that task."
        record = records[seed % len(records)]
        literals = self.literals[id(record)]
        targets = [singles[(seed + k) % len(singles)] for k in range(len(literals))]  # distinct: len <= len(singles)
        program, question, options = rebind(record, dict(zip(literals, targets, strict=True)))
        spec = {"question": question, "answer_type": "mca" if options else "numeric", "options": options or None}
        return f"Here is one.\n```json\n{json.dumps(spec)}\n```\n```python\n{program}\n```"

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        with self.lock:
            proposal = TASK.search(request_text(body)) is not None
            fault = self.faults.pop(0) if self.faults and proposal else None
        time.sleep(self.stall_s if fault == "timeout" else self.latency_s)
        if fault == "500":
            return 500, b'{"error": "overloaded"}'
        if fault == "garbage":
            return 200, b"{not json"
        text = "Sorry, I cannot help." if fault == "malformed" else self.reply(body)
        return 200, json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
