"""Plan geometries for the map: WKB in RD New (as stored) -> GeoJSON text in WGS84.

Inputs: WKB geometries in RD New (EPSG:28992), as a GIS register's plans keep them
(``PlanRow.geometry_wkb``, table ``plan_geometry``).
Outputs: compact GeoJSON geometry text in WGS84 lon/lat, 6 decimals (about 0.1 m), None
where a geometry is missing.
Derives: nothing else. The import keeps WKB and leaves this to the map, which asks for the
plans it shows: reprojecting every vertex of a 50,000-plan register and writing its GeoJSON
took more time than reading the file and placing every plan in its municipality.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

GEOJSON_DECIMALS = 6
"""Plan geometries are shown in WGS84 with 6 decimals (about 0.1 m)."""


@cache
def _to_wgs84() -> Any:
    """The RD New -> WGS84 transformer (made once per process: making one takes ~30 ms)."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def geojson(wkb: Sequence[bytes | None]) -> list[str | None]:
    """RD New WKB geometries as compact GeoJSON text in WGS84 (6 decimals), None where
    missing."""
    import numpy as np
    import shapely

    transformer = _to_wgs84()

    def project(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([x, y]), GEOJSON_DECIMALS)

    geometry = shapely.from_wkb(np.array(list(wkb), dtype=object))
    present = ~shapely.is_missing(geometry)
    texts = np.full(len(geometry), None, dtype=object)
    if present.any():
        texts[present] = shapely.to_geojson(shapely.transform(geometry[present], project))
    return cast(list[str | None], texts.tolist())
