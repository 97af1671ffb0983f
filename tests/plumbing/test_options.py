"""The lettered-option format: what proposers write is what gold, prompts and audits read back."""

from plumbing.options import LETTERS, lettered, option_for, option_letter, option_text


def test_lettered_options_read_back_to_their_letters_and_texts():
    texts = ["chair", "trash bin", "table, lamp, sofa", "3.5 m. away"]
    options = lettered(texts)
    assert options[:2] == ("A. chair", "B. trash bin")
    assert [option_letter(o) for o in options] == list(LETTERS[: len(texts)])
    assert [option_text(o) for o in options] == texts  # commas and later dots belong to the text


def test_unlettered_text_has_no_letter_and_is_its_own_text():
    for option in ("chair", "a. chair", "AB. chair", "1. chair", ""):
        assert option_letter(option) is None
        assert option_text(option) == option


def test_looser_spacing_after_the_dot_still_reads():
    assert (option_letter("C.door"), option_text("C.door")) == ("C", "door")
    assert option_text("D.   tv") == "tv"


def test_option_for_finds_the_option_of_a_letter():
    options = ["A. chair", "B. door"]
    assert option_for("B", options) == "B. door"
    assert option_for("C", options) is None
    assert option_for(None, options) is None
    assert option_for("A", None) is None
