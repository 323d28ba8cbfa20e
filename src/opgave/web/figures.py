"""The dashboard's charts: Plotly figures (plain dicts, drawn in the browser by
``static/charts.js``) with the same numbers as a table beside each, for readers who do not
see the chart.

Inputs: figures already computed by the service layer (:mod:`opgave.service.monitoring`)
and the page language. Outputs: :class:`Chart` - the figure as JSON for the page and its
table as formatted text. Derives nothing: it only lays out and formats what it is given
(numbers through :mod:`opgave.i18n`, Plotly's own separators set to the language's).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from opgave.i18n import number, percent

INK = "#1b1b1b"
BLUE = "#1f3a93"
ORANGE = "#b35806"
GREY = "#767676"
LIGHT_BLUE = "#8fa8dc"
"""Colours that colour-blind readers tell apart (blue against orange, never red/green)."""


def separators(language: str) -> str:
    """Plotly's ``layout.separators``: decimal mark then thousands mark (nl: 117,5 and 900.000)."""
    return ",." if language == "nl" else ".,"


def as_json(fig: dict[str, Any]) -> Markup:
    """A figure as JSON safe to place inside a page's ``<script type="application/json">``."""
    text = json.dumps(fig, separators=(",", ":"), default=str)
    return Markup(text.replace("</", "<\\/"))


@dataclass(frozen=True)
class Chart:
    """A chart for a page: its id, caption, the figure as JSON, and its numbers as a table
    (column headings and rows of formatted text)."""

    id: str
    caption: str
    figure: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _layout(language: str, height: int, **more: Any) -> dict[str, Any]:
    return {
        "height": height,
        "separators": separators(language),
        "font": {"family": "system-ui, sans-serif", "size": 13, "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        **more,
    }


def bar_chart(
    chart_id: str,
    caption: str,
    labels: Sequence[str],
    values: Sequence[float],
    language: str,
    *,
    value_heading: str,
    label_heading: str,
    ratio: bool = False,
    norm: float | None = None,
    norm_label: str = "",
) -> Chart:
    """Horizontal bars, one per label; ``ratio`` values are shown as percentages; ``norm``
    draws a dashed line (e.g. the 130% plan-capacity norm)."""
    fmt = ".0%" if ratio else ",.0f"
    shapes = []
    if norm is not None:
        shapes.append(
            {
                "type": "line",
                "x0": norm,
                "x1": norm,
                "y0": -0.5,
                "y1": len(labels) - 0.5,
                "line": {"color": ORANGE, "dash": "dash", "width": 2},
            }
        )
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": list(labels),
                "x": list(values),
                "marker": {"color": BLUE},
                "hovertemplate": "%{y}: %{x:" + fmt + "}<extra></extra>",
            }
        ],
        "layout": _layout(
            language,
            90 + 34 * len(labels),
            margin={"l": 10, "r": 20, "t": 10, "b": 30},
            xaxis={"tickformat": fmt, "rangemode": "tozero", "fixedrange": True},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
            shapes=shapes,
        ),
    }

    def shown(value: float) -> str:
        return percent(value, language) if ratio else number(value, language)

    rows = tuple((label, shown(value)) for label, value in zip(labels, values, strict=True))
    if norm is not None:
        rows += ((norm_label, shown(norm)),)
    return Chart(chart_id, caption, as_json(figure), (label_heading, value_heading), rows)


@dataclass(frozen=True)
class YearSeries:
    """One line or bar series over years for :func:`year_chart`: name, kind (``bar`` or
    ``line``), values per year (None: no figure), colour, dashed or not."""

    name: str
    kind: str
    values: Sequence[float | None]
    colour: str
    dash: bool = False


def year_chart(
    chart_id: str,
    caption: str,
    years: Sequence[int],
    series: Sequence[YearSeries],
    language: str,
    *,
    year_heading: str,
    stacked: bool = False,
) -> Chart:
    """Values per year: bars (stacked when asked) and lines on one axis of homes."""
    traces: list[dict[str, Any]] = []
    for s in series:
        trace: dict[str, Any] = {
            "name": s.name,
            "x": list(years),
            "y": list(s.values),
            "hovertemplate": "%{x}: %{y:,.0f}<extra>" + s.name + "</extra>",
        }
        if s.kind == "bar":
            trace.update(type="bar", marker={"color": s.colour})
        else:
            trace.update(
                type="scatter",
                mode="lines",
                line={"color": s.colour, "width": 2.5, "dash": "dash" if s.dash else "solid"},
                connectgaps=False,
            )
        traces.append(trace)
    figure = {
        "data": traces,
        "layout": _layout(
            language,
            340,
            barmode="stack" if stacked else "group",
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"dtick": 1, "tickformat": "d", "automargin": True, "fixedrange": True},
            yaxis={"tickformat": ",.0f", "rangemode": "tozero", "automargin": True,
                   "fixedrange": True},
            legend={"orientation": "h", "y": -0.15, "yanchor": "top"},
        ),
    }  # fmt: skip
    rows = tuple(
        (str(year), *(number(s.values[i], language) for s in series))
        for i, year in enumerate(years)
    )
    return Chart(
        chart_id, caption, as_json(figure), (year_heading, *(s.name for s in series)), rows
    )
