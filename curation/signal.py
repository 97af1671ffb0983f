"""Is the difficulty signal informative? Measures, before it is trusted to steer.

Pure functions of a round's scored rows and feedback (curation.feedback), training side only:

- `auroc`: how well a per-row score ranks the rows the solver gets right above those it
  gets wrong (the Mann-Whitney U statistic over average ranks; 0.5 = no signal, 1 = perfect,
  below 0.5 = pointing the wrong way; None when one class is empty).
- `reliability`: confidence binned into equal-width bins against the accuracy in each bin
  (a calibrated signal lies on the diagonal).
- `confidence_signal`: both, per task group and overall, for the chance-corrected gold
  confidence q (curation.bands.corrected) against correctness. (The `success` signal of a
  numeric row is its MRA, and correctness is MRA >= 0.5, so its AUROC would be 1 by
  construction: it is not reported.)
- `band_shares`: the share of each band per task group, under both band signals.
- `effective_cells`: how many cells an allocation is spread over: exp of the Shannon entropy
  of its shares (the perplexity; = the number of cells when uniform, 1 when one-hot), and
  the inverse Simpson index 1 / sum(share^2), which weighs the big cells more.
- `steering`: per (task, difficulty bin) cell, Spearman's rank correlation between a
  policy's weight of the cell (from one round's feedback) and the cell's gain on the held-in
  probe over the next round's training; with the number of cells it rests on.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import polars as pl
from scipy import stats

from curation.bands import BANDS, SIGNALS, BandParams, band, corrected
from curation.feedback import BinStats, Feedback, ProbeCell
from curation.feedback_policies import FEEDBACK_POLICIES

RELIABILITY_BINS = 10  # equal-width confidence bins of the reliability curve


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """P(score of a positive > score of a negative), ties counting 1/2; None without both classes."""
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    if len(s) != len(y):
        raise ValueError(f"auroc: {len(s)} scores but {len(y)} labels")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = stats.rankdata(s)  # average ranks, so ties count half
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def reliability(confidence: Sequence[float], correct: Sequence[float], bins: int = RELIABILITY_BINS) -> list[dict]:
    """[{lo, hi, n, confidence, accuracy}] for every non-empty bin of [0, 1] (1.0 falls in the last)."""
    c, y = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    index = np.clip((c * bins).astype(int), 0, bins - 1)
    out = []
    for b in range(bins):
        members = index == b
        if members.any():
            out.append({"lo": b / bins, "hi": (b + 1) / bins, "n": int(members.sum()),
                        "confidence": float(c[members].mean()), "accuracy": float(y[members].mean())})
    return out


def expected_calibration_error(curve: Sequence[Mapping]) -> float | None:
    """The n-weighted mean |confidence - accuracy| over a reliability curve's bins."""
    n = sum(b["n"] for b in curve)
    return sum(b["n"] * abs(b["confidence"] - b["accuracy"]) for b in curve) / n if n else None


def _summary(part: pl.DataFrame) -> dict:
    curve = reliability(part["q"].to_list(), part["acc"].to_list())
    return {"n": part.height, "accuracy": float(part["acc"].mean()), "mean_q": float(part["q"].mean()),
            "auroc": auroc(part["q"].to_list(), (part["acc"] >= 0.5).to_list()),
            "ece": expected_calibration_error(curve), "reliability": curve}


def confidence_signal(rows: pl.DataFrame, bands: BandParams = BandParams()) -> dict[str, dict]:
    """{"overall": summary, <task group>: summary}; a summary holds n, accuracy, mean_q, auroc,
    ece and the reliability curve of q against correctness. `rows`: qa_id, group, answer_type,
    options, confidence and acc (the share of the row's sighted scores that were correct)."""
    scored = rows.filter(pl.col("confidence").is_not_null()).with_columns(
        corrected(bands).alias("q")).sort("qa_id")
    if scored.is_empty():
        return {}
    out = {"overall": _summary(scored)}
    for (group,), part in scored.sort("group").group_by("group", maintain_order=True):
        out[str(group)] = _summary(part)
    return out


