from rich.console import Console
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.commands.demo import counts_table, eval_table
from tests.ouroboros.pipeline_fixtures import write_params

SUMMARY = {
    "r0": {"counts": {"proposed": 10, "valid": 8, "ambiguous": 1, "selected": 5},
           "eval": {"overall": 20.0, "object_counting": 30.0}, "eval_blind": {"overall": 19.0}},
    "r1": {"counts": {"proposed": 12, "valid": 9, "ambiguous": 2, "dropped_trivial": 3, "selected": 4},
           "bands": {"object_counting": {"easy": 3, "frontier": 6, "hard": 1},
                     "room_size_estimation": {"easy": 0, "frontier": 2, "hard": 0}},
           "eval": {"overall": 25.5, "object_counting": 40.0}, "eval_blind": {}},
}


def render(table) -> str:
    console = Console(width=80, record=True)
    console.print(table)
    return console.export_text()


def test_summary_tables_fit_80_columns_and_show_every_round():
    counts, evals = render(counts_table(SUMMARY)), render(eval_table(SUMMARY))
    assert all(len(line) <= 80 for line in (counts + evals).splitlines())
    r1 = next(line for line in counts.splitlines() if "r1" in line)
    assert r1.split() == ["r1", "12", "9", "2", "3", "0", "4", "3/8/1"]
    r0 = next(line for line in counts.splitlines() if "r0" in line)
    assert r0.split()[-1] == "-"  # no scores, no bands
    assert "count" in evals and "25.5" in evals and "19.0" in evals


def test_demo_outside_the_project_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--root", str(tmp_path)])
    assert result.exit_code == 2 and "is not the project root" in result.output


def test_demo_names_an_unregistered_policy_before_dvc_starts(tmp_path):
    (tmp_path / ".dvc").mkdir()
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    write_params(tmp_path, loop={"policy": "clsoed"})
    result = CliRunner().invoke(app, ["demo", "--root", str(tmp_path)])
    assert result.exit_code == 2
    known = "known: balanced, closed, open, static"
    assert f"params.yaml.loop.policy: no loop policy named 'clsoed'; {known}" in result.output
    assert not (tmp_path / "dvc.lock").exists() and not (tmp_path / "lake").exists()
