"""A user's clone: the repository's tracked files and nothing beside them runs the demo's data stages."""

import pytest

from tests.ouroboros.pipeline_fixtures import TINY, dvc, project_copy

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]


def test_a_clone_without_shared_data_runs_the_data_stages(tmp_path):
    # TINY sizes (the demo's take minutes); the demo's own default world: procedural rooms only.
    # Half held out: the split is by scene-id hash, and the blind eval needs two held-out rooms to swap.
    scenes = {**TINY["scenes"], "meta": [], "procedural": 8, "eval_fraction": 0.5}
    proj = project_copy(tmp_path, shared=False, scenes=scenes)
    assert not (tmp_path / "shared").exists()
    dvc(proj, "repro", "scenes", "eval_set")
    assert (proj / "runs" / "scenes.json").is_file()
    assert (proj / "runs" / "eval" / "fingerprint.json").is_file()
    assert "up to date" in dvc(proj, "status", "scenes", "eval_set").stdout
