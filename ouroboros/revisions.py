"""The lake as DVC recorded it at a Git revision or a `dvc exp` experiment.

Every `lake/<table>__r<N>.lance` folder is a DVC stage output, so each commit, branch,
tag and experiment holds its rounds' tables in DVC's cache. `DVCFileSystem` reads them
from there and resolves experiment names itself (`dvc.scm.resolve_rev` falls back to
the `refs/exps/...` refs when a name is not a Git revision), so `HEAD~1` and
`exp-closed` are handled alike. Tables are copied into a temporary directory that
`store.Lake` reads; the copy is deleted when the caller is done with it.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dvc.api import DVCFileSystem
from dvc.exceptions import DvcException, NotDvcRepoError
from dvc.repo import Repo
from dvc.scm import NoSCM, RevError

from ouroboros.errors import RevisionError
from store import Lake

LANCE_SUFFIX = ".lance"


def project_root(lake: Path) -> Path:
    """The DVC project that holds lake directory `lake` (which need not exist in the working tree)."""
    absolute = lake.resolve()
    start = next(p for p in (absolute, *absolute.parents) if p.is_dir())
    try:
        return Path(Repo.find_root(str(start)))
    except NotDvcRepoError:
        raise RevisionError(f"{lake} is not inside a DVC project (no .dvc/ in {start} or above)") from None


class LakeRevision:
    """The tables of lake directory `lake` at DVC revision `rev`: listed in place, copied on demand."""

    def __init__(self, lake: Path, rev: str):
        root = project_root(lake)
        self.rev = rev
        self._dir = lake.resolve().relative_to(root).as_posix()
        self._fs = DVCFileSystem(str(root), rev=rev)
        try:
            scm = self._fs.repo.scm  # opening the repo resolves `rev`: a bad one fails here
        except RevError:
            raise RevisionError(f"unknown Git revision or DVC experiment {rev!r} in {root}") from None
        except DvcException as exc:
            raise RevisionError(f"cannot open {root} at {rev!r}: {exc}") from None
        if isinstance(scm, NoSCM):  # DVC would silently read the working tree instead
            raise RevisionError(f"{root} is not a Git repository, so it has no revision {rev!r}")

    def __enter__(self) -> "LakeRevision":
        return self

    def __exit__(self, *_) -> None:
        self._fs.close()

    def tables(self) -> list[str]:
        """Physical table names (e.g. qa__r3) the lake held at this revision, sorted."""
        if not self._fs.isdir(self._dir):
            return []
        names = (Path(path).name for path in self._fs.ls(self._dir, detail=False))
        return sorted(name.removesuffix(LANCE_SUFFIX) for name in names if name.endswith(LANCE_SUFFIX))

    @contextmanager
    def materialise(self, tables: list[str]) -> Iterator[Lake]:
        """A Lake in a temporary directory holding `tables` as they were at this revision."""
        with tempfile.TemporaryDirectory(prefix="ouro-rev-") as tmp:
            for table in tables:
                self._copy(f"{self._dir}/{table}{LANCE_SUFFIX}", f"{tmp}/{table}{LANCE_SUFFIX}")
            yield Lake(tmp)

    def _copy(self, source: str, target: str) -> None:
        try:
            self._fs.get(source, target, recursive=True)
        except (DvcException, FileNotFoundError) as exc:
            raise RevisionError(
                f"cannot read {source} at {self.rev!r} ({exc}); its data may be missing from the DVC cache "
                "(`dvc pull`, or `dvc exp pull` for an experiment)") from None
