"""The vLLM scoring backend: training.confidence's numbers from a vLLM OpenAI-compatible server.

Per sample, two POST /v1/chat/completions requests (concurrent over samples, `batch_size`
in flight, so vLLM batches them; the second reuses the first's prefix from vLLM's cache):

1. teacher forcing: messages = [user: frames + VSI-Bench text, assistant: gold answer],
   `add_generation_prompt: false`, `prompt_logprobs: 1`, `max_tokens: 1`. vLLM returns
   `prompt_logprobs`: one entry per prompt token, None for the first, else a dict keyed by
   token id (a string in JSON) of {"logprob", "rank", "decoded_token"} that always holds the
   prompt's own token beside the top-k (vLLM's ChatCompletionResponse.prompt_logprobs and
   `clamp_prompt_logprobs`, vllm/entrypoints/openai/chat_completion/protocol.py; -inf comes
   back as -9999.0). With `return_token_ids: true` (vLLM >= 0.10.2) it also returns
   `prompt_token_ids`, which are checked when present.
2. greedy prediction: messages = [user], `add_generation_prompt: true`, `temperature: 0`;
   multiple choice: `max_tokens: 1` with `allowed_token_ids` = the option letters' ids, i.e.
   the argmax over the letters that the HF path takes; numeric: `max_tokens:
   NUMERIC_MAX_NEW_TOKENS`, stopping at <|im_end|>.

Where the gold tokens are: every request carries `chat_template` = CHAT_TEMPLATE, the HF
path's layout (training.prompts.chat_prompt + answer_target) as Jinja, with nothing after the
assistant turn's <|im_end|>. So the prompt *ends* with the gold answer's tokens and
<|im_end|>: the last len(gold) entries of `prompt_logprobs` are theirs, whatever number of
<|image_pad|> tokens the server's processor expanded each frame to. Their ids come from the
solver's tokenizer (the one saved with the checkpoint: the server's). Frames are sent as PNG
data URIs already resized to the HF path's size (training.images.resized_png), so a server
whose pixel bounds contain that size keeps them as they are and its vision tower sees what
the HF path's does. The log-probs are reduced by training.confidence.geometric_mean.

Differences from the HF path, by design of the server: vLLM computes in its own kernels
(bf16 on GPU), so numbers agree to float tolerance, not bit for bit, and its greedy decoding
also stops at the model's other end tokens (generation_config eos ids).
"""

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
import torch

from plumbing.progress import progress_bar
from training.backends.vllm_client import VLLMClient
from training.batches import FrameStore, Item
from training.confidence import (
    NUMERIC_MAX_NEW_TOKENS,
    SCORE_SCHEMA,
    geometric_mean,
    mca_result,
    numeric_result,
    scoring_inputs,
)
from training.errors import ScoringReplyError
from training.images import resized_png
from training.prompts import IM_END, IM_START, IMAGE_PAD, VISION_END, VISION_START, answer_target, option_letters
from training.solver import Solver

# training.prompts.chat_prompt + answer_target as a Jinja chat template. Images before text,
# as chat_prompt puts the frames; vLLM hands the template an image part as {"type": "image"}
# ("openai" content format), the raw request has "image_url": both are accepted. No Jinja
# whitespace control: the template has no incidental whitespace, and `-` would eat the
# newlines that are part of the layout.
CHAT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m.role == 'user' %}"
    f"{IM_START}user\n"
    "{% for p in m.content %}"
    f"{{% if p.type in ['image', 'image_url'] %}}{VISION_START}{IMAGE_PAD}{VISION_END}"
    "{% elif p.type == 'text' %}{{ p.text }}{% endif %}"
    "{% endfor %}"
    f"{IM_END}\n"
    "{% elif m.role == 'assistant' %}"
    f"{IM_START}assistant\n{{{{ m.content }}}}{IM_END}"
    "{% endif %}"
    "{% endfor %}"
    f"{{% if add_generation_prompt %}}{IM_START}assistant\n{{% endif %}}"
)


class _Frames:
    """Data URIs of frames at the HF path's size, each encoded once per call."""

    def __init__(self, store: FrameStore, solver: Solver):
        self._store, self._spec, self._uris = store, solver.patch, {}
        self._lock = threading.Lock()

    def part(self, frame_id: str) -> dict[str, Any]:
        with self._lock:
            if frame_id not in self._uris:
                png = resized_png(self._store.png(frame_id), self._spec, f"frame {frame_id}")
                self._uris[frame_id] = "data:image/png;base64," + base64.b64encode(png).decode()
        return {"type": "image_url", "image_url": {"url": self._uris[frame_id]}}


def user_turn(item: Item, frames: _Frames) -> dict[str, Any]:
    return {"role": "user", "content": [*(frames.part(f) for f in item.frame_ids), {"type": "text", "text": item.text}]}


