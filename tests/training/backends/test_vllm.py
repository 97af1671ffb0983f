"""The vLLM scoring backend against tests/vllm_stub.py, a server that speaks vLLM's payloads
and runs the tiny solver's own model: the numbers must be the HF path's."""

import polars as pl
import pytest

from tests.vllm_stub import VLLMStub
from training.backends import make_scorer
from training.backends.vllm import CHAT_TEMPLATE
from training.confidence import score
from training.errors import ScoringReplyError, ScoringServerError
from training.prompts import answer_target, chat_prompt
from training.solver import load_solver


@pytest.fixture(scope="module")
def solver():
    # 64 px: four <|image_pad|> tokens per frame, so the server's expansion is exercised
    return load_solver("tiny", device="cpu", seed=0, image_size=64, max_frames=2)


@pytest.fixture(scope="module")
def tables(make_samples, make_frames):
    # 48 px frames: both paths resize them to 64 px (the client before sending)
    return make_samples(10, n_scenes=3, per_scene=3), make_frames(3, 3, size=48)


def vllm_scores(solver, samples, frames, mutate=None, **kwargs) -> tuple[pl.DataFrame, list[dict]]:
    with VLLMStub(solver, mutate) as stub:
        out = make_scorer("vllm", base_url=stub.url + "/v1", model=stub.model, timeout_s=30, source="tiny",
                          label="r0")(
            solver, samples, frames, batch_size=3, **kwargs)
    return out, stub.requests


@pytest.mark.parametrize("blind", [False, True], ids=["sighted", "blind"])
def test_vllm_backend_gives_the_hf_paths_confidences_and_predictions(solver, tables, blind):
    samples, frames = tables
    hf = score(solver, samples, frames, batch_size=4, blind=blind)
    vllm, _ = vllm_scores(solver, samples, frames, blind=blind)
    assert vllm.columns == hf.columns and vllm["qa_id"].to_list() == samples["qa_id"].to_list()
    assert vllm["prediction"].to_list() == hf["prediction"].to_list()
    assert vllm["correct"].to_list() == hf["correct"].to_list()
    assert vllm["mra"].to_list() == hf["mra"].to_list()
    assert vllm["confidence"].to_numpy() == pytest.approx(hf["confidence"].to_numpy(), rel=1e-4, abs=1e-7)
    assert set(samples["answer_type"]) == {"mca", "numeric"}


def test_requests_carry_the_documented_vllm_fields(solver, tables):
    samples, frames = tables
    _, requests = vllm_scores(solver, samples.head(2), frames)
    forced = [r for r in requests if r.get("prompt_logprobs") is not None]
    greedy = [r for r in requests if r.get("prompt_logprobs") is None]
    assert len(forced) == len(greedy) == 2
    for body in forced:
        assert body["add_generation_prompt"] is False and body["messages"][-1]["role"] == "assistant"
        assert body["return_token_ids"] is True and body["chat_template"] == CHAT_TEMPLATE
    for body in greedy:
        assert body["add_generation_prompt"] is True and body["temperature"] == 0.0
        images = [p for p in body["messages"][0]["content"] if p["type"] == "image_url"]
        assert len(images) == 2 and all(p["image_url"]["url"].startswith("data:image/png;base64,") for p in images)
    mca = next(b for b in greedy if "allowed_token_ids" in b)
    assert len(mca["allowed_token_ids"]) == 3 and mca["max_tokens"] == 1


def test_chat_template_renders_the_hf_paths_prompt_and_target(solver):
    """apply_chat_template is what vLLM runs on `chat_template`; the oracle is training.prompts."""
    user = {"role": "user", "content": [{"type": "image"}, {"type": "image"}, {"type": "text", "text": "Q?\nA. x"}]}
    render = solver.tokenizer.apply_chat_template
    assert render([user, {"role": "assistant", "content": "12"}], chat_template=CHAT_TEMPLATE, tokenize=False,
                  add_generation_prompt=False) == chat_prompt("Q?\nA. x", [1, 1]) + answer_target("12")
    assert render([user], chat_template=CHAT_TEMPLATE, tokenize=False,
                  add_generation_prompt=True) == chat_prompt("Q?\nA. x", [1, 1])


def _forced(change):
    """A mutate hook that rewrites only the teacher-forced reply."""
    return lambda body, reply: change(reply) if body.get("prompt_logprobs") is not None else reply


def _drop_gold_entry(reply):
    last = reply["prompt_logprobs"][-1]
    for key in list(last)[:]:
        if str(reply["prompt_token_ids"][-1]) == key:
            del last[key]
    return reply


@pytest.mark.parametrize(("mutate", "match"), [
    (_forced(lambda r: {k: v for k, v in r.items() if k != "prompt_logprobs"}),
     r"qa_id 'q0': reply has no prompt_logprobs"),
    (_forced(lambda r: {**r, "prompt_logprobs": r["prompt_logprobs"][-2:]}),
     r"qa_id 'q0': prompt_logprobs has 2 entries"),
    (_forced(_drop_gold_entry), r"qa_id 'q0': prompt_logprobs\[\d+\] has no logprob for gold token"),
    (_forced(lambda r: {**r, "prompt_token_ids": r["prompt_token_ids"][:-1] + [0]}),
     r"qa_id 'q0': prompt_token_ids end in .* not the gold tokens"),
    (lambda body, reply: reply if "prompt_logprobs" in body else {**reply, "choices": []},
     r"qa_id 'q0': reply has no choices\[0\]\.message\.content"),
], ids=["no-prompt-logprobs", "too-few-entries", "gold-token-missing", "other-tokenization", "no-content"])
def test_malformed_replies_name_the_sample_and_the_field(solver, tables, mutate, match):
    samples, frames = tables
    with pytest.raises(ScoringReplyError, match=match):
        vllm_scores(solver, samples.head(1), frames, mutate=mutate)


def test_unreachable_server_or_unserved_model_fails_before_any_request(solver):
    with pytest.raises(ScoringServerError, match=r"scoring server http://127\.0\.0\.1:9 \(m\) is unreachable: .*"
                                                 r"fix solver\.base_url"):
        make_scorer("vllm", base_url="http://127.0.0.1:9/v1", model="m", timeout_s=2, source="tiny", label="r0")
    with VLLMStub(solver) as stub:
        with pytest.raises(ScoringServerError, match=r"serves \['tiny-vllm'\], not 'other'; fix solver\.model"):
            make_scorer("vllm", base_url=stub.url, model="other", source="tiny", label="r0")
        assert stub.requests == []
