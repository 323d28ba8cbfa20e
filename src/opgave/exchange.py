"""Export every table to a folder (CSV or Parquet) and import such a folder into an empty database.

Export -> import -> export gives byte-identical files: rows are written sorted by key, values
in one canonical text form. Credentials stay in the database: sessions and API tokens are
not exported and password hashes are exported empty. Import checks every cell (type,
required, vocabulary, unique key, reference to another table) before it writes anything, and
names file, row and field for each problem; rows count as in a spreadsheet (the CSV header
is row 1; Parquet records start at row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    LargeBinary,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from opgave.model import TABLES, Base, table_of
from opgave.problem import Problem
from opgave.vocabulary import JSON_ELEMENT_TYPES, vocabulary_problem

FORMATS = ("csv", "parquet")
MANIFEST = "manifest.json"
SECRET_TABLES = ("api_token", "user_session")
"""Credentials that never leave the database: sessions and API tokens are not exported."""
SECRET_COLUMNS = {("app_user", "password_hash")}
"""Exported empty: users get a password again with `opgave users add NAME --password`."""


def exported_tables() -> list[type[Base]]:
    """The tables an export holds (all but the secret ones), parents first."""
    return [m for m in TABLES if m.__tablename__ not in SECRET_TABLES]


_INT = re.compile(r"-?\d+")


class ImportProblems(ValueError):
    """The folder cannot be imported; nothing was written. ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n{shown}{more}")


