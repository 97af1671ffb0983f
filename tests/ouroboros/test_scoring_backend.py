"""params.solver.backend picks who scores a round's rows; a dead vLLM server, or one that cannot
serve round N-1's solver, stops the round before any work, with one line saying why."""

import pytest

import ouroboros.stages.round as round_stage
from ouroboros.params import Params, SolverParams
from ouroboros.stages.round import solver_source
from ouroboros.steps import solver_scorer
from ouroboros.workspace import Workspace
from tests.vllm_stub import VLLMStub, save_lora_solver
from training.backends.vllm_lora import adapter_digest
from training.confidence import score
from training.errors import ScoringServerError, UnservableSolverError
from training.solver import load_solver

DEAD = SolverParams(backend="vllm", base_url="http://127.0.0.1:9/v1", model="qwen3-vl-4b", timeout_s=2)


@pytest.fixture(scope="module")
def tiny():
    return load_solver("tiny", device="cpu", seed=0)


def no_work(*args, **kwargs):
    raise AssertionError("the round did work before checking the scoring server")


def test_hf_backend_is_the_in_process_scorer():
    assert solver_scorer(SolverParams(), source="tiny", label="r0") is score


def test_unreachable_vllm_server_fails_the_round_before_it_proposes(monkeypatch, tmp_path):
    monkeypatch.setattr(round_stage, "train_inputs", no_work)
    monkeypatch.setattr(round_stage, "read_json", no_work)
    with pytest.raises(ScoringServerError) as err:
        round_stage.run_round(1, 0, Params(solver=DEAD), Workspace(root=tmp_path))
    message = str(err.value)
    assert "\n" not in message and "http://127.0.0.1:9 (qwen3-vl-4b) is unreachable" in message
    assert "solver.base_url" in message


def test_round_two_scores_with_round_ones_adapter_on_the_server(tiny, tmp_path):
    ws = Workspace(root=tmp_path)
    save_lora_solver(tiny, ws.solver_dir(1))
    with VLLMStub(tiny) as stub:
        params = Params(solver=SolverParams(backend="vllm", base_url=stub.url, model=stub.model))
        scorer = solver_scorer(params.solver, source=solver_source(params, ws, 1), label="r1")
    name = f"r1-{adapter_digest(ws.solver_dir(1))}"
    assert stub.requests == [{"lora_name": name, "lora_path": str(ws.solver_dir(1).resolve())}]
    assert scorer.client.model == name


def test_full_weights_of_round_one_fail_round_two_before_it_proposes(monkeypatch, tiny, tmp_path):
    ws = Workspace(root=tmp_path)
    tiny.save(ws.solver_dir(1))
    monkeypatch.setattr(round_stage, "train_inputs", no_work)
    monkeypatch.setattr(round_stage, "read_json", no_work)
    with VLLMStub(tiny) as stub:
        params = Params(solver=SolverParams(backend="vllm", base_url=stub.url, model=stub.model))
        with pytest.raises(UnservableSolverError) as err:
            round_stage.run_round(2, 1, params, ws)
        assert stub.requests == []
    message = str(err.value)
    assert "\n" not in message and f"{ws.solver_dir(1)}: it holds full fine-tuned weights" in message
    assert "solver.backend: hf" in message
