"""Outlines and the plan against an independent oracle: the renderer's own instance mask."""

import numpy as np

from curation.scenes.camera import walkthrough
from curation.scenes.procedural import generate_scene
from curation.scenes.render import render_path
from ouroboros.app.geometry import box_corners, frame_outline, named_categories, plan


def test_each_outline_covers_every_pixel_the_renderer_drew_for_that_box():
    scene = generate_scene(6)
    row = scene.to_row()
    path = walkthrough(scene, 4, width=64, height=48)
    checked = 0
    for pose, rendered in zip(path.poses, render_path(scene, path), strict=True):
        for j, obj in enumerate(row["objects"]):
            rows, cols = np.nonzero(rendered.instance == j)
            if not len(rows):
                continue
            rect = frame_outline(obj, list(pose.reshape(16)), path.intrinsics.as_list(), 64, 48)
            assert rect is not None, obj["category"]
            # pixel (c, r) spans [c, c + 1) x [r, r + 1); a pixel centre inside the box is inside its outline
            assert rect.x <= cols.min() + 0.5 and cols.max() + 0.5 <= rect.x + rect.w + 1e-6
            assert rect.y <= rows.min() + 0.5 and rows.max() + 0.5 <= rect.y + rect.h + 1e-6
            checked += 1
    assert checked >= 4


def test_box_corners_span_the_stored_min_and_max():
    for obj in generate_scene(3).to_row()["objects"]:
        corners = box_corners(obj)
        np.testing.assert_allclose(corners.min(axis=0), obj["min"], atol=1e-6)
        np.testing.assert_allclose(corners.max(axis=0), obj["max"], atol=1e-6)


def test_named_categories_are_whole_words_of_the_question():
    assert named_categories("How many table(s) are in this room?", ["table", "tv", "chair"]) == {"table"}
    assert named_categories("Is the TV closer to the chair?", ["table", "tv", "chair"]) == {"tv", "chair"}
    assert named_categories("Where is the stable?", ["table"]) == set()


def test_plan_puts_every_box_inside_the_room_north_up():
    row = generate_scene(3).to_row()
    drawn = plan(row, {"chair"})
    assert len(drawn.rects) == len(row["objects"])
    for rect, obj in zip(drawn.rects, row["objects"], strict=True):
        assert -1e-6 <= rect.x and rect.x + rect.w <= drawn.width + 1e-6
        assert -1e-6 <= rect.y and rect.y + rect.h <= drawn.height + 1e-6
        assert rect.named == (obj["category"] == "chair")
    north = max(row["objects"], key=lambda o: o["max"][1])
    assert min(r.y for r in drawn.rects) == drawn.rects[row["objects"].index(north)].y
