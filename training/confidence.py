"""Per-sample confidence of a solver: the difficulty signal the curation loop feeds back.

confidence = the geometric mean of the gold answer tokens' probabilities under teacher
forcing, exp(mean log p), over the answer's tokens *and* the closing `<|im_end|>` (the
tokens the SFT loss trains; without the end token "1" would score the prefix of "12").
The definition is the same for every answer type, so one threshold means one thing:

- multiple choice: one teacher-forced forward pass over prompt + gold letter + end; the
  probability is over the whole vocabulary (not renormalised over the options), so a
  solver that has not learned the answer format is not confident either. prediction =
  the most likely option letter at the answer position of the same pass.
- numeric: prediction = the greedy answer (at most NUMERIC_MAX_NEW_TOKENS tokens),
  scored by MRA against gold; correct when MRA >= NUMERIC_CORRECT_MRA. Frames and prompt
  are encoded once per batch: greedy decoding and the teacher-forced gold pass share one
  KV cache (`numeric_pass`), which halves the vision and prefill work against generate()
  plus a separate teacher-forced forward, and gives the same confidence as that forward.

Input contract (see training.batches): `samples` with qa_id, scene_id, task, question,
options, answer_type ("mca" | "numeric"), answer, frame_ids; `frames` with frame_id,
scene_id, index, image (PNG bytes). The result has one row per sample, in input order,
with the SCORES columns qa_id, confidence, correct, prediction, mra (round, solver and
blind are the caller's).
"""

import polars as pl
import torch

from plumbing.progress import progress_bar
from store.schema import SCORE_COLUMNS, SCORES, polars_schema
from training.batches import FrameStore, Item, encode, items_from_samples
from training.distributed import gather, my_share
from training.metrics import mca_match, mean_relative_accuracy, parse_number
from training.prompts import answer_target, option_letters
from training.solver import Solver

NUMERIC_MAX_NEW_TOKENS = 8  # "12.75" is five tokens (digits are single tokens) plus <|im_end|>
# A numeric answer is "correct" when it passes at least half of VSI-Bench's ten MRA
# thresholds, i.e. relative error <= 0.3.
NUMERIC_CORRECT_MRA = 0.5

SCORE_SCHEMA = polars_schema(SCORES, ("qa_id", *SCORE_COLUMNS))


