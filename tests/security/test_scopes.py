"""Who may write what (breaks 1 and 2): the table of role x region x write operation x
placing field, through the service layer's write path every door takes.

Each case puts a record in one region (``old``, written by the admin), then lets a writer
move it to a region (``new``) through one placing field. An admin may always; an editor
only when both the old and the new place lie in its areas; a viewer never. A refused write
changes nothing - not the record, not the audit log.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from opgave import store
from opgave.access import OPERATIONS, Principal
from opgave.model import Instrument, InstrumentArea
from opgave.service import Service, ServiceError, agreements, capacity, funding, pipeline, users

MRA, ZR = "VS-MRA", "VS-ZR"
REGIONS = (MRA, ZR)
PLACE = {
    "gemeente": {MRA: "GM0363", ZR: "GM0599"},  # Amsterdam, Rotterdam
    "area": {MRA: "GWB-HAVENSTAD", ZR: "GWB-OOSTFLANK"},  # a large-scale area in each
    "precondition": {MRA: "PC-MRA-STIKSTOF", ZR: "PC-OEVERVERBINDING"},  # of VS-MRA, VS-ZR
    "instrument": {MRA: "TEST-MRA", ZR: "TEST-ZR"},  # meant for the region only
    "region": {MRA: MRA, ZR: ZR},
}
WRITERS = {"rijk": None, "mra": MRA, "zr": ZR, "kijker": None}
"""The four users of the template databases and the region an editor writes."""
TABLES = ("plan", "plan_area", "plan_precondition", "plan_history", "application",
          "agreement", "capacity_total", "audit_event")  # fmt: skip
OLD_DATE, NEW_DATE = dt.date(2025, 1, 1), dt.date(2025, 2, 1)


def allowed(writer: str, old: str, new: str) -> bool:
    """The rule under test, written out: admin always, an editor within its region, never a
    viewer."""
    if writer == "rijk":
        return True
    return WRITERS[writer] is not None and old == new == WRITERS[writer]


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a write could touch."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def plan_list(folder: Path, gemeente: str, areas: str = "", preconditions: str = "") -> Path:
    path = folder / f"plans-{gemeente}-{areas}-{preconditions}.csv"
    path.write_text(
        "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year,area_ids,"
        f"precondition_ids\nP-T,Test,{gemeente},100,1A,2026,2027,{areas},{preconditions}\n",
        encoding="utf-8",
    )
    return path


def applications(folder: Path, gemeente: str) -> Path:
    path = folder / f"apps-{gemeente}.csv"
    path.write_text(
        "application_id,gemeente_code,homes,affordable_homes,requested_eur,public_deficit_eur,"
        f"cofinancing_eur,start_year\nA-T,{gemeente},100,50,1000000,2000000,1000000,2026\n",
        encoding="utf-8",
    )
    return path


CAPACITY_PROFILE = """
[profile]
name = "regions"
kind = "capacity"
gross_or_net = "net"

