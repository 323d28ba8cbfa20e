"""The dashboard's map of the Netherlands as Plotly figures (plain dicts, drawn in the browser).

The provinces or municipalities are a choropleth on a blank MapLibre map (``choroplethmap``
with the ``white-bg`` style: no tiles, no request leaves the server), drawn from the shipped
CBS/Kadaster boundaries or those loaded with ``opgave ingest geo``; the large-scale housing
areas are dots (with a legend) at the middle of their municipalities. Progress and capacity
share a fixed 0-160% colour range on a colour-blind-safe orange-purple scale that turns at
the target (progress) or the 130% norm (capacity); planned homes are shades of blue. Only
without any boundary does a schematic tile map of the 12 provinces stand in.
Values come from :func:`opgave.service.monitoring.map_values`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opgave.i18n import number, percent
from opgave.monitor import PLAN_CAPACITY_NORM
from opgave.web.figures import separators

TILES: dict[str, tuple[int, int]] = {
    "PV21": (1, 0),  # Fryslân
    "PV20": (2, 0),  # Groningen
    "PV27": (0, 1),  # Noord-Holland
    "PV24": (1, 1),  # Flevoland
    "PV22": (2, 1),  # Drenthe
    "PV28": (0, 2),  # Zuid-Holland
    "PV26": (1, 2),  # Utrecht
    "PV23": (2, 2),  # Overijssel
    "PV29": (0, 3),  # Zeeland
    "PV25": (2, 3),  # Gelderland
    "PV30": (1, 3),  # Noord-Brabant
    "PV31": (2, 4),  # Limburg
}
"""Column and row of each province in the schematic tile map (CBS province codes)."""
RATIO_MAX = 1.6
"""Progress and capacity share one fixed colour range, 0% to 160% (above: the top colour),
so a colour means the same on every map and every day."""
MIDPOINTS = {"progress": 1.0, "capacity": PLAN_CAPACITY_NORM}
"""Where the diverging scale turns from orange (short) to purple (there): the target itself
for progress, the 130% norm for plan capacity."""
NO_DATA_COLOUR = "#d0d0d0"
BORDER_COLOUR = "#7f7f7f"
MARKER_COLOUR = "#1b1b1b"
NL_BOX = {"lon": [3.3, 7.25], "lat": [50.72, 53.58]}
"""The box the map fits on any screen (charts.js turns it into a zoom)."""
PUOR = ("#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788")
"""ColorBrewer PuOr: orange to purple, safe for colour-blind readers (no red against green)."""
BLUES = [[0.0, "#eff3ff"], [0.25, "#bdd7e7"], [0.5, "#6baed6"], [0.75, "#3182bd"],
         [1.0, "#08519c"]]  # fmt: skip
"""ColorBrewer Blues for planned homes (more is darker; nothing good or bad about it)."""


def ratio_colours(measure: str) -> list[list[Any]]:
    """The diverging orange-purple scale over 0-160% turning at the measure's midpoint."""
    mid = MIDPOINTS[measure] / RATIO_MAX
    stops = (0.0, mid * 0.45, mid * 0.85, mid, mid + (1 - mid) * 0.35, mid + (1 - mid) * 0.7, 1.0)
    return [[round(stop, 4), colour] for stop, colour in zip(stops, PUOR, strict=True)]


def colour_bar(measure: str, title: str, language: str, norm_word: str = "norm") -> dict[str, Any]:
    """A horizontal colour legend under the map: percentages with the norm marked, or
    numbers of homes, written as the language writes them."""
    bar: dict[str, Any] = {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "x": 0.5,
        "xanchor": "center",
        "y": -0.02,
        "yanchor": "top",
        "thickness": 12,
        "len": 0.95,
    }
    if measure == "planned":
        return {**bar, "tickformat": ",.0f"}
    ticks = [0.0, 0.4, 0.8, 1.0, PLAN_CAPACITY_NORM, RATIO_MAX]
    text = [percent(v, language) for v in ticks]
    if measure == "capacity":
        text[ticks.index(MIDPOINTS[measure])] += f" {norm_word}"
    text[-1] += "+"
    return {**bar, "tickvals": ticks, "ticktext": text}


def _scale(measure: str, values: Sequence[float]) -> tuple[list[list[Any]], float, float]:
    if measure == "planned":
        ordered = sorted(values)
        top = ordered[int(0.95 * (len(ordered) - 1))] if ordered else 1.0
        return BLUES, 0.0, max(top, 1.0)
    return ratio_colours(measure), 0.0, RATIO_MAX


def _label(value: float | None, measure: str, language: str, none: str) -> str:
    if value is None:
        return none
    if measure == "planned":
        return number(value, language)
    return percent(value, language)


