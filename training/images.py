"""Frame preprocessing for Qwen-VL vision towers, without torchvision.

Follows the Qwen2-VL image processor exactly (checked against transformers'
`Qwen2VLImageProcessorPil` in tests): resize with PIL bicubic so both sides are multiples
of `patch_size * merge_size` and the area is at most `max_pixels`, scale to [0, 1],
normalise per channel, then cut into patches. Each frame is one image of temporal length
1; the patch is repeated `temporal_patch_size` times along time, as the processor does.

Patch layout (rows of the returned array): for a resized image of H x W pixels,
grid (gh, gw) = (H / p, W / p); rows run over merge blocks (gh/m, gw/m) in row-major
order, and within a block over its m x m patches row-major, so the m^2 patches that the
vision merger fuses into one LLM token are contiguous. Each row is (C, t, p, p) flattened:
C * t * p * p floats.
"""

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from training.errors import ImageDecodeError


@dataclass(frozen=True)
class PatchSpec:
    """What the vision tower expects: patch side in pixels, spatial merge, temporal patch,
    the per-channel RGB mean/std on the [0, 1] scale, and the pixel budget per frame."""

    patch_size: int = 16
    merge_size: int = 2
    temporal_patch_size: int = 2
    image_mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    image_std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    max_pixels: int = 64 * 64
    min_pixels: int = 32 * 32

    @property
    def factor(self) -> int:
        return self.patch_size * self.merge_size


def fit_size(height: int, width: int, spec: PatchSpec) -> tuple[int, int]:
    """(height, width) in pixels after resizing: multiples of `spec.factor`, area within
    [min_pixels, max_pixels], aspect ratio kept as nearly as the grid allows (Qwen's rule)."""
    f = spec.factor
    if max(height, width) / min(height, width) > 200:
        raise ValueError(f"image aspect ratio must be below 200, got {height}x{width}")
    h, w = round(height / f) * f, round(width / f) * f
    if h * w > spec.max_pixels:
        beta = math.sqrt(height * width / spec.max_pixels)
        h, w = max(f, math.floor(height / beta / f) * f), max(f, math.floor(width / beta / f) * f)
    elif h * w < spec.min_pixels:
        beta = math.sqrt(spec.min_pixels / (height * width))
        h, w = math.ceil(height * beta / f) * f, math.ceil(width * beta / f) * f
    return h, w


def decode_png(data: bytes, name: str = "frame") -> Image.Image:
    """PNG (or any PIL-readable) bytes -> an RGB PIL image; `name` goes into the error."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.convert("RGB")
    except Exception as exc:  # PIL raises several unrelated types for bad bytes
        raise ImageDecodeError(f"{name}: image bytes are not a decodable image ({exc})") from exc


def resize(image: Image.Image, spec: PatchSpec) -> Image.Image:
    """The RGB image at `fit_size` (PIL bicubic), as the vision tower sees it."""
    height, width = fit_size(image.height, image.width, spec)
    return image.convert("RGB").resize((width, height), resample=Image.Resampling.BICUBIC)


def resized_png(data: bytes, spec: PatchSpec, name: str = "frame") -> bytes:
    """PNG bytes of the frame already at `fit_size`: what a server that runs the same Qwen
    preprocessing (vLLM) is sent, so its own resize keeps the size (a multiple of the patch
    factor within its pixel bounds) and it sees the pixels `patchify` sees."""
    buf = io.BytesIO()
    resize(decode_png(data, name), spec).save(buf, format="PNG")
    return buf.getvalue()


def patchify(image: Image.Image, spec: PatchSpec) -> tuple[np.ndarray, tuple[int, int, int]]:
    """One RGB image -> (patches float32 [gh*gw, C*t*p*p], grid (1, gh, gw))."""
    resized = resize(image, spec)
    height, width = resized.height, resized.width
    pixels = np.asarray(resized, dtype=np.float32).transpose(2, 0, 1) / 255.0  # (C, H, W) in [0, 1]
    mean = np.asarray(spec.image_mean, dtype=np.float32)[:, None, None]
    std = np.asarray(spec.image_std, dtype=np.float32)[:, None, None]
    pixels = (pixels - mean) / std
    p, m, t = spec.patch_size, spec.merge_size, spec.temporal_patch_size
    gh, gw = height // p, width // p
    blocks = pixels.reshape(3, gh // m, m, p, gw // m, m, p).transpose(
        1, 4, 2, 5, 0, 3, 6
    )  # (gh/m, gw/m, m, m, C, p, p)
    blocks = np.broadcast_to(blocks[:, :, :, :, :, None], (*blocks.shape[:5], t, p, p))
    return np.ascontiguousarray(blocks.reshape(gh * gw, 3 * t * p * p)), (1, gh, gw)


def tokens_per_frame(grid: tuple[int, int, int], spec: PatchSpec) -> int:
    """How many `<|image_pad|>` tokens one frame with this patch grid takes in the prompt."""
    return grid[0] * grid[1] * grid[2] // (spec.merge_size**2)