[[sheets]]
sheet = "Regio"
area = "regio"
area_kind = "region"
regions = { "MRA" = "VS-MRA", "ZR" = "VS-ZR" }
[[sheets.totals]]
column = "totaal 2022-2030"
hardness = "unknown"
years = [2022, 2030]
"""


def capacity_workbook(folder: Path, region: str) -> tuple[Path, Path]:
    from xlsx_fixtures import sheet, write_xlsx

    profile = folder / "capacity.toml"
    profile.write_text(CAPACITY_PROFILE, encoding="utf-8")
    name = "MRA" if region == MRA else "ZR"
    book = write_xlsx(
        folder / f"totals-{name}.xlsx",
        {"Regio": sheet([["regio", "totaal 2022-2030"], [name, 60000]])},
    )
    return book, profile


@dataclass(frozen=True)
class Case:
    """A write operation through one placing field: how the old record is put in place
    (by the admin) and how the writer moves it."""

    operation: str
    field: str
    arrange: Callable[[Service, Principal, Path, str, str], None]
    """(service, admin, folder, old region, home region)"""
    act: Callable[[Service, Principal, Path, str, str, str], None]
    """(service, writer, folder, old region, new region, home region)"""
    moves: bool = True
    """False when the old and the new place cannot differ (a file re-imported)."""


def _instruments(svc: Service) -> None:
    with store.transaction(svc.engine) as session:
        for region in REGIONS:
            instrument = PLACE["instrument"][region]
            session.add(Instrument(id=instrument, name=instrument, kind="instrument"))
            session.flush()
            session.add(InstrumentArea(instrument_id=instrument, area_id=region))


def _plans(field: str) -> Case:
    def put(svc: Service, who: Principal, folder: Path, region: str, home: str, date: dt.date
            ) -> None:  # fmt: skip
        gemeente = PLACE["gemeente"][region if field == "gemeente_code" else home]
        areas = PLACE["area"][region] if field == "area_ids" else ""
        pre = PLACE["precondition"][region] if field == "precondition_ids" else ""
        path = plan_list(folder, gemeente, areas, pre)
        pipeline.import_plans(svc, who, path, captured=date, partial=True)

    return Case(
        "plans.import",
        field,
        lambda svc, who, folder, old, home: put(svc, who, folder, old, home, OLD_DATE),
        lambda svc, who, folder, _old, new, home: put(svc, who, folder, new, home, NEW_DATE),
    )


def _correction_act(
    svc: Service, who: Principal, folder: Path, old: str, new: str, _home: str
) -> None:
    """Move the plan to the new municipality by hand (or, staying put, change its homes)."""
    path = folder / "corrections.csv"
    before, after = PLACE["gemeente"][old], PLACE["gemeente"][new]
    change = f"gemeente_id,{before},{after}" if before != after else "homes,100,120"
    path.write_text(
        "plan_id,field,old_value,new_value,reason,date,editor\n"
        f"P-T,{change},by hand,2025-03-01,test\n",
        encoding="utf-8",
    )
    entries = pipeline.apply_corrections(svc, who, path, dt.date(2025, 3, 1))
    assert all(e.applied for e in entries), entries


def _application_arrange(field: str) -> Callable[[Service, Principal, Path, str, str], None]:
    def arrange(svc: Service, who: Principal, folder: Path, region: str, home: str) -> None:
        _instruments(svc)
        gemeente = PLACE["gemeente"][region if field == "gemeente_code" else home]
        instrument = PLACE["instrument"][region] if field == "instrument_id" else None
        funding.import_applications(svc, who, applications(folder, gemeente), instrument=instrument)

    return arrange


def _application_act(field: str) -> Callable[[Service, Principal, Path, str, str, str], None]:
    def act(svc: Service, who: Principal, folder: Path, _old: str, region: str, home: str) -> None:
        gemeente = PLACE["gemeente"][region if field == "gemeente_code" else home]
        instrument = PLACE["instrument"][region] if field == "instrument_id" else None
        path = applications(folder, gemeente)
        path.write_text(path.read_text().replace(",100,50,", ",120,60,"))  # new figures too
        funding.import_applications(svc, who, path, instrument=instrument)

    return act


def _capacity(svc: Service, who: Principal, folder: Path, region: str, _home: str) -> None:
    book, profile = capacity_workbook(folder, region)
    capacity.import_totals(svc, who, book, profile, captured=OLD_DATE)


def _capacity_again(
    svc: Service, who: Principal, folder: Path, _old: str, new: str, home: str
) -> None:
    _capacity(svc, who, folder, new, home)


CASES = [
    _plans("gemeente_code"),
    _plans("area_ids"),
    _plans("precondition_ids"),
    Case(
        "plans.correct",
        "gemeente_id",
        lambda svc, who, folder, region, _home: pipeline.import_plans(
            svc, who, plan_list(folder, PLACE["gemeente"][region]), captured=OLD_DATE
        ),
        _correction_act,
    ),
    Case(
        "applications.import",
        "gemeente_code",
        _application_arrange("gemeente_code"),
        _application_act("gemeente_code"),
    ),
    Case(
        "applications.import",
        "instrument_id",
        _application_arrange("instrument_id"),
        _application_act("instrument_id"),
    ),
    Case(
        "agreements.write",
        "area_id",
        lambda svc, who, _f, region, _h: agreements.add(
            svc, who, "T-AGR", {"area_id": region, "text": "test"}
        ),
        lambda svc, who, _f, _o, new, _h: agreements.change(
            svc, who, "T-AGR", {"area_id": new, "text": "test, changed"}
        ),
    ),
    Case("capacity.import", "area_id", _capacity, _capacity_again, moves=False),
]
GRID = [
    pytest.param(case, writer, old, new, id=f"{case.operation}-{case.field}-{writer}-{old}-{new}")
    for case in CASES
    for writer in WRITERS
    for old, new in itertools.product(REGIONS, REGIONS)
    if case.moves or old == new
]


def test_the_grid_covers_every_placing_field_of_every_operation() -> None:
    covered = {(c.operation, c.field) for c in CASES}
    wanted = {(name, f) for name, o in OPERATIONS.items() for f in o.placing}
    assert covered == wanted


@pytest.mark.parametrize(("case", "writer", "old", "new"), GRID)
def test_role_region_operation_and_placing_field(
    sqlite_url: str, tmp_path: Path, case: Case, writer: str, old: str, new: str
) -> None:
    svc = Service(sqlite_url)
    admin = users.find_user(svc, "rijk")
    who = users.find_user(svc, writer)
    assert admin is not None and who is not None
    home = WRITERS[writer] or MRA  # where the record lies when another field moves it
    case.arrange(svc, admin, tmp_path, old, home)
    before = snapshot(sqlite_url)
    if allowed(writer, old, new):
        case.act(svc, who, tmp_path, old, new, home)
        after = snapshot(sqlite_url)
        assert len(after["audit_event"]) > len(before["audit_event"])  # written and audited
    else:
        with pytest.raises(ServiceError) as refused:
            case.act(svc, who, tmp_path, old, new, home)
        assert refused.value.status == 403, refused.value.lines()
        assert snapshot(sqlite_url) == before  # nothing written, nothing audited
    svc.engine.dispose()


@pytest.mark.parametrize(
    "operation",
    sorted(name for name, o in OPERATIONS.items() if o.role == "admin"),
)
def test_admin_only_operations_refuse_editors_and_viewers(sqlite_url: str, operation: str) -> None:
    """Realised figures, awards, scenarios, boundaries and users are the Rijk's: an editor
    of any region and a viewer are refused before anything is read or written."""
    from opgave.service import authority

    svc = Service(sqlite_url)
    for writer in WRITERS:
        who = users.find_user(svc, writer)
        assert who is not None
        if writer == "rijk":
            authority.require(who, operation)
        else:
            with pytest.raises(ServiceError) as refused:
                authority.require(who, operation)
            assert refused.value.status == 403
    svc.engine.dispose()


def test_admin_only_writes_are_refused_on_their_write_paths(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The admin-only rule holds where it is written: the demo (realised figures), users,
    tokens of others, scenarios and boundaries, for an editor - nothing written."""
    from opgave.service import forecasting, geo

    svc = Service(sqlite_url)
    editor = users.find_user(svc, "zr")
    assert editor is not None
    before = snapshot(sqlite_url)
    scenario = tmp_path / "s.toml"
    scenario.write_text('description = "x"\n', encoding="utf-8")
    for write in (
        lambda: pipeline.load_demo(svc, editor, seed=1, n_plans=10),
        lambda: users.add_user(svc, "nieuw", "admin", [], "lang-wachtwoord", by=editor),
        lambda: users.create_token(svc, "mra", "steal", by=editor),
        lambda: users.revoke_tokens(svc, "mra", by=editor),
        lambda: forecasting.add_scenario(svc, editor, "s", scenario),
        lambda: geo.ingest(svc, editor, "b.geojson", '{"type": "FeatureCollection"}'),
    ):
        with pytest.raises(ServiceError) as refused:
            write()
        assert refused.value.status == 403
    assert snapshot(sqlite_url) == before
    assert users.create_token(svc, "zr", "own", by=editor).startswith("opg_")  # its own: yes
    svc.engine.dispose()


