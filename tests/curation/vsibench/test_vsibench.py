"""The VSI-Bench audit and eval-set builder on the real 175-question sample and on hand-built scenes."""

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from curation.errors import AnnotationFormatError
from curation.executor import api
from curation.tasks import TASKS, Draw
from curation.tasks.object_abs_distance import program as abs_distance_program
from curation.vsibench.annotations import ANNOTATION_SCHEMA, annotation_frame, load_annotations, load_pruned_ids
from curation.vsibench.audit import audit, disagreements, summary
from curation.vsibench.evalset import evalset_rows
from curation.vsibench.plan import metadata_name
from store.conform import conform
from store.schema import QA
from tests.conftest import shared_file
from tests.curation.builders import make_box, make_scene
from tests.curation.tasks.reference import sampled_distance
from tests.curation.tasks.runner import LITERAL

# Official questions whose "the X" is a category with object_counts 1 but two boxes in the
# metadata (the printers of scenes 0207_02, 0378_01, 0593_00): under the strict `unique`
# reading our programs refuse to name a single box, so they are not derivable; the
# `benchmark` reading (all boxes, the first for directions) derives them.
PRINTER_QUESTIONS = {3128, 3440, 3683, 4263, 4842}
# Agreeing questions per task on the sample (all derivable ones).
AGREE = {
    "object_abs_distance": 27, "object_counting": 18, "object_rel_direction_easy": 8,
    "object_rel_direction_hard": 10, "object_rel_direction_medium": 11, "object_rel_distance": 20,
    "object_size_estimation": 28, "room_size_estimation": 8,
}


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return load_annotations(shared_file("vsibench_qa", "sample_scannet.jsonl"))


@pytest.fixture(scope="module")
def scenes_by_name(real_scenes):
    return {s.name: s for s in real_scenes}


@pytest.fixture(scope="module")
def sample_audit(sample, scenes_by_name, executor) -> pl.DataFrame:
    return audit(sample, scenes_by_name, executor)


def hand_corrected_counts(sample: pl.DataFrame, scenes_by_name) -> set[int]:
    """Counting questions whose official count is not the metadata's object_counts (README)."""
    out = set()
    for row in sample.filter(pl.col("question_type") == "object_counting").iter_rows(named=True):
        category = row["question"].removeprefix("How many ").split("(s)")[0]
        if int(row["ground_truth"]) != scenes_by_name[row["scene_name"]].object_counts[category]:
            out.add(row["id"])
    return out


def test_every_sample_question_parses_and_all_derivable_ones_agree(sample, sample_audit, scenes_by_name):
    assert sample_audit.height == 175 and sample_audit.filter(pl.col("status") == "unparseable").height == 0
    # The only disagreements the README allows are hand-corrected counts; the sample holds none.
    assert hand_corrected_counts(sample, scenes_by_name) == set()
    assert set(disagreements(sample_audit)["id"]) == set()
    table = {r["task"]: r for r in summary(sample_audit).iter_rows(named=True)}
    assert {t: r["agree"] for t, r in table.items() if r["agree"]} == AGREE
    assert all(r["error"] == 0 and r["attempted"] == r["agree"] for r in table.values())
    agreed = sample_audit.filter(pl.col("status") == "agree")
    assert (agreed["ours"] == agreed["official"]).all()


def test_not_derivable_questions_are_the_video_tasks_and_the_printer_ones(sample_audit):
    skipped = sample_audit.filter(pl.col("status") == "not_derivable")
    video = skipped.filter(pl.col("task").is_in(["obj_appearance_order", "route_planning"]))
    assert video.height == 32 + 8 and video["program"].null_count() == video.height
    ambiguous = skipped.filter(pl.col("reason") == "program answers ambiguous")
    assert set(ambiguous["id"]) == PRINTER_QUESTIONS and skipped.height == 40 + len(PRINTER_QUESTIONS)
    assert all("object_counts['printer'] = 1 but 2 box(es)" in e for e in ambiguous["explanation"])


def _tampered(sample: pl.DataFrame, ids_to_new_truth: dict[int, str]) -> pl.DataFrame:
    rows = sample.filter(pl.col("id").is_in(list(ids_to_new_truth))).to_dicts()
    for row in rows:
        row["ground_truth"] = ids_to_new_truth[row["id"]]
    return annotation_frame(rows)


