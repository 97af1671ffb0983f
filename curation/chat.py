"""A client for any OpenAI-compatible chat server (vLLM, SGLang, Ollama), as the proposer needs it.

POST {base_url}/v1/chat/completions through plumbing.transport (retries and exponential
backoff on 408/429/5xx, network errors and timeouts); what is here is the failure policy.
A bad reply never raises: it is counted in `ChatStats` and
comes back as None, so a flaky server costs questions, not the round. Only a server that
answers nothing raises `ServerUnreachableError`: one cheap probe before a batch (so a dead
URL fails in milliseconds, not after every request's retries), and again when no request
of a batch got a final HTTP reply (all timed out, or all 5xx after their retries).
"""

import base64
import json
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from curation.errors import ServerUnreachableError
from curation.params import require_in_range, require_int
from plumbing.errors import NoReply
from plumbing.transport import PROBE_TIMEOUT_S, JsonTransport

FENCE = re.compile(r"```([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.DOTALL)


class MalformedReply(ValueError):
    """A reply that does not hold what was asked for (a question and program, a verdict)."""


@dataclass
class ChatStats:
    requested: int = 0
    answered: int = 0  # requests that got a final HTTP reply (not one retried: 408, 429, 5xx)
    ok: int = 0  # replies the caller could use
    malformed: int = 0
    failed: int = 0  # no usable HTTP reply after retries
    retries: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # malformed/failed reason -> count
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, what: str, reason: str | None = None, *, by: int = 1) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + by)
            if reason:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def summary(self) -> str:
        why = ", ".join(f"{r}: {n}" for r, n in sorted(self.reasons.items()))
        return (f"{self.requested} requested, {self.ok} ok, {self.malformed} malformed, {self.failed} failed, "
                f"{self.retries} retries" + (f" ({why})" if why else ""))


def fenced_blocks(text: str) -> dict[str, str]:
    """language (lower case) -> body of each fenced block; a later block of a language wins."""
    return {lang.lower(): body for lang, body in FENCE.findall(text or "")}


def json_object(blocks: dict[str, str]) -> dict:
    """The ```json block as a dict, or MalformedReply saying why not."""
    if "json" not in blocks:
        raise MalformedReply("no ```json block")
    try:
        spec = json.loads(blocks["json"])
    except json.JSONDecodeError as exc:
        raise MalformedReply(f"json block does not parse ({exc.msg})") from exc
    if not isinstance(spec, dict):
        raise MalformedReply("json block is not an object")
    return spec


def image_part(png: bytes) -> dict[str, Any]:
    """One PNG frame as an OpenAI-style image_url content part (a data URI)."""
    return {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode()}}


def user_message(text: str, images: Sequence[bytes] = ()) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": text}, *(image_part(png) for png in images)]}


class ChatClient:
    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, *, concurrency: int = 4,
        timeout_s: float = 60.0, retries: int = 3, backoff_s: float = 0.5, temperature: float = 0.7,
        max_tokens: int = 1024,
    ):
        require_int("proposer", "concurrency", concurrency, 1)
        require_int("proposer", "retries", retries, 0)
        require_in_range("proposer", "timeout_s", timeout_s, 0.001, 3600.0)
        require_in_range("proposer", "backoff_s", backoff_s, 0.0, 60.0)
        self.transport = JsonTransport(base_url, api_key=api_key, timeout_s=timeout_s, retries=retries,
                                       backoff_s=backoff_s)
        self.base_url, self.model, self.concurrency = self.transport.base_url, model, concurrency
        self.temperature, self.max_tokens = temperature, max_tokens
        self.stats = ChatStats()

    def probe(self) -> None:
        """Raise ServerUnreachableError unless the server gives any HTTP answer to GET /v1/models
        (an endpoint it lacks is no reason to stop)."""
        try:
            self.transport.get("/v1/models", timeout_s=min(self.transport.timeout_s, PROBE_TIMEOUT_S))
        except NoReply as exc:
            raise self._unreachable(exc.cause) from None

    def complete_many(
        self, conversations: Sequence[tuple[list[dict[str, Any]], int]], *, temperature: float | None = None
    ) -> list[str | None]:
        """The reply text of each (messages, seed), in order; None for a failed or non-chat reply.

        Resets `stats`; callers count their own parse results into it (`ok`, `malformed`).
        `temperature` overrides the client's (a judge wants 0, a writer some variety).
        """
        self.stats = ChatStats(requested=len(conversations))
        if not conversations:
            return []
        self.probe()
        with ThreadPoolExecutor(self.concurrency) as pool:
            replies = list(pool.map(lambda c: self.complete(*c, temperature=temperature), conversations))
        if self.stats.answered == 0:
            raise self._unreachable(f"no final reply to any of {len(conversations)} requests: "
                                    f"{self.stats.summary()}")
        return replies

    def complete(self, messages: list[dict[str, Any]], seed: int, *, temperature: float | None = None) -> str | None:
        body = {"model": self.model, "messages": messages, "max_tokens": self.max_tokens, "seed": seed,
                "temperature": self.temperature if temperature is None else temperature}
        try:
            reply = self.transport.post("/v1/chat/completions", body)
        except NoReply as exc:
            self.stats.count("retries", by=exc.attempts - 1)
            self.stats.count("failed", self._reason(exc.last))
            return None
        self.stats.count("retries", by=reply.attempts - 1)
        self.stats.count("answered")
        if reply.status != 200:
            self.stats.count("failed", f"http {reply.status}")
            return None
        try:
            return str(json.loads(reply.body)["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            self.stats.count("malformed", "not a chat completion")
            return None

    @staticmethod
    def _reason(last: object) -> str:
        """The stats' word for why a request got no final reply."""
        if isinstance(last, int):
            return f"http {last}"
        return "timeout" if isinstance(last, TimeoutError) else f"network: {type(last).__name__}"

    def _unreachable(self, why: object) -> ServerUnreachableError:
        return ServerUnreachableError(f"proposer server {self.base_url} ({self.model}) is unreachable: {why}; "
                                      f"start it or fix proposer.base_url")
