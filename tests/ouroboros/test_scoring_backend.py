"""params.solver.backend picks who scores a round's rows; a dead vLLM server stops the round
before any work, with one line naming the URL."""

import pytest

import ouroboros.round as round_stage
from ouroboros.params import Params, SolverParams
from ouroboros.steps import solver_scorer
from training.confidence import score
from training.errors import ScoringServerError

DEAD = SolverParams(backend="vllm", base_url="http://127.0.0.1:9/v1", model="qwen3-vl-4b", timeout_s=2)


def test_hf_backend_is_the_in_process_scorer():
    assert solver_scorer(SolverParams()) is score


def test_unreachable_vllm_server_fails_the_round_before_it_proposes(monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the round did work before checking the scoring server")

    monkeypatch.setattr(round_stage, "train_inputs", no_work)
    monkeypatch.setattr(round_stage, "read_json", no_work)
    with pytest.raises(ScoringServerError) as err:
        round_stage.run_round(1, 0, Params(solver=DEAD), None)
    message = str(err.value)
    assert "\n" not in message and "http://127.0.0.1:9 (qwen3-vl-4b) is unreachable" in message
    assert "solver.base_url" in message
