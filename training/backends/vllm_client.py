"""HTTP to a vLLM OpenAI-compatible server, as the scoring backend needs it (stdlib only).

Not `curation.chat.ChatClient`: `training` does not import `curation`, and the failure policy
is the opposite one. The proposer may lose a question to a bad reply; a score may not be
lost, because a missing confidence would silently change the selection. So here a reply
that stays bad after the retries (408/429/5xx, timeouts, network errors, with exponential
backoff) raises, naming the sample.
"""

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from training.errors import ScoringReplyError, ScoringServerError

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
PROBE_TIMEOUT_S = 5.0  # GET /v1/models; a live server answers at once, even under load


class VLLMClient:
    def __init__(self, base_url: str, model: str, *, timeout_s: float = 120.0, retries: int = 2,
                 backoff_s: float = 0.5, api_key: str | None = None):
        # vLLM prints ".../v1"; accept it with or without
        self.base_url = base_url.rstrip("/").removesuffix("/v1")
        self.model, self.timeout_s, self.retries, self.backoff_s = model, timeout_s, retries, backoff_s
        self.api_key = api_key

    def served(self) -> list[str]:
        """The model ids GET /v1/models lists: the base and the LoRA adapters loaded so far."""
        request = urllib.request.Request(self.base_url + "/v1/models", headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=min(self.timeout_s, PROBE_TIMEOUT_S)) as response:
                return [m.get("id") for m in json.loads(response.read()).get("data", [])]
        except urllib.error.HTTPError as exc:
            raise self._error(f"GET /v1/models answered HTTP {exc.code}") from None
        except OSError as exc:
            raise self._error(getattr(exc, "reason", exc)) from None
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
        data = json.dumps({"lora_name": name, "lora_path": str(path)}).encode()
        try:
            status, raw = self._post("/v1/load_lora_adapter", data)
        except OSError as exc:
            raise self._error(getattr(exc, "reason", exc)) from None
        if status == 200:
            return
        message = _error_message(raw)
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
        data = json.dumps({"model": self.model, **body}).encode()
        cause = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                status, raw = self._post("/v1/chat/completions", data)
            except OSError as exc:  # timeout, refused, reset
                cause = str(getattr(exc, "reason", exc))
                continue
            if status in RETRY_STATUS:
                cause = f"HTTP {status}"
                continue
            if status != 200:
                text = raw[:300].decode(errors="replace")
                raise ScoringReplyError(f"{what}: scoring server answered HTTP {status}: {text}")
            try:
                reply = json.loads(raw)
            except ValueError:
                raise ScoringReplyError(f"{what}: scoring server reply is not JSON: {raw[:100]!r}") from None
            if not isinstance(reply, dict):
                raise ScoringReplyError(f"{what}: scoring server reply is not a JSON object")
            return reply
        raise ScoringServerError(f"{what}: scoring server {self.base_url} gave no reply after "
                                 f"{self.retries + 1} attempts (last: {cause})")

    def _post(self, route: str, data: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + route, data=data,
                                         headers=self._headers(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

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