def export_all(
    session: Session, directory: Path, fmt: str = "csv", synthetic_sources: Sequence[str] = ()
) -> list[Path]:
    """Write one file per table (and a manifest) into ``directory``; return the paths. The
    manifest names the synthetic sources in the data, so an export of demo data says so."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    counts = {}
    for model in exported_tables():
        table = table_of(model)
        key = [c.name for c in table.primary_key.columns]
        rows = [dict(r._mapping) for r in session.execute(select(table))]
        rows.sort(key=lambda r: tuple(r[k] for k in key))
        for row in rows:
            for secret_table, column in SECRET_COLUMNS:
                if secret_table == table.name:
                    row[column] = None
        path = directory / f"{table.name}.{fmt}"
        if fmt == "csv":
            _write_csv(path, list(table.columns), rows)
        else:
            _write_parquet(path, list(table.columns), rows)
        counts[table.name] = len(rows)
        written.append(path)
    manifest = directory / MANIFEST
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    manifest.write_text(
        json.dumps(
            {
                "format": fmt,
                "schema_revision": revision,
                "rows": counts,
                "synthetic": bool(synthetic_sources),
                "synthetic_sources": list(synthetic_sources),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return [manifest, *written]


def import_all(session: Session, directory: Path) -> dict[str, int]:
    """Read an exported folder into the (empty) database in one go; return rows per table.

    Raises :class:`ImportProblems` listing every problem; then nothing is written.
    """
    problems: list[Problem] = []
    for model in TABLES:
        count = session.scalar(select(func.count()).select_from(table_of(model)))
        if count:
            raise ImportProblems(
                [
                    Problem(
                        str(directory),
                        None,
                        None,
                        f"the database is not empty ({count} rows in "
                        f"{model.__tablename__}); import needs an empty database",
                    )
                ]
            )
    fmt = _detect_format(directory, problems)
    if fmt is None:
        raise ImportProblems(problems)
    data: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for model in exported_tables():
        path = directory / f"{model.__tablename__}.{fmt}"
        if not path.exists():
            problems.append(Problem(path.name, None, None, "file is missing"))
            continue
        reader = _read_csv if fmt == "csv" else _read_parquet
        data[model.__tablename__] = reader(path, model, problems)
    if not problems:
        _check_keys_and_references(data, fmt, problems)
    if problems:
        raise ImportProblems(problems)
    counts = {}
    for model in exported_tables():
        rows = _parents_first(model, [row for _, row in data[model.__tablename__]])
        if rows:
            session.execute(insert(table_of(model)), rows)
        counts[model.__tablename__] = len(rows)
    _reset_sequences(session)
    return counts


def _detect_format(directory: Path, problems: list[Problem]) -> str | None:
    """The format the folder was exported in, from its manifest or its file names."""
    if not directory.is_dir():
        problems.append(Problem(str(directory), None, None, "not a folder"))
        return None
    manifest = directory / MANIFEST
    if manifest.exists():
        try:
            fmt = json.loads(manifest.read_text(encoding="utf-8")).get("format")
        except json.JSONDecodeError as error:
            problems.append(Problem(MANIFEST, None, None, f"not valid JSON: {error}"))
            return None
        if fmt in FORMATS:
            return str(fmt)
        problems.append(Problem(MANIFEST, None, "format", f"expected one of {FORMATS}"))
        return None
    for fmt in FORMATS:
        if (directory / f"{TABLES[0].__tablename__}.{fmt}").exists():
            return fmt
    problems.append(Problem(str(directory), None, None, "no exported tables found"))
    return None


def _cell(column: Column[Any], value: Any) -> str:
    """The canonical text of a value in a CSV cell."""
    if value is None:
        return ""
    if isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(column.type, Float):
        return repr(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):  # a plan's WKB geometry: hexadecimal, as GIS tools show it
        return value.hex()
    return str(value)


def _write_csv(path: Path, columns: list[Column[Any]], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        for row in rows:
            writer.writerow([_cell(c, row[c.name]) for c in columns])


def _arrow_type(column: Column[Any]) -> pa.DataType:
    if isinstance(column.type, Boolean):
        return pa.bool_()
    if isinstance(column.type, Integer):
        return pa.int64()
    if isinstance(column.type, Float):
        return pa.float64()
    if isinstance(column.type, Date):
        return pa.date32()
    if isinstance(column.type, LargeBinary):
        return pa.binary()
    return pa.string()


def _write_parquet(path: Path, columns: list[Column[Any]], rows: list[dict[str, Any]]) -> None:
    schema = pa.schema(
        [pa.field(c.name, _arrow_type(c), nullable=bool(c.nullable)) for c in columns]
    )
    arrays = {
        c.name: [
            json.dumps(r[c.name], ensure_ascii=False, separators=(",", ":"))
            if isinstance(c.type, JSON) and r[c.name] is not None
            else r[c.name]
            for r in rows
        ]
        for c in columns
    }
    pq.write_table(pa.table(arrays, schema=schema), path)


def _parse(column: Column[Any], raw: str) -> Any:
    """A CSV cell as a typed value; raises ValueError with what was expected."""
    kind = column.type
    if isinstance(kind, JSON):
        value = json.loads(raw)
        element = JSON_ELEMENT_TYPES.get((column.table.name, column.name), str)
        if not isinstance(value, list) or not all(
            isinstance(v, element) and not isinstance(v, bool) for v in value
        ):
            example = "[120, 80]" if element is int else '["housing"]'
            raise ValueError(f"expected a JSON list of {element.__name__}, e.g. {example}")
        return value
    if isinstance(kind, Boolean):
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError(f"expected true or false, got {raw!r}")
    if isinstance(kind, Integer):
        if not _INT.fullmatch(raw.strip()):
            raise ValueError(f"expected a whole number, got {raw!r}")
        return int(raw)
    if isinstance(kind, Float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
    if isinstance(kind, Date):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got {raw!r}") from None
    if isinstance(kind, LargeBinary):
        try:
            return bytes.fromhex(raw)
        except ValueError:
            raise ValueError(f"expected hexadecimal bytes (WKB), got {raw[:40]!r}") from None
    return raw


def _check_header(file: str, found: list[str], model: type[Base], problems: list[Problem]) -> bool:
    expected = [c.name for c in table_of(model).columns]
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    for name in missing:
        problems.append(Problem(file, 1, name, "column is missing"))
    for name in extra:
        problems.append(Problem(file, 1, name, f"unknown column (expected: {', '.join(expected)})"))
    return not missing and not extra


def _check_row(
    file: str, line: int, model: type[Base], row: dict[str, Any], problems: list[Problem]
) -> None:
    for column in table_of(model).columns:
        value = row[column.name]
        if value is None and not column.nullable:
            problems.append(Problem(file, line, column.name, "a value is required"))
        problem = vocabulary_problem(model.__tablename__, column.name, value)
        if problem:
            problems.append(Problem(file, line, column.name, problem))


def _read_csv(
    path: Path, model: type[Base], problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]]:
    columns = {c.name: c for c in table_of(model).columns}
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        if not _check_header(path.name, header, model, problems):
            return []
        for line, cells in enumerate(reader, start=2):
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        path.name, line, None, f"expected {len(header)} cells, got {len(cells)}"
                    )
                )
                continue
            row: dict[str, Any] = {}
            for name, raw in zip(header, cells, strict=True):
                try:
                    row[name] = None if raw == "" else _parse(columns[name], raw)
                except (ValueError, json.JSONDecodeError) as error:
                    problems.append(Problem(path.name, line, name, str(error)))
                    row[name] = None
            _check_row(path.name, line, model, row, problems)
            rows.append((line, row))
    return rows


def _read_parquet(
    path: Path, model: type[Base], problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        problems.append(Problem(path.name, None, None, f"not a readable Parquet file: {error}"))
        return []
    if not _check_header(path.name, table.column_names, model, problems):
        return []
    columns = {c.name: c for c in table_of(model).columns}
    for name, column in columns.items():
        want = _arrow_type(column)
        if table.schema.field(name).type != want:
            problems.append(
                Problem(
                    path.name,
                    None,
                    name,
                    f"expected type {want}, got {table.schema.field(name).type}",
                )
            )
    if problems:
        return []
    rows = []
    for number, row in enumerate(table.to_pylist(), start=1):
        for name, column in columns.items():
            if isinstance(column.type, JSON) and row[name] is not None:
                try:
                    row[name] = _parse(column, row[name])
                except (ValueError, json.JSONDecodeError) as error:
                    problems.append(Problem(path.name, number, name, str(error)))
        _check_row(path.name, number, model, row, problems)
        rows.append((number, row))
    return rows


def _check_keys_and_references(
    data: dict[str, list[tuple[int, dict[str, Any]]]], fmt: str, problems: list[Problem]
) -> None:
    """Every key unique; every reference points at a row of the referenced table."""
    tables = exported_tables()
    referenced = {
        (fk.column.table.name, fk.column.name) for m in tables for fk in table_of(m).foreign_keys
    }
    keys: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for model in tables:
        table = table_of(model)
        pk = [c.name for c in table.primary_key.columns]
        seen: set[tuple[Any, ...]] = set()
        for line, row in data[table.name]:
            key = tuple(row[k] for k in pk)
            if key in seen:
                problems.append(
                    Problem(f"{table.name}.{fmt}", line, ", ".join(pk), f"duplicate key {key}")
                )
            seen.add(key)
            for column in table.columns:
                if (table.name, column.name) in referenced:
                    keys[(table.name, column.name)].add(row[column.name])
    for model in tables:
        table = table_of(model)
        for line, row in data[table.name]:
            for fk in table.foreign_keys:
                value = row[fk.parent.name]
                target = (fk.column.table.name, fk.column.name)
                if value is not None and value not in keys[target]:
                    problems.append(
                        Problem(
                            f"{table.name}.{fmt}",
                            line,
                            fk.parent.name,
                            f"unknown reference {value!r} (no such {target[0]}.{target[1]})",
                        )
                    )


def _parents_first(model: type[Base], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order the rows of a self-referencing table so that each parent precedes its children."""
    self_refs = [fk for fk in table_of(model).foreign_keys if fk.column.table is table_of(model)]
    if not self_refs:
        return rows
    column = self_refs[0].parent.name
    key = self_refs[0].column.name
    done: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    pending = rows
    while pending:
        ready = [r for r in pending if r[column] is None or r[column] in done]
        if not ready:  # a cycle: let the database refuse it
            ordered.extend(pending)
            break
        ordered.extend(ready)
        done.update(r[key] for r in ready)
        pending = [r for r in pending if r not in ready]
    return ordered


def _reset_sequences(session: Session) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in TABLES:
        table = table_of(model)
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                        f"FROM {table.name}"
                    )
                )
