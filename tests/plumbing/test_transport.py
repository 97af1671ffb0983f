"""JsonTransport against a scripted JSON server on 127.0.0.1: retries, give-up, headers, base URLs."""

import json
import socket
import time

import pytest

from plumbing.errors import NoReply
from plumbing.transport import JsonTransport
from tests.json_server import JsonServer


class Scripted(JsonServer):
    """Answers each POST with the next (status, payload) of `script`, then 200 {"ok": true};
    a float in the script stalls that request for so many seconds instead."""

    def __init__(self, *script):
        super().__init__()
        self.script = list(script)

    def post(self, path, body):
        with self.lock:
            step = self.script.pop(0) if self.script else (200, {"ok": True})
        if isinstance(step, float):
            time.sleep(step)
            return 200, b'{"late": true}'
        status, payload = step
        return status, json.dumps(payload).encode()


def transport(url: str, **kwargs) -> JsonTransport:
    return JsonTransport(url, **{"timeout_s": 5.0, "retries": 2, "backoff_s": 0.0, **kwargs})


def dead_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once the socket closes
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_503_is_retried_then_the_success_comes_back_with_its_attempts():
    with Scripted((503, {}), (503, {}), (200, {"answer": 4})) as server:
        reply = transport(server.url).post("/v1/chat/completions", {"x": 1})
    assert (reply.status, json.loads(reply.body), reply.attempts) == (200, {"answer": 4}, 3)
    assert server.requests == [{"x": 1}] * 3


def test_a_client_error_is_final_at_once():
    with Scripted((400, {"error": "bad"})) as server:
        reply = transport(server.url).post("/v1/chat/completions", {})
    assert (reply.status, reply.attempts, len(server.requests)) == (400, 1, 1)
    assert json.loads(reply.body) == {"error": "bad"}


def test_giving_up_names_the_url_the_attempts_and_the_last_status():
    with Scripted(*[(502, {})] * 3) as server:
        with pytest.raises(NoReply) as err:
            transport(server.url).post("/v1/chat/completions", {})
    assert str(err.value) == f"{server.url}/v1/chat/completions gave no reply after 3 attempts (last: HTTP 502)"
    assert (err.value.attempts, err.value.last, err.value.timed_out) == (3, 502, False)


def test_a_timeout_is_retried_and_reported_as_one():
    with Scripted(1.0, 1.0) as server:
        with pytest.raises(NoReply) as err:
            transport(server.url, timeout_s=0.2, retries=1).post("/x", {})
    assert err.value.timed_out and err.value.attempts == 2


def test_backoff_doubles_before_each_retry(monkeypatch):
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    with Scripted(*[(429, {})] * 4) as server:
        with pytest.raises(NoReply):
            transport(server.url, retries=3, backoff_s=0.25).post("/x", {})
    assert slept == [0.25, 0.5, 1.0]


def test_post_once_and_get_do_not_retry_and_report_any_status():
    with Scripted((503, {"busy": True})) as server:
        t = transport(server.url)
        assert t.post_once("/x", {}).status == 503
        models = t.get("/v1/models")
    assert len(server.requests) == 1
    assert (models.status, json.loads(models.body)["data"][0]["id"]) == (200, "stub")


def test_a_dead_server_is_no_reply_naming_the_url():
    url = dead_url()
    with pytest.raises(NoReply, match=rf"^{url}/v1/models gave no reply after 1 attempt \(last: .*refused"):
        transport(url).get("/v1/models")
    with pytest.raises(NoReply, match=rf"^{url}/x gave no reply after 3 attempts"):
        transport(url).post("/x", {})


class Echo(JsonServer):
    """Echoes each request's path and Authorization header (json_server keeps bodies only)."""

    def _handler(self):
        handler = super()._handler()

        class Headers(handler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers["Content-Length"]))
                self._send(200, json.dumps([self.path, self.headers["Authorization"],
                                            self.headers["Content-Type"]]).encode())

        return Headers


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
def test_base_url_with_or_without_v1_and_the_bearer_key(suffix):
    with Echo() as server:
        reply = transport(server.url + suffix, api_key="k").post("/v1/chat/completions", {})
        bare = transport(server.url).post("/v1/chat/completions", {})
    assert json.loads(reply.body) == ["/v1/chat/completions", "Bearer k", "application/json"]
    assert json.loads(bare.body)[1] is None
