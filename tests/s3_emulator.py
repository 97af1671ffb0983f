"""A local S3 API for tests: moto's server on 127.0.0.1, driven by the real clients.

The server is a separate process (no mocks inside the test process): LanceDB's object
store and DVC's S3 remote talk HTTP to it exactly as they would to AWS. The fixtures in
tests/conftest.py start one per session and give each test its own bucket.
"""

import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

STARTUP_TRIES = 200  # x 0.1 s: moto imports flask and boto, slow on a loaded 2-core box
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class S3Emulator:
    process: subprocess.Popen
    endpoint: str

    @classmethod
    def start(cls) -> "S3Emulator":
        port = free_port()
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(STARTUP_TRIES):
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return cls(process, f"http://127.0.0.1:{port}")
            except OSError:
                time.sleep(0.1)
        process.kill()
        raise RuntimeError(f"moto server did not listen on 127.0.0.1:{port}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def env(self) -> dict[str, str]:
        """The standard AWS variables that point every client at this server."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def new_bucket(self) -> str:
        import boto3

        name = f"test-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=self.endpoint, **_boto_credentials()).create_bucket(Bucket=name)
        return name


def _boto_credentials() -> dict[str, str]:
    return {"aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"], "region_name": CREDENTIALS["AWS_REGION"]}
