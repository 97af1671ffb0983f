"""The feedback policy registry and the contract a policy follows (params `feedback.policy`).

A policy names one per-group statistic of this round's scores (a column of
curation.feedback's group table: `accuracy`, `mean_confidence`, `frontier_share`,
`learnability`, `progress` (null where the probe gave no evidence), or a band count) and
turns its moving average over rounds into the group's weight (by default the average
itself). curation.feedback does the grouping, the smoothing and the floor, so a policy is
just these two choices.
"""

from collections.abc import Callable

from curation.registry import Registry


class FeedbackPolicy:
    statistic: str = ""  # the group statistic that is smoothed over rounds

    @staticmethod
    def weight(smoothed: float) -> float:
        """The weight of a group whose smoothed statistic is `smoothed`, before the floor."""
        return smoothed


FEEDBACK_POLICIES: Registry[type[FeedbackPolicy]] = Registry("feedback policy")


def register(name: str) -> Callable[[type[FeedbackPolicy]], type[FeedbackPolicy]]:
    return FEEDBACK_POLICIES.register(name)
