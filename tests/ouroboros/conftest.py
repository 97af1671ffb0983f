"""Fixtures of the loop's tests."""

import pytest

from tests.ouroboros.pipeline_fixtures import warm_started


@pytest.fixture(scope="session")
def pipeline_workspace(tmp_path_factory):
    """(params, workspace) after scenes -> eval set -> vision -> warm start -> rounds 1, 2, run once per
    session: the stage tests and the app's tests read it; a test that rewrites it works on a copy."""
    from ouroboros.stages.round import run_round

    params, ws = warm_started(tmp_path_factory.mktemp("ws"))
    run_round(1, 0, params, ws)
    run_round(2, 1, params, ws)
    return params, ws
