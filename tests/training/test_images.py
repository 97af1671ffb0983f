import numpy as np
import pytest
from PIL import Image
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

from training.errors import ImageDecodeError
from training.images import PatchSpec, decode_png, fit_size, patchify, tokens_per_frame


@pytest.mark.parametrize("hw", [(64, 64), (48, 80), (100, 37), (20, 20), (240, 320)])
def test_patches_equal_transformers_processor(hw):
    spec = PatchSpec(patch_size=16, max_pixels=64 * 64, min_pixels=32 * 32)
    reference = Qwen2VLImageProcessorPil(
        patch_size=16,
        merge_size=2,
        temporal_patch_size=2,
        image_mean=[0.5] * 3,
        image_std=[0.5] * 3,
        size={"shortest_edge": 32 * 32, "longest_edge": 64 * 64},
    )
    rng = np.random.default_rng(sum(hw))
    image = Image.fromarray(rng.integers(0, 256, (*hw, 3), dtype=np.uint8))
    expected = reference(images=[image], return_tensors="np")
    patches, grid = patchify(image, spec)
    assert grid == tuple(expected["image_grid_thw"][0])
    np.testing.assert_allclose(patches, expected["pixel_values"], rtol=0, atol=1e-6)


def test_fit_size_keeps_budget_and_grid():
    spec = PatchSpec(max_pixels=64 * 64)
    h, w = fit_size(480, 640, spec)
    assert h % 32 == 0 and w % 32 == 0 and h * w <= 64 * 64 and w > h
    assert tokens_per_frame((1, 4, 4), spec) == 4


def test_bad_bytes_name_the_frame():
    with pytest.raises(ImageDecodeError, match="frame s0f3"):
        decode_png(b"not a png", "frame s0f3")
