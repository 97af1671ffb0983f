"""LLMProposer: a model writes questions and programs through an OpenAI-compatible API.

POST {base_url}/v1/chat/completions (vLLM, SGLang, Ollama serve it) with a prompt
that carries a compact scene description, the program API text, the task to write,
optional frames as PNG data URIs, and the feedback (per-task weights and example
questions the solver failed or found trivial). Replies are parsed by llm_reply;
malformed replies are counted and dropped, failed requests retried with exponential
backoff and then counted as failed: a bad model or server never crashes a round.
Options are re-lettered with a seeded shuffle, as every proposer does.
"""

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from curation.feedback import Feedback, apportion
from curation.params import require_in_range, require_int
from curation.proposer.describe import describe_scene
from curation.proposer.llm_reply import MalformedReply, parse_reply
from curation.proposer.rows import proposal_frame, proposal_row
from curation.scenes import Scene
from curation.tasks import TASKS, Candidate
from curation.tasks.base import lettered, shuffled

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})

SYSTEM = (
    "You write spatial questions about a 3D indoor scene, in the style of VSI-Bench, together with a "
    "Python program whose return value is the answer. The program defines compute_answer() with no "
    "arguments and reads the scene only through the names of the API below. Reply with exactly two "
    "fenced blocks: a ```json block {\"question\": str, \"answer_type\": \"mca\" or \"numeric\", "
    "\"options\": [str, ...] or null} and a ```python block with compute_answer(). For mca the program "
    "returns the text of the correct option; for numeric it returns a number."
)


@dataclass
class ProposeStats:
    requested: int = 0
    ok: int = 0
    malformed: int = 0
    failed: int = 0  # no usable HTTP reply after retries
    retries: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # malformed/failed reason -> count
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, what: str, reason: str | None = None) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)
            if reason:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1


def image_part(png: bytes) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode()}}


def feedback_text(task: str, feedback: Feedback | None) -> str:
    if feedback is None:
        return ""
    weights = ", ".join(f"{t}: {w:.2f}" for t, w in feedback.task_weights().items())
    lines = [f"Solver feedback (weight = how much we need this task): {weights}"]
    examples = feedback.examples.get(task, {})
    if examples.get("failed"):
        lines.append("Questions of this task the solver FAILED (write more like these):")
        lines += [f"- {q}" for q in examples["failed"]]
    if examples.get("trivial"):
        lines.append("Questions the solver found TRIVIAL (avoid these):")
        lines += [f"- {q}" for q in examples["trivial"]]
    return "\n".join(lines)


class LLMProposer:
    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, concurrency: int = 4, *,
        api_doc: str = "", seed: int = 0, timeout_s: float = 60.0, retries: int = 3, backoff_s: float = 0.5,
        temperature: float = 0.7, max_tokens: int = 1024,
    ):
        require_int("llm_proposer", "concurrency", concurrency, 1)
        require_int("llm_proposer", "retries", retries, 0)
        require_in_range("llm_proposer", "timeout_s", timeout_s, 0.001, 3600.0)
        require_in_range("llm_proposer", "backoff_s", backoff_s, 0.0, 60.0)
        self.url = base_url.rstrip("/") + "/v1/chat/completions"
        self.model, self.api_key, self.concurrency = model, api_key, concurrency
        self.api_doc, self.seed, self.timeout_s = api_doc, seed, timeout_s
        self.retries, self.backoff_s, self.temperature, self.max_tokens = retries, backoff_s, temperature, max_tokens
        self.stats = ProposeStats()

    def messages(self, scene: Scene, task: str, feedback: Feedback | None, frames: Sequence[bytes] = ()) -> list:
        text = "\n\n".join(
            part for part in (
                f"Program API:\n{self.api_doc}" if self.api_doc else "",
                f"Scene:\n{describe_scene(scene)}",
                f"Write one question of the VSI-Bench task `{task}` about this scene.",
                feedback_text(task, feedback),
            ) if part
        )
        content: list[dict[str, Any]] = [{"type": "text", "text": text}] + [image_part(f) for f in frames]
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]

    def _request(self, body: dict[str, Any]) -> tuple[int, bytes]:
        """One POST: (HTTP status, body bytes); raises OSError on network failure or timeout."""
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def _post(self, body: dict[str, Any]) -> str | None:
        """The reply text ("" if not a chat completion), or None after `retries` failed attempts."""
        reason = "unknown"
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.count("retries")
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                status, raw = self._request(body)
            except TimeoutError:
                reason = "timeout"
                continue
            except OSError as exc:  # URLError, connection refused/reset
                reason = f"network: {type(exc).__name__}"
                continue
            if status in RETRY_STATUS:
                reason = f"http {status}"
                continue
            if status != 200:
                self.stats.count("failed", f"http {status}")
                return None
            try:
                return str(json.loads(raw)["choices"][0]["message"]["content"])
            except (ValueError, KeyError, IndexError, TypeError):
                self.stats.count("malformed", "not a chat completion")
                return ""
        self.stats.count("failed", reason)
        return None

    def _one(self, job: tuple[int, Scene, str, str], feedback, frames, round, split):
        i, scene, scene_id, task = job
        body = {
            "model": self.model, "messages": self.messages(scene, task, feedback, frames.get(scene_id, ())),
            "temperature": self.temperature, "max_tokens": self.max_tokens, "seed": self.seed + i,
        }
        text = self._post(body)
        if not text:
            return None
        try:
            parsed = parse_reply(text)
        except MalformedReply as exc:
            self.stats.count("malformed", str(exc))
            return None
        self.stats.count("ok")
        options = None
        if parsed.option_texts is not None:
            options = lettered(shuffled(list(parsed.option_texts), np.random.default_rng([self.seed, round, i])))
        candidate = Candidate(
            task=task, template="llm", question=parsed.question, options=options, answer_type=parsed.answer_type,
            program=parsed.program, difficulty={}, difficulty_bin="na",
        )
        return proposal_row(candidate, scene_id, proposer="llm", round=round, split=split)

    def propose(
        self, scenes: Sequence[Scene], budget: int, feedback: Feedback | None = None, *,
        frames: Mapping[str, Sequence[bytes]] | None = None, tasks: Sequence[str] | None = None,
        round: int = 0, split: str = "train",
    ) -> pl.DataFrame:
        """Up to `budget` rows (one request each); `frames` maps scene_id -> PNG bytes.

        Tasks follow the feedback's per-task weights (uniform without feedback). Counts
        of ok / malformed / failed replies are in `self.stats` afterwards.
        """
        require_int("llm_proposer", "budget", budget, 0)
        tasks = list(tasks or [t for t, f in TASKS.items() if not f.needs_frames])
        known = feedback.task_weights() if feedback else {}
        weights = {t: known.get(t, 1.0) for t in tasks}
        rng = np.random.default_rng([self.seed, round])
        per_task = apportion(weights, budget)
        jobs = []
        scene_ids = [s.scene_id for s in scenes]
        for task in tasks:
            for _ in range(per_task[task]):
                k = int(rng.integers(len(scenes)))
                jobs.append((len(jobs), scenes[k], scene_ids[k], task))
        self.stats = ProposeStats(requested=len(jobs))
        with ThreadPoolExecutor(self.concurrency) as pool:
            rows = list(pool.map(lambda j: self._one(j, feedback, frames or {}, round, split), jobs))
        unique = {r["qa_id"]: r for r in rows if r is not None}
        return proposal_frame(list(unique.values()))
