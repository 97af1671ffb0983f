"""Frame preprocessing for Qwen-VL vision towers: transformers' Qwen2-VL image processor.

Qwen3-VL checkpoints use the Qwen2-VL image processor; we take its PIL/numpy backend
(`Qwen2VLImageProcessorPil`) because the default fast one needs torchvision, which this
project does not install. It resizes with PIL bicubic so both sides are multiples of
`patch_size * merge_size` and the area lies in [min_pixels, max_pixels] (`smart_resize`,
aspect ratio kept as nearly as the grid allows), scales to [0, 1], normalises per channel,
then cuts into patches. Each frame is one image of temporal length 1; the patch is
repeated `temporal_patch_size` times along time.

Patch layout (rows of the returned array): for a resized image of H x W pixels,
grid (gh, gw) = (H / p, W / p); rows run over merge blocks (gh/m, gw/m) in row-major
order, and within a block over its m x m patches row-major, so the m^2 patches that the
vision merger fuses into one LLM token are contiguous. Each row is (C, t, p, p) flattened:
C * t * p * p floats.
"""

import functools
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil, smart_resize

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
        """Side in pixels of what one LLM token sees: a merge block of patches."""
        return self.patch_size * self.merge_size


@functools.cache
def image_processor(spec: PatchSpec) -> Qwen2VLImageProcessorPil:
    """The processor for `spec`, built once per spec (construction checks every setting)."""
    return Qwen2VLImageProcessorPil(
        patch_size=spec.patch_size,
        merge_size=spec.merge_size,
        temporal_patch_size=spec.temporal_patch_size,
        image_mean=list(spec.image_mean),
        image_std=list(spec.image_std),
        min_pixels=spec.min_pixels,
        max_pixels=spec.max_pixels,
    )


def decode_png(data: bytes, name: str = "frame") -> Image.Image:
    """PNG (or any PIL-readable) bytes -> an RGB PIL image; `name` goes into the error."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.convert("RGB")
    except Exception as exc:  # PIL raises several unrelated types for bad bytes
        raise ImageDecodeError(f"{name}: image bytes are not a decodable image ({exc})") from exc


def fit_size(height: int, width: int, spec: PatchSpec) -> tuple[int, int]:
    """(height, width) the processor resizes a frame to: transformers' own `smart_resize`."""
    return smart_resize(height, width, factor=spec.factor,
                        min_pixels=spec.min_pixels, max_pixels=spec.max_pixels)


def resize(image: Image.Image, spec: PatchSpec) -> Image.Image:
    """The RGB image at `fit_size` with the processor's filter (PIL bicubic)."""
    height, width = fit_size(image.height, image.width, spec)
    return image.convert("RGB").resize((width, height), resample=Image.Resampling.BICUBIC)


def resized_png(data: bytes, spec: PatchSpec, name: str = "frame") -> bytes:
    """PNG bytes of the frame already at the processor's size: what a server that runs the same
    Qwen preprocessing (vLLM) is sent, so its own resize keeps the size (a multiple of the patch
    factor within its pixel bounds) and it sees the pixels `patchify` sees."""
    buf = io.BytesIO()
    resize(decode_png(data, name), spec).save(buf, format="PNG")
    return buf.getvalue()


def patchify(image: Image.Image, spec: PatchSpec) -> tuple[np.ndarray, tuple[int, int, int]]:
    """One RGB image -> (patches float32 [gh*gw, C*t*p*p], grid (1, gh, gw))."""
    out = image_processor(spec)(images=[image], return_tensors="np")
    t, gh, gw = (int(v) for v in out["image_grid_thw"][0])
    return out["pixel_values"], (t, gh, gw)


def tokens_per_frame(grid: tuple[int, int, int], spec: PatchSpec) -> int:
    """How many `<|image_pad|>` tokens one frame with this patch grid takes in the prompt."""
    return grid[0] * grid[1] * grid[2] // (spec.merge_size**2)
