"""BAG per dwelling: when it was permitted, started and completed, whether it is new-build.

Inputs: the canonical VBO file (`opgave.ingest.bag.VBO_COLUMNS`, plus the optional `x` and
`y` in RD New metres) and optionally the pand file (`PAND_COLUMNS`; `bouwjaar` is used here),
Parquet or CSV, validated exactly as `derive_events` validates them.
Outputs: a Parquet file with one row per dwelling that has an event on or after 1 January of
`since` (`DWELLING_COLUMNS`), and from it the counts per municipality and year or month
(`municipal_counts`) and the points with their events (`event_points`) for counting inside
polygons (`opgave.bag_analysis.count_in_polygons`).
Derives: the same events as `derive_events` (first "Verblijfsobject gevormd", the pand's
first "Bouw gestart", first "in gebruik (niet ingemeten)" or "in gebruik"; municipality and
pand from the dwelling's latest woonfunctie voorkomen), and for each completion whether it
is **nieuwbouw** the way CBS counts it: a home in a pand that is wholly new. A pand is new
for a completion in year Y when its oorspronkelijk bouwjaar is Y - 1 or later; when the
bouwjaar is unknown (9999, empty), when the pand entered the BAG as a building to be built
(its first voorkomen is "Bouwvergunning verleend" or "Bouw gestart") [inferred from CBS's
definition, docs/bag.md]. Other completions (transformation, splitting, a dwelling added to
an existing pand) are "other additions".
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from opgave.ingest import bag
from opgave.ingest.bag import (
    PAND_BOUW_GESTART,
    PAND_COLUMNS,
    VBO_COLUMNS,
    VBO_GEVORMD,
    VBO_IN_GEBRUIK,
    VBO_IN_GEBRUIK_NIET_INGEMETEN,
    WOONFUNCTIE,
    BagInputError,
    BagProblem,
    ColumnSpec,
)

__all__ = [
    "DWELLING_COLUMNS",
    "EVENTS",
    "NEW_PAND_STATUSES",
    "Dwellings",
    "derive_dwellings",
    "event_points",
    "municipal_counts",
]

NEW_PAND_STATUSES = ("Bouwvergunning verleend", PAND_BOUW_GESTART)
"""A pand whose first voorkomen has one of these entered the BAG as a building to be built."""

EVENTS = ("permitted", "started", "completed", "completed_new_build", "completed_other")
"""The events counted; the last two split `completed` by the nieuwbouw rule."""

DWELLING_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("vbo_id", True, "16 digits", "Identificatie of the verblijfsobject."),
    ColumnSpec("gemeente_code", True, "'GM' + 4 digits", "Current municipality (after code_map)."),
    ColumnSpec("pand_id", True, "16 digits", "The pand on the dwelling's latest voorkomen."),
    ColumnSpec("permitted_on", False, "date", "First 'Verblijfsobject gevormd'."),
    ColumnSpec("started_on", False, "date", "The pand's first 'Bouw gestart' (pand file only)."),
    ColumnSpec(
        "completed_on", False, "date", "First 'in gebruik (niet ingemeten)' or 'in gebruik'."
    ),
    ColumnSpec(
        "new_build",
        False,
        "true/false/null",
        "Completed in a wholly new pand (null: not completed, or its pand unknown).",
    ),
    ColumnSpec("x", False, "metres, RD New", "Point of the dwelling's latest voorkomen."),
    ColumnSpec("y", False, "metres, RD New", "Point of the dwelling's latest voorkomen."),
)

_NUMERIC = (*bag._INT_TYPES, "DOUBLE", "FLOAT", "REAL")


@dataclass(frozen=True)
class Dwellings:
    """The per-dwelling file and what it holds."""

    path: Path
    count: int
    started_available: bool
    split_available: bool
    has_points: bool
    latest_event: date | None
    synthetic: bool
    meta: dict[str, str]


def _optional_numeric(src: Any, col: str) -> str | None:
    """The column as DOUBLE when present (text is parsed), else None."""
    if col not in src.types:
        return None
    typ = src.types[col]
    if typ in _NUMERIC or typ.startswith("DECIMAL"):
        return f"CAST({bag._q(col)} AS DOUBLE)"
    return f"TRY_CAST(NULLIF(trim(CAST({bag._q(col)} AS VARCHAR)), '') AS DOUBLE)"


def _sql(
    vbo: Any,
    pand: Any | None,
    codes: Mapping[str, str],
    since: int,
) -> str:
    """One statement: the dwellings with their events, nieuwbouw flag and point."""
    values = ", ".join(f"({bag._lit(raw)}, {bag._lit(code)})" for raw, code in codes.items())
    begin = vbo.date_expr("begin_geldigheid")
    current = f"{vbo.date_expr('eind_geldigheid')} IS NULL"
    latest = f"(date_diff('day', DATE '1970-01-01', {begin}) * 2 + CAST({current} AS INTEGER))"
    status = bag._q("status")
    in_gebruik = f"({bag._lit(VBO_IN_GEBRUIK)}, {bag._lit(VBO_IN_GEBRUIK_NIET_INGEMETEN)})"
    x, y = _optional_numeric(vbo, "x"), _optional_numeric(vbo, "y")
    points = (
        f", arg_max({x}, {latest}) AS x, arg_max({y}, {latest}) AS y"
        if x is not None and y is not None
        else ", CAST(NULL AS DOUBLE) AS x, CAST(NULL AS DOUBLE) AS y"
    )
    if pand is None:
        pand_cte = ""
        join = ""
        started = "CAST(NULL AS DATE)"
        new_build = "CAST(NULL AS BOOLEAN)"
    else:
        p_begin = pand.date_expr("begin_geldigheid")
        p_current = (
            f"{pand.date_expr('eind_geldigheid')} IS NULL"
            if "eind_geldigheid" in pand.types
            else "true"
        )
        p_latest = (
            f"(date_diff('day', DATE '1970-01-01', {p_begin}) * 2 + CAST({p_current} AS INTEGER))"
        )
        bouwjaar = _optional_numeric(pand, "bouwjaar")
        bouwjaar_agg = (
            f"arg_max(CAST({bouwjaar} AS INTEGER), {p_latest})"
            if bouwjaar is not None
            else "CAST(NULL AS INTEGER)"
        )
        first_status = f"arg_min({status}, {p_latest})"
        pand_cte = f""", p AS (
    SELECT {pand.id_expr("pand_id")} AS pand_id,
        min({p_begin}) FILTER (WHERE {status} = {bag._lit(PAND_BOUW_GESTART)}) AS started_on,
        {first_status} AS first_status,
        {bouwjaar_agg} AS bouwjaar
    FROM {pand.reader()}
    GROUP BY 1
    HAVING CASE WHEN started_on IS NOT NULL AND {bag._id_bad("pand_id", "10")}
        THEN error({bag._lit(bag._ID_ERROR.format("pand"))}) ELSE true END
)"""
        join = "LEFT JOIN p ON p.pand_id = v.pand_id"
        started = "p.started_on"
        new_pand = ", ".join(bag._lit(s) for s in NEW_PAND_STATUSES)
        new_build = f"""CASE WHEN v.completed_on IS NULL OR p.pand_id IS NULL THEN NULL
        WHEN p.bouwjaar BETWEEN 1000 AND 2999 THEN p.bouwjaar >= year(v.completed_on) - 1
        ELSE p.first_status IN ({new_pand}) END"""
    start = f"DATE '{since:04d}-01-01'"
    return f"""
