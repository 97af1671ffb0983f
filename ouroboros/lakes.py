"""Opening the lake a user names: a directory, an object-store URI, or a folder of manifests.

This is the one place that turns `--lake` / `params.yaml lake.uri` and the standard AWS
environment into a `store.Lake`:

- a path (`lake`, `/data/lake`): a local LanceDB directory;
- `s3://bucket/prefix`: credentials, region and endpoint from AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN), AWS_REGION and AWS_ENDPOINT_URL; plain
  HTTP is allowed when the endpoint is `http://...` (a local S3 emulator or MinIO);
- other URIs Lance's object store takes (`gs://`, `az://`, `memory://`) as they are;
- a folder of DVC manifests (`runs/manifests`): the lake they name, pinned to exactly
  the versions they name (what `dvc checkout` of a revision restored).

Anything wrong (a bad URI, missing credentials, an unreachable endpoint) is a
LakeAccessError naming the lake and the cause, raised before any work.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ouroboros.manifests import is_manifest_dir, read_pins, workspace_pins
from ouroboros.workspace import Workspace
from store.errors import LakeAccessError

if TYPE_CHECKING:
    from store.lake import Lake

# Schemes Lance's object store opens; anything else is a typo worth one clear line.
SCHEMES = ("s3", "s3+ddb", "gs", "az", "abfss", "memory", "file")
DEFAULT_REGION = "us-east-1"  # object_store needs one; S3-compatible emulators accept any


def storage_options(uri: str, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Lance storage options for `uri` from the AWS environment ({} for local lakes)."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return {}
    if scheme not in SCHEMES:
        raise LakeAccessError(uri, f"unknown scheme {scheme!r}:// (expected a path or one of "
                                   f"{', '.join(s + '://' for s in SCHEMES)})")
    if scheme in ("memory", "file"):
        return {}
    if not rest.split("/", 1)[0]:
        raise LakeAccessError(uri, f"no bucket in the URI (expected {scheme}://bucket/prefix)")
    if not scheme.startswith("s3"):
        return {}  # gs:// and az:// read their own standard environment
    missing = [k for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if not env.get(k)]
    if missing:
        raise LakeAccessError(uri, f"missing credentials: set {' and '.join(missing)} "
                                   "(and AWS_ENDPOINT_URL for a non-AWS endpoint)")
    options = {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "aws_region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
    }
    if env.get("AWS_SESSION_TOKEN"):
        options["aws_session_token"] = env["AWS_SESSION_TOKEN"]
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["aws_endpoint"] = endpoint
        if endpoint.startswith("http://"):
            options["allow_http"] = "true"
    return options


def open_lake(spec: str | Path, *, pins: dict[str, int] | None = None, must_exist: bool = False,
              env: Mapping[str, str] = os.environ) -> "Lake":
    """The lake `spec` names (see the module docstring). `must_exist`: a local directory
    that is not there is an error instead of a new, empty lake."""
    from store.lake import Lake  # lancedb takes seconds to import; `ouro --help` needs none of it

    uri = str(spec)
    if "://" not in uri and is_manifest_dir(Path(uri)):
        uri, pins = read_pins(Path(uri))
    if "://" not in uri and must_exist and not Path(uri).is_dir():
        raise LakeAccessError(uri, "no lake at this path (create one with `ouro scenes import` or `ouro scenes build`)")
    return Lake(uri, storage_options=storage_options(uri, env), pins=pins)


def workspace_lake(ws: Workspace) -> "Lake":
    """The workspace's lake; with manifests, pinned to the versions the checked-out manifests name."""
    return open_lake(ws.lake_location, pins=workspace_pins(ws))
