"""Errors of the solver package. Each one a user can act on mixes in `UserFacingError`
and subclasses a built-in, so the CLI prints it as one line and callers can catch the
built-in (`ValueError`, `FileNotFoundError`, `KeyError`)."""

from store.errors import UserFacingError


class SolverNotFoundError(UserFacingError, FileNotFoundError):
    """A solver spec names a directory that does not exist or holds no checkpoint."""


class SolverSpecError(UserFacingError, ValueError):
    """A solver spec, size override or saved solver config is malformed."""


class TrainParamsError(UserFacingError, ValueError):
    """A `TrainParams` field has a bad value; the message names the field."""

    def __init__(self, field: str, expected: str, got: object):
        self.field = field
        super().__init__(f"TrainParams.{field}: expected {expected}, got {got!r}")


class SampleError(UserFacingError, ValueError):
    """A sample row cannot be turned into a prompt (missing frames, bad options, missing column)."""


class ImageDecodeError(UserFacingError, ValueError):
    """A frame's image bytes are not a decodable image; the message names the frame."""


class OptimizerStateWarning(UserWarning):
    """Saved optimizer state cannot be resumed (missing, unreadable, or for other parameters);
    training goes on with a fresh optimizer and LR schedule. The message names the directory."""


class ScoringServerError(UserFacingError, ConnectionError):
    """The scoring server (solver.backend: vllm) cannot be reached or does not serve the model;
    the message names the URL and the cause."""


class ScoringReplyError(UserFacingError, ValueError):
    """A scoring server's reply lacks what the confidence needs (prompt log-probs of the gold
    tokens, a generated answer); the message names the sample's qa_id and the field."""


class UnservableSolverError(UserFacingError, ValueError):
    """The scoring solver is weights the vLLM server cannot serve (full fine-tuned weights that
    are not the served checkpoint); the message says which backend to use instead."""


class UnknownRewardError(UserFacingError, KeyError):
    """A GRPO reward name that training.rewards.REWARDS does not hold."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])
