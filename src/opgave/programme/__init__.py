"""The default programme: the founding letter and the facts it rests on, as readable data files.

Inputs: the TOML files beside this module (one dataset each, with its source or sources) and
the CSV files they name (``[csv]``: table -> file, one row per record, each citing its source).
Outputs: rows for the tables of :mod:`opgave.model`, and ``load`` writes them idempotently.
Derives: municipality areas, province memberships (with the validity of merged codes) and
code changes from the CBS division lists; realisation rows from yearly series; the due
meetings of every agreement (``agreement_due``); the first status event of every agreement.
Checks: fields and vocabularies, one row per key, references between areas, and the
municipality names in CSV files against the CBS names of their codes.

Running ``load`` twice changes nothing; fields that users own once loaded (an agreement's
status) are never overwritten.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Integer, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from opgave.model import TABLES, AgreementChange, AgreementEvent, Base, Realisation, table_of
from opgave.vocabulary import vocabulary_problem

HERE = Path(__file__).parent
DATASETS = (
    "cbs_regions",
    "mirt_landsdelen",
    "letter",
    "cbs_82235ned",
    "provincial_targets_2022",
    "regions",
    "large_scale_areas",
    "cbs_2024_press",
)
"""The datasets `opgave init` loads, in order."""
CBS_SOURCE = "cbs-gemeentelijke-indeling"
LIST_SHORTHANDS = {
    "area_member": "children",
    "meeting_area": "area_ids",
    "instrument_area": "area_ids",
    "agreement_due": "meeting_ids",
}
USER_OWNED = {"agreement": {"status"}}
"""Fields users own once a record is loaded: init never overwrites them."""
MODELS: dict[str, type[Base]] = {m.__tablename__: m for m in TABLES}


class ProgrammeDataError(ValueError):
    """A data file of the programme does not fit the model."""


@dataclass
class LoadReport:
    """How many rows per table were inserted, updated or already as in the data."""

    inserted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def changed(self) -> int:
        """Rows inserted or updated."""
        return sum(self.inserted.values()) + sum(self.updated.values())


def read(datasets: Iterable[str] = DATASETS) -> dict[str, list[dict[str, Any]]]:
    """All rows of the given datasets, per table name, checked against the model."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names_to_check: list[tuple[str, str, str]] = []
    first_seen: dict[tuple[str, tuple[Any, ...]], str] = {}

    def add(table: str, row: dict[str, Any], where: str) -> None:
        """Keep a row; refuse a second row with the same key (it would flip on every load)."""
        if table in MODELS and table != "agreement_event":
            key = natural_key(MODELS[table], row)
            if (table, key) in first_seen:
                raise ProgrammeDataError(
                    f"{where}: a second row for {key} in {table} "
                    f"(the first is {first_seen[(table, key)]})"
                )
            first_seen[(table, key)] = where
        rows[table].append(row)

    for name in datasets:
        path = HERE / f"{name}.toml"
        with path.open("rb") as f:
            data = tomllib.load(f)
        sources = data.pop("source")
        sources = sources if isinstance(sources, list) else [sources]
        default_source = sources[0]["id"]
        for source in sources:
            add("source", source, f"{path.name}: [source] {source.get('id')}")
        csv_files = data.pop("csv", {})
        for table, records in data.items():
            for number, record in enumerate(records, start=1):
                where = f"{path.name}: [[{table}]] record {number}"
                for target_table, row in _expand(table, record, default_source):
                    add(target_table, complete_row(target_table, row, where), where)
        for table, file_name in csv_files.items():
            for where, record, check_name in _csv_records(HERE / file_name, table):
                for target_table, row in _expand(table, record, default_source):
                    add(target_table, complete_row(target_table, row, where), where)
                if check_name is not None:
                    names_to_check.append((where, record["child_id"], check_name))
        if name == "cbs_regions":
            for table, extra in _municipalities(default_source).items():
                for row in extra:
                    add(table, row, f"{HERE.name}/gemeenten.csv")
    _check(rows, names_to_check)
    return dict(rows)


