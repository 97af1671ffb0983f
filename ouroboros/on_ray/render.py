"""Render frames on Ray: one task per scene (numpy and PIL only, so any CPU worker will do).

Each task draws its scene with the function the local engine calls
(ouroboros.stages.build_scenes.render_scene) and returns its FRAMES rows; the driver
gathers them in scene order and builds the table exactly as the local engine does, for its
one commit of `frames`. (Arrow blocks built per scene would hold the same values but other
bytes under null lists, e.g. an overview frame's intrinsics, which the content fingerprint
hashes.)
"""

from collections.abc import Sequence

from curation.scenes.metadata import Scene
from ouroboros.params import FramesParams


def _render(scene: Scene, frames: FramesParams, seed: int) -> list[dict]:
    from ouroboros.stages.build_scenes import render_scene

    return render_scene(scene, frames, seed)


def render_on_ray(scenes: Sequence[Scene], frames: FramesParams, seed: int) -> list[dict]:
    """FRAMES rows of every scene, in scene order (the local engine's order)."""
    import ray

    from ouroboros.on_ray.cluster import connect

    connect()
    task = ray.remote(num_cpus=1)(_render)
    done = ray.get([task.remote(scene, frames, seed) for scene in scenes])
    return [row for rows in done for row in rows]