def test_disagreements_carry_both_answers_and_the_margin_that_explains_them(sample, scenes_by_name, executor):
    by_id = {r["id"]: r for r in sample.to_dicts()}
    counting = next(r for r in by_id.values() if r["question_type"] == "object_counting")
    direction = next(r for r in by_id.values() if r["question_type"] == "object_rel_direction_hard"
                     and r["id"] not in PRINTER_QUESTIONS)
    closest = next(r for r in by_id.values() if r["question_type"] == "object_rel_distance"
                   and r["id"] not in PRINTER_QUESTIONS)
    other = {o.split(".")[0] for o in direction["options"]} - {direction["ground_truth"]}
    wrong_closest = sorted({o.split(".")[0] for o in closest["options"]} - {closest["ground_truth"]})[0]
    tampered = {
        counting["id"]: str(int(counting["ground_truth"]) + 1),  # a hand-corrected count
        direction["id"]: sorted(other)[0],
        closest["id"]: wrong_closest,
    }
    audited = audit(_tampered(sample, tampered), scenes_by_name, executor)
    missed = {r["id"]: r for r in disagreements(audited).iter_rows(named=True)}
    assert set(missed) == set(tampered)
    count_row = missed[counting["id"]]
    assert count_row["ours"] == counting["ground_truth"] and count_row["margin"] == 1.0
    assert "object_counts[" in count_row["explanation"]
    dir_row = missed[direction["id"]]
    assert dir_row["ours"] == direction["ground_truth"] and "from a bin edge" in dir_row["explanation"]
    assert 0 <= dir_row["margin"] <= 45
    rel_row = missed[closest["id"]]
    assert rel_row["ours"] == closest["ground_truth"] and rel_row["official_text"] != rel_row["ours_text"]
    assert rel_row["margin"] > 0.15 and "vsibench distances to" in rel_row["explanation"]


# ---------------------------------------------------------------------------- distance modes


@pytest.fixture
def gap_scene():
    """Two axis-aligned boxes 0.22 m apart along x (y and z grids misaligned by 13 mm)."""
    sofa = make_box("sofa", (0.0, 0.0, 0.5), (1.0, 1.0, 1.0))
    table = make_box("table", (0.5 + 0.22 + 0.3, 0.013, 0.513), (0.6, 0.6, 0.6))
    return make_scene("gap", [sofa, table])


def test_distance_modes_on_hand_built_geometry(gap_scene):
    boxes = gap_scene.to_meta()["object_bbox"]
    exact = api.cal_3d_bbox_exact_distance_between_categories(boxes["sofa"], boxes["table"])
    sampled = api.cal_3d_bbox_distance_between_categories(boxes["sofa"], boxes["table"])
    assert exact == pytest.approx(0.22, abs=1e-12)
    assert sampled >= exact and sampled == pytest.approx(sampled_distance(boxes["sofa"], boxes["table"]), abs=1e-12)
    assert round(sampled, 1) == 0.3 and round(exact, 1) == 0.2  # the two modes label differently here


@pytest.mark.parametrize(("mode", "agreeing"), [("vsibench", "0.3"), ("exact", "0.2")])
def test_audit_runs_the_distance_mode_it_is_given(gap_scene, executor, mode, agreeing):
    question = ("Measuring from the closest point of each object, what is the distance between the sofa and "
                "the table (in meters)?")
    rows = [
        {"id": i, "dataset": "procedural", "scene_name": "gap", "question_type": "object_abs_distance",
         "question": question, "options": None, "ground_truth": truth}
        for i, truth in enumerate(("0.3", "0.2"))
    ]
    audited = audit(annotation_frame(rows), [gap_scene], executor, distance_mode=mode)
    assert audited.filter(pl.col("status") == "agree")["official"].to_list() == [agreeing]
    assert audited["program"][0] == abs_distance_program("sofa", "table", mode)


