"""Reads and writes of funding: applications (imported per file, validated per row), the
allocation of a tranche against the stored or given applications, awards recorded.

Inputs: the service, the principal who writes (an editor only for applications whose
municipality lies in its areas - before and after the import), files and schemes.
Outputs: import reports, the allocation report (:mod:`opgave.funding.allocation`), rows of
applications and awards, each saying whether it is synthetic. Every write is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave.access import Placement, Principal
from opgave.funding import applications as application_files
from opgave.funding.scheme import (
    SCHEMES_DIR,
    FundingError,
    FundingInputError,
    InputProblem,
    Scheme,
    load_scheme,
)
from opgave.ingest import file_source, gemeente_codes
from opgave.model import Application, Award, Instrument, Plan, Source
from opgave.refusals import refusal
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError
from opgave.service.loading import rows
from opgave.service.monitoring import page, require_area
from opgave.service.pipeline import check_upload

if TYPE_CHECKING:
    from opgave.funding import allocation

Row = dict[str, Any]
AWARD_SORTS = (
    "id", "decided_on", "amount_eur", "homes", "affordable_homes", "gemeente_id",
    "instrument_id", "scheme_name",
)  # fmt: skip
APPLICATION_SORTS = (
    "id", "requested_eur", "homes", "affordable_homes", "start_year", "gemeente_id",
    "instrument_id",
)  # fmt: skip


def _problems(error: FundingInputError) -> list[dict[str, Any]]:
    return [{**asdict(p), "message": str(p)} for p in error.problems]


def scheme(name_or_path: str) -> Scheme:
    """A scheme from a TOML file, or one of the shipped schemes by name."""
    path = Path(name_or_path)
    if not path.exists():
        shipped = SCHEMES_DIR / f"{name_or_path}.toml"
        if not shipped.exists():
            names = ", ".join(sorted(p.stem for p in SCHEMES_DIR.glob("*.toml")))
            raise ServiceError.refused(404, "unknown_scheme", name=name_or_path, names=names)
        path = shipped
    try:
        return load_scheme(path)
    except FundingError as error:
        raise ServiceError(422, str(error)) from None


def schemes() -> list[Row]:
    """The schemes shipped with opgave (usable by name)."""
    found = []
    for path in sorted(SCHEMES_DIR.glob("*.toml")):
        s = load_scheme(path)
        found.append(
            {
                "name": path.stem,
                "title": s.name,
                "budget_eur": s.budget_eur,
                "objective": s.objective,
                "assumptions": list(s.assumptions),
            }
        )
    return found


@dataclass
class ApplicationImport:
    """What an import did: application ids added, changed and unchanged, and its source."""

    source_id: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    synthetic: bool = False


def import_applications(
    svc: Service,
    principal: Principal,
    path: Path,
    *,
    instrument: str | None = None,
    title: str | None = None,
    today: dt.date | None = None,
) -> ApplicationImport:
    """Read, check and upsert an applications file in one transaction; every problem (rows,
    unknown plan or instrument: 422; outside the writer's areas, the application's old or new
    municipality: 403) before anything is written. Without ``instrument`` a re-import keeps
    each application's existing link."""
    name = title or path.name
    authority.require(principal, "applications.import")
    if not path.exists():
        raise ServiceError.refused(404, "no_such_file", path=path)
    with svc.writing() as session:
        codes = gemeente_codes(session)
        try:
            found = application_files.read_applications(path, known_gemeenten=set(codes))
        except FundingInputError as error:
            raise ServiceError(
                422,
                refusal("application_problems_nothing_written", count=len(error.problems)),
                problems=_problems(error),
            ) from None
        except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError, OSError) as error:
            raise ServiceError(
                422,
                refusal("unreadable_applications"),
                problems=[{"file": name, "message": f"not a readable CSV or Excel file: {error}"}],
            ) from None
        problems = []
        if instrument is not None and session.get(Instrument, instrument) is None:
            problems.append(
                InputProblem(name, None, "instrument", "a known instrument id", repr(instrument))
            )
        plans = set(session.scalars(select(Plan.id)))
        for a in found:
            if a.plan_id and a.plan_id not in plans:
                problems.append(
                    InputProblem(
                        name, None, "plan_id",
                        f"a known plan id (application {a.application_id})", repr(a.plan_id),
                    )
                )  # fmt: skip
        if problems:
            raise ServiceError(
                422,
                refusal("application_problems_nothing_written", count=len(problems)),
                problems=_problems(FundingInputError(problems)),
            )
        if principal.role != "admin":
            authority.authorise(
                session, principal, "applications.import",
                _placements(session, found, codes, instrument), file=name,
            )  # fmt: skip
        synthetic = any(a.synthetic for a in found)
        source = file_source(
            path,
            "applications",
            f"Funding applications {name} ({len(found)} rows)",
            retrieved=today or dt.date.today(),
            confidence="synthetic" if synthetic else "official",
            title=name,
        )
        if session.get(Source, source["id"]) is None:
            session.add(Source(**source))
        report = ApplicationImport(source_id=source["id"], synthetic=synthetic)
        for application in found:
            row = application_files.to_row(application, codes, source["id"])
            if instrument is not None:
                row["instrument_id"] = instrument
            existing = session.get(Application, row["id"])
            if existing is None:
                session.add(Application(**row))
                report.added.append(row["id"])
            elif any(getattr(existing, k) != v for k, v in row.items()):
                for key, value in row.items():
                    setattr(existing, key, value)
                report.changed.append(row["id"])
            else:
                report.unchanged.append(row["id"])
        session.flush()
        users.record(session, principal, "upload", "application", report.source_id, None,
                     {"added": report.added, "changed": report.changed,
                      "unchanged": len(report.unchanged)})  # fmt: skip
    return report


