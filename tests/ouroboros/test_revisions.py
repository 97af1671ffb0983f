"""Rounds read at a Git revision or a `dvc exp` experiment, in a real (tiny) DVC project.

The project has one stage that writes round 1's qa partition from rows.json. After a
commit of `dvc init` alone (HEAD~1), round 1 is committed (HEAD), then rerun from other
rows as experiment `exp-b`, which also leaves its rows in the working tree.
"""

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.commands.demo import dvc_env
from ouroboros.commands.diff import Spec, side_rows
from store.diff import diff
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
runner = CliRunner()

WRITER = """\
import json
from store import Lake
from tests.store.test_schema import qa_row
rows = [qa_row(round=1, **row) for row in json.load(open("rows.json"))]
Lake("lake").write("qa", rows, mode="overwrite", partition="r1")
"""
STAGES = {"stages": {"round1": {"cmd": "python write_round.py", "deps": ["write_round.py", "rows.json"],
                                "outs": ["lake/qa__r1.lance"]}}}
ROOM = "room_size_estimation"
COMMITTED = [{"qa_id": "a", "difficulty_bin": "easy", "selected": True},
             {"qa_id": "b", "difficulty_bin": "hard"},
             {"qa_id": "c", "task": ROOM, "difficulty_bin": "hard", "selected": True}]
EXPERIMENT = [{"qa_id": "a", "difficulty_bin": "easy", "selected": True, "answer": "3"},  # answer changed
              {"qa_id": "b", "difficulty_bin": "hard", "selected": True},  # now trained on
              {"qa_id": "d", "task": ROOM, "difficulty_bin": "hard", "selected": True}]  # c removed, d added


def sh(proj: Path, *args: str) -> None:
    env = dvc_env() | {"PYTHONPATH": str(ROOT)}  # the stage's script imports this checkout's store
    result = subprocess.run(args, cwd=proj, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    proj = tmp_path_factory.mktemp("revisions")
    sh(proj, "git", "init", "-q")
    sh(proj, "git", "config", "user.email", "test@example.com")
    sh(proj, "git", "config", "user.name", "test")
    sh(proj, "dvc", "init", "-q")
    sh(proj, "git", "commit", "-qm", "dvc init")  # HEAD~1: a revision without round 1
    (proj / "write_round.py").write_text(WRITER)
    (proj / "dvc.yaml").write_text(yaml.safe_dump(STAGES))
    (proj / "rows.json").write_text(json.dumps(COMMITTED))
    sh(proj, "dvc", "repro", "-q")
    sh(proj, "git", "add", "-A")
    sh(proj, "git", "commit", "-qm", "round 1")
    (proj / "rows.json").write_text(json.dumps(EXPERIMENT))
    sh(proj, "dvc", "exp", "run", "-q", "-n", "exp-b")
    return proj


def test_a_commit_and_an_experiment_differ_by_exactly_the_rows_that_changed(project, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the revisions' copies go
    lake = project / "lake"
    with side_rows(Spec("qa__r1", rev="HEAD"), lake) as old, side_rows(Spec("qa__r1", rev="exp-b"), lake) as new:
        result = diff(old, new, columns=["answer", "selected"])
        assert list(tmp_path.iterdir())  # both copies exist while the rows are read
    assert result.added["qa_id"].to_list() == ["d"] and result.removed["qa_id"].to_list() == ["c"]
    assert sorted(result.changed["qa_id"].to_list()) == ["a", "b"]
    assert not list(tmp_path.iterdir())  # and are deleted afterwards


def test_cli_diff_of_an_experiment_shows_the_cells_each_side_trained_on(project):
    lake = str(project / "lake")
    result = runner.invoke(app, ["diff", "r1@HEAD", "r1@exp-b", "--lake", lake, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["added"], summary["removed"], summary["changed"]) == (1, 1, 2)
    assert summary["trained"] == [
        {"task": "object_counting", "difficulty_bin": "easy", "only_a": 0, "only_b": 0, "both": 1},
        {"task": "object_counting", "difficulty_bin": "hard", "only_a": 0, "only_b": 1, "both": 0},
        {"task": ROOM, "difficulty_bin": "hard", "only_a": 1, "only_b": 1, "both": 0},
    ]
    # the working tree holds the experiment's rows; a plain round number still means the working tree
    text = runner.invoke(app, ["diff", "r1@HEAD", "1", "--lake", lake])
    assert text.exit_code == 0, text.output
    assert "added 1, removed 1, changed 2" in text.output and "selected: False -> True" in text.output


@pytest.mark.parametrize(("spec", "message"), [
    ("r1@no-such-exp", "B (r1@no-such-exp): unknown Git revision or DVC experiment 'no-such-exp'"),
    ("r1@HEAD~1", "B (r1@HEAD~1): round 1 does not exist in"),
    ("r2@exp-b", "rounds there: 1"),
])
def test_bad_revisions_are_one_line_naming_the_side(project, spec, message):
    result = runner.invoke(app, ["diff", "r1@HEAD", spec, "--lake", str(project / "lake")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_a_lake_outside_a_dvc_project_has_no_revisions(tmp_path):
    result = runner.invoke(app, ["diff", "r1@HEAD", "1", "--lake", str(tmp_path / "lake")])
    assert result.exit_code == 2 and "A (r1@HEAD):" in result.output and "not inside a DVC project" in result.output
