"""CorpusProposer: replay the reference programs on other scenes.

The VQAGen corpus (../shared/data/vqagen/qa_code_generated_scannet.json) holds real
proposer-written programs for training scenes. A record is rebound to a target scene
by mapping each category literal — a string literal of the program that also names an
object in the question — one-to-one onto categories present there (single-instance
ones first, since most programs ask for "the X"). The program's string literals, the
question and the option texts are rewritten together; options are re-shuffled so
letters stay uniform. The gold still comes only from executing the rebound program.
With per-scene weights (curation.history.scene_weights) a record's target scene is drawn
by its weight for the record's task, as the template proposer draws scenes.
"""

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curation.errors import CorpusFormatError
from curation.history import HistoryKey, pick, scene_probabilities
from curation.params import require_int
from curation.proposer.base import ProposalRequest, Proposer, register
from curation.proposer.rows import proposal_frame, proposal_row
from curation.scenes.metadata import Scene
from curation.tasks import Candidate
from curation.tasks.base import shuffled, single_box_categories, spoken
from plumbing.options import lettered, option_text

# The corpus's question types -> VSI-Bench's (API.md: rel_direction v1/v2/v3 = hard/easy/medium).
TASK_OF = {
    "object_rel_direction_v1": "object_rel_direction_hard",
    "object_rel_direction_v2": "object_rel_direction_easy",
    "object_rel_direction_v3": "object_rel_direction_medium",
    "object_rel_distance_v1": "object_rel_distance",
    "object_rel_distance_v2": "object_rel_distance",
    "object_rel_distance_v3": "object_rel_distance",
}
STRING_LITERAL = re.compile(r"""(["'])([^"'\\\n]+)\1""")


def _mentions(name: str) -> re.Pattern[str]:
    """The category `name` as a word, with an optional plural ending (group 1)."""
    return re.compile(rf"\b{re.escape(spoken(name))}(s|es)?\b", re.IGNORECASE)


def category_literals(record: Mapping[str, Any]) -> list[str]:
    """String literals of the program that name an object in the question, in order of appearance."""
    question = spoken(record["question"])
    out: list[str] = []
    for _, lit in STRING_LITERAL.findall(record["code"]):
        if lit not in out and _mentions(lit).search(question):
            out.append(lit)
    return out


def _rewrite(text: str, mapping: Mapping[str, str], *, speak: bool) -> str:
    """Every mention of a mapped category replaced, plural endings kept.

    Longest names first and through placeholders, so "table" never rewrites inside a
    new "side table", and a swap a -> b, b -> a does not chain.
    """
    order = sorted(mapping, key=len, reverse=True)
    if speak:
        text = spoken(text)
    for k, old in enumerate(order):
        text = _mentions(old).sub(lambda m, k=k: f"\x00{k}\x00{m.group(1) or ''}", text)
    for k, old in enumerate(order):
        text = text.replace(f"\x00{k}\x00", spoken(mapping[old]) if speak else mapping[old])
    return text


def rebind(record: Mapping[str, Any], mapping: Mapping[str, str]) -> tuple[str, str, list[str]]:
    """(program, question, option texts) with every literal replaced by its target category.

    In the program, a literal equal to a category becomes the target's metadata name;
    other literals (assertion messages) have their mentions rewritten.
    """
    program = STRING_LITERAL.sub(
        lambda m: m.group(1) + (mapping.get(m.group(2)) or _rewrite(m.group(2), mapping, speak=False)) + m.group(1),
        record["code"],
    )
    question = _rewrite(record["question"], mapping, speak=True)
    return program, question, [_rewrite(option_text(o), mapping, speak=True) for o in record.get("options") or []]


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusFormatError(f"{path}: cannot read the corpus ({exc})") from exc
    if not isinstance(records, list):
        raise CorpusFormatError(f"{path}: expected a JSON list of QA records")
    for i, r in enumerate(records):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in ("question", "code", "question_type")):
            raise CorpusFormatError(f"{path}: record {i} needs string fields question, code, question_type")
    return records


@register("corpus")
class CorpusProposer(Proposer):
    def __init__(self, records: Sequence[Mapping[str, Any]], seed: int, *, attempts: int = 8):
        require_int("corpus_proposer", "attempts", attempts, 1)
        if not records:
            raise CorpusFormatError("the corpus has no records")
        self.records, self.seed, self.attempts = list(records), seed, attempts
        self.literals = [category_literals(r) for r in self.records]

    @classmethod
    def from_file(cls, path: str | Path, seed: int) -> "CorpusProposer":
        return cls(load_corpus(path), seed)

    @classmethod
    def from_params(cls, params, seed, chat):
        return cls.from_file(params.corpus, seed)

    def run(self, request: ProposalRequest) -> pl.DataFrame:
        return self.propose(request.scenes, request.budget, round=request.round, split=request.split,
                            scene_weights=request.scene_weights())

    def task_of(self, k: int) -> str:
        """Record k's VSI-Bench task."""
        qtype = self.records[k]["question_type"]
        return TASK_OF.get(qtype, qtype)

    def candidate(self, k: int, scene: Scene, rng: np.random.Generator) -> Candidate | None:
        """Record k rebound onto `scene`, or None when the scene has too few categories."""
        record, literals = self.records[k], self.literals[k]
        singles = sorted(single_box_categories(scene))
        present = sorted(c for c, n in scene.object_counts.items() if n >= 1)
        pool = singles if len(singles) >= len(literals) else present
        if len(pool) < len(literals):
            return None
        targets = [pool[i] for i in rng.choice(len(pool), len(literals), replace=False)]
        program, question, texts = rebind(record, dict(zip(literals, targets, strict=True)))
        options = lettered(shuffled(texts, rng)) if texts else None
        qtype = record["question_type"]
        return Candidate(
            task=self.task_of(k), template=f"corpus_{qtype}", question=question, options=options,
            answer_type="mca" if options else "numeric", program=program,
            difficulty={"corpus_id": record.get("id", k)}, difficulty_bin="na",
        )

    def propose(
        self, scenes: Sequence[Scene], budget: int, feedback: Any = None, *, round: int = 0, split: str = "train",
        scene_weights: Mapping[HistoryKey, float] | None = None,
    ) -> pl.DataFrame:
        """Up to `budget` rebound records on random scenes (per-task feedback is not used)."""
        require_int("corpus_proposer", "budget", budget, 0)
        rng = np.random.default_rng([self.seed, round])
        scene_ids = [s.scene_id for s in scenes]
        rows: dict[str, dict[str, Any]] = {}
        probabilities: dict[str, np.ndarray | None] = {}  # per task, computed on first use
        for _ in range(budget * self.attempts):
            if len(rows) >= budget:
                break
            k = int(rng.integers(len(self.records)))
            task = self.task_of(k)
            if task not in probabilities:
                probabilities[task] = scene_probabilities(scene_weights, scene_ids, task, "na")
            s = pick(rng, len(scenes), probabilities[task])
            candidate = self.candidate(k, scenes[s], rng)
            if candidate is not None:
                row = proposal_row(candidate, scene_ids[s], proposer="corpus", round=round, split=split)
                rows.setdefault(row["qa_id"], row)
        return proposal_frame(list(rows.values()))
