"""The lake on object storage: every read and write against a real S3 API (moto's server).

The same operations as test_lake.py, plus what only object storage makes hard: two
processes appending to one table at once, and a writer killed mid-commit.
"""

import os
import signal
import subprocess
import sys
import time

import polars as pl

from store import Lake
from store.diff import diff
from store.fingerprint import fingerprint_frame
from tests.store.test_schema import qa_row

# A writer process: appends `batches` batches of `rows` rows to qa__<part>, printing each version.
APPENDER = """
import sys
from ouroboros.lakes import open_lake
from tests.store.test_schema import qa_row
uri, part, batches, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lake = open_lake(uri)
for b in range(batches):
    version = lake.write("qa", [qa_row(qa_id=f"{part}-{b}-{i}") for i in range(rows)], partition="shared")
    print(version, flush=True)
"""


def appender(uri: str, name: str, batches: int, rows: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", APPENDER, uri, name, str(batches), str(rows)],
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())


def test_reads_writes_versions_and_diffs_match_a_local_lake(s3_lake, tmp_path):
    local = Lake(tmp_path / "lake")
    first = [qa_row(qa_id=str(i), answer=str(i % 3), round=1) for i in range(30)]
    second = [qa_row(qa_id=str(i), answer=str(i % 4), round=2) for i in range(10, 40)]
    for lake in (local, s3_lake):
        lake.write("qa", first, partition="r1")
        lake.write("qa", first[:20], mode="overwrite", partition="r2")
        lake.write("qa", second, mode="overwrite", partition="r2")
        lake.write("qa", [qa_row(qa_id="new", round=2)], mode="insert_new", partition="r2")
    assert s3_lake.tables() == local.tables() == ["qa__r1", "qa__r2"]
    assert [v.version for v in s3_lake.versions("qa__r2")] == [v.version for v in local.versions("qa__r2")]
    for version in (None, 2, 3):
        a, b = local.read("qa__r2", version=version), s3_lake.read("qa__r2", version=version)
        assert fingerprint_frame(a, "qa") == fingerprint_frame(b, "qa")
    pushed = s3_lake.scan("qa").filter(pl.col("round") == 2).select("qa_id").collect()
    assert pushed.height == 31
    changes = diff(s3_lake.scan("qa__r2", version=2), s3_lake.scan("qa__r2"), columns=["answer"]).summary()
    assert changes == diff(local.scan("qa__r2", version=2), local.scan("qa__r2"), columns=["answer"]).summary()
    assert changes["added"] == 21 and changes["removed"] == 10


def test_tags_pins_and_optimize_keep_named_versions(s3_lake):
    for i in range(4):
        s3_lake.write("qa", [qa_row(qa_id=f"a{i}")], partition="r1")
    assert s3_lake.tag("qa__r1", "round-1", version=3) == 3
    before = {v: fingerprint_frame(s3_lake.read("qa__r1", version=v), "qa") for v in (2, 3)}
    last = s3_lake.read("qa__r1")
    removed = s3_lake.optimize("qa__r1", keep={2})
    latest = s3_lake.version("qa__r1")
    assert latest > 5  # compaction committed a new version with the same rows
    assert removed == [v for v in range(1, latest) if v not in (2, 3)]  # neither kept nor tagged
    assert [v.version for v in s3_lake.versions("qa__r1")] == [2, 3, latest]
    assert {v: fingerprint_frame(s3_lake.read("qa__r1", version=v), "qa") for v in (2, 3)} == before
    # Compacted rows are equal, but not byte-equal in Arrow IPC (validity bitmaps' padding
    # bits differ), so the latest version is compared as rows, not by fingerprint.
    assert s3_lake.read("qa__r1").sort("qa_id").equals(last.sort("qa_id"))
    pinned = Lake(s3_lake.path, storage_options=s3_lake_options(), pins={"qa__r1": 3})
    assert pinned.read("qa")["qa_id"].sort().to_list() == ["a0", "a1"] and pinned.count("qa") == 2


def s3_lake_options() -> dict[str, str]:
    from ouroboros.lakes import storage_options

    return storage_options("s3://any/lake")


def test_concurrent_appends_from_two_processes_all_land(s3_lake):
    s3_lake.write("qa", [qa_row(qa_id="seed")], partition="shared")  # both writers open an existing table
    writers = [appender(s3_lake.path, name, batches=4, rows=25) for name in ("left", "right")]
    for w in writers:
        out, _ = w.communicate(timeout=300)
        assert w.returncode == 0, out
    ids = set(s3_lake.read("qa__shared")["qa_id"].to_list())
    expected = {f"{n}-{b}-{i}" for n in ("left", "right") for b in range(4) for i in range(25)} | {"seed"}
    assert ids == expected  # Lance retried the commits that lost a race; none overwrote another
    assert s3_lake.version("qa__shared") == 2 + 8


def test_a_writer_killed_mid_commit_leaves_the_last_committed_version(s3_lake):
    writer = appender(s3_lake.path, "killed", batches=1000, rows=200)
    seen = [int(writer.stdout.readline()) for _ in range(3)]  # three commits landed
    time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    assert seen == sorted(seen)
    latest = s3_lake.version("qa__shared")
    assert latest >= seen[-1]
    # every committed version is whole: version v (v >= 2) holds exactly (v - 1) batches
    for v in s3_lake.versions("qa__shared"):
        assert s3_lake.read("qa__shared", version=v.version).height == (v.version - 1) * 200
    s3_lake.write("qa", [qa_row(qa_id="after")], partition="shared")  # and the table takes new writes
    assert s3_lake.version("qa__shared") == latest + 1


def test_an_empty_remote_lake_has_no_tables(s3_lake):
    assert s3_lake.tables() == [] and s3_lake.scan("qa").collect().height == 0
