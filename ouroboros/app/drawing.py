"""Numbers as small inline SVG drawn by the templates: a confidence sparkline per row, and the
data map. Here only the layout (pixel coordinates); the templates write the SVG elements,
escaped like everything else."""

from dataclasses import dataclass

import polars as pl

SPARK_W, SPARK_H = 60, 16  # px
MAP_W, MAP_H, MAP_PAD = 420, 300, 28  # px: plot area and the margin for the axis labels
MAP_POINTS = 2000  # points drawn; a larger map is a deterministic sample (by qa_id)


def sparkline(values: list[float]) -> list[tuple[float, float]]:
    """(x, y) px of confidences in [0, 1] in round order, 1 px inside the box (a polyline
    through them, a dot on the last: one round alone is a dot)."""
    step = SPARK_W / max(len(values) - 1, 1)
    return [(round(i * step, 1), round((1 - v) * (SPARK_H - 2) + 1, 1)) for i, v in enumerate(values)]


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    qa_id: str
    title: str  # shown on hover
    colour: str


def map_points(spread: pl.DataFrame) -> tuple[list[MapPoint], int]:
    """Dataset Cartography's map: x = mean confidence, y = its std over rounds (std <= 0.5
    for values in [0, 1]), coloured by correctness. `spread` has qa_id, mean, std,
    correctness (ouroboros.stages.report.data_map). Returns (points, rows in the map)."""
    shown = spread.sort("qa_id").gather_every(max(1, -(-spread.height // MAP_POINTS)))
    points = [
        MapPoint(MAP_PAD + r["mean"] * MAP_W, MAP_H - (r["std"] or 0.0) / 0.5 * MAP_H,
                 r["qa_id"],
                 f"{r['qa_id']}: mean {r['mean']:.3f}, std {(r['std'] or 0):.3f}, over {r['rounds']} round(s)",
                 "#2a7" if (r["correctness"] or 0) >= 0.5 else "#c53")
        for r in shown.iter_rows(named=True)
    ]
    return points, spread.height
