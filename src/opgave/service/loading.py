"""Reading the programme state from the database: the only place its rows are loaded.

Inputs: a connection and an as-of date (None: as known now). Outputs: a
:class:`~opgave.state.ProgrammeState`. Derives: nothing - which plans, memberships and
figures count is decided in :mod:`opgave.state`; this module only fetches the rows (the
current plans, or for a date the plans and their history) in one transaction.

Rows are read with the driver's ``fetchall`` in the layouts of :data:`LAYOUTS`, which
tests/service/test_loading.py keeps equal to the model's, so that a listing (the outline:
areas, memberships, targets, sources, meetings) imports neither the ORM nor the model's 34
classes (0.2 s of a command's start).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, func, select, text

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
    """The rows of a table as dicts keyed by column name, in primary-key order (all rows of
    one of the state's tables read as :func:`layout_rows` reads them: the same values)."""
    from opgave.model import table_of

    table = table_of(model)
    if where is None and table.name in LAYOUTS:
        return layout_rows(connection, table.name)
    return table_rows(connection, table, where)


def model_rows(connection: Connection, model: type[Base], where: Any = None) -> list[Row]:
    """The rows of a model's table through SQLAlchemy's result rows (the reference the
    faster readings are compared with)."""
    from opgave.model import table_of

    return table_rows(connection, table_of(model), where)


def table_rows(connection: Connection, table: Table, where: Any = None) -> list[Row]:
    """The rows of a model's table as dicts keyed by column name, in primary-key order."""
    query = select(table).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    result = connection.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result]


def fingerprint(connection: Connection) -> tuple[Any, ...]:
    """A value that changes when the programme's rows change (see ``FINGERPRINT_SQL``)."""
    return tuple(connection.execute(FINGERPRINT_SQL).one())


def agreements_with_version(
    connection: Connection, read: Callable[[Connection, type[Base]], list[Row]] | None = None
) -> list[Row]:
    """The agreements, each with its version (the number of events in its history) and every
    meeting it is due at (``due_meeting_ids``, from ``agreement_due``)."""
    from opgave.model import Agreement, AgreementDue, AgreementEvent

    versions = dict(
        connection.execute(
            select(AgreementEvent.agreement_id, func.count()).group_by(AgreementEvent.agreement_id)
        ).all()
    )
    read = read or rows
    due: dict[str, list[str]] = {}
    for link in read(connection, AgreementDue):
        due.setdefault(link["agreement_id"], []).append(link["meeting_id"])
    found = read(connection, Agreement)
    for a in found:
        a["version"] = int(versions.get(a["id"], 0))
        first = [a["due_meeting_id"]] if a["due_meeting_id"] else []
        a["due_meeting_ids"] = first + sorted(set(due.get(a["id"], [])) - set(first))
    return found


OUTLINE_TABLES = ("area", "area_member", "area_code_change", "target", "source", "meeting")


def load_outline(connection: Connection) -> ProgrammeState:
    """The programme as known now without its pipeline, realised figures, agreements or
    awards: areas, memberships, code changes, targets, sources and meetings - what the
    listings of targets and meetings need (six small tables instead of all)."""
    read = {name: layout_rows(connection, name) for name in OUTLINE_TABLES}
    return ProgrammeState(
        as_of=None,
        areas=read["area"],
        members=read["area_member"],
        code_changes=read["area_code_change"],
        targets=read["target"],
        sources=read["source"],
        realisations=[],
        plans=[],
        plan_areas=[],
        plan_preconditions=[],
        meetings=read["meeting"],
    )


DATE, BOOL, JSON_TEXT = "date", "bool", "json"
"""How a column's stored value becomes the model's Python value (SQLite stores dates as ISO
text, booleans as 0/1 and JSON as text; PostgreSQL's driver returns them as Python values)."""


@dataclass(frozen=True)
class Layout:
    """A table of the state as the model declares it: its columns (in the model's order),
    primary key (the order rows come in) and the columns that need converting on SQLite."""

    columns: tuple[str, ...]
    key: tuple[str, ...]
    kinds: dict[str, str]

    def sql(self, table: str, where: str | None = None) -> str:
        """The SELECT of this table's rows in primary-key order."""
        names = ", ".join(f'"{c}"' for c in self.columns)
        condition = f" WHERE {where}" if where else ""
        order = ", ".join(f'"{c}"' for c in self.key)
        return f'SELECT {names} FROM "{table}"{condition} ORDER BY {order}'


