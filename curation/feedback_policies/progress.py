"""`progress` (teacher-student curriculum learning): weight = smoothed absolute learning progress.

A group's progress is |gain| on the held-in probe: how much its mean success moved under
the last round's training (curation.feedback, `probe_cells`). Budget goes where the solver
is learning, or forgetting, fastest; a group whose probe cells have fewer than
`feedback.min_probe_rows` rows has no gain and keeps its prior weight (curation.feedback).
"""

from curation.feedback_policies.base import FeedbackPolicy, register


@register("progress")
class Progress(FeedbackPolicy):
    statistic = "progress"  # the weight is the progress itself
