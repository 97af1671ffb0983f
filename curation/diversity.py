"""Maximal marginal relevance (Carbonell & Goldstein, 1998): relevant, but not alike.

The pick repeatedly takes the candidate i that maximises

    trade_off * relevance[i] - (1 - trade_off) * max over picked j of cos(v_i, v_j)

so a slice spreads over scenes and frames instead of piling onto one cluster of
look-alike rows. trade_off = 1 is a plain sort by relevance (ties: lower index first).
A QA row's vector is the mean of its frames' unit vectors (`row_vectors`), so two rows
about the same view are alike whatever their questions.
"""

from collections.abc import Mapping, Sequence

import numpy as np

from curation.params import require_in_range


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if (norms == 0).any() or not np.isfinite(vectors).all():
        row = int(np.flatnonzero((norms[:, 0] == 0) | ~np.isfinite(vectors).all(axis=1))[0])
        raise ValueError(f"diversity: vector {row} is zero or not finite; cosine similarity needs a direction")
    return vectors / norms


def mmr_order(relevance: Sequence[float], vectors: np.ndarray, k: int | None = None, *,
              trade_off: float = 0.5) -> list[int]:
    """Indices of the first k candidates in MMR order (all of them when k is None).

    relevance: [n], higher is better. vectors: [n, dim], any scale (cosine is used).
    """
    require_in_range("selection", "trade_off", trade_off, 0.0, 1.0)
    rel = np.asarray(relevance, dtype=np.float64)
    vecs = np.asarray(vectors, dtype=np.float64)
    if vecs.ndim != 2 or vecs.shape[0] != rel.shape[0]:
        raise ValueError(f"diversity: {rel.shape[0]} relevance values for vectors of shape {vecs.shape}")
    n = rel.shape[0]
    k = n if k is None else min(k, n)
    if k <= 0:
        return []
    unit = _unit_rows(vecs)
    redundancy = np.full(n, -np.inf)  # max cosine to anything picked so far
    open_ = np.ones(n, dtype=bool)
    order: list[int] = []
    for _ in range(k):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        gain = np.where(open_, trade_off * rel - (1.0 - trade_off) * penalty, -np.inf)
        best = int(np.argmax(gain))
        order.append(best)
        open_[best] = False
        redundancy = np.maximum(redundancy, unit @ unit[best])
    return order


def row_vectors(frame_ids: Sequence[Sequence[str]], frame_vectors: Mapping[str, np.ndarray]) -> np.ndarray:
    """[rows, dim]: each row's mean of its frames' unit vectors; a frame without a vector is an error."""
    out = []
    for i, ids in enumerate(frame_ids):
        missing = [f for f in ids if f not in frame_vectors]
        if not ids or missing:
            raise KeyError(f"diversity: row {i} has no vector for frame(s) {missing or 'none listed'}")
        out.append(_unit_rows(np.stack([np.asarray(frame_vectors[f], np.float64) for f in ids])).mean(axis=0))
    return np.stack(out) if out else np.zeros((0, 0))
