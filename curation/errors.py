"""Errors of the curation layer; each names the file/scene/field a user must fix."""

from store.errors import UserFacingError


class SceneFormatError(UserFacingError, ValueError):
    """A scene metadata file or record that does not follow the VSI-Bench meta format."""

    def __init__(self, where: str, field: str, problem: str):
        self.where, self.field, self.problem = where, field, problem
        super().__init__(f"{where}: field {field!r}: {problem}")