def geometric_mean(token_logp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """[B] exp(mean log p) over the tokens where `mask` [B, L] is 1: the confidence, from the
    gold tokens' log-probs `token_logp` [B, L] (nats; entries off the mask are ignored). Every
    backend ends here, whether it computes the log-probs from logits (HF) or receives them
    from a server (training.backends.vllm), so one rule defines the number."""
    mask = mask.to(token_logp.dtype)
    return torch.exp((token_logp * mask).sum(-1) / mask.sum(-1))


def gold_confidence(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """[B] exp(mean log p) of the labelled tokens: `logits` [B, L, V] of a teacher-forced
    pass, `labels` [B, L] with -100 off the answer (position j predicts token j + 1)."""
    target = labels[:, 1:]
    logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    return geometric_mean(logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1), target != -100)


def _mca_rows(solver: Solver, store: FrameStore, items: list[Item], rows: list[dict]) -> list[dict]:
    batch = encode(solver, store, items, with_answers=True)
    # Left padding puts every answer at the end: logits are only needed from the position
    # before the longest answer on ([B, keep, V] instead of [B, L, V]: at 32 frames a real
    # vocabulary's full logits would take tens of GB).
    keep = int((batch["labels"] != -100).sum(-1).max()) + 1
    labels = batch.pop("labels")[:, -keep:]
    logits = solver.model(**batch, logits_to_keep=keep).logits
    confidence = gold_confidence(logits, labels)
    # the position before the first answer token predicts the letter
    answer_at = (labels != -100).int().argmax(-1) - 1
    at_answer = logits[torch.arange(len(items)), answer_at].float()
    out = []
    for row, last, p in zip(rows, at_answer, confidence, strict=True):
        letters = option_letters(row["options"])
        prediction = letters[int(last[[solver.token_id(letter) for letter in letters]].argmax())]
        out.append(mca_result(row, prediction, float(p)))
    return out


def mca_result(row: dict, prediction: str, confidence: float) -> dict:
    """The SCORE row of a multiple-choice sample: correct when the predicted letter is the gold one."""
    return {"qa_id": row["qa_id"], "confidence": confidence, "correct": mca_match(prediction, row["answer"]),
            "prediction": prediction, "mra": None}


def numeric_result(row: dict, answer: str, confidence: float) -> dict:
    """The SCORE row of a numeric sample: the greedy `answer` scored by MRA against gold."""
    mra = mean_relative_accuracy(parse_number(answer), float(row["answer"]))
    return {"qa_id": row["qa_id"], "confidence": confidence, "correct": mra >= NUMERIC_CORRECT_MRA,
            "prediction": answer, "mra": mra}


def _positions(mask: torch.Tensor, new: int, deltas: torch.Tensor) -> torch.Tensor:
    """Position ids [4, B, new] of `new` text tokens appended after `mask` [B, L]: row 0 the
    plain text position, rows 1-3 the M-RoPE (t, h, w) ones, which for text after the frames
    are the text position shifted by the prompt's `deltas` [B, 1] (as generate() does)."""
    start = mask.sum(-1, keepdim=True)  # real tokens so far; left padding takes no position
    text = start + torch.arange(new, device=mask.device)
    return torch.stack([text, text + deltas, text + deltas, text + deltas])


def numeric_pass(solver: Solver, store: FrameStore, items: list[Item]) -> tuple[torch.Tensor, list[str]]:
    """(confidence [B], greedy answers) with the frames and prompt encoded once: one prefill
    builds the KV cache, greedy decoding extends it, then it is cut back to the prompt and the
    gold answer is teacher-forced on top. confidence = exp(mean log p) of the gold tokens and
    the closing <|im_end|>."""
    batch = encode(solver, store, items, with_answers=False)
    mask = batch["attention_mask"]
    rope, deltas = solver.base_model.model.get_rope_index(
        batch["input_ids"], batch["mm_token_type_ids"], batch["image_grid_thw"], attention_mask=mask
    )
    text = (mask.cumsum(-1) - 1).clamp(min=0)
    out = solver.model(**batch, position_ids=torch.cat([text[None], rope]), use_cache=True, logits_to_keep=1)
    cache, first = out.cache, out.logits[:, -1].float()
    prompt_len = mask.shape[1]

    # greedy decoding; finished rows keep feeding tokens that are dropped afterwards
    tokens, step_mask, next_token = [], mask, first.argmax(-1)
    done = torch.zeros_like(next_token, dtype=torch.bool)
    for _ in range(NUMERIC_MAX_NEW_TOKENS):
        tokens.append(next_token)
        done |= next_token == solver.eos_id
        if bool(done.all()) or len(tokens) == NUMERIC_MAX_NEW_TOKENS:
            break
        logits = solver.model(
            input_ids=next_token[:, None],
            attention_mask=torch.cat([step_mask, torch.ones_like(step_mask[:, :1])], 1),
            position_ids=_positions(step_mask, 1, deltas),
            cache=cache,
            use_cache=True,
        ).logits[:, -1]
        step_mask = torch.cat([step_mask, torch.ones_like(step_mask[:, :1])], 1)
        next_token = logits.argmax(-1)
    answers = []
    for row in torch.stack(tokens, 1).tolist():
        row = row[: row.index(solver.eos_id)] if solver.eos_id in row else row
        answers.append(solver.tokenizer.decode(row, skip_special_tokens=True).strip())

    # teacher-force gold + <|im_end|> on the prompt's cache (right-padded: rows differ in length)
    cache.crop(-(cache.get_seq_length() - prompt_len))
    gold = [solver.tokenizer.encode(answer_target(item.answer), add_special_tokens=False) for item in items]
    width = max(len(g) for g in gold)
    gold_ids = torch.full((len(gold), width), solver.pad_id, dtype=torch.long, device=solver.device)
    gold_mask = torch.zeros_like(gold_ids)
    for i, g in enumerate(gold):
        gold_ids[i, : len(g)] = torch.tensor(g)
        gold_mask[i, : len(g)] = 1
    logits = solver.model(
        input_ids=gold_ids,
        attention_mask=torch.cat([mask, gold_mask], 1),
        position_ids=_positions(mask, width, deltas),
        cache=cache,
    ).logits.float()
    # the prompt's last position predicts gold[0]; gold position j predicts gold[j + 1]
    logp = torch.log_softmax(torch.cat([first[:, None], logits[:, :-1]], 1), dim=-1)
    return geometric_mean(logp.gather(-1, gold_ids.unsqueeze(-1)).squeeze(-1), gold_mask), answers


def _numeric_rows(solver: Solver, store: FrameStore, items: list[Item], rows: list[dict]) -> list[dict]:
    confidence, answers = numeric_pass(solver, store, items)
    return [numeric_result(row, answer, float(p)) for row, p, answer in zip(rows, confidence, answers, strict=True)]


def scoring_inputs(
    solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, *, batch_size: int, blind: bool
) -> tuple[FrameStore, list[Item], list[dict]]:
    """What every scoring backend starts from: the frame store, the samples as items (with
    another scene's frames when `blind`), and each sample's qa_id, options, answer type and gold."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    store = FrameStore(solver, frames)
    items = items_from_samples(samples, store, solver.config.max_frames, blind=blind)
    return store, items, samples.select("qa_id", "options", "answer_type", "answer").to_dicts()


def score(
    solver: Solver, samples: pl.DataFrame, frames: pl.DataFrame, *, batch_size: int = 16, blind: bool = False
) -> pl.DataFrame:
    """Confidence, correctness and prediction of every sample (module docstring); batched,
    without gradients; `blind` swaps each sample's frames for the next scene's. Inside a
    process group every rank must call it: each scores a share of the batches and every
    rank gets all rows, in input order."""
    store, items, rows = scoring_inputs(solver, samples, frames, batch_size=batch_size, blind=blind)
    results: dict[str, dict] = {}
    was_training = solver.model.training
    solver.model.eval()
    groups = [[i for i, r in enumerate(rows) if (r["answer_type"] == "mca") == is_mca] for is_mca in (True, False)]
    chunks = [
        (is_mca, g[s : s + batch_size])
        for is_mca, g in zip((True, False), groups, strict=True)
        for s in range(0, len(g), batch_size)
    ]
    # Several processes (training.distributed) split the work by whole batches, never by rows:
    # a row's floats depend on its batch (the padded width and the batch shape decide how the
    # matmuls are blocked and summed), so each row is scored in exactly the batch one process
    # would put it in, and every rank's rows equal one process's bit for bit.
    mine = my_share(chunks)
    with torch.inference_mode(), progress_bar() as bar:
        task = bar.add_task("scoring", total=sum(len(chunk) for _, chunk in mine))
        for is_mca, chunk in mine:
            scorer = _mca_rows if is_mca else _numeric_rows
            for result in scorer(solver, store, [items[i] for i in chunk], [rows[i] for i in chunk]):
                results[result["qa_id"]] = result
            bar.advance(task, len(chunk))
    solver.model.train(was_training)
    results = {r["qa_id"]: r for r in gather(list(results.values()))}
    return pl.DataFrame([results[r["qa_id"]] for r in rows], schema=SCORE_SCHEMA)