LAYOUTS: dict[str, Layout] = {
    "area": Layout(
        ("id", "kind", "name", "name_en", "official_code", "valid_from", "valid_to",
         "members_complete", "members_expected", "members_source_id", "members_note",
         "succeeds_id", "display_order", "note", "source_id", "source_section"),
        ("id",), {"official_code": BOOL, "members_complete": BOOL},
    ),
    "area_member": Layout(
        ("parent_id", "child_id", "valid_from", "valid_to", "confidence", "source_id",
         "source_section", "note"),
        ("parent_id", "child_id"), {"valid_from": DATE, "valid_to": DATE},
    ),
    "area_code_change": Layout(
        ("old_code", "new_code", "kind", "old_name", "new_name", "year", "source_id", "note"),
        ("old_code", "new_code"), {},
    ),
    "target": Layout(
        ("id", "area_id", "measure", "kind", "first_year", "last_year", "period_text",
         "value_min", "value_max", "unit", "approximate", "qualitative", "note", "source_id",
         "source_section", "source_quote"),
        ("id",), {"approximate": BOOL},
    ),
    "source": Layout(
        ("id", "kind", "title", "citation", "publisher", "published", "url", "confidence",
         "checksum", "retrieved", "note"),
        ("id",), {"published": DATE, "retrieved": DATE},
    ),
    "realisation": Layout(
        ("id", "area_id", "measure", "first_year", "last_year", "value", "provisional",
         "source_id", "source_section"),
        ("id",), {"provisional": BOOL},
    ),
    "plan": Layout(
        ("id", "name", "gemeente_id", "homes", "social_rent_homes", "mid_rent_homes",
         "affordable_buy_homes", "planstatus", "first_year", "last_year", "source_id",
         "homes_by_year", "valid_from", "dropped_on", "version"),
        ("id",), {"homes_by_year": JSON_TEXT, "valid_from": DATE, "dropped_on": DATE},
    ),
    "plan_history": Layout(
        ("id", "plan_id", "name", "gemeente_id", "homes", "social_rent_homes",
         "mid_rent_homes", "affordable_buy_homes", "planstatus", "first_year", "last_year",
         "homes_by_year", "valid_from", "valid_to", "source_id"),
        ("id",), {"homes_by_year": JSON_TEXT, "valid_from": DATE, "valid_to": DATE},
    ),
    "plan_area": Layout(("plan_id", "area_id"), ("plan_id", "area_id"), {}),
    "plan_precondition": Layout(
        ("plan_id", "precondition_id"), ("plan_id", "precondition_id"), {}
    ),
    "meeting": Layout(
        ("id", "name", "kind", "date_first", "date_last", "moment_text", "year", "parent_id",
         "note", "source_id", "source_section"),
        ("id",), {"date_first": DATE, "date_last": DATE},
    ),
    "agreement": Layout(
        ("id", "kind", "meeting_id", "area_id", "parties", "themes", "text", "text_en",
         "due_meeting_id", "due_date", "due_text", "status", "display_order", "source_id",
         "source_section"),
        ("id",), {"parties": JSON_TEXT, "themes": JSON_TEXT, "due_date": DATE},
    ),
    "agreement_due": Layout(("agreement_id", "meeting_id"), ("agreement_id", "meeting_id"), {}),
    "award": Layout(
        ("id", "instrument_id", "scheme_name", "application_id", "plan_id", "gemeente_id",
         "amount_eur", "homes", "affordable_homes", "method", "decided_on", "source_id"),
        ("id",), {"decided_on": DATE},
    ),
    "capacity_total": Layout(
        ("id", "area_id", "hardness", "first_year", "last_year", "gross_or_net", "homes",
         "captured_on", "source_id", "source_section"),
        ("id",), {"captured_on": DATE},
    ),
    "realisation_month": Layout(
        ("area_id", "measure", "year", "month", "source_id", "value", "provisional"),
        ("area_id", "measure", "year", "month", "source_id"), {"provisional": BOOL},
    ),
}  # fmt: skip
"""The tables the state is read from, kept equal to the model's by tests/service/test_loading.py
(the model is not imported to read them, nor are statements compiled)."""


