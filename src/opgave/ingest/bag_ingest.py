"""`opgave ingest bag`: a BAG extract in, dwellings permitted, started and completed out.

Inputs: the LV BAG 2.0 extract (national zip, a municipality's extract, an unpacked folder,
XML documents) or the canonical VBO/pand files (Parquet/CSV) - the kind is detected; the
BAG GeoPackage (current state) to fill municipality and coordinates; a polygon file
(GeoJSON, GeoPackage, anything GDAL reads, with an area id field) to count per area.
Outputs: `BagFigures` - per municipality whole years (from `since` to the year before the
extract's date) and the months of the extract's own year, per polygon the same - with the
`source` row (file name and SHA-256 checksum). `store_bag_figures` writes them: years into
`realisation`, months into `realisation_month`; it is the only function here that touches
the database.
Derives: see `opgave.ingest.lvbag` (address chain), `opgave.ingest.bag_dwellings` (events,
nieuwbouw rule) and `opgave.bag_analysis` (polygons).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave import bag_analysis
from opgave.ingest import bag, bag_dwellings, checksum, lvbag
from opgave.ingest.bag import BagInputError, BagProblem
from opgave.model import Area, AreaCodeChange, Realisation, RealisationMonth, Source

__all__ = [
    "DEFAULT_SINCE",
    "EVENT_MEASURES",
    "AreaFigure",
    "BagFigures",
    "StoreReport",
    "code_map",
    "input_kind",
    "read_bag",
    "read_polygons",
    "store_bag_figures",
]

DEFAULT_SINCE = 2012
"""CBS derives its figures from the LV BAG from 1 January 2012; earlier voorkomens mostly
record the registration of existing stock, not construction (docs/bag.md)."""

EVENT_MEASURES = {
    "permitted": "homes_permitted",
    "started": "homes_started",
    "completed": "homes_completed",
    "completed_new_build": "homes_completed_new_build",
    "completed_other": "homes_completed_other",
}
"""Event (opgave.ingest.bag_dwellings.EVENTS) -> realisation measure."""

CANONICAL_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".txt")
POLYGON_ID_FIELDS = ("area_id", "id", "plan_id", "code", "statcode")
"""Fields tried, in order, for a polygon's id when no field is named."""

Progress = Callable[[str, float, float, int], None]
"""progress(phase, done, total, rows): "parse XML" counts bytes, other phases 0-1."""


@dataclass(frozen=True)
class AreaFigure:
    """A count for an area (municipality or polygon) in a year, or a month of that year."""

    area_id: str
    measure: str
    year: int
    month: int | None
    value: int


@dataclass
class BagFigures:
    """What an extract gives, ready to store; `store_bag_figures` writes it."""

    path: Path
    input_kind: str  # "extract" or "canonical"
    source: dict[str, Any]
    as_of: dt.date
    since: int
    synthetic: bool
    started_available: bool
    split_available: bool
    municipal: list[AreaFigure]
    polygons: list[AreaFigure]
    polygon_file: Path | None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def years(self) -> tuple[int, int]:
        """The whole years stored in `realisation` (inclusive)."""
        return self.since, self.as_of.year - 1


def input_kind(path: Path) -> str:
    """ "canonical" (Parquet/CSV status periods) or "extract" (LV BAG XML: zip, folder, XML)."""
    lower = path.name.lower()
    if lower.endswith(CANONICAL_SUFFIXES):
        return "canonical"
    if path.is_dir() or lower.endswith((".zip", ".xml")):
        return "extract"
    if lower.endswith(".gpkg"):
        raise BagInputError(
            [
                BagProblem(
                    str(path),
                    None,
                    None,
                    "a BAG GeoPackage holds the current state only, so it cannot date events; "
                    "give it with --geopackage next to an LV BAG extract or canonical files",
                )
            ]
        )
    raise BagInputError(
        [
            BagProblem(
                str(path),
                None,
                None,
                "expected an LV BAG extract (.zip, folder, .xml) or canonical status periods "
                "(.parquet, .csv)",
            )
        ]
    )


