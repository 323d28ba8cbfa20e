"""BAG: dwellings permitted, started and completed per municipality and year.

Pure derivation from the canonical BAG input (see `VBO_COLUMNS`, `PAND_COLUMNS` and
docs/bag.md): DuckDB streams the files, so no row becomes a Python object; the caller
stores the resulting Arrow table.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

VBO_GEVORMD = "Verblijfsobject gevormd"
VBO_IN_GEBRUIK = "Verblijfsobject in gebruik"
VBO_IN_GEBRUIK_NIET_INGEMETEN = "Verblijfsobject in gebruik (niet ingemeten)"
PAND_BOUW_GESTART = "Bouw gestart"

# Catalogus BAG, domeinwaarden §8.7 (StatusVerblijfsobject); domain-facts.md §4.
VBO_STATUSES: tuple[str, ...] = (
    VBO_GEVORMD,
    "Niet gerealiseerd verblijfsobject",
    VBO_IN_GEBRUIK_NIET_INGEMETEN,
    VBO_IN_GEBRUIK,
    "Verblijfsobject ingetrokken",
    "Verblijfsobject buiten gebruik",
    "Verbouwing verblijfsobject",
    "Verblijfsobject ten onrechte opgevoerd",
)

# Catalogus BAG, domeinwaarden §8.5 (StatusPand).
PAND_STATUSES: tuple[str, ...] = (
    "Bouwvergunning verleend",
    "Niet gerealiseerd pand",
    PAND_BOUW_GESTART,
    "Pand in gebruik (niet ingemeten)",
    "Pand in gebruik",
    "Sloopvergunning verleend",
    "Pand gesloopt",
    "Pand buiten gebruik",
    "Verbouwing pand",
    "Pand ten onrechte opgevoerd",
)

# Catalogus BAG, domeinwaarden §8.2 (Gebruiksdoel, from Bouwbesluit 2012).
WOONFUNCTIE = "woonfunctie"
GEBRUIKSDOELEN: tuple[str, ...] = (
    WOONFUNCTIE,
    "bijeenkomstfunctie",
    "celfunctie",
    "gezondheidszorgfunctie",
    "industriefunctie",
    "kantoorfunctie",
    "logiesfunctie",
    "onderwijsfunctie",
    "sportfunctie",
    "winkelfunctie",
    "overige gebruiksfunctie",
)

__all__ = [
    "OUTPUT_COLUMNS",
    "PAND_COLUMNS",
    "VBO_COLUMNS",
    "BagInputError",
    "BagProblem",
    "ColumnSpec",
    "derive_events",
]

ProgressCallback = Callable[[str, float], None]
"""progress(phase, fraction): phase is "validate vbo", "validate pand" or "derive"; 0-1."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the canonical BAG input: name, whether it must be present, meaning."""

    name: str
    required: bool
    expected: str
    description: str


VBO_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "vbo_id",
        True,
        "16 digits with objecttype 01 at positions 5-6",
        "BAG identificatie of the verblijfsobject (gemeentecode + '01' + volgnummer); "
        "text, so leading zeros stay.",
    ),
    ColumnSpec(
        "status",
        True,
        "an official StatusVerblijfsobject text",
        "Status of this voorkomen, e.g. 'Verblijfsobject gevormd' (Catalogus BAG §8.7).",
    ),
    ColumnSpec(
        "gebruiksdoel",
        True,
        "official gebruiksdoel values separated by ';'",
        "Gebruiksdoelen of this voorkomen, e.g. 'woonfunctie' or "
        "'winkelfunctie;woonfunctie' (Catalogus BAG §8.2).",
    ),
    ColumnSpec(
        "begin_geldigheid",
        True,
        "a date (YYYY-MM-DD)",
        "First day this voorkomen is valid; the event date when its status is new.",
    ),
    ColumnSpec(
        "eind_geldigheid",
        True,
        "a date (YYYY-MM-DD) or empty",
        "First day this voorkomen is no longer valid; empty for the current voorkomen.",
    ),
    ColumnSpec(
        "pand_id",
        True,
        "16 digits with objecttype 10 at positions 5-6",
        "BAG identificatie of the pand the verblijfsobject lies in (the first one if several).",
    ),
    ColumnSpec(
        "gemeente_code",
        True,
        "a CBS gemeente code: 4 digits, optionally 'GM' + 4 digits",
        "Municipality the verblijfsobject lay in during this voorkomen (from its "
        "nummeraanduiding's woonplaats); not the code inside vbo_id.",
    ),
)

