"""The shared table layout at 80 and 200 columns: nothing wider than the terminal, headers whole,
numbers right-aligned, long text cut with an ellipsis, records when a table cannot fit."""

import pytest
from rich.console import Console

from ouroboros.commands.ablate import ablation_table
from ouroboros.commands.demo import counts_table, eval_table
from ouroboros.commands.status import rounds_table
from ouroboros.console import Grid
from ouroboros.status import LakeStatus
from tests.ouroboros.test_demo import SUMMARY

QUESTION = "Measuring from the closest point of each object, what is the distance between the sofa and the lamp?"


def render(renderable, width: int) -> list[str]:
    console = Console(width=width, record=True)
    console.print(renderable)
    lines = console.export_text().splitlines()
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    return lines


def questions(n: int = 3) -> Grid:
    grid = Grid(f"{n} row(s)", [("qa_id", "id"), ("round", "num"), ("task", "key"), ("question", "text"),
                                ("conf", "num")])
    for i in range(n):
        grid.add_row(f"{i}f2a9c01d4e5b6a7", 12, "rel dist", QUESTION, 0.25 * i)
    return grid


def test_a_table_that_fits_keeps_whole_headers_and_right_aligned_numbers():
    for width in (80, 200):
        title, header, rule, *rows = render(questions(), width)
        assert title == "3 row(s)" and header.split() == ["qa_id", "round", "task", "question", "conf"]
        assert set(rule.strip()) == {"─"}
        assert rows[2].startswith("2f2a9c01     12  rel dist  Measuring") and rows[2].endswith("0.500")
        assert rows[0].rstrip().endswith("0.000")  # right-aligned: the last cell ends every line
    assert render(questions(), 80)[3].count("…") == 1 and "…" not in "".join(render(questions(), 200))


def test_text_columns_share_the_width_and_ids_are_cut_short():
    grid = Grid("t", [("id", "id"), ("a", "text"), ("b", "text")])
    grid.add_row("0123456789abcdef", "x" * 100, "short")
    line = render(grid, 40)[3]
    assert line.split() == ["01234567", "x" * 22 + "…", "short"]  # 40 = 8 + 2 + 23 + 2 + 5


def test_wide_rows_become_records_side_by_side_then_stacked():
    status = LakeStatus([], [{"round": r, "prev": max(r - 1, 0), "counts": {"proposed": 1200, "valid": 1100},
                              "bands": {"count": {"easy": 3, "frontier": 300, "hard": 40}}, "confidence": 0.5,
                              "auroc": 0.61 if r else None, "cells": (4.25, 12) if r else None,
                              "eval": 31.25, "blind": 20.0, "fingerprint": "b2684f50aa"} for r in range(3)])
    wide = render(rounds_table(status), 200)
    assert wide[1].split()[:3] == ["round", "prev", "proposed"] and wide[3].split()[0] == "0"
    assert "0.610" in wide[4] and "4.2/12" in wide[4] and "-" in wide[3].split()  # round 0: not measured
    side = render(rounds_table(status), 80)
    assert side[1].split() == ["round", "0", "1", "2"]
    assert side[3].split() == ["prev", "0", "0", "1"] and "fingerprint  b2684f50" in side[-1]
    stacked = render(questions(2), 30)
    assert [line.split()[0] for line in stacked[2:6]] == ["qa_id", "round", "task", "question"]
    assert "1f2a9c01" in "".join(stacked) and "lamp?" in "".join(stacked)  # stacked records wrap, never cut


ABLATION = {"policies": {
    "closed": [{"round": 1, "examples": 120, "overall": (25.5, 1.25), "blind": None}],
    "static": [{"round": 1, "examples": 120, "overall": (20.0, 0.5), "blind": (19.0, 2.0)}]}}


@pytest.mark.parametrize("table", [counts_table(SUMMARY), eval_table(SUMMARY), ablation_table(ABLATION)],
                         ids=["demo counts", "demo eval", "ablate"])
@pytest.mark.parametrize("width", [80, 200])
def test_every_summary_table_fits_with_whole_headers(table, width):
    lines = render(table, width)
    assert not any(cell == "…" or cell.endswith("…") for line in lines for cell in line.split())


def test_a_cell_with_line_breaks_stays_on_its_row():
    grid = Grid("1 row(s)", [("qa_id", "id"), ("question", "text"), ("answer", "key")])
    question = "How big is this room?\nIf multiple rooms are shown,   estimate the total."
    grid.add_row("0f2a9c01d4e5b6a7", question, "65.4")
    for width in (80, 200):
        title, header, rule, *rows = render(grid, width)
        assert len(rows) == 1 and rows[0].split()[-1] == "65.4"
    assert "shown, estimate the total." in render(grid, 200)[3]
