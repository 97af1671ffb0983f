import numpy as np
import pytest

from curation.errors import KnobError
from curation.scenes.categories import CATEGORIES
from curation.scenes.frames import render_rows
from curation.scenes.overview import OUTSIDE, overview, token_targets
from curation.scenes.procedural import generate_scene
from curation.scenes.render import category_colour
from tests.curation.builders import make_box, make_scene

WORLD = ["bed", "chair", "sofa", "table", "trash can"]


def test_the_overview_is_drawn_at_a_fixed_metric_scale():
    """Two rooms of different area: their floor pixels times the pixel area give the area."""
    for seed in (1, 2):
        scene = generate_scene(seed, n_objects=6, clutter=0.0, near_ties=0, categories=WORLD)
        rgb, instance = overview(scene, 128, 10.0 / 128)
        inside = (instance != OUTSIDE).sum() * (10.0 / 128) ** 2
        assert inside == pytest.approx(min(scene.room_size, 100.0), rel=0.05)
        assert (rgb[instance == OUTSIDE] == 0).all()


def test_each_box_is_drawn_in_its_category_colour_where_it_stands_and_hanging_boxes_are_left_out():
    table = make_box("table", (1.0, 1.0, 0.4), (1.2, 0.8, 0.8))
    light = make_box("ceiling light", (-1.0, -1.0, 2.8), (0.6, 0.6, 0.1))
    scene = make_scene("s", [table, light], room_size=16.0)
    rgb, instance = overview(scene, 64, 8.0 / 64)
    # the table's centre at (1, 1) m is 8 px right of and 8 px above the image centre (0, 0)
    assert instance[32 - 8, 32 + 8] == 0
    expected = (np.asarray(category_colour("table")) * 255 + 0.5).astype(np.uint8)
    assert (rgb[32 - 8, 32 + 8] == expected).all()
    assert (instance != 1).all()  # the ceiling light hangs above HANGING_Z


def test_token_targets_sum_to_the_scene_counts_and_area():
    scene = generate_scene(7, n_objects=7, duplicates=2, clutter=0.0, near_ties=0, categories=WORLD)
    rgb, instance = overview(scene, 128, 10.0 / 128)
    targets = token_targets(scene, instance, 10.0 / 128, 4, WORLD)
    assert targets.shape == (4, 4, 2 * len(WORLD) + 1)
    counts = dict(zip(WORLD, targets[..., len(WORLD) : 2 * len(WORLD)].sum((0, 1)), strict=True))
    assert {c: n for c, n in counts.items() if n} == scene.object_counts
    assert targets[..., -1].sum() * (10.0 / 4) ** 2 == pytest.approx(scene.room_size, rel=0.05)
    shares = targets[..., : len(WORLD)].sum(-1)
    assert (shares <= targets[..., -1] + 1e-6).all()  # objects stand inside the room
    with pytest.raises(ValueError, match="3 x 3"):
        token_targets(scene, instance, 10.0 / 128, 3, WORLD)


def test_world_knob_categories_restricts_the_rooms_and_is_checked():
    scene = generate_scene(3, n_objects=8, categories=["chair", "table"])
    assert set(scene.object_counts) <= {"chair", "table"}
    with pytest.raises(KnobError, match="categories"):
        generate_scene(3, categories=["unicorn"])
    with pytest.raises(KnobError, match="stands on its own"):
        generate_scene(3, categories=[c for c, s in CATEGORIES.items() if s.placement == "on"][:2])


def test_render_rows_appends_the_overview_after_the_walk():
    scene = generate_scene(4, n_objects=5, near_ties=0, categories=WORLD)
    rows = render_rows(scene, n_frames=2, size=32, overview_m=10.0, overview_size=64)
    assert [r["source"] for r in rows] == ["render", "render", "overview"]
    plan = rows[-1]
    assert (plan["index"], plan["width"], plan["pose"], plan["visible_objects"]) == (2, 64, None, [])
    assert len({r["frame_id"] for r in rows}) == 3