def test_draw_emits_the_program_that_program_for_builds(toy_scene):
    """One source of truth: what draw() emits is what the audit and the eval set build."""
    rng = np.random.default_rng(3)
    for task, roles_of in (
        ("object_abs_distance", lambda names: {"a": names[0], "b": names[1]}),
        ("object_counting", lambda names: {"object": names[0]}),
        ("object_size_estimation", lambda names: {"object": names[0]}),
        ("object_rel_direction_hard", lambda names: dict(zip(("standing", "facing", "query"), names[3:], strict=True))),
    ):
        family = TASKS[task]
        for _ in range(5):
            candidate = family.draw(Draw(toy_scene, task, family.templates[task][0], None, "exact"), rng)
            if candidate is None:
                continue
            names = [x for x in LITERAL.findall(candidate.program) if x != "ambiguous"]
            assert candidate.program == family.program_for(task, roles_of(names), "exact")


# ---------------------------------------------------------------------------- loading and names


def test_jsonl_json_and_parquet_load_the_same_frame(sample, tmp_path: Path):
    path = tmp_path / "sample.parquet"
    sample.write_parquet(path)
    assert load_annotations(path).equals(sample)
    array = tmp_path / "sample.json"
    array.write_text(json.dumps(sample.to_dicts()))
    assert load_annotations(array).equals(sample)
    assert dict(sample.schema) == ANNOTATION_SCHEMA and sample.height == 175


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1}', r"row 1: field 'dataset': missing"),
        ('{"id": 1, "dataset": "s", "scene_name": "x", "question_type": "t", "question": "q", '
         '"options": "A. chair", "ground_truth": "A"}', r"row 1: field 'options': expected a list"),
        ('{"id": "one", "dataset": "s", "scene_name": "x", "question_type": "t", "question": "q", '
         '"options": null, "ground_truth": "1"}', r"row 1: field 'id': expected an integer"),
        ("{not json", r"line 1: field '<json>'"),
    ],
)
def test_malformed_annotations_name_file_row_and_field(tmp_path: Path, line: str, message: str):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(AnnotationFormatError, match=message) as info:
        load_annotations(path)
    assert str(path) in str(info.value)


def test_missing_parquet_column_is_named(tmp_path: Path):
    path = tmp_path / "bad.parquet"
    pl.DataFrame({"id": [1], "question": ["q"]}).write_parquet(path)
    with pytest.raises(AnnotationFormatError, match="field 'dataset': missing column"):
        load_annotations(path)


def test_metadata_names_map_spaces_underscores_and_aliases():
    scene = make_scene("names", [make_box(c, (i, 0, 0), (0.5, 0.5, 0.5)) for i, c in
                                 enumerate(("trash_bin", "coat hanger", "computer mouse"))])
    assert metadata_name("trash bin", scene) == "trash_bin"
    assert metadata_name("computer_mouse", scene) == "computer mouse"
    assert metadata_name("coat rack", scene) == "coat hanger"
    assert metadata_name("sofa", scene) is None


def test_a_category_missing_from_the_scene_is_not_derivable(gap_scene, executor):
    row = {"id": 7, "dataset": "procedural", "scene_name": "gap", "question_type": "object_counting",
           "question": "How many lamp(s) are in this room?", "options": None, "ground_truth": "1"}
    audited = audit(annotation_frame([row, {**row, "id": 8, "scene_name": "elsewhere"}]), [gap_scene], executor)
    assert audited["status"].to_list() == ["not_derivable"] * 2
    assert audited["reason"].to_list() == ["category 'lamp' not in scene gap", "scene 'elsewhere' not in the metadata"]


# ---------------------------------------------------------------------------- eval set


def test_evalset_rows_conform_and_keep_the_official_answers(sample, scenes_by_name, sample_audit, executor):
    names = ["scene0645_00", "scene0328_00"]
    chosen = sample.filter(pl.col("scene_name").is_in(names))
    frames = {n: [f"{n}-f{i}" for i in range(3)] for n in names}
    rows = evalset_rows(chosen, scenes_by_name, frames, executor)
    conform("qa", rows.to_arrow(), QA)
    derivable = sample_audit.filter(pl.col("scene_name").is_in(names) & pl.col("status").is_in(["agree", "disagree"]))
    assert rows.height == derivable.height > 0
    official = dict(zip(chosen["question"], chosen["ground_truth"], strict=True))
    assert all(official[q] == a for q, a in zip(rows["question"], rows["answer"], strict=True))
    assert set(rows["split"]) == {"eval"} and set(rows["proposer"]) == {"vsibench"}
    assert not set(rows["task"]) & {"route_planning", "obj_appearance_order"}
    by_scene = {scenes_by_name[n].scene_id: frames[n] for n in names}
    assert all(by_scene[s] == f for s, f in zip(rows["scene_id"], rows["frame_ids"].to_list(), strict=True))
    with pytest.raises(KeyError, match="has no frames"):
        evalset_rows(chosen, scenes_by_name, {}, executor)


