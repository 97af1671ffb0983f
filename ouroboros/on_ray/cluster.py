"""Joining Ray: the cluster at RAY_ADDRESS, else a local instance on this machine.

Called when a stage starts, before any work, so an address where nothing answers is one
line naming it rather than a hang in the middle of a round (ray.init retries a missing
head for about a minute before it gives up).
"""

import os
import socket
from urllib.parse import urlsplit

from ouroboros.errors import EngineError

PROBE_TIMEOUT_S = 5.0  # a head on the local network answers a TCP connect in milliseconds
RESOLVED_BY_RAY = ("auto", "local")  # addresses ray.init looks up itself (a running local head)


def check_address(address: str) -> None:
    """Raise EngineError naming `address` (host:port or ray://host:port) when nothing listens there."""
    if address in RESOLVED_BY_RAY:
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        host = port = None
    if not host or port is None:
        raise EngineError(f"RAY_ADDRESS={address}: expected host:port or ray://host:port")
    try:
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S).close()
    except OSError as exc:
        why = f"nothing answers at {host}:{port} ({exc.strerror or exc})"
        raise EngineError(f"RAY_ADDRESS={address}: {why}; start the head there (`ray start --head`) "
                          "or unset RAY_ADDRESS for a local instance") from None


def connect() -> None:
    """Join Ray once per process: RAY_ADDRESS's cluster, or a new local instance."""
    import ray

    if ray.is_initialized():
        return
    address = os.environ.get("RAY_ADDRESS") or None
    if address:
        check_address(address)
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    except ConnectionError as exc:  # e.g. `auto` with no head running
        raise EngineError(f"RAY_ADDRESS={address}: {exc}") from None
