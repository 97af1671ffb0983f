"""HTTP to a vLLM OpenAI-compatible server, as the scoring backend needs it.

The requests go through plumbing.transport (retries with exponential backoff on 408/429/5xx,
timeouts and network errors), as the proposer's `curation.chat.ChatClient`'s do; what is here
is the opposite failure policy. The proposer may lose a question to a bad reply; a score may
not be lost, because a missing confidence would silently change the selection. So here a
reply that stays bad after the retries raises, naming the sample.
"""

import json
from pathlib import Path
from typing import Any

from plumbing.errors import NoReply
from plumbing.transport import PROBE_TIMEOUT_S, JsonTransport
from training.errors import ScoringReplyError, ScoringServerError


class VLLMClient:
    def __init__(self, base_url: str, model: str, *, timeout_s: float = 120.0, retries: int = 2,
                 backoff_s: float = 0.5, api_key: str | None = None):
        self.transport = JsonTransport(base_url, api_key=api_key, timeout_s=timeout_s, retries=retries,
                                       backoff_s=backoff_s)
        self.base_url, self.model = self.transport.base_url, model

    def served(self) -> list[str]:
        """The model ids GET /v1/models lists: the base and the LoRA adapters loaded so far."""
        try:
            reply = self.transport.get("/v1/models", timeout_s=min(self.transport.timeout_s, PROBE_TIMEOUT_S))
        except NoReply as exc:
            raise self._error(exc.cause) from None
        if not 200 <= reply.status < 300:
            raise self._error(f"GET /v1/models answered HTTP {reply.status}")
        try:
            return [m.get("id") for m in json.loads(reply.body).get("data", [])]
        except (ValueError, AttributeError) as exc:
            raise self._error(f"GET /v1/models is not an OpenAI model list ({exc})") from None

    def probe(self) -> list[str]:
        """What the server serves (`served`); ScoringServerError unless it answers and lists `model`."""
        served = self.served()
        if self.model not in served:
            raise ScoringServerError(f"scoring server {self.base_url} serves {served}, not {self.model!r}; "
                                     f"fix solver.model (the --served-model-name)")
        return served

    def load_lora_adapter(self, name: str, path: Path) -> None:
        """Put the PEFT adapter in `path` on the server as model `name`, or raise ScoringServerError
        naming the path and the server's own message.

        vLLM's dynamic LoRA API (docs.vllm.ai, features/lora "Dynamically serving LoRA Adapters";
        vllm/entrypoints/serve/lora/api_router.py and OpenAIServingModels.load_lora_adapter):
        POST /v1/load_lora_adapter {"lora_name", "lora_path"} answers 200 with a plain-text
        "Success: ..." body, else vLLM's ErrorResponse JSON. The route exists only when the server
        runs with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True (else 404); the engine needs --enable-lora.
        A name already taken answers 400 "... has already been loaded": success here, because a
        name is only ever given to one adapter's content (another rank of the round loaded it).
        One attempt, no retries: a bad path fails the same way every time, and the server reads
        `path` itself, so it must see this filesystem."""
        try:
            reply = self.transport.post_once("/v1/load_lora_adapter", {"lora_name": name, "lora_path": str(path)})
        except NoReply as exc:
            raise self._error(exc.cause) from None
        if reply.status == 200:
            return
        status, message = reply.status, _error_message(reply.body)
        if status == 400 and "has already been loaded" in message:
            return
        hint = ("start it with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True and --enable-lora"
                if status == 404 and message == "Not Found"  # FastAPI's answer for a route it lacks
                else "the server must see this path (shared storage) and run with --enable-lora and a "
                "--max-lora-rank of at least the adapter's rank")
        raise ScoringServerError(f"scoring server {self.base_url} cannot load the LoRA adapter {path} as "
                                 f"{name!r}: HTTP {status}: {message}; {hint}")

    def chat(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        """POST /v1/chat/completions with `model` set; the decoded reply, or ScoringReplyError /
        ScoringServerError naming `what` (the sample) after the retries."""
        try:
            reply = self.transport.post("/v1/chat/completions", {"model": self.model, **body})
        except NoReply as exc:
            raise ScoringServerError(f"{what}: scoring server {self.base_url} gave no reply after "
                                     f"{exc.attempts} attempts (last: {exc.cause})") from None
        if reply.status != 200:
            text = reply.body[:300].decode(errors="replace")
            raise ScoringReplyError(f"{what}: scoring server answered HTTP {reply.status}: {text}")
        try:
            decoded = json.loads(reply.body)
        except ValueError:
            raise ScoringReplyError(f"{what}: scoring server reply is not JSON: {reply.body[:100]!r}") from None
        if not isinstance(decoded, dict):
            raise ScoringReplyError(f"{what}: scoring server reply is not a JSON object")
        return decoded

    def _error(self, cause: object) -> ScoringServerError:
        return ScoringServerError(f"scoring server {self.base_url} ({self.model}) is unreachable: {cause}; "
                                  f"start it or fix solver.base_url")


def _error_message(raw: bytes) -> str:
    """The message of a vLLM error body, on one line: ErrorResponse {"error": {"message"}} (a flat
    {"message"} in older vLLM), FastAPI's {"detail"}, else the start of the text."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        found = inner.get("message", body.get("detail"))
        if found is not None:
            return " ".join(str(found).split())
    return " ".join(raw[:300].decode(errors="replace").split())
