"""Writes of the pipeline and of realised figures: plan lists (with their history), CBS and BAG
figures, the synthetic demo, manual corrections; and the reads that need the plans' history.

Inputs: the service, the principal who writes, and a file (path or uploaded bytes) or a
download. Outputs: import reports; the database after one transaction per call (all or
nothing). Derives: which plans are added, changed, unchanged or dropped on a capture date;
whether the writer may place each record where the file puts it - on the old and the new
value of every placing field (municipality, area links, precondition links), decided by
:mod:`opgave.access`; one audit event per import (its diff: the plans per outcome).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave import monitor, programme, review
from opgave.access import Placement, Principal
from opgave.ingest import cbs, file_source, gemeente_codes, geo, network
from opgave.ingest import plans as plan_lists
from opgave.model import (
    Area,
    AreaCodeChange,
    Plan,
    PlanArea,
    PlanHistory,
    Precondition,
    Realisation,
    Source,
)
from opgave.refusals import refusal
from opgave.service import Service, authority, plan_staging, users
from opgave.service.errors import ServiceError
from opgave.service.loading import rows
from opgave.vocabulary import PLAN_FIELDS

CBS_TABLE = cbs.DEFAULT_TABLE
"""The CBS table ``opgave ingest cbs`` reads by default."""
PLAN_LIST_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
Progress = Callable[[float, str], None]


@dataclass
class PlanImportReport:
    """What an import did, plan ids per outcome."""

    source_id: str
    captured: dt.date
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    synthetic: bool = False
    marked_synthetic: bool = False
    """The list is synthetic because the file marks every row so (else, when ``synthetic``,
    because it updates synthetic plans)."""
    reading: str = ""
    """How the file was read (the import report's summary: rows, plans, problems, notes)."""

    @property
    def writes(self) -> int:
        """Plans added, changed or dropped."""
        return len(self.added) + len(self.changed) + len(self.dropped)


def _problems(error: plan_lists.PlanListError) -> list[dict[str, Any]]:
    return [asdict(p) for p in error.problems]


# ---------------------------------------------------------------- plan lists: the history


def _history_row(plan: Mapping[str, Any], until: dt.date) -> dict[str, Any]:
    """The plan's current version, closed on ``until`` (a ``plan_history`` row)."""
    return {
        "plan_id": plan["id"],
        "valid_from": plan["valid_from"],
        "valid_to": until,
        "source_id": plan["source_id"],
        **{k: plan[k] for k in PLAN_FIELDS},
    }


def correct(
    session: Session, plan: Plan, changes: Mapping[str, Any], *, source_id: str, on: dt.date
) -> None:
    """Change fields of a plan by hand (a correction), keeping the old version in history."""
    if plan.valid_from != on:
        session.add(PlanHistory(**_history_row(plan.to_dict(), on)))
    for key, value in changes.items():
        setattr(plan, key, value)
    plan.valid_from, plan.source_id = on, source_id


# ---------------------------------------------------------------- plan lists: importing


def _read_context(svc: Service) -> dict[str, Any]:
    """What a plan list is checked against (municipality codes, area and precondition ids,
    large-scale area outlines), read before the file and outside any write."""
    with svc.reading() as session:
        return {
            "gemeenten": gemeente_codes(session),
            "areas": session.scalars(select(Area.id)).all(),
            "preconditions": session.scalars(select(Precondition.id)).all(),
            "area_polygons": geo.area_polygons(session),
            "latest": plan_staging.latest_capture(session),
            "synthetic_plans": set(
                session.scalars(
                    select(Plan.id)
                    .join(Source, Plan.source_id == Source.id)
                    .where(Source.confidence == "synthetic")
                )
            ),
        }


def import_plans(
    svc: Service,
    principal: Principal,
    path: Path,
    *,
    captured: dt.date,
    partial: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
    source_note: str | None = None,
    mapping: str | Path = "opgave",
    report_path: Path | None = None,
    on_written: Callable[[Session, PlanImportReport], None] | None = None,
) -> PlanImportReport:
    """Read (through the mapping profile: opgave's format, a shipped profile or a TOML
    file), validate and write a plan list, in stages it reports to ``progress(0-1,
    stage)``: ``reading`` (every row checked, outside any write transaction), ``validating``
    and ``writing`` (one transaction: the writer's areas on the old and new placements, then
    the plans in bulk). Refuses with every problem (422 per row, 403 outside the writer's
    areas) and then writes nothing; audited as one event listing the plans per outcome.
    ``report_path`` receives the import report (HTML or CSV), also when the file is refused.
    ``on_written(session, report)`` runs inside the write transaction (a job records its
    outcome there, so that the import and its job's state are committed together)."""
    report_progress = progress or (lambda _share, _stage: None)
    name = name or path.name
    authority.require(principal, "plans.import")
    if not path.exists():
        raise ServiceError.refused(404, "no_such_file", path=path)
    report_progress(0.02, "reading")
    context = _read_context(svc)
    plan_staging.refuse_out_of_order(captured, context["latest"], name)
    try:
        reading = plan_lists.read_plan_register(
            path,
            gemeenten=context["gemeenten"],
            areas=context["areas"],
            preconditions=context["preconditions"],
            profile=mapping,
            captured=captured,
            area_polygons=context["area_polygons"],
            name=name,
        )
        plan_rows = reading.rows
        if report_path is not None:
            reading.report.write(report_path)
    except plan_lists.PlanListError as error:
        failed = getattr(error, "report", None)
        if failed is not None and report_path is not None:
            failed.write(report_path)
        raise ServiceError(
            422,
            refusal("plan_list_problems", count=len(error.problems)),
            problems=_problems(error),
        ) from None
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError, OSError) as error:
        raise _unreadable(name, error) from None
    # a list that changes plans resting on synthetic data (a later version of the demo's
    # plans) is synthetic too: no synthetic plan turns real by an import; and so is a file
    # that marks its rows synthetic
    later = any(row.id in context["synthetic_plans"] for row in plan_rows)
    says = reading.report.synthetic
    synthetic = later or says
    source = Source(
        **file_source(
            path,
            "plans",
            f"Plan list {name} ({len(plan_rows)} plans), captured {captured}"
            + (f", {source_note}" if source_note else "")
            + (", SYNTHETIC: a later version of synthetic plans" if later else "")
            + (", SYNTHETIC: the file marks every row synthetic" if says else ""),
            retrieved=captured,
            title=name,
            confidence="synthetic" if synthetic else "official",
        )
    )
    del context
    return write_plans(
        svc, principal, plan_rows, source=source, captured=captured, partial=partial,
        name=name, reading=reading.report.summary(), progress=report_progress,
        finish=on_written, marked_synthetic=says,
    )  # fmt: skip


