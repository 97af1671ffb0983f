"""curation.registry: names in, lookups that list the known names, and toys that leave after their test."""

import pytest

from curation.errors import UnknownNameError
from curation.registry import Registry


def test_a_registered_entry_is_looked_up_and_a_taken_name_is_refused():
    reg: Registry[int] = Registry("number")
    reg.register("one")(1)
    assert (reg["one"], list(reg), "one" in reg) == (1, ["one"], True)
    with pytest.raises(ValueError, match="number name 'one' is already registered by 1"):
        reg.register("one")(2)
    with pytest.raises(UnknownNameError, match="no number named 'two'; known: one"):
        reg["two"]


def test_registered_holds_an_entry_for_the_with_block_only_even_when_it_raises():
    reg: Registry[int] = Registry("number")
    with reg.registered("toy", 7) as entry:
        assert (entry, reg["toy"]) == (7, 7)
    assert "toy" not in reg
    with pytest.raises(RuntimeError), reg.registered("toy", 7):
        raise RuntimeError
    assert "toy" not in reg and len(reg) == 0
    with pytest.raises(ValueError, match="already registered"):  # a taken name is refused here too, and kept
        with reg.registered("toy", 7), reg.registered("toy", 8):
            pass
    assert "toy" not in reg
