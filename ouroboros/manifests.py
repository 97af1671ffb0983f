"""Manifests: a stage's lake tables as small files DVC can track, instead of Lance folders.

DVC hashes every file of a directory output and copies it into its cache, which is slow
for Lance folders of many files and doubles the storage of a lake of many GB (twice on
object storage: the lake's bucket and the DVC remote). With params `lake.track:
manifest`, each stage's table output is instead one JSON file per physical table:

    {"lake": "s3://bucket/lake", "table": "qa__r3", "version": 7, "tag": "round-3",
     "content": "<store.fingerprint of the rows>", "rows": 412}

The lake keeps the data and its versions; DVC versions which version each revision
means. Every stage tags the versions it writes (`scenes`, `eval`, `round-<N>`) in both
modes, and `ouro lake optimize` never removes a tagged or manifest-named version.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ouroboros.errors import StageInputError
from ouroboros.jsonio import write_json
from ouroboros.workspace import Workspace
from store.errors import VersionInUseError

if TYPE_CHECKING:
    from store.lake import Lake

FIELDS = ("lake", "table", "version", "tag", "content", "rows")
SUFFIX = ".json"
MAX_BYTES = 4096  # a manifest is a few hundred bytes; bigger cached files are something else


def manifest_path(directory: Path, table: str) -> Path:
    return directory / f"{table}{SUFFIX}"


def read_manifest(path: Path) -> dict:
    """A manifest file, checked: every field present, the version an int."""
    try:
        payload = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise StageInputError(f"{path}: not a readable lake manifest ({exc})") from exc
    missing = [f for f in FIELDS if f not in payload] if isinstance(payload, dict) else list(FIELDS)
    if missing or not isinstance(payload["version"], int):
        raise StageInputError(f"{path}: not a lake manifest (missing {', '.join(missing) or 'an int version'})")
    return payload


def is_manifest_dir(path: Path) -> bool:
    """A folder of manifests (and no Lance tables), as `dvc checkout` leaves runs/manifests."""
    return path.is_dir() and any(path.glob(f"*{SUFFIX}")) and not any(path.glob("*.lance"))


def read_pins(directory: Path) -> tuple[str, dict[str, int]]:
    """(lake URI, {table: version}) of every manifest in `directory`; they must name one lake.
    A relative lake path is params' `lake.uri`, relative to the project root where `ouro` runs."""
    manifests = [read_manifest(p) for p in sorted(directory.glob(f"*{SUFFIX}"))]
    lakes = sorted({m["lake"] for m in manifests})
    if len(lakes) != 1:
        raise StageInputError(f"{directory}: manifests name {len(lakes)} lakes ({', '.join(lakes)}); expected one")
    return lakes[0], {m["table"]: m["version"] for m in manifests}


def workspace_pins(ws: Workspace) -> dict[str, int] | None:
    """{table: version} the workspace's manifests name (None when DVC tracks directories).

    With manifests a stage sees exactly the tables of its revision, nothing else the lake
    may hold (other branches' rounds), so it reads {} pins even before the first manifest."""
    if ws.manifest_dir is None:
        return None
    paths = sorted(ws.manifest_dir.glob(f"*{SUFFIX}")) if ws.manifest_dir.is_dir() else []
    pins = {}
    for path in paths:
        manifest = read_manifest(path)
        if manifest["lake"] != ws.lake_uri:
            raise StageInputError(f"{path}: names lake {manifest['lake']}, but params lake.uri is {ws.lake_uri}")
        pins[manifest["table"]] = manifest["version"]
    return pins


def publish(ws: Workspace, lake: "Lake", tag: str, fingerprints: dict[str, dict]) -> dict[str, int]:
    """Tag the current version of each table in `fingerprints` ({physical: {"rows", "content"}},
    as ouroboros.fingerprints computes them) `tag`, and with manifests write one per table.
    Returns {table: tagged version}."""
    versions = {}
    for table, fp in sorted(fingerprints.items()):
        versions[table] = lake.tag(table, tag)
        if ws.manifest_dir is not None:
            write_json(manifest_path(ws.manifest_dir, table), {
                "lake": ws.lake_uri, "table": table, "version": versions[table], "tag": tag,
                "content": fp["content"], "rows": fp["rows"]})
    return versions


def cached_manifests(cache_dir: Path) -> list[dict]:
    """Every manifest in a DVC cache (`.dvc/cache`): what any revision DVC has seen here names.

    DVC stores file outputs by content hash, so a manifest of an older revision is still a
    small JSON object under the cache; `ouro lake optimize` keeps the versions these name."""
    found = []
    for path in cache_dir.rglob("*") if cache_dir.is_dir() else []:
        if not path.is_file() or path.suffix == ".dir" or path.stat().st_size > MAX_BYTES:
            continue
        try:
            payload = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(payload, dict) and all(f in payload for f in FIELDS):
            found.append(payload)
    return found


def protected_versions(lake_uri: str, manifest_dirs: list[Path], cache_dir: Path) -> dict[str, dict[int, dict]]:
    """{table: {version: manifest}} of every manifest of lake `lake_uri`, in the given folders
    and in the DVC cache: the versions `ouro lake optimize` must keep."""
    found = [read_manifest(p) for d in manifest_dirs if d.is_dir() for p in sorted(d.glob(f"*{SUFFIX}"))]
    out: dict[str, dict[int, dict]] = {}
    for manifest in found + cached_manifests(cache_dir):
        if manifest["lake"] == lake_uri:
            out.setdefault(manifest["table"], {})[manifest["version"]] = manifest
    return out


def optimize_lake(lake: "Lake", lake_uri: str, manifest_dirs: list[Path], cache_dir: Path) -> tuple[int, int]:
    """Compact every table and remove the old versions nothing names (`protected_versions`);
    then check that each version a manifest names still holds its rows (upstream cleanup on
    tagged datasets has left orphaned files). (versions removed, manifest-named versions kept)."""
    keep = protected_versions(lake_uri, manifest_dirs, cache_dir)
    removed = 0
    for table in lake.tables():
        removed += len(lake.optimize(table, keep=set(keep.get(table, {}))))
        for version, manifest in sorted(keep.get(table, {}).items()):
            if lake.count(table, version=version) != manifest["rows"]:
                raise VersionInUseError(f"lake {lake.path}: {table} version {version} (manifest tag "
                                        f"{manifest['tag']!r}) no longer holds its {manifest['rows']} rows")
    return removed, sum(len(v) for v in keep.values())