def code_map(session: Session) -> dict[str, str]:
    """Merged municipality codes -> the code they merged into (read from the database)."""
    return {
        c.old_code: c.new_code
        for c in session.scalars(select(AreaCodeChange))
        if c.kind == "merged"
    }


def _folder_checksum(path: Path) -> str:
    """SHA-256 over every file of a folder (relative name and content), for provenance."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0")
        digest.update(checksum(file).encode() + b"\n")
    return digest.hexdigest()


def _source(
    path: Path,
    citation: str,
    *,
    synthetic: bool,
    title: str,
    note: str,
    digest: str,
) -> dict[str, Any]:
    """The `source` row: id from the checksum, so the same extract gives the same source."""
    return {
        "id": f"bag-{digest[:12]}",
        "kind": "import",
        "title": title,
        "citation": citation,
        "confidence": "synthetic" if synthetic else "official",
        "checksum": f"sha256:{digest}",
        "retrieved": dt.date.today(),
        "note": note,
    }


class _Digest:
    """The input's checksum, computed in a thread while the extract is parsed."""

    def __init__(self, path: Path) -> None:
        self.value = ""
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            self.value = _folder_checksum(path) if path.is_dir() else checksum(path)
        except BaseException as exc:  # reported when the value is asked for
            self.error = exc

    def result(self) -> str:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.value


# ---------------------------------------------------------------------------------------------
# Polygons.


def read_polygons(path: Path, id_field: str | None = None) -> list[tuple[str, Any]]:
    """(id, polygon in RD New) for every feature of a polygon file GDAL reads.

    The id comes from `id_field`, else the first of `POLYGON_ID_FIELDS` present. Features
    in another CRS are transformed (GeoJSON without a CRS is WGS84). Raises BagInputError
    naming the file, feature and field when something is missing.
    """
    import pyogrio
    import pyogrio.raw
    import shapely

    label = str(path)
    if not path.exists():
        raise BagInputError([BagProblem(label, None, None, "polygon file not found")])
    try:
        meta, _, geometry, values = pyogrio.raw.read(path)
    except Exception as exc:  # GDAL: unreadable or unknown format
        raise BagInputError(
            [BagProblem(label, None, None, f"cannot read polygon file: {exc}")]
        ) from None
    fields = [str(f) for f in meta["fields"]]
    chosen = id_field or next((f for f in POLYGON_ID_FIELDS if f in fields), None)
    if chosen is None or chosen not in fields:
        raise BagInputError(
            [
                BagProblem(
                    label,
                    None,
                    id_field,
                    f"no id field; expected {id_field or ' or '.join(POLYGON_ID_FIELDS)} "
                    f"(fields: {', '.join(fields) or 'none'})",
                )
            ]
        )
    ids = values[fields.index(chosen)]
    geoms = shapely.from_wkb(geometry)
    crs = str(meta.get("crs") or "EPSG:4326")
    if "28992" not in crs:
        from pyproj import Transformer

        transformer = Transformer.from_crs(crs, "EPSG:28992", always_xy=True)
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    problems = []
    out: list[tuple[str, Any]] = []
    for i, (ident, geom) in enumerate(zip(ids, geoms, strict=True), start=1):
        kind = None if geom is None else shapely.get_type_id(geom)
        if ident is None or str(ident).strip() == "":
            problems.append(BagProblem(label, i, chosen, "empty id"))
        elif kind not in (3, 6):
            problems.append(BagProblem(label, i, "geometry", "expected a polygon or multipolygon"))
        else:
            out.append((str(ident).strip(), shapely.make_valid(geom)))
    if problems:
        raise BagInputError(problems)
    return out


# ---------------------------------------------------------------------------------------------
# Canonical input with a GeoPackage: fill municipality and coordinates.


