import pytest

from training.errors import SampleError
from training.prompts import answer_target, chat_prompt, option_letters, question_text


def test_numeric_and_mca_wording_is_vsibench():
    assert question_text("How many chair(s) are in this room?", None) == (
        "These are frames of a video.\nHow many chair(s) are in this room?\n"
        "Please answer the question using a single word or phrase."
    )
    assert question_text("Which is closest to the bed?", ["A. chair", "B. door"]) == (
        "These are frames of a video.\nWhich is closest to the bed?\nOptions:\nA. chair\nB. door\n"
        "Answer with the option's letter from the given choices directly."
    )


def test_chat_layout_puts_frames_first_and_opens_the_answer():
    prompt = chat_prompt("Q", [2, 1])
    assert prompt == (
        "<|im_start|>user\n<|vision_start|><|image_pad|><|image_pad|><|vision_end|>"
        "<|vision_start|><|image_pad|><|vision_end|>Q<|im_end|>\n<|im_start|>assistant\n"
    )
    assert "<think>" not in prompt
    assert answer_target("3") == "3<|im_end|>"


def test_option_letters():
    assert option_letters(["A. chair", "B. door", "C. sofa"]) == ["A", "B", "C"]
    with pytest.raises(SampleError, match="'chair'"):
        option_letters(["chair"])
    with pytest.raises(SampleError, match="empty options"):
        question_text("Q", [])
