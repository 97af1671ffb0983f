"""Per-sample confidence of a solver: the difficulty signal the curation loop feeds back.

- multiple choice: one forward pass; the distribution at the answer position restricted
  to the sample's option-letter tokens and renormalised (softmax over those logits);
  confidence = p(gold letter), prediction = the most likely letter.
- numeric: confidence = exp(mean log p) of the gold answer tokens *and* the closing
  `<|im_end|>` under teacher forcing (the length-normalised probability of exactly that
  answer: without the end token "1" would score the prefix of "12"); prediction = the
  greedy answer (at most NUMERIC_MAX_NEW_TOKENS tokens), scored by MRA against gold;
  correct when MRA >= NUMERIC_CORRECT_MRA.

Input contract (see training.batches): `samples` with qa_id, scene_id, task, question,
options, answer_type ("mca" | "numeric"), answer, frame_ids; `frames` with frame_id,
scene_id, index, image (PNG bytes). The result has one row per sample, in input order,
with the SCORES columns qa_id, confidence, correct, prediction, mra (round, solver and
blind are the caller's).
"""

import polars as pl
import torch

from training.batches import FrameStore, Item, encode, items_from_samples
from training.metrics import mca_match, mean_relative_accuracy, parse_number
from training.progress import progress_bar
from training.prompts import option_letters
from training.solver import Solver

NUMERIC_MAX_NEW_TOKENS = 8  # "12.75" is five tokens (digits are single tokens) plus <|im_end|>
# A numeric answer is "correct" when it passes at least half of VSI-Bench's ten MRA
# thresholds, i.e. relative error <= 0.3.
NUMERIC_CORRECT_MRA = 0.5

SCORE_SCHEMA = {
    "qa_id": pl.String,
    "confidence": pl.Float64,
    "correct": pl.Boolean,
    "prediction": pl.String,
    "mra": pl.Float64,
}


def _mca_rows(solver: Solver, store: FrameStore, items: list[Item], rows: list[dict]) -> list[dict]:
    # Only the answer position's logits are needed: skip the LM head everywhere else.
    logits = solver.model(**encode(solver, store, items, with_answers=False), logits_to_keep=1).logits[:, -1].float()
    out = []
    for row, last in zip(rows, logits, strict=True):
        letters = option_letters(row["options"])
        probs = torch.softmax(last[[solver.token_id(letter) for letter in letters]], dim=0)
        gold = letters.index(row["answer"])  # checked by items_from_samples
        prediction = letters[int(probs.argmax())]
        out.append(
            {
                "qa_id": row["qa_id"],
                "confidence": float(probs[gold]),
                "correct": mca_match(prediction, row["answer"]),
                "prediction": prediction,
                "mra": None,
            }
        )
    return out


def gold_probability(solver: Solver, store: FrameStore, items: list[Item]) -> torch.Tensor:
    """exp(mean log p) of each item's answer tokens + <|im_end|> under teacher forcing: [len(items)]."""
    batch = encode(solver, store, items, with_answers=True)
    # Left padding puts every answer at the right end, so the last `keep` positions hold all
    # predictions of answer tokens (the position before each answer token predicts it).
    keep = int((batch["labels"] != -100).sum(-1).max()) + 1
    labels = batch.pop("labels")[:, -keep + 1 :]
    logp = torch.log_softmax(solver.model(**batch, logits_to_keep=keep).logits[:, :-1].float(), dim=-1)
    mask = labels != -100
    token_logp = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
    return torch.exp(token_logp.sum(-1) / mask.sum(-1))


def greedy_answers(solver: Solver, store: FrameStore, items: list[Item]) -> list[str]:
    """The solver's greedy answer text for each item (special tokens dropped)."""
    batch = encode(solver, store, items, with_answers=False)
    out = solver.model.generate(
        **batch,
        max_new_tokens=NUMERIC_MAX_NEW_TOKENS,
        do_sample=False,
        eos_token_id=solver.eos_id,
        pad_token_id=solver.pad_id,
    )
    new = out[:, batch["input_ids"].shape[1] :]
    return [solver.tokenizer.decode(row, skip_special_tokens=True).strip() for row in new]


def _numeric_rows(solver: Solver, store: FrameStore, items: list[Item], rows: list[dict]) -> list[dict]:
    confidence = gold_probability(solver, store, items)
    out = []
    for row, p, answer in zip(rows, confidence, greedy_answers(solver, store, items), strict=True):
        mra = mean_relative_accuracy(parse_number(answer), float(row["answer"]))
        out.append(
            {
                "qa_id": row["qa_id"],
                "confidence": float(p),
                "correct": mra >= NUMERIC_CORRECT_MRA,
                "prediction": answer,
                "mra": mra,
            }
        )
    return out


def score(
    solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, *, batch_size: int = 16, blind: bool = False
) -> pl.DataFrame:
    """Confidence, correctness and prediction of every sample (module docstring); batched,
    without gradients; `blind` swaps each sample's frames for the next scene's."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    store = FrameStore(solver, frames)
    items = items_from_samples(samples, store, solver.config.max_frames, blind=blind)
    rows = samples.select("qa_id", "options", "answer_type", "answer").to_dicts()
    results: dict[str, dict] = {}
    was_training = solver.model.training
    solver.model.eval()
    groups = [[i for i, r in enumerate(rows) if (r["answer_type"] == "mca") == is_mca] for is_mca in (True, False)]
    chunks = [
        (is_mca, g[s : s + batch_size])
        for is_mca, g in zip((True, False), groups, strict=True)
        for s in range(0, len(g), batch_size)
    ]
    with torch.inference_mode(), progress_bar() as bar:
        task = bar.add_task("scoring", total=len(rows))
        for is_mca, chunk in chunks:
            scorer = _mca_rows if is_mca else _numeric_rows
            for result in scorer(solver, store, [items[i] for i in chunk], [rows[i] for i in chunk]):
                results[result["qa_id"]] = result
            bar.advance(task, len(chunk))
    solver.model.train(was_training)
    return pl.DataFrame([results[r["qa_id"]] for r in rows], schema=SCORE_SCHEMA)
