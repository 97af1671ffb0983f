"""Frame preprocessing: transformers' Qwen2-VL processor (PIL backend) vs the hand-written code
it replaced (tests/training/reference_images.py), on the same frames in the same run.

Prints microseconds per frame and ratio = library time / hand-written time, for the demo's
64 px frames (tiny solver: 16 px patches, at most 64^2 pixels) and for 480x640 camera frames
resized into a real checkpoint's 448^2 budget. Both give the same pixels bit for bit
(tests/training/test_images.py). The library's extra cost is per call (it checks every
setting and converts layouts on each call), so it weighs most on small frames; the solver
pays it once per frame, since training.batches.FrameStore caches patches per frame.

    python bench/images_bench.py
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.training import reference_images  # noqa: E402
from training.images import PatchSpec, patchify  # noqa: E402

CASES = {
    "64x64 frames, tiny solver": ((64, 64), PatchSpec()),
    "480x640 frames, 448^2 budget": ((480, 640), PatchSpec(max_pixels=448 * 448, min_pixels=56 * 56)),
}
N_FRAMES, REPEATS = 64, 5


def best_per_frame(fn, frames, spec) -> float:
    """Seconds per frame, the fastest of REPEATS passes over `frames`."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for frame in frames:
            fn(frame, spec)
        best = min(best, (time.perf_counter() - start) / len(frames))
    return best


def main() -> None:
    rng = np.random.default_rng(0)
    for name, (hw, spec) in CASES.items():
        frames = [Image.fromarray(rng.integers(0, 256, (*hw, 3), dtype=np.uint8)) for _ in range(N_FRAMES)]
        patchify(frames[0], spec)  # builds the processor once, as the solver does
        hand, library = best_per_frame(reference_images.patchify, frames, spec), best_per_frame(patchify, frames, spec)
        print(f"{name:30s} hand-written {hand * 1e6:7.0f} us/frame   transformers {library * 1e6:7.0f} us/frame"
              f"   ratio {library / hand:.2f}x")


if __name__ == "__main__":
    main()
