"""The proposer registry and the contract every proposer follows (params `proposer.kind`).

A proposer is built from the `proposer` params section (`from_params`) and answers a
`ProposalRequest` with proposal rows (curation.proposer.rows.PROPOSAL_SCHEMA). The request
carries everything any kind may read; each kind takes what it needs, as filters take what
they need from a FilterContext.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import polars as pl

from curation.bands import BandParams
from curation.chat import ChatClient
from curation.feedback import Feedback
from curation.history import HistoryKey, SceneHistory, scene_weights
from curation.registry import Registry
from curation.scenes.metadata import Scene


@dataclass(frozen=True)
class ProposalRequest:
    scenes: Sequence[Scene]
    budget: int  # proposal rows wanted
    feedback: Feedback | None = None  # the previous round's, None when the data is not steered
    frame_info: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # scene_id -> frame_info
    history: SceneHistory | None = None  # earlier rounds' questions per scene (curation.history)
    bands: BandParams = BandParams()  # what the history's bands were drawn with (params `bands`)
    images: Mapping[str, Sequence[bytes]] = field(default_factory=dict)  # scene_id -> PNG frames a model sees
    round: int = 0
    split: str = "train"

    def scene_weights(self) -> Mapping[HistoryKey, float] | None:
        """Per (scene, task, bin) weights from the history, None without one."""
        return scene_weights(self.history) if self.history else None


class Proposer(ABC):
    @classmethod
    @abstractmethod
    def from_params(cls, params: Any, seed: int, chat: ChatClient | None) -> Self:
        """Built from the `proposer` params section (ouroboros.params.ProposerParams, read by
        attribute) and the proposer model's client (None unless the section names a model)."""

    @abstractmethod
    def run(self, request: ProposalRequest) -> pl.DataFrame:
        """Proposal rows for the request."""

    def summary(self) -> str | None:
        """A line on how the last run went, for the console (None: nothing to say)."""
        return None


PROPOSERS: Registry[type[Proposer]] = Registry("proposer")


def register(name: str) -> Callable[[type[Proposer]], type[Proposer]]:
    return PROPOSERS.register(name)