VIDEO_TASKS = ["obj_appearance_order", "route_planning"]


@pytest.fixture(scope="module")
def benchmark_audit(sample, scenes_by_name, executor) -> pl.DataFrame:
    return audit(sample, scenes_by_name, executor, reading="benchmark")


def test_the_benchmark_reading_derives_every_question_the_metadata_can_answer(sample_audit, benchmark_audit):
    derivable = benchmark_audit.filter(~pl.col("task").is_in(VIDEO_TASKS))
    assert derivable.height > 0 and set(derivable["status"]) == {"agree"}
    assert set(benchmark_audit.filter(pl.col("task").is_in(VIDEO_TASKS))["status"]) == {"not_derivable"}
    newly = benchmark_audit.filter(pl.col("id").is_in(list(PRINTER_QUESTIONS)))
    assert set(newly["status"]) == {"agree"} and set(newly["task"]) == {
        "object_rel_distance", "object_size_estimation", "object_rel_direction_hard",
        "object_rel_direction_medium", "object_abs_distance"}
    # questions with one box per referent get the same answer under both readings
    unique = sample_audit.filter(pl.col("status") == "agree").select("id", "ours")
    same = unique.join(benchmark_audit.select("id", pl.col("ours").alias("bench")), on="id")
    assert same.height == unique.height and (same["ours"] == same["bench"]).all()


def test_unique_reading_refuses_a_duplicate_box_referent_that_the_benchmark_reading_reads(executor):
    """Two printer boxes, object_counts 1: generated questions (unique) refuse, the benchmark reads them all."""
    printers = [make_box("printer", (0.0, 0.0, 0.3), (0.5, 0.4, 0.6), instance=0),
                make_box("printer", (3.0, 0.0, 0.3), (0.7, 0.4, 0.6), instance=1)]
    desk = make_box("desk", (1.8, 0.0, 0.4), (0.6, 0.6, 0.8))
    tv = make_box("tv", (0.0, 2.0, 1.0), (1.0, 0.1, 0.6))
    meta = make_scene("dup", [*printers, desk, tv], counts={"printer": 1, "desk": 1, "tv": 1}).to_meta()
    cases = [
        ("object_size_estimation", {"object": "printer"}, 70),  # longest edge over both boxes, cm
        ("object_abs_distance", {"a": "printer", "b": "desk"}, None),
        ("object_rel_direction_medium", {"standing": "printer", "facing": "tv", "query": "desk"}, "right"),
    ]
    jobs = [(TASKS[t].program_for(t, roles, "exact", reading), meta, None)
            for t, roles, _ in cases for reading in ("unique", "benchmark")]
    results = executor.map(jobs)
    for (task, _, expected), unique, benchmark in zip(cases, results[::2], results[1::2], strict=True):
        assert unique.status == "ok" and unique.value == "ambiguous", task
        assert benchmark.status == "ok" and benchmark.value != "ambiguous", task
        if expected is not None:
            assert benchmark.value == expected, task
    # the closest pair of boxes: printer 1's face at x = 2.65, the desk's at x = 1.5
    assert results[3].value == pytest.approx(round(2.65 - 2.1, 1))


def test_eval_rows_say_whether_the_debiased_subset_keeps_them(sample, scenes_by_name, executor):
    pruned = load_pruned_ids(shared_file("vsibench_qa", "pruned_ids.txt"))
    names = ["scene0593_00"]
    chosen = sample.filter(pl.col("scene_name").is_in(names))
    rows = evalset_rows(chosen, scenes_by_name, {n: ["f0"] for n in names}, executor, pruned_ids=pruned)
    tags = [json.loads(d) for d in rows["difficulty"]]
    assert {t["vsibench_id"] for t in tags} >= PRINTER_QUESTIONS & set(chosen["id"])  # kept under the benchmark reading
    assert all(t["debiased"] == (t["vsibench_id"] not in pruned) for t in tags)
    assert {t["debiased"] for t in tags} == {True, False}