def tile_figure(
    values: Sequence[Mapping[str, Any]],
    measure: str,
    title: str,
    language: str,
    none: str,
    norm_word: str = "norm",
) -> dict[str, Any]:
    """A schematic map: one square per province in roughly its place, coloured by value
    (only when no boundaries are at hand at all; the shipped ones normally are)."""
    placed = [v for v in values if v["area_id"] in TILES]
    colours, lo, hi = _scale(measure, [v["value"] for v in placed if v["value"] is not None])
    traces: list[dict[str, Any]] = []
    for with_value in (True, False):
        chosen = [v for v in placed if (v["value"] is not None) == with_value]
        if not chosen:
            continue
        marker: dict[str, Any] = {
            "symbol": "square",
            "size": 64,
            "line": {"color": "#ffffff", "width": 2},
        }
        if with_value:
            marker.update(
                color=[v["value"] for v in chosen],
                colorscale=colours,
                cmin=lo,
                cmax=hi,
                showscale=True,
                colorbar=colour_bar(measure, title, language, norm_word),
            )
        else:
            marker["color"] = NO_DATA_COLOUR
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [TILES[v["area_id"]][0] for v in chosen],
                "y": [-TILES[v["area_id"]][1] for v in chosen],
                "text": [
                    f"{v['name'][:10]}<br>{_label(v['value'], measure, language, none)}"
                    for v in chosen
                ],
                "customdata": [v["area_id"] for v in chosen],
                "hovertext": [
                    f"{v['name']}: {_label(v['value'], measure, language, none)}" for v in chosen
                ],
                "hoverinfo": "text",
                "textfont": {"size": 11},
                "marker": marker,
                "showlegend": False,
            }
        )
    layout = {
        "xaxis": {"visible": False, "range": [-0.7, 2.7], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-4.7, 0.7], "scaleanchor": "x", "fixedrange": True},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 70},
        "height": 560,
        "separators": separators(language),
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }
    return {"data": traces, "layout": layout}


def _points(geometry: Mapping[str, Any]) -> Iterable[tuple[float, float]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates", [])
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons:
        for lon, lat, *_ in polygon[0] if polygon else []:
            yield float(lon), float(lat)


def middle(geometries: Iterable[Mapping[str, Any]]) -> tuple[float, float] | None:
    """The centre of the bounding box of some geometries (lon, lat), or None."""
    points = [p for g in geometries for p in _points(g)]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def choropleth_figure(
    values: Sequence[Mapping[str, Any]],
    geometries: Mapping[str, str],
    measure: str,
    title: str,
    language: str,
    *,
    none: str,
    markers: Sequence[Mapping[str, Any]] = (),
    markers_name: str = "",
    norm_word: str = "norm",
) -> dict[str, Any]:
    """Areas coloured by value on a blank map (no tiles: nothing is fetched), with a fixed
    colour legend; ``geometries`` maps area id to GeoJSON text; ``markers`` (dicts with
    name, lon, lat) are dots with their own legend entry."""
    features = [
        {"type": "Feature", "id": v["area_id"], "properties": {}, "geometry": json.loads(g)}
        for v in values
        if (g := geometries.get(v["area_id"])) is not None
    ]
    collection = {"type": "FeatureCollection", "features": features}
    shown = {f["id"] for f in features}
    colours, lo, hi = _scale(measure, [v["value"] for v in values if v["value"] is not None])
    traces: list[dict[str, Any]] = []
    for with_value in (True, False):
        chosen = [
            v for v in values if v["area_id"] in shown and (v["value"] is not None) == with_value
        ]
        if not chosen:
            continue
        trace: dict[str, Any] = {
            "type": "choroplethmap",
            "geojson": collection,
            "locations": [v["area_id"] for v in chosen],
            "text": [f"{v['name']}: {_label(v['value'], measure, language, none)}" for v in chosen],
            "hoverinfo": "text",
            "marker": {"opacity": 0.9, "line": {"color": BORDER_COLOUR, "width": 0.5}},
            "showlegend": False,
        }
        if with_value:
            trace.update(
                z=[v["value"] for v in chosen],
                colorscale=colours,
                zmin=lo,
                zmax=hi,
                colorbar=colour_bar(measure, title, language, norm_word),
            )
        else:
            trace.update(
                z=[0] * len(chosen),
                colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
                showscale=False,
            )
        traces.append(trace)
    if markers:
        traces.append(
            {
                "type": "scattermap",
                "mode": "markers",
                "lon": [m["lon"] for m in markers],
                "lat": [m["lat"] for m in markers],
                "text": [m["name"] for m in markers],
                "hoverinfo": "text",
                "marker": {"size": 10, "color": MARKER_COLOUR},
                "name": markers_name,
                "showlegend": True,
            }
        )
    layout = {
        "map": {"style": "white-bg", "center": {"lon": 5.3, "lat": 52.15}, "zoom": 5.9,
                "fit": NL_BOX},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 70},
        "height": 640,
        "height_phone": 480,
        "separators": separators(language),
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"},
    }  # fmt: skip
    return {"data": traces, "layout": layout}
