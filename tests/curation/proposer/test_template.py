import json
import re
from collections import Counter

import pytest

from curation.errors import ParamError
from curation.proposer import PROPOSAL_SCHEMA, TemplateProposer
from curation.tasks import BINS, TASKS, task_group
from store import ids


def test_uniform_without_feedback_over_task_groups_then_templates_and_bins(real_scenes):
    rows = TemplateProposer(seed=1).propose(real_scenes, 900)
    assert rows.schema == PROPOSAL_SCHEMA and rows.height == 900
    per_task = Counter(rows["task"])
    assert set(per_task) == {t for t, f in TASKS.items() if not f.needs_frames}  # no frames, no appearance order
    # 6 frame-free task groups of 150 rows each, whatever their number of templates: counting
    # (1 template) has 150, each of relative distance's 3 templates 50, each of relative
    # direction's 3 question types 50. (A slot whose draws all fail gives its row to a random
    # key, so allow a few strays.)
    per_group = Counter(task_group(t) for t in rows["task"])
    assert len(per_group) == 6 and all(144 <= n <= 156 for n in per_group.values()), per_group
    per_template = Counter(zip(rows["template"], rows["task"], strict=True))
    assert per_template[("count", "object_counting")] >= 144
    assert all(45 <= per_template[k] <= 55 for k in per_template if k[1].startswith("object_rel_")), per_template
    assert set(rows["difficulty_bin"]) == set(BINS)
    assert rows["qa_id"].n_unique() == rows.height
    row = rows.row(0, named=True)
    assert row["qa_id"] == ids.qa_id(row["scene_id"], row["task"], row["question"], row["options"], row["program"])


def test_same_seed_same_rows_and_another_seed_other_rows(real_scenes):
    a = TemplateProposer(seed=5).propose(real_scenes[:10], 120)
    b = TemplateProposer(seed=5).propose(real_scenes[:10], 120)
    c = TemplateProposer(seed=6).propose(real_scenes[:10], 120)
    assert a.equals(b)
    assert set(a["qa_id"]) != set(c["qa_id"])


def test_wording_follows_vsibench_and_names_use_spaces(real_scenes):
    rows = TemplateProposer(seed=2).propose(real_scenes, 400)
    for r in rows.iter_rows(named=True):
        assert "_" not in r["question"]
        if r["answer_type"] == "mca":
            letters = [o.split(". ", 1)[0] for o in r["options"]]
            assert letters == list("ABCD"[: len(letters)])
        else:
            assert r["options"] is None
        knobs = json.loads(r["difficulty"])
        assert knobs and r["difficulty_bin"] in BINS
        compile(r["program"], "<program>", "exec")
    rel = rows.filter(rows["template"] == "choices4").row(0, named=True)
    listed = re.search(r"\((.+)\)", rel["question"]).group(1)
    assert listed == ", ".join(o.split(". ", 1)[1] for o in rel["options"])  # question lists options in order


def test_appearance_order_only_with_frame_info(toy_scene):
    info = {"n_frames": 40, "first_frame": {"sofa": 0, "table": 5, "tv": 12, "lamp": 20, "bed": 33},
            "visible_fraction": {}}
    rows = TemplateProposer(seed=0).propose([toy_scene], 60, frame_info={toy_scene.scene_id: info})
    order = rows.filter(rows["task"] == "obj_appearance_order")
    assert order.height > 0
    assert all(len(o) == 4 and len(set(o)) == 4 for o in order["options"])


def test_correct_choice_position_is_uniform_over_option_letters(real_scenes):
    """Without executing: the i-th choice the family drew lands on each letter equally often."""
    rows = TemplateProposer(seed=9).propose(real_scenes, 1200)
    mca = rows.filter(rows["task"].str.starts_with("object_rel_direction_hard"))
    first_label = Counter([x.endswith("front-left") for x in o].index(True) for o in mca["options"].to_list())
    assert len(first_label) == 4 and min(first_label.values()) > 0.15 * mca.height


def test_bad_parameters_name_the_field(toy_scene):
    with pytest.raises(ParamError, match="proposer.distance_mode"):
        TemplateProposer(seed=0, distance_mode="euclid")
    with pytest.raises(ParamError, match="proposer.budget"):
        TemplateProposer(seed=0).propose([toy_scene], -1)
