"""Scoring backends: where a solver's confidences and predictions are computed.

A backend is any callable with the signature of `training.confidence.score`:
`(solver, samples, frames, *, batch_size, blind) -> SCORE frame` (qa_id, confidence,
correct, prediction, mra, in `samples` order). Two are registered:

- `hf`: `training.confidence.score`, the solver's own weights in this process;
- `vllm`: `training.backends.vllm.VLLMScorer`, the same numbers from a vLLM server that
  serves the solver's weights (the in-process solver then only lends its tokenizer and
  frame settings): the served checkpoint, or a round's LoRA adapter that
  `training.backends.vllm_lora` puts on it.

Both reduce the gold tokens' log-probs with `training.confidence.geometric_mean`, so the
confidence means the same thing whichever backend computed it.
"""

from collections.abc import Callable
from typing import Protocol

import polars as pl

from training.backends.vllm import VLLMScorer
from training.backends.vllm_client import VLLMClient
from training.backends.vllm_lora import scoring_model
from training.confidence import score
from training.errors import SolverSpecError
from training.solver import Solver


class Scorer(Protocol):
    def __call__(
        self, solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, *, batch_size: int = 16,
        blind: bool = False,
    ) -> pl.DataFrame: ...


def _hf(**_server: object) -> Scorer:
    return score  # in this process: the server options do not apply, the solver is the one scored


def _vllm(*, base_url: str, model: str, source: str, label: str, timeout_s: float = 120.0) -> Scorer:
    client = VLLMClient(base_url, model, timeout_s=timeout_s)
    served = client.probe()  # a dead URL or a model the server lacks fails here, before any work
    # and so do weights the server cannot serve, or an adapter it cannot load
    return VLLMScorer(VLLMClient(base_url, scoring_model(client, served, source, label), timeout_s=timeout_s))


BACKENDS: dict[str, Callable[..., Scorer]] = {"hf": _hf, "vllm": _vllm}


def make_scorer(backend: str, **options) -> Scorer:
    """The scoring backend named `backend` ("hf" or "vllm"); `options` are the server's
    (base_url, model, timeout_s) and the scoring solver's (source: its load_solver spec; label:
    its name in the lake, e.g. "r1"), which vllm acts on at once and hf ignores."""
    if backend not in BACKENDS:
        raise SolverSpecError(f"unknown scoring backend {backend!r}; known: {sorted(BACKENDS)}")
    return BACKENDS[backend](**options)
