"""Charts for the report as inline SVG, written directly: progress per region and cumulative
realisation against the target line. Text stays text (searchable in the PDF).

Inputs: plain numbers and the labels of the report's language. Outputs: an ``<svg>`` string.
The two charts are a handful of rectangles, lines and labels; drawing them here instead of
with matplotlib keeps its import (0.3-0.5 s) and its path-heavy SVG (slower for WeasyPrint to
paint) out of every report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

INK = "#1f2a44"
TARGET = "#c9d3e6"
TARGET_MIN = "#aebbd6"
REALISED = "#154273"
CAPACITY = "#e17000"
AXIS = "#888888"
FONT = 8.0
"""Font size in points (the SVG's user unit is the point: 7 inches wide = 504)."""
WIDTH = 504.0
CHAR_WIDTH = 0.56 * FONT
"""Average advance of a DejaVu Sans character, for sizing the label column."""


@dataclass(frozen=True)
class Bar:
    """One target in the regional chart: its value (a range: min-max), realised so far and the
    homes in plans for it."""

    label: str
    target_min: float
    target_max: float
    realised: float
    planned: float | None


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at most ``top``: steps of 1, 2, 2.5 or 5 times a power of
    ten, about ``count`` of them."""
    if top <= 0:
        return [0.0]
    raw = top / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, anchor: str = "start", **attributes: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attributes.items())
    return f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _svg(width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}pt" '
        f'height="{_f(height)}pt" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="{_f(FONT)}" fill="{INK}">'
        + "".join(body)
        + "</svg>"
    )


def _diamond(x: float, y: float, size: float = 3.2) -> str:
    points = f"{_f(x)},{_f(y - size)} {_f(x + size)},{_f(y)} {_f(x)},{_f(y + size)} " + (
        f"{_f(x - size)},{_f(y)}"
    )
    return f'<polygon points="{points}" fill="{CAPACITY}"/>'


def region_progress(
    bars: Sequence[Bar], labels: Mapping[str, str], number: Callable[[float], str]
) -> str:
    """Horizontal bars: each regional target (light, the range darker at its end), realised
    homes (dark) and plan capacity (a diamond)."""
    row = 23.0
    top, bottom = 8.0, 38.0
    left = 12.0 + CHAR_WIDTH * max((len(b.label) for b in bars), default=0)
    right = WIDTH - 14.0
    height = top + row * max(len(bars), 1) + bottom
    highest = max([1.0, *(max(b.target_max, b.realised, b.planned or 0.0) for b in bars)])
    ticks = nice_ticks(highest * 1.05)
    scale_top = max(highest * 1.05, ticks[-1])

    def x(value: float) -> float:
        return left + (right - left) * value / scale_top

    body: list[str] = []
    for i, bar in enumerate(bars):
        middle = top + row * (i + 0.5)
        wide, narrow = row * 0.6, row * 0.34
        body.append(
            f'<rect x="{_f(left)}" y="{_f(middle - wide / 2)}" '
            f'width="{_f(x(bar.target_max) - left)}" height="{_f(wide)}" fill="{TARGET}"/>'
        )
        if bar.target_max > bar.target_min:
            body.append(
                f'<rect x="{_f(left)}" y="{_f(middle - wide / 2)}" '
                f'width="{_f(x(bar.target_min) - left)}" height="{_f(wide)}" fill="{TARGET_MIN}"/>'
            )
        body.append(
            f'<rect x="{_f(left)}" y="{_f(middle - narrow / 2)}" '
            f'width="{_f(x(bar.realised) - left)}" height="{_f(narrow)}" fill="{REALISED}"/>'
        )
        if bar.planned:
            body.append(_diamond(x(bar.planned), middle))
        body.append(_text(left - 5, middle + FONT * 0.35, bar.label, "end"))
    axis_y = top + row * max(len(bars), 1)
    body.append(
        f'<path d="M{_f(left)},{_f(top)} V{_f(axis_y)} H{_f(right)}" fill="none" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    )
    for tick in ticks:
        body.append(
            f'<path d="M{_f(x(tick))},{_f(axis_y)} v3.5" stroke="{AXIS}" stroke-width="0.8"/>'
        )
        body.append(_text(x(tick), axis_y + 13, number(tick), "middle"))
    body.append(_text((left + right) / 2, axis_y + 27, labels["chart_homes"], "middle"))
    legend_x, legend_y = right - 92.0, axis_y - 40.0
    entries = [
        (
            f'<rect x="{_f(legend_x)}" y="{_f(legend_y - 5)}" width="14" height="7" '
            f'fill="{TARGET}"/>',
            labels["chart_target"],
        ),
        (
            f'<rect x="{_f(legend_x)}" y="{_f(legend_y + 7)}" width="14" height="7" '
            f'fill="{REALISED}"/>',
            labels["chart_realised"],
        ),
        (_diamond(legend_x + 7, legend_y + 22.5), labels["chart_planned"]),
    ]
    for n, (mark, text) in enumerate(entries):
        body.append(mark)
        body.append(_text(legend_x + 19, legend_y + 1.5 + 12 * n, text))
    return _svg(WIDTH, height, body)


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
    height = 190.0
    left, right, top, bottom = 70.0, WIDTH - 14.0, 10.0, height - 26.0
    start = first_year - 1
    ceiling = max(target, 1.0) * 1.05
    years = [year for year in sorted(realised_by_year) if first_year <= year <= last_year]
    total = 0.0
    points = [(float(start), 0.0)]
    for year in years:
        total += realised_by_year[year]
        points.append((float(year), total))
    ceiling = max(ceiling, total * 1.05)

    def x(year: float) -> float:
        return left + (right - left) * (year - start) / max(last_year - start, 1)

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / ceiling

    body = [
        f'<path d="M{_f(left)},{_f(top)} V{_f(bottom)} H{_f(right)}" fill="none" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    ]
    for tick in nice_ticks(ceiling, 4):
        body.append(
            f'<path d="M{_f(left)},{_f(y(tick))} h-3.5" stroke="{AXIS}" stroke-width="0.8"/>'
        )
        body.append(_text(left - 6, y(tick) + FONT * 0.35, number(tick), "end"))
    for year in range(start, last_year + 1):
        body.append(
            f'<path d="M{_f(x(year))},{_f(bottom)} v3.5" stroke="{AXIS}" stroke-width="0.8"/>'
        )
        body.append(_text(x(year), bottom + 13, str(year), "middle"))
    middle = (top + bottom) / 2
    body.append(
        _text(
            14,
            middle,
            labels["chart_cumulative"],
            "middle",
            transform=f"rotate(-90 14 {_f(middle)})",
        )
    )
    body.append(
        f'<path d="M{_f(x(start))},{_f(y(0))} L{_f(x(last_year))},{_f(y(target))}" '
        f'stroke="{CAPACITY}" stroke-width="1.4" stroke-dasharray="5 3" fill="none"/>'
    )
    if years:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_f(x(a))},{_f(y(b))}" for i, (a, b) in enumerate(points)
        )
        body.append(f'<path d="{path}" stroke="{REALISED}" stroke-width="1.4" fill="none"/>')
        body += [
            f'<circle cx="{_f(x(a))}" cy="{_f(y(b))}" r="3" fill="{REALISED}"/>' for a, b in points
        ]
        last_x, last_y = points[-1]
        body.append(_text(x(last_x) + 6, y(last_y) + 10, number(total)))
    legend_x, legend_y = left + 12, top + 6
    body.append(
        f'<path d="M{_f(legend_x)},{_f(legend_y)} h16" stroke="{CAPACITY}" stroke-width="1.4" '
        f'stroke-dasharray="5 3"/>'
    )
    body.append(_text(legend_x + 22, legend_y + 3, labels["chart_target_line"]))
    if years:
        body.append(
            f'<path d="M{_f(legend_x)},{_f(legend_y + 12)} h16" stroke="{REALISED}" '
            f'stroke-width="1.4"/><circle cx="{_f(legend_x + 8)}" cy="{_f(legend_y + 12)}" '
            f'r="3" fill="{REALISED}"/>'
        )
        body.append(_text(legend_x + 22, legend_y + 15, labels["chart_realised"]))
    return _svg(WIDTH, height, body)
