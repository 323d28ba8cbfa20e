"""Reads and writes of the BAG: an extract in, dwelling events per municipality out, and the
reconciliation of those figures with CBS.

Inputs: the LV BAG XML extract (national zip, a municipality's, a folder) or canonical status
periods, options of :func:`opgave.ingest.bag_ingest.read_bag`; for :func:`reconcile` the
realised figures already stored. Outputs: the figures read with the store report (written in
one transaction, audited as one event), and :class:`Reconciled`. Derives: nothing itself -
reading is :mod:`opgave.ingest.bag_ingest`, comparing is :mod:`opgave.bag_analysis`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opgave.access import Principal
from opgave.model import AreaCodeChange, Realisation, Source
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError
from opgave.service.loading import rows

if TYPE_CHECKING:  # DuckDB, pyogrio and numpy load when an extract is read
    from opgave import bag_analysis
    from opgave.ingest import bag_ingest


def ingest(
    svc: Service,
    principal: Principal,
    extract: Path,
    *,
    pand: Path | None = None,
    geopackage: Path | None = None,
    polygons: Path | None = None,
    polygon_id: str | None = None,
    since: int | None = None,
    as_of: dt.date | None = None,
    workers: int | None = None,
    keep: Path | None = None,
    progress: Callable[[str, float, float, int], None] | None = None,
) -> tuple[bag_ingest.BagFigures, bag_ingest.StoreReport]:
    """Read a BAG extract and store its figures with their source (the same extract twice
    changes nothing); a bad extract changes nothing and says what is wrong where. ``since``:
    the first year counted (default ``bag_ingest.DEFAULT_SINCE``). Realised figures are the
    admin's to store (``realisations.ingest``)."""
    authority.require(principal, "realisations.ingest")
    from opgave.ingest import bag_ingest, lvbag
    from opgave.ingest.bag import BagInputError

    for path in (extract, pand, geopackage, polygons):
        if path is not None and not path.exists():
            raise ServiceError.refused(404, "no_such_file", path=path)
    with svc.reading() as session:
        merged = bag_ingest.code_map(session)
    try:
        figures = bag_ingest.read_bag(
            extract, pand=pand, geopackage=geopackage, polygons=polygons,
            polygon_id=polygon_id, code_map=merged,
            since=bag_ingest.DEFAULT_SINCE if since is None else since, as_of=as_of,
            workers=workers, keep=keep, progress=progress,
        )  # fmt: skip
    except (BagInputError, lvbag.LvbagInputError) as error:
        raise ServiceError(422, str(error)) from None
    with svc.writing() as session:
        authority.authorise(session, principal, "realisations.ingest")
        report = bag_ingest.store_bag_figures(session, figures)
        users.record(session, principal, "upload", "realisation", report.source_id, None,
                     asdict(report))  # fmt: skip
    return figures, report


@dataclass(frozen=True)
class Reconciled:
    """BAG-derived completions of one import against CBS, per municipality and year."""

    source_id: str
    synthetic: bool
    rows: list[bag_analysis.Reconciliation]
    cbs_available: bool


def reconcile(
    svc: Service,
    *,
    year: int | None = None,
    areas: Sequence[str] | None = None,
    source: str | None = None,
) -> Reconciled:
    """Compare one BAG import (default: the latest) with the CBS figures in the database."""
    from opgave import bag_analysis

    with svc.engine.connect() as connection:
        sources = {s["id"]: s for s in rows(connection, Source)}
        figures = rows(connection, Realisation)
        changes = rows(connection, AreaCodeChange)

    def retrieved(source_id: str) -> tuple[dt.date, str]:
        return (sources.get(source_id, {}).get("retrieved") or dt.date.min, source_id)

    bag_sources = sorted(
        {
            r["source_id"]
            for r in figures
            if r["measure"] in bag_analysis.BAG_MEASURES.values() and r["source_id"]
        },
        key=retrieved,
    )
    if source is None:
        if not bag_sources:
            raise ServiceError.refused(404, "no_bag_figures")
        source = bag_sources[-1]
    elif source not in bag_sources:
        names = ", ".join(bag_sources)
        raise ServiceError.refused(
            404,
            "not_bag_source" if names else "not_bag_source_none",
            source=source,
            names=names,
        )
    chosen = sources.get(source, {})
    note = chosen.get("note") or ""
    extract_date = None
    for part in note.split(";"):
        if part.strip().startswith("reference date"):
            try:
                extract_date = dt.date.fromisoformat(part.strip().split()[-1])
            except ValueError:
                extract_date = None  # a note edited by hand: reconcile without the date
    cbs_rows = [
        r for r in figures
        if r["source_id"] in sources and sources[r["source_id"]]["kind"] == "cbs_table"
    ]  # fmt: skip
    merged = {c["old_code"]: (c["new_code"], c["year"]) for c in changes if c["kind"] == "merged"}
    result = bag_analysis.reconcile(
        [r for r in figures if r["source_id"] == source],
        cbs_rows,
        year=year,
        areas=list(areas) if areas else None,
        national_area="NL01" if "area: Nederland" in note else None,
        merged=merged,
        extract_date=extract_date,
    )
    return Reconciled(
        source_id=source,
        synthetic=chosen.get("confidence") == "synthetic",
        rows=result,
        cbs_available=bool(cbs_rows),
    )
