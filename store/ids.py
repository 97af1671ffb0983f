"""Stable content ids.

Recipe (the same on any machine): serialise the identifying fields as canonical JSON
(keys sorted, no whitespace, UTF-8, floats by Python's shortest round-trip repr), hash
with SHA-256, keep the first 16 hex digits (64 bits: the birthday bound keeps collisions below 1e-7 for ten
million rows). Ids never depend on round,
time or order, so the same question has the same id in every round and version.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any


def content_hash(*parts: Any) -> str:
    """16-hex-digit SHA-256 of the canonical JSON of `parts`."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def scene_id(source: str, name: str, geometry: Any) -> str:
    """Id of a scene: its source, name and full geometry (so edited metadata gets a new id)."""
    return content_hash("scene", source, name, geometry)


def frame_id(scene_id: str, source: str, index: int, image: bytes) -> str:
    """Id of a frame: scene, frame source, position in the video and the pixels' digest."""
    return content_hash("frame", scene_id, source, index, hashlib.sha256(image).hexdigest())


def qa_id(
    scene_id: str, task: str, question: str, options: Sequence[str] | None, program: str
) -> str:
    """Id of a question: (scene_id, task, question, options, program), never its round, so a question
    keeps its id in every round and version and diffs are anti-joins on ids."""
    return content_hash("qa", scene_id, task, question, list(options) if options else None, program)
