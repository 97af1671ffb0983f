import io

import numpy as np
import pytest
from PIL import Image

from curation.scenes.frames import frame_rows, png_bytes, render_rows
from curation.scenes.procedural import generate_scene
from store.conform import conform
from store.errors import SchemaError
from store.schema import FRAMES


def test_render_rows_conform_to_the_frames_schema():
    scene = generate_scene(6)
    rows = render_rows(scene, n_frames=3, size=48)
    table = conform("frames", rows, FRAMES)
    assert table.num_rows == 3
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert {r["scene_id"] for r in rows} == {scene.scene_id}
    first = rows[0]
    assert (first["width"], first["height"], first["source"]) == (48, 48, "render")
    assert len(first["pose"]) == 16 and first["pose"][-4:] == [0, 0, 0, 1]
    assert first["intrinsics"][2:] == [24.0, 24.0] and "embedding" not in first
    image = np.asarray(Image.open(io.BytesIO(first["image"])))
    assert image.shape == (48, 48, 3)
    assert all(0 < v["fraction"] <= 1 for r in rows for v in r["visible_objects"])
    assert len({r["frame_id"] for r in rows}) == 3
    assert [r["frame_id"] for r in render_rows(scene, n_frames=3, size=48)] == [r["frame_id"] for r in rows]


def test_png_round_trips_and_rejects_non_images():
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png_bytes(rgb)))), rgb)
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(rgb.astype(float))


def test_video_rows_have_null_pose_and_mismatches_are_errors():
    images = [np.zeros((4, 6, 3), np.uint8), np.ones((4, 6, 3), np.uint8)]
    rows = frame_rows("s", images, source="video")
    assert conform("frames", rows, FRAMES).column("pose").null_count == 2
    with pytest.raises(ValueError, match="poses has 1 entries for 2 images"):
        frame_rows("s", images, source="render", poses=[np.eye(4)])
    bad = [{**rows[0], "index": "zero"}]
    with pytest.raises(SchemaError, match="index"):
        conform("frames", bad, FRAMES)
