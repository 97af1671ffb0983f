"""The proposer's API text is generated from the sandbox's namespace, so the two cannot drift."""

import inspect

from curation.executor import api
from curation.executor.doc import NAMES, api_doc


def test_the_doc_names_exactly_what_a_program_finds_in_its_namespace():
    namespace = api.build_namespace({"object_bbox": {}, "object_counts": {}}, None)
    assert set(NAMES) == set(namespace) - set(api.HELPERS) - {"__builtins__"}
    doc = api_doc()
    for name in namespace.keys() - {"__builtins__"}:
        assert f"- {name}" in doc


def test_helpers_appear_with_their_real_parameters_and_docstrings():
    doc = api_doc()
    for name, fn in api.HELPERS.items():
        line = next(line for line in doc.splitlines() if line.startswith(f"- {name}("))
        assert list(inspect.signature(fn).parameters) == [
            p.split("=")[0].strip() for p in line[len(name) + 3: line.index(")")].split(",")]
        assert inspect.getdoc(fn).split()[0] in line
    assert "def compute_answer" not in doc and "compute_answer()" in doc
    assert "typing" not in doc and "collections.abc" not in doc
