"""The app's test lake: a copy of the session's tiny pipeline lake (rounds 0-2 with frames,
scores and rounds rows), plus a hostile question and a few question vectors."""

import shutil

import numpy as np
import polars as pl
import pytest

from tests.browser import browser, page  # noqa: F401  (the browser tests' fixtures)
from tests.store.test_schema import qa_row

# Model-written text that would run if a page put it into the HTML unescaped.
HOSTILE = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'
HOSTILE_ID = "0hostile00000000"  # sorts first in its round
ENCODER = "test-encoder@0"


@pytest.fixture(scope="session")
def demo_lake(pipeline_workspace, tmp_path_factory) -> str:
    """The lake's path; tests only read it (test_server checks that no page writes to it)."""
    from store import Lake
    from store.vectors import write_vectors

    _, ws = pipeline_workspace
    path = tmp_path_factory.mktemp("app") / "lake"
    shutil.copytree(ws.lake_dir, path)
    lake = Lake(path)
    scene_id, frame_ids = lake.scan("qa").filter(pl.col("round") == 2).select("scene_id", "frame_ids").head(
        1).collect().row(0)
    lake.write("qa", [qa_row(qa_id=HOSTILE_ID, round=2, scene_id=scene_id, frame_ids=frame_ids,
                             question=f"How many chair(s)? {HOSTILE}", options=[f"A. {HOSTILE}", "B. 2"],
                             answer_type="mca", answer="A",
                             program=f"def compute_answer():\n    return {HOSTILE!r}  # {HOSTILE}\n")],
               partition="r2")
    ids = lake.scan("qa").filter(pl.col("round") == 1).select("qa_id").head(6).collect()["qa_id"].to_list()
    vectors = np.random.default_rng(0).normal(size=(len(ids), 8)).astype(np.float32)
    write_vectors(lake, "question", ENCODER, ids, vectors)
    return str(path)
