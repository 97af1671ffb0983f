"""Render frames on Ray: one task per scene (numpy and PIL only, so any CPU worker will do).

Each task draws its scene with the function the local engine calls (the stage hands it over:
ouroboros.stages.build_scenes.render_scene with its settings bound) and returns its FRAMES
rows; the driver gathers them in scene order and builds the table exactly as the local
engine does, for its one commit of `frames`. (Arrow blocks built per scene would hold the
same values but other bytes under null lists, e.g. an overview frame's intrinsics, which the
content fingerprint hashes.)
"""

from collections.abc import Callable, Sequence

from curation.scenes.metadata import Scene


def _render(render: Callable[[Scene], list[dict]], scene: Scene) -> list[dict]:
    return render(scene)  # a task: `render` may be a partial, which ray.remote does not take


def render_on_ray(scenes: Sequence[Scene], render: Callable[[Scene], list[dict]]) -> list[dict]:
    """`render(scene)` rows of every scene, one Ray task a scene, in scene order (the local engine's)."""
    import ray

    from ouroboros.on_ray.cluster import connect

    connect()
    task = ray.remote(num_cpus=1)(_render)
    done = ray.get([task.remote(render, scene) for scene in scenes])
    return [row for rows in done for row in rows]
