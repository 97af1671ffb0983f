import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.errors import KnobError
from curation.scenes.categories import CATEGORIES
from curation.scenes.metadata import Scene, load_vsibench_meta, scene_from_meta
from curation.scenes.procedural import MAX_OBJECTS, MIN_OBJECTS, NEAR_TIE_GAP, generate_scene
from curation.scenes.procedural import _separated as separated
from curation.scenes.room import room_shell
from tests.conftest import SHARED_DATA

META = SHARED_DATA / "vsibench_meta"
TOL = 1e-6

knobs = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31 - 1),
        "n_objects": st.integers(MIN_OBJECTS, MAX_OBJECTS),
        "duplicates": st.integers(1, 4),
        "clutter": st.floats(0.0, 1.0),
    }
)


def _generate(k: dict, near_ties: int = 0) -> Scene:
    return generate_scene(k["seed"], n_objects=k["n_objects"], duplicates=k["duplicates"], clutter=k["clutter"],
                          near_ties=near_ties)


def _corners(box) -> np.ndarray:
    signs = np.array(list(itertools.product((-1, 1), repeat=3)), dtype=float)
    return np.asarray(box.centroid) + (signs * np.asarray(box.axes_lengths) / 2) @ box.R


def _footprint(box) -> np.ndarray:
    c = _corners(box)
    bottom = c[c[:, 2] < box.centroid[2]][:, :2]
    centre = bottom.mean(axis=0)
    return bottom[np.argsort(np.arctan2(*(bottom - centre).T[::-1]))]


def _share_volume(a, b) -> bool:
    if a.max[2] <= b.min[2] + TOL or b.max[2] <= a.min[2] + TOL:
        return False
    return not separated(_footprint(a), _footprint(b))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knobs)
def test_boxes_are_valid_inside_and_apart(k):
    scene = _generate(k)
    assert len(scene.boxes) == k["n_objects"]
    shell = room_shell(scene)
    assert math.isclose(shell.area, scene.room_size)
    for box in scene.boxes:
        R = box.R
        assert np.allclose(R @ R.T, np.eye(3)) and np.allclose(R[2], [0, 0, 1])  # yaw only
        assert min(box.axes_lengths) > 0
        corners = _corners(box)
        assert np.allclose(corners.min(axis=0), box.min) and np.allclose(corners.max(axis=0), box.max)
        assert np.all(corners >= np.asarray(shell.lo) - TOL) and np.all(corners <= np.asarray(shell.hi) + TOL)
        assert box.category in CATEGORIES
    for a, b in itertools.combinations(scene.boxes, 2):
        assert not _share_volume(a, b), (a, b)


@settings(max_examples=25, deadline=None)
@given(knobs)
def test_every_box_rests_on_the_floor_a_box_a_wall_or_the_ceiling(k):
    scene = _generate(k)
    shell = room_shell(scene)
    tops = [b.max[2] for b in scene.boxes]
    for box in scene.boxes:
        on_floor = abs(box.min[2]) < TOL
        on_box = any(abs(box.min[2] - t) < TOL for t in tops)
        on_wall = min(box.min[0], box.min[1], shell.hi[0] - box.max[0], shell.hi[1] - box.max[1]) < TOL
        under_ceiling = abs(box.max[2] - shell.hi[2]) < TOL
        assert on_floor or on_box or on_wall or under_ceiling, box


@settings(max_examples=25, deadline=None)
@given(knobs)
def test_counts_match_box_lists_and_round_trip(k):
    scene = _generate(k)
    assert scene.object_counts == {c: len(scene.boxes_of(c)) for c in scene.categories}
    for c in scene.categories:
        assert [b.instance for b in scene.boxes_of(c)] == list(range(len(scene.boxes_of(c))))
    back = scene_from_meta(scene.name, scene.to_meta(), source="procedural")
    assert back == scene and not back.warnings
    assert Scene.from_row(scene.to_row()) == scene


@settings(max_examples=15, deadline=None)
@given(knobs, st.integers(1, 3))
def test_near_ties_are_created(k, ties):
    k = {**k, "n_objects": max(k["n_objects"], 2 * ties + 2)}
    scene = _generate(k, near_ties=ties)
    centres = np.array([b.centroid for b in scene.boxes])
    dist = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
    pairs = 0
    for a in range(len(centres)):  # pairs (b, c) of other objects at nearly equal distances from a
        d = np.delete(dist[a], a)
        close = np.abs(d[:, None] - d[None]) <= NEAR_TIE_GAP
        pairs = max(pairs, (close.sum() - len(d)) // 2)
    assert pairs >= 1


def test_deterministic_per_seed_and_different_across_seeds():
    assert generate_scene(11) == generate_scene(11)
    assert generate_scene(11, n_objects=20) == generate_scene(11, n_objects=20)
    assert generate_scene(11).scene_id != generate_scene(12).scene_id
    scene = generate_scene(11)
    assert scene.source == "procedural" and scene.name == "proc-000011"


def test_rooms_are_realistic():
    scenes = [generate_scene(s) for s in range(20)]
    for scene in scenes:
        assert 8 <= scene.room_size <= 150
        assert 2.5 <= 2 * scene.room_center[2] <= 3.0
    assert len({c for s in scenes for c in s.categories}) >= 20


def test_clutter_puts_more_objects_on_furniture():
    def small_share(clutter):
        scenes = [generate_scene(s, n_objects=30, clutter=clutter) for s in range(5)]
        return np.mean([np.mean([b.min[2] > 0.2 and b.max[2] < 2.0 for b in s.boxes]) for s in scenes])

    assert small_share(1.0) > small_share(0.0) + 0.1


@pytest.mark.parametrize(
    "knob, value", [("n_objects", 4), ("n_objects", 41), ("duplicates", 0), ("clutter", 1.5), ("near_ties", 20)]
)
def test_bad_knobs_name_themselves(knob, value):
    with pytest.raises(KnobError, match=knob):
        generate_scene(0, **{knob: value})


def test_vocabulary_comes_from_the_real_files():
    files = sorted(META.glob("*_meta_info_val.json"))
    if not files:
        pytest.skip(f"reference data not found at {META}")
    real = {b.category for f in files for s in load_vsibench_meta(f) for b in s.boxes}
    assert set(CATEGORIES) <= real
