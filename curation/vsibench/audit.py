"""The label audit: re-derive every label the metadata can give and compare it with the official one.

Statuses of a question: agree | disagree | not_derivable | unparseable | error (the program
failed in the sandbox); a disagreement (or a program that answers "ambiguous") carries the
margin that explains it (`curation.vsibench.margins`)."""

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import polars as pl

from curation.executor.values import plain
from curation.scenes.metadata import Scene
from curation.tasks.base import AMBIGUOUS, normalise_answer
from curation.vsibench.margins import explain
from curation.vsibench.plan import Plan, metadata_name, plan_and_run
from plumbing.options import option_for, option_letter, option_text

STATUSES = ("agree", "disagree", "not_derivable", "unparseable", "error")
AUDIT_SCHEMA = {
    "id": pl.Int64,
    "scene_name": pl.String,
    "task": pl.String,
    "status": pl.String,  # one of STATUSES
    "reason": pl.String,  # why not derivable / unparseable / error; null otherwise
    "question": pl.String,
    "official": pl.String,  # ground_truth as given
    "ours": pl.String,  # our answer: a letter or str(number); null when none
    "official_text": pl.String,  # the official letter's option text (MCA)
    "ours_text": pl.String,  # the executed value as text
    "program": pl.String,
    "exec_status": pl.String,
    "margin": pl.Float64,  # see curation.vsibench_margins (disagreements and "ambiguous" only)
    "explanation": pl.String,
}


def _letter_of(value: Any, options: Sequence[str], scene: Scene) -> str | None:
    """The letter of the option whose text (mapped to metadata names) is `value`."""
    wanted = normalise_answer(str(value))
    for option in options:
        letter, text = option_letter(option), option_text(option)
        names = [t.strip() for t in text.split(",")]  # appearance orders are comma lists
        mapped = ", ".join(metadata_name(n, scene) or n for n in names)
        if normalise_answer(mapped) == wanted or normalise_answer(text) == wanted:
            return letter
    return None


def _option_text(letter: str, options: Sequence[str] | None) -> str | None:
    option = option_for(letter, options)
    return option_text(option) if option is not None else None


def _same_number(value: Any, official: str) -> bool:
    """Equal at the official answer's rounding (its number of decimals)."""
    try:
        truth = float(official)
    except ValueError:
        return False
    decimals = len(official.split(".", 1)[1]) if "." in official else 0
    return math.isfinite(float(value)) and round(float(value), decimals) == round(truth, decimals)


def judge(plan: Plan, result: Any, scene: Scene) -> dict[str, Any]:
    """status, reason, ours, ours_text of one executed plan."""
    if result.status != "ok":
        return {"status": "error", "reason": f"{result.status}: {result.error}"[:300], "ours": None, "ours_text": None}
    value = plain(result.value)
    text = None if value is None else str(value)
    if isinstance(value, str) and normalise_answer(value) == AMBIGUOUS:
        return {"status": "not_derivable", "reason": "program answers ambiguous", "ours": None, "ours_text": text}
    official, options = plan.row["ground_truth"], plan.row["options"]
    if options is None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return {"status": "error", "reason": f"numeric task returned {text!r}", "ours": None, "ours_text": text}
        agree = _same_number(value, official)
        return {"status": "agree" if agree else "disagree", "reason": None, "ours": str(value), "ours_text": text}
    letter = _letter_of(value, options, scene)
    return {"status": "agree" if letter == official else "disagree", "reason": None, "ours": letter, "ours_text": text}


def audit(
    annotations: pl.DataFrame, scenes: Sequence[Scene] | Mapping[str, Scene], executor: Any, *,
    distance_mode: str = "vsibench", reading: str = "unique",
) -> pl.DataFrame:
    """One row per annotation (AUDIT_SCHEMA): our answer beside the official one, and the margin of each miss.

    scenes: by name (a mapping) or a list of Scenes; executor: a `curation.executor.Executor`;
    reading: how "the X" is read (curation.tasks.base.READINGS).
    """
    plans, results, by_name = plan_and_run(annotations, scenes, executor, distance_mode, (), None, reading)
    rows = []
    for plan, result in zip(plans, results, strict=True):
        row = plan.row
        scene = by_name.get(row["scene_name"])
        if plan.status is not None:
            verdict = {"status": plan.status, "reason": plan.reason, "ours": None, "ours_text": None}
        else:
            verdict = judge(plan, result, scene)
        margin, why = None, None
        if verdict["status"] == "disagree" or verdict["reason"] == "program answers ambiguous":
            margin, why = explain(row["question_type"], scene, plan.roles, row["ground_truth"], distance_mode)
        rows.append(
            {
                "id": row["id"], "scene_name": row["scene_name"], "task": row["question_type"], **verdict,
                "question": row["question"], "official": row["ground_truth"],
                "official_text": _option_text(row["ground_truth"], row["options"]),
                "program": plan.program, "exec_status": None if result is None else result.status,
                "margin": margin, "explanation": why,
            }
        )
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA)


def summary(audited: pl.DataFrame) -> pl.DataFrame:
    """Per task: total, attempted (agree + disagree), agree, disagree, not_derivable, unparseable, error."""
    counts = [(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES]
    return (
        audited.group_by("task")
        .agg(pl.len().cast(pl.Int64).alias("total"), *counts)
        .with_columns((pl.col("agree") + pl.col("disagree")).alias("attempted"))
        .select("task", "total", "attempted", *STATUSES)
        .sort("task")
    )


def summary_json(audited: pl.DataFrame) -> dict[str, Any]:
    """{"per_task": {task: {"n": attempted, "agree": k, ...}}, "total": {...}, "disagreements": [...], ...}."""
    table = summary(audited)

    def counts(row: Mapping[str, Any]) -> dict[str, int]:
        return {"n": row["attempted"], "total": row["total"], **{s: row[s] for s in STATUSES}}

    totals = table.select(pl.exclude("task").sum()).to_dicts()[0] if len(table) else dict.fromkeys(table.columns[1:], 0)
    not_derivable = audited.filter(pl.col("status") == "not_derivable").group_by("reason").len().sort("reason")
    return {
        "per_task": {r["task"]: counts(r) for r in table.iter_rows(named=True)},
        "total": counts(totals),
        "disagreements": disagreements(audited).select("id", "task", "official", "ours", "margin").to_dicts(),
        "unparseable": audited.filter(pl.col("status") == "unparseable").select("id", "reason").to_dicts(),
        "not_derivable": dict(not_derivable.iter_rows()),
    }


def disagreements(audited: pl.DataFrame) -> pl.DataFrame:
    """The audit rows whose answer differs from the official one, with both answers and the margin."""
    return audited.filter(pl.col("status") == "disagree").select(
        "id", "scene_name", "task", "question", "official", "official_text", "ours", "ours_text",
        "margin", "explanation", "program",
    )


def debiased_summary(audited: pl.DataFrame, pruned_ids: Collection[int]) -> pl.DataFrame:
    """`summary` of the questions VSI-Bench-Debiased keeps."""
    return summary(audited.filter(~pl.col("id").is_in(list(pruned_ids))))
