"""GIS plan registers: GeoPackage, Shapefile (also zipped) and GeoJSON -> a table in RD New.

Inputs: a file (``.gpkg``, ``.shp`` with its side files, a ``.zip`` holding one of these,
``.geojson``/``.json``), optionally the layer and the attribute encoding.
Outputs: a :class:`~opgave.ingest.readers.SourceTable` whose columns are the attributes
(typed as the file stores them) and whose geometries are shapely objects in RD New
(EPSG:28992); features count from 1 as rows.
Derives: the coordinate system when the file has none (.prj missing): RD New when the
coordinates lie in the Dutch RD range, WGS84 when they are Dutch lon/lat; a Shapefile's
attribute encoding when it names none (.cpg missing): UTF-8 when the text decodes as such,
else Latin-1, as Dutch GIS packages write it; invalid polygons are repaired (make_valid).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from opgave.ingest.readers import (
    MAX_COLUMNS,
    MAX_ROWS,
    RD_NEW,
    ReadError,
    SourceTable,
    encode_arrow,
    take,
)
from opgave.problem import Problem

RD_BOUNDS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)
"""The RD New extent (x min, x max, y min, y max), from the EPSG:28992 definition."""
NL_LONLAT = (3.2, 7.3, 50.7, 53.7)
"""The Netherlands in WGS84 lon/lat (min lon, max lon, min lat, max lat)."""
_INNER = (".shp", ".gpkg", ".geojson", ".json")


def _fail(name: str, message: str) -> ReadError:
    return ReadError([Problem(name, None, None, message)])


def _dataset(path: Path, name: str) -> str:
    """The path pyogrio opens: a zip is read in place (/vsizip/) from its one dataset."""
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m.filename
                for m in archive.infolist()
                if m.filename.lower().endswith(_INNER) and not m.filename.startswith("__MACOSX")
            ]
    except (zipfile.BadZipFile, OSError) as error:
        raise _fail(name, f"not a valid zip file: {error}") from None
    if len(members) != 1:
        found = ", ".join(members) or "none"
        raise _fail(name, f"expected one .shp, .gpkg or .geojson in the zip, found {found}")
    return f"/vsizip/{path}/{members[0]}"


def read_gis(
    path: Path, name: str, *, layer: str | None = None, encoding: str | None = None
) -> SourceTable:
    """The features of a GIS file: attributes as columns, geometries in RD New."""
    import pyogrio
    import shapely

    source = _dataset(path, name)
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(source)]
    except Exception as error:  # GDAL: DataSourceError and friends, for any unreadable file
        raise _fail(name, f"not a readable GIS file: {_gdal_message(error)}") from None
    if layer is not None and layer not in layers:
        raise _fail(name, f"no layer {layer!r}; the layers are {', '.join(layers)}")
    if layer is None and len(layers) > 1:
        layer = layers[0]
    notes = [f"layer {layer or layers[0] if layers else '?'}"]
    try:
        meta, table = _read(pyogrio, source, layer, encoding)
        if encoding is None and meta.get("encoding") is None and _mojibake(table):
            meta, table = _read(pyogrio, source, layer, "UTF-8")
            notes.append("attribute encoding UTF-8 (detected)")
    except Exception as error:  # GDAL errors on corrupt files
        raise _fail(name, f"not a readable GIS file: {_gdal_message(error)}") from None
    if table.num_rows == 0:
        raise ReadError([Problem(name, 1, None, "the layer has no features")])
    if table.num_rows > MAX_ROWS:
        raise _fail(name, f"{table.num_rows} features; at most {MAX_ROWS} are read")
    geometry_name = meta.get("geometry_name") or "wkb_geometry"
    attributes = [c for c in table.column_names if c != geometry_name]
    if len(attributes) > MAX_COLUMNS:
        raise _fail(name, f"{len(attributes)} attributes; at most {MAX_COLUMNS} are read")
    geometry = None
    kept: list[bytes | None] | None = None  # the file's WKB, when the geometries are it
    if geometry_name in table.column_names:
        wkb = table.column(geometry_name).to_numpy(zero_copy_only=False)
        as_read = True
        try:
            geometry = shapely.from_wkb(wkb, on_invalid="raise")
        except Exception:  # a blob GEOS cannot read as it is: read again, repaired
            as_read = False
            try:
                geometry = shapely.from_wkb(wkb, on_invalid="fix")
            except Exception as error:  # a malformed WKB blob
                raise _fail(name, f"the geometries cannot be read: {error}") from None
        assert geometry is not None
        crs = meta.get("crs")
        read = geometry
        geometry, how = to_rd_new(geometry, crs, name)
        notes.append(how)
        invalid = ~shapely.is_valid(geometry) & ~shapely.is_missing(geometry)
        if invalid.any():
            geometry[invalid] = shapely.make_valid(geometry[invalid])
            notes.append(f"{int(invalid.sum())} invalid geometries repaired")
        elif as_read and geometry is read:  # in RD New, nothing repaired: kept as it is
            kept = wkb.tolist()
    columns: dict[str, list[Any]] = {}
    encoded: dict[str, tuple[list[Any], np.ndarray[Any, Any]]] = {}
    for column in attributes:
        try:  # each distinct value once, text stripped, shared by the rows holding it
            encoded[column] = encode_arrow(table.column(column), strip=True)
        except NotImplementedError:  # a list attribute: not hashable, kept as it is
            columns[column] = table.column(column).to_pylist()
        else:
            columns[column] = take(*encoded[column])
    return SourceTable(
        name=name,
        kind="gis",
        header=list(attributes),
        columns=columns,
        row_numbers=list(range(1, table.num_rows + 1)),
        geometry=geometry,
        decimal=",",
        notes=notes,
        encoded=encoded,
        wkb=kept,
    )


def _read(pyogrio: Any, source: str, layer: str | None, encoding: str | None) -> Any:
    return pyogrio.read_arrow(source, layer=layer, encoding=encoding)


def _mojibake(table: Any) -> bool:
    """Whether text attributes look like UTF-8 read as Latin-1 ("Ã«" for "ë")."""
    import pyarrow as pa

    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            for value in column.slice(0, 2000).to_pylist():
                if isinstance(value, str) and ("Ã" in value or "Â" in value):
                    return True
    return False


def _gdal_message(error: Exception) -> str:
    return " ".join(str(error).split())[:300] or error.__class__.__name__


def to_rd_new(
    geometry: np.ndarray[Any, np.dtype[np.object_]], crs: str | None, name: str
) -> tuple[np.ndarray[Any, np.dtype[np.object_]], str]:
    """Geometries reprojected to RD New, and how (the source CRS, given or guessed)."""
    import shapely
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    if crs is None:
        crs = _guess_crs(geometry, name)
        how = f"coordinate system {crs} (guessed: the file names none)"
    else:
        how = f"coordinate system {crs}"
    try:
        source = CRS.from_user_input(crs)
    except CRSError as error:
        raise _fail(name, f"unknown coordinate system {crs!r}: {error}") from None
    if source.equals(CRS.from_epsg(28992)):
        return geometry, how
    transformer = Transformer.from_crs(source, RD_NEW, always_xy=True)

    def project(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project), how + ", reprojected to RD New"


def _guess_crs(geometry: np.ndarray[Any, np.dtype[np.object_]], name: str) -> str:
    import shapely

    present = geometry[~shapely.is_missing(geometry)]
    if len(present) == 0:
        return RD_NEW
    x0, y0, x1, y1 = shapely.total_bounds(present)
    if RD_BOUNDS[0] <= x0 and x1 <= RD_BOUNDS[1] and RD_BOUNDS[2] <= y0 and y1 <= RD_BOUNDS[3]:
        return RD_NEW
    if NL_LONLAT[0] <= x0 and x1 <= NL_LONLAT[1] and NL_LONLAT[2] <= y0 and y1 <= NL_LONLAT[3]:
        return "EPSG:4326"
    raise _fail(
        name,
        "the file names no coordinate system (.prj missing?) and its coordinates are "
        "neither RD New nor Dutch lon/lat; add the .prj file",
    )
