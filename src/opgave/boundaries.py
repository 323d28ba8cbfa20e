"""The shipped CBS/Kadaster boundaries (generalised, 2022 and 2025; CC BY 4.0, "CBS/Kadaster").

Inputs: the GeoJSON files in ``opgave/data/geo/`` (WGS84 lon/lat, as published).
Outputs: per year and level (``gemeente`` or ``provincie``) the codes, names and shapely
geometries, as shipped (WGS84, for the map) or in RD New (EPSG:28992, metres, for area
computations), and :func:`division_for` - the division valid on a date.
Derives: the RD New geometries (pyproj), repaired where the rounding of the published
coordinates made a ring invalid. Loaded once per process (cached).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

YEARS = (2022, 2025)
"""The divisions shipped: CBS's municipal divisions of 1 January 2022 and 1 January 2025."""
Level = Literal["gemeente", "provincie"]
ATTRIBUTION = "CBS/Kadaster, gebiedsindelingen (generalised), CC BY 4.0"


@dataclass(frozen=True)
class Division:
    """The areas of one level and year: codes, names and geometries (same order)."""

    year: int
    level: Level
    codes: tuple[str, ...]
    names: tuple[str, ...]
    geometry: np.ndarray[Any, np.dtype[np.object_]]

    def index(self) -> Any:
        """A shapely STRtree over the geometries (for overlap queries)."""
        import shapely

        return shapely.STRtree(self.geometry)


def geojson_text(level: Level, year: int) -> str:
    """The shipped GeoJSON of a level and year, as text (WGS84)."""
    if year not in YEARS:
        raise ValueError(f"boundaries ship for {YEARS}, not {year}")
    return (resources.files("opgave") / "data" / "geo" / f"{level}_{year}.geojson").read_text(
        encoding="utf-8"
    )


@cache
def wgs84(level: Level, year: int) -> Division:
    """The boundaries as shipped, in WGS84 lon/lat."""
    import numpy as np
    import shapely

    features = json.loads(geojson_text(level, year))["features"]
    codes = tuple(str(f["properties"]["statcode"]) for f in features)
    names = tuple(str(f["properties"]["statnaam"]) for f in features)
    geometry = np.array([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object)
    return Division(year, level, codes, names, geometry)


@cache
def rd_new(level: Level, year: int) -> Division:
    """The boundaries in RD New (EPSG:28992), valid polygons, for area computations."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    shipped = wgs84(level, year)
    transformer = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)

    def project(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    geometry = shapely.transform(shipped.geometry, project)
    invalid = ~shapely.is_valid(geometry)
    if invalid.any():
        geometry[invalid] = shapely.make_valid(geometry[invalid])
    return Division(year, level, shipped.codes, shipped.names, geometry)


def division_year(on: dt.date | None) -> int:
    """The shipped division valid on a date: the latest one in force then (2025 from
    1 January 2025, else 2022; dates before 2022 get 2022, the oldest shipped)."""
    if on is None:
        return YEARS[-1]
    valid = [y for y in YEARS if dt.date(y, 1, 1) <= on]
    return valid[-1] if valid else YEARS[0]


def division_for(on: dt.date | None, level: Level = "gemeente") -> Division:
    """The boundaries (RD New) of the division valid on ``on`` (None: the newest)."""
    return rd_new(level, division_year(on))


@cache
def shipped_geojson() -> dict[str, str]:
    """Area id (PV27, GM0363) -> its outline as GeoJSON geometry text (WGS84), from the
    newest shipped division: the map's boundaries on a fresh install, without a download."""
    found: dict[str, str] = {}
    for level in ("provincie", "gemeente"):
        for feature in json.loads(geojson_text(level, YEARS[-1]))["features"]:
            found[str(feature["properties"]["statcode"])] = json.dumps(
                feature["geometry"], separators=(",", ":")
            )
    return found


@cache
def shipped_ids() -> frozenset[str]:
    """The area ids the newest shipped division has an outline for (the keys of
    :func:`shipped_geojson`, without serialising every outline: the programme state asks
    for these on every load)."""
    return frozenset(
        str(feature["properties"]["statcode"])
        for level in ("provincie", "gemeente")
        for feature in json.loads(geojson_text(level, YEARS[-1]))["features"]
    )
