import math

import numpy as np
import pytest

from curation.errors import KnobError
from curation.scenes.camera import EYE_HEIGHT, free_space, look_pose, pinhole, walkthrough
from curation.scenes.procedural import generate_scene
from curation.scenes.room import room_shell


def test_pinhole_centres_the_principal_point():
    k = pinhole(224, 160, hfov_deg=90)
    assert (k.cx, k.cy) == (112, 80)
    assert k.fx == pytest.approx(112) and k.fy == k.fx
    assert k.as_list() == [k.fx, k.fy, k.cx, k.cy]


def test_look_pose_follows_opencv_axes():
    pose = look_pose(np.array([1.0, 2.0, 1.5]), yaw=0.0, pitch=0.0)
    right, down, forward = pose[:3, 0], pose[:3, 1], pose[:3, 2]
    assert np.allclose(forward, [1, 0, 0])  # looking along world +x
    assert np.allclose(down, [0, 0, -1])  # image y points to the floor
    assert np.allclose(right, [0, -1, 0])  # +x heading with +z up: right is world -y
    assert np.allclose(pose[:3, 3], [1, 2, 1.5]) and np.allclose(pose[3], [0, 0, 0, 1])
    tilted = look_pose(np.zeros(3), yaw=math.pi / 2, pitch=-0.3)
    assert np.allclose(tilted[:3, :3] @ tilted[:3, :3].T, np.eye(3)) and tilted[2, 2] < 0


@pytest.mark.parametrize("seed", [0, 5, 9])
def test_walk_is_at_eye_height_in_free_space_and_turns(seed):
    scene = generate_scene(seed)
    path = walkthrough(scene, 16)
    shell = room_shell(scene)
    positions = path.poses[:, :3, 3]
    assert path.poses.shape == (16, 4, 4)
    assert np.all((positions[:, 2] >= EYE_HEIGHT[0] - 0.03) & (positions[:, 2] <= EYE_HEIGHT[1] + 0.03))
    free, centres = free_space(scene, shell, clearance=0.0)
    for x, y, _ in positions:  # no position inside an object's footprint
        cell = np.unravel_index(np.argmin(np.linalg.norm(centres - (x, y), axis=-1)), free.shape)
        assert free[cell]
    assert np.linalg.norm(np.diff(positions[:, :2], axis=0), axis=1).sum() > 1.0  # the person walks
    headings = np.sort(np.arctan2(path.poses[:, 1, 2], path.poses[:, 0, 2]))
    gaps = np.diff(np.concatenate([headings, headings[:1] + 2 * math.pi]))
    assert gaps.max() < math.radians(200)  # and turns: no half of the room goes unlooked-at
    assert np.all(path.poses[:, 2, 2] < 0)  # looking slightly down


def test_walk_in_real_scenes_stays_in_the_room_above_its_floor(mixed_real_scenes):
    for scene in mixed_real_scenes.values():
        shell = room_shell(scene)
        path = walkthrough(scene, 8)
        height = path.poses[:, 2, 3] - shell.floor_z
        assert np.all((height > 1.35) & (height < 1.65)), scene.name
        assert all(shell.contains(p) for p in path.poses[:, :3, 3])


def test_deterministic_and_sized():
    scene = generate_scene(3)
    a, b = walkthrough(scene, 6, width=64, height=48), walkthrough(scene, 6, width=64, height=48)
    assert np.array_equal(a.poses, b.poses) and len(a) == 6
    assert (a.intrinsics.width, a.intrinsics.height) == (64, 48)
    assert not np.array_equal(a.poses, walkthrough(scene, 6, seed=1).poses)


def test_zero_frames_is_an_error():
    with pytest.raises(KnobError, match="n_frames"):
        walkthrough(generate_scene(0), 0)
