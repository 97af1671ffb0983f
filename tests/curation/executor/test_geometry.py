"""Box geometry on hand-built boxes whose answers follow from the construction."""

import math

import numpy as np
import pytest

from curation.executor import geometry as g
from tests.curation.executor.conftest import make_box

CUBE = make_box([0, 0, 0], [1, 1, 1])


def _surface_points(box: dict, step: float = 0.01) -> np.ndarray:
    """Points on the six faces of a box on a `step` grid (world coordinates), for an independent check."""
    obb = g.as_obb(box)
    half = obb.lengths / 2
    out = []
    for axis in range(3):
        others = [k for k in range(3) if k != axis]
        u = np.linspace(-half[others[0]], half[others[0]], max(2, int(2 * half[others[0]] / step) + 1))
        v = np.linspace(-half[others[1]], half[others[1]], max(2, int(2 * half[others[1]] / step) + 1))
        uu, vv = np.meshgrid(u, v, indexing="ij")
        for sign in (-1, 1):
            local = np.zeros((uu.size, 3))
            local[:, axis] = sign * half[axis]
            local[:, others[0]], local[:, others[1]] = uu.ravel(), vv.ravel()
            out.append(obb.centroid + local @ obb.axes)
    return np.vstack(out)


def _random_box(rng: np.random.Generator) -> dict:
    box = make_box(rng.uniform(-1.5, 1.5, 3), rng.uniform(0.08, 1.2, 3), rng.uniform(0, 360))
    tilt = math.radians(rng.uniform(-20, 20))  # also tilt about x so no axis is world-aligned
    c, s = math.cos(tilt), math.sin(tilt)
    axes = np.array(box["normalizedAxes"]).reshape(3, 3) @ np.array([[1, 0, 0], [0, c, s], [0, -s, c]])
    box["normalizedAxes"] = axes.ravel().tolist()
    return box


@pytest.mark.parametrize(
    ("center", "expected"),
    [([3, 0, 0], 2.0), ([3, 3, 0], math.sqrt(8)), ([3, 3, 3], math.sqrt(12)), ([0, 0, 1.5], 0.5)],
)
def test_exact_distance_of_separated_cubes(center, expected):
    assert g.exact_box_distance(CUBE, make_box(center, [1, 1, 1])) == pytest.approx(expected, abs=1e-12)


def test_exact_distance_of_a_rotated_box_is_corner_to_face():
    diamond = make_box([3, 0, 0], [1, 1, 1], yaw_deg=45)  # its corner points at the cube: x = 3 - sqrt(2)/2
    assert g.exact_box_distance(CUBE, diamond) == pytest.approx(2.5 - math.sqrt(2) / 2, abs=1e-12)


def test_exact_distance_of_crossing_boxes_without_corners_inside_is_zero():
    bar_x = make_box([0, 0, 0], [3, 0.2, 0.2])
    bar_y = make_box([0, 0, 0], [0.2, 3, 0.2], yaw_deg=10)  # a cross: no corner of either lies in the other
    assert g.boxes_overlap(bar_x, bar_y)
    assert g.exact_box_distance(bar_x, bar_y) == 0.0


def test_exact_distance_matches_dense_surface_search_on_random_boxes():
    rng = np.random.default_rng(7)
    for _ in range(12):
        a, b = _random_box(rng), _random_box(rng)
        exact = g.exact_box_distance(a, b)
        dense = 0.0 if g.boxes_overlap(a, b) else g.point_box_distance(_surface_points(a), b).min()
        assert exact == pytest.approx(dense, abs=0.01)


def test_sampled_distance_of_aligned_cubes_is_the_gap():
    # Axis-aligned boxes at integer positions: face points pass the containment test exactly.
    assert g.sampled_box_distance(CUBE, make_box([3, 0, 0], [1, 1, 1])) == pytest.approx(2.0, abs=1e-12)


def test_sampled_distance_of_overlapping_boxes_is_positive_and_above_exact():
    shifted = make_box([0.5, 0, 0], [1, 1, 1])  # grids offset by half a step along x: 0.5 / 19 m apart
    assert g.exact_box_distance(CUBE, shifted) == 0.0
    assert g.sampled_box_distance(CUBE, shifted) == pytest.approx(0.5 / 19, abs=1e-9)


def test_sampled_distance_ignores_the_dropped_inner_points():
    big, small = make_box([0, 0, 0], [2, 2, 2]), make_box([0, 0, 0], [0.2, 0.2, 0.2])
    assert g.exact_box_distance(big, small) == 0.0
    assert g.sampled_box_distance(big, small) > 0.35  # the big box's points within |q| <= 0.5 are gone


def test_pruned_sampled_distance_equals_brute_force_on_random_boxes():
    rng = np.random.default_rng(11)
    for _ in range(25):
        a, b = _random_box(rng), _random_box(rng)
        pruned = g.sampled_box_distance(a, b)
        assert pruned == g.naive_sampled_box_distance(a, b)
        assert g.exact_box_distance(a, b) <= pruned + 1e-12


def test_sample_follows_the_recipe():
    box = make_box([0.3, -0.2, 0.7], [0.5, 0.3, 0.2], yaw_deg=33)
    points = g.sample_box_points(box)
    obb = g.as_obb(box)
    local = (points - obb.centroid) @ obb.axes.T
    assert (np.abs(local) <= obb.lengths / 2 + 1e-12).all()  # every point inside
    assert (np.abs(local) > obb.lengths / 4 - 1e-12).any(axis=1).all()  # no inner point
    assert not points.flags.writeable  # the cached sample cannot be changed by a caller
    aligned = g.sample_box_points(make_box([0, 0, 0], [0.5, 0.3, 0.2]))
    assert (aligned[:, 0] == 0.25).sum() == 6 * 4  # a full face: ceil(0.3/0.05) x ceil(0.2/0.05) points


