import numpy as np
import pytest

from curation.scenes.camera import look_pose, pinhole, walkthrough
from curation.scenes.metadata import Box, Scene
from curation.scenes.procedural import generate_scene
from curation.scenes.render import category_colour, render_frame, render_path


def _box(category: str, centre, lengths, yaw: float = 0.0, instance: int = 0) -> Box:
    c, s = np.cos(yaw), np.sin(yaw)
    R = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1.0]])
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)])
    corners = np.asarray(centre) + (signs * np.asarray(lengths) / 2) @ R
    return Box(category, instance, tuple(centre), tuple(lengths), tuple(R.ravel()),
               tuple(corners.min(0)), tuple(corners.max(0)))


def _room(*boxes: Box) -> Scene:
    """A 10 m x 10 m x 3 m procedural room holding `boxes`."""
    counts: dict[str, int] = {}
    for b in boxes:
        counts[b.category] = counts.get(b.category, 0) + 1
    return Scene("test", "procedural", 100.0, (5.0, 5.0, 1.5), counts, tuple(boxes))


# A camera at (1, 5, 1.5) looking along +x, level: image right = world -y, image down = world -z.
POSE = look_pose(np.array([1.0, 5.0, 1.5]), yaw=0.0, pitch=0.0)
K = pinhole(128, 96, hfov_deg=60)


def _project(point) -> tuple[float, float]:
    cam = POSE[:3, :3].T @ (np.asarray(point) - POSE[:3, 3])
    return K.fx * cam[0] / cam[2] + K.cx, K.fy * cam[1] / cam[2] + K.cy


def test_box_lands_where_the_pinhole_projection_says():
    box = _box("chair", (4.0, 5.6, 1.2), (0.4, 0.4, 0.4))
    out = render_frame(_room(box), POSE, K)
    rows, cols = np.nonzero(out.instance == 0)
    # A convex box's silhouette spans exactly the projections of its corners.
    uv = np.array([_project(c) for c in np.asarray(box.centroid) + np.array(
        [[i, j, k] for i in (-0.2, 0.2) for j in (-0.2, 0.2) for k in (-0.2, 0.2)])])
    assert cols.min() == pytest.approx(uv[:, 0].min(), abs=1.0)
    assert cols.max() + 1 == pytest.approx(uv[:, 0].max(), abs=1.0)
    assert rows.min() == pytest.approx(uv[:, 1].min(), abs=1.0)
    assert rows.max() + 1 == pytest.approx(uv[:, 1].max(), abs=1.0)
    assert cols.mean() < K.cx  # world +y is image left
    u, v = _project((3.8, 5.6, 1.2))
    assert out.depth[int(v), int(u)] == pytest.approx(2.8, abs=1e-4)  # front face is 2.8 m ahead


def test_shapes_types_and_room_depth():
    out = render_frame(_room(), POSE, K)
    assert out.rgb.shape == (96, 128, 3) and out.rgb.dtype == np.uint8
    assert out.depth.shape == (96, 128) and out.depth.dtype == np.float32
    assert out.instance.dtype == np.int32 and np.all(out.instance == -1)
    u, v = _project((10.0, 5.0, 1.5))
    assert out.depth[int(v), int(u)] == pytest.approx(9.0, abs=1e-4)  # the far wall at x = 10
    # Looking straight ahead, the bottom rows see the floor: depth = 1.5 / tan(angle below the axis).
    row = 95
    below = (row + 0.5 - K.cy) / K.fy
    assert out.depth[row, int(K.cx)] == pytest.approx(1.5 / below, rel=1e-4)


def test_near_box_hides_far_box():
    far = _box("table", (6.0, 5.0, 1.5), (0.5, 1.0, 1.0), instance=0)
    near = _box("chair", (3.0, 5.0, 1.5), (0.3, 0.3, 0.3), instance=0)
    scene = _room(far, near)
    out = render_frame(scene, POSE, K)
    u, v = _project((3.0, 5.0, 1.5))
    assert out.instance[int(v), int(u)] == 1  # the chair in front
    assert (out.instance == 0).sum() > 0  # the table still shows round it
    alone = render_frame(_room(far), POSE, K)
    assert (alone.instance == 0).sum() > (out.instance == 0).sum()
    assert out.depth[int(v), int(u)] == pytest.approx(1.85, abs=1e-4)


def test_box_behind_the_camera_is_not_drawn_and_colours_are_per_category():
    behind = _box("chair", (0.5, 5.0, 1.5), (0.2, 0.2, 0.2))
    assert np.all(render_frame(_room(behind), POSE, K).instance == -1)
    assert category_colour("chair") == category_colour("chair") != category_colour("table")


def test_rotated_box_is_rendered_from_its_axes():
    straight = render_frame(_room(_box("bed", (4.0, 5.0, 1.5), (0.2, 2.0, 0.5))), POSE, K)
    turned = render_frame(_room(_box("bed", (4.0, 5.0, 1.5), (0.2, 2.0, 0.5), yaw=np.pi / 2)), POSE, K)
    assert (turned.instance == 0).sum() < 0.4 * (straight.instance == 0).sum()  # seen end-on


def test_walkthrough_frames_change_and_are_deterministic():
    scene = generate_scene(2)
    path = walkthrough(scene, 4, width=64, height=64)
    a, b = render_path(scene, path), render_path(scene, path)
    assert all(np.array_equal(x.rgb, y.rgb) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0].rgb, a[1].rgb)
    assert np.all(np.isfinite(a[0].depth)) and a[0].depth.min() > 0


def test_real_scenes_render(mixed_real_scenes):
    for scene in mixed_real_scenes.values():
        frames = render_path(scene, walkthrough(scene, 4, width=64, height=64))
        assert any((f.instance >= 0).any() for f in frames), scene.name
        assert all(np.isfinite(f.depth).all() for f in frames)
