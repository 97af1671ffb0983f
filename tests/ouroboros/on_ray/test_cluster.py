"""The `ray` engine's bad input: one line, exit 2, before any work (no Ray instance is started)."""

import socket
import sys

import pytest
from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.errors import EngineError, ParamsError
from ouroboros.on_ray.cluster import check_address
from ouroboros.params import load_params
from store import Lake
from tests.ouroboros.pipeline_fixtures import write_params

runner = CliRunner()
PROCEDURAL = {"meta": [], "procedural": 4, "eval_fraction": 0.5}


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_address_where_nothing_answers_names_it():
    port = closed_port()
    with pytest.raises(EngineError, match=rf"RAY_ADDRESS=ray://127.0.0.1:{port}: nothing answers at 127.0.0.1:{port}"):
        check_address(f"ray://127.0.0.1:{port}")
    with pytest.raises(EngineError, match="expected host:port"):
        check_address("127.0.0.1:port")


@pytest.mark.parametrize("verb", [["scenes", "build"], ["evalset"], ["round", "1", "--prev", "0"]])
def test_engine_ray_with_an_unreachable_address_stops_the_verb_before_any_work(tmp_path, monkeypatch, verb):
    pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[ray]')")
    address = f"127.0.0.1:{closed_port()}"
    monkeypatch.setenv("RAY_ADDRESS", address)
    params = write_params(tmp_path, scenes=PROCEDURAL, rounds=[{"id": 1, "prev": 0}])
    result = runner.invoke(app, [*verb, "--engine", "ray", "--params", str(params), "--root", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"error: RAY_ADDRESS={address}: nothing answers at {address} "
                                                  "(Connection refused); start the head there (`ray start --head`) "
                                                  "or unset RAY_ADDRESS for a local instance"]
    assert Lake(tmp_path / "lake").tables() == []


def test_engine_ray_without_ray_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what importlib finds when Ray is not installed
    params = write_params(tmp_path, scenes=PROCEDURAL, curation={"engine": "ray"})
    with pytest.raises(ParamsError, match=r"^params.yaml.curation.engine: 'ray' needs Ray, which is not installed: "
                                          r"pip install -e '.\[ray\]'$"):
        load_params(params)
    write_params(tmp_path, scenes=PROCEDURAL)
    verb = ["scenes", "build", "--engine", "ray", "--params", str(params), "--root", str(tmp_path)]
    result = runner.invoke(app, verb)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["error: curation.engine: 'ray' needs Ray, which is not installed: "
                                                  "pip install -e '.[ray]'"]
    assert not (tmp_path / "lake").exists() or Lake(tmp_path / "lake").tables() == []
