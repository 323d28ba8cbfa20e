"""Funding applications in the database: import a list (validated, upsert), read them back.

Inputs: an applications file (CSV/XLSX, the columns of ``opgave.funding.read_applications``),
the known municipality codes, plans and instruments. Outputs: ``application`` rows under a
``source`` row naming the file; the same rows back as ``funding.Application`` for allocation.
Used by ``opgave funding import`` and by the API's upload, so both validate alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave import funding
from opgave.ingest import file_source
from opgave.model import Application, Instrument, Plan, Source

SCORE_COLUMNS = ("noodzaak", "effectiviteit", "efficientie", "urgentie")
"""The Woningbouwimpuls criteria stored per application (score_<criterion>)."""


@dataclass
class ApplicationImport:
    """What an import did: application ids added, changed and unchanged, and its source."""

    source_id: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_applications(
    session: Session,
    path: Path,
    *,
    codes: Mapping[str, str],
    instrument: str | None = None,
    title: str | None = None,
    today: dt.date | None = None,
) -> ApplicationImport:
    """Read, check and upsert an applications file; raises ``funding.FundingInputError``
    listing every problem (rows, unknown plan or instrument) before anything is written.

    ``codes`` maps known municipality codes to current ones (merged municipalities).
    Without ``instrument`` a re-import keeps each application's existing link.
    """
    name = title or path.name
    applications = funding.read_applications(path, known_gemeenten=set(codes))
    problems = []
    if instrument is not None and session.get(Instrument, instrument) is None:
        problems.append(
            funding.InputProblem(
                name, None, "instrument", "a known instrument id", repr(instrument)
            )
        )
    plans = set(session.scalars(select(Plan.id)))
    for a in applications:
        if a.plan_id and a.plan_id not in plans:
            problems.append(
                funding.InputProblem(
                    name, None, "plan_id", f"a known plan id (application {a.application_id})",
                    repr(a.plan_id),
                )
            )  # fmt: skip
    if problems:
        raise funding.FundingInputError(problems)
    synthetic = any(a.synthetic for a in applications)
    source = file_source(
        path,
        "applications",
        f"Funding applications {name} ({len(applications)} rows)",
        retrieved=today or dt.date.today(),
        confidence="synthetic" if synthetic else "official",
        title=name,
    )
    if session.get(Source, source["id"]) is None:
        session.add(Source(**source))
    report = ApplicationImport(source_id=source["id"])
    for application in applications:
        row = to_row(application, codes, source["id"])
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
    return report


def to_row(
    application: funding.Application, codes: Mapping[str, str], source_id: str
) -> dict[str, Any]:
    """An application as an ``application`` row (current municipality code, whole euros)."""
    scores = application.score_map
    return {
        "id": application.application_id,
        "plan_id": application.plan_id,
        "gemeente_id": codes[application.gemeente_code],
        "project_name": application.project_name,
        "homes": application.homes,
        "affordable_homes": application.affordable_homes,
        "requested_eur": round(application.requested_eur),
        "public_deficit_eur": round(application.public_deficit_eur),
        "cofinancing_eur": round(application.cofinancing_eur),
        "start_year": application.start_year,
        **{f"score_{c}": scores.get(c) for c in SCORE_COLUMNS},
        "source_id": source_id,
    }


def from_rows(
    rows: Sequence[Mapping[str, Any]], synthetic_sources: set[str]
) -> list[funding.Application]:
    """Stored applications as ``funding.Application`` (synthetic when their source is)."""
    return [
        funding.Application(
            application_id=row["id"],
            gemeente_code=row["gemeente_id"],
            homes=row["homes"],
            affordable_homes=row["affordable_homes"],
            requested_eur=float(row["requested_eur"]),
            public_deficit_eur=float(row["public_deficit_eur"]),
            cofinancing_eur=float(row["cofinancing_eur"]),
            start_year=row["start_year"],
            plan_id=row["plan_id"],
            project_name=row["project_name"],
            scores=tuple(
                (c, row[f"score_{c}"]) for c in SCORE_COLUMNS if row[f"score_{c}"] is not None
            ),
            synthetic=row["source_id"] in synthetic_sources,
        )
        for row in rows
    ]
