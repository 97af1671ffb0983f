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

POST /v1/load_lora_adapter is vLLM's dynamic LoRA route (a server run with
VLLM_ALLOW_RUNTIME_LORA_UPDATING=True): peft puts the adapter in `lora_path` on a copy of the
model, served from then on under `lora_name` (and listed by GET /v1/models). Its answers are
vLLM's: 200 "Success: ..." as plain text; 400 ErrorResponse for a name already loaded; 404
"Loading lora <name> failed: No adapter found for <path>" for a path it cannot read. `sees(path)`
says which paths the server's filesystem holds (another node sees only shared storage);
`runtime_lora=False` is a server started without the variable: the route is FastAPI's 404.

`mutate(body, reply) -> reply` rewrites replies, to serve malformed payloads.
"""

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from peft import LoraConfig, PeftModel, get_peft_model

from tests.json_server import JsonServer
from training.images import decode_png, patchify, tokens_per_frame
from training.prompts import IMAGE_PAD
from training.solver import Solver
from training.train_params import TrainParams

Mutate = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


class VLLMStub(JsonServer):
    model = "tiny-vllm"

    def __init__(self, solver: Solver, mutate: Mutate | None = None, *, runtime_lora: bool = True,
                 sees: Callable[[Path], bool] = lambda path: True):
        super().__init__()
        self.solver, self.mutate, self.runtime_lora, self.sees = solver, mutate, runtime_lora, sees
        self.models: dict[str, torch.nn.Module] = {self.model: solver.model}  # served name -> weights

    def served(self) -> list[str]:
        return list(self.models)

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        if path == "/v1/load_lora_adapter" and self.runtime_lora:
            return self.load_lora_adapter(body)
        if path != "/v1/chat/completions":
            return 404, json.dumps({"detail": "Not Found"}).encode()
        if body.get("model") not in self.models:
            return _error(404, "NotFoundError", f"The model `{body.get('model')}` does not exist.")
        with self.lock:  # one forward at a time: deterministic, as a test needs
            reply = self.complete(body)
        if self.mutate is not None:
            reply = self.mutate(body, reply)
        return 200, json.dumps(reply).encode()

    def load_lora_adapter(self, body: dict[str, Any]) -> tuple[int, bytes]:
        name, path = body.get("lora_name"), body.get("lora_path")
        if not name or not path:
            return _error(400, "InvalidUserInput", "Both 'lora_name' and 'lora_path' must be provided.")
        with self.lock:
            if name in self.models:
                return _error(400, "InvalidUserInput", f"The lora adapter '{name}' has already been loaded.")
            if not (self.sees(Path(path)) and (Path(path) / "adapter_config.json").is_file()):
                return _error(404, "NotFoundError", f"Loading lora {name} failed: No adapter found for {path}")
            self.models[name] = PeftModel.from_pretrained(copy.deepcopy(self.solver.model), path).eval()
        return 200, f"Success: LoRA adapter '{name}' added successfully.".encode()

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        assert body.get("temperature") == 0.0, "the stub decodes greedily only"
        tok, solver, net = self.solver.tokenizer, self.solver, self.models[body["model"]]
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
        logits = self._logits(net, ids, frames)
        reply: dict[str, Any] = {"object": "chat.completion", "model": body["model"]}
        if body.get("prompt_logprobs") is not None:
            reply["prompt_logprobs"] = self._prompt_logprobs(ids, logits, int(body["prompt_logprobs"]))
        if body.get("return_token_ids"):
            reply["prompt_token_ids"] = ids
        content = self._greedy(net, ids, frames, logits[-1], body)
        reply["choices"] = [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
        return reply

    @torch.inference_mode()
    def _logits(self, net: torch.nn.Module, ids: list[int], frames: list) -> torch.Tensor:
        """[len(ids), V] float32 logits of one unpadded sequence under the served weights `net`."""
        input_ids = torch.tensor([ids])
        dtype = next(net.parameters()).dtype
        batch = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids),
                 "mm_token_type_ids": (input_ids == self.solver.image_pad_id).long()}
        if frames:
            batch["pixel_values"] = torch.from_numpy(np.concatenate([f[0] for f in frames])).to(dtype)
            batch["image_grid_thw"] = torch.tensor([f[1] for f in frames])
        return net(**batch).logits[0].float()

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

    def _greedy(self, net: torch.nn.Module, ids: list[int], frames: list, last: torch.Tensor,
                body: dict[str, Any]) -> str:
        allowed = body.get("allowed_token_ids")
        stops = {self.solver.eos_id, *body.get("stop_token_ids", [])}
        out: list[int] = []
        for step in range(int(body.get("max_tokens") or 16)):
            if step:
                last = self._logits(net, ids + out, frames)[-1]
            if allowed:
                masked = torch.full_like(last, float("-inf"))
                masked[allowed] = last[allowed]
                last = masked
            token = int(last.argmax())
            if token in stops:
                break
            out.append(token)
        return self.solver.tokenizer.decode(out, skip_special_tokens=True)


def _error(status: int, kind: str, message: str) -> tuple[int, bytes]:
    """vLLM's ErrorResponse body."""
    return status, json.dumps({"error": {"message": message, "type": kind, "param": None, "code": status}}).encode()


def save_lora_solver(solver: Solver, out: Path, seed: int = 0) -> Path:
    """`out`: a LoRA solver over `solver`'s weights as a round saves one (Solver.save), with
    random A and B (peft's init leaves B at zero, an adapter that changes nothing)."""
    torch.manual_seed(seed)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=list(TrainParams().lora_targets), init_lora_weights=False,
                        task_type="CAUSAL_LM")
    model = get_peft_model(copy.deepcopy(solver.model), config)
    return Solver(model, solver.tokenizer, replace(solver.config, kind="lora"), solver.device).save(out)
