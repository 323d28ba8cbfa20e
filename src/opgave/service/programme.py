"""Reads and writes of the programme itself: set-up, areas, targets, meetings, preconditions,
instruments, sources; export and import of the whole database.

Inputs: the service and the caller's filters. Outputs: rows as the tables hold them (dicts
keyed by field name) or pages of them. Derives: which areas a filter admits (the area and
what lies inside it), which targets' periods overlap a year range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from opgave import monitor, store
from opgave.refusals import counted
from opgave.service import Service, newer_schema
from opgave.service.errors import ServiceError
from opgave.service.loading import rows
from opgave.service.monitoring import area_scope, page, require_area

Row = dict[str, Any]
AREA_SORTS = ("id", "name", "kind", "display_order")


@dataclass(frozen=True)
class InitReport:
    """What ``opgave init`` did: rows per table inserted, updated, unchanged; the schema."""

    inserted: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    changed: int
    revision: str | None


@contextmanager
def _setting_up(svc: Service) -> Iterator[None]:
    """Refuse a database a newer opgave wrote; remove a SQLite file this command created
    when it fails (no empty or half-made database is left behind)."""
    path = store.sqlite_path(svc.url)
    fresh = path is not None and (not path.exists() or path.stat().st_size == 0)
    try:
        status, revision = svc.schema()
        if status == "newer":
            raise newer_schema(svc.shown_url, revision)
        yield
    except BaseException as error:
        if fresh and path is not None:
            svc.engine.dispose()
            for leftover in (
                path,
                *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")),
            ):
                leftover.unlink(missing_ok=True)
        said = svc.failure(error) if isinstance(error, (DBAPIError, OSError)) else None
        if said is not None:
            raise said from None
        raise


def init(svc: Service) -> InitReport:
    """Create or upgrade the schema and load the default programme (idempotent)."""
    from opgave import programme

    with _setting_up(svc):
        store.migrate(svc.engine)
        with svc.writing() as session:
            report = programme.load(session)
    return InitReport(
        dict(report.inserted),
        dict(report.updated),
        dict(report.unchanged),
        report.changed,
        store.current_revision(svc.engine),
    )


def areas(
    svc: Service,
    *,
    kind: str | None = None,
    within: str | None = None,
    q: str | None = None,
) -> list[Row]:
    """Areas filtered by kind, by lying inside an area, and by a text in id or name; each
    with its coverage (municipalities counted, expected, complete)."""
    state = svc.outline()
    scope = area_scope(state, within, True)
    needle = (q or "").lower()
    return [
        {**a, "members_complete_propagated": state.complete.get(a["id"], True)}
        for a in state.areas
        if (kind is None or a["kind"] == kind)
        and (scope is None or a["id"] in scope)
        and (not needle or needle in a["id"].lower() or needle in a["name"].lower())
    ]


def areas_page(
    svc: Service,
    *,
    kind: str | None = None,
    within: str | None = None,
    q: str | None = None,
    sort: str = "id",
    order: str = "asc",
    limit: int = 100,
    offset: int = 0,
) -> Row:
    """:func:`areas`, sorted and paged."""
    return page(areas(svc, kind=kind, within=within, q=q), sort, order, limit, offset)


def area_detail(svc: Service, area_id: str) -> Row:
    """An area with its direct parents and children and its coverage."""
    state = svc.state()
    area = require_area(state, area_id)
    cover = monitor.coverage(state, area_id)
    return {
        "area": area,
        "parent_ids": state.parents.get(area_id, []),
        "child_ids": state.children.get(area_id, []),
        "coverage": cover,
    }


def memberships(svc: Service) -> list[Row]:
    """Every membership row (parent contains child), for drawing the area tree."""
    from opgave.model import AreaMember

    with svc.engine.connect() as connection:
        return rows(connection, AreaMember)


def targets(
    svc: Service,
    *,
    area: str | None = None,
    within: bool = False,
    measure: str | None = None,
    first: int | None = None,
    last: int | None = None,
) -> list[Row]:
    """Targets of an area (and inside it), of a measure, whose period overlaps first-last."""
    state = svc.outline()
    scope = area_scope(state, area, within)
    return [
        t
        for t in state.targets
        if (scope is None or t["area_id"] in scope)
        and (measure is None or t["measure"] == measure)
        and (first is None or last is None or monitor.in_period(t, first, last))
    ]


def meetings(svc: Service) -> list[Row]:
    """The consultations in time order."""
    state = svc.outline()
    return sorted(
        state.meetings, key=lambda m: (m["year"] or 0, str(m["date_first"] or ""), m["id"])
    )


def table(svc: Service, name: str) -> list[Row]:
    """The rows of a small reference table: ``preconditions``, ``instruments`` or ``sources``."""
    from opgave.model import Instrument, Precondition, Source

    model = {"preconditions": Precondition, "instruments": Instrument, "sources": Source}[name]
    with svc.engine.connect() as connection:
        return rows(connection, model)


def sources_cited(svc: Service, ids: Iterable[str]) -> dict[str, Row]:
    """The sources with these ids, by id (from the programme as known now, which a command
    that asks has read already)."""
    wanted = set(ids)
    return {s["id"]: s for s in svc.outline().sources if s["id"] in wanted}


def export(svc: Service, directory: Path, fmt: str, *, overwrite: bool = False) -> list[Path]:
    """Every table into ``directory``, one file each, plus a manifest naming the synthetic
    sources in the data. An existing file is never overwritten unless ``overwrite``, and a
    path that is a file (not a folder) is refused."""
    from opgave import exchange
    from opgave.model import Source

    if fmt not in exchange.FORMATS:
        raise ServiceError.refused(
            400, "one_of", name="--format", choices=", ".join(exchange.FORMATS)
        )
    if directory.exists() and not directory.is_dir():
        raise ServiceError.refused(400, "export_into_file", directory=directory)
    if directory.is_dir() and not overwrite:
        names = {f"{m.__tablename__}.{fmt}" for m in exchange.exported_tables()}
        taken = sorted(p.name for p in directory.iterdir() if p.name in names | {exchange.MANIFEST})
        if taken:
            raise ServiceError.refused(
                400,
                "export_not_empty",
                directory=directory,
                names=", ".join(taken[:3]) + (", ..." if len(taken) > 3 else ""),
            )
    with svc.reading() as session:
        synthetic = sorted(
            session.scalars(select(Source.id).where(Source.confidence == "synthetic"))
        )
        return exchange.export_all(session, directory, fmt, synthetic_sources=synthetic)


def import_folder(svc: Service, directory: Path) -> dict[str, int]:
    """An exported folder into an empty database: all or nothing."""
    from opgave import exchange

    try:
        with _setting_up(svc):
            store.migrate(svc.engine)
            with svc.writing() as session:
                return exchange.import_all(session, directory)
    except exchange.ImportProblems as error:
        raise ServiceError(
            422,
            counted("problems_nothing_imported", len(error.problems)),
            problems=[
                {"file": p.file, "row": p.row, "field": p.field, "message": p.message}
                for p in error.problems
            ],
        ) from None
