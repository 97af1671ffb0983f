"""Writing what a round produced: lake partitions, feedback, metrics, plots, fingerprint.

Every round (the warm start, round 0, too) ends here, so all rounds leave the same files:
lake `qa__r<N>`, `scores__r<N>`, `rollouts__r<N>` (GRPO's sampled answers; empty after SFT),
`rounds__r<N>`; runs/r<N>/feedback.json,
metrics.json (with `signal`: is the difficulty signal informative, `signal_metrics`),
confidence.csv (difficulty histogram), and runs/fingerprints/r<N>.json
(written last but for the rounds row: a round without it did not finish). Then the
round's four tables are tagged `round-<N>` (and, with `lake.track: manifest`, get
their manifests: ouroboros.manifests).
"""

import hashlib
import json
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime

import polars as pl

from curation.bands import BANDS, SIGNAL_COLUMNS, BandParams, band, band_counts
from curation.feedback import Feedback, proposal_counts, row_outcomes
from curation.signal import band_shares, confidence_signal, effective_cells, steering
from curation.tasks import task_group_column
from ouroboros.fingerprints import files_digest, partition_fingerprints, write_fingerprint
from ouroboros.jsonio import write_json
from ouroboros.lakes import workspace_lake
from ouroboros.manifests import publish
from ouroboros.params import Params
from ouroboros.workspace import Workspace
from store.schema import ROLLOUT_SCHEMA, ROLLOUTS
from store.views import per_round_confidence, reason_counts, rollout_groups

# Params sections a round reads: their hash identifies "the same round" in the rounds table.
ROUND_SECTIONS = ("seed", "proposer", "filters", "selection", "bands", "loop", "feedback", "solver", "train")
# Round 0 is the warm-start stage, which selects nothing: a selection knob must not change its row.
WARM_START_SECTIONS = ("seed", "proposer", "filters", "bands", "feedback", "vision", "solver", "train", "warm_start")
CONFIDENCE_BINS = [i / 10 for i in range(11)]


