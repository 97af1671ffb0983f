from dataclasses import replace

import pytest

from curation.bands import BandParams
from curation.errors import ParamError, UnknownNameError
from curation.filters import FILTERS, FilterContext, apply_recipe, build, decide, measure, register
from curation.filters.base import Filter
from tests.curation.builders import qa_frame, scores_frame


def test_registering_a_taken_name_raises():
    with pytest.raises(ValueError, match="already registered"):
        register("invalid")(type("Again", (Filter,), {}))
    assert set(FILTERS) >= {"invalid", "near_tie", "perturbation", "dedupe", "trivial", "cartography"}


def test_unknown_operator_and_bad_kwargs_name_the_step():
    with pytest.raises(UnknownNameError, match="no filter named 'nope'"):
        build([{"nope": {}}])
    with pytest.raises(ParamError, match=r"filters.\[0\].dedupe"):
        build([{"dedupe": {"bogus": 1}}])


def test_drop_reason_is_the_first_flagged_operator_in_recipe_order_and_thresholds_redecide_without_remeasuring():
    rows = qa_frame([{"qa_id": "q", "task": "object_rel_distance", "difficulty": {"margin": 0.1}}])
    ctx = FilterContext(scores=scores_frame([{"qa_id": "q", "confidence": 0.95}]))
    out = apply_recipe(rows, [{"trivial": {}}, {"near_tie": {}}], ctx)
    assert (out["drop_reason"][0], out["ambiguous"][0]) == ("trivial", True)
    assert [f["filter"] for f in out["flags"][0]] == ["trivial", "near_tie"]

    ops = build([{"trivial": {}}], ctx)
    stats = measure(rows, ops, ctx)
    assert decide(rows, ops, stats)["drop_reason"][0] == "trivial"
    looser = build([{"trivial": {}}], replace(ctx, bands=BandParams(easy=0.99)))
    assert decide(rows, looser, stats)["drop_reason"][0] is None


def test_reapplying_an_operator_replaces_its_flag():
    rows = qa_frame([{"qa_id": "q"}])
    once = apply_recipe(rows, [{"invalid": {}}, {"dedupe": {}}])
    twice = apply_recipe(once, [{"invalid": {}}])
    assert [f["filter"] for f in twice["flags"][0]] == ["dedupe", "invalid"]
