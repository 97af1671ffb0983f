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

    def probe(self) -> None:
        """Raise ScoringServerError unless GET /v1/models answers and lists `model`."""
        request = urllib.request.Request(self.base_url + "/v1/models", headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=min(self.timeout_s, PROBE_TIMEOUT_S)) as response:
                served = [m.get("id") for m in json.loads(response.read()).get("data", [])]
        except urllib.error.HTTPError as exc:
            raise self._error(f"GET /v1/models answered HTTP {exc.code}") from None
        except OSError as exc:
            raise self._error(getattr(exc, "reason", exc)) from None
        except (ValueError, AttributeError) as exc:
            raise self._error(f"GET /v1/models is not an OpenAI model list ({exc})") from None
        if self.model not in served:
            raise ScoringServerError(f"scoring server {self.base_url} serves {served}, not {self.model!r}; "
                                     f"fix solver.model (the --served-model-name)")

    def chat(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        """POST /v1/chat/completions with `model` set; the decoded reply, or ScoringReplyError /
        ScoringServerError naming `what` (the sample) after the retries."""
        data = json.dumps({"model": self.model, **body}).encode()
        cause = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                status, raw = self._post(data)
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

    def _post(self, data: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + "/v1/chat/completions", data=data,
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