PAND_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "pand_id",
        True,
        "16 digits with objecttype 10 at positions 5-6",
        "BAG identificatie of the pand.",
    ),
    ColumnSpec(
        "status",
        True,
        "an official StatusPand text",
        "Status of this voorkomen, e.g. 'Bouw gestart' (Catalogus BAG §8.5).",
    ),
    ColumnSpec(
        "begin_geldigheid",
        True,
        "a date (YYYY-MM-DD)",
        "First day this voorkomen is valid.",
    ),
    ColumnSpec(
        "eind_geldigheid",
        False,
        "a date (YYYY-MM-DD) or empty",
        "First day this voorkomen is no longer valid; empty for the current one.",
    ),
    ColumnSpec(
        "bouwjaar",
        False,
        "a year",
        "Oorspronkelijk bouwjaar; accepted and documented, not used by the derivation.",
    ),
)

OUTPUT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("gemeente_code", True, "'GM' + 4 digits", "Current municipality (after code_map)."),
    ColumnSpec("year", True, "a year", "Calendar year of begin_geldigheid of the event."),
    ColumnSpec(
        "permitted",
        True,
        "count",
        "Dwellings whose first 'Verblijfsobject gevormd' fell in the year.",
    ),
    ColumnSpec(
        "started",
        True,
        "count or null",
        "Dwellings whose pand's first 'Bouw gestart' fell in the year; null without a pand file.",
    ),
    ColumnSpec(
        "completed",
        True,
        "count",
        "Dwellings first 'Verblijfsobject in gebruik' or '... (niet ingemeten)' in the year.",
    ),
)


