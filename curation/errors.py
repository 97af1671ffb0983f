"""Errors of the curation layer; each names the file/scene/field a user must fix."""

from store.errors import UserFacingError


class SceneFormatError(UserFacingError, ValueError):
    """A scene metadata file or record that does not follow the VSI-Bench meta format."""

    def __init__(self, where: str, field: str, problem: str):
        self.where, self.field, self.problem = where, field, problem
        super().__init__(f"{where}: field {field!r}: {problem}")


class KnobError(UserFacingError, ValueError):
    """A generator or renderer setting outside its documented range."""

    def __init__(self, knob: str, value: object, expected: str):
        self.knob, self.value, self.expected = knob, value, expected
        super().__init__(f"{knob}={value!r}: expected {expected}")


class VideoError(UserFacingError, ValueError):
    """A video file that cannot be decoded (corrupt, truncated, or without a video stream)."""

    def __init__(self, path: str, problem: str):
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


class VideoNotFoundError(UserFacingError, FileNotFoundError):
    """A video path that does not exist."""

    def __str__(self) -> str:
        return str(self.args[0])


class ParamError(UserFacingError, ValueError):
    """A parameter outside its allowed range; the message names the section and field."""

    def __init__(self, section: str, field: str, problem: str):
        self.section, self.field, self.problem = section, field, problem
        super().__init__(f"params {section}.{field}: {problem}")


class UnknownNameError(UserFacingError, KeyError):
    """A task, filter or policy name that no registry holds."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class CorpusFormatError(UserFacingError, ValueError):
    """A reference corpus file that is not a list of QA records with code."""


class AnnotationFormatError(UserFacingError, ValueError):
    """A benchmark annotation file or row that lacks a field or holds a wrong type."""

    def __init__(self, where: str, field: str, problem: str):
        self.where, self.field, self.problem = where, field, problem
        super().__init__(f"{where}: field {field!r}: {problem}")


class ServerUnreachableError(UserFacingError, ConnectionError):
    """The proposer's OpenAI-compatible server answered none of a batch's requests."""
