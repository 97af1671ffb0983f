"""The steps a stage composes, each a function over tables (DESIGN.md "data flow").

propose -> execute + filter (before scoring) -> score -> filter (after scoring) ->
select -> train -> evaluate -> feedback. The base stage, the rounds and the ablation
all call these, so a step means the same thing everywhere.
"""

import os
from collections.abc import Mapping, Sequence

import polars as pl

from curation.execute import execute
from curation.executor import Executor
from curation.feedback import Feedback
from curation.filters import FilterContext, apply_recipe
from curation.proposer import CorpusProposer, LLMProposer, TemplateProposer
from curation.scenes import Scene
from curation.vsibench import debiased_qa_ids
from ouroboros.inputs import frame_infos, with_frame_ids
from ouroboros.params import FiltersParams, Params, ProposerParams
from store.schema import SCORES
from training.confidence import score
from training.evaluate import evaluate, predictions, vsibench_scores
from training.solver import Solver

SAMPLE_COLUMNS = ["qa_id", "scene_id", "task", "question", "options", "answer_type", "answer", "frame_ids"]


def propose(
    p: ProposerParams, seed: int, scenes: Sequence[Scene], budget: int, feedback: Feedback | None, *,
    infos: Mapping[str, dict], round: int, split: str,
) -> pl.DataFrame:
    """Candidate rows from the configured proposer (template, corpus or LLM)."""
    if p.kind == "template":
        proposer = TemplateProposer(seed, distance_mode=p.distance_mode)
        return proposer.propose(scenes, budget, feedback, frame_info=infos, round=round, split=split)
    if p.kind == "corpus":
        return CorpusProposer.from_file(p.corpus, seed).propose(scenes, budget, round=round, split=split)
    api_key = os.environ.get(p.api_key_env) if p.api_key_env else None
    llm = LLMProposer(p.base_url, p.model, api_key, p.concurrency, seed=seed)
    return llm.propose(scenes, budget, feedback, round=round, split=split)


def execute_and_filter(
    proposals: pl.DataFrame, scenes: Sequence[Scene], infos: Mapping[str, dict], f: FiltersParams, seed: int
) -> pl.DataFrame:
    """Run every program in the sandbox, then the score-free filters (which re-execute
    programs on jittered scenes, so they share the warm workers)."""
    by_id = {s.scene_id: s for s in scenes}
    with Executor(workers=f.workers, timeout_s=f.timeout_s) as executor:
        rows = execute(proposals, by_id, executor, frame_info=infos)
        ctx = FilterContext(scenes=by_id, frame_info=infos, executor=executor, seed=seed)
        return apply_recipe(rows, f.before_scoring, ctx)


def curated_rows(
    proposer: ProposerParams, seed: int, params: Params, scenes: Sequence[Scene], frames: pl.DataFrame,
    budget: int, feedback: Feedback | None, *, round: int, split: str,
) -> pl.DataFrame:
    """Propose on `scenes`, execute, apply the score-free filters, and attach each row's frames."""
    infos = frame_infos(frames, scenes)
    proposals = propose(proposer, seed, scenes, budget, feedback, infos=infos, round=round, split=split)
    return with_frame_ids(execute_and_filter(proposals, scenes, infos, params.filters, params.seed), frames)


def filter_after_scoring(rows: pl.DataFrame, scores: pl.DataFrame, f: FiltersParams, seed: int) -> pl.DataFrame:
    """The confidence-based filters, over this and earlier rounds' scores."""
    return apply_recipe(rows, f.after_scoring, FilterContext(scores=scores, seed=seed))


def scorable(rows: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Rows worth the solver's (or the eval's) time: executed to a gold answer and not dropped."""
    return rows.filter(pl.col("answer").is_not_null() & pl.col("drop_reason").is_null())


def random_slice(rows: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """`n` rows at random (deterministic for the seed), in qa_id order first so the input
    order does not matter."""
    return rows.sort("qa_id").sample(n=min(n, rows.height), shuffle=True, seed=seed)


def score_rows(
    solver: Solver, rows: pl.DataFrame, frames: pl.DataFrame, *, round: int, solver_name: str, blind: bool,
    batch_size: int,
) -> pl.DataFrame:
    """SCORES rows: the solver's confidence in each row's gold answer."""
    if rows.is_empty():
        return pl.from_arrow(SCORES.empty_table())
    scored = score(solver, rows.select(SAMPLE_COLUMNS), frames, batch_size=batch_size, blind=blind)
    return scored.with_columns(
        pl.lit(round, pl.Int32).alias("round"), pl.lit(solver_name).alias("solver"), pl.lit(blind).alias("blind")
    ).select("qa_id", "round", "solver", "blind", "confidence", "correct", "prediction", "mra")


def eval_scores(solver: Solver, evalset: pl.DataFrame, frames: pl.DataFrame, params: Params) -> dict:
    """VSI-Bench metrics on the held-out set, sighted and (optionally) blind; for a benchmark eval
    set tagged with VSI-Bench-Debiased's pruned ids, also the sighted scores of the kept subset."""
    samples = evalset.select(SAMPLE_COLUMNS)
    sighted = predictions(solver, samples, frames, batch_size=params.solver.score_batch_size)
    out = {"eval": vsibench_scores(sighted)}
    kept = debiased_qa_ids(evalset)
    if kept is not None:
        out["eval_debiased"] = vsibench_scores([p for p in sighted if p["qa_id"] in kept])
    if params.eval.blind:
        out["eval_blind"] = evaluate(solver, samples, frames, blind=True, batch_size=params.solver.score_batch_size)
    return out