def test_break_1_an_editor_cannot_move_another_regions_application(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Re-uploading APP-AMS-1 with GM0599 moved Amsterdam's application to Rotterdam and
    replaced its figures: the old municipality is checked too."""
    svc = Service(sqlite_url)
    admin, zr = users.find_user(svc, "rijk"), users.find_user(svc, "zr")
    assert admin is not None and zr is not None
    path = tmp_path / "apps.csv"
    path.write_text(
        "application_id,gemeente_code,homes,affordable_homes,requested_eur,public_deficit_eur,"
        "cofinancing_eur,start_year\nAPP-AMS-1,GM0363,800,500,2000000,5000000,3000000,2024\n",
        encoding="utf-8",
    )
    funding.import_applications(svc, admin, path, instrument="WBI-T4")
    path.write_text(path.read_text().replace("GM0363,800", "GM0599,9999"), encoding="utf-8")
    with pytest.raises(ServiceError) as refused:
        funding.import_applications(svc, zr, path, instrument="WBI-T4")
    assert refused.value.status == 403
    assert any("GM0363 (as it stands now)" in p["message"] for p in refused.value.problems)
    stored = funding.applications(svc)
    assert [(a["id"], a["gemeente_id"], a["homes"]) for a in stored] == [
        ("APP-AMS-1", "GM0363", 800)
    ]
    svc.engine.dispose()


def test_break_2_an_editor_cannot_raise_or_lower_another_regions_capacity(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The Zuidelijke Randstad's office raised VS-MRA's hard capacity through the area_ids
    of its own plans, and could lower it by dropping its own plans linked to an MRA area."""
    svc = Service(sqlite_url)
    admin, zr = users.find_user(svc, "rijk"), users.find_user(svc, "zr")
    assert admin is not None and zr is not None
    raising = plan_list(tmp_path, "GM0599", "GWB-HAVENSTAD")
    with pytest.raises(ServiceError) as refused:
        pipeline.import_plans(svc, zr, raising, captured=OLD_DATE)
    assert refused.value.status == 403
    assert [p["field"] for p in refused.value.problems] == ["area_ids"]
    # a Rotterdam plan linked to the MRA's Haven-Stad, placed by the Rijk
    pipeline.import_plans(svc, admin, raising, captured=OLD_DATE)
    other = tmp_path / "other.csv"
    other.write_text(
        "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
        "P-OTHER,Ander plan,GM0599,10,1A,2026,2027\n",
        encoding="utf-8",
    )
    before = snapshot(sqlite_url)
    with pytest.raises(ServiceError) as dropping:  # a full list for Rotterdam without P-T
        pipeline.import_plans(svc, zr, other, captured=NEW_DATE)
    assert dropping.value.status == 403
    assert any(
        p["field"] == "area_ids" and "GWB-HAVENSTAD (as it stands now)" in p["message"]
        for p in dropping.value.problems
    )
    assert snapshot(sqlite_url) == before
    pipeline.import_plans(svc, zr, other, captured=NEW_DATE, partial=True)  # adding: fine
    svc.engine.dispose()
