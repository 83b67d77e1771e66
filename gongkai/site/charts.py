"""Charts drawn at build time as inline SVG. This module only computes geometry; the markup is the
`chart` macro of templates/chart_bars.html, so every label is escaped by the template.

Page plugins import it from the plugin API: ``from gongkai.api import percent_chart, completion_chart``.

Layout: one row per item, its label on a text line and a horizontal bar under it, so long Chinese
names never collide and the chart reads on a phone. The viewBox is 340 units wide, about the
content width of a phone, so the 14-unit text stays at least 12 px there. The same data always
gives the same bytes: ids come from the caller, numbers are rounded to one decimal. The charts'
stylesheet (`.gk-chart`) is part of assets/gongkai/gongkai.css (plugins/theme_assets.py).
"""
from __future__ import annotations

from dataclasses import dataclass

WIDTH = 340
ROW = 46  # label line (text baseline at +15) and a 16-unit bar at +22
PAD = 8
LEGEND = 28
MAX_LABEL = 17  # characters shown in the chart; the data table keeps the full text


@dataclass(frozen=True)
class Row:
    label: str
    value_text: str
    y: float  # top of the row
    track: float  # width of the background bar (100 %, or this row's total)
    fill: float  # width of the filled part


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # one sentence: the <desc> of the SVG and the figure caption
    rows: tuple
    columns: tuple  # headers of the data table
    table: tuple  # one tuple of formatted cells per row
    color: str
    outlined: bool  # the track is outlined (part of a total) rather than a light background
    legend: tuple  # ((label, filled?, x), ...) or ()
    width: int = WIDTH
    height: float = 0


def _short(label: str) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _rows(items: list[tuple[str, str, float, float]], top: float) -> tuple:
    """items: (label, value text, track share, fill share), shares of the full width in 0..1."""
    return tuple(
        Row(_short(label), text, round(top + i * ROW, 1), round(track * WIDTH, 1), round(fill * WIDTH, 1))
        for i, (label, text, track, fill) in enumerate(items)
    )


def _height(rows: int, legend: bool) -> float:
    return PAD + (LEGEND if legend else 0) + max(rows, 1) * ROW


def percent_chart(chart_id: str, title: str, summary: str, items: list[tuple[str, float | None]],
                  columns: tuple, fmt) -> Chart:
    """A bar per item showing a share (0..1) of a full-width track; `fmt` formats a share."""
    texts = [fmt(value) for _, value in items]
    rows = _rows([(label, text, 1.0, max(0.0, min(value or 0.0, 1.0)))
                  for (label, value), text in zip(items, texts)], PAD)
    table = tuple((label, text) for (label, _), text in zip(items, texts))
    return Chart(chart_id, title, summary, rows, columns, table, "#b71c1c", False, (),
                 height=_height(len(rows), False))


def completion_chart(chart_id: str, title: str, summary: str, items: list[tuple[str, int, int]],
                     columns: tuple, legend: tuple[str, str]) -> Chart:
    """A bar per item: its total as an outlined bar, the done part filled; scaled to the largest total."""
    most = max((total for _, _, total in items), default=0) or 1
    rows = _rows([(label, f"{done} / {total}", total / most, done / most) for label, done, total in items],
                 PAD + LEGEND)
    table = tuple((label, str(done), str(total - done), str(total)) for label, done, total in items)
    second_x = 20 + 14 * len(legend[0]) + 16  # swatch, label (14 units a character), gap
    return Chart(chart_id, title, summary, rows, columns, table, "#1b5e20", True,
                 ((legend[0], True, 0), (legend[1], False, second_x)), height=_height(len(rows), True))
