"""Reads and writes of plan-capacity totals (per municipality or region, hard / soft /
unknown x period, gross or net), and the mapping profiles plan registers are read through.

Inputs: the service, the principal, a workbook and its capacity profile. Outputs: the totals
stored under the file's source (a file imported again replaces its own totals), the import
report; the stored totals. Derives: nothing - reading is :mod:`opgave.ingest.capacity`,
what the totals mean against a target is :mod:`opgave.capacity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from opgave.access import Placement, Principal
from opgave.ingest import file_source, gemeente_codes, profiles
from opgave.ingest.plans import PlanListError
from opgave.model import Area, CapacityTotal, Source
from opgave.refusals import refusal
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError
from opgave.service.loading import rows


@dataclass(frozen=True)
class TotalsImport:
    """What a capacity-totals import stored, and how the file was read."""

    source_id: str
    totals: int
    areas: int
    reading: list[str]


def import_totals(
    svc: Service,
    principal: Principal,
    path: Path,
    mapping: str | Path,
    *,
    captured: dt.date,
    report_path: Path | None = None,
) -> TotalsImport:
    """Read a capacity-totals workbook through its profile and store its totals (all or
    nothing; "no data" cells are not zero); the report goes to ``report_path``."""
    authority.require(principal, "capacity.import")
    from opgave.ingest import capacity as capacity_totals

    if not path.exists():
        raise ServiceError.refused(404, "no_such_file", path=path)
    try:
        profile = capacity_totals.load_capacity_profile(mapping)
    except profiles.ProfileError as error:
        raise ServiceError(422, str(error)) from None
    with svc.writing() as session:
        try:
            totals = capacity_totals.read_totals(
                path,
                profile,
                gemeenten=gemeente_codes(session),
                areas=session.scalars(select(Area.id)).all(),
            )
        except PlanListError as error:
            failed = getattr(error, "report", None)
            if failed is not None and report_path is not None:
                failed.write(report_path)
            raise ServiceError(
                422,
                refusal("capacity_problems", count=len(error.problems)),
                problems=[
                    {"file": p.file, "row": p.row, "field": p.field, "message": p.message}
                    for p in error.problems
                ],
            ) from None
        source = Source(
            **file_source(
                path, "capacity", f"Capacity totals {path.name}, captured {captured}",
                retrieved=captured,
            )
        )  # fmt: skip
        replaced = session.scalars(
            select(CapacityTotal.area_id).where(CapacityTotal.source_id == source.id)
        ).all()
        authority.authorise(
            session,
            principal,
            "capacity.import",
            [Placement("area_id", r.area_id, f"capacity total of {r.area_id}") for r in totals.rows]
            + [Placement("area_id", a, f"capacity total of {a}", "old") for a in set(replaced)],
            file=path.name,
        )
        if session.get(Source, source.id) is None:
            session.add(source)
            session.flush()
        session.execute(delete(CapacityTotal).where(CapacityTotal.source_id == source.id))
        session.add_all(
            CapacityTotal(
                area_id=r.area_id,
                hardness=r.hardness,
                first_year=r.first_year,
                last_year=r.last_year,
                gross_or_net=r.gross_or_net,
                homes=r.homes,
                captured_on=captured,
                source_id=source.id,
                source_section=r.source_section,
            )
            for r in totals.rows
        )
        session.flush()
        users.record(session, principal, "upload", "capacity_total", source.id, None,
                     {"totals": len(totals.rows)})  # fmt: skip
    if report_path is not None and totals.reports:
        totals.reports[0].notes.extend(n for r in totals.reports[1:] for n in r.notes)
        totals.reports[0].write(report_path)
    return TotalsImport(
        source_id=source.id,
        totals=len(totals.rows),
        areas=len({r.area_id for r in totals.rows}),
        reading=[r.summary() for r in totals.reports],
    )


def totals(svc: Service, area: str | None = None) -> list[dict[str, Any]]:
    """The stored capacity totals (of one area), each with its source."""
    with svc.engine.connect() as connection:
        found = rows(connection, CapacityTotal)
    return [r for r in found if area is None or r["area_id"] == area]


def propose_mapping(path: Path, sheet: str | None = None) -> str:
    """A draft mapping profile (TOML) from a file's header and values, to check and edit."""
    from opgave.ingest import readers

    if not path.exists():
        raise ServiceError.refused(404, "no_such_file", path=path)
    try:
        table = readers.read_source(path, sheet=sheet)
    except readers.ReadError as error:
        raise ServiceError(422, str(error)) from None
    return profiles.propose_profile(table.header, table.columns, path.name)


def shipped_profiles() -> list[str]:
    """The mapping profiles shipped with opgave (usable by name)."""
    return list(profiles.shipped_names())
