"""Funding applications: one row of a CSV/XLSX file each, read and checked, and as the
rows the database keeps.

Inputs: an applications file (columns in docs/funding.md) and the known municipality codes.
Outputs: :class:`Application` records, every problem named by file, row and field; the rows
of the ``application`` table and back.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opgave.funding.scheme import FundingInputError, InputProblem, normalise_gemeente_code

# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """One funding application (one row of the applications file)."""

    application_id: str
    gemeente_code: str
    homes: int
    affordable_homes: int
    requested_eur: float
    public_deficit_eur: float
    cofinancing_eur: float
    start_year: int
    plan_id: str | None = None
    project_name: str | None = None
    scores: tuple[tuple[str, float], ...] = ()
    synthetic: bool = False

    @property
    def score_map(self) -> dict[str, float]:
        """Criterion scores by criterion name (columns score_<criterion>)."""
        return dict(self.scores)


REQUIRED_COLUMNS = (
    "application_id",
    "gemeente_code",
    "homes",
    "affordable_homes",
    "requested_eur",
    "public_deficit_eur",
    "cofinancing_eur",
    "start_year",
)
OPTIONAL_COLUMNS = ("plan_id", "project_name", "synthetic")
SCORE_PREFIX = "score_"

_TRUE = {"true", "yes", "ja", "1", "y", "waar"}
_FALSE = {"false", "no", "nee", "0", "n", "onwaar", ""}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            return None
        return out
    return None


def parse_applications(
    rows: Iterable[Mapping[str, object]],
    source: str = "<applications>",
    known_gemeenten: Collection[str] | None = None,
    first_row: int = 2,
) -> list[Application]:
    """Validate rows (column name -> cell) into applications, collecting every problem.

    Inputs: rows as read from CSV/XLSX (the header is row 1, so data starts at `first_row`);
    optionally the set of valid gemeente codes. Output: applications in file order.
    Raises FundingInputError listing every problem (file, row, column, expected, found).
    """
    rows = list(rows)
    problems: list[InputProblem] = []
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    if not rows:
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for col in missing:
        problems.append(InputProblem(source, 1, col, "this required column", "no such column"))
    unknown = [
        c
        for c in columns
        if c not in REQUIRED_COLUMNS
        and c not in OPTIONAL_COLUMNS
        and not c.startswith(SCORE_PREFIX)
    ]
    for col in unknown:
        problems.append(
            InputProblem(
                source,
                1,
                col,
                "a known column (" + ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS) + ", score_*)",
                "an unknown column",
            )
        )
    if problems:
        raise FundingInputError(problems)
    known = (
        None if known_gemeenten is None else {normalise_gemeente_code(c) for c in known_gemeenten}
    )
    score_cols = [c for c in columns if c.startswith(SCORE_PREFIX)]
    apps: list[Application] = []
    ids: dict[str, int] = {}
    for offset, row in enumerate(rows):
        rn = first_row + offset
        if all(_blank(v) for v in row.values()):
            continue
        bad = len(problems)

        def prob(col: str, expected: str, value: object, rn: int = rn) -> None:
            problems.append(InputProblem(source, rn, col, expected, repr(value)))

        app_id_raw = row.get("application_id")
        app_id = "" if _blank(app_id_raw) else str(app_id_raw).strip()
        if isinstance(app_id_raw, float) and app_id_raw.is_integer():
            app_id = str(int(app_id_raw))
        if not app_id:
            prob("application_id", "a non-empty identifier", app_id_raw)
        elif app_id in ids:
            prob("application_id", f"a unique identifier (also on row {ids[app_id]})", app_id)
        else:
            ids[app_id] = rn
        gm_raw = row.get("gemeente_code")
        gm = normalise_gemeente_code(gm_raw)
        if gm is None:
            prob("gemeente_code", "a gemeente code such as GM0363, 0363 or 363", gm_raw)
        elif known is not None and gm not in known:
            prob("gemeente_code", "a gemeente code of the current division", gm_raw)
        ints: dict[str, int] = {}
        for col, lo in (("homes", 0), ("affordable_homes", 0), ("start_year", 1900)):
            v = _number(row.get(col))
            if v is None or not math.isfinite(v) or not v.is_integer():
                prob(col, "a whole number", row.get(col))
            elif v < lo or (col == "start_year" and v > 2200):
                prob(
                    col,
                    "a year between 1900 and 2200" if col == "start_year" else "a number >= 0",
                    row.get(col),
                )
            else:
                ints[col] = int(v)
        if (
            "homes" in ints
            and "affordable_homes" in ints
            and ints["affordable_homes"] > ints["homes"]
        ):
            prob(
                "affordable_homes", f"at most homes ({ints['homes']})", row.get("affordable_homes")
            )
        eurs: dict[str, float] = {}
        for col in ("requested_eur", "public_deficit_eur", "cofinancing_eur"):
            v = _number(row.get(col))
            if v is None or not math.isfinite(v):
                prob(
                    col,
                    "an amount in euros such as 1250000 (no thousands separators)",
                    row.get(col),
                )
            elif v < 0 or (col == "requested_eur" and v == 0):
                prob(
                    col,
                    "an amount > 0" if col == "requested_eur" else "an amount >= 0",
                    row.get(col),
                )
            else:
                eurs[col] = v
        scores: list[tuple[str, float]] = []
        for col in score_cols:
            raw = row.get(col)
            if _blank(raw):
                continue
            v = _number(raw)
            if v is None or not math.isfinite(v) or v < 0:
                prob(col, "a score >= 0", raw)
            else:
                scores.append((col.removeprefix(SCORE_PREFIX), v))
        synth_raw = row.get("synthetic")
        synthetic = False
        if isinstance(synth_raw, bool):
            synthetic = synth_raw
        elif not _blank(synth_raw):
            text = str(synth_raw).strip().lower()
            if text in _TRUE:
                synthetic = True
            elif text not in _FALSE:
                prob("synthetic", "true or false", synth_raw)
        if len(problems) > bad or gm is None:
            continue
        plan = row.get("plan_id")
        name = row.get("project_name")
        apps.append(
            Application(
                application_id=app_id,
                gemeente_code=gm,
                homes=ints["homes"],
                affordable_homes=ints["affordable_homes"],
                requested_eur=eurs["requested_eur"],
                public_deficit_eur=eurs["public_deficit_eur"],
                cofinancing_eur=eurs["cofinancing_eur"],
                start_year=ints["start_year"],
                plan_id=None if _blank(plan) else str(plan).strip(),
                project_name=None if _blank(name) else str(name).strip(),
                scores=tuple(scores),
                synthetic=synthetic,
            )
        )
    if problems:
        raise FundingInputError(problems)
    return apps


def read_applications(
    path: str | Path, known_gemeenten: Collection[str] | None = None
) -> list[Application]:
    """Read applications from a CSV (comma or semicolon separated, UTF-8) or XLSX file.

    XLSX needs the optional package openpyxl. Every problem is collected and raised together
    as a FundingInputError; see `parse_applications` for the rules.
    """
    path = Path(path)
    if not path.is_file():
        raise FundingInputError([InputProblem(str(path), None, None, "an existing file")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return parse_applications(_xlsx_rows(path), str(path), known_gemeenten)
    if suffix not in (".csv", ".txt"):
        raise FundingInputError(
            [InputProblem(str(path), None, None, "a .csv or .xlsx file", repr(path.suffix))]
        )
    with path.open(newline="", encoding="utf-8-sig") as fh:
        text = fh.read()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    dup = [h for h, n in Counter(header).items() if n > 1]
    if dup:
        raise FundingInputError(
            [InputProblem(str(path), 1, h, "each column once", "a repeated column") for h in dup]
        )
    rows: list[dict[str, object]] = []
    problems: list[InputProblem] = []
    for i, raw in enumerate(reader):
        if None in raw:  # more cells than header columns
            problems.append(
                InputProblem(str(path), i + 2, None, f"at most {len(header)} cells", "more")
            )
        rows.append({k.strip(): v for k, v in raw.items() if k is not None})
    if problems:
        raise FundingInputError(problems)
    return parse_applications(rows, str(path), known_gemeenten)


def _xlsx_rows(path: Path) -> list[dict[str, object]]:
    try:
        import openpyxl  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise FundingInputError(
            [
                InputProblem(
                    str(path),
                    None,
                    None,
                    "a CSV file: reading .xlsx needs the optional package openpyxl "
                    "(pip install openpyxl), or save the sheet as CSV",
                )
            ]
        ) from None
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header_row = next(it, None)
    if header_row is None:
        return []
    header = [str(h).strip() if h is not None else "" for h in header_row]
    rows = [{h: v for h, v in zip(header, values, strict=False) if h} for values in it]
    wb.close()
    return rows


SCORE_COLUMNS = ("noodzaak", "effectiviteit", "efficientie", "urgentie")
"""The Woningbouwimpuls criteria stored per application (score_<criterion>)."""


def to_row(application: Application, codes: Mapping[str, str], source_id: str) -> dict[str, Any]:
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


def from_rows(rows: Sequence[Mapping[str, Any]], synthetic_sources: set[str]) -> list[Application]:
    """Stored applications as ``Application`` (synthetic when their source is)."""
    return [
        Application(
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
