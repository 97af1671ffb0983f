""".ci/lock_check.py: a changed code or params dep is a stale lock; missing outputs are not."""

import importlib.util

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("lock_check", ROOT / ".ci" / "lock_check.py")
lock_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock_check)

TRACKED = {"curation", "curation/filters", "curation/filters/dedupe.py", "params.yaml"}


def test_changed_code_and_params_deps_name_the_stage_and_file():
    status = {"round@1": [{"changed deps": {"curation/filters": "modified", "params.yaml": {"train.lr": "modified"},
                                            "runs/scenes.json": "deleted"}},
                          {"changed outs": {"lake/qa_r1.lance": "not in cache"}}]}
    assert lock_check.stale_deps(status, TRACKED) == [
        "round@1: curation/filters (modified)", "round@1: params.yaml train.lr (modified)"]


def test_outputs_and_untracked_deps_do_not_count():
    status = {"scenes": [{"changed deps": {"../shared/data/meta.json": "deleted",
                                           "runs/eval/fingerprint.json": "deleted"}},
                         {"changed outs": {"lake/scenes.lance": "not in cache"}}, "always changed"]}
    assert lock_check.stale_deps(status, TRACKED) == []
