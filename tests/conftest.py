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
