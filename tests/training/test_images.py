import numpy as np
import pytest
from PIL import Image

from tests.training import reference_images as reference
from training.errors import ImageDecodeError
from training.images import PatchSpec, decode_png, patchify, tokens_per_frame

TINY = PatchSpec()  # the tiny solver's: 16 px patches, mean/std 0.5, 32^2..64^2 pixels
CLIP = PatchSpec(patch_size=14, image_mean=(0.48145466, 0.4578275, 0.40821073),
                 image_std=(0.26862954, 0.26130258, 0.27577711), max_pixels=448 * 448, min_pixels=56 * 56)


def noise(hw: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(sum(hw))
    return Image.fromarray(rng.integers(0, 256, (*hw, 3), dtype=np.uint8))


@pytest.mark.parametrize("spec", [TINY, CLIP], ids=["tiny", "clip"])
@pytest.mark.parametrize("hw", [(64, 64), (48, 80), (100, 37), (20, 20), (240, 320), (500, 90)])
def test_patches_equal_the_hand_written_preprocessing_bit_for_bit(spec, hw):
    # Equal, not close: the solver's confidences and the rounds' fingerprints follow every bit.
    expected, expected_grid = reference.patchify(noise(hw), spec)
    patches, grid = patchify(noise(hw), spec)
    assert grid == expected_grid
    assert patches.dtype == np.float32
    np.testing.assert_array_equal(patches, expected)


@pytest.mark.parametrize(("hw", "min_pixels", "max_pixels"), [
    ((20, 20), 32 * 32, 64 * 64),  # below min_pixels: upscaled to 32 x 32
    ((20, 20), 96 * 96, 128 * 128),  # a larger minimum: upscaled further
    ((240, 320), 32 * 32, 64 * 64),  # above max_pixels: downscaled into 64^2 px
    ((240, 320), 32 * 32, 160 * 160),  # a larger budget keeps more of the frame
])
def test_min_and_max_pixels_bound_the_resized_area(hw, min_pixels, max_pixels):
    spec = PatchSpec(min_pixels=min_pixels, max_pixels=max_pixels)
    _, (t, gh, gw) = patchify(noise(hw), spec)
    area = gh * gw * spec.patch_size**2
    assert (t, gh * spec.patch_size, gw * spec.patch_size) == (1, *reference.fit_size(*hw, spec))
    assert min_pixels <= area <= max_pixels
    assert gh % spec.merge_size == 0 and gw % spec.merge_size == 0


def test_tokens_per_frame_counts_merged_patches():
    assert tokens_per_frame((1, 4, 4), TINY) == 4
    assert tokens_per_frame((1, 4, 6), PatchSpec(merge_size=1)) == 24


def test_bad_bytes_name_the_frame():
    with pytest.raises(ImageDecodeError, match="frame s0f3"):
        decode_png(b"not a png", "frame s0f3")
