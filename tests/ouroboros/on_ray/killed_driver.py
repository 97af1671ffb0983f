"""A driver that runs stage `scenes` on Ray (the Ray cluster at argv[2]) and is SIGKILLed while it
writes `frames`: after the render tasks returned, as soon as Lance has put the first new data file
on disk (Lance writes data files, then commits a manifest that names them).

    python -m tests.ouroboros.on_ray.killed_driver WORKSPACE RAY_GCS_ADDRESS
"""

import os
import signal
import sys
import threading
import time
from pathlib import Path

import ray

import store.lake
from ouroboros.params import load_params, with_engine
from ouroboros.stages.build_scenes import build_scenes
from ouroboros.workspace import Workspace
from tests.conftest import ROOT

real_write = store.lake.Lake.write


def kill_when_data_lands(folder: Path) -> None:
    before = set(folder.glob("*"))
    while not set(folder.glob("*")) - before:
        time.sleep(0.0005)
    os.kill(os.getpid(), signal.SIGKILL)


def write(self, table, data, *args, **kwargs):
    if table == "frames":
        threading.Thread(target=kill_when_data_lands, args=(Path(self.path) / "frames.lance" / "data",)).start()
        real_write(self, table, data, *args, **kwargs)
        time.sleep(60)  # the kill lands before (or just after) the commit, never after this
    return real_write(self, table, data, *args, **kwargs)


if __name__ == "__main__":
    root, address = Path(sys.argv[1]), sys.argv[2]
    ray.init(address=address, log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    store.lake.Lake.write = write
    build_scenes(with_engine(load_params(root / "params.yaml"), "ray"), Workspace(root))
    sys.exit("the driver outlived its kill")
