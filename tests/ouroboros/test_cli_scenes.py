from typer.testing import CliRunner

from ouroboros.cli import app
from store import Lake

runner = CliRunner()


def test_import_is_idempotent_and_status_lists_tables(tmp_path, scannet_meta, scannetpp_meta):
    lake = tmp_path / "lake"
    first = runner.invoke(app, ["scenes", "import", str(scannet_meta), str(scannetpp_meta), "--lake", str(lake)])
    assert first.exit_code == 0, first.output
    assert "added 138" in first.output
    again = runner.invoke(app, ["scenes", "import", str(scannet_meta), "--lake", str(lake)])
    assert again.exit_code == 0 and "added 0, 88 already" in again.output
    assert Lake(lake).count("scenes") == 138 and len(Lake(lake).versions("scenes")) == 2
    status = runner.invoke(app, ["status", "--lake", str(lake)])
    assert status.exit_code == 0 and "scenes" in status.output and "138" in status.output


def test_bad_file_is_one_line_exit_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"s": {"room_size": 1')
    lake = tmp_path / "lake"
    result = runner.invoke(app, ["scenes", "import", str(bad), "--lake", str(lake)])
    assert result.exit_code == 2
    assert "bad.json" in result.output and "not valid JSON" in result.output
    assert "Traceback" not in result.output
    assert Lake(lake).tables() == []


def test_status_of_a_missing_lake(tmp_path):
    result = runner.invoke(app, ["status", "--lake", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no lake" in result.output


def test_help_everywhere():
    for args in (["--help"], ["scenes", "--help"], ["scenes", "import", "--help"], ["status", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output