def _csv_records(path: Path, table: str) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    """The rows of a CSV file for ``table``: typed by the model's columns, empty cells left
    out (defaults apply); a ``child_name`` column is returned apart, to be checked."""
    if table not in MODELS:
        raise ProgrammeDataError(f"{path.name}: unknown table {table!r}")
    columns = table_of(MODELS[table]).columns
    with path.open(encoding="utf-8") as f:
        for number, raw in enumerate(csv.DictReader(f), start=2):
            where = f"{path.name}: row {number}"
            record: dict[str, Any] = {}
            check_name = raw.pop("child_name", None) or None
            for key, value in raw.items():
                if value is None or value == "":
                    continue
                column = columns.get(key)
                try:
                    if column is not None and isinstance(column.type, Date):
                        record[key] = dt.date.fromisoformat(value)
                    elif column is not None and isinstance(column.type, Integer):
                        record[key] = int(value)
                    else:
                        record[key] = value
                except ValueError:
                    is_date = column is not None and isinstance(column.type, Date)
                    expected = "a date YYYY-MM-DD" if is_date else "a number"
                    raise ProgrammeDataError(
                        f"{where}, column {key}: expected {expected}, got {value!r}"
                    ) from None
            yield where, record, check_name


def _check(rows: Mapping[str, list[dict[str, Any]]], names: list[tuple[str, str, str]]) -> None:
    """Refuse what the database would refuse less clearly (or not at all): memberships of
    unknown areas, a municipality code whose CBS name is not the one the data file gives (a
    mistyped code), a validity period that ends before it starts."""
    area_names = {a["id"]: a["name"] for a in rows.get("area", [])}
    for m in rows.get("area_member", []):
        for column in ("parent_id", "child_id"):
            if m[column] not in area_names:
                raise ProgrammeDataError(
                    f"area_member {m['parent_id']} > {m['child_id']}: no area {m[column]!r}"
                )
        if m["valid_from"] and m["valid_to"] and m["valid_to"] < m["valid_from"]:
            raise ProgrammeDataError(
                f"area_member {m['parent_id']} > {m['child_id']}: valid_to before valid_from"
            )
    for where, code, name in names:
        if code in area_names and area_names[code] != name:
            raise ProgrammeDataError(
                f"{where}: {code} is {area_names[code]!r} in the area list, not {name!r}"
            )


def load(session: Session, datasets: Iterable[str] = DATASETS) -> LoadReport:
    """Write the datasets into the database: insert what is missing, update what differs."""
    report = LoadReport()
    data = read(datasets)
    published = {s["id"]: s.get("published") for s in data.get("source", [])}
    for model in TABLES:
        table = model.__tablename__
        if table not in data:
            continue
        new_ids = upsert(session, model, data[table], report)
        if table == "agreement":
            for row in data[table]:
                if row["id"] in new_ids:
                    session.add(_first_event(row, published.get(row["source_id"])))
                    report.inserted["agreement_event"] += 1
    session.flush()
    return report


def _expand(
    table: str, record: dict[str, Any], source_id: str
) -> Iterable[tuple[str, dict[str, Any]]]:
    """One data-file record as table rows: list shorthands and yearly series expanded."""
    record = dict(record)
    if table == "series":
        values = record.pop("values")
        provisional = set(record.pop("provisional_years", []))
        for year, value in sorted(values.items()):
            yield (
                "realisation",
                {
                    "first_year": int(year),
                    "last_year": int(year),
                    "value": value,
                    "provisional": int(year) in provisional,
                    "source_id": source_id,
                    **record,
                },
            )
        return
    if table not in MODELS:
        raise ProgrammeDataError(f"unknown table [[{table}]]")
    if "source_id" in table_of(MODELS[table]).columns:
        record.setdefault("source_id", source_id)
    if table == "agreement":
        due = list(record.pop("due_meeting_ids", []))
        if record.get("due_meeting_id") is None and due:
            record["due_meeting_id"] = due[0]
        first = record.get("due_meeting_id")
        if first is not None and first not in due:
            due.insert(0, first)
        if due and due[0] != first:
            raise ProgrammeDataError(
                f"agreement {record.get('id')}: due_meeting_id {first!r} must come first "
                f"in due_meeting_ids {due}"
            )
        yield table, record
        for meeting in due:
            yield "agreement_due", {"agreement_id": record["id"], "meeting_id": meeting}
        return
    shorthand = LIST_SHORTHANDS.get(table)
    if shorthand and shorthand in record:
        target_column = {"children": "child_id", "meeting_ids": "meeting_id"}.get(
            shorthand, "area_id"
        )
        for member in record.pop(shorthand):
            yield table, {**record, target_column: member}
        return
    yield table, record


