"""DVC storage on object storage: a run whose lake lives on S3 and whose stage outputs are
manifests is pushed to an S3 remote, cloned, pulled, and reads exactly what it wrote.

Everything talks to moto's server through the real clients (dvc-s3, Lance's object store).
"""

import json
import subprocess

import pytest
import yaml

from ouroboros.commands.demo import dvc_env
from ouroboros.lakes import workspace_lake
from ouroboros.workspace import Workspace
from store.fingerprint import fingerprint_frame
from tests.ouroboros.pipeline_fixtures import manifest_lake, project_copy, write_params

pytestmark = pytest.mark.slow
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]


def run(cwd, *args):
    result = subprocess.run(list(args), cwd=cwd, env=dvc_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def test_push_clone_pull_reads_the_tagged_versions(tmp_path, s3_emulator, s3_lake_uri):
    proj = project_copy(tmp_path)
    write_params(proj, lake=manifest_lake(s3_lake_uri))
    run(proj, "dvc", "repro", "scenes")  # the smallest complete run: one stage
    lock = yaml.safe_load((proj / "dvc.lock").read_text())
    outs = [o["path"] for stage in lock["stages"].values() for o in stage.get("outs", [])]
    assert "runs/manifests/frames.json" in outs and not any(".lance" in o for o in outs)
    # the lake is on S3 only: nothing of it went into the DVC cache
    assert not (proj / "lake").exists()
    cached = sum(p.stat().st_size for p in (proj / ".dvc" / "cache").rglob("*") if p.is_file())
    assert cached < 200_000, cached

    remote = f"s3://{s3_emulator.new_bucket()}/dvc"
    run(proj, "dvc", "remote", "add", "-d", "storage", remote)
    run(proj, "dvc", "remote", "modify", "storage", "endpointurl", s3_emulator.endpoint)
    run(proj, *GIT, "add", "-A")
    run(proj, *GIT, "commit", "-qm", "a tiny run")
    run(proj, "dvc", "push")
    # a later run moves the lake on; the clone must still read the pushed revision
    written = json.loads((proj / "runs" / "manifests" / "scenes.json").read_text())
    workspace_lake(Workspace(proj, lake_uri=s3_lake_uri)).write("scenes", [], mode="overwrite")

    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(proj), str(clone))
    run(clone, "dvc", "pull", "scenes")
    assert yaml.safe_load(run(clone, "dvc", "status", "--json", "scenes")) in (None, {})
    ws = Workspace(clone, lake_uri=s3_lake_uri, manifest_dir=clone / "runs" / "manifests")
    lake = workspace_lake(ws)
    assert lake.version("scenes") == written["version"] and lake.tags("scenes")["scenes"] == written["version"]
    rows = lake.read("scenes")
    assert rows.height == written["rows"] > 0
    assert fingerprint_frame(rows, "scenes") == written["content"]
    status = run(clone, "ouro", "status", "--lake", "runs/manifests")
    assert "scenes" in status and "frames" in status
