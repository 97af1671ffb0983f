"""JSON over HTTP to one OpenAI-compatible server (vLLM, SGLang, Ollama), stdlib only.

What the proposer's chat client (curation.chat) and the vLLM scoring client
(training.backends.vllm_client) share: the base URL accepted with or without its "/v1",
the JSON and bearer-key headers, and POST retried with exponential backoff on 408/429/5xx,
network errors and timeouts. What a failure means is each client's own policy (the proposer
counts it and loses a question; scoring raises, naming the sample), so the transport only
reports: a `Reply` for any final HTTP status, `NoReply` when none came.
"""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from plumbing.errors import NoReply

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})  # busy or transient: asking again may help
PROBE_TIMEOUT_S = 5.0  # GET /v1/models; a live server answers at once, even while it generates


@dataclass(frozen=True)
class Reply:
    status: int  # the final HTTP status: any 2xx-5xx, retried statuses only when retries are not asked for
    body: bytes
    attempts: int = 1  # 1 + the retries it took


class JsonTransport:
    """Requests to the server at `base_url`; holds no state between requests, so threads may share it.

    `timeout_s` bounds each attempt; `post` makes up to `retries` more after the first,
    sleeping `backoff_s`, then twice that, and so on, before each.
    """

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout_s: float = 60.0,
                 retries: int = 0, backoff_s: float = 0.5):
        # vLLM prints ".../v1", the OpenAI client wants it too: accept both spellings
        self.base_url = base_url.rstrip("/").removesuffix("/v1")
        self.api_key, self.timeout_s, self.retries, self.backoff_s = api_key, timeout_s, retries, backoff_s

    def get(self, route: str, *, timeout_s: float | None = None) -> Reply:
        """One GET of `route` ("/v1/models"); NoReply if the server gives no HTTP answer."""
        return self._send(urllib.request.Request(self.base_url + route, headers=self._headers()),
                          self.timeout_s if timeout_s is None else timeout_s)

    def post_once(self, route: str, body: dict[str, Any]) -> Reply:
        """One POST of `body` as JSON: every HTTP status is final (for requests that would fail
        the same way again); NoReply on a network error or timeout."""
        return self._send(self._post_request(route, body), self.timeout_s)

    def post(self, route: str, body: dict[str, Any]) -> Reply:
        """POST `body` as JSON until a status outside RETRY_STATUS comes back, at most 1 + `retries`
        times; NoReply (naming the URL, the attempts and the last cause) if none did."""
        request, last = self._post_request(route, body), None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                reply = self._send(request, self.timeout_s)
            except NoReply as exc:
                last = exc.last
                continue
            if reply.status not in RETRY_STATUS:
                return Reply(reply.status, reply.body, attempt + 1)
            last = reply.status
        raise NoReply(request.full_url, self.retries + 1, last)

    def _post_request(self, route: str, body: dict[str, Any]) -> urllib.request.Request:
        return urllib.request.Request(self.base_url + route, data=json.dumps(body).encode(),
                                      headers=self._headers(), method="POST")

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    @staticmethod
    def _send(request: urllib.request.Request, timeout_s: float) -> Reply:
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as exc:  # urllib raises for every status outside 2xx
            return Reply(exc.code, exc.read())
        except OSError as exc:  # timeout, refused, reset; URLError wraps the socket's error
            raise NoReply(request.full_url, 1, getattr(exc, "reason", exc)) from None
