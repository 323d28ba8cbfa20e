"""Reading the state: the outline (the listings' tables) is the full state's, and the state
read with the driver's rows is the one read through the model."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from typing import Any

from sqlalchemy import JSON, Boolean, Date, text

from opgave.model import (
    Agreement,
    AgreementDue,
    Area,
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
    table_of,
)
from opgave.service import Service, pipeline, users
from opgave.service.loading import (
    BOOL,
    DATE,
    JSON_TEXT,
    LAYOUTS,
    Layout,
    collection_paused,
    load_outline,
    load_state,
    load_state_by_model,
    model_rows,
    rows,
)
from opgave.state import ProgrammeState


def test_the_outline_is_the_states_outline(loaded_url: str) -> None:
    """The listings' six tables read alone give the rows (and types) the full state has,
    which the test below compares with the model's."""
    svc = Service(loaded_url)
    full = svc.state()
    with svc.engine.connect() as connection:
        outline = load_outline(connection)
    assert outline.targets == full.targets and outline.meetings == full.meetings
    assert outline.areas == full.areas and outline.members == full.members
    assert outline.sources == full.sources and outline.code_changes == full.code_changes
    assert outline.complete == full.complete and outline.children == full.children
    assert outline.plans == [] and outline.realisations == []
    assert svc.outline() is full  # a full state at hand serves the listings
    svc.engine.dispose()


STATE_TABLES = {
    "area": Area,
    "area_member": AreaMember,
    "area_code_change": AreaCodeChange,
    "target": Target,
    "source": Source,
    "realisation": Realisation,
    "plan": Plan,
    "plan_history": PlanHistory,
    "plan_area": PlanArea,
    "plan_precondition": PlanPrecondition,
    "meeting": Meeting,
    "agreement": Agreement,
    "agreement_due": AgreementDue,
    "award": Award,
    "capacity_total": CapacityTotal,
    "realisation_month": RealisationMonth,
}
KINDS = {Date: DATE, Boolean: BOOL, JSON: JSON_TEXT}


def test_the_layouts_are_the_models_tables() -> None:
    """Columns in the model's order, its primary key, and every date, boolean and JSON column
    converted: a column added to the model and not here fails."""
    assert set(LAYOUTS) == set(STATE_TABLES)
    for name, model in STATE_TABLES.items():
        table = table_of(model)
        kinds = {
            c.name: kind
            for c in table.columns
            for sql_type, kind in KINDS.items()
            if isinstance(c.type, sql_type)
        }
        assert LAYOUTS[name] == Layout(
            tuple(c.name for c in table.columns),
            tuple(c.name for c in table.primary_key.columns),
            kinds,
        ), name


