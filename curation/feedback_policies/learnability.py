"""`learnability` (R-Zero, LILO): weight = 4 x the smoothed mean q(1 - q) of the rows' success q.

q is each row's success (curation.bands.success under the `success` signal): the
chance-corrected gold confidence of a multiple-choice row, the MRA of a numeric one.
q(1 - q) peaks at q = 1/2, where a row is neither known nor hopeless and its gradient
teaches most; it is 0 for rows the solver always or never gets. The factor 4 puts the
weight in [0, 1] like the other policies', so `feedback.floor` means the same thing.
"""

from curation.feedback_policies.base import FeedbackPolicy, register


@register("learnability")
class Learnability(FeedbackPolicy):
    statistic = "learnability"

    @staticmethod
    def weight(smoothed: float) -> float:
        return 4.0 * smoothed
