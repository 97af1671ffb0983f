"""Fixtures shared by the whole suite: reference-data paths and tiny lakes in tmp_path."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A reference file under ../shared/data, or skip the test saying what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (see ../shared/data/README.md)")
    return path


@pytest.fixture
def scannet_meta() -> Path:
    return shared_file("vsibench_meta", "scannet_meta_info_val.json")


@pytest.fixture
def scannetpp_meta() -> Path:
    return shared_file("vsibench_meta", "scannetpp_meta_info_val.json")


@pytest.fixture
def replay_server():
    """A started tests.replay_server.ReplayServer over the VQAGen corpus (skips without it)."""
    from curation.proposer import load_corpus
    from tests.replay_server import ReplayServer

    with ReplayServer(load_corpus(shared_file("vqagen", "qa_code_generated_scannet.json"))) as server:
        yield server
@pytest.fixture(scope="session")
def s3_emulator():
    """A moto S3 server on 127.0.0.1 for the whole session (tests/s3_emulator.py)."""
    from tests.s3_emulator import S3Emulator

    emulator = S3Emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def s3_env(s3_emulator, monkeypatch) -> dict[str, str]:
    """The AWS_* environment of the emulator, set for this test (and the processes it starts)."""
    for name, value in s3_emulator.env.items():
        monkeypatch.setenv(name, value)
    return s3_emulator.env


@pytest.fixture
def s3_lake_uri(s3_emulator, s3_env) -> str:
    """`s3://<fresh bucket>/lake`: an empty lake on the emulator, one bucket per test."""
    return f"s3://{s3_emulator.new_bucket()}/lake"


@pytest.fixture
def s3_lake(s3_lake_uri):
    """A `store.Lake` on the emulator, opened the way `ouro` opens one (ouroboros.lakes)."""
    from ouroboros.lakes import open_lake

    return open_lake(s3_lake_uri)