def params_hash(params: Params, sections=ROUND_SECTIONS) -> str:
    # section by section: the hash reads only the keys it names (dvc.yaml lists what a stage reads)
    values = {s: params.section(s) for s in sections}
    blob = json.dumps({s: asdict(v) if is_dataclass(v) else v for s, v in values.items()}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def round_counts(rows: pl.DataFrame, scores: pl.DataFrame) -> dict[str, int]:
    """How many rows each step kept or dropped (the per-round summary of the demo)."""
    by_reason = dict(reason_counts(rows.lazy()).collect().iter_rows())
    sighted = scores.filter(~pl.col("blind"))
    return {
        "proposed": rows.height,
        "executed_ok": rows.filter(pl.col("exec_status") == "ok").height,
        "valid": rows.filter(pl.col("answer").is_not_null()).height,
        "ambiguous": rows.filter(pl.col("ambiguous")).height,
        "scored": sighted.height,
        "selected": rows.filter(pl.col("selected")).height,
        **{f"dropped_{reason}": n for reason, n in by_reason.items() if reason != "kept"},
    }


def band_table(rows: pl.DataFrame, scores: pl.DataFrame, bands: BandParams) -> dict[str, dict[str, int]]:
    """{task group: {easy, frontier, hard}}: the round's sighted scores in the paper's bands."""
    sighted = per_round_confidence(scores, SIGNAL_COLUMNS).drop("round")  # one round's scores: one row per question
    scored = rows.select("qa_id", "task", "answer_type", "options").join(sighted, on="qa_id").with_columns(
        task_group_column().alias("group"))
    counts = band_counts(scored, "group", bands)
    return {r["group"]: {b: r[b] for b in BANDS} for r in counts.iter_rows(named=True)}


def zero_variance(rows: pl.DataFrame, scores: pl.DataFrame, rollouts: pl.DataFrame,
                  bands: BandParams) -> dict[str, dict[str, dict[str, int]]]:
    """{task group: {band: {"groups", "zero_variance"}}}: the round's GRPO groups, and those whose
    rewards were all equal (they teach nothing: every advantage is 0), by the task and the band
    of their question under the scores that selected it ("unscored" without one). Empty after SFT.
    Whether the bands predicted it: easy and hard rows should hold most zero-variance groups."""
    if rollouts.is_empty():
        return {}
    groups = rollout_groups(rollouts)
    sighted = per_round_confidence(scores, SIGNAL_COLUMNS).drop("round")
    keyed = (rows.select("qa_id", "task", "answer_type", "options").join(sighted, on="qa_id", how="left")
             .select("qa_id", task_group_column().alias("task_group"), band(bands).fill_null("unscored").alias("band")))
    counts = (groups.join(keyed, on="qa_id", how="left").group_by("task_group", "band")
              .agg(pl.len().alias("groups"), pl.col("zero").sum().alias("zero_variance")).sort("task_group", "band"))
    out: dict[str, dict[str, dict[str, int]]] = {}
    for task, level, n, zero in counts.iter_rows():
        out.setdefault(task, {})[level] = {"groups": n, "zero_variance": int(zero)}
    return out


def signal_metrics(rows: pl.DataFrame, scores: pl.DataFrame, feedback: Feedback, previous: Feedback | None,
                   params: Params) -> dict:
    """The round's measures of its difficulty signal (curation.signal), on its own scored rows:
    - confidence: AUROC, ECE and reliability curve of q against correctness, per task group;
    - bands: band shares per task group under the gold-probability and the success signal;
    - effective_cells: exp(entropy) and inverse Simpson of the allocation over (task, template,
      bin) keys of next round's proposals (by this feedback) and over (task, bin) cells of this
      round's training slice;
    - steering: each policy's cell weights in `previous` (round N-1's feedback, which steered
      this round's proposals) against this round's gains on the held-in probe (None in round 0);
    - probe: its cells, how many had a measured gain, and the feedback groups whose statistic
      had no evidence (`fallback`: they kept their prior)."""
    outcomes = row_outcomes(scores, rows.select("qa_id", "task", "answer_type", "options"), params.bands)
    per_row = outcomes.with_columns(task_group_column().alias("group"))
    slice_cells = rows.filter(pl.col("selected")).group_by("task", "difficulty_bin").len("n").sort(
        "task", "difficulty_bin")
    proposals = proposal_counts(sorted(feedback.weights()), feedback, params.proposer.per_round)
    return {
        "confidence": confidence_signal(per_row, params.bands),
        "bands": band_shares(per_row, params.bands),
        "effective_cells": {"proposer": effective_cells(proposals),
                            "selected": effective_cells({(t, b): n for t, b, n in slice_cells.iter_rows()})},
        "steering": steering(previous, feedback.probe) if previous is not None else None,
        "probe": {"solver": feedback.probe_solver, "cells": len(feedback.probe),
                  "measured": sum(c.gain is not None for c in feedback.probe),
                  "fallback_bins": sum(b.fallback for b in feedback.bins),
                  "fallback_tasks": sum(t.fallback for t in feedback.tasks)},
    }


def confidence_histogram(scores: pl.DataFrame) -> pl.DataFrame:
    """Rows per confidence decile, sighted and blind (DVC plot data)."""
    labels = [f"{lo:.1f}" for lo in CONFIDENCE_BINS[:-1]]
    binned = scores.with_columns(
        (pl.col("confidence") * 10).floor().clip(0, 9).cast(pl.Int32).alias("_bin")
    ).group_by("_bin", "blind").len("n")
    grid = pl.DataFrame({"_bin": list(range(10))}, schema={"_bin": pl.Int32})
    out = grid
    for blind in (False, True):
        part = binned.filter(pl.col("blind") == blind).select("_bin", pl.col("n").alias("blind" if blind else "rows"))
        out = out.join(part, on="_bin", how="left")
    return out.with_columns(pl.Series("confidence", labels)).select(
        "confidence", pl.col("rows").fill_null(0), pl.col("blind").fill_null(0))


def record_round(
    n: int, prev: int, params: Params, ws: Workspace, *, rows: pl.DataFrame, scores: pl.DataFrame,
    feedback: Feedback, metrics: dict, previous: Feedback | None = None, rollouts: pl.DataFrame | None = None,
) -> dict:
    """Write round `n`'s outputs; returns its metrics.json payload. `previous` is the feedback
    that steered the round (None for round 0), for the signal's steering measure; `rollouts`
    GRPO's sampled answers (training.grpo's columns; None or empty after SFT)."""
    lake = workspace_lake(ws)
    part = f"r{n}"
    rollouts = (pl.DataFrame(schema=ROLLOUT_SCHEMA) if rollouts is None else rollouts)
    lake.write("qa", rows, mode="overwrite", partition=part)
    lake.write("scores", scores, mode="overwrite", partition=part)
    lake.write("rollouts", rollouts.with_columns(pl.lit(n, pl.Int32).alias("round")).select(ROLLOUTS.names),
               mode="overwrite", partition=part)
    out = ws.round_dir(n)
    write_json(ws.feedback_path(n), json.loads(feedback.to_json()))
    confidence_histogram(scores).write_csv(out / "confidence.csv")
    payload = {"round": n, "prev": prev, "counts": round_counts(rows, scores),
               "bands": band_table(rows, scores, params.bands),
               "signal": signal_metrics(rows, scores, feedback, previous, params),
               "zero_variance": zero_variance(rows, scores, rollouts, params.bands), **metrics}
    write_json(ws.metrics_path(n), payload)
    solver_dir = ws.solver_dir(n)
    fingerprint = write_fingerprint(
        ws.fingerprint_path(n), lake, {"qa": f"qa__{part}", "scores": f"scores__{part}",
                                       "rollouts": f"rollouts__{part}"},
        solver=files_digest(solver_dir) if solver_dir.is_dir() else "base-checkpoint",
        feedback=hashlib.sha256(feedback.to_json().encode()).hexdigest(),
    )
    lake.write("rounds", [{
        "round": n, "prev": prev, "params_hash": params_hash(params, WARM_START_SECTIONS if n == 0 else ROUND_SECTIONS),
        "counts": json.dumps(payload["counts"], sort_keys=True),
        "bands": json.dumps(payload["bands"], sort_keys=True),
        "metrics": json.dumps({k: v for k, v in payload.items() if k not in ("counts", "bands", "round", "prev")},
                              sort_keys=True),
        "checkpoint": str(solver_dir if solver_dir.is_dir() else params.solver.spec),
        "fingerprint": fingerprint["content"], "created_at": datetime.now(UTC),
    }], mode="overwrite", partition=part)
    publish(ws, lake, f"round-{n}", fingerprint["tables"] | partition_fingerprints(lake, {"rounds": f"rounds__{part}"}))
    return payload