def _fill_canonical(vbo_path: Path, gpkg: Path, out: Path) -> Path:
    """The canonical VBO file with gemeente_code, x and y filled from the GeoPackage rows
    where the file has none (the file's own values win)."""
    con = duckdb.connect()
    try:
        spec = [c for c in bag.VBO_COLUMNS if c.name == "vbo_id"]
        src, problems = bag._open(con, vbo_path, spec, "VBO")
        if src is None:
            raise BagInputError(problems)
        has = set(src.types)
        own = [c for c in ("gemeente_code", "x", "y") if c in has]
        keep = "v.*" + (f" EXCLUDE ({', '.join(own)})" if own else "")
        vid = (
            "lpad(CAST(v.vbo_id AS VARCHAR), 16, '0')"
            if src.types["vbo_id"] in bag._INT_TYPES
            else "CAST(v.vbo_id AS VARCHAR)"
        )

        def filled(col: str, cast: str) -> str:
            if col in has:
                text = f"NULLIF(trim(CAST(v.{col} AS VARCHAR)), '')"
                return f"coalesce(TRY_CAST({text} AS {cast}), g.{col})"
            return f"g.{col}"

        con.execute(
            f"COPY (SELECT {keep}, {filled('gemeente_code', 'VARCHAR')} AS gemeente_code, "
            f"{filled('x', 'DOUBLE')} AS x, {filled('y', 'DOUBLE')} AS y "
            f"FROM {src.reader()} v LEFT JOIN read_parquet({bag._lit(str(gpkg))}) g "
            f"ON {vid} = g.vbo_id) TO {bag._lit(str(out))} (FORMAT parquet)"
        )
    finally:
        con.close()
    return out


# ---------------------------------------------------------------------------------------------
# The whole read.