@dataclass(frozen=True)
class BagProblem:
    """One problem in a BAG input file; `row` counts data rows from 1 (CSV line = row + 1)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class BagInputError(ValueError):
    """The BAG input cannot be used; `problems` lists every problem found (first rows each)."""

    def __init__(self, problems: Sequence[BagProblem]) -> None:
        self.problems: list[BagProblem] = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the BAG input:\n{lines}")


# ---------------------------------------------------------------------------------------------
# Reading: one SQL relation per input file, with expressions that give canonical types.

_MAX_ROWS_PER_PROBLEM = 5
_STRING_TYPES = ("VARCHAR",)
_INT_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "HUGEINT",
)
_DATE_TYPES = (
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP_NS",
    "TIMESTAMP_MS",
    "TIMESTAMP_S",
    "TIMESTAMP WITH TIME ZONE",
)
_CODE_RE = re.compile(r"(?:GM)?(\d{1,4})")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class _Source:
    """An input file as DuckDB sees it: its reader call and, per column, its DuckDB type."""

    path: str
    kind: str  # "parquet" or "csv"
    types: dict[str, str]
    label: str  # "VBO" or "pand"

    def reader(self, with_row_number: bool = False) -> str:
        if self.kind == "parquet":
            extra = ", file_row_number=true" if with_row_number else ""
            return f"read_parquet({_lit(self.path)}{extra})"
        return (
            f"read_csv({_lit(self.path)}, header=true, delim=',', quote='\"', "
            "all_varchar=true, auto_detect=false, columns=" + self._csv_columns() + ")"
        )

    def _csv_columns(self) -> str:
        return "{" + ", ".join(f"{_lit(n)}: 'VARCHAR'" for n in self.types) + "}"

    def id_expr(self, col: str) -> str:
        """Identificatie as 16-character text; integer columns get their leading zeros back."""
        if self.types[col] in _INT_TYPES:
            return f"lpad(CAST({_q(col)} AS VARCHAR), 16, '0')"
        return _q(col)

    def text_expr(self, col: str) -> str:
        if self.types[col] in _STRING_TYPES:
            return _q(col)
        return f"CAST({_q(col)} AS VARCHAR)"

    def date_expr(self, col: str) -> str:
        """The column as DATE; text is parsed (ISO), empty text is null."""
        if self.types[col] == "DATE":
            return _q(col)
        if self.types[col] in _DATE_TYPES:
            return f"CAST({_q(col)} AS DATE)"
        return f"TRY_CAST(NULLIF(trim({_q(col)}), '') AS DATE)"

    def date_is_bad(self, col: str, required: bool) -> str:
        """SQL condition: the raw value is present (or required) and not a date."""
        if self.types[col] in _DATE_TYPES:
            return f"{_q(col)} IS NULL" if required else "false"
        parsed = self.date_expr(col)
        if required:
            return f"{parsed} IS NULL"
        return f"(NULLIF(trim({_q(col)}), '') IS NOT NULL AND {parsed} IS NULL)"


def _open(
    con: duckdb.DuckDBPyConnection, path: str | Path, columns: Sequence[ColumnSpec], label: str
) -> tuple[_Source | None, list[BagProblem]]:
    """Detect the file kind, read its columns and check required columns and their types."""
    name = str(path)
    lower = name.lower()
    if lower.endswith((".parquet", ".pq")):
        kind = "parquet"
    elif lower.endswith((".csv", ".csv.gz", ".txt")):
        kind = "csv"
    else:
        return None, [BagProblem(name, None, None, f"{label} file must end in .parquet or .csv")]
    if not Path(name).is_file():
        return None, [BagProblem(name, None, None, f"{label} file not found")]
    try:
        if kind == "parquet":
            rel = con.sql(f"DESCRIBE SELECT * FROM read_parquet({_lit(name)})")
        else:
            rel = con.sql(
                f"DESCRIBE SELECT * FROM read_csv({_lit(name)}, header=true, delim=',', "
                "quote='\"', all_varchar=true)"
            )
        types = {str(r[0]): str(r[1]) for r in rel.fetchall()}
    except duckdb.Error as exc:
        return None, [BagProblem(name, None, None, f"cannot read {label} file: {exc}")]
    problems = [
        BagProblem(name, None, c.name, f"required column missing; expected {c.expected}")
        for c in columns
        if c.required and c.name not in types
    ]
    allowed = {
        "vbo_id": _STRING_TYPES + _INT_TYPES,
        "pand_id": _STRING_TYPES + _INT_TYPES,
        "gemeente_code": _STRING_TYPES + _INT_TYPES,
        "status": _STRING_TYPES,
        "gebruiksdoel": _STRING_TYPES,
        "begin_geldigheid": _STRING_TYPES + _DATE_TYPES,
        "eind_geldigheid": _STRING_TYPES + _DATE_TYPES,
    }
    for col, typ in types.items():
        ok = allowed.get(col)
        if ok is not None and typ not in ok and not (typ == "NULL" and col == "eind_geldigheid"):
            problems.append(
                BagProblem(
                    name,
                    None,
                    col,
                    f"column has type {typ}; expected text"
                    " or " + ("a date" if "geldigheid" in col else "integer"),
                )
            )
    if problems:
        return None, problems
    return _Source(name, kind, types, label), []


# ---------------------------------------------------------------------------------------------
# Validation: one aggregate pass per file; only on failure a second pass finds the rows.


@dataclass(frozen=True)
class _Check:
    """A row-level rule: SQL condition true for a bad row, the column, what was expected."""

    column: str
    bad_when: str
    expected: str


_ID_COLUMNS = {"vbo_id": "01", "pand_id": "10"}  # column -> objecttype in the identificatie
_ID_ERROR = "opgave-bag: malformed identificatie in the {} file"


def _id_bad(expr: str, objecttype: str) -> str:
    """SQL condition: not 16 digits with `objecttype` at positions 5-6."""
    return (
        f"NOT coalesce({expr} LIKE '____{objecttype}__________' "
        f"AND TRY_CAST({expr} AS UBIGINT) IS NOT NULL, false)"
    )


def _id_checks(src: _Source, columns: Sequence[ColumnSpec]) -> list[_Check]:
    spec = {c.name: c for c in columns}
    return [
        _Check(col, _id_bad(src.id_expr(col), objecttype), spec[col].expected)
        for col, objecttype in _ID_COLUMNS.items()
        if col in spec
    ]


def _id_problems(
    con: duckdb.DuckDBPyConnection, src: _Source, columns: Sequence[ColumnSpec]
) -> list[BagProblem]:
    """Rows of any kind with a malformed identificatie (error path only: a full scan)."""
    return [
        p
        for c in _id_checks(src, columns)
        for p in _locate(con, src, c.column, c.bad_when, c.expected)
    ]


def _date_checks(src: _Source, columns: Sequence[ColumnSpec]) -> list[_Check]:
    spec = {c.name: c for c in columns}
    checks = [
        _Check(
            "begin_geldigheid",
            src.date_is_bad("begin_geldigheid", True),
            spec["begin_geldigheid"].expected,
        )
    ]
    if "eind_geldigheid" in src.types:
        checks.append(
            _Check(
                "eind_geldigheid",
                src.date_is_bad("eind_geldigheid", False),
                spec["eind_geldigheid"].expected,
            )
        )
        checks.append(
            _Check(
                "eind_geldigheid",
                f"{src.date_expr('eind_geldigheid')} < {src.date_expr('begin_geldigheid')}",
                "a date on or after begin_geldigheid",
            )
        )
    return checks


def _gebruiksdoel_ok(value: str) -> bool:
    parts = [p.strip() for p in value.split(";")]
    return bool(parts) and all(p in GEBRUIKSDOELEN for p in parts)


def _normalise_code(value: str) -> str | None:
    """'0363', '363', 'GM0363' -> 'GM0363'; None when it is not a gemeente code."""
    m = _CODE_RE.fullmatch(value.strip().upper())
    return None if m is None else "GM" + m.group(1).zfill(4)


def _in_values(expr: str, values: Sequence[str | None]) -> str:
    parts = []
    present = [v for v in values if v is not None]
    if present:
        parts.append(f"{expr} IN ({', '.join(_lit(v) for v in present)})")
    if len(present) < len(values):
        parts.append(f"{expr} IS NULL")
    return "(" + " OR ".join(parts) + ")"


def _validate(
    con: duckdb.DuckDBPyConnection,
    src: _Source,
    columns: Sequence[ColumnSpec],
    statuses: Sequence[str],
    run: Callable[[str], list[tuple[Any, ...]]],
) -> tuple[list[BagProblem], list[str]]:
    """Check every row of one file; return the problems and the distinct raw gemeente codes.

    Single pass, no grouping: it collects the few distinct status, gebruiksdoel and
    gemeente_code values (checked in Python against the official lists) and counts the rows
    breaking each date rule. Rows are looked up only when something is wrong. Identificaties
    are checked by the derivation, where they are used (see `_derive_sql`).
    """
    checks = _date_checks(src, columns)
    domain = ["status"] + [
        c for c in ("gebruiksdoel", "gemeente_code") if c in {s.name for s in columns}
    ]
    domain_exprs = [src.text_expr(c) for c in domain]
    distinct = [
        f"list(DISTINCT {e}) FILTER (WHERE {e} IS NOT NULL), count(*) FILTER (WHERE {e} IS NULL)"
        for e in domain_exprs
    ]
    counts = [f"count(*) FILTER (WHERE {c.bad_when})" for c in checks]
    sql = f"SELECT {', '.join(distinct + counts)} FROM {src.reader()}"
    try:
        (row,) = run(sql)
    except duckdb.Error as exc:
        return [BagProblem(src.path, None, None, f"cannot read file: {exc}")], []
    values: dict[str, list[str]] = {c: list(row[2 * j] or []) for j, c in enumerate(domain)}
    has_null = {c: bool(row[2 * j + 1]) for j, c in enumerate(domain)}
    failing: list[tuple[str, str, str]] = []  # (column, condition, expected)
    for i, check in enumerate(checks):
        if row[2 * len(domain) + i]:
            failing.append((check.column, check.bad_when, check.expected))
    rules: dict[str, tuple[Callable[[str], bool], str]] = {
        "status": (lambda v: v in statuses, "one of: " + ", ".join(statuses)),
        "gebruiksdoel": (
            _gebruiksdoel_ok,
            "official gebruiksdoel values separated by ';' (" + ", ".join(GEBRUIKSDOELEN) + ")",
        ),
        "gemeente_code": (
            lambda v: _normalise_code(v) is not None,
            "a gemeente code: 4 digits, optionally with 'GM'",
        ),
    }
    for j, col in enumerate(domain):
        ok, expected = rules[col]
        bad: list[str | None] = [v for v in sorted(values[col]) if not ok(v)]
        if has_null[col]:
            bad.append(None)
        if bad:
            failing.append((col, _in_values(domain_exprs[j], bad), expected))
    codes = sorted(values.get("gemeente_code", []))
    problems = [p for col, cond, exp in failing for p in _locate(con, src, col, cond, exp)]
    problems.sort(key=lambda p: (p.row is None, p.row or 0))
    return problems, [c for c in codes if c is not None]


def _locate(
    con: duckdb.DuckDBPyConnection, src: _Source, column: str, bad_when: str, expected: str
) -> list[BagProblem]:
    """The first few rows (1-based, file order) where `bad_when` holds, as problems."""
    if src.kind == "parquet":
        numbered = f"SELECT *, file_row_number + 1 AS _row FROM {src.reader(True)}"
    else:
        # CSV has no row-number column; a single-threaded scan keeps the file order.
        numbered = f"SELECT *, row_number() OVER () AS _row FROM {src.reader()}"
    sql = (
        f"SELECT _row, CAST({_q(column)} AS VARCHAR) FROM ({numbered}) "
        f"WHERE {bad_when} ORDER BY _row LIMIT {_MAX_ROWS_PER_PROBLEM + 1}"
    )
    threads = con.sql("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute("SET threads = 1")
    try:
        rows = con.sql(sql).fetchall()
    finally:
        con.execute(f"SET threads = {int(threads)}")
    out = [
        BagProblem(src.path, int(r), column, f"got {v!r}; expected {expected}")
        for r, v in rows[:_MAX_ROWS_PER_PROBLEM]
    ]
    if len(rows) > _MAX_ROWS_PER_PROBLEM:
        out.append(
            BagProblem(
                src.path,
                None,
                column,
                f"more rows like these (showing the first {_MAX_ROWS_PER_PROBLEM})",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Derivation.


def _resolve_code_map(code_map: Mapping[str, str] | None) -> dict[str, str]:
    """Normalise old -> new codes and follow chains (A -> B -> C gives A -> C)."""
    norm: dict[str, str] = {}
    for old, new in (code_map or {}).items():
        o, n = _normalise_code(str(old)), _normalise_code(str(new))
        if o is None or n is None:
            raise ValueError(f"code_map entry {old!r} -> {new!r}: expected gemeente codes")
        if o != n:
            norm[o] = n
    resolved: dict[str, str] = {}
    for start in norm:
        seen = {start}
        code = norm[start]
        while code in norm:
            if code in seen:
                raise ValueError(f"code_map has a cycle through {code}")
            seen.add(code)
            code = norm[code]
        resolved[start] = code
    return resolved


def _derive_sql(vbo: _Source, pand: _Source | None, codes: Mapping[str, str]) -> str:
    """One statement: per dwelling its first events, then counts per raw code and year.

    `codes` maps every raw gemeente_code in the file to its current 'GM' code; it becomes
    a small VALUES table joined to the per-municipality counts at the very end. Identificaties
    are checked where they are used, on rows built anyway: every dwelling's vbo_id and the
    pand_id it takes, and the pand_id of every pand with "Bouw gestart"; a malformed one
    raises `_ID_ERROR` through DuckDB's error(), and the caller then lists the rows.
    """
    values = ", ".join(f"({_lit(raw)}, {_lit(code)})" for raw, code in codes.items())
    begin = vbo.date_expr("begin_geldigheid")
    current = f"{vbo.date_expr('eind_geldigheid')} IS NULL"
    status = _q("status")
    in_gebruik = f"({_lit(VBO_IN_GEBRUIK)}, {_lit(VBO_IN_GEBRUIK_NIET_INGEMETEN)})"
    # The latest voorkomen (the current one on a tie) gives the VBO's municipality and pand.
    # An integer key (days * 2 + current) is much cheaper for arg_max than a (date, bool) pair.
    latest = f"(date_diff('day', DATE '1970-01-01', {begin}) * 2 + CAST({current} AS INTEGER))"
    if pand is None:
        started_cte = ""
        started_join = ""
        started_year = "CAST(NULL AS INTEGER)"
    else:
        started_cte = (
            f", p AS (SELECT {pand.id_expr('pand_id')} AS pand_id, "
            f"min({pand.date_expr('begin_geldigheid')}) AS started_on "
            f"FROM {pand.reader()} WHERE {_q('status')} = {_lit(PAND_BOUW_GESTART)} "
            f"GROUP BY 1 HAVING CASE WHEN {_id_bad('pand_id', '10')} "
            f"THEN error({_lit(_ID_ERROR.format('pand'))}) ELSE true END)"
        )
        started_join = "LEFT JOIN p USING (pand_id)"
        started_year = "year(p.started_on)"
    started_sum = "CAST(NULL AS BIGINT)" if pand is None else "CAST(sum(started) AS BIGINT)"
    return f"""
