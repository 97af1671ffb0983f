"""Params values that name a registered implementation and that only its registry can check:
`proposer.kind`, `loop.policy`, `feedback.policy`, each filter of `filters.*_scoring`
with its arguments (the operator is built, so its own argument checks run), and each reward
of `train.grpo.rewards` when `train.method` is grpo.

`load_params` checks types, ranges and cross-field rules; these names need the registries,
whose implementations every stage would otherwise depend on (and the loop policies import
torch). `check_registered_names` runs where a whole pipeline starts (`ouro demo`,
`ouro ablate`) and at the start of each round, so a typo stops them before any work.
"""

from curation.errors import ParamError, UnknownNameError
from ouroboros.errors import ParamsError
from ouroboros.params import Params


def check_registered_names(params: Params, where: str = "params.yaml") -> None:
    """Raise ParamsError naming the dotted key of the first name no registry knows."""
    from curation.feedback_policies import FEEDBACK_POLICIES
    from curation.filters import FilterContext, build
    from curation.proposer import PROPOSERS
    from ouroboros.loop_policies import LOOP_POLICIES

    for key, registry, name in (("proposer.kind", PROPOSERS, params.proposer.kind),
                                ("loop.policy", LOOP_POLICIES, params.loop.policy),
                                ("feedback.policy", FEEDBACK_POLICIES, params.feedback.policy)):
        try:
            registry[name]  # the registry's own lookup and message, with the params key in front
        except UnknownNameError as exc:
            raise ParamsError(f"{where}.{key}: {exc}") from None
    if params.train.method == "grpo":
        from training.errors import UnknownRewardError
        from training.rewards import REWARDS

        for name in params.train.grpo.rewards:
            try:
                REWARDS[name]
            except UnknownRewardError as exc:
                raise ParamsError(f"{where}.train.grpo.rewards: {exc}") from None
    for key in ("before_scoring", "after_scoring"):
        try:
            build(getattr(params.filters, key), FilterContext(bands=params.bands))
        except (ParamError, UnknownNameError) as exc:
            raise ParamsError(f"{where}.filters.{key}: {str(exc).removeprefix('params ')}") from None
