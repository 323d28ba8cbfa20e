"""Reading the programme state from the database: the only place its rows are loaded.

Inputs: a connection and an as-of date (None: as known now). Outputs: a
:class:`~opgave.state.ProgrammeState`. Derives: nothing - which plans, memberships and
figures count is decided in :mod:`opgave.state`; this module only fetches the rows (the
current plans, or for a date the plans and their history) in one transaction.

The outline (areas, memberships, targets, sources, meetings: what the listings need) is read
through tables reflected from the database, so that a listing imports neither the ORM nor
the model's 34 classes (0.2 s of a command's start); tests/service/test_loading.py keeps its rows
equal to the model's.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, MetaData, Table, func, select, text

from opgave.boundaries import shipped_ids
from opgave.state import ProgrammeState, plans_as_of

if TYPE_CHECKING:
    from opgave.model import Base

Row = dict[str, Any]
FINGERPRINT_SQL = text(
    "SELECT "
    + ", ".join(
        [
            "(SELECT count(*) FROM plan)",
            "(SELECT coalesce(sum(version), 0) FROM plan)",
            "(SELECT count(*) FROM plan_history)",
            "(SELECT count(*) FROM plan_area)",
            "(SELECT count(*) FROM realisation)",
            "(SELECT coalesce(max(id), 0) FROM realisation)",
            "(SELECT count(*) FROM realisation_month)",
            "(SELECT coalesce(sum(value), 0) FROM realisation_month)",
            "(SELECT count(*) FROM target)",
            "(SELECT count(*) FROM area)",
            "(SELECT count(*) FROM area_member)",
            "(SELECT count(*) FROM agreement)",
            "(SELECT coalesce(max(id), 0) FROM agreement_event)",
            "(SELECT count(*) FROM meeting)",
            "(SELECT count(*) FROM source)",
            "(SELECT count(*) FROM award)",
            "(SELECT count(*) FROM area_boundary)",
            "(SELECT count(*) FROM capacity_total)",
            "(SELECT coalesce(max(id), 0) FROM capacity_total)",
            "coalesce((SELECT id FROM audit_event WHERE table_name NOT IN ('app_user', "
            "'api_token') ORDER BY id DESC LIMIT 1), 0)",
        ]
    )
)
"""Cheap aggregates that change when the rows the state is made of change (sign-ins and
tokens, audited too, are not part of the state: they do not count)."""


def rows(connection: Connection, model: type[Base], where: Any = None) -> list[Row]:
    """The rows of a table as dicts keyed by column name, in primary-key order."""
    from opgave.model import table_of

    return table_rows(connection, table_of(model), where)


def table_rows(connection: Connection, table: Table, where: Any = None) -> list[Row]:
    """The rows of a (model's or reflected) table as dicts keyed by column name, in
    primary-key order."""
    query = select(table).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    result = connection.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result]


def fingerprint(connection: Connection) -> tuple[Any, ...]:
    """A value that changes when the programme's rows change (see ``FINGERPRINT_SQL``)."""
    return tuple(connection.execute(FINGERPRINT_SQL).one())


def agreements_with_version(connection: Connection) -> list[Row]:
    """The agreements, each with its version (the number of events in its history) and every
    meeting it is due at (``due_meeting_ids``, from ``agreement_due``)."""
    from opgave.model import Agreement, AgreementDue, AgreementEvent

    versions = dict(
        connection.execute(
            select(AgreementEvent.agreement_id, func.count()).group_by(AgreementEvent.agreement_id)
        ).all()
    )
    due: dict[str, list[str]] = {}
    for link in rows(connection, AgreementDue):
        due.setdefault(link["agreement_id"], []).append(link["meeting_id"])
    found = rows(connection, Agreement)
    for a in found:
        a["version"] = int(versions.get(a["id"], 0))
        first = [a["due_meeting_id"]] if a["due_meeting_id"] else []
        a["due_meeting_ids"] = first + sorted(set(due.get(a["id"], [])) - set(first))
    return found


OUTLINE_TABLES = ("area", "area_member", "area_code_change", "target", "source", "meeting")


def reflected(connection: Connection, names: tuple[str, ...]) -> dict[str, Table]:
    """The tables as the database holds them (at the current schema: the service checked),
    without the ORM model."""
    metadata = MetaData()
    metadata.reflect(bind=connection, only=list(names))
    return dict(metadata.tables)


def load_outline(connection: Connection) -> ProgrammeState:
    """The programme as known now without its pipeline, realised figures, agreements or
    awards: areas, memberships, code changes, targets, sources and meetings - what the
    listings of targets and meetings need (six small tables instead of all)."""
    tables = reflected(connection, OUTLINE_TABLES)
    return ProgrammeState(
        as_of=None,
        areas=table_rows(connection, tables["area"]),
        members=table_rows(connection, tables["area_member"]),
        code_changes=table_rows(connection, tables["area_code_change"]),
        targets=table_rows(connection, tables["target"]),
        sources=table_rows(connection, tables["source"]),
        realisations=[],
        plans=[],
        plan_areas=[],
        plan_preconditions=[],
        meetings=table_rows(connection, tables["meeting"]),
    )


def load_state(connection: Connection, as_of: dt.date | None = None) -> ProgrammeState:
    """The programme state on ``as_of`` (None: now), read in the caller's transaction."""
    from opgave.model import (
        Area,
        AreaBoundary,
        AreaCodeChange,
        AreaMember,
        Award,
        CapacityTotal,
        Meeting,
        Plan,
        PlanArea,
        PlanHistory,
        PlanPrecondition,
        Realisation,
        RealisationMonth,
        Source,
        Target,
    )

    if as_of is None:
        plans = rows(connection, Plan, Plan.dropped_on.is_(None))
    else:
        plans = list(
            plans_as_of(rows(connection, Plan), rows(connection, PlanHistory), as_of).values()
        )
    return ProgrammeState(
        as_of=as_of,
        areas=rows(connection, Area),
        members=rows(connection, AreaMember),
        code_changes=rows(connection, AreaCodeChange),
        targets=rows(connection, Target),
        sources=rows(connection, Source),
        realisations=rows(connection, Realisation),
        plans=plans,
        plan_areas=rows(connection, PlanArea),
        plan_preconditions=rows(connection, PlanPrecondition),
        meetings=rows(connection, Meeting),
        agreements=agreements_with_version(connection),
        awards=rows(connection, Award),
        capacity_totals=rows(connection, CapacityTotal),
        months=rows(connection, RealisationMonth),
        boundary_ids=frozenset(connection.execute(select(AreaBoundary.area_id)).scalars())
        | shipped_ids(),
    )
