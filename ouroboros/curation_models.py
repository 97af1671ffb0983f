"""The models curation calls out to, built from params: the proposer model's chat client and
the question encoder. Torch loads only when a recipe needs the encoder, so a Ray actor that
executes and filters imports no model it does not run."""

import os
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from curation.chat import ChatClient
from ouroboros.params import ProposerParams


def chat_client(p: ProposerParams) -> ChatClient | None:
    """The proposer model's client (kind llm): it writes the questions and, under llm_check, checks them."""
    if p.kind != "llm":
        return None
    api_key = os.environ.get(p.api_key_env) if p.api_key_env else None
    return ChatClient(p.base_url, p.model, api_key, concurrency=p.concurrency, timeout_s=p.timeout_s,
                      retries=p.retries)


def question_encoder(recipe: Sequence[Mapping]) -> Callable[[Sequence[str]], np.ndarray] | None:
    """The sentence encoder, loaded only when a step of the recipe needs it (near_duplicate)."""
    if not any("near_duplicate" in step for step in recipe):
        return None
    from training.encoders import text_encoder

    return text_encoder()
