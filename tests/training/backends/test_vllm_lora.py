"""Round N scores with round N-1's solver: on a vLLM server that is its LoRA adapter, loaded at
runtime (tests/vllm_stub.py applies it with peft); the numbers must be the HF path's with the
adapter, and weights the server cannot serve must stop the round before any request."""

import shutil

import pytest

from tests.vllm_stub import VLLMStub, save_lora_solver
from training.backends import make_scorer
from training.backends.vllm_client import VLLMClient
from training.backends.vllm_lora import adapter_digest
from training.confidence import score
from training.errors import ScoringServerError, UnservableSolverError
from training.solver import load_solver


@pytest.fixture(scope="module")
def solver():
    return load_solver("tiny", device="cpu", seed=0, image_size=64, max_frames=2)


@pytest.fixture(scope="module")
def adapter(solver, tmp_path_factory):
    return save_lora_solver(solver, tmp_path_factory.mktemp("r1") / "solver")


@pytest.fixture(scope="module")
def tables(make_samples, make_frames):
    return make_samples(6, n_scenes=2, per_scene=3), make_frames(2, 3, size=48)


def vllm_scorer(stub: VLLMStub, source, label="r1"):
    return make_scorer("vllm", base_url=stub.url, model=stub.model, timeout_s=30, source=str(source), label=label)


def test_adapter_is_loaded_under_its_content_name_and_scores_like_the_hf_path(solver, adapter, tables):
    samples, frames = tables
    carrier = load_solver(adapter, device="cpu")  # what the HF backend scores with: base + adapter
    hf = score(carrier, samples, frames, batch_size=4)
    with VLLMStub(solver) as stub:
        vllm = vllm_scorer(stub, adapter)(carrier, samples, frames, batch_size=3)
    name = f"r1-{adapter_digest(adapter)}"
    load, *chats = stub.requests
    assert load == {"lora_name": name, "lora_path": str(adapter.resolve())}
    assert chats and all(body["model"] == name for body in chats)
    assert vllm["prediction"].to_list() == hf["prediction"].to_list()
    assert vllm["confidence"].to_numpy() == pytest.approx(hf["confidence"].to_numpy(), rel=1e-4, abs=1e-7)
    base = score(solver, samples, frames, batch_size=4)
    assert vllm["confidence"].to_numpy() != pytest.approx(base["confidence"].to_numpy(), rel=1e-3)  # not the base's


def test_the_name_follows_the_content_so_a_rerun_reuses_the_loaded_adapter(solver, adapter, tmp_path):
    copied = shutil.copytree(adapter, tmp_path / "copy")
    other = save_lora_solver(solver, tmp_path / "other", seed=1)
    assert adapter_digest(copied) == adapter_digest(adapter) != adapter_digest(other)
    with VLLMStub(solver) as stub:
        vllm_scorer(stub, adapter)
        vllm_scorer(stub, copied)  # a rerun: the server already lists it, no second load
        assert len(stub.requests) == 1
        # another rank of the round loaded it between this rank's listing and its load: vLLM's
        # 400 "has already been loaded" is success
        VLLMClient(stub.url, stub.model).load_lora_adapter(f"r1-{adapter_digest(adapter)}", adapter)
        assert len(stub.requests) == 2


@pytest.mark.parametrize(("stub_options", "hint"), [
    ({"sees": lambda path: False}, r"HTTP 404: Loading lora r1-\w+ failed: No adapter found for .*; the server must "
                                   r"see this path \(shared storage\)"),
    ({"runtime_lora": False}, r"HTTP 404: Not Found; start it with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True"),
], ids=["path-not-visible", "no-runtime-lora"])
def test_a_load_the_server_refuses_is_one_line_naming_the_adapter_path(solver, adapter, stub_options, hint):
    with VLLMStub(solver, **stub_options) as stub:
        with pytest.raises(ScoringServerError, match=hint) as err:
            vllm_scorer(stub, adapter)
        assert len(stub.requests) == 1  # the load; nothing was scored
    message = str(err.value)
    assert "\n" not in message and f"cannot load the LoRA adapter {adapter.resolve()} as 'r1-" in message


def test_full_fine_tuned_weights_fail_before_any_request(solver, tmp_path):
    saved = solver.save(tmp_path / "r1")  # the tiny model's rounds save full weights
    with VLLMStub(solver) as stub:
        with pytest.raises(UnservableSolverError, match=r"cannot score with .*r1: it holds full fine-tuned weights "
                                                        r"\(kind 'full'\).*score with solver\.backend: hf"):
            vllm_scorer(stub, saved)
        assert stub.requests == []


def test_the_configured_checkpoint_is_scored_as_the_served_model(solver):
    with VLLMStub(solver) as stub:
        scorer = vllm_scorer(stub, "tiny", label="r0")
        assert scorer.client.model == stub.model and stub.requests == []