WITH v AS (
    SELECT {vbo.id_expr("vbo_id")} AS vbo_id,
        min({begin}) FILTER (WHERE {status} = {_lit(VBO_GEVORMD)}) AS permitted_on,
        min({begin}) FILTER (WHERE {status} IN {in_gebruik}) AS completed_on,
        arg_max({vbo.text_expr("gemeente_code")}, {latest}) AS gemeente_raw,
        arg_max({vbo.id_expr("pand_id")}, {latest}) AS pand_id
    FROM {vbo.reader()}
    WHERE contains({_q("gebruiksdoel")}, {_lit(WOONFUNCTIE)})
    GROUP BY 1
){started_cte},
e AS (
    SELECT gemeente_raw, year(permitted_on) AS yp, {started_year} AS ys,
        year(completed_on) AS yc, count(*) AS n
    FROM v {started_join}
    WHERE CASE WHEN {_id_bad("vbo_id", "01")} OR {_id_bad("v.pand_id", "10")}
        THEN error({_lit(_ID_ERROR.format("VBO"))}) ELSE true END
    GROUP BY ALL
),
long AS (
    SELECT gemeente_raw, yp AS year, n AS permitted, 0 AS started, 0 AS completed
    FROM e WHERE yp IS NOT NULL
    UNION ALL SELECT gemeente_raw, ys, 0, n, 0 FROM e WHERE ys IS NOT NULL
    UNION ALL SELECT gemeente_raw, yc, 0, 0, n FROM e WHERE yc IS NOT NULL
)
SELECT c.gemeente_code, CAST(l.year AS INTEGER) AS year,
    CAST(sum(l.permitted) AS BIGINT) AS permitted,
    {started_sum} AS started,
    CAST(sum(l.completed) AS BIGINT) AS completed
