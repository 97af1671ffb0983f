"""Opening the lake a user names: paths, s3:// URIs from the AWS environment, and every
way that can go wrong, each one line naming the lake and the cause, before any work."""

import re

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.lakes import open_lake, storage_options
from store.errors import LakeAccessError
from tests.s3_emulator import free_port
from tests.store.test_schema import qa_row

runner = CliRunner()
KEYS = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}


def test_storage_options_come_from_the_aws_environment():
    options = storage_options("s3://bucket/lake", KEYS | {"AWS_ENDPOINT_URL": "http://127.0.0.1:9000"})
    assert options == {"aws_access_key_id": "k", "aws_secret_access_key": "s", "aws_region": "us-east-1",
                       "aws_endpoint": "http://127.0.0.1:9000", "allow_http": "true"}
    aws = storage_options("s3://bucket/lake", KEYS | {"AWS_REGION": "eu-west-1", "AWS_SESSION_TOKEN": "t"})
    assert "allow_http" not in aws and aws["aws_region"] == "eu-west-1" and aws["aws_session_token"] == "t"
    assert storage_options("lake", {}) == {} and storage_options("memory://x", {}) == {}


@pytest.mark.parametrize(("uri", "env", "cause"), [
    ("s4://bucket/lake", KEYS, "unknown scheme 's4'://"),
    ("s3:///lake", KEYS, "no bucket in the URI"),
    ("s3://bucket/lake", {"AWS_ACCESS_KEY_ID": "k"}, "missing credentials: set AWS_SECRET_ACCESS_KEY"),
])
def test_bad_uris_and_missing_credentials_name_the_lake(uri, env, cause):
    with pytest.raises(LakeAccessError, match="^lake " + uri.replace("+", r"\+") + ": ") as info:
        storage_options(uri, env)
    assert cause in str(info.value) and "\n" not in str(info.value)


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_cli_errors_before_any_work(monkeypatch, s3_emulator):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    line = one_line_error(runner.invoke(app, ["scenes", "generate", "--n", "2", "--lake", "s3://bucket/lake"]))
    assert line.startswith("error: lake s3://bucket/lake: missing credentials")
    for name, value in (KEYS | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}).items():
        monkeypatch.setenv(name, value)
    line = one_line_error(runner.invoke(app, ["status", "--lake", "s3://bucket/lake"]))
    assert line.startswith("error: lake s3://bucket/lake: endpoint unreachable"), line
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_emulator.endpoint)
    line = one_line_error(runner.invoke(app, ["status", "--lake", "s3://no-such-bucket-here/lake"]))
    assert line.startswith("error: lake s3://no-such-bucket-here/lake: no such bucket"), line


def test_every_query_verb_reads_a_lake_on_s3(s3_lake_uri):
    result = runner.invoke(app, ["scenes", "generate", "--n", "2", "--lake", s3_lake_uri])
    assert result.exit_code == 0, result.output
    lake = open_lake(s3_lake_uri)
    assert lake.count("scenes") == 2
    lake.write("qa", [qa_row(qa_id="a", round=1), qa_row(qa_id="b", round=1)], partition="r1")
    lake.write("qa", [qa_row(qa_id="b", round=1, answer="5"), qa_row(qa_id="c", round=1)], mode="overwrite",
               partition="r1")
    status = runner.invoke(app, ["status", "--lake", s3_lake_uri], env={"COLUMNS": "200"})
    assert status.exit_code == 0 and "qa__r1" in status.output and "scenes" in status.output
    sliced = runner.invoke(app, ["slice", "--lake", s3_lake_uri, "--round", "1", "-f", "csv"])
    assert sliced.exit_code == 0, sliced.output
    assert sorted(pl.read_csv(sliced.output.encode())["qa_id"].to_list()) == ["b", "c"]
    changed = runner.invoke(app, ["diff", "qa__r1@2", "qa__r1@3", "--lake", s3_lake_uri, "--json"])
    assert changed.exit_code == 0, changed.output
    assert '"added": 1' in changed.output and '"removed": 1' in changed.output and '"changed": 1' in changed.output



@pytest.mark.parametrize(("lake", "message"), [
    ({"uri": "s3://b/lake"}, "params.yaml.lake.track: 'directory' needs a local lake, but uri is s3://b/lake"),
    ({"uri": "s3://b/lake", "track": "manifest"}, "lake.track: 'manifest' needs suffix: .json"),
    ({"uri": "data", "outs": "lake"}, "lake.track: 'directory' needs outs: data (the uri)"),
])
def test_lake_params_must_agree_with_dvc_outs(tmp_path, lake, message):
    from ouroboros.errors import ParamsError
    from ouroboros.params import load_params

    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"lake": lake}))
    with pytest.raises(ParamsError, match=re.escape(message)):
        load_params(path)
