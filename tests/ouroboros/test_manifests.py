"""Manifests: stages tag what they write; with `lake.track: manifest` a revision's
manifests pin what `ouro` reads; `ouro lake optimize` never loses a version they name."""

import json

from typer.testing import CliRunner

from ouroboros.cli import app
from ouroboros.fingerprints import partition_fingerprints
from ouroboros.lakes import workspace_lake
from ouroboros.manifests import manifest_path, publish, read_pins
from ouroboros.workspace import Workspace
from store.fingerprint import fingerprint_frame
from tests.store.test_schema import qa_row

runner = CliRunner()


def run_stage(ws: Workspace, ids: list[str], tag: str = "round-1") -> dict:
    """What a round stage does to its table: overwrite it, then tag it and write its manifest."""
    lake = workspace_lake(ws)
    lake.write("qa", [qa_row(qa_id=i) for i in ids], mode="overwrite", partition="r1")
    return publish(ws, lake, tag, partition_fingerprints(lake, {"qa": "qa__r1"}))


def test_manifests_pin_reads_and_survive_optimize(s3_lake_uri, tmp_path):
    ws = Workspace(tmp_path, lake_uri=s3_lake_uri, manifest_dir=tmp_path / "runs" / "manifests")
    first = run_stage(ws, ["a", "b"])
    manifest = json.loads(manifest_path(ws.manifest_dir, "qa__r1").read_text())
    assert manifest["lake"] == s3_lake_uri and manifest["tag"] == "round-1" and manifest["rows"] == 2
    assert workspace_lake(ws).tags("qa__r1") == {"round-1": first["qa__r1"]}
    saved = manifest_path(ws.manifest_dir, "qa__r1").read_text()  # what git + DVC keep of this revision

    run_stage(ws, ["c"])  # a later revision moves the tag
    manifest_path(ws.manifest_dir, "qa__r1").write_text(saved)  # `dvc checkout` of the first revision
    assert sorted(workspace_lake(ws).read("qa")["qa_id"].to_list()) == ["a", "b"]
    assert read_pins(ws.manifest_dir) == (s3_lake_uri, {"qa__r1": first["qa__r1"]})
    # a table no manifest names: not in this revision
    workspace_lake(ws).write("qa", [qa_row(qa_id="x")], partition="r9")
    assert workspace_lake(ws).tables() == ["qa__r1"]

    result = runner.invoke(app, ["lake", "optimize", "--lake", s3_lake_uri, "--manifests", str(ws.manifest_dir),
                                 "--dvc-cache", str(tmp_path / "no-cache")])
    assert result.exit_code == 0, result.output
    pinned = workspace_lake(ws)
    assert fingerprint_frame(pinned.read("qa__r1"), "qa") == manifest["content"]  # nothing it names is lost
    unpinned = workspace_lake(Workspace(tmp_path, lake_uri=s3_lake_uri))
    kept = [v.version for v in unpinned.versions("qa__r1")]
    assert kept == [first["qa__r1"], first["qa__r1"] + 1]  # the manifest's and the tagged latest; v1 went


def test_manifests_in_the_dvc_cache_are_kept_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # params' lake.uri is relative to the project root
    ws = Workspace(tmp_path, lake_uri="lake", manifest_dir=tmp_path / "runs" / "manifests")
    first = run_stage(ws, ["a"])["qa__r1"]
    cache = tmp_path / ".dvc" / "cache" / "files" / "md5" / "ab"
    cache.mkdir(parents=True)
    (cache / "cdef").write_bytes(manifest_path(ws.manifest_dir, "qa__r1").read_bytes())  # an older revision's
    run_stage(ws, ["b"])
    last = run_stage(ws, ["c"])["qa__r1"]
    result = runner.invoke(app, ["lake", "optimize", "--lake", "lake", "--manifests", "runs/manifests"])
    assert result.exit_code == 0, result.output
    kept = [v.version for v in workspace_lake(Workspace(tmp_path)).versions("qa__r1")]
    assert kept == [first, last]  # the cached manifest's version and the tagged latest; the others went
    assert workspace_lake(Workspace(tmp_path)).read("qa__r1", version=first)["qa_id"].to_list() == ["a"]