FROM long l JOIN (VALUES {values}) c(gemeente_raw, gemeente_code) USING (gemeente_raw)
GROUP BY 1, 2
ORDER BY 1, 2
"""


def _runner(
    con: duckdb.DuckDBPyConnection, progress: ProgressCallback | None
) -> Callable[[str, str], pa.Table]:
    """Run a query to an Arrow table, reporting DuckDB's query progress under a phase name."""

    def run(phase: str, sql: str) -> pa.Table:
        if progress is None:
            return con.sql(sql).to_arrow_table()
        progress(phase, 0.0)
        done = threading.Event()

        def poll() -> None:
            while not done.wait(0.2):
                pct = con.query_progress()
                if pct >= 0:
                    progress(phase, min(pct, 100.0) / 100.0)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            return con.sql(sql).to_arrow_table()
        finally:
            done.set()
            poller.join()
            progress(phase, 1.0)

    return run


def derive_events(
    vbo_path: str | Path,
    pand_path: str | Path | None = None,
    *,
    code_map: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    threads: int | None = None,
    memory_limit: str = "1GB",
) -> pa.Table:
    """Dwellings permitted, started and completed per current municipality and year.

    Inputs: the canonical VBO file (`VBO_COLUMNS`) and optionally the pand file
    (`PAND_COLUMNS`), Parquet or CSV; `code_map` maps old gemeente codes to current ones
    (chains are followed). Output (`OUTPUT_COLUMNS`): gemeente_code, year, permitted,
    started, completed, one row per municipality and year with any event, sorted.

    Derives, for verblijfsobjecten with woonfunctie among their gebruiksdoelen, the year of
    each dwelling's first "Verblijfsobject gevormd" (permitted), its pand's first "Bouw
    gestart" (started; null without a pand file) and its first "Verblijfsobject in gebruik
    (niet ingemeten)" or "Verblijfsobject in gebruik" (completed). Each dwelling counts at
    most once per event. Only voorkomens with woonfunctie count; the municipality is the
    gemeente_code on the dwelling's latest such voorkomen, mapped through `code_map`.

    Every row is validated (one extra aggregate pass; identificaties during the derivation,
    where they are used); any problem raises `BagInputError` with file, row and column, and
    nothing is returned. A malformed `code_map` raises ValueError. DuckDB streams the
    files: memory stays near `memory_limit` whatever their size. Table metadata records the
    sources and whether the input was synthetic.
    """
    mapping = _resolve_code_map(code_map)
    with tempfile.TemporaryDirectory(prefix="opgave-bag-") as spill:
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": memory_limit,
            "temp_directory": spill,
        }
        if threads is not None:
            config["threads"] = threads
        con = duckdb.connect(":memory:", config=config)
        # Progress is only tracked with the progress bar on; we poll it, never print it.
        con.execute(f"SET enable_progress_bar = {progress is not None}")
        con.execute("SET enable_progress_bar_print = false")
        try:
            return _derive(
                con,
                Path(vbo_path),
                None if pand_path is None else Path(pand_path),
                mapping,
                progress,
            )
        finally:
            con.close()