def read_bag(
    path: str | Path,
    *,
    pand: str | Path | None = None,
    geopackage: str | Path | None = None,
    polygons: str | Path | None = None,
    polygon_id: str | None = None,
    code_map: Mapping[str, str] | None = None,
    since: int = DEFAULT_SINCE,
    as_of: dt.date | None = None,
    workers: int | None = None,
    keep: str | Path | None = None,
    progress: Progress | None = None,
    memory_limit: str = "1GB",
) -> BagFigures:
    """Read a BAG extract or canonical files into figures per municipality (and polygon).

    The reference date `as_of` is the extract's own date (StandTechnischeDatum) or, for
    canonical files, the day of the latest event; whole years from `since` up to the year
    before it become yearly figures, its own year monthly ones. `keep` saves the canonical
    files and the per-dwelling file there. The dwellings' points are read from the extract
    only when they are used (`polygons` or `keep`: a fifth of the parsing time). Raises
    `BagInputError` / `lvbag.LvbagInputError` with every problem found; nothing is returned
    then.
    """
    path = Path(path)
    kind = input_kind(path)
    if not path.exists():
        raise BagInputError([BagProblem(str(path), None, None, "no such file or folder")])
    if pand is not None and kind == "extract":
        raise BagInputError(
            [
                BagProblem(
                    str(pand), None, None, "--pand is for canonical files; an extract has its own"
                )
            ]
        )
    for extra, what in (
        (pand, "pand file"),
        (geopackage, "GeoPackage"),
        (polygons, "polygon file"),
    ):
        if extra is not None and not Path(extra).exists():
            raise BagInputError([BagProblem(str(extra), None, None, f"{what} not found")])
    areas = read_polygons(Path(polygons), polygon_id) if polygons is not None else None
    n = workers or lvbag.default_workers()
    digest = _Digest(path)
    stats: dict[str, Any] = {}

    def phase(name: str) -> bag.ProgressCallback | None:
        if progress is None:
            return None
        report = progress
        return lambda p, f: report(p, f, 1.0, 0)

    with tempfile.TemporaryDirectory(prefix="opgave-bag-") as tmp:
        work = Path(tmp)
        stand: dt.date | None = None
        area = "canonical files"
        synthetic = False
        if kind == "extract":
            result = lvbag.read_extract(
                path,
                work,
                geopackage=geopackage,
                workers=n,
                progress=progress,
                memory_limit=memory_limit,
                points=polygons is not None or keep is not None,
            )
            vbo_file, pand_file = result.canonical.vbo, result.canonical.pand
            stand, area, synthetic = (
                result.extract.stand_date,
                result.extract.area,
                result.extract.synthetic,
            )
            stats.update(
                voorkomens=result.stats.rows,
                documents=result.stats.documents,
                skipped=list(result.stats.skipped),
                gemeente_via=result.canonical.gemeente_via,
                notes=list(result.canonical.notes),
                geopackage=result.geopackage,
            )
        else:
            vbo_file = path
            pand_file = Path(pand) if pand is not None else None
            if geopackage is not None:
                gpkg_rows, info = lvbag.read_geopackage(
                    Path(geopackage), work / "geopackage.parquet"
                )
                stats["geopackage"] = info
                vbo_file = _fill_canonical(path, gpkg_rows, work / "vbo_filled.parquet")
        dwellings = bag_dwellings.derive_dwellings(
            vbo_file,
            pand_file,
            work / "dwellings.parquet",
            code_map=code_map,
            since=since,
            progress=phase("derive"),
            threads=n,
            memory_limit=memory_limit,
        )
        synthetic = synthetic or dwellings.synthetic
        reference = as_of or stand or dwellings.latest_event or dt.date.today()
        counts = bag_dwellings.municipal_counts(dwellings, since=since, until=reference)
        municipal = _figures([(a, e, y, m, c) for a, e, y, m, c in counts], reference, dwellings)
        polygon_figures: list[AreaFigure] = []
        if areas is not None:
            if progress is not None:
                progress("areas", 0.0, 1.0, 0)
            if not dwellings.has_points:
                raise BagInputError(
                    [
                        BagProblem(
                            str(path),
                            None,
                            "x, y",
                            "the dwellings have no coordinates to place in polygons; give "
                            "--geopackage, or x and y columns in the canonical VBO file",
                        )
                    ]
                )
            x, y, events = bag_dwellings.event_points(dwellings, since=since, until=reference)
            counted = bag_analysis.count_in_polygons(x, y, events, areas)
            polygon_figures = _figures(
                [(e.area_id, e.event, e.year, e.month, e.value) for e in counted],
                reference,
                dwellings,
            )
            stats["polygons"] = len({a for a, _ in areas})
            if progress is not None:
                progress("areas", 1.0, 1.0, len(x))
        stats["dwellings"] = dwellings.count
        if keep is not None:
            target = Path(keep)
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(vbo_file, target / f"vbo{Path(vbo_file).suffix}")
            if pand_file is not None:
                shutil.copy(pand_file, target / f"pand{Path(pand_file).suffix}")
            shutil.copy(dwellings.path, target / "dwellings.parquet")
    value = digest.result()
    label = "SYNTHETIC " if synthetic else ""
    if kind == "extract":
        citation = (
            f"{label}LV BAG extract {path.name} ({area}"
            + (f", stand {stand.isoformat()}" if stand else "")
            + ")"
        )
    else:
        citation = f"{label}BAG extract {path.name} (canonical status periods)"
    source = _source(
        path,
        citation,
        synthetic=synthetic,
        title=path.name + (f" + {Path(pand).name}" if pand is not None else ""),
        note=(
            f"area: {area}; reference date {reference.isoformat()}; "
            f"started: {dwellings.meta.get('started', '')}; since {since}"
        ),
        digest=value,
    )
    return BagFigures(
        path=path,
        input_kind=kind,
        source=source,
        as_of=reference,
        since=since,
        synthetic=synthetic,
        started_available=dwellings.started_available,
        split_available=dwellings.split_available,
        municipal=municipal,
        polygons=polygon_figures,
        polygon_file=None if polygons is None else Path(polygons),
        stats=stats,
    )


