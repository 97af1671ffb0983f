"""Where a scene's objects are drawn: outlines of boxes in a camera frame, and the room seen
from above. Pure functions of rows of store.schema.SCENES / FRAMES.

Conventions are the lake's (store.schema): metres, world +z up; a box's `normalized_axes`
rows are its unit axes and `axes_lengths` the full edge lengths along them; a frame's
`pose` is a row-major 4x4 camera-to-world matrix (OpenCV: x right, y down, looking along
+z) and `intrinsics` (fx, fy, cx, cy) in pixels.
"""

import itertools
import re
from dataclasses import dataclass

import numpy as np

from curation.scenes.metadata import Scene
from curation.scenes.room import room_shell

NEAR = 0.05  # m in front of the camera: corners closer than this cannot be projected
PLAN_PX = 360  # width of the top-down plan as drawn, px


@dataclass(frozen=True)
class Rect:
    x: float  # left, in the drawing's units (frame pixels, or plan px)
    y: float  # top
    w: float
    h: float
    label: str  # "chair 2": category and instance
    named: bool = False  # the question names this object's category


def named_categories(question: str, categories: list[str]) -> set[str]:
    """The scene's categories the question names (whole words; "table(s)" names table)."""
    text = question.lower()
    return {c for c in categories if re.search(rf"\b{re.escape(c.lower())}", text)}


def box_corners(obj: dict) -> np.ndarray:
    """(8, 3) world corners of an oriented box (a SCENES `objects` entry)."""
    axes = np.asarray(obj["normalized_axes"], dtype=float).reshape(3, 3)
    half = np.asarray(obj["axes_lengths"], dtype=float) / 2
    signs = np.array(list(itertools.product((-1, 1), repeat=3)), dtype=float)  # (8, 3)
    return np.asarray(obj["centroid"], dtype=float) + (signs * half) @ axes


def frame_outline(obj: dict, pose: list[float], intrinsics: list[float], width: int, height: int) -> Rect | None:
    """The image rectangle (px) a box covers in a camera frame, clipped to the image; None
    when it lies behind the camera or off the image."""
    pose4 = np.asarray(pose, dtype=float).reshape(4, 4)
    cam = (box_corners(obj) - pose4[:3, 3]) @ pose4[:3, :3]  # world -> camera is R^T (p - o)
    front = cam[cam[:, 2] > NEAR]
    if not len(front):
        return None
    fx, fy, cx, cy = intrinsics
    u, v = front[:, 0] / front[:, 2] * fx + cx, front[:, 1] / front[:, 2] * fy + cy
    if len(front) < len(cam):  # straddles the camera plane: its outline runs off the image
        u, v = np.append(u, [0, width]), np.append(v, [0, height])
    x0, x1 = max(u.min(), 0.0), min(u.max(), float(width))
    y0, y1 = max(v.min(), 0.0), min(v.max(), float(height))
    if x0 >= x1 or y0 >= y1:
        return None
    return Rect(x0, y0, x1 - x0, y1 - y0, f"{obj['category']} {obj['instance']}", named=True)


def outlines(scene_row: dict, frame_row: dict, categories: set[str]) -> list[Rect]:
    """Outlines of the boxes of `categories` that the frame sees (its visible_objects), or
    none for a frame without a camera (the overview, decoded video)."""
    if frame_row["pose"] is None or frame_row["intrinsics"] is None:
        return []
    seen = {(v["category"], v["instance"]) for v in frame_row["visible_objects"] if v["fraction"] > 0}
    found = []
    for obj in scene_row["objects"]:
        if obj["category"] in categories and (obj["category"], obj["instance"]) in seen:
            rect = frame_outline(obj, frame_row["pose"], frame_row["intrinsics"], frame_row["width"],
                                 frame_row["height"])
            if rect is not None:
                found.append(rect)
    return found


@dataclass(frozen=True)
class Plan:
    width: float  # px
    height: float  # px
    rects: list[Rect]  # every box's footprint (world-axis bounds), north (+y) up


def plan(scene_row: dict, named: set[str] = frozenset()) -> Plan:
    """The room from above at PLAN_PX wide: its walls (curation.scenes.room) and each box's
    footprint, the boxes of `named` categories marked."""
    shell = room_shell(Scene.from_row(scene_row))
    span_x, span_y = shell.hi[0] - shell.lo[0], shell.hi[1] - shell.lo[1]
    scale = PLAN_PX / span_x  # px per m
    rects = [
        Rect((o["min"][0] - shell.lo[0]) * scale, (shell.hi[1] - o["max"][1]) * scale,
             (o["max"][0] - o["min"][0]) * scale, (o["max"][1] - o["min"][1]) * scale,
             f"{o['category']} {o['instance']}", named=o["category"] in named)
        for o in scene_row["objects"]
    ]
    return Plan(PLAN_PX, span_y * scale, rects)
