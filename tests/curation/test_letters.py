from collections import Counter

import polars as pl

from curation.gold import execute_proposals
from curation.proposer import TemplateProposer


def test_gold_letters_are_uniform_over_1000_executed_questions(real_scenes, executor):
    rows = TemplateProposer(seed=11).propose(real_scenes, 6600)  # relative direction gets a sixth
    mca = rows.filter(pl.col("task").str.starts_with("object_rel_direction")).head(1000)
    assert mca.height == 1000
    out = execute_proposals(mca, real_scenes, executor).filter(pl.col("answer").is_not_null())
    assert out.height > 700
    for n_options, group in out.group_by(pl.col("options").list.len()):
        counts = Counter(group["answer"])
        expected = group.height / n_options[0]
        assert set(counts) == set("ABCD"[: n_options[0]])
        # binomial spread: 4 standard deviations of a fair letter draw
        bound = 4 * (expected * (1 - 1 / n_options[0])) ** 0.5
        assert all(abs(c - expected) <= bound for c in counts.values()), (n_options, counts)