def band_shares(rows: pl.DataFrame, bands: BandParams = BandParams()) -> dict[str, dict[str, dict[str, float]]]:
    """{signal: {"overall" and each task group: {easy, frontier, hard}}}: shares of the scored rows
    in each band under each band signal (the configured thresholds and chance correction).
    `rows` as for `confidence_signal`, plus mra."""
    scored = rows.filter(pl.col("confidence").is_not_null())
    out: dict[str, dict[str, dict[str, float]]] = {signal: {} for signal in SIGNALS}
    if scored.is_empty():
        return out
    for signal in SIGNALS:
        labelled = scored.with_columns(band(replace(bands, signal=signal)).alias("_band"))
        shares = [(pl.col("_band") == b).mean().alias(b) for b in BANDS]
        per_group = pl.concat([labelled.select(pl.lit("overall").alias("group"), *shares),
                               labelled.group_by("group").agg(*shares).sort("group")])
        out[signal] = {r["group"]: {b: float(r[b]) for b in BANDS} for r in per_group.iter_rows(named=True)}
    return out


def effective_cells(allocation: Mapping[object, float]) -> dict[str, float | int]:
    """{cells, exp_entropy, inverse_simpson} of an allocation (counts or weights per cell; cells
    with 0 count toward `cells` only). Both measures equal `cells` for a uniform allocation and
    1 for a one-hot one."""
    values = np.asarray([v for v in allocation.values() if v > 0], dtype=np.float64)
    if values.size == 0:
        return {"cells": len(allocation), "exp_entropy": 0.0, "inverse_simpson": 0.0}
    share = values / values.sum()
    return {"cells": len(allocation), "exp_entropy": float(math.exp(-(share * np.log(share)).sum())),
            "inverse_simpson": float(1.0 / (share**2).sum())}


def _cell_statistic(members: Sequence[BinStats], statistic: str) -> float | None:
    """A (task, bin) cell's statistic: the n-weighted mean over its templates' BinStats (the
    frontier share from the band counts); None where a template lacks it."""
    n = sum(b.n for b in members)
    if statistic == "frontier_share":
        return sum(b.frontier for b in members) / n if n else None
    values = [getattr(b, statistic, None) for b in members]
    if not n or any(v is None for v in values):
        return None
    return sum(b.n * v for b, v in zip(members, values, strict=True)) / n


def steering(feedback: Feedback, probe: Sequence[ProbeCell]) -> dict[str, dict]:
    """{policy name or "weight": {spearman, p, cells}}: does the weight each registered policy
    would give a (task, bin) cell from `feedback` (one round's) rank the cells as their gains
    on the held-in `probe` do (the next round's training)? "weight" is the weight `feedback`
    gave. spearman is None with fewer than 3 cells or a constant side."""
    gains = {(c.task, c.bin): c.gain for c in probe if c.gain is not None}
    cells: dict[tuple[str, str], list[BinStats]] = {}
    for b in feedback.bins:
        if (b.task, b.bin) in gains:
            cells.setdefault((b.task, b.bin), []).append(b)
    weighers = {"weight": lambda members: _cell_statistic(members, "weight")}
    for name, policy in FEEDBACK_POLICIES.items():
        weighers[name] = lambda members, p=policy: (
            None if (v := _cell_statistic(members, p.statistic)) is None else p.weight(v))
    out = {}
    for name, weigh in weighers.items():
        pairs = [(w, gains[k]) for k, members in sorted(cells.items()) if (w := weigh(members)) is not None]
        out[name] = {"cells": len(pairs), **_spearman(pairs)}
    return out


def _spearman(pairs: Sequence[tuple[float, float]]) -> dict[str, float | None]:
    if len(pairs) < 3 or len({a for a, _ in pairs}) < 2 or len({b for _, b in pairs}) < 2:
        return {"spearman": None, "p": None}
    rho, p = stats.spearmanr([a for a, _ in pairs], [b for _, b in pairs])
    return {"spearman": float(rho), "p": float(p)}
