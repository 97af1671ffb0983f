"""LLMProposer: a frozen model writes questions and programs through an OpenAI-compatible API.

One request per question (curation.chat does the HTTP). A request carries everything the
method gives its proposer: the program API (curation.executor.doc, generated from the
sandbox itself), the scene's metadata description, the scene's frames as PNG data URIs,
the task to write, the per-task feedback, and the scene's difficulty history (its earlier
questions with gold answers, bands and successes, curation.history) with the instruction
to move toward the frontier. Scenes are drawn by their history weights for the task, as
the template proposer draws them. Replies are parsed by llm_reply; malformed ones are
counted and dropped. Options are re-lettered with a seeded shuffle, as every proposer does.
Rows record the model and PROMPT_VERSION.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from curation.bands import BandParams
from curation.chat import ChatClient, ChatStats, user_message
from curation.executor.doc import api_doc
from curation.feedback import Feedback, apportion
from curation.history import HistoryItem, SceneHistory, pick, scene_probabilities, scene_weights
from curation.params import require_int
from curation.proposer.base import ProposalRequest, Proposer, register
from curation.proposer.describe import describe_scene
from curation.proposer.llm_reply import MalformedReply, parse_reply
from curation.proposer.rows import proposal_frame, proposal_row
from curation.scenes.metadata import Scene
from curation.tasks import TASKS, Candidate
from curation.tasks.base import shuffled
from plumbing.options import lettered

# Rows record it, so a changed prompt is a new round's content: bump it with SYSTEM or request_text.
PROMPT_VERSION = "propose-v3"  # v3: the history shows the success its bands were drawn on

SYSTEM = (
    "You write spatial questions about a 3D indoor scene, in the style of VSI-Bench, together with a "
    "Python program whose return value is the answer. The program defines compute_answer() with no "
    "arguments and reads the scene only through the names of the API below. Reply with exactly two "
    "fenced blocks: a ```json block {\"question\": str, \"answer_type\": \"mca\" or \"numeric\", "
    "\"options\": [str, ...] or null} and a ```python block with compute_answer(). For mca the program "
    "returns the text of the correct option; for numeric it returns a number."
)
FRONTIER = (
    "Aim at the solver's frontier: a question it is unsure of. Write fewer questions like its easy ones "
    "(it already knows them) and its hard ones (it is lost on them), more like its frontier ones, and "
    "never repeat an earlier question."
)


def feedback_text(task: str, feedback: Feedback | None) -> str:
    if feedback is None:
        return ""
    weights = ", ".join(f"{t}: {w:.2f}" for t, w in feedback.task_weights().items())
    lines = [f"Solver feedback (weight = how much we need this task): {weights}"]
    examples = feedback.examples.get(task, {})
    if examples.get("failed"):
        lines.append("Questions of this task the solver FAILED (write more like these):")
        lines += [f"- {q}" for q in examples["failed"]]
    if examples.get("trivial"):
        lines.append("Questions the solver found TRIVIAL (avoid these):")
        lines += [f"- {q}" for q in examples["trivial"]]
    return "\n".join(lines)


def history_text(items: Sequence[HistoryItem], bands: BandParams) -> str:
    """A scene's earlier questions, one line each: band, success, question, gold answer. The
    prompt says what the success is under `bands.signal`, since that is what the band was drawn on."""
    if not items:
        return ""
    numbers = ("the accuracy of its answer (VSI-Bench's MRA)" if bands.signal == "success"
               else "its confidence in the gold answer")
    head = (f"Earlier questions about this scene and how the solver did (s = its success, 0 to 1: for a "
            f"choice, its confidence in the gold option above chance; for a number, {numbers}; "
            f"easy: s > {bands.easy}, hard: s < {bands.hard}, frontier: in between):")
    return "\n".join([head, *(f"- [{i.band}, s={i.success:.2f}] {i.question} -> {i.answer}" for i in items)])


@register("llm")
class LLMProposer(Proposer):
    def __init__(self, client: ChatClient, *, seed: int = 0, history_cap: int = 8):
        require_int("proposer", "history", history_cap, 0)
        self.client, self.seed, self.history_cap = client, seed, history_cap
        self.api_doc = api_doc()

    @classmethod
    def from_params(cls, params, seed, chat):
        return cls(chat, seed=seed, history_cap=params.history)

    def run(self, request: ProposalRequest) -> pl.DataFrame:
        return self.propose(request.scenes, request.budget, request.feedback, images=request.images,
                            history=request.history, bands=request.bands, round=request.round, split=request.split)

    def summary(self) -> str:
        return self.stats.summary()

    @property
    def stats(self) -> ChatStats:
        return self.client.stats

    def request_text(
        self, scene: Scene, task: str, feedback: Feedback | None, history: Sequence[HistoryItem] = (),
        bands: BandParams = BandParams(),
    ) -> str:
        parts = (
            f"Program API:\n{self.api_doc}",
            f"Scene:\n{describe_scene(scene)}",
            f"Write one question of the VSI-Bench task `{task}` about this scene.",
            feedback_text(task, feedback),
            history_text(history[: self.history_cap], bands),
            FRONTIER,
        )
        return "\n\n".join(p for p in parts if p)

    def messages(
        self, scene: Scene, task: str, feedback: Feedback | None, history: Sequence[HistoryItem] = (),
        images: Sequence[bytes] = (), bands: BandParams = BandParams(),
    ) -> list[dict]:
        return [{"role": "system", "content": SYSTEM},
                user_message(self.request_text(scene, task, feedback, history, bands), images)]

    def propose(
        self, scenes: Sequence[Scene], budget: int, feedback: Feedback | None = None, *,
        images: Mapping[str, Sequence[bytes]] | None = None, history: SceneHistory | None = None,
        bands: BandParams = BandParams(), tasks: Sequence[str] | None = None, round: int = 0, split: str = "train",
    ) -> pl.DataFrame:
        """Up to `budget` rows (one request each); `images` maps scene_id -> PNG frames to attach;
        `history` was banded by `bands`, which the prompt describes.

        Tasks follow the feedback's per-task weights (uniform without feedback); scenes
        their history weights. Counts of ok / malformed / failed replies are in `self.stats`
        afterwards. Raises curation.errors.ServerUnreachableError if the server answers nothing.
        """
        require_int("proposer", "budget", budget, 0)
        images, history = images or {}, history or {}
        tasks = list(tasks or [t for t, f in TASKS.items() if not f.needs_frames])
        known = feedback.task_weights() if feedback else {}
        per_task = apportion({t: known.get(t, 1.0) for t in tasks}, budget)
        weights = scene_weights(history)
        rng = np.random.default_rng([self.seed, round])
        scene_ids = [s.scene_id for s in scenes]
        jobs = []
        for task in tasks:
            probabilities = scene_probabilities(weights, scene_ids, task, "na")
            jobs += [(task, pick(rng, len(scenes), probabilities)) for _ in range(per_task[task])]
        conversations = [
            (self.messages(scenes[k], task, feedback, history.get(scene_ids[k], ()), images.get(scene_ids[k], ()),
                           bands), self.seed + i)
            for i, (task, k) in enumerate(jobs)
        ]
        replies = self.client.complete_many(conversations)
        rows = [self._row(i, text, task, scene_ids[k], round, split)
                for i, (text, (task, k)) in enumerate(zip(replies, jobs, strict=True))]
        unique = {r["qa_id"]: r for r in rows if r is not None}
        return proposal_frame(list(unique.values()))

    def _row(self, i: int, text: str | None, task: str, scene_id: str, round: int, split: str) -> dict | None:
        if text is None:
            return None
        try:
            parsed = parse_reply(text)
        except MalformedReply as exc:
            self.stats.count("malformed", str(exc))
            return None
        self.stats.count("ok")
        options = None
        if parsed.option_texts is not None:
            options = lettered(shuffled(list(parsed.option_texts), np.random.default_rng([self.seed, round, i])))
        candidate = Candidate(
            task=task, template="llm", question=parsed.question, options=options, answer_type=parsed.answer_type,
            program=parsed.program, difficulty={}, difficulty_bin="na",
        )
        return proposal_row(candidate, scene_id, proposer="llm", round=round, split=split, model=self.client.model,
                            prompt_version=PROMPT_VERSION)
