"""Render speed: frames per second on one core, against encoding the same frame as PNG.

A procedural room with 30 objects, a 16-frame walk, rendered at 224x224 (the issue's
target: >= 20 frames/s) and at 64x64 (what the demo uses). The baseline is the cost a
rendered frame is paired with on its way into the lake: PNG encoding of that frame
(curation.scenes.frames.png_bytes). Prints frames/s and ratio = render time / PNG time.

    python bench/render_bench.py
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.scenes.camera import walkthrough  # noqa: E402
from curation.scenes.frames import png_bytes  # noqa: E402
from curation.scenes.procedural import generate_scene  # noqa: E402
from curation.scenes.render import render_path  # noqa: E402

TARGET_FPS = 20.0
N_FRAMES = 16


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scene = generate_scene(7, n_objects=30, clutter=0.5)
    print(f"scene {scene.name}: {len(scene.boxes)} objects, {scene.room_size:.1f} m^2, {N_FRAMES} frames")
    for size in (224, 64):
        path = walkthrough(scene, N_FRAMES, width=size, height=size)
        frames = render_path(scene, path)
        render_s = best_of(lambda p=path: render_path(scene, p)) / N_FRAMES
        png_s = best_of(lambda fr=frames: [png_bytes(f.rgb) for f in fr]) / N_FRAMES
        fps = 1 / render_s
        verdict = f" ({'meets' if fps >= TARGET_FPS else 'MISSES'} the {TARGET_FPS:.0f} frames/s target)"
        print(
            f"{size}x{size}: render {render_s * 1e3:.2f} ms/frame = {fps:.0f} frames/s"
            f"{verdict if size == 224 else ''}; "
            f"png encode {png_s * 1e3:.2f} ms/frame; ratio render/png = {render_s / png_s:.1f}x"
        )


if __name__ == "__main__":
    main()