def test_category_distance_is_the_minimum_over_instances():
    near, far = make_box([2, 0, 0], [1, 1, 1]), make_box([6, 0, 0], [1, 1, 1])
    assert g.sampled_category_distance([CUBE], [far, near]) == pytest.approx(1.0, abs=1e-12)
    assert g.exact_category_distance([CUBE], [far, near]) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="no boxes"):
        g.sampled_category_distance([CUBE], [])
    with pytest.raises(ValueError, match="axesLengths"):
        g.exact_box_distance(CUBE, {"centroid": [0, 0, 0], "normalizedAxes": [1, 0, 0, 0, 1, 0, 0, 0, 1]})


def test_box_corners_of_a_rotated_box():
    corners = g.box_corners(make_box([1, 2, 3], [2, 2, 2], yaw_deg=45))
    r = math.sqrt(2)
    assert sorted(corners[:, 0].round(9).tolist()) == sorted([round(1 + x, 9) for x in (-r, -r, r, r, 0, 0, 0, 0)])
    assert set(corners[:, 2].round(9).tolist()) == {2.0, 4.0}


# ------------------------------------------------------------------ directions


def _at(theta_deg: float, r: float = 5.0, size: float = 0.01) -> dict:
    """A tiny box at CCW angle theta from +y, seen from the origin."""
    t = math.radians(theta_deg)
    return make_box([-r * math.sin(t), r * math.cos(t), 0.0], [size, size, size])


def _angles(theta_deg: float) -> np.ndarray:
    return g.direction_angles([0, 0, 0], [0, 1, 0], _at(theta_deg))


def test_direction_angle_is_counter_clockwise_from_the_facing_vector():
    assert _angles(30)[0] == pytest.approx(30)
    assert g.direction_angles([0, 0, 0], [0, 1, 0], make_box([-1, 0, 0], [0.1] * 3))[0] == pytest.approx(90)
    assert g.direction_angles([0, 0, 0], [0, 1, 0], make_box([1, 0, 5], [0.1] * 3))[0] == pytest.approx(
        270
    )  # z ignored
    assert np.isnan(g.direction_angles([1, 1, 0], [1, 1, 3], CUBE)).all()  # facing straight up: undefined


@pytest.mark.parametrize(
    ("theta", "expected"),
    [
        (5, "front-left"),
        (45, "front-left"),
        (79.5, "front-left"),
        (80.5, "ambiguous"),
        (89, "ambiguous"),
        (95, "back-left"),
        (169.5, "back-left"),
        (170.5, "ambiguous"),
        (185, "back-right"),
        (265, "ambiguous"),
        (275, "front-right"),
        (349.5, "front-right"),
        (350.5, "ambiguous"),
        (359.9, "ambiguous"),
    ],
)
def test_quadrant_bins_and_the_margin_below_each_multiple_of_90(theta, expected):
    assert g.quadrant_direction(_angles(theta)) == expected


@pytest.mark.parametrize(
    ("theta", "lr", "lrb"),
    [
        (9.5, "ambiguous", "ambiguous"),
        (10.5, "left", "left"),
        (124.5, "left", "left"),
        (125.5, "ambiguous", "ambiguous"),
        (144.5, "ambiguous", "ambiguous"),
        (145.5, "ambiguous", "back"),
        (214.5, "ambiguous", "back"),
        (215.5, "ambiguous", "ambiguous"),
        (234.5, "ambiguous", "ambiguous"),
        (235.5, "right", "right"),
        (349.5, "right", "right"),
        (350.5, "ambiguous", "ambiguous"),
    ],
)
def test_left_right_back_bins_and_margins(theta, lr, lrb):
    angles = _angles(theta)
    assert (g.lr_direction(angles), g.lrb_direction(angles)) == (lr, lrb)


def test_more_than_two_corners_in_another_quadrant_is_ambiguous():
    # A diamond (45 degree yaw) centred front-left at (-0.5, 1): one xy corner (= 2 of 8 corners)
    # crossing into front-right is tolerated; a bigger one with two xy corners (4 of 8) off is not.
    small = make_box([-0.5, 1.0, 0], [0.6 * math.sqrt(2)] * 2 + [0.5], yaw_deg=45)
    big = make_box([-0.5, 1.0, 0], [1.2 * math.sqrt(2)] * 2 + [0.5], yaw_deg=45)
    assert g.quadrant_direction(g.direction_angles([0, 0, 0], [0, 1, 0], small)) == "front-left"
    assert g.quadrant_direction(g.direction_angles([0, 0, 0], [0, 1, 0], big)) == "ambiguous"


@pytest.mark.parametrize(
    ("distances", "expected"),
    [
        ({"a": 1.0, "b": 1.2}, "a"),
        ({"a": 1.0, "b": 1.15}, "ambiguous"),  # differ by <= 0.15
        ({"a": 2.0, "b": 0.5, "c": 1.0}, "b"),
        ({"a": 2.0, "b": 0.5, "c": 1.9}, "ambiguous"),  # a pair not involving the winner is too close
        ({"a": 0.149, "b": 1.0}, "ambiguous"),  # the winner itself is under 0.15 m
        ({"a": 0.15, "b": 1.0}, "a"),
        ({"a": 1.0}, "ambiguous"),  # fewer than 2 present choices
    ],
)
def test_closest_choice_margins(distances, expected):
    assert g.closest_choice(distances) == expected
