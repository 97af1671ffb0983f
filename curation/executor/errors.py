"""Errors of the executor a caller can act on (program failures are results, never exceptions)."""

from store.errors import UserFacingError


class JobFormatError(UserFacingError, ValueError):
    """A job passed to `Executor.map` is malformed; names the job index and the field."""

    def __init__(self, index: int, field: str, problem: str):
        self.index, self.field, self.problem = index, field, problem
        super().__init__(f"job {index}: {field}: {problem}")


class ExecutorError(UserFacingError, RuntimeError):
    """The sandbox itself cannot run (workers fail to start, executor closed)."""
