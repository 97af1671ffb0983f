"""What `ouro status` reports: the lake's tables and what each round did, as plain records."""

import json
from dataclasses import dataclass

import polars as pl

from store.lake import Lake


@dataclass(frozen=True)
class LakeStatus:
    tables: list[dict]  # name, rows, version (latest), versions (kept), written (datetime, UTC)
    # round, prev, counts, bands, confidence (None before scores), auroc and cells (the signal:
    # ouroboros.record.signal_metrics; None when not measured), eval, blind, fingerprint
    rounds: list[dict]


def lake_status(store: Lake) -> LakeStatus:
    """Every table's size and versions; every recorded round's counts, bands, mean sighted
    confidence, the signal (overall AUROC of the confidence; the effective cells of the training
    slice, exp entropy, and the cells it had), eval and blind eval overall (NaN when not
    evaluated) and fingerprint, by round."""
    tables = []
    for name in store.tables():
        versions = store.versions(name)
        tables.append({"name": name, "rows": store.count(name), "version": versions[-1].version,
                       "versions": len(versions), "written": versions[-1].timestamp})
    rounds = store.read("rounds").sort("round")
    confidence = dict(store.scan("scores").filter(~pl.col("blind")).group_by("round")
                      .agg(pl.col("confidence").mean()).collect().iter_rows())
    overview = []
    for row in rounds.iter_rows(named=True):
        metrics = json.loads(row["metrics"])
        signal = metrics.get("signal") or {}
        cells = (signal.get("effective_cells") or {}).get("selected")
        overview.append({
            "round": row["round"], "prev": row["prev"], "counts": json.loads(row["counts"]),
            "bands": json.loads(row["bands"]), "confidence": confidence.get(row["round"]),
            "auroc": signal.get("confidence", {}).get("overall", {}).get("auroc"),
            "cells": (cells["exp_entropy"], cells["cells"]) if cells else None,
            "eval": metrics.get("eval", {}).get("overall", float("nan")),
            "blind": metrics.get("eval_blind", {}).get("overall", float("nan")),
            "fingerprint": row["fingerprint"],
        })
    return LakeStatus(tables, overview)
