import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = """
import time
from plumbing.progress import progress_bar, track

for _ in track(range(3), "tracking"):
    time.sleep(0.05)
with progress_bar() as bar:
    task = bar.add_task("advancing", total=2)
    bar.advance(task, 2)
    time.sleep(0.2)  # a refresh or two (10 per second) while the bar is live
print("done")
"""


def run(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=clean | env,
                          cwd=ROOT, timeout=60)


def test_the_progress_bar_is_silent_when_stderr_is_not_a_terminal():
    result = run({})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n" and result.stderr == ""


def test_the_progress_bar_draws_on_stderr_for_a_terminal():
    result = run({"FORCE_COLOR": "1"})  # rich takes this as "stderr is a terminal"
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n" and "advancing" in result.stderr


def test_only_rank_0_of_a_process_group_draws():
    rank1 = run({"FORCE_COLOR": "1", "RANK": "1"})
    assert rank1.returncode == 0, rank1.stderr
    assert rank1.stdout == "done\n" and rank1.stderr == ""
    assert "advancing" in run({"FORCE_COLOR": "1", "RANK": "0"}).stderr