WITH v AS (
    SELECT {vbo.id_expr("vbo_id")} AS vbo_id,
        min({begin}) FILTER (WHERE {status} = {bag._lit(VBO_GEVORMD)}) AS permitted_on,
        min({begin}) FILTER (WHERE {status} IN {in_gebruik}) AS completed_on,
        arg_max({vbo.text_expr("gemeente_code")}, {latest}) AS gemeente_raw,
        arg_max({vbo.id_expr("pand_id")}, {latest}) AS pand_id{points}
    FROM {vbo.reader()}
    WHERE contains({bag._q("gebruiksdoel")}, {bag._lit(WOONFUNCTIE)})
    GROUP BY 1
){pand_cte},
d AS (
    SELECT v.vbo_id, c.gemeente_code, v.pand_id, v.permitted_on, {started} AS started_on,
        v.completed_on, {new_build} AS new_build, v.x, v.y
    FROM v {join}
    JOIN (VALUES {values}) c(gemeente_raw, gemeente_code) ON c.gemeente_raw = v.gemeente_raw
    WHERE CASE WHEN {bag._id_bad("v.vbo_id", "01")} OR {bag._id_bad("v.pand_id", "10")}
        THEN error({bag._lit(bag._ID_ERROR.format("VBO"))}) ELSE true END
)
SELECT * FROM d WHERE greatest(permitted_on, started_on, completed_on) >= {start}
"""


def _point_problems(src: Any) -> list[BagProblem]:
    problems = []
    for col in ("x", "y"):
        typ = src.types.get(col)
        if (
            typ is not None
            and not (typ in _NUMERIC or typ.startswith("DECIMAL"))
            and typ
            not in (
                "VARCHAR",
                "NULL",
            )
        ):
            problems.append(
                BagProblem(src.path, None, col, f"column has type {typ}; expected a number")
            )
    return problems


def derive_dwellings(
    vbo_path: str | Path,
    pand_path: str | Path | None,
    out: str | Path,
    *,
    code_map: Mapping[str, str] | None = None,
    since: int = 2012,
    progress: bag.ProgressCallback | None = None,
    threads: int | None = None,
    memory_limit: str = "1GB",
) -> Dwellings:
    """Write one row per dwelling with an event in or after `since` to `out` (Parquet).

    Every row of the inputs is validated first (`BagInputError` with file, row and column,
    nothing written); `code_map` maps old gemeente codes to current ones (chains followed).
    Progress phases: "validate vbo", "validate pand", "derive" (0-1 each).
    """
    mapping = bag._resolve_code_map(code_map)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="opgave-bag-") as spill:
        config: dict[str, Any] = {"memory_limit": memory_limit, "temp_directory": spill}
        if threads is not None:
            config["threads"] = threads
        con = duckdb.connect(":memory:", config=config)
        con.execute(f"SET enable_progress_bar = {progress is not None}")
        con.execute("SET enable_progress_bar_print = false")
        con.execute("SET preserve_insertion_order = false")
        try:
            return _derive(con, Path(vbo_path), pand_path, out, mapping, since, progress)
        finally:
            con.close()


def _derive(
    con: duckdb.DuckDBPyConnection,
    vbo_path: Path,
    pand_path: str | Path | None,
    out: Path,
    mapping: dict[str, str],
    since: int,
    progress: bag.ProgressCallback | None,
) -> Dwellings:
    run = bag._runner(con, progress)

    def rows(phase: str) -> Any:
        return lambda sql: [tuple(r.values()) for r in run(phase, sql).to_pylist()]

    problems: list[BagProblem] = []
    vbo, found = bag._open(con, vbo_path, VBO_COLUMNS, "VBO")
    problems += found
    pand = None
    if pand_path is not None:
        pand, found = bag._open(con, Path(pand_path), PAND_COLUMNS, "pand")
        problems += found
    raw_codes: list[str] = []
    if vbo is not None:
        problems += _point_problems(vbo)
        found, raw_codes = bag._validate(
            con, vbo, VBO_COLUMNS, bag.VBO_STATUSES, rows("validate vbo")
        )
        problems += found
    if pand is not None:
        found, _ = bag._validate(con, pand, PAND_COLUMNS, bag.PAND_STATUSES, rows("validate pand"))
        problems += found
    if problems or vbo is None:
        for src, columns in ((vbo, VBO_COLUMNS), (pand, PAND_COLUMNS)):
            if src is not None:
                problems += bag._id_problems(con, src, columns)
        raise BagInputError(problems)
    codes = {raw: bag._normalise_code(raw) or "" for raw in raw_codes}
    current = {raw: mapping.get(code, code) for raw, code in codes.items()}
    sql = _sql(vbo, pand, current, since)
    copy = f"COPY ({sql}) TO {bag._lit(str(out))} (FORMAT parquet, COMPRESSION zstd)"
    try:
        if progress is not None:
            progress("derive", 0.0)
        con.execute(copy)
        if progress is not None:
            progress("derive", 1.0)
    except duckdb.Error as exc:
        for src, columns in ((vbo, VBO_COLUMNS), (pand, PAND_COLUMNS)):
            if src is not None and bag._ID_ERROR.format(src.label) in str(exc):
                raise BagInputError(bag._id_problems(con, src, columns)) from None
        raise BagInputError(
            [BagProblem(vbo.path, None, None, f"derivation failed: {exc}")]
        ) from exc
    (count, latest, points), *_ = con.execute(
        "SELECT count(*), max(greatest(permitted_on, started_on, completed_on)), count(x) "
        f"FROM read_parquet({bag._lit(str(out))})"
    ).fetchall()
    meta = bag._provenance(vbo, pand)
    return Dwellings(
        path=out,
        count=int(count),
        started_available=pand is not None,
        split_available=pand is not None,
        has_points=bool(points),
        latest_event=latest,
        synthetic=meta.get("synthetic") == "true",
        meta=meta,
    )


# ---------------------------------------------------------------------------------------------
# Counting: per municipality and period, and the points for counting inside polygons.


def _events_sql(path: Path, since: int, until: date) -> str:
    where = f"BETWEEN DATE '{since:04d}-01-01' AND DATE '{until.isoformat()}'"
    source = f"read_parquet({bag._lit(str(path))})"
    parts = [
        ("permitted", "permitted_on", "true"),
        ("started", "started_on", "true"),
        ("completed", "completed_on", "true"),
        ("completed_new_build", "completed_on", "new_build"),
        ("completed_other", "completed_on", "NOT new_build"),
    ]
    return " UNION ALL ".join(
        f"SELECT gemeente_code, '{event}' AS event, {column} AS d FROM {source} "
        f"WHERE {column} {where} AND {condition}"
        for event, column, condition in parts
    )


def municipal_counts(
    dwellings: Dwellings, *, since: int, until: date
) -> list[tuple[str, str, int, int, int]]:
    """(gemeente_code, event, year, month, count) for events from `since` up to `until`.

    `started` only with a pand file, `completed_new_build`/`completed_other` only when the
    pand is known (a completion whose pand is not in the pand file is in neither).
    """
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT gemeente_code, event, year(d), month(d), count(*) "
            f"FROM ({_events_sql(dwellings.path, since, until)}) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    return [(str(a), str(e), int(y), int(m), int(n)) for a, e, y, m, n in rows]


def event_points(
    dwellings: Dwellings, *, since: int, until: date
) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """x, y of the dwellings with a point and, per event, its year and month (-1: none)."""
    con = duckdb.connect()
    lo, hi = f"DATE '{since:04d}-01-01'", f"DATE '{until.isoformat()}'"

    def ym(column: str, condition: str = "true") -> str:
        return (
            f"CASE WHEN {column} BETWEEN {lo} AND {hi} AND coalesce({condition}, false) "
            f"THEN year({column}) * 100 + month({column}) ELSE -1 END"
        )

    try:
        table: pa.Table = con.sql(
            f"""SELECT x, y, {ym("permitted_on")} AS permitted, {ym("started_on")} AS started,
                {ym("completed_on")} AS completed,
                {ym("completed_on", "new_build")} AS completed_new_build,
                {ym("completed_on", "NOT new_build")} AS completed_other
            FROM read_parquet({bag._lit(str(dwellings.path))})
            WHERE x IS NOT NULL AND y IS NOT NULL
                AND greatest(permitted_on, started_on, completed_on) >= {lo}"""
        ).to_arrow_table()
    finally:
        con.close()
    x = table["x"].to_numpy()
    y = table["y"].to_numpy()
    events: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for event in EVENTS:
        code = np.asarray(table[event].to_numpy(), dtype=np.int64)
        year = np.where(code >= 0, code // 100, -1)
        month = np.where(code >= 0, code % 100, -1)
        events[event] = (year, month)
    return x, y, events


def read_dwellings(path: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The per-dwelling file as an Arrow table (tests, small extracts)."""
    return pq.read_table(path, columns=list(columns) if columns else None)