def _demo_with_history(url: str) -> Service:
    """The programme with 300 demo plans, some with yearly spreads (shared and nested JSON),
    one dropped, earlier versions in the history, a monthly figure, a capacity total, an
    award and an agreement due at two meetings."""
    svc = Service(url)
    pipeline.load_demo(svc, users.operator(svc, "test"), seed=3, n_plans=300)
    with svc.engine.begin() as connection:
        ids = [r[0] for r in connection.execute(text("SELECT id FROM plan ORDER BY id"))]
        for i, plan_id in enumerate(ids[:40]):
            spread = "[10, 20, 30]" if i % 2 else f"[{i}, 5]"
            connection.execute(
                text("UPDATE plan SET homes_by_year = :s WHERE id = :id"),
                {"s": spread, "id": plan_id},
            )
        connection.execute(
            text("UPDATE plan SET dropped_on = :d WHERE id = :id"),
            {"d": dt.date(2025, 3, 1), "id": ids[50]},
        )
        for plan_id, valid_to in ((ids[1], dt.date(2025, 2, 1)), (ids[50], dt.date(2025, 3, 1))):
            connection.execute(
                text(
                    "INSERT INTO plan_history (plan_id, name, gemeente_id, homes, planstatus, "
                    "first_year, last_year, homes_by_year, valid_from, valid_to, source_id) "
                    "SELECT id, name || ' (earlier)', gemeente_id, homes + 7, planstatus, "
                    "first_year, last_year, :spread, NULL, :to, source_id FROM plan "
                    "WHERE id = :id"
                ),
                {"spread": "[1, [2, 3]]", "to": valid_to, "id": plan_id},
            )
        source = connection.execute(text("SELECT id FROM source ORDER BY id")).first()
        assert source is not None
        connection.execute(
            text(
                "INSERT INTO realisation_month (area_id, measure, year, month, source_id, "
                "value, provisional) VALUES ('GM0363', 'completions', 2024, 3, :s, 120, :p)"
            ),
            {"s": source[0], "p": True},
        )
        connection.execute(
            text(
                "INSERT INTO capacity_total (area_id, hardness, first_year, last_year, "
                "gross_or_net, homes, captured_on, source_id) VALUES ('GM0363', 'hard', 2025, "
                "2030, 'net', 5000, :d, :s)"
            ),
            {"d": dt.date(2025, 1, 15), "s": source[0]},
        )
        connection.execute(
            text(
                "INSERT INTO award (scheme_name, plan_id, gemeente_id, amount_eur, homes, "
                "affordable_homes, method, decided_on, source_id) VALUES ('WBI', :p, "
                "'GM0363', 1500000, 100, 70, 'ranked', :d, :s)"
            ),
            {"p": ids[2], "d": dt.date(2024, 6, 1), "s": source[0]},
        )
        agreement, meeting = (
            connection.execute(text("SELECT id FROM agreement ORDER BY id")).first(),
            connection.execute(text("SELECT id FROM meeting ORDER BY id")).all(),
        )
        assert agreement is not None and len(meeting) >= 2
        for m in meeting[:2]:
            connection.execute(
                text("INSERT INTO agreement_due (agreement_id, meeting_id) VALUES (:a, :m)"),
                {"a": agreement[0], "m": m[0]},
            )
    return svc


def _fields(state: ProgrammeState) -> dict[str, Any]:
    """Every field of a state (rows with their values' types), derived ones included."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(state):
        if f.name in ("_lock", "_memo"):
            continue
        value = getattr(state, f.name)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = [[(k, v, type(v)) for k, v in r.items()] for r in value]
        out[f.name] = value
    return out


def test_the_state_is_the_one_read_through_the_model(loaded_url: str) -> None:
    """The driver's rows converted column by column give the state SQLAlchemy's result rows
    of the model gave: same rows, same keys in the same order, same Python types (dates,
    booleans, JSON lists - each plan its own list), today and on past dates."""
    svc = _demo_with_history(loaded_url)
    with svc.engine.connect() as connection:
        for as_of in (None, dt.date(2025, 1, 1), dt.date(2025, 2, 15)):
            new, old = load_state(connection, as_of), load_state_by_model(connection, as_of)
            assert new.plans and new.realisations and new.agreements, as_of
            assert _fields(new) == _fields(old), as_of
        for name, model in STATE_TABLES.items():  # every table read whole, as services do
            fast, reference = rows(connection, model), model_rows(connection, model)
            assert [[(k, v, type(v)) for k, v in r.items()] for r in fast] == [
                [(k, v, type(v)) for k, v in r.items()] for r in reference
            ], name
        new = load_state(connection)
    spreads = [p["homes_by_year"] for p in new.plans if p["homes_by_year"] == [10, 20, 30]]
    assert len(spreads) >= 2 and len({id(s) for s in spreads}) == len(spreads)
    assert new.months and new.capacity_totals and new.awards
    assert any(len(a["due_meeting_ids"]) >= 2 for a in new.agreements)
    assert gc.isenabled()
    svc.engine.dispose()


def test_collection_is_paused_while_loading_and_resumed_after() -> None:
    """Nested pauses resume collection once, at the end; a collection switched off before
    stays off."""
    assert gc.isenabled()
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
