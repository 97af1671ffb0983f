"""`frontier` (the paper): weight = the smoothed share of frontier rows.

A task the solver has mastered (mostly easy) and one it cannot learn (hard round after
round) both fall to the floor; budget moves to where confidence is neither.
"""

from curation.feedback_policies.base import FeedbackPolicy, register


@register("frontier")
class Frontier(FeedbackPolicy):
    statistic = "frontier_share"  # the weight is the share itself
