"""Draw candidates of one task straight from its family and run them in the sandbox."""

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from curation.gold import execute_proposals
from curation.proposer.rows import proposal_frame, proposal_row
from curation.scenes.metadata import Scene
from curation.tasks import TASKS, Draw

LITERAL = re.compile(r'"([^"\n]+)"')


def draw_rows(
    task: str, scenes: Sequence[Scene], n: int, *, template: str | None = None, seed: int = 0,
    distance_mode: str = "vsibench", frame_info: Mapping[str, Any] | None = None, tries: int = 50,
) -> pl.DataFrame:
    """Up to n distinct proposal rows of `task` over `scenes` (frame_info keyed by scene_id)."""
    family = TASKS[task]
    rng = np.random.default_rng(seed)
    rows: dict[str, dict] = {}
    for _ in range(n * tries):
        if len(rows) >= n:
            break
        scene = scenes[int(rng.integers(len(scenes)))]
        t = template or family.templates[task][0]
        info = (frame_info or {}).get(scene.scene_id)
        c = family.draw(Draw(scene, task, t, info, distance_mode), rng)
        if c is not None:
            row = proposal_row(c, scene.scene_id, proposer="template", round=0)
            rows.setdefault(row["qa_id"], row)
    return proposal_frame(list(rows.values()))


def run(rows: pl.DataFrame, scenes: Sequence[Scene], executor, frame_info=None) -> list[dict]:
    """Executed rows as dicts, each with its scene's meta under "meta" and its program's string literals."""
    out = execute_proposals(rows, scenes, executor, frame_info=frame_info)
    metas = {s.scene_id: s.to_meta() for s in scenes}
    return [
        {**r, "meta": metas[r["scene_id"]], "literals": [x for x in LITERAL.findall(r["program"]) if x != "ambiguous"]}
        for r in out.iter_rows(named=True)
    ]


def letter_of(row: dict, text: str) -> str:
    """The letter of the option whose text is `text`."""
    return next(o.split(". ", 1)[0] for o in row["options"] if o.split(". ", 1)[1] == text)
