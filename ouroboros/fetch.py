"""`ouro data fetch <name>`: a benchmark's files from where its authors publish them, pinned and verified.

VSI-Bench ("Thinking in Space", Yang et al. 2024) publishes its questions as a Hugging Face
dataset and the scene metadata behind them (ScanNet, ScanNet++, ARKitScenes meta-info) in
its GitHub repository, not on the Hub. Questions come through `huggingface_hub`, so
HF_ENDPOINT, HF_HUB_CACHE and HF_HUB_OFFLINE apply; meta-info files through the hub
client's own HTTP download (resume, size check), from `meta_url`.

Each file goes to a temporary name in the destination folder, its sha256 is checked against
the one recorded here for the pinned revision, and only then is it renamed into place: a
failure (no network, a 404, a checksum mismatch, a partial download) raises FetchError
naming the file and the cause and leaves the folder as it was. A file already in place with
the right checksum is not downloaded again.
"""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2
from huggingface_hub import constants, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
from huggingface_hub.file_download import http_get

from ouroboros.errors import FetchError


@dataclass(frozen=True)
class PinnedFile:
    name: str  # the file's name at its source and in the destination folder
    sha256: str  # of its bytes at the release's pinned revision


@dataclass(frozen=True)
class Release:
    hub_repo: str  # Hugging Face dataset holding the questions
    hub_revision: str  # a commit of it: the questions' checksums hold for this one
    questions: tuple[PinnedFile, ...]
    meta_url: str  # folder URL of the meta-info files at a pinned commit
    meta: tuple[PinnedFile, ...]


VSIBENCH = Release(
    hub_repo="nyu-visionx/VSI-Bench",
    hub_revision="668dd47863a49c6ee50946df1bf085a039fc95cd",  # the original release's 5,130 questions
    questions=(PinnedFile("test-00000-of-00001.parquet",
                          "64eb8a4ff3c705038d2c489fb97345c19e33f0a297f440a168e6940e76d329ca"),),
    # vision-x-nyu/thinking-in-space at commit 51e089c ("add meta info"), data/meta_info/
    meta_url="https://raw.githubusercontent.com/vision-x-nyu/thinking-in-space/"
             "51e089c3ae69b9435e9489058610f5b3964c56a8/data/meta_info",
    meta=(
        PinnedFile("arkitscenes_meta_info_val.json",
                   "77b1f90a33b4aaa032280cdfd6e43986a3e3d818c750b2e1059b1c664ecdc21b"),
        PinnedFile("scannet_meta_info_val.json", "569d91e0fcae23a83bb35dc390cb0077c4b4ba03011c34d265df7a361e24c43a"),
        PinnedFile("scannetpp_meta_info_val.json", "ae414913186a477a79d8b753d2ab8039d8912088dda062ac80a2b71f487f5bb1"),
    ),
)

RELEASES: dict[str, Release] = {"vsibench": VSIBENCH}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cause(exc: Exception, url: str) -> str:
    """What went wrong, in words a user can act on."""
    if isinstance(exc, LocalEntryNotFoundError):
        return f"no network: cannot reach {url} and the file is not in the Hugging Face cache"
    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} from {url}"
    if isinstance(exc, httpx2.RemoteProtocolError | httpx2.ReadError):
        return f"partial download: the connection to {url} closed mid-file"
    if isinstance(exc, httpx2.TimeoutException):
        return f"timed out reaching {url}"
    if isinstance(exc, httpx2.TransportError):
        return f"no network: cannot reach {url}"
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return f"partial download from {url}: {str(exc).splitlines()[0]}"
    raise exc


def _install(dest: Path, pinned: PinnedFile, url: str, write: Callable[[Path], None], hint: str = "") -> bool:
    """`write` the file to a temporary name beside `dest`, check it, rename it into place.
    False when `dest` already held the pinned bytes. `hint` ends a checksum error's message."""
    if dest.is_file() and sha256_of(dest) == pinned.sha256:
        return False
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            write(tmp)
        except Exception as exc:  # _cause re-raises what it cannot name
            raise FetchError(f"{pinned.name}: {_cause(exc, url)}") from exc
        got = sha256_of(tmp)
        if got != pinned.sha256:
            raise FetchError(f"{pinned.name}: checksum mismatch: sha256 {got[:12]}…, expected {pinned.sha256[:12]}… "
                             f"(from {url}){hint}")
        os.replace(tmp, dest)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def fetch_release(release: Release, dest: Path, *, meta_url: str | None = None, force: bool = False,
                  endpoint: str | None = None, cache_dir: Path | None = None) -> list[tuple[Path, bool]]:
    """Download `release` into `dest` (created if needed): [(path, downloaded)] in release order.

    `meta_url` replaces the release's meta-info folder URL (a mirror); `endpoint` and `cache_dir`
    the hub client's HF_ENDPOINT and HF_HUB_CACHE; `force` downloads hub files again even when cached.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.glob(".*.part"):  # a fetch killed mid-file (SIGKILL skips the cleanup)
        stale.unlink()
    done = []
    for pinned in release.questions:
        url = f"{endpoint or constants.ENDPOINT} (dataset {release.hub_repo}@{release.hub_revision[:7]})"

        def from_hub(tmp: Path, name: str = pinned.name) -> None:
            cached = hf_hub_download(release.hub_repo, name, repo_type="dataset", revision=release.hub_revision,
                                     endpoint=endpoint, cache_dir=cache_dir, force_download=force)
            shutil.copyfile(cached, tmp)

        hint = "; if the Hugging Face cache holds a bad copy, rerun with --force"
        done.append((dest / pinned.name, _install(dest / pinned.name, pinned, url, from_hub, hint)))
    base = (meta_url or release.meta_url).rstrip("/")
    for pinned in release.meta:
        url = f"{base}/{pinned.name}"

        def from_url(tmp: Path, url: str = url) -> None:
            with tmp.open("wb") as f:
                http_get(url, f, displayed_filename=tmp.name)

        done.append((dest / pinned.name, _install(dest / pinned.name, pinned, url, from_url)))
    return done
