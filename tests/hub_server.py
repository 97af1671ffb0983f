"""A stand-in for the Hugging Face Hub and a raw-file host on 127.0.0.1, for `ouro data fetch` tests.

`files` maps URL paths to bytes. Hub files live at `/datasets/<repo>/resolve/<revision>/<name>`
and answer HEAD as the Hub does (X-Repo-Commit, ETag, Content-Length), so the real
huggingface_hub client downloads them with HF_ENDPOINT (or `endpoint=`) pointing here; any other
path is a plain GET, like raw.githubusercontent.com. A path in `truncated` sends half its bytes
and closes the connection; an unknown path is a 404. Every request path is kept in `requests`.
"""

import hashlib
from http.server import BaseHTTPRequestHandler

from tests.local_server import LocalServer


def hub_path(repo: str, revision: str, name: str) -> str:
    return f"/datasets/{repo}/resolve/{revision}/{name}"


class HubServer(LocalServer):
    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.truncated: set[str] = set()
        self.requests: list[str] = []
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self):  # noqa: N802 (http.server's naming)
                self._answer(body=False)

            def do_GET(self):  # noqa: N802
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                server.requests.append(self.path)
                data = server.files.get(self.path)
                if data is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                if self.path.startswith("/datasets/"):
                    self.send_header("X-Repo-Commit", self.path.split("/")[5])
                    self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not body:
                    return
                if self.path in server.truncated:
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
