"""The dashboard's map of the Netherlands as Plotly figures (plain dicts, drawn in the browser).

With boundaries loaded (``opgave ingest geo``) the provinces or municipalities are a
choropleth on a blank MapLibre map (``choroplethmap`` with the ``white-bg`` style: no tiles,
no request leaves the server); the large-scale housing areas are markers at the middle of
their municipalities. Without boundaries a schematic tile map of the 12 provinces stands in.
Values come from :func:`opgave.service.monitoring.map_values`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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
SCALES: dict[str, tuple[float | None, float | None]] = {
    "progress": (0.0, 1.0),
    "capacity": (0.0, 1.6),
    "planned": (None, None),
}
"""Colour range per measure (capacity: 130% sits in the green part)."""
NO_DATA_COLOUR = "#d0d0d0"
COLOURS = [[0.0, "#d73027"], [0.5, "#fee08b"], [1.0, "#1a9850"]]
"""Red (far from the target) through yellow to green (there); plotly.js has no RdYlGn."""


def _label(value: float | None, measure: str) -> str:
    if value is None:
        return "-"
    if measure == "planned":
        return f"{value:,.0f}"
    return f"{value:.0%}"


def tile_figure(values: Sequence[Mapping[str, Any]], measure: str, title: str) -> dict[str, Any]:
    """A schematic map: one square per province in roughly its place, coloured by value."""
    lo, hi = SCALES[measure]
    placed = [v for v in values if v["area_id"] in TILES]
    traces: list[dict[str, Any]] = []
    for with_value in (True, False):
        chosen = [v for v in placed if (v["value"] is not None) == with_value]
        if not chosen:
            continue
        marker: dict[str, Any] = {
            "symbol": "square",
            "size": 74,
            "line": {"color": "#ffffff", "width": 2},
        }
        if with_value:
            marker.update(
                color=[v["value"] for v in chosen],
                colorscale=COLOURS,
                showscale=True,
                colorbar={"title": {"text": title}, "tickformat": ",.0%"}
                if measure != "planned"
                else {"title": {"text": title}},
            )
            if lo is not None:
                marker.update(cmin=lo, cmax=hi)
        else:
            marker["color"] = NO_DATA_COLOUR
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [TILES[v["area_id"]][0] for v in chosen],
                "y": [-TILES[v["area_id"]][1] for v in chosen],
                "text": [f"{v['name'][:10]}<br>{_label(v['value'], measure)}" for v in chosen],
                "customdata": [v["area_id"] for v in chosen],
                "hovertext": [f"{v['name']}: {_label(v['value'], measure)}" for v in chosen],
                "hoverinfo": "text",
                "textfont": {"size": 11},
                "marker": marker,
                "showlegend": False,
            }
        )
    layout = {
        "xaxis": {"visible": False, "range": [-0.7, 2.7]},
        "yaxis": {"visible": False, "range": [-4.7, 0.7], "scaleanchor": "x"},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "height": 560,
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
    markers: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Areas coloured by value on a blank map; ``geometries`` maps area id to GeoJSON text;
    ``markers`` are dicts with name, lon, lat."""
    lo, hi = SCALES[measure]
    features = [
        {"type": "Feature", "id": v["area_id"], "properties": {}, "geometry": json.loads(g)}
        for v in values
        if (g := geometries.get(v["area_id"])) is not None
    ]
    collection = {"type": "FeatureCollection", "features": features}
    shown = {f["id"] for f in features}
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
            "text": [f"{v['name']}: {_label(v['value'], measure)}" for v in chosen],
            "hoverinfo": "text",
            "marker": {"opacity": 0.85, "line": {"color": "#ffffff", "width": 0.6}},
        }
        if with_value:
            trace.update(
                z=[v["value"] for v in chosen],
                colorscale=COLOURS,
                colorbar={"title": {"text": title}},
            )
            if lo is not None:
                trace.update(zmin=lo, zmax=hi)
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
                "marker": {"size": 11, "color": "#1f3a93"},
                "name": "grootschalige woningbouwgebieden / large-scale areas",
                "showlegend": False,
            }
        )
    layout = {
        "map": {"style": "white-bg", "center": {"lon": 5.35, "lat": 52.2}, "zoom": 5.9},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": 620,
    }
    return {"data": traces, "layout": layout}
