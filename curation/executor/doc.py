"""The program API as text for a model-as-proposer, generated from the sandbox's own namespace.

Helpers are listed from `api.HELPERS` with their real signatures and docstrings; the other
names from `NAMES`, which a test holds equal to what `api.build_namespace` provides. So
what a proposer is told and what its program finds when it runs cannot drift apart.
"""

import inspect

from curation.executor import api

# Every non-helper name of api.build_namespace (bar __builtins__), with its meaning.
NAMES = {
    "scene_info": "the scene's metadata dict (VSI-Bench meta format)",
    "frame_info": "per-frame data dict (first appearance, visible fractions; may be empty)",
    "object_counts": "{category: int}: how many of each category the scene holds",
    "object_bboxes": "{category: [box, ...]}; a box has centroid [3], axesLengths [3] (full edge lengths, m), "
                     "normalizedAxes [9] (row-major 3x3, rows are the box's unit axes), min [3], max [3]",
    "object_bbox": "the same dict as object_bboxes (the VSI-Bench files' name)",
    "room_size": "floor area in m^2",
    "room_center": "[x, y, z] in m",
    "inf": "float('inf')",
    "np": "numpy, read-only (no file I/O)",
    "numpy": "the same as np",
    "math": "the math module, read-only",
}

PREAMBLE = (
    "A program defines compute_answer() with no arguments and returns the answer. Coordinates are metres "
    "in the scene's frame, +z up. Only numpy and math may be imported (they are already in the namespace); "
    "files, network, processes and introspection are unavailable, and time is bounded."
)


def api_doc() -> str:
    """The API text: preamble, the namespace names, then every helper as `signature: docstring`."""
    names = [f"- {name}: {meaning}" for name, meaning in NAMES.items()]
    helpers = [f"- {name}{_plain_signature(fn)}: {' '.join((inspect.getdoc(fn) or '').split())}"
               for name, fn in api.HELPERS.items()]
    return "\n".join([PREAMBLE, "", "Names:", *names, "", "Helpers:", *helpers])


def _plain_signature(fn) -> inspect.Signature:
    """The signature without type hints: `typing.Any` and `collections.abc` paths only confuse a model."""
    sig = inspect.signature(fn)
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return sig.replace(parameters=params, return_annotation=inspect.Signature.empty)
