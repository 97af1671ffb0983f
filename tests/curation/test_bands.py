"""Bands on the paper's gold probability or on success (MRA for numbers), and their params."""

import polars as pl
import pytest
from pydantic import ValidationError

from curation.bands import BandParams, band, band_counts

ROWS = pl.DataFrame({
    "answer_type": ["numeric", "numeric", "numeric", "mca", "mca"],
    "options": [None, None, None, ["A. x", "B. y"], ["A. x", "B. y"]],
    "confidence": [0.33, 0.95, 0.5, 0.97, 0.5],  # p(gold); the two-option rows have chance 1/2
    "mra": [1.0, 0.0, None, None, None],  # None: an older lake's numeric score, and every choice
    "task": ["room", "room", "room", "dir", "dir"],
})


def test_gold_prob_bands_follow_the_paper_and_success_bands_use_mra_for_numbers():
    paper = ROWS.select(band(BandParams(signal="gold_prob")).alias("band"))["band"].to_list()
    assert paper == ["frontier", "easy", "frontier", "easy", "hard"]
    fixed = ROWS.select(band(BandParams()).alias("band"))["band"].to_list()  # success: the default
    assert fixed == ["easy", "hard", "frontier", "easy", "hard"]  # MRA 1 / 0; no MRA: the confidence
    counts = band_counts(ROWS, "task", BandParams(signal="success"))
    assert counts.rows() == [("dir", 1, 0, 1, 2), ("room", 1, 1, 1, 3)]


def test_an_unknown_signal_names_the_key():
    with pytest.raises(ValidationError, match=r"signal\n  Input should be 'gold_prob' or 'success'"):
        BandParams(signal="mra")
