from pathlib import Path

import pytest

from curation.errors import CorpusFormatError
from curation.gold import execute_proposals
from curation.proposer import CorpusProposer, load_corpus
from curation.proposer.corpus import category_literals, rebind
from tests.curation.builders import DATA

CORPUS = DATA / "vqagen" / "qa_code_generated_scannet.json"

DIRECTION = {
    "question_type": "object_rel_direction_v1", "id": 7,
    "question": "Standing at the table and facing the tv, in which direction is the trash bin?",
    "options": ["A. back-right", "B. back-left", "C. front-left", "D. front-right"],
    "code": 'def compute_answer():\n    for cat in ["table", "tv", "trash bin"]:\n'
            '        assert object_counts.get(cat, 0) == 1, f"{cat} must have exactly 1 instance"\n'
            '    return get_rel_direction_quadrant("table", "tv", "trash bin", object_bboxes)\n',
}
COUNT = {"question_type": "object_counting", "question": "How many trash bins are in this room?",
         "code": 'def compute_answer():\n    return object_counts.get("trash bin", 0)\n', "options": []}


def test_literals_are_the_categories_the_question_names():
    assert category_literals(DIRECTION) == ["table", "tv", "trash bin"]
    assert category_literals(COUNT) == ["trash bin"]


def test_rebind_rewrites_program_question_and_options_together_without_chaining():
    program, question, options = rebind(DIRECTION, {"table": "tv", "tv": "table", "trash bin": "side table"})
    assert 'get_rel_direction_quadrant("tv", "table", "side table", object_bboxes)' in program
    assert question == "Standing at the tv and facing the table, in which direction is the side table?"
    assert options == ["back-right", "back-left", "front-left", "front-right"]
    _, plural, _ = rebind(COUNT, {"trash bin": "chair"})
    assert plural == "How many chairs are in this room?"


def test_replays_real_corpus_programs_on_other_scenes_with_their_categories(real_scenes):
    if not CORPUS.is_file():
        pytest.skip(f"reference data absent: {CORPUS}")
    rows = CorpusProposer.from_file(CORPUS, seed=0).propose(real_scenes[:20], 200)
    assert rows.height == 200 and set(rows["proposer"]) == {"corpus"}
    assert "object_rel_direction_hard" in set(rows["task"])
    by_id = {s.scene_id: s for s in real_scenes}
    for r in rows.iter_rows(named=True):
        named = category_literals({"question": r["question"], "code": r["program"]})
        assert set(named) <= set(by_id[r["scene_id"]].object_counts), (r["question"], r["program"])
        compile(r["program"], "<program>", "exec")


def test_corpus_errors_name_the_file(tmp_path: Path):
    bad = tmp_path / "c.json"
    bad.write_text('{"a": 1}')
    with pytest.raises(CorpusFormatError, match="expected a JSON list"):
        load_corpus(bad)
    bad.write_text('[{"question": "q"}]')
    with pytest.raises(CorpusFormatError, match="record 0"):
        load_corpus(bad)


def test_rebound_programs_run_in_the_sandbox_and_count_what_the_target_scene_holds(real_scenes, executor):
    if not CORPUS.is_file():
        pytest.skip(f"reference data absent: {CORPUS}")
    proposals = CorpusProposer.from_file(CORPUS, seed=1).propose(real_scenes[:10], 80)
    rows = execute_proposals(proposals, real_scenes, executor)
    assert (rows["exec_status"] == "ok").mean() > 0.6
    by_id = {s.scene_id: s for s in real_scenes}
    counted = rows.filter((rows["task"] == "object_counting") & rows["answer"].is_not_null())
    assert counted.height > 0
    for r in counted.iter_rows(named=True):
        (category,) = category_literals({"question": r["question"], "code": r["program"]})
        assert r["answer"] == str(by_id[r["scene_id"]].object_counts.get(category, 0))
