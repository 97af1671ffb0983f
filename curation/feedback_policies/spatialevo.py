"""`spatialevo` (SpatialEvo's scheduler): weight = 1 - smoothed accuracy, where a numeric
row's accuracy is its MRA (VSI-Bench's score), so close numeric answers count as learned."""

from curation.feedback_policies.base import FeedbackPolicy, register


@register("spatialevo")
class SpatialEvo(FeedbackPolicy):
    statistic = "accuracy"

    @staticmethod
    def weight(smoothed: float) -> float:
        return 1.0 - smoothed
