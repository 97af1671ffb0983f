"""Stage `report`: every round's numbers side by side, plus the data map.

    ouro report         (dvc.yaml stage `report`)

runs/report/summary.json (per round: counts, difficulty bands per task, eval overall
and per task, blind eval, training loss), runs/report/eval.csv (per round: overall,
blind and one column per task: the `dvc plots` source of eval per task per round),
runs/report/budget.csv (per round: the training rows each task group got, so the plot
shows where feedback moved the budget) and runs/report/datamap.csv (Dataset
Cartography: mean and std of each question's gold confidence over the rounds that
scored it).
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
    summary = {
        f"r{m['round']}": {
            "counts": m["counts"],
            "bands": m.get("bands", {}),
            "eval": m.get("eval", {}),
            "eval_blind": m.get("eval_blind", {}),
            "train_final_loss": (m.get("train") or {}).get("final_loss"),
        }
        for m in rounds
    }
    write_json(out / "summary.json", summary)
    return summary
