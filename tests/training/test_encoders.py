"""training.encoders: encoder names follow the weights; MiniLM pooled as sentence-transformers does."""

import numpy as np
import pytest
import torch

from training.encoders import frame_encoder_name, text_encoder, weights_digest
from training.solver import build_tiny


def test_frame_encoder_name_follows_the_vision_weights_and_frame_size(tiny):
    name = frame_encoder_name(tiny)  # the fixture: seed 0, 32 px
    assert name.startswith("tiny-vision-32px@")
    assert frame_encoder_name(build_tiny(seed=0, device="cpu", image_size=32)) == name
    assert frame_encoder_name(build_tiny(seed=0, device="cpu", image_size=64)).startswith("tiny-vision-64px@")
    with torch.no_grad():
        next(tiny.base_model.model.visual.parameters()).add_(0.01)  # as training would
    assert frame_encoder_name(tiny) != name
    torch.manual_seed(0)
    layer = torch.nn.Linear(2, 2)
    assert weights_digest(layer) == weights_digest(layer) != weights_digest(torch.nn.Linear(2, 2))


@pytest.mark.slow
def test_minilm_vectors_match_sentence_transformers():
    """The oracle is the library the model was published for, loaded from the same package files."""
    from sentence_transformers import SentenceTransformer

    from training.encoders import model_dir

    texts = ["How many chair(s) are in this room?", "What is the length of the longest dimension of the sofa?",
             "a"]
    ours = text_encoder()(texts)
    reference = SentenceTransformer(str(model_dir()), device="cpu").encode(texts, normalize_embeddings=True)
    assert ours.shape == (3, 384) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert text_encoder().name.startswith("all-MiniLM-L6-v2@")
    assert text_encoder()([]).shape == (0, 384)
