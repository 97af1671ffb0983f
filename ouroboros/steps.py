"""The steps a stage composes, each a function over tables.

propose -> execute + filter (before scoring) -> score -> filter (after scoring) ->
select -> train -> evaluate -> feedback. The warm-start stage, the rounds and the ablation
all call these, so a step means the same thing everywhere.
"""

import io
import os
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl
from PIL import Image

from curation.bands import BandParams
from curation.chat import ChatClient
from curation.curate import execute_and_filter as execute_and_filter_scenes
from curation.executor import Executor
from curation.feedback import Feedback
from curation.filters import FilterContext, apply_recipe
from curation.history import SceneHistory
from curation.proposer import PROPOSERS, ProposalRequest
from curation.scenes.frames import png_bytes
from curation.scenes.metadata import Scene
from curation.vsibench.evalset import debiased_qa_ids
from ouroboros.console import err_console
from ouroboros.curation_models import chat_client, question_encoder
from ouroboros.inputs import frame_infos, proposer_images, with_frame_ids
from ouroboros.params import Params, ProposerParams, SolverParams
from store.schema import ROLLOUT_SCHEMA, SCORES
from training.backends import Scorer, make_scorer
from training.batches import SAMPLE_COLUMNS
from training.confidence import score
from training.evaluate import evaluate, predictions, vsibench_scores
from training.sft import train
from training.solver import Solver
from training.train_params import TrainParams


def propose(
    p: ProposerParams, seed: int, scenes: Sequence[Scene], budget: int, feedback: Feedback | None, *,
    infos: Mapping[str, dict], round: int, split: str, history: SceneHistory | None = None,
    bands: BandParams = BandParams(), chat: ChatClient | None = None, images: Mapping[str, list[bytes]] | None = None,
) -> pl.DataFrame:
    """Candidate rows from the configured proposer (curation.proposer.PROPOSERS[p.kind]; `chat` for LLM).

    `history` (curation.history, earlier rounds' questions per scene) steers every kind.
    """
    proposer = PROPOSERS[p.kind].from_params(p, seed, chat)
    rows = proposer.run(ProposalRequest(scenes, budget, feedback, frame_info=infos, history=history, bands=bands,
                                        images=images or {}, round=round, split=split))
    if (summary := proposer.summary()) is not None:
        err_console.print(f"proposer {p.model or p.kind} ({split}, round {round}): {summary}",
                          highlight=False, soft_wrap=True)
    return rows


def execute_and_filter(
    proposals: pl.DataFrame, scenes: Sequence[Scene], infos: Mapping[str, dict], params: Params, *,
    chat: ChatClient | None = None, images: Mapping[str, list[bytes]] | None = None,
) -> pl.DataFrame:
    """Run every program in the sandbox, then the score-free filters (which re-execute
    programs on jittered scenes, so they share the warm workers; llm_check asks `chat`), on
    the engine params.curation names: here, or on Ray over shards of scenes (the same rows)."""
    f = params.filters
    if params.curation.engine == "ray" and proposals.height:
        from ouroboros.on_ray.curate import execute_and_filter_on_ray

        rows = execute_and_filter_on_ray(proposals, scenes, infos, params, images=images)
    else:
        with Executor(workers=f.workers, timeout_s=f.timeout_s) as executor:
            rows = execute_and_filter_scenes(
                proposals, {s.scene_id: s for s in scenes}, executor, recipe=f.before_scoring, seed=params.seed,
                frame_info=infos, chat=chat, images=images, embed_questions=question_encoder(f.before_scoring))
        if chat is not None and any("llm_check" in step for step in f.before_scoring):
            err_console.print(f"llm_check {chat.model}: {chat.stats.summary()}", highlight=False, soft_wrap=True)
    return rows


def curated_rows(
    proposer: ProposerParams, seed: int, params: Params, scenes: Sequence[Scene], frames: pl.DataFrame,
    budget: int, feedback: Feedback | None, *, round: int, split: str, history: SceneHistory | None = None,
) -> pl.DataFrame:
    """Propose on `scenes`, execute, apply the score-free filters, and attach each row's frames.

    The configured proposer model (params.proposer, kind llm) sees `proposer.n_frames` frames
    per scene, and checks rows under llm_check even when `proposer` (the eval set's) is a template.
    """
    infos = frame_infos(frames, scenes)
    chat = chat_client(params.proposer)
    images = proposer_images(frames, params.proposer.n_frames) if chat else {}
    proposals = propose(proposer, seed, scenes, budget, feedback, infos=infos, round=round, split=split,
                        history=history, bands=params.bands, chat=chat, images=images)
    rows = execute_and_filter(proposals, scenes, infos, params, chat=chat, images=images)
    return with_frame_ids(rows, frames)