def gold_logprobs(reply: dict[str, Any], gold_ids: list[int], qa_id: str) -> list[float]:
    """The log-probs of the prompt's last len(gold_ids) tokens (the gold answer + <|im_end|>)
    from a vLLM reply; ScoringReplyError naming `qa_id` and the field when they are not there."""
    entries = reply.get("prompt_logprobs")
    if not isinstance(entries, list):
        raise ScoringReplyError(f"qa_id {qa_id!r}: reply has no prompt_logprobs list (got {type(entries).__name__}); "
                                "the server must be vLLM, which returns them for `prompt_logprobs`")
    n = len(gold_ids)
    if len(entries) <= n:
        raise ScoringReplyError(f"qa_id {qa_id!r}: prompt_logprobs has {len(entries)} entries, fewer than the prompt "
                                f"plus {n} gold tokens")
    ids = reply.get("prompt_token_ids")
    if ids is not None and (len(ids) != len(entries) or list(ids[-n:]) != gold_ids):
        raise ScoringReplyError(f"qa_id {qa_id!r}: prompt_token_ids end in {list(ids[-n:])}, not the gold tokens "
                                f"{gold_ids} ({len(ids)} ids for {len(entries)} prompt_logprobs entries); the server's "
                                "tokenizer or chat template is not the solver's")
    out = []
    for k, (entry, token) in enumerate(zip(entries[-n:], gold_ids, strict=True)):
        where = f"prompt_logprobs[{len(entries) - n + k}]"
        value = entry.get(str(token)) if isinstance(entry, dict) else None
        if not isinstance(value, dict) or not isinstance(value.get("logprob"), int | float):
            raise ScoringReplyError(f"qa_id {qa_id!r}: {where} has no logprob for gold token {token}")
        out.append(float(value["logprob"]))
    return out


def reply_text(reply: dict[str, Any], qa_id: str) -> str:
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ScoringReplyError(f"qa_id {qa_id!r}: reply has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise ScoringReplyError(f"qa_id {qa_id!r}: choices[0].message.content is {content!r}, not text")
    return content.strip()


class VLLMScorer:
    """training.confidence.score's contract (SCORE frame in `samples` order) over a vLLM server
    that serves the solver's weights; `solver` lends the tokenizer and frame settings."""

    def __init__(self, client: VLLMClient):
        self.client = client

    def __call__(self, solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, *, batch_size: int = 16,
                 blind: bool = False) -> pl.DataFrame:
        store, items, rows = scoring_inputs(solver, samples, frames, batch_size=batch_size, blind=blind)
        parts = _Frames(store, solver)
        with progress_bar() as bar, ThreadPoolExecutor(batch_size) as pool:
            task = bar.add_task("scoring (vllm)", total=len(rows))

            def one(pair: tuple[Item, dict]) -> dict:
                result = self._row(solver, parts, *pair)
                bar.advance(task)
                return result

            results = list(pool.map(one, zip(items, rows, strict=True)))
        return pl.DataFrame(results, schema=SCORE_SCHEMA)

    def _row(self, solver: Solver, frames: _Frames, item: Item, row: dict) -> dict:
        qa_id, user = row["qa_id"], user_turn(item, frames)
        common = {"chat_template": CHAT_TEMPLATE, "temperature": 0.0}
        forced = self.client.chat({**common, "messages": [user, {"role": "assistant", "content": item.answer}],
                                   "add_generation_prompt": False, "prompt_logprobs": 1, "max_tokens": 1,
                                   "return_token_ids": True}, f"qa_id {qa_id!r}")
        gold_ids = solver.tokenizer.encode(answer_target(item.answer), add_special_tokens=False)
        logp = torch.tensor([gold_logprobs(forced, gold_ids, qa_id)], dtype=torch.float64)
        confidence = float(geometric_mean(logp, torch.ones_like(logp))[0])
        greedy = {**common, "messages": [user], "add_generation_prompt": True, "stop_token_ids": [solver.eos_id]}
        if row["answer_type"] == "mca":
            letters = option_letters(row["options"])
            greedy |= {"max_tokens": 1, "allowed_token_ids": [solver.token_id(x) for x in letters]}
            prediction = reply_text(self.client.chat(greedy, f"qa_id {qa_id!r}"), qa_id)
            if prediction not in letters:
                raise ScoringReplyError(f"qa_id {qa_id!r}: choices[0].message.content {prediction!r} is not one of "
                                        f"the option letters {letters} (allowed_token_ids ignored?)")
            return mca_result(row, prediction, confidence)
        greedy["max_tokens"] = NUMERIC_MAX_NEW_TOKENS
        return numeric_result(row, reply_text(self.client.chat(greedy, f"qa_id {qa_id!r}"), qa_id), confidence)
