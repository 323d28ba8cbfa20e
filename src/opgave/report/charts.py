"""Charts for the report as inline SVG (matplotlib, no browser): progress per region and
cumulative realisation against the target line. Text stays text (searchable in the PDF).

Inputs: plain numbers and the labels of the report's language. Outputs: an ``<svg>`` string.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

INK = "#1f2a44"
TARGET = "#c9d3e6"
REALISED = "#154273"
CAPACITY = "#e17000"
STYLE: Any = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "opgave",
}


PAGE_WIDTH_IN = 6.8
"""The width of the report's text column on A4 (174 mm): charts are drawn at this size so
that their 8 pt text stays 8 pt on paper."""
LABEL_CHARS = 36
"""Bar labels wrap at this many characters (two lines at most for the letter's names)."""


@dataclass(frozen=True)
class Bar:
    """One target in the regional chart: its value (a range: min-max), realised so far and the
    homes in plans for it."""

    label: str
    target_min: float
    target_max: float
    realised: float
    planned: float | None


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _wrap(label: str) -> str:
    """A bar label over lines of ``LABEL_CHARS``, never breaking inside its "(period)"."""
    kept = re.sub(r"\(([^)]*)\)", lambda m: m.group(0).replace(" ", "\u00a0"), label)
    return "\n".join(textwrap.wrap(kept, LABEL_CHARS))


def region_progress(
    bars: Sequence[Bar], labels: Mapping[str, str], number: Callable[[float], str]
) -> str:
    """Horizontal bars: each regional target (light, the range darker at its end), realised
    homes (dark) and plan capacity (a marker)."""
    with plt.rc_context(STYLE):
        height = 1.2 + 0.36 * max(len(bars), 1)
        figure, axes = plt.subplots(figsize=(PAGE_WIDTH_IN, height))
        figure.subplots_adjust(left=0.36, right=0.98)
        ys = list(range(len(bars)))[::-1]
        for y, bar in zip(ys, bars, strict=True):
            axes.barh(y, bar.target_max, color=TARGET, height=0.6)
            if bar.target_max > bar.target_min:
                axes.barh(y, bar.target_min, color="#aebbd6", height=0.6)
            axes.barh(y, bar.realised, color=REALISED, height=0.34)
            if bar.planned:
                axes.plot([bar.planned], [y], marker="D", color=CAPACITY, markersize=5)
        axes.set_yticks(ys, [_wrap(b.label) for b in bars])
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
        axes.set_xlabel(labels["chart_homes"])
        handles = [
            Rectangle((0, 0), 1, 1, color=TARGET),
            Rectangle((0, 0), 1, 1, color=REALISED),
            Line2D([], [], marker="D", color=CAPACITY, linestyle=""),
        ]
        axes.legend(
            handles,
            [labels["chart_target"], labels["chart_realised"], labels["chart_planned"]],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=3,
            frameon=False,
        )
        return _svg(figure)


def cumulative(
    realised_by_year: Mapping[int, float],
    target: float,
    first_year: int,
    last_year: int,
    labels: Mapping[str, str],
    number: Callable[[float], str],
) -> str:
    """Cumulative realised homes per year against the straight line from 0 at the start of
    ``first_year`` to ``target`` at the end of ``last_year``."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(PAGE_WIDTH_IN, 2.6))
        start = first_year - 1
        axes.plot(
            [start, last_year],
            [0, target],
            color=CAPACITY,
            linestyle="--",
            label=labels["chart_target_line"],
        )
        years = [y for y in sorted(realised_by_year) if first_year <= y <= last_year]
        total = 0.0
        xs, ys = [start], [0.0]
        for y in years:
            total += realised_by_year[y]
            xs.append(y)
            ys.append(total)
        if years:
            axes.plot(xs, ys, color=REALISED, marker="o", label=labels["chart_realised"])
            axes.annotate(
                number(total), (xs[-1], ys[-1]), textcoords="offset points", xytext=(6, -10)
            )
        axes.set_xlim(start, last_year)
        axes.set_ylim(0, target * 1.05)
        axes.set_xticks(range(start, last_year + 1))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
        axes.set_ylabel(labels["chart_cumulative"])
        axes.legend(loc="upper left", frameon=False)
        return _svg(figure)
