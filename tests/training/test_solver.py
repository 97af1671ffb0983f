import numpy as np
import pytest
import torch
from PIL import Image

from training.errors import SolverNotFoundError, SolverSpecError
from training.prompts import chat_prompt, question_text
from training.solver import load_solver


def _inputs(solver, n_frames: int):
    images = [Image.new("RGB", (32, 32), (10 * i, 255 - 10 * i, 40)) for i in range(n_frames)]
    pixel_values, grid = solver.pixels(images)
    prompt = chat_prompt(question_text("How many chair(s) are in this room?", None), [1] * n_frames)
    ids = torch.tensor([solver.tokenizer.encode(prompt, add_special_tokens=False)])
    return {
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
        "pixel_values": pixel_values,
        "image_grid_thw": grid,
        "mm_token_type_ids": (ids == solver.image_pad_id).long(),
    }


@pytest.mark.parametrize("n_frames", [1, 16])
def test_tiny_forward_and_generate(tiny, n_frames):
    batch = _inputs(tiny, n_frames)
    assert int(batch["mm_token_type_ids"].sum()) == n_frames  # one merged token per 32 px frame
    with torch.inference_mode():
        logits = tiny.model(**batch).logits
        out = tiny.model.generate(**batch, max_new_tokens=3, do_sample=False, pad_token_id=tiny.pad_id)
    assert logits.shape == (1, batch["input_ids"].shape[1], len(tiny.tokenizer))
    assert torch.isfinite(logits).all()
    assert out.shape == (1, batch["input_ids"].shape[1] + 3)


def test_same_seed_same_weights_other_seed_differs():
    a, b, c = (load_solver("tiny", device="cpu", seed=s) for s in (0, 0, 1))
    wa, wb, wc = (next(iter(x.model.state_dict().values())) for x in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)


def test_save_load_gives_identical_logits(tiny, tmp_path):
    batch = _inputs(tiny, 2)
    tiny.save(tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "model.safetensors").exists() and (tmp_path / "ckpt" / "tokenizer.json").exists()
    loaded = load_solver(tmp_path / "ckpt", device="cpu")
    with torch.inference_mode():
        assert torch.equal(tiny.model(**batch).logits, loaded.model(**batch).logits)
    assert loaded.config == tiny.config
    assert load_solver(tmp_path / "ckpt", device="cpu", max_frames=8).config.max_frames == 8
    with pytest.raises(SolverSpecError, match="text_layers"):
        load_solver(tmp_path / "ckpt", text_layers=3)


def test_embed_images(tiny):
    red, blue = Image.new("RGB", (32, 32), (255, 0, 0)), Image.new("RGB", (32, 32), (0, 0, 255))
    emb = tiny.embed_images([red, blue, red])
    assert emb.dtype == np.float32 and emb.shape == (3, tiny.model.config.text_config.hidden_size)
    np.testing.assert_allclose(emb[0], emb[2], atol=1e-6)
    assert not np.allclose(emb[0], emb[1])
    assert tiny.embed_images([]).shape == (0, emb.shape[1])


def test_bad_specs_are_clear(tmp_path):
    with pytest.raises(SolverNotFoundError, match="no-such-dir"):
        load_solver(tmp_path / "no-such-dir")
    with pytest.raises(SolverNotFoundError, match="config.json"):
        load_solver(tmp_path)
    with pytest.raises(SolverSpecError, match="text_layerz"):
        load_solver("tiny", text_layerz=3)
    with pytest.raises(SolverSpecError, match="image_size"):
        load_solver("tiny", image_size=0)