def _placements(
    session: Session,
    found: Sequence[application_files.Application],
    codes: Mapping[str, str],
    instrument: str | None,
) -> list[Placement]:
    """Where an applications file places each application, before (old) and after (new):
    its municipality and the areas its instrument is meant for (without ``instrument`` a
    re-import keeps the stored one)."""
    result: list[Placement] = []
    instruments: dict[tuple[str, str, str], Placement | None] = {}

    def under(instrument_id: str | None, record: str, when: str) -> None:
        if instrument_id is None:
            return
        key = (instrument_id, record, when)
        if key not in instruments:
            instruments[key] = authority.instrument_placement(
                session, instrument_id, f"{record}, instrument {instrument_id}", when
            )
        placed = instruments[key]
        if placed is not None:
            result.append(placed)

    for a in found:
        record = f"application {a.application_id}"
        existing = session.get(Application, a.application_id)
        result.append(Placement("gemeente_code", codes[a.gemeente_code], record))
        if existing is not None:
            result.append(Placement("gemeente_code", existing.gemeente_id, record, "old"))
            under(existing.instrument_id, record, "old")
        under(instrument or (existing.instrument_id if existing else None), record, "new")
    return result


def import_upload(
    svc: Service,
    principal: Principal,
    filename: str | None,
    content: bytes,
    *,
    instrument: str | None = None,
) -> ApplicationImport:
    """:func:`import_applications` for an uploaded file (the API)."""
    name = check_upload(filename or "applications.csv", content, "applications_file")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return import_applications(svc, principal, path, instrument=instrument, title=name)


def _with_synthetic(svc: Service, records: list[Row]) -> list[Row]:
    state = svc.state()
    return [{**r, "synthetic": state.is_synthetic(r.get("source_id"))} for r in records]


def applications(svc: Service) -> list[Row]:
    """The stored applications, each saying whether it is synthetic."""
    with svc.engine.connect() as connection:
        return _with_synthetic(svc, rows(connection, Application))


def awards(svc: Service) -> list[Row]:
    """The recorded awards, each saying whether it is synthetic."""
    with svc.engine.connect() as connection:
        return _with_synthetic(svc, rows(connection, Award))


def _instrument_scope(svc: Service, instrument: str | None) -> set[str] | None:
    """An instrument and its tracks and tranches (``parent_id``), or a 404 naming it."""
    if instrument is None:
        return None
    from opgave import areas as area_graph
    from opgave.service.programme import table

    instruments = table(svc, "instruments")
    children: dict[str, list[str]] = {}
    for i in instruments:
        if i["parent_id"] is not None:
            children.setdefault(i["parent_id"], []).append(i["id"])
    if instrument not in {i["id"] for i in instruments}:
        raise ServiceError.refused(404, "unknown_instrument", instrument=instrument)
    return {instrument} | area_graph.descendants(instrument, children)


