import math

import numpy as np
import polars as pl

from curation.filters import FilterContext, apply_recipe
from curation.gold import execute_proposals, gold_answer
from curation.proposer import TemplateProposer
from curation.proposer.rows import proposal_frame
from store.conform import conform
from store.schema import QA
from tests.curation.builders import qa_frame, scores_frame


def test_gold_answer_maps_values_to_letters_and_number_strings():
    options = ["A. trash bin", "B. chair", "C. table"]
    assert gold_answer("trash_bin", "mca", options) == "A"
    assert gold_answer("Chair", "mca", options) == "B"
    assert gold_answer("sofa", "mca", options) is None
    assert gold_answer("ambiguous", "mca", options + ["D. ambiguous"]) is None
    assert gold_answer(62, "numeric", None) == "62"
    assert gold_answer(1.0, "numeric", None) == "1.0"
    assert gold_answer(np.float64(2.5), "numeric", None) == "2.5"
    assert gold_answer(math.nan, "numeric", None) is None
    assert gold_answer(True, "numeric", None) is None
    assert gold_answer("3", "numeric", None) is None


def test_errors_are_recorded_not_raised(toy_scene, executor):
    base = qa_frame([{}]).select(proposal_frame([]).columns)
    rows = pl.concat([
        base.with_columns(pl.lit("def compute_answer():\n    return 1 / 0\n").alias("program")),
        base.with_columns(pl.lit("import os\ndef compute_answer():\n    return 1\n").alias("program")),
        base.with_columns(pl.lit("def compute_answer():\n    return object_counts['chair']\n").alias("program")),
    ]).with_columns(pl.lit(toy_scene.scene_id).alias("scene_id"))
    out = execute_proposals(rows, [toy_scene], executor)
    assert out["exec_status"].to_list() == ["error", "rejected", "ok"]
    assert out["answer"].to_list() == [None, None, "2"]
    assert "ZeroDivisionError" in out["exec_error"][0]


def test_propose_execute_filter_conforms_to_the_qa_schema(toy_scene, real_scenes, executor):
    scenes = [toy_scene, *real_scenes[:6]]
    info = {toy_scene.scene_id: {"n_frames": 30, "first_frame": {"sofa": 2, "tv": 9, "lamp": 15, "bed": 25},
                                 "visible_fraction": {}}}
    proposals = TemplateProposer(seed=4).propose(scenes, 60, frame_info=info)
    rows = execute_proposals(proposals, scenes, executor, frame_info=info)
    scores = scores_frame([{"qa_id": q, "confidence": 0.95} for q in rows["qa_id"].head(5)])
    ctx = FilterContext(scenes={s.scene_id: s for s in scenes}, frame_info=info, executor=executor, scores=scores)
    recipe = [{"invalid": {}}, {"near_tie": {}}, {"perturbation": {"k": 4}}, {"dedupe": {}}, {"trivial": {}},
              {"cartography": {}}]  # every score-free operator, and two that read the scores
    out = apply_recipe(rows, recipe, ctx)
    table = conform("qa", out, QA)
    assert table.num_rows == 60
    assert all(len(f) == len(recipe) for f in out["flags"].to_list())
    assert out["answer"].null_count() < 30
    assert set(out["drop_reason"].drop_nulls()) <= {"invalid", "near_tie", "perturbation", "duplicate", "trivial"}
    assert (out.filter(pl.col("answer").is_null())["drop_reason"] == "invalid").all()