def write_plans(
    svc: Service,
    principal: Principal,
    plan_rows: Sequence[plan_lists.PlanRow],
    *,
    source: Source,
    captured: dt.date,
    partial: bool = False,
    name: str | None = None,
    reading: str = "",
    progress: Progress | None = None,
    finish: Callable[[Session, PlanImportReport], None] | None = None,
    marked_synthetic: bool = False,
) -> PlanImportReport:
    """Write checked plan rows as the plans on ``captured`` - the one writer of plans (see
    :mod:`opgave.service.plan_staging`): earlier versions go to history, a plan missing from
    the list is dropped when its municipality is listed (unless ``partial``), lists come in
    date order. Audited as one event; ``finish(session, report)`` runs after that in the same
    write transaction (a job's end, the demo's realised figures)."""

    def new_report() -> PlanImportReport:
        return PlanImportReport(
            source_id=source.id,
            captured=captured,
            synthetic=source.confidence == "synthetic",
            marked_synthetic=marked_synthetic,
            reading=reading,
        )

    def done(session: Session, report: PlanImportReport) -> None:
        _audit_import(session, principal, report)
        if finish is not None:
            finish(session, report)

    report: PlanImportReport = plan_staging.write(
        svc, principal, plan_rows, source=source, captured=captured, partial=partial,
        name=name or source.title, new_report=new_report,
        progress=progress or (lambda _share, _stage: None), finish=done,
    )  # fmt: skip
    return report


