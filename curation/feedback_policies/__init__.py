"""Feedback policies: registered, one per module; importing this package registers them all."""

from curation.feedback_policies import frontier, learnability, progress, spatialevo  # noqa: F401
from curation.feedback_policies.base import FEEDBACK_POLICIES, FeedbackPolicy, register

__all__ = ["FEEDBACK_POLICIES", "FeedbackPolicy", "register"]
