"""The report's charts, drawn as SVG without matplotlib: well-formed, to scale, text as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from opgave.report import charts

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {
    "chart_homes": "woningen",
    "chart_target": "opgave",
    "chart_realised": "gerealiseerd",
    "chart_planned": "plancapaciteit",
    "chart_target_line": "lineair pad",
    "chart_cumulative": "woningen (cumulatief)",
}


def dutch(value: float) -> str:
    return f"{round(value):,}".replace(",", ".")


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert charts.nice_ticks(945_000) == [0, 200_000, 400_000, 600_000, 800_000]
    assert charts.nice_ticks(230_000) == [0, 50_000, 100_000, 150_000, 200_000]
    assert charts.nice_ticks(11, 4) == [0, 5, 10]
    assert charts.nice_ticks(9, 4) == [0, 2.5, 5, 7.5]
    assert charts.nice_ticks(0) == [0.0]


def test_region_bars_are_to_scale_and_labels_are_text() -> None:
    bars = [
        charts.Bar("Groningen & Assen (-2040)", 40_000, 40_000, 10_000, 30_000.0),
        charts.Bar("MRA <2030>", 150_000, 175_000, 70_000, None),
    ]
    root = ET.fromstring(charts.region_progress(bars, LABELS, dutch))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Groningen & Assen (-2040)" in texts and "MRA <2030>" in texts  # escaped, kept
    assert "woningen" in texts and "100.000" in texts
    rects = list(root.iter(f"{SVG}rect"))
    widths = {
        (r.get("fill"), float(r.get("y", 0))): float(r.get("width", 0))
        for r in rects
        if float(r.get("width", 0)) > 14
    }
    target_first = widths[(charts.TARGET, min(y for f, y in widths if f == charts.TARGET))]
    realised_first = widths[(charts.REALISED, min(y for f, y in widths if f == charts.REALISED))]
    assert realised_first / target_first == pytest.approx(10_000 / 40_000, rel=1e-3)
    # the range's darker part for MRA: the minimum against the maximum
    ranged = [w for (f, _), w in widths.items() if f == charts.TARGET_MIN]
    maximum = max(w for (f, _), w in widths.items() if f == charts.TARGET)
    assert ranged and ranged[0] / maximum == pytest.approx(150_000 / 175_000, rel=1e-3)
    assert len(list(root.iter(f"{SVG}polygon"))) == 1 + 1  # one plan-capacity mark + legend


def test_cumulative_line_ends_at_the_total_and_the_path_at_the_target() -> None:
    svg = charts.cumulative({2021: 100_000, 2022: 80_000, 2019: 5}, 900_000, 2021, 2030, LABELS,
                            dutch)  # fmt: skip
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "180.000" in texts  # the annotated total (2019 lies before the period)
    assert [str(y) for y in range(2020, 2031)] == [t for t in texts if t and len(t) == 4]
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1  # start, 2021, 2022 + legend
    empty = ET.fromstring(charts.cumulative({}, 900_000, 2021, 2030, LABELS, dutch))
    assert not list(empty.iter(f"{SVG}circle"))
