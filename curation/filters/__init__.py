"""Filters: registered operators, one per module, and recipes that chain them.

Importing this package registers every operator. The recipe the pipeline runs is
params.yaml's `filters` (ordered: invalid first, so drop_reason says "invalid" before
anything subtler, then ambiguity, duplicates, and the confidence-based filters that need
earlier rounds' scores).
"""

from curation.filters import (  # noqa: F401
    blind_solvable,
    cartography,
    dedupe,
    invalid,
    llm_check,
    near_duplicate,
    near_tie,
    perturbation,
    trivial,
    zero_variance,
)
from curation.filters.base import FILTERS, Filter, FilterContext, get_filter, register
from curation.filters.recipe import Recipe, apply_recipe, build, decide, measure

__all__ = [
    "FILTERS", "Filter", "FilterContext", "Recipe", "apply_recipe", "build", "decide",
    "get_filter", "measure", "register",
]
