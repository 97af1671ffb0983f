"""Errors of the loop layer (params, rounds, CLI input)."""

from store.errors import UserFacingError


class ParamsError(UserFacingError, ValueError):
    """params.yaml (or a CLI option) has an unknown key, a wrong type or a bad value."""


class CliInputError(UserFacingError, ValueError):
    """A CLI argument that names something that does not exist or makes no sense."""


class StageInputError(UserFacingError, FileNotFoundError):
    """A stage's input (an earlier stage's output) is missing or corrupt; nothing was written."""

    def __str__(self) -> str:
        return str(self.args[0])


class RevisionError(UserFacingError, LookupError):
    """A DVC revision or experiment whose lake cannot be read: unknown, outside a DVC project, or not cached."""


class LaunchError(UserFacingError, RuntimeError):
    """A process of a multi-process stage (--processes K) failed; the others were stopped."""


class FetchError(UserFacingError, OSError):
    """`ouro data fetch`: a file could not be downloaded or verified; nothing of it was left in the data folder."""


class EngineError(UserFacingError, RuntimeError):
    """The `ray` engine cannot start: the cluster at RAY_ADDRESS does not answer; nothing was run."""
