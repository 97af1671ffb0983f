"""`ouro data fetch`: the real huggingface_hub client against a stand-in Hub on 127.0.0.1."""

import hashlib
import os
import socket
import subprocess
import sys
import time

import pytest

from ouroboros.errors import FetchError
from ouroboros.fetch import VSIBENCH, PinnedFile, Release, fetch_release
from tests.hub_server import HubServer, hub_path

REPO, REVISION = "org/bench", "0123456789abcdef0123456789abcdef01234567"
QUESTIONS = {"test.parquet": b"PAR1 questions PAR1" * 50}
META = {"a_meta_info_val.json": b'{"scene_a": {}}', "b_meta_info_val.json": b'{"scene_b": {}}'}


def pinned(files: dict[str, bytes]) -> tuple[PinnedFile, ...]:
    return tuple(PinnedFile(name, hashlib.sha256(data).hexdigest()) for name, data in files.items())


RELEASE = Release(REPO, REVISION, pinned(QUESTIONS), "http://unused.invalid", pinned(META))


def hosted(questions: dict[str, bytes], meta: dict[str, bytes], repo: str = REPO, revision: str = REVISION):
    """The Hub paths of `questions` and raw paths (/raw/<name>) of `meta`, as HubServer files."""
    return {hub_path(repo, revision, n): b for n, b in questions.items()} | {f"/raw/{n}": b for n, b in meta.items()}


@pytest.fixture
def server():
    with HubServer(hosted(QUESTIONS, META)) as s:
        yield s


def fetch(server, dest, **kwargs):
    return fetch_release(RELEASE, dest, meta_url=f"{server.url}/raw", endpoint=server.url,
                         cache_dir=dest.parent / "hub-cache", **kwargs)


def leftovers(dest) -> list[str]:
    return sorted(p.name for p in dest.iterdir())


def test_every_file_is_verified_and_placed_and_a_rerun_downloads_nothing(server, tmp_path):
    dest = tmp_path / "data" / "bench"
    done = fetch(server, dest)
    assert [(p.name, new) for p, new in done] == [(n, True) for n in [*QUESTIONS, *META]]
    for name, data in (QUESTIONS | META).items():
        assert (dest / name).read_bytes() == data
    gets = len(server.requests)
    assert all(not new for _, new in fetch(server, dest))
    assert len(server.requests) == gets  # files in place with the pinned checksum are not asked for again


def test_a_404_names_the_file_and_leaves_no_trace_of_it(server, tmp_path):
    del server.files["/raw/b_meta_info_val.json"]
    dest = tmp_path / "bench"
    with pytest.raises(FetchError, match=r"^b_meta_info_val.json: HTTP 404 from http://127.0.0.1:\d+/raw/b_meta"):
        fetch(server, dest)
    assert leftovers(dest) == ["a_meta_info_val.json", "test.parquet"]  # verified files stay; no .part file


def test_a_checksum_mismatch_names_the_file_and_writes_nothing(server, tmp_path):
    server.files[hub_path(REPO, REVISION, "test.parquet")] = b"not the pinned release"
    dest = tmp_path / "bench"
    with pytest.raises(FetchError, match=r"^test.parquet: checksum mismatch: sha256 \w{12}…, expected \w{12}…"):
        fetch(server, dest)
    assert leftovers(dest) == []


@pytest.fixture
def no_backoff(monkeypatch):
    """The client's retry back-off (22 s before it gives up on a dead host) is the user's wait, not the test's."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


def test_a_partial_download_names_the_file_and_writes_nothing(server, tmp_path, no_backoff):
    server.truncated.add("/raw/a_meta_info_val.json")
    dest = tmp_path / "bench"
    with pytest.raises(FetchError, match=r"^a_meta_info_val.json: partial download"):
        fetch(server, dest)
    assert leftovers(dest) == ["test.parquet"]


@pytest.mark.parametrize("dead", ["hub", "meta"])
def test_no_network_names_the_file_and_writes_nothing(server, tmp_path, no_backoff, dead):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    dest = tmp_path / "bench"
    endpoint, meta_url = (closed, f"{server.url}/raw") if dead == "hub" else (server.url, closed)
    first = "test.parquet" if dead == "hub" else "a_meta_info_val.json"
    with pytest.raises(FetchError, match=rf"^{first}: no network: cannot reach http://127.0.0.1"):
        fetch_release(RELEASE, dest, meta_url=meta_url, endpoint=endpoint, cache_dir=tmp_path / "hub-cache")
    assert leftovers(dest) == ([] if dead == "hub" else ["test.parquet"])


def test_the_cli_honours_hf_endpoint_and_fails_in_one_line(tmp_path):
    # Stand-in bytes under the real release's names: the client must come here (HF_ENDPOINT) and
    # the pinned checksums must then refuse them.
    files = hosted({f.name: b"stand-in" for f in VSIBENCH.questions}, {}, VSIBENCH.hub_repo, VSIBENCH.hub_revision)
    with HubServer(files) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf")}
        result = subprocess.run([sys.executable, "-m", "ouroboros", "data", "fetch", "vsibench"], cwd=tmp_path,
                                env=env, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("error: test-00000-of-00001.parquet: checksum mismatch")
    assert hub_path(VSIBENCH.hub_repo, VSIBENCH.hub_revision, VSIBENCH.questions[0].name) in hub.requests
    assert list((tmp_path / "data" / "vsibench").iterdir()) == []
