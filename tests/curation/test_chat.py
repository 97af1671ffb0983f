"""ChatClient against a scripted OpenAI-compatible stub on 127.0.0.1: retries, counts, unreachable servers."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from curation.chat import ChatClient, user_message
from curation.errors import ServerUnreachableError


class Stub(BaseHTTPRequestHandler):
    """Replies in turn from `script`: ("ok", text) | ("status", code) | ("sleep", seconds) | ("garbage", bytes)."""

    script: list = []
    bodies: list = []
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(404)  # a server without /v1/models still counts as reachable
        self.end_headers()

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            Stub.bodies.append((self.path, self.headers.get("Authorization"), body))
            kind, arg = Stub.script.pop(0) if Stub.script else ("ok", "fine")
        if kind == "sleep":
            time.sleep(arg)
            kind, arg = "ok", "late"
        if kind == "status":
            self.send_response(arg)
            self.end_headers()
            return
        payload = arg if kind == "garbage" else json.dumps({"choices": [{"message": {"content": arg}}]}).encode()
        self.send_response(200)
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


def conversation(text: str, seed: int = 0):
    return [user_message(text, [b"\x89PNGfake"])], seed


def test_request_shape_auth_and_base_url_with_or_without_v1(server):
    client = ChatClient(server + "/v1/", "qwen-test", api_key="k", concurrency=1)
    assert client.complete_many([conversation("hello", 3)], temperature=0.0) == ["fine"]
    path, auth, body = Stub.bodies[0]
    assert (path, auth, body["model"], body["seed"], body["temperature"]) == (
        "/v1/chat/completions", "Bearer k", "qwen-test", 3, 0.0)
    text, image = body["messages"][0]["content"]
    assert text == {"type": "text", "text": "hello"}
    assert image["image_url"]["url"] == "data:image/png;base64,iVBOR2Zha2U="


def test_malformed_slow_and_failing_replies_are_counted_not_raised(server):
    Stub.script = [
        ("garbage", b"{not json"),
        ("sleep", 1.0), ("sleep", 1.0),  # one request: timed out twice -> failed
        ("status", 500), ("ok", "second try"),  # retried once, then fine
        ("status", 400),  # a client error is not retried
    ]
    client = ChatClient(server, "m", concurrency=1, timeout_s=0.3, retries=1, backoff_s=0.0)
    replies = client.complete_many([conversation(str(i)) for i in range(5)])
    assert replies == [None, None, "second try", None, "fine"]
    stats = client.stats
    assert (stats.requested, stats.answered, stats.malformed, stats.failed, stats.retries) == (5, 4, 1, 2, 2)
    assert stats.reasons == {"not a chat completion": 1, "timeout": 1, "http 400": 1}
    assert "5 requested" in stats.summary() and "timeout: 1" in stats.summary()


def test_an_unreachable_server_fails_at_once_with_one_line():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    client = ChatClient(dead, "m", retries=3, backoff_s=10.0)  # retries would take 70 s: the probe avoids them
    with pytest.raises(ServerUnreachableError, match=r"proposer server http://127.0.0.1:\d+ \(m\) is unreachable"):
        client.complete_many([conversation("x")])
    assert client.stats.retries == 0
    assert "\n" not in str(ServerUnreachableError("x"))


def test_a_server_that_answers_no_request_is_unreachable(server):
    Stub.script = [("status", 503)] * 4
    client = ChatClient(server, "m", concurrency=2, retries=1, backoff_s=0.0)
    with pytest.raises(ServerUnreachableError, match="no final reply to any of 2 requests"):
        client.complete_many([conversation("a"), conversation("b")])
