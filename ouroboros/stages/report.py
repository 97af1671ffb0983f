"""Stage `report`: every round's numbers side by side, plus the data map.

    ouro report         (dvc.yaml stage `report`)

runs/report/summary.json (per round: counts, difficulty bands per task, eval overall
and per task, blind eval, training loss), runs/report/eval.csv (per round: overall,
blind and one column per task: the `dvc plots` source of eval per task per round),
runs/report/budget.csv (per round: the training rows each task group got, so the plot
shows where feedback moved the budget), runs/report/datamap.csv (Dataset
Cartography: mean and std of each question's gold confidence over the rounds that
scored it), and the difficulty signal's measures (ouroboros.record.signal_metrics):
runs/report/signal.csv (per round and task group: rows, accuracy, AUROC and ECE of the
confidence, band shares under the gold-probability and the success signal) and
runs/report/reliability.csv (per round and task group: the reliability curve's bins).
summary.json adds per round the overall AUROC, the effective cells and the steering
correlations.
"""

import polars as pl

from curation.tasks import task_group_column
from ouroboros.jsonio import read_json, write_json
from ouroboros.lakes import workspace_lake
from ouroboros.params import Params
from ouroboros.workspace import Workspace
from store.views import confidence_spread


def round_metrics(params: Params, ws: Workspace) -> list[dict]:
    ids = [0, *[r.id for r in params.rounds]]
    return [read_json(ws.metrics_path(n), f"round {n} metrics") for n in ids]


def eval_table(rounds: list[dict]) -> pl.DataFrame:
    """One row per round: overall, blind overall and every task's score (the DVC plot's series)."""
    rows = [
        {"round": m["round"], "overall": m["eval"].get("overall"), "blind": m.get("eval_blind", {}).get("overall"),
         **({"debiased": m["eval_debiased"].get("overall")} if "eval_debiased" in m else {}),
         **{task: v for task, v in sorted(m["eval"].items()) if task != "overall"}}
        for m in rounds
    ]
    return pl.DataFrame(rows)


def budget_table(qa: pl.DataFrame) -> pl.DataFrame:
    """One row per round, one column per task group: rows selected for training."""
    selected = qa.filter(pl.col("selected") & (pl.col("split") == "train")).with_columns(
        task_group_column().alias("group"))
    counts = selected.group_by("round", "group").len("n")
    wide = counts.pivot(on="group", index="round", values="n", sort_columns=True).sort("round")
    return wide.fill_null(0).with_columns(pl.col("round").cast(pl.Int64))


def signal_table(rounds: list[dict]) -> pl.DataFrame:
    """One row per (round, task group, overall): n, accuracy, auroc, ece and, per band signal,
    the easy / frontier / hard shares (columns `<signal>_<band>`)."""
    rows = []
    for m in rounds:
        signal = m.get("signal") or {}
        shares = signal.get("bands", {})
        for task, s in signal.get("confidence", {}).items():
            rows.append({"round": m["round"], "task": task, "n": s["n"], "accuracy": s["accuracy"],
                         "auroc": s["auroc"], "ece": s["ece"],
                         **{f"{sig}_{b}": share for sig, by_task in sorted(shares.items())
                            for b, share in by_task.get(task, {}).items()}})
    return pl.DataFrame(rows, schema_overrides={"auroc": pl.Float64, "ece": pl.Float64}, infer_schema_length=None)


def reliability_table(rounds: list[dict]) -> pl.DataFrame:
    """One row per (round, task group, confidence bin): n, mean confidence, accuracy."""
    return pl.DataFrame(
        [{"round": m["round"], "task": task, **b} for m in rounds
         for task, s in ((m.get("signal") or {}).get("confidence", {})).items() for b in s["reliability"]],
        schema={"round": pl.Int64, "task": pl.String, "lo": pl.Float64, "hi": pl.Float64, "n": pl.Int64,
                "confidence": pl.Float64, "accuracy": pl.Float64})


def signal_summary(m: dict) -> dict:
    """A round's signal in brief: overall AUROC, effective cells, steering Spearman per policy."""
    signal = m.get("signal") or {}
    return {"auroc": signal.get("confidence", {}).get("overall", {}).get("auroc"),
            "effective_cells": signal.get("effective_cells"), "steering": signal.get("steering"),
            "probe": signal.get("probe")}


def data_map(scores: pl.DataFrame) -> pl.DataFrame:
    """Per question: mean and std of sighted gold confidence, over the rounds that scored it."""
    return (
        scores.filter(~pl.col("blind"))
        .group_by("qa_id")
        .agg(*confidence_spread(), pl.col("correct").cast(pl.Float64).mean().alias("correctness"))
        .select("qa_id", "mean", "std", "correctness", "rounds")  # datamap.csv's columns, as plotted
        .sort("qa_id")
    )


def report(params: Params, ws: Workspace) -> dict:
    rounds = round_metrics(params, ws)
    out = ws.report_dir
    out.mkdir(parents=True, exist_ok=True)
    eval_table(rounds).write_csv(out / "eval.csv")
    lake = workspace_lake(ws)
    data_map(lake.read("scores")).write_csv(out / "datamap.csv")
    budget_table(lake.scan("qa").select("round", "split", "task", "selected").collect()).write_csv(
        out / "budget.csv")
    signal_table(rounds).write_csv(out / "signal.csv")
    reliability_table(rounds).write_csv(out / "reliability.csv")
    summary = {
        f"r{m['round']}": {
            "counts": m["counts"],
            "bands": m.get("bands", {}),
            "eval": m.get("eval", {}),
            "eval_blind": m.get("eval_blind", {}),
            "train_final_loss": (m.get("train") or {}).get("final_loss"),
            "signal": signal_summary(m),
        }
        for m in rounds
    }
    write_json(out / "summary.json", summary)
    return summary