def _audit_import(session: Session, principal: Principal, report: PlanImportReport) -> None:
    users.record(
        session,
        principal,
        "upload",
        "plan",
        report.source_id,
        None,
        {
            "captured": report.captured,
            "added": report.added,
            "changed": report.changed,
            "dropped": report.dropped,
            "unchanged": len(report.unchanged),
            "changes": report.changes,
        },
    )


def check_upload(
    filename: str | None,
    content: bytes,
    what: Literal["plan_list", "applications_file"] = "plan_list",
) -> str:
    """The name to use for an uploaded file, after checking its suffix, its size and that it
    is text (in any encoding the reader detects) or a workbook at all (a 422 naming the file
    otherwise), so that a job need not be started for such a file."""
    name = Path(filename or "upload.csv").name or "upload.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in PLAN_LIST_SUFFIXES:
        raise ServiceError(
            422,
            refusal(f"not_csv_{what}"),
            problems=[{"file": name, "message": "expected a .csv or .xlsx file"}],
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise ServiceError.refused(422, "file_too_large", megabytes=MAX_UPLOAD_BYTES // 2**20)
    try:
        if suffix in (".xlsx", ".xlsm"):
            zipfile.ZipFile(io.BytesIO(content)).close()
        elif b"\x00" in content[:65536] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValueError("a binary file, not CSV text")  # any text encoding is read later
    except (ValueError, zipfile.BadZipFile) as error:
        raise _unreadable(name, error) from None
    return name


def _unreadable(name: str, error: Exception) -> ServiceError:
    return ServiceError(
        422,
        refusal("unreadable_plan_list"),
        problems=[{"file": name, "message": f"not a readable CSV or Excel file: {error}"}],
    )


def import_upload(
    svc: Service,
    principal: Principal,
    filename: str | None,
    content: bytes,
    *,
    captured: dt.date,
    partial: bool = False,
    progress: Progress | None = None,
    on_written: Callable[[Session, PlanImportReport], None] | None = None,
) -> PlanImportReport:
    """:func:`import_plans` for an uploaded file (the API and the dashboard)."""
    name = check_upload(filename, content)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return import_plans(
            svc, principal, path, captured=captured, partial=partial, name=name,
            progress=progress, source_note=f"uploaded by {principal.name}",
            on_written=on_written,
        )  # fmt: skip


def plan_detail(svc: Service, plan_id: str) -> dict[str, Any]:
    """One plan (also a dropped one) with the areas it lies in and its earlier versions."""
    with svc.engine.connect() as connection:
        found = rows(connection, Plan, Plan.id == plan_id)
        if not found:
            raise ServiceError.refused(404, "unknown_plan", plan=plan_id)
        links = rows(connection, PlanArea, PlanArea.plan_id == plan_id)
        history = rows(connection, PlanHistory, PlanHistory.plan_id == plan_id)
    plan = found[0]
    return {
        "plan": {**plan, "synthetic": svc.state().is_synthetic(plan["source_id"])},
        "area_ids": sorted(link["area_id"] for link in links),
        "history": history,
    }


def flags(svc: Service, on: dt.date) -> list[review.Flag]:
    """Plans to review on a date: stalled and duplicates."""
    with svc.engine.connect() as connection:
        return review.flags(rows(connection, Plan), rows(connection, PlanHistory), on)


def apply_corrections(
    svc: Service, principal: Principal, path: Path, today: dt.date
) -> list[review.LedgerEntry]:
    """Apply a corrections file: each only where the field still holds ``old_value``; every
    change keeps the old version in history and is audited."""
    authority.require(principal, "plans.correct")
    if not path.exists():
        raise ServiceError.refused(404, "no_such_file", path=path)
    try:
        corrections = review.read_corrections(path)
    except plan_lists.PlanListError as error:
        raise ServiceError(
            422,
            refusal("problems_in_file", count=len(error.problems), file=path.name),
            problems=_problems(error),
        ) from None
    with svc.writing() as session:
        plans = {p.id: p.to_dict() for p in session.scalars(select(Plan))}
        entries = review.ledger(corrections, plans)
        applied = [e for e in entries if e.applied]
        if principal.role != "admin":
            current = plan_staging.current_plans(session)
            touched = sorted({e.plan_id for e in applied})
            found = plan_staging.placements(
                session, [], current, touched
            )  # where each plan lies now
            found += [
                Placement(
                    "gemeente_id",
                    str(review.parse_value(e.field, e.new_value)),
                    f"plan {e.plan_id}",
                )
                for e in applied
                if e.field == "gemeente_id"
            ]
            authority.authorise(session, principal, "plans.correct", found, file=path.name)
        source = Source(
            **file_source(path, "corrections", f"Manual corrections {path.name}", retrieved=today)
        )
        if any(e.applied for e in entries) and session.get(Source, source.id) is None:
            session.add(source)
        for entry in entries:
            if entry.applied:
                plan = session.get(Plan, entry.plan_id)
                assert plan is not None
                value = review.parse_value(entry.field, entry.new_value)
                before = {entry.field: getattr(plan, entry.field)}
                correct(session, plan, {entry.field: value}, source_id=source.id, on=today)
                users.record(
                    session, principal, "update", "plan", plan.id, before,
                    {entry.field: value, "source_id": source.id},
                )  # fmt: skip
    return entries


# ---------------------------------------------------------------- realised figures


@dataclass(frozen=True)
class FiguresReport:
    """What an ingest of realised figures wrote."""

    source_id: str
    figures: int
    inserted: int
    updated: int
    areas: int
    unknown_codes: list[str]
    synthetic: bool


def _merged(session: Session) -> dict[str, str]:
    return {
        c.old_code: c.new_code
        for c in session.scalars(select(AreaCodeChange))
        if c.kind == "merged"
    }


def _write_figures(
    session: Session,
    principal: Principal,
    source: Mapping[str, Any],
    figures: Sequence[Mapping[str, Any]],
    unknown: Sequence[str] = (),
) -> FiguresReport:
    authority.authorise(session, principal, "realisations.ingest")
    counts = programme.LoadReport()
    programme.upsert(session, Source, [dict(source)], counts)
    programme.upsert(session, Realisation, [dict(f) for f in figures], counts)
    report = FiguresReport(
        source_id=str(source["id"]),
        figures=len(figures),
        inserted=counts.inserted.get("realisation", 0),
        updated=counts.updated.get("realisation", 0),
        areas=len({f["area_id"] for f in figures}),
        unknown_codes=sorted(unknown),
        synthetic=source.get("confidence") == "synthetic",
    )
    users.record(session, principal, "upload", "realisation", report.source_id, None,
                 asdict(report))  # fmt: skip
    return report


def ingest_cbs(
    svc: Service,
    principal: Principal,
    table: str,
    years: Sequence[int],
    *,
    catalog_url: str | None = None,
    use_https: bool = True,
) -> FiguresReport:
    """Download a CBS table (online; ``catalog_url`` for a mirror) and store it as realised
    figures under its source."""
    authority.require(principal, "realisations.ingest")
    try:
        raw = cbs.fetch(table, years, catalog_url=catalog_url, use_https=use_https)
    except Exception as error:  # network, HTTP or JSON errors from cbsodata/requests
        why = network.problem(error, catalog_url or "opendata.cbs.nl")
        raise ServiceError.refused(502, "cbs_download_failed", table=table, reason=why) from None
    with svc.writing() as session:
        code_map = {
            a: a for a in session.scalars(select(Area.id).where(Area.kind == "municipality"))
        }
        code_map.update(_merged(session))
        try:
            figures = cbs.derive(table, raw, code_map, years)
        except cbs.CbsError as error:
            raise ServiceError(422, str(error)) from None
        source = cbs.source_record(figures, dt.date.today())
        return _write_figures(
            session,
            principal,
            source,
            [{**r, "source_id": source["id"]} for r in figures.rows],
            figures.unknown_regions,
        )


# ---------------------------------------------------------------- the synthetic demo


def _demo_weights(svc: Service) -> tuple[dict[str, float], float]:
    """The demo's weight per municipality of today (kind municipality, not merged away), from
    its province's target, the letter's named municipalities more; and the homes the demo
    pipeline holds (``demo.PIPELINE_RATIO`` times what remains of the national task)."""
    from opgave import demo

    state = svc.state()
    year = dt.date.today().year
    current = {
        a["id"]
        for a in state.areas
        if a["kind"] == "municipality" and (a["valid_to"] is None or a["valid_to"] >= year)
    }
    gemeenten = sorted(
        (m["child_id"], m["parent_id"])
        for m in state.members
        if m["child_id"] in current and state.kinds.get(m["parent_id"]) == "province"
    )
    province_targets = {
        t["area_id"]: t["value_min"]
        for t in state.targets
        if state.kinds.get(t["area_id"]) == "province"
        and t["measure"] == "homes_built"
        and t["value_min"]
    }
    named = {
        g
        for r in state.areas
        if r["kind"] == "strategy_region"
        for g in state.municipalities(r["id"])
    }
    national = monitor.headline(state, monitor.NATION)
    remaining = (
        national.progress.remaining_min
        if national.progress and national.progress.remaining_min is not None
        else (national.target or {}).get("value_min") or 0.0
    )
    weight = demo.weights(gemeenten, province_targets, named)
    return weight, demo.PIPELINE_RATIO * float(remaining)


def demo_plan_list(svc: Service, path: Path, seed: int, n_plans: int) -> int:
    """Write the demo's SYNTHETIC plans as a plan list (for benchmarks); returns how many."""
    from opgave import demo

    weight, total = _demo_weights(svc)
    plan_rows = demo.synthetic_plans(
        weight, n_plans=n_plans, seed=seed, total_homes=total, links=demo.DEMO_LINKS
    )
    demo.write_plan_list(path, plan_rows)
    return len(plan_rows)


@dataclass(frozen=True)
class DemoReport:
    """What ``opgave demo`` added (all of it synthetic)."""

    seed: int
    plans_added: int
    plans_unchanged: int
    realisations_added: int
    synthetic: bool = True


def load_demo(svc: Service, principal: Principal, seed: int, n_plans: int) -> DemoReport:
    """Add the seeded, labelled SYNTHETIC pipeline and municipal realised figures."""
    from opgave import demo

    weight, total = _demo_weights(svc)
    plan_rows = demo.synthetic_plans(
        weight, n_plans=n_plans, seed=seed, total_homes=total, links=demo.DEMO_LINKS
    )
    authority.require(principal, "realisations.ingest")  # admin only: no placements to check
    source = Source(**demo.source_record(seed))
    figures = demo.synthetic_realisations(weight, seed=seed, years=demo.YEARS)
    counts = programme.LoadReport()

    def refuse_another_seed(session: Session) -> None:
        existing = session.get(Source, source.id)
        # the seed is in the citation's first part (the rest is words that may change)
        if (
            existing is not None
            and existing.citation.split(":")[0] != source.citation.split(":")[0]
        ):
            raise ServiceError.refused(409, "demo_other_seed", citation=existing.citation)

    with svc.reading() as session:
        refuse_another_seed(session)  # at once; checked again under the write lock

    def with_figures(session: Session, report: PlanImportReport) -> None:
        refuse_another_seed(session)
        programme.upsert(session, Realisation, figures, counts)
        users.record(session, principal, "upload", "realisation", source.id, None,
                     {"figures": len(figures), "synthetic": True})  # fmt: skip

    report = write_plans(
        svc, principal, plan_rows, source=source, captured=demo.CAPTURED, partial=True,
        finish=with_figures,
    )  # fmt: skip
    return DemoReport(
        seed, len(report.added), len(report.unchanged), counts.inserted.get("realisation", 0)
    )