def _figures(
    counts: list[tuple[str, str, int, int, int]],
    reference: dt.date,
    dwellings: bag_dwellings.Dwellings,
) -> list[AreaFigure]:
    """Whole years before the reference year; the reference year's months."""
    yearly: dict[tuple[str, str, int], int] = {}
    out: list[AreaFigure] = []
    for area, event, year, month, value in counts:
        if event == "started" and not dwellings.started_available:
            continue
        if event.startswith("completed_") and not dwellings.split_available:
            continue
        measure = EVENT_MEASURES[event]
        if year < reference.year:
            key = (area, measure, year)
            yearly[key] = yearly.get(key, 0) + value
        elif year == reference.year and month <= reference.month:
            out.append(AreaFigure(area, measure, year, month, value))
    out += [AreaFigure(a, m, y, None, v) for (a, m, y), v in yearly.items()]
    out.sort(key=lambda f: (f.area_id, f.measure, f.year, f.month or 0))
    return out


# ---------------------------------------------------------------------------------------------
# Writing: the one function that touches the database.


@dataclass
class StoreReport:
    """What `store_bag_figures` wrote and left out."""

    source_id: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    months_inserted: int = 0
    months_updated: int = 0
    months_unchanged: int = 0
    municipalities: int = 0
    unknown_codes: list[str] = field(default_factory=list)
    polygon_areas: list[str] = field(default_factory=list)
    polygons_not_areas: list[str] = field(default_factory=list)


def store_bag_figures(session: Session, figures: BagFigures) -> StoreReport:
    """Write the figures with their source: years to `realisation`, months to
    `realisation_month` (provisional), upserted by area, measure, period and source, so the
    same extract stored twice changes nothing. Municipality codes and polygon ids that are
    no known area are left out and listed in the report. Runs in the caller's transaction.
    """
    from opgave import programme

    known = set(session.scalars(select(Area.id)))
    report = StoreReport(source_id=figures.source["id"])
    source_id = figures.source["id"]
    years: list[dict[str, Any]] = []
    months: list[dict[str, Any]] = []
    polygon_name = figures.polygon_file.name if figures.polygon_file else ""
    for group, figures_ in (("municipal", figures.municipal), ("polygon", figures.polygons)):
        stored: set[str] = set()
        missing: set[str] = set()
        for f in figures_:
            if f.area_id not in known:
                missing.add(f.area_id)
                continue
            if f.value == 0:
                continue
            stored.add(f.area_id)
            event = next(e for e, m in EVENT_MEASURES.items() if m == f.measure)
            section = (
                f"BAG {event}"
                if group == "municipal"
                else f"BAG {event}, dwellings inside polygon {f.area_id} of {polygon_name}"
            )
            if f.month is None:
                years.append(
                    {
                        "area_id": f.area_id,
                        "measure": f.measure,
                        "first_year": f.year,
                        "last_year": f.year,
                        "value": float(f.value),
                        "provisional": False,
                        "source_id": source_id,
                        "source_section": section,
                    }
                )
            else:
                months.append(
                    {
                        "area_id": f.area_id,
                        "measure": f.measure,
                        "year": f.year,
                        "month": f.month,
                        "value": float(f.value),
                        "provisional": True,
                        "source_id": source_id,
                    }
                )
        if group == "municipal":
            report.municipalities = len(stored)
            report.unknown_codes = sorted(missing)
        else:
            report.polygon_areas = sorted(stored)
            report.polygons_not_areas = sorted(missing)
    counts = programme.LoadReport()
    programme.upsert(session, Source, [figures.source], counts)
    programme.upsert(session, Realisation, years, counts)
    programme.upsert(session, RealisationMonth, months, counts)
    report.inserted = counts.inserted.get("realisation", 0)
    report.updated = counts.updated.get("realisation", 0)
    report.unchanged = counts.unchanged.get("realisation", 0)
    report.months_inserted = counts.inserted.get("realisation_month", 0)
    report.months_updated = counts.updated.get("realisation_month", 0)
    report.months_unchanged = counts.unchanged.get("realisation_month", 0)
    return report


def known_measures() -> Collection[str]:
    """The measures this ingest writes (for listings)."""
    return tuple(EVENT_MEASURES.values())
