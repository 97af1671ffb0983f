import pytest

from training.tokenizer import SPECIAL_TOKENS, train_tokenizer


@pytest.fixture(scope="module")
def tok():
    return train_tokenizer()


def test_digits_and_letters_are_single_tokens(tok):
    for text in [*"0123456789", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ"]:
        assert len(tok.encode(text, add_special_tokens=False)) == 1, text
    # numbers split into one token per digit, so every count is spelled from the same ten tokens
    assert tok.convert_ids_to_tokens(tok.encode("1250", add_special_tokens=False)) == ["1", "2", "5", "0"]


def test_special_tokens_are_atomic_and_text_round_trips(tok):
    for special in SPECIAL_TOKENS:
        assert len(tok.encode(special, add_special_tokens=False)) == 1, special
    text = "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>How many chair(s)? 3.25 m<|im_end|>"
    assert tok.decode(tok.encode(text, add_special_tokens=False)) == text


def test_training_is_deterministic():
    assert train_tokenizer().get_vocab() == train_tokenizer().get_vocab()