def _json_decoder() -> Callable[[Any], Any]:
    """JSON text to its value, decoded once per distinct text (a plan list repeats the same
    few yearly spreads); every row gets its own list, as a fresh decode would give it."""
    seen: dict[str, list[Any]] = {}

    def decode(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # SQLite hands a bare JSON number back as a number
        kept = seen.get(value)
        if kept is not None:
            return list(kept)
        found = json.loads(value)
        if isinstance(found, list) and not any(isinstance(x, (list, dict)) for x in found):
            seen[value] = found
            return list(found)
        return found

    return decode


def _converters(layout: Layout, dialect: str) -> dict[str, Callable[[Any], Any]]:
    """The conversions of the stored values to the model's Python values on this backend
    (the same SQLAlchemy applies: ``date.fromisoformat``, truth of 0/1, ``json.loads``)."""
    if dialect != "sqlite":
        return {}  # psycopg returns dates, booleans and decoded JSON itself
    made: dict[str, Callable[[Any], Any]] = {DATE: dt.date.fromisoformat, BOOL: bool}
    return {
        name: _json_decoder() if kind == JSON_TEXT else made[kind]
        for name, kind in layout.kinds.items()
    }


RowMaker = Callable[..., Callable[[Sequence[Any]], list[Row]]]


@functools.lru_cache(maxsize=64)
def _row_maker(columns: tuple[str, ...], converted: tuple[str, ...]) -> RowMaker:
    """A function that, given the converters of the ``converted`` columns, turns the driver's
    tuples into dicts in one comprehension: ``{"id": c0, "valid_from": None if c1 is None
    else f1(c1), ...}`` (as :func:`collections.namedtuple` builds its class from source: a
    dict display per row is half the time of ``dict(zip(...))`` plus a pass per converter).
    The names are the model's columns (:data:`LAYOUTS`), never data."""
    assert all(c.isidentifier() for c in columns)
    values = [f"c{i}" for i in range(len(columns))]
    items = [
        f"{c!r}: None if {v} is None else f{i}({v})" if c in converted else f"{c!r}: {v}"
        for i, (c, v) in enumerate(zip(columns, values, strict=True))
    ]
    arguments = ", ".join(f"f{columns.index(c)}" for c in converted)
    source = (
        f"def make({arguments}):\n"
        f"    return lambda raw: [{{{', '.join(items)}}} for ({', '.join(values)},) in raw]\n"
    )
    scope: dict[str, Any] = {}
    exec(source, scope)  # made from the fixed column names above
    return scope["make"]  # type: ignore[no-any-return]


def _fetch(connection: Connection, sql: str) -> Sequence[Any]:
    """All rows of a statement as the driver's tuples, in the connection's transaction (the
    statement through SQLAlchemy, which begins it; the rows straight from the cursor)."""
    return connection.exec_driver_sql(sql).cursor.fetchall()


def layout_rows(connection: Connection, table: str, where: str | None = None) -> list[Row]:
    """The rows of one of the state's tables (:data:`LAYOUTS`) as dicts keyed by column name,
    in primary-key order: the values :func:`rows` gives, read with the driver's ``fetchall``
    and converted as they are put in dicts, instead of through SQLAlchemy's result rows."""
    layout = LAYOUTS[table]
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return _model_rows(connection, table, where)
    converters = _converters(layout, dialect)
    make = _row_maker(layout.columns, tuple(c for c in layout.columns if c in converters))
    rows_of = make(*(converters[c] for c in layout.columns if c in converters))
    return rows_of(_fetch(connection, layout.sql(table, where)))


def _model_rows(connection: Connection, table: str, where: str | None) -> list[Row]:
    """The SQLAlchemy way, for a backend other than SQLite and PostgreSQL."""
    from opgave.model import Base

    model_table = Base.metadata.tables[table]
    return table_rows(connection, model_table, text(where) if where else None)


_pause_lock = threading.Lock()
_pause = {"count": 0, "resume": False}


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a state is read: its hundred thousand new dicts and
    tuples (none in a cycle) would trigger full collections over the whole heap, a third of
    the time of a large load. Nested and concurrent pauses resume it when the last ends (and
    only if it was on before)."""
    with _pause_lock:
        if _pause["count"] == 0:
            _pause["resume"] = gc.isenabled()
            gc.disable()
        _pause["count"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["count"] -= 1
            if _pause["count"] == 0 and _pause["resume"]:
                gc.enable()


def load_state(connection: Connection, as_of: dt.date | None = None) -> ProgrammeState:
    """The programme state on ``as_of`` (None: now), read in the caller's transaction."""
    with collection_paused():
        return _load_state(connection, as_of)


def _load_state(connection: Connection, as_of: dt.date | None) -> ProgrammeState:
    def table(name: str, where: str | None = None) -> list[Row]:
        return layout_rows(connection, name, where)

    if as_of is None:
        plans = table("plan", '"dropped_on" IS NULL')
    else:
        plans = list(plans_as_of(table("plan"), table("plan_history"), as_of).values())
    return ProgrammeState(
        as_of=as_of,
        areas=table("area"),
        members=table("area_member"),
        code_changes=table("area_code_change"),
        targets=table("target"),
        sources=table("source"),
        realisations=table("realisation"),
        plans=plans,
        plan_areas=table("plan_area"),
        plan_preconditions=table("plan_precondition"),
        meetings=table("meeting"),
        agreements=_agreements(connection, table("agreement"), table("agreement_due")),
        awards=table("award"),
        capacity_totals=table("capacity_total"),
        months=table("realisation_month"),
        boundary_ids=frozenset(r[0] for r in _fetch(connection, AREA_BOUNDARY_IDS)) | shipped_ids(),
    )


AREA_BOUNDARY_IDS = 'SELECT "area_id" FROM "area_boundary"'
AGREEMENT_VERSIONS = (
    'SELECT "agreement_id", count(*) FROM "agreement_event" GROUP BY "agreement_id"'
)


def _agreements(connection: Connection, found: list[Row], due_links: list[Row]) -> list[Row]:
    """The agreements with their version and the meetings they are due at (as
    :func:`agreements_with_version`)."""
    versions = dict(_fetch(connection, AGREEMENT_VERSIONS))
    due: dict[str, list[str]] = {}
    for link in due_links:
        due.setdefault(link["agreement_id"], []).append(link["meeting_id"])
    for a in found:
        a["version"] = int(versions.get(a["id"], 0))
        first = [a["due_meeting_id"]] if a["due_meeting_id"] else []
        a["due_meeting_ids"] = first + sorted(set(due.get(a["id"], [])) - set(first))
    return found


def load_state_by_model(connection: Connection, as_of: dt.date | None = None) -> ProgrammeState:
    """The programme state read through SQLAlchemy's result rows of the model's tables: the
    former way of :func:`load_state`, kept as the reference its tests compare with."""
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
        plans = model_rows(connection, Plan, Plan.dropped_on.is_(None))
    else:
        plans = list(
            plans_as_of(
                model_rows(connection, Plan), model_rows(connection, PlanHistory), as_of
            ).values()
        )
    return ProgrammeState(
        as_of=as_of,
        areas=model_rows(connection, Area),
        members=model_rows(connection, AreaMember),
        code_changes=model_rows(connection, AreaCodeChange),
        targets=model_rows(connection, Target),
        sources=model_rows(connection, Source),
        realisations=model_rows(connection, Realisation),
        plans=plans,
        plan_areas=model_rows(connection, PlanArea),
        plan_preconditions=model_rows(connection, PlanPrecondition),
        meetings=model_rows(connection, Meeting),
        agreements=agreements_with_version(connection, model_rows),
        awards=model_rows(connection, Award),
        capacity_totals=model_rows(connection, CapacityTotal),
        months=model_rows(connection, RealisationMonth),
        boundary_ids=frozenset(connection.execute(select(AreaBoundary.area_id)).scalars())
        | shipped_ids(),
    )
