"""Params values that name a registered implementation and that only its registry can check.

`load_params` leaves `proposer.kind` and `loop.policy` to the stage that uses them: listing
their registries imports the implementations (torch among them), seconds that every `ouro`
call and every light stage would pay. Verbs that start a whole pipeline (`ouro demo`,
`ouro ablate`) check them here first, so a typo stops them before the first stage.
"""

from curation.errors import UnknownNameError
from ouroboros.errors import ParamsError
from ouroboros.params import Params


def check_registered_names(params: Params, where: str = "params.yaml") -> None:
    from curation.proposer import PROPOSERS
    from ouroboros.loop_policies import LOOP_POLICIES

    for key, registry, name in (("proposer.kind", PROPOSERS, params.proposer.kind),
                                ("loop.policy", LOOP_POLICIES, params.loop.policy)):
        try:
            registry[name]  # the registry's own lookup and message, with the params key in front
        except UnknownNameError as exc:
            raise ParamsError(f"{where}.{key}: {exc}") from None
