"""The hand-written Qwen-VL preprocessing that training.images used before it called
transformers' processor: an oracle written without transformers, so the tests can show that
the library path gives the very same pixels (the solver's confidences, and so the rounds'
fingerprints, depend on them bit for bit), and bench/images_bench.py can time both.

Qwen's rule: both sides multiples of p*m, area in [min_pixels, max_pixels], PIL bicubic,
x / 255, (x - mean) / std in float32, patches in merge-block order (training.images).
"""

import math

import numpy as np
from PIL import Image

from training.images import PatchSpec


def fit_size(height: int, width: int, spec: PatchSpec) -> tuple[int, int]:
    """(height, width) in pixels after resizing."""
    f = spec.patch_size * spec.merge_size
    h, w = round(height / f) * f, round(width / f) * f
    if h * w > spec.max_pixels:
        beta = math.sqrt(height * width / spec.max_pixels)
        h, w = max(f, math.floor(height / beta / f) * f), max(f, math.floor(width / beta / f) * f)
    elif h * w < spec.min_pixels:
        beta = math.sqrt(spec.min_pixels / (height * width))
        h, w = math.ceil(height * beta / f) * f, math.ceil(width * beta / f) * f
    return h, w


def patchify(image: Image.Image, spec: PatchSpec) -> tuple[np.ndarray, tuple[int, int, int]]:
    """One RGB image -> (patches float32 [gh*gw, C*t*p*p], grid (1, gh, gw))."""
    height, width = fit_size(image.height, image.width, spec)
    resized = image.convert("RGB").resize((width, height), resample=Image.Resampling.BICUBIC)
    pixels = np.asarray(resized, dtype=np.float32).transpose(2, 0, 1) / 255.0  # (C, H, W) in [0, 1]
    mean = np.asarray(spec.image_mean, dtype=np.float32)[:, None, None]
    std = np.asarray(spec.image_std, dtype=np.float32)[:, None, None]
    pixels = (pixels - mean) / std
    p, m, t = spec.patch_size, spec.merge_size, spec.temporal_patch_size
    gh, gw = height // p, width // p
    # (gh/m, gw/m, m, m, C, p, p)
    blocks = pixels.reshape(3, gh // m, m, p, gw // m, m, p).transpose(1, 4, 2, 5, 0, 3, 6)
    blocks = np.broadcast_to(blocks[:, :, :, :, :, None], (*blocks.shape[:5], t, p, p))
    return np.ascontiguousarray(blocks.reshape(gh * gw, 3 * t * p * p)), (1, gh, gw)
