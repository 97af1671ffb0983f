"""`--processes K`: a stage as K processes on this machine (DDP training, sharded scoring).

`ouro round N --prev M --processes K` starts itself again as K workers under torch's
elastic launcher, the one `torchrun --standalone` and `accelerate launch --multi_gpu` run.
Each worker joins the process group through accelerate's `PartialState` (gloo on CPU, nccl
on CUDA, one GPU per rank): that is the state transformers.Trainer then finds and reuses, so
training and scoring share one group. Launching by hand is the same thing, since a worker
only looks at the launcher's environment: `torchrun --nproc-per-node K -m ouroboros.cli
round N --prev M` or `accelerate launch --num_processes K -m ouroboros.cli round N --prev M`.
"""

import logging
import os
import sys
import uuid
from collections.abc import Callable
from typing import TypeVar

import torch

from ouroboros.errors import CliInputError, LaunchError
from training.distributed import barrier, rank_and_world

T = TypeVar("T")


def launched() -> bool:
    """Whether this process is one of several a launcher started (it sets WORLD_SIZE)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def process_device() -> str:
    """The device this process's solver goes on: its own GPU in a group, else load_solver's choice."""
    if rank_and_world()[1] == 1:
        return "auto"
    from accelerate import PartialState

    return str(PartialState().device)


def check_processes(k: int) -> None:
    """One process per GPU, or per CPU core without GPUs: more only fight over the same cores."""
    cuda = torch.cuda.is_available()
    slots, unit = (torch.cuda.device_count(), "GPUs") if cuda else (os.cpu_count() or 1, "CPU cores")
    if not 1 <= k <= slots:
        raise CliInputError(f"--processes {k}: this machine has {slots} {unit}, one per process; use 1 to {slots}")


def relaunch(k: int, args: list[str], what: str) -> None:
    """Run `ouro *args` as `k` worker processes and wait for them; a failed worker stops the
    others and raises LaunchError naming its rank (its own error is printed above)."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    check_processes(k)
    # K workers share the cores: without this each would start one thread per core
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // k)))
    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=k, run_id=str(uuid.uuid4()),
                          rdzv_backend="c10d", rdzv_endpoint="localhost:0", max_restarts=0, monitor_interval=0.5)
    logging.getLogger("torch.distributed.elastic").setLevel(logging.CRITICAL)  # LaunchError says it in one line
    try:
        elastic_launch(config, sys.executable)("-m", "ouroboros", *args)  # `ouro *args`: ouroboros/__main__.py
    except ChildFailedError as exc:
        rank, failure = exc.get_first_failure()
        how = f"signal {failure.signal_name()}" if failure.exitcode < 0 else f"exit code {failure.exitcode}"
        raise LaunchError(f"{what}: process {rank} of {k} failed ({how}); the others were stopped and every "
                          "table stays at its last committed version") from None


def as_worker(run: Callable[[], T]) -> T:
    """`run()` in this launched process: join the group, run, wait for every rank, leave."""
    from accelerate import PartialState

    PartialState(cpu=not torch.cuda.is_available())
    result = run()
    barrier()  # rank 0 has written the lake and runs/ when the others exit
    torch.distributed.destroy_process_group()
    return result
