"""Each scene's difficulty history: what the solver made of the questions asked about it before.

From earlier rounds' QA rows and SCORES rows, per scene, every scored question with its
gold answer, the solver's latest sighted success on it (curation.bands.success: the value
bands are drawn on) and its band (easy / frontier / hard), newest round first. Two readers:

- the LLM proposer shows a scene's first `proposer.history` items in its request and asks
  for fewer easy-like and hard-like questions, more frontier-like ones;
- the template and corpus proposers pick scenes by `scene_weights`: per (scene, task,
  difficulty bin), the share of frontier rows with a uniform prior, (frontier + 1) / (n + 2).
  A key never asked keeps the prior 1/2; one whose rows were all easy (or all hard) fades
  toward 0 as evidence accumulates, but never reaches it, so no scene is starved.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from curation.bands import SIGNAL_COLUMNS, BandParams, band, success
from plumbing.options import option_for
from store.views import latest_confidence

HistoryKey = tuple[str, str, str]  # (scene_id, task, difficulty_bin)
PRIOR = 0.5  # the weight of a (scene, task, bin) with no history: (0 + 1) / (0 + 2)
QA_COLUMNS = ["qa_id", "round", "scene_id", "task", "difficulty_bin", "question", "answer_type", "options", "answer"]


@dataclass(frozen=True)
class HistoryItem:
    round: int  # the round that asked it (its latest, when asked again)
    task: str
    difficulty_bin: str
    question: str
    answer: str  # gold; for multiple choice the whole option, "B. tv"
    success: float  # what its band was drawn on (curation.bands.success), latest round that scored it sighted
    band: str  # easy | frontier | hard


SceneHistory = Mapping[str, Sequence[HistoryItem]]


def scene_history(
    qa: pl.DataFrame, scores: pl.DataFrame, bands: BandParams = BandParams()
) -> dict[str, list[HistoryItem]]:
    """scene_id -> its scored questions, newest round first (ties by qa_id).

    `qa` holds store.schema.QA columns (at least QA_COLUMNS), `scores` SCORES rows; pass
    only rounds before the one proposing. Unscored rows have no band and are left out.
    """
    missing = [c for c in QA_COLUMNS if c not in qa.columns]
    if missing:
        raise KeyError(f"scene_history: qa rows lack column(s) {missing}")
    latest = latest_confidence(scores, SIGNAL_COLUMNS)
    rows = (
        qa.select(QA_COLUMNS).sort("round").unique("qa_id", keep="last")
        .join(latest, on="qa_id")
        .with_columns(band(bands).alias("band"), success(bands).alias("success"))
        .sort(["scene_id", "round", "qa_id"], descending=[False, True, False])
    )
    out: dict[str, list[HistoryItem]] = {}
    for r in rows.iter_rows(named=True):
        out.setdefault(r["scene_id"], []).append(HistoryItem(
            round=r["round"], task=r["task"], difficulty_bin=r["difficulty_bin"], question=r["question"],
            answer=_gold_text(r["answer"], r["options"]), success=r["success"], band=r["band"],
        ))
    return out


def _gold_text(answer: str | None, options: Sequence[str] | None) -> str:
    """The gold answer as the model saw it asked: the whole option for a letter."""
    return option_for(answer, options) or str(answer)


def scene_weights(history: SceneHistory) -> dict[HistoryKey, float]:
    """(scene_id, task, difficulty_bin) -> (frontier + 1) / (n + 2) over every item of the history."""
    counts: dict[HistoryKey, list[int]] = {}
    for scene_id, items in history.items():
        for item in items:
            n = counts.setdefault((scene_id, item.task, item.difficulty_bin), [0, 0])
            n[0] += item.band == "frontier"
            n[1] += 1
    return {key: (frontier + 1) / (n + 2) for key, (frontier, n) in sorted(counts.items())}


def scene_probabilities(
    weights: Mapping[HistoryKey, float] | None, scene_ids: Sequence[str], task: str, difficulty_bin: str
) -> np.ndarray | None:
    """How likely each scene is to be asked a (task, bin) question; None: uniformly (no weights)."""
    if not weights:
        return None
    w = np.array([weights.get((s, task, difficulty_bin), PRIOR) for s in scene_ids], dtype=np.float64)
    return w / w.sum()


def pick(rng: np.random.Generator, n: int, probabilities: np.ndarray | None) -> int:
    """An index in [0, n): uniform without probabilities, so history-free runs keep their random stream."""
    return int(rng.integers(n)) if probabilities is None else int(rng.choice(n, p=probabilities))
