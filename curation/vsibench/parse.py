"""Parse VSI-Bench questions back into (task, categories, options).

Each of the ten question types has one fixed template in the benchmark; the regexes
below are those templates with the category slots left open. A parsed question names
its categories in metadata spelling (`_` <-> space handled by the caller's lookup;
`ALIASES` maps the few names the benchmark writes differently from its metadata).
"""

import re
from dataclasses import dataclass, field

from plumbing.options import option_text

# Names the benchmark's questions use for a metadata category of another name.
ALIASES = {"coat rack": "coat hanger"}

_OBJ = r"(?:the )?(.+?)"
TEMPLATES: dict[str, re.Pattern] = {
    "object_counting": re.compile(r"^How many (.+?)\(s\) are in this room\?"),
    "object_size_estimation": re.compile(
        r"^What is the length of the longest dimension \(length, width, or height\) of the (.+?), "
        r"measured in centimeters\?"
    ),
    "room_size_estimation": re.compile(r"^What is the size of this room \(in square meters\)\?"),
    "object_abs_distance": re.compile(
        r"^Measuring from the closest point of each object, what is the distance between the (.+?) and "
        r"the (.+?) \(in meters\)\?"
    ),
    "object_rel_distance": re.compile(
        r"^Measuring from the closest point of each object, which of these objects \((.+?)\) is the "
        r"closest to the (.+?)\?"
    ),
    "object_rel_direction_hard": re.compile(
        rf"^If I am standing by {_OBJ} and facing {_OBJ}, is {_OBJ} to my front-left, front-right, "
        r"back-left, or back-right\?"
    ),
    "object_rel_direction_medium": re.compile(
        rf"^If I am standing by {_OBJ} and facing {_OBJ}, is {_OBJ} to my left, right, or back\?"
    ),
    "object_rel_direction_easy": re.compile(
        rf"^If I am standing by {_OBJ} and facing {_OBJ}, is {_OBJ} to the left or the right of {_OBJ}\?"
    ),
    "obj_appearance_order": re.compile(
        r"^What will be the first-time appearance order of the following categories in the video: (.+?)\?"
    ),
    # Route questions are free text around a hand-drawn path; only the opening is fixed.
    "route_planning": re.compile(r"^You are a robot beginning at "),
}


@dataclass(frozen=True)
class ParsedQuestion:
    task: str
    # role -> category in metadata spelling. Roles: "object" (counting, size),
    # "a"/"b" (abs distance), "target" + "choices" (rel distance),
    # "standing"/"facing"/"query" (direction), "order" (appearance order).
    categories: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    options: tuple[str, ...] | None = None  # option texts without the "A. " prefix


class UnparseableQuestion(ValueError):
    """A question that matches none of the benchmark's templates."""


def _name(raw: str) -> str:
    name = raw.strip().removeprefix("the ").strip()
    return ALIASES.get(name, name)


def option_texts(options: list[str] | None) -> tuple[str, ...] | None:
    if options is None:
        return None
    return tuple(option_text(o).strip() for o in options)


def parse_question(question_type: str, question: str, options: list[str] | None) -> ParsedQuestion:
    """Parse one benchmark question; raises UnparseableQuestion naming the type."""
    pattern = TEMPLATES.get(question_type)
    if pattern is None:
        raise UnparseableQuestion(f"unknown question_type {question_type!r}")
    match = pattern.match(question.strip())
    if match is None:
        raise UnparseableQuestion(f"{question_type}: question does not follow the template: {question[:80]!r}")
    groups = [_name(g) for g in match.groups()]
    texts = option_texts(options)
    roles: dict[str, str | tuple[str, ...]]
    if question_type in ("object_counting", "object_size_estimation"):
        roles = {"object": groups[0]}
    elif question_type == "room_size_estimation":
        roles = {}
    elif question_type == "object_abs_distance":
        roles = {"a": groups[0], "b": groups[1]}
    elif question_type == "object_rel_distance":
        roles = {"target": groups[1], "choices": tuple(_name(c) for c in texts or groups[0].split(","))}
    elif question_type.startswith("object_rel_direction"):
        roles = {"standing": groups[0], "facing": groups[1], "query": groups[2]}
        if question_type == "object_rel_direction_easy" and groups[3] != groups[1]:
            raise UnparseableQuestion(f"{question_type}: facing object {groups[1]!r} != {groups[3]!r}")
    elif question_type == "obj_appearance_order":
        roles = {"order": tuple(_name(c) for c in groups[0].split(","))}
    else:  # route_planning: the route needs the real video, so no categories are taken
        roles = {}
    return ParsedQuestion(task=question_type, categories=roles, options=texts)