def complete_row(table: str, row: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Fill defaults for missing columns; refuse unknown keys and values outside vocabularies."""
    model = MODELS[table]
    columns = table_of(model).columns
    unknown = sorted(set(row) - set(columns.keys()))
    if unknown:
        raise ProgrammeDataError(f"{where}: unknown field(s) {', '.join(unknown)} for {table}")
    full: dict[str, Any] = {}
    for column in columns:
        if column.name in row:
            value = row[column.name]
        elif isinstance(column.default, ScalarElementColumnDefault):
            value = column.default.arg
        elif column.autoincrement is True and column.primary_key:
            continue
        elif column.nullable:
            value = None
        else:
            raise ProgrammeDataError(f"{where}: field {column.name} is required for {table}")
        problem = vocabulary_problem(table, column.name, value)
        if problem:
            raise ProgrammeDataError(f"{where}: {problem}")
        full[column.name] = value
    return full


def _municipalities(source_id: str) -> dict[str, list[dict[str, Any]]]:
    """Municipality areas, province memberships and code changes from the CBS lists.

    A code merged away before the first listed division (Beemster, 2022) becomes an area from
    the change list, in its successor's province. Province memberships of merged codes end
    the day before the merger; those of codes a merger created start on it."""
    with (HERE / "gemeenten.csv").open(encoding="utf-8") as f:
        listed = list(csv.DictReader(f))
    with (HERE / "gemeente_changes.csv").open(encoding="utf-8") as f:
        changes = list(csv.DictReader(f))
    latest_year = max(int(r["year"]) for r in listed)
    years: dict[str, set[int]] = defaultdict(set)
    latest_name: dict[str, tuple[int, str]] = {}
    provinces: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in listed:
        code, year = r["gemeente_code"], int(r["year"])
        years[code].add(year)
        if code not in latest_name or year > latest_name[code][0]:
            latest_name[code] = (year, r["gemeente_naam"])
        provinces[(r["provincie_code"], code)].append(year)
    merges = [c for c in changes if c["kind"] == "merged"]
    merged_from = {c["new_code"]: int(c["year"]) for c in merges}
    merged_on = {c["new_code"]: dt.date.fromisoformat(c["date"]) for c in merges if c["date"]}
    merged_away = {c["old_code"]: c for c in merges}
    renamed = {c["old_code"]: c["old_naam"] for c in changes if c["kind"] == "renamed"}
    divisions = sorted({int(r["year"]) for r in listed})
    first_division = {r["gemeente_code"] for r in listed if int(r["year"]) == divisions[0]}
    where = f"{HERE.name}/gemeenten.csv"
    areas = []
    for code in sorted(years):
        in_years = sorted(years[code])
        note = f"In the CBS divisions of {', '.join(map(str, in_years))}."
        if code in renamed:
            note += f" Named {renamed[code]!r} in the {divisions[0]} division."
        if code in merged_away:
            c = merged_away[code]
            note += f" Merged into {c['new_naam']} ({c['new_code']}) on {c['date']}."
        new_code = code not in first_division
        row = {
            "id": code,
            "kind": "municipality",
            "name": latest_name[code][1],
            "official_code": True,
            "valid_from": merged_from.get(code) if new_code else None,
            "valid_to": max(in_years) if latest_year not in in_years else None,
            "note": note,
            "source_id": source_id,
        }
        areas.append(complete_row("area", row, where))
    where_changes = f"{HERE.name}/gemeente_changes.csv"
    for code, c in sorted(merged_away.items()):
        if code in years:
            continue
        successor = min(
            ((min(ys), province) for (province, g), ys in provinces.items() if g == c["new_code"]),
            default=None,
        )
        if successor is None:
            raise ProgrammeDataError(f"{where_changes}: {c['new_code']} is in no division")
        row = {
            "id": code,
            "kind": "municipality",
            "name": c["old_naam"],
            "official_code": True,
            "valid_to": int(c["year"]) - 1,
            "note": (
                f"Before the listed divisions: merged into {c['new_naam']} ({c['new_code']}) "
                f"on {c['date']}; province as its successor's."
            ),
            "source_id": source_id,
        }
        areas.append(complete_row("area", row, where_changes))
        provinces[(successor[1], code)] = []
    members = []
    for (province, code), ys in sorted(provinces.items()):
        row = {
            "parent_id": province,
            "child_id": code,
            "source_id": source_id,
            "source_section": (
                f"Gemeentelijke indeling {', '.join(map(str, sorted(ys)))}"
                if ys
                else "Gemeentelijke indeling (before the listed divisions)"
            ),
        }
        if code in merged_away and merged_away[code]["date"]:
            ended = dt.date.fromisoformat(merged_away[code]["date"])
            row["valid_to"] = ended - dt.timedelta(days=1)
        if code in merged_on and code not in first_division:
            row["valid_from"] = merged_on[code]
        members.append(complete_row("area_member", row, where))
    code_changes = [
        complete_row(
            "area_code_change",
            {
                "old_code": c["old_code"],
                "new_code": c["new_code"],
                "kind": c["kind"],
                "old_name": c["old_naam"],
                "new_name": c["new_naam"],
                "year": int(c["year"]) if c["year"] else None,
                "source_id": source_id,
            },
            where_changes,
        )
        for c in changes
    ]
    return {"area": areas, "area_member": members, "area_code_change": code_changes}


def natural_key(model: type[Base], row: Mapping[str, Any]) -> tuple[Any, ...]:
    """What identifies a row across loads: the primary key, or for realised figures the
    area, measure, period and source."""
    if model is Realisation:
        return tuple(row[c] for c in ("area_id", "measure", "first_year", "last_year", "source_id"))
    return tuple(row[c.name] for c in table_of(model).primary_key.columns)


def _edited_fields(session: Session, table: str) -> dict[Any, set[str]]:
    """Per agreement, the fields users changed (agreement_change): init leaves them alone."""
    if table != "agreement" or not inspect(session.connection()).has_table("agreement_change"):
        return {}
    edited: dict[Any, set[str]] = defaultdict(set)
    query = select(AgreementEvent.agreement_id, AgreementChange.field).join(
        AgreementChange, AgreementChange.event_id == AgreementEvent.id
    )
    for agreement_id, changed in session.execute(query):
        edited[(agreement_id,)].add(changed)
    return edited


def upsert(
    session: Session, model: type[Base], rows: list[dict[str, Any]], report: LoadReport
) -> set[Any]:
    """Insert missing rows and update changed ones (by ``natural_key``); count them in
    ``report``; return the keys of inserted rows. Fields users own or edited are kept."""
    table = model.__tablename__
    existing = {natural_key(model, obj.to_dict()): obj for obj in session.scalars(select(model))}
    owned = USER_OWNED.get(table, set())
    edited = _edited_fields(session, table)
    inserted: set[Any] = set()
    for row in rows:
        key = natural_key(model, row)
        obj = existing.get(key)
        if obj is None:
            obj = model(**row)
            session.add(obj)
            existing[key] = obj
            inserted.add(key[0] if len(key) == 1 else key)
            report.inserted[table] += 1
            continue
        keep = owned | edited.get(key, set())
        changes = {k: v for k, v in row.items() if k not in keep and getattr(obj, k) != v}
        for k, v in changes.items():
            setattr(obj, k, v)
        if changes:
            report.updated[table] += 1
        else:
            report.unchanged[table] += 1
    session.flush()
    return inserted


def _first_event(agreement: Mapping[str, Any], reported_on: Any) -> AgreementEvent:
    """The opening entry of an agreement's status history: as the source recorded it."""
    return AgreementEvent(
        agreement_id=agreement["id"],
        status=agreement["status"],
        changed_on=reported_on,
        changed_by="opgave init",
        reason=f"Recorded in source {agreement['source_id']} ({agreement['source_section']})",
    )