def filter_after_scoring(rows: pl.DataFrame, scores: pl.DataFrame, params: Params,
                         rollouts: pl.DataFrame | None = None) -> pl.DataFrame:
    """The confidence-based filters, over this and earlier rounds' scores (and earlier GRPO
    rounds' rollouts)."""
    ctx = FilterContext(scores=scores, seed=params.seed, bands=params.bands, rollouts=rollouts)
    return apply_recipe(rows, params.filters.after_scoring, ctx)


def scorable(rows: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Rows worth the solver's (or the eval's) time: executed to a gold answer and not dropped."""
    return rows.filter(pl.col("answer").is_not_null() & pl.col("drop_reason").is_null())


def random_slice(rows: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """`n` rows at random (deterministic for the seed), in qa_id order first so the input
    order does not matter."""
    return rows.sort("qa_id").sample(n=min(n, rows.height), shuffle=True, seed=seed)


def solver_scorer(p: SolverParams, *, source: str, label: str) -> Scorer:
    """The scoring backend of params.solver for the solver `source` (a load_solver spec) named
    `label` in the lake; a vLLM server is probed, and handed `source`'s LoRA adapter, now,
    before any work."""
    return make_scorer(p.backend, base_url=p.base_url, model=p.model, timeout_s=p.timeout_s, source=source,
                       label=label)


def score_rows(
    solver: Solver, rows: pl.DataFrame, frames: pl.DataFrame, *, round: int, solver_name: str, blind: bool,
    batch_size: int, scorer: Scorer = score,
) -> pl.DataFrame:
    """SCORES rows: the solver's confidence in each row's gold answer (computed by `scorer`)."""
    if rows.is_empty():
        return pl.from_arrow(SCORES.empty_table())
    scored = scorer(solver, rows.select(SAMPLE_COLUMNS), frames, batch_size=batch_size, blind=blind)
    return scored.with_columns(
        pl.lit(round, pl.Int32).alias("round"), pl.lit(solver_name).alias("solver"), pl.lit(blind).alias("blind")
    ).select("qa_id", "round", "solver", "blind", "confidence", "correct", "prediction", "mra")


def eval_scores(solver: Solver, evalset: pl.DataFrame, frames: pl.DataFrame, params: Params) -> dict:
    """VSI-Bench metrics on the held-out set, sighted and (optionally) blind: with another
    scene's frames (eval_blind) and with blank frames (eval_blank); for a benchmark eval
    set tagged with VSI-Bench-Debiased's pruned ids, also the sighted scores of the kept subset."""
    samples = evalset.select(SAMPLE_COLUMNS)
    sighted = predictions(solver, samples, frames, batch_size=params.solver.score_batch_size)
    out = {"eval": vsibench_scores(sighted)}
    kept = debiased_qa_ids(evalset)
    if kept is not None:
        out["eval_debiased"] = vsibench_scores([p for p in sighted if p["qa_id"] in kept])
    if params.eval.blind:
        out["eval_blind"] = evaluate(solver, samples, frames, blind=True, batch_size=params.solver.score_batch_size)
        out["eval_blank"] = evaluate(solver, samples, blank_frames(frames), batch_size=params.solver.score_batch_size)
    return out


def blank_frames(frames: pl.DataFrame) -> pl.DataFrame:
    """`frames` with every image a uniform grey PNG of its own size: the no-frames blind control,
    which (unlike another scene's frames) leaves the solver nothing a room could share."""
    blanks: dict[tuple[int, int], bytes] = {}

    def blank(png: bytes) -> bytes:
        size = Image.open(io.BytesIO(png)).size
        if size not in blanks:
            blanks[size] = png_bytes(np.full((size[1], size[0], 3), 128, np.uint8))
        return blanks[size]

    return frames.with_columns(pl.col("image").map_elements(blank, return_dtype=pl.Binary))


def train_slice(solver: Solver, picked: pl.DataFrame, frames: pl.DataFrame, out: str | os.PathLike,
                params: TrainParams, *, resume: str | os.PathLike | None,
                log_dir: str | os.PathLike | None) -> tuple[dict, pl.DataFrame]:
    """Train `solver` on the slice by `params.method`: (metrics, rollouts), the rollouts being
    GRPO's sampled answers (ROLLOUT_COLUMNS) and empty for SFT."""
    samples = picked.select(SAMPLE_COLUMNS)
    if params.method == "grpo":
        from training import grpo  # TRL is imported by the rounds that use it

        return grpo.train(solver, samples, frames, out, params, resume=resume, log_dir=log_dir)
    metrics = train(solver, samples, frames, out, params, resume=resume, log_dir=log_dir)
    return metrics, pl.DataFrame(schema=ROLLOUT_SCHEMA)
