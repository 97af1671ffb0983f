"""`ouro data fetch`: the real huggingface_hub client against a stand-in Hub on 127.0.0.1."""

import hashlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import yaml
from huggingface_hub import constants as hub_constants
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.errors import FetchError
from ouroboros.fetch import RELEASES, VSIBENCH, PinnedFile, Release, fetch_release
from tests.conftest import shared_file
from tests.hub_server import HubServer, hub_path
from tests.ouroboros.pipeline_fixtures import dvc, project_copy

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
    dest.mkdir(parents=True)
    (dest / ".test.parquet.x1y2.part").write_bytes(b"PAR1 quest")  # what a fetch killed mid-file leaves
    done = fetch(server, dest)
    assert leftovers(dest) == sorted([*QUESTIONS, *META])
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
        env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0"}
        result = subprocess.run([sys.executable, "-m", "ouroboros", "data", "fetch", "vsibench"], cwd=tmp_path,
                                env=env, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("error: test-00000-of-00001.parquet: checksum mismatch")
    assert hub_path(VSIBENCH.hub_repo, VSIBENCH.hub_revision, VSIBENCH.questions[0].name) in hub.requests
    assert list((tmp_path / "data" / "vsibench").iterdir()) == []


# ------------------------------------------------------------------ the real format, end to end

SCENES = ["scene0207_02", "scene0643_00", "scene0608_00"]  # the sample's scenes with the most questions


@pytest.fixture(scope="module")
def vsibench_copy(tmp_path_factory) -> tuple[Release, dict[str, bytes]]:
    """A small VSI-Bench in the real files' formats (questions of 3 ScanNet scenes, their meta-info,
    2 ScanNet++ scenes, 1 scene relabelled ARKitScenes) under the real names: (release, hub files)."""
    scannet = json.loads(shared_file("vsibench_meta", "scannet_meta_info_val.json").read_text())
    scannetpp = json.loads(shared_file("vsibench_meta", "scannetpp_meta_info_val.json").read_text())
    rows = [json.loads(line) for line in shared_file("vsibench_qa", "sample_scannet.jsonl").read_text().splitlines()]
    parquet = tmp_path_factory.mktemp("vsibench") / "test.parquet"
    pl.DataFrame([r for r in rows if r["scene_name"] in SCENES]).write_parquet(parquet)
    other = next(name for name in scannet if name not in SCENES)
    arkit = {"arkit_fixture": {**scannet[other], "dataset": "arkitscenes"}}
    meta = {
        "arkitscenes_meta_info_val.json": json.dumps(arkit).encode(),
        "scannet_meta_info_val.json": json.dumps({name: scannet[name] for name in SCENES}).encode(),
        "scannetpp_meta_info_val.json": json.dumps(dict(list(scannetpp.items())[:2])).encode(),
    }
    questions = {VSIBENCH.questions[0].name: parquet.read_bytes()}
    release = Release(VSIBENCH.hub_repo, VSIBENCH.hub_revision, pinned(questions), VSIBENCH.meta_url, pinned(meta))
    return release, hosted(questions, meta, VSIBENCH.hub_repo, VSIBENCH.hub_revision)


def fetch_cli(monkeypatch, release: Release, hub: HubServer) -> list[str]:
    """`ouro data fetch vsibench` in the current folder with the client's constants as HF_ENDPOINT=`hub`
    and HF_HUB_CACHE would have set them at import (the subprocess test above sets the variables
    themselves); the printed next commands."""
    monkeypatch.setitem(RELEASES, "vsibench", release)
    monkeypatch.setattr(hub_constants, "ENDPOINT", hub.url)
    template = hub.url + "/{repo_id}/resolve/{revision}/{filename}"
    monkeypatch.setattr(hub_constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(Path.cwd() / "hf-cache"))
    result = CliRunner().invoke(app, ["data", "fetch", "vsibench", "--meta-url", f"{hub.url}/raw"])
    assert result.exit_code == 0, result.output
    assert result.output.count("sha256 verified") == 4
    return [line.strip() for line in result.output.split("next:\n")[1].splitlines()]


def test_the_printed_next_commands_import_the_scenes_and_build_the_eval_set(vsibench_copy, tmp_path, monkeypatch):
    release, files = vsibench_copy
    monkeypatch.chdir(tmp_path)
    with HubServer(files) as hub:
        imports, evalset, _ = fetch_cli(monkeypatch, release, hub)
    assert imports.startswith("ouro scenes import data/vsibench/")
    outputs = []
    for line in (imports, evalset):
        result = CliRunner().invoke(app, shlex.split(line)[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        outputs.append(result.output)
    assert "read 6 scene(s) from 3 file(s); added 6" in outputs[0]
    assert re.search(r"eval set: [1-9]\d* of 25 question\(s\) on 3 scene\(s\)", outputs[1]), outputs[1]


@pytest.mark.slow
@pytest.mark.pipeline
def test_the_printed_dvc_line_runs_the_data_stages_on_the_fetched_benchmark(vsibench_copy, tmp_path, monkeypatch):
    release, files = vsibench_copy
    proj = project_copy(tmp_path, shared=False)
    monkeypatch.chdir(proj)
    with HubServer(files) as hub:
        *_, exp_run = fetch_cli(monkeypatch, release, hub)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], cwd=proj, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=proj, check=True)
    assert exp_run.startswith("dvc exp run -S 'scenes.meta=[data/vsibench/")
    dvc(proj, *shlex.split(exp_run)[1:], "eval_set")
    params = yaml.safe_load((proj / "params.yaml").read_text())
    assert params["eval"]["source"] == "vsibench" and len(params["scenes"]["meta"]) == 3
    fingerprint = json.loads((proj / "runs" / "eval" / "fingerprint.json").read_text())
    assert fingerprint["tables"]["qa__eval"]["rows"] > 0  # benchmark questions on the fetched scenes
