"""Errors of the plumbing. The clients above turn them into their own (curation.errors,
training.errors), which say what the user should fix; these only say what happened."""


class NoReply(ConnectionError):
    """No final HTTP reply from `url` in `attempts` tries; `last` is the last try's cause: the
    network error (timeout, refused, reset) or the retried HTTP status it got."""

    def __init__(self, url: str, attempts: int, last: BaseException | str | int | None):
        self.url, self.attempts, self.last = url, attempts, last
        super().__init__(f"{url} gave no reply after {attempts} attempt{'s' if attempts != 1 else ''} "
                         f"(last: {self.cause})")

    @property
    def cause(self) -> str:
        """The last cause in a few words: "HTTP 503", "timed out", "[Errno 111] Connection refused"."""
        return f"HTTP {self.last}" if isinstance(self.last, int) else str(self.last)

    @property
    def timed_out(self) -> bool:
        return isinstance(self.last, TimeoutError)
