"""The one way a params section is declared, in every layer: a frozen pydantic dataclass.

    @dataclass(frozen=True, config=STRICT)
    class SelectionParams:
        budget: Annotated[int, Field(ge=0)] = 200            # a type and a range
        policy: Literal["closed", "open"] = "closed"          # a closed set of words

        @model_validator(mode="after")                        # a rule over several keys
        def _frontier_below_budget(self):
            if ...: raise ValueError("frontier: must be ... (set ...)")  # start with the key, say what to set
            return self

STRICT rejects unknown keys and wrong types ("10" is not an int, true is not a number;
an int is a fine float). Built directly in code, a bad value raises pydantic's
ValidationError (a ValueError); `ouroboros.params.load_params` turns the first one into
a ParamsError naming the dotted key. Names that a registry owns (filters, proposers,
policies) are checked at load by ouroboros.registered, which imports the registries.
"""

from pydantic import ConfigDict

STRICT = ConfigDict(extra="forbid", strict=True)
