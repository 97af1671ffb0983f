import math

import numpy as np

from curation.scenes.procedural import generate_scene
from curation.scenes.room import MIN_HEIGHT, WALL_MARGIN, room_shell


def test_procedural_shell_is_the_generated_room():
    scene = generate_scene(4)
    shell = room_shell(scene)
    assert shell.lo == (0.0, 0.0, 0.0)
    assert np.allclose(shell.hi, 2 * np.asarray(scene.room_center))
    assert math.isclose(shell.area, scene.room_size)


def test_real_shell_floor_is_measured_and_encloses_every_box(mixed_real_scenes):
    for scene in mixed_real_scenes.values():
        shell = room_shell(scene)
        lows = np.array([b.min for b in scene.boxes])
        highs = np.array([b.max for b in scene.boxes])
        assert shell.floor_z == lows[:, 2].min()
        assert shell.hi[2] - shell.lo[2] >= MIN_HEIGHT
        assert np.all(lows[:, :2] >= np.asarray(shell.lo[:2]) + WALL_MARGIN - 1e-9)
        assert np.all(highs[:, :2] <= np.asarray(shell.hi[:2]) - WALL_MARGIN + 1e-9)
        span = highs[:, :2].max(axis=0) - lows[:, :2].min(axis=0) + 2 * WALL_MARGIN
        # Grown to the metadata's floor area, or kept at the objects' extent when that is larger.
        assert math.isclose(shell.area, max(scene.room_size, span.prod()))


def test_scannet_floor_is_below_zero_and_scannetpp_near_zero(mixed_real_scenes):
    floors = {s.source: room_shell(s).floor_z for s in mixed_real_scenes.values()}
    assert floors["scannet"] < -0.3
    assert abs(floors["scannetpp"]) < 0.4
