"""Length-prefixed JSON frames between the executor and its workers (pipes, both directions).

JSON, not pickle, on purpose: the parent never unpickles anything a sandboxed process wrote.
A frame is a 4-byte big-endian payload length followed by UTF-8 JSON.
"""

import json
import os
import struct
from typing import Any

HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024  # a corrupt header must not make anyone allocate gigabytes

# Worker exit codes the parent understands.
EXIT_RECYCLE = 3  # the worker reported a violation (timeout / memory) and left so the next job gets a fresh one


def encode(message: Any) -> bytes:
    payload = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    return HEADER.pack(len(payload)) + payload


def write_frame(fd: int, message: Any) -> None:
    view = memoryview(encode(message))
    while view:
        view = view[os.write(fd, view) :]


def read_exact(fd: int, n: int) -> bytes | None:
    """Exactly n bytes from a blocking fd, or None at end of file."""
    chunks, missing = [], n
    while missing:
        chunk = os.read(fd, missing)
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> Any | None:
    """The next message from a blocking fd, or None at end of file."""
    header = read_exact(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    payload = read_exact(fd, size)
    return None if payload is None else json.loads(payload)


class FrameBuffer:
    """Incremental decoder for a non-blocking reader: feed bytes, take complete messages."""

    def __init__(self) -> None:
        self.data = bytearray()

    def feed(self, chunk: bytes) -> list[Any]:
        self.data += chunk
        out = []
        while len(self.data) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.data)
            if size > MAX_FRAME:
                raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME}")
            end = HEADER.size + size
            if len(self.data) < end:
                break
            out.append(json.loads(bytes(self.data[HEADER.size : end])))
            del self.data[:end]
        return out
