"""The app over lakes other than the pipeline's: an s3:// lake, and none at all."""

from starlette.testclient import TestClient
from typer.testing import CliRunner

from ouroboros.app.server import create_app
from ouroboros.cli import app as cli
from tests.ouroboros.app.test_server import row_ids
from tests.store.test_schema import qa_row

runner = CliRunner()


def test_an_s3_lake_serves_the_same_pages(s3_lake):
    s3_lake.write("qa", [qa_row(qa_id="a", round=1), qa_row(qa_id="b", round=1, question="Which is nearer?")],
                  partition="r1")
    client = TestClient(create_app(s3_lake, s3_lake.path))
    assert row_ids(client.get("/rows?contains=nearer")) == ["b"]
    assert client.get("/row/a").status_code == 200


def test_ouro_app_stops_before_serving_when_the_lake_is_missing(tmp_path):
    result = runner.invoke(cli, ["app", "--lake", str(tmp_path / "nope")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1 and "no lake" in result.output