def listing_page(
    svc: Service,
    kind: str,
    *,
    area: str | None = None,
    instrument: str | None = None,
    sort: str = "id",
    order: str = "asc",
    limit: int = 100,
    offset: int = 0,
) -> Row:
    """Awards or applications (``kind``) of the municipalities in an area and of an
    instrument with its tracks and tranches; sorted and paged."""
    records = awards(svc) if kind == "awards" else applications(svc)
    gemeenten = None
    if area is not None:
        state = svc.state()
        require_area(state, area)
        gemeenten = state.municipalities(area)
    scope = _instrument_scope(svc, instrument)
    chosen = [
        r
        for r in records
        if (gemeenten is None or r["gemeente_id"] in gemeenten)
        and (scope is None or r["instrument_id"] in scope)
    ]
    return page(chosen, sort, order, limit, offset)


def allocate(
    svc: Service,
    rules: Scheme,
    *,
    applications_file: Path | None = None,
    record_by: Principal | None = None,
    instrument: str | None = None,
    decided: dt.date | None = None,
) -> tuple[allocation.AllocationReport, bool]:
    """Allocate a tranche optimally beside the ranking: the applications of a file, else the
    stored ones. With ``record_by`` the optimal awards are recorded (audited). Returns the
    report and whether the applications are synthetic."""
    if record_by is not None:
        authority.require(record_by, "awards.record")
    from opgave.funding import allocation

    state = svc.state()
    with svc.reading() as session:
        known = gemeente_codes(session)
    if applications_file is not None:
        try:
            apps = application_files.read_applications(
                applications_file, known_gemeenten=set(known)
            )
        except FundingInputError as error:
            raise ServiceError(
                422, refusal("application_problems", count=len(error.problems)),
                problems=_problems(error),
            ) from None  # fmt: skip
        apps = [replace(a, gemeente_code=known[a.gemeente_code]) for a in apps]
    else:
        with svc.engine.connect() as connection:
            stored = rows(connection, Application)
        apps = application_files.from_rows(stored, set(state.synthetic_sources))
    named = {c.area for c in rules.region_cap} | {f.area for f in rules.region_floor}
    members = {name: set(state.municipalities(name)) for name in named if name in state.kinds}
    try:
        report = allocation.allocate(rules, apps, members)
    except FundingError as error:
        raise ServiceError(422, str(error)) from None
    synthetic = any(a.synthetic for a in apps)
    if record_by is not None:
        _record(svc, record_by, rules, apps, report, instrument, decided or dt.date.today())
    return report, synthetic


def _record(
    svc: Service,
    principal: Principal,
    rules: Scheme,
    apps: Sequence[application_files.Application],
    report: allocation.AllocationReport,
    instrument: str | None,
    decided: dt.date,
) -> None:
    with svc.writing() as session:
        authority.authorise(session, principal, "awards.record")
        if instrument and session.get(Instrument, instrument) is None:
            raise ServiceError.refused(404, "unknown_instrument_listed", instrument=instrument)
        by_id = {a.application_id: a for a in apps}
        stored: dict[str, str | None] = {
            app_id: source
            for app_id, source in session.execute(select(Application.id, Application.source_id))
        }
        share = dict(report.optimal.award_share)
        for app_id in report.optimal.awarded:
            a = by_id[app_id]
            fraction = share.get(app_id, 1.0)
            session.add(
                Award(
                    instrument_id=instrument,
                    scheme_name=rules.name,
                    application_id=app_id if app_id in stored else None,
                    plan_id=a.plan_id,
                    gemeente_id=a.gemeente_code,
                    amount_eur=round(a.requested_eur * fraction),
                    homes=round(a.homes * fraction),
                    affordable_homes=round(a.affordable_homes * fraction),
                    method="optimal",
                    decided_on=decided,
                    source_id=stored.get(app_id),  # synthetic applications: synthetic awards
                )
            )
        users.record(session, principal, "create", "award", rules.name, None,
                     {"awarded": list(report.optimal.awarded), "decided_on": decided})  # fmt: skip
