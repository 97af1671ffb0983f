"""The processes of one multi-process run, as torch.distributed sees them.

Nothing here starts processes or reads the environment: a launcher (torchrun, `accelerate
launch`, or `ouro round --processes K`, see ouroboros.launch) starts them, and the caller
joins the process group before training code runs. Code here only asks whether a group
exists, so one process, the default, takes no collective step at all and runs exactly as
it did before multi-process support existed.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

import torch.distributed as dist

T = TypeVar("T")


def rank_and_world() -> tuple[int, int]:
    """(this process's rank, number of processes); (0, 1) outside a process group."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_main() -> bool:
    """Rank 0: the one process that writes files and tables."""
    return rank_and_world()[0] == 0


def my_share(items: Sequence[T]) -> list[T]:
    """This rank's items: every world-th one, starting at its rank (all of them in one process)."""
    rank, world = rank_and_world()
    return list(items[rank::world])


def gather(local: list[T]) -> list[T]:
    """Every rank's `local` list, concatenated in rank order, on every rank (collective)."""
    _, world = rank_and_world()
    if world == 1:
        return local
    parts: list[list[T] | None] = [None] * world
    dist.all_gather_object(parts, local)
    return [x for part in parts for x in part]


def from_main(make: Callable[[], T]) -> T:
    """`make()` run on rank 0 only, its result sent to every rank (collective). For steps whose
    result must be identical everywhere but that are not guaranteed to be when every rank runs
    them (a proposer model behind a server samples; hash order differs between processes)."""
    rank, world = rank_and_world()
    if world == 1:
        return make()
    box = [make() if rank == 0 else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier() -> None:
    """Wait for every rank (no-op in one process)."""
    if rank_and_world()[1] > 1:
        dist.barrier()
