"""A stand-in for `vllm serve` that runs a solver's own HF model: POST /v1/chat/completions
with vLLM's documented payloads, for the vLLM scoring backend's tests.

It works the way vLLM does, independently of training.batches: the request's
`chat_template` is rendered by the tokenizer's `apply_chat_template` (what vLLM calls for
HF tokenizers), with each image part handed to the template as {"type": "image"}; every
`<|image_pad|>` is expanded to the frame's merged patch count (the processor's job), and
the whole prompt string is tokenized at once. One unpadded forward pass then gives

- `prompt_logprobs` (with `prompt_logprobs: k`): None for the first token, then per token a
  dict keyed by token id (a string) of {"logprob", "rank", "decoded_token"} holding the
  prompt's own token and the top k, -inf clamped to -9999.0;
- `prompt_token_ids` (with `return_token_ids`);
- greedy `choices[0].message.content` (temperature 0 only), masked to `allowed_token_ids`,
  stopping at the tokenizer's eos or `stop_token_ids`, decoded without special tokens.

`mutate(body, reply) -> reply` rewrites replies, to serve malformed payloads.
"""

import base64
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from tests.json_server import JsonServer
from training.images import decode_png, patchify, tokens_per_frame
from training.prompts import IMAGE_PAD
from training.solver import Solver

Mutate = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


class VLLMStub(JsonServer):
    model = "tiny-vllm"

    def __init__(self, solver: Solver, mutate: Mutate | None = None):
        super().__init__()
        self.solver, self.mutate = solver, mutate

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        if path != "/v1/chat/completions" or body.get("model") != self.model:
            return 404, json.dumps({"error": f"no {path} for model {body.get('model')!r}"}).encode()
        with self.lock:  # one forward at a time: deterministic, as a test needs
            reply = self.complete(body)
        if self.mutate is not None:
            reply = self.mutate(body, reply)
        return 200, json.dumps(reply).encode()

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        assert body.get("temperature") == 0.0, "the stub decodes greedily only"
        tok, solver = self.solver.tokenizer, self.solver
        messages, images = [], []
        for m in body["messages"]:
            content = m["content"]
            if isinstance(content, list):
                images += [decode_png(base64.b64decode(p["image_url"]["url"].split(",", 1)[1]))
                           for p in content if p["type"] == "image_url"]
                content = [{"type": "image"} if p["type"] == "image_url" else p for p in content]
            messages.append({**m, "content": content})
        text = tok.apply_chat_template(messages, chat_template=body["chat_template"], tokenize=False,
                                       add_generation_prompt=body.get("add_generation_prompt", True))
        frames = [patchify(img, solver.patch) for img in images]
        pieces = text.split(IMAGE_PAD)
        assert len(pieces) == len(frames) + 1, "one <|image_pad|> per image"
        pads = [IMAGE_PAD * tokens_per_frame(grid, solver.patch) for _, grid in frames]
        text = "".join(p + pad for p, pad in zip(pieces, [*pads, ""], strict=True))
        ids = tok.encode(text, add_special_tokens=False)
        logits = self._logits(ids, frames)
        reply: dict[str, Any] = {"object": "chat.completion", "model": self.model}
        if body.get("prompt_logprobs") is not None:
            reply["prompt_logprobs"] = self._prompt_logprobs(ids, logits, int(body["prompt_logprobs"]))
        if body.get("return_token_ids"):
            reply["prompt_token_ids"] = ids
        content = self._greedy(ids, frames, logits[-1], body)
        reply["choices"] = [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
        return reply

    @torch.inference_mode()
    def _logits(self, ids: list[int], frames: list) -> torch.Tensor:
        """[len(ids), V] float32 logits of one unpadded sequence."""
        input_ids = torch.tensor([ids])
        dtype = next(self.solver.model.parameters()).dtype
        batch = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids),
                 "mm_token_type_ids": (input_ids == self.solver.image_pad_id).long()}
        if frames:
            batch["pixel_values"] = torch.from_numpy(np.concatenate([f[0] for f in frames])).to(dtype)
            batch["image_grid_thw"] = torch.tensor([f[1] for f in frames])
        return self.solver.model(**batch).logits[0].float()

    def _prompt_logprobs(self, ids: list[int], logits: torch.Tensor, k: int) -> list[dict | None]:
        logp = torch.log_softmax(logits[:-1], dim=-1)
        out: list[dict | None] = [None]
        for row, token in zip(logp, ids[1:], strict=True):
            ranks = row.argsort(descending=True)
            keep = {token, *ranks[:k].tolist()}
            out.append({str(t): {"logprob": max(float(row[t]), -9999.0),
                                 "rank": int((row > row[t]).sum()) + 1,
                                 "decoded_token": self.solver.tokenizer.decode([t])} for t in keep})
        return out

    def _greedy(self, ids: list[int], frames: list, last: torch.Tensor, body: dict[str, Any]) -> str:
        allowed = body.get("allowed_token_ids")
        stops = {self.solver.eos_id, *body.get("stop_token_ids", [])}
        out: list[int] = []
        for step in range(int(body.get("max_tokens") or 16)):
            if step:
                last = self._logits(ids + out, frames)[-1]
            if allowed:
                masked = torch.full_like(last, float("-inf"))
                masked[allowed] = last[allowed]
                last = masked
            token = int(last.argmax())
            if token in stops:
                break
            out.append(token)
        return self.solver.tokenizer.decode(out, skip_special_tokens=True)
