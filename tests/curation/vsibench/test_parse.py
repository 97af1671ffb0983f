import json

import pytest

from curation.vsibench.parse import TEMPLATES, UnparseableQuestion, parse_question
from tests.conftest import shared_file


def sample_rows():
    path = shared_file("vsibench_qa", "sample_scannet.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_sample_question_parses_and_covers_all_ten_types():
    rows = sample_rows()
    parsed = [parse_question(r["question_type"], r["question"], r["options"]) for r in rows]
    assert {p.task for p in parsed} == set(TEMPLATES) and len(TEMPLATES) == 10
    for row, p in zip(rows, parsed, strict=True):
        if row["options"]:
            assert len(p.options) == len(row["options"])
        for name in p.categories.values():
            for category in [name] if isinstance(name, str) else name:
                assert category and category == category.strip() and not category.startswith("the ")


@pytest.mark.parametrize(
    ("task", "question", "options", "expected"),
    [
        ("object_counting", "How many trash bin(s) are in this room?", None, {"object": "trash bin"}),
        ("object_abs_distance", "Measuring from the closest point of each object, what is the distance between "
         "the washing machine and the refrigerator (in meters)?", None, {"a": "washing machine", "b": "refrigerator"}),
        ("object_rel_direction_easy", "If I am standing by the window and facing the door, is the tv to the left "
         "or the right of the door?", ["A. right", "B. left"], {"standing": "window", "facing": "door", "query": "tv"}),
        ("object_rel_distance", "Measuring from the closest point of each object, which of these objects "
         "(coat rack, table) is the closest to the door?", ["A. coat rack", "B. table"],
         {"target": "door", "choices": ("coat hanger", "table")}),
        ("obj_appearance_order", "What will be the first-time appearance order of the following categories in the "
         "video: window, door, table?", ["A. door, table, window"], {"order": ("window", "door", "table")}),
    ],
)
def test_roles_are_extracted_in_metadata_spelling(task, question, options, expected):
    assert parse_question(task, question, options).categories == expected


def test_unparseable_questions_say_why():
    with pytest.raises(UnparseableQuestion, match="does not follow the template"):
        parse_question("object_counting", "Count the chairs.", None)
    with pytest.raises(UnparseableQuestion, match="unknown question_type 'object_colour'"):
        parse_question("object_colour", "What colour?", None)
