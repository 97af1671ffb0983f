"""Loop policies: registered, one per module (file name = params `loop.policy`); importing
this package registers them all."""

from ouroboros.loop_policies import balanced, closed, open, static  # noqa: F401
from ouroboros.loop_policies.base import LOOP_POLICIES, LoopPolicy, register

__all__ = ["LOOP_POLICIES", "LoopPolicy", "register"]
