"""The plumbing of the stand-in model servers (tests/replay_server.py, tests/vllm_stub.py): a
LocalServer that answers GET /v1/models with the models `served` names (one by default) and hands
every POST's JSON body to `post`, which returns (status, payload). Every request body is kept in
`requests`."""

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import LocalServer


class JsonServer(LocalServer):
    model = "stub"

    def __init__(self):
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__()

    def served(self) -> list[str]:
        return [self.model]

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                data = [{"id": name, "object": "model"} for name in server.served()]
                self._send(200, json.dumps({"object": "list", "data": data}).encode())

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                self._send(*server.post(self.path, body))

            def _send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a stalled reply, as intended

            def log_message(self, *args):
                pass

        return Handler