def _derive(
    con: duckdb.DuckDBPyConnection,
    vbo_path: Path,
    pand_path: Path | None,
    mapping: dict[str, str],
    progress: ProgressCallback | None,
) -> pa.Table:
    run = _runner(con, progress)

    def rows(phase: str) -> Callable[[str], list[tuple[Any, ...]]]:
        return lambda sql: [tuple(r.values()) for r in run(phase, sql).to_pylist()]

    problems: list[BagProblem] = []
    vbo, found = _open(con, vbo_path, VBO_COLUMNS, "VBO")
    problems += found
    pand: _Source | None = None
    if pand_path is not None:
        pand, found = _open(con, pand_path, PAND_COLUMNS, "pand")
        problems += found
    raw_codes: list[str] = []
    if vbo is not None:
        found, raw_codes = _validate(con, vbo, VBO_COLUMNS, VBO_STATUSES, rows("validate vbo"))
        problems += found
    if pand is not None:
        found, _ = _validate(con, pand, PAND_COLUMNS, PAND_STATUSES, rows("validate pand"))
        problems += found
    if problems or vbo is None:
        # Already failing: check the identificaties now too, so one run reports everything.
        for src, columns in ((vbo, VBO_COLUMNS), (pand, PAND_COLUMNS)):
            if src is not None:
                problems += _id_problems(con, src, columns)
        raise BagInputError(problems)

    codes = {raw: _normalise_code(raw) or "" for raw in raw_codes}
    current = {raw: mapping.get(code, code) for raw, code in codes.items()}
    try:
        result = run("derive", _derive_sql(vbo, pand, current))
    except duckdb.Error as exc:
        for src, columns in ((vbo, VBO_COLUMNS), (pand, PAND_COLUMNS)):
            if src is not None and _ID_ERROR.format(src.label) in str(exc):
                raise BagInputError(_id_problems(con, src, columns)) from None
        # e.g. a file changed or became unreadable meanwhile
        raise BagInputError(
            [BagProblem(vbo.path, None, None, f"derivation failed: {exc}")]
        ) from exc
    return result.replace_schema_metadata(_provenance(vbo, pand))


def _provenance(vbo: _Source, pand: _Source | None) -> dict[str, str]:
    """Sources of the result, whether started is available, and the synthetic label."""
    synthetic = any(
        src is not None
        and src.kind == "parquet"
        and (pq.read_schema(src.path).metadata or {}).get(b"synthetic") == b"true"
        for src in (vbo, pand)
    )
    return {
        "source": "BAG",
        "vbo_file": vbo.path,
        "pand_file": "" if pand is None else pand.path,
        "started": "derived from pand file" if pand is not None else "absent: no pand file",
        "synthetic": "true" if synthetic else "false",
    }
