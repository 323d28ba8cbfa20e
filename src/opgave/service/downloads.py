"""Downloads: the rows of a listing as a CSV or XLSX file that carries its sources and, where
the rows rest on synthetic data, the SYNTHETIC label inside the file.

Inputs: the rows a listing answers (already shaped as its JSON answer: field names as keys,
JSON values), their columns in order, the programme state's sources. Output: a
:class:`Download` (bytes, media type, file name). Derives: the sources the rows cite (their
``source_id`` fields), whether they rest on synthetic data (a row's ``synthetic`` flag or a
cited source of confidence ``synthetic``), and the file layout (docs/api.md, "Downloads"):

- CSV (UTF-8 with a byte-order mark, comma separated, every text quoted): first the lines that
  describe the file, each a two-field row whose first field starts with ``#`` - ``# opgave``
  (what and when), ``# SYNTHETIC`` (only where synthetic data is in it), ``# source`` (one per
  source) - then the header and the rows. A spreadsheet shows the description in the first
  two columns above the table; ``pandas.read_csv(url, comment="#")``, DuckDB
  ``read_csv(url, comment='#', header=true)`` and R ``read.csv(url, comment.char="#")`` skip it.
- XLSX: the first sheet holds the rows under a label cell (A1: what, when, and SYNTHETIC where
  it applies) - the header is row 2 (``pandas.read_excel(url, header=1)``); the second sheet,
  ``source``, describes the file and lists every source with its citation and confidence.

The API's listings answer with these files for ``?format=csv`` and ``?format=xlsx``
(:func:`check_format` refuses any other value with a 400); the dashboard links to them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opgave import __version__
from opgave.i18n import label
from opgave.service import Service
from opgave.service.errors import ServiceError

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 1_000_000
"""The most rows one download holds (a listing's own paging applies when ``limit`` is given)."""
SOURCE_FIELDS = ("source_id", "members_source_id", "sources")
"""Fields of a row that name a source (``sources``: a list of ids)."""
SOURCE_COLUMNS = (
    "id", "kind", "title", "citation", "publisher", "published", "url", "confidence",
    "retrieved", "note",
)  # fmt: skip
SYNTHETIC_TEXT = (
    "{word}: these rows rest on synthetic demo data ({sources}) - made up to try opgave, "
    "not real figures."
)


@dataclass(frozen=True)
class Download:
    """A listing as a file: its bytes, media type and a file name to save it under."""

    content: bytes
    media_type: str
    filename: str
    rows: int
    synthetic: bool


@dataclass(frozen=True)
class About:
    """What a file says about itself: the listing, the request, when, the sources, and the
    synthetic sources among them."""

    name: str
    request: str
    generated: dt.datetime
    rows: int
    sources: tuple[Mapping[str, Any], ...]
    synthetic_sources: tuple[str, ...]
    synthetic: bool

    def title(self) -> str:
        """One line: what the file is."""
        stamp = self.generated.strftime("%Y-%m-%d %H:%M UTC")
        what = f"{self.name}: {self.rows:,} rows of GET {self.request}"
        return f"{what}, {stamp} (opgave {__version__})"

    def synthetic_line(self) -> str:
        """The SYNTHETIC label with the synthetic sources."""
        word = " / ".join(label("confidence", "synthetic", language) for language in ("en", "nl"))
        return SYNTHETIC_TEXT.format(
            word=word,
            sources=", ".join(self.synthetic_sources) or "the rows whose synthetic field is true",
        )

    def source_line(self, source: Mapping[str, Any]) -> str:
        """A source in one line: id, citation, confidence, address."""
        text = f"{source['id']}: {source['citation'] or source['title']} ({source['confidence']})"
        return text + (f", {source['url']}" if source.get("url") else "")


def check_format(fmt: str | None) -> str | None:
    """``fmt`` when it is a download format (None: JSON); a 400 in words otherwise."""
    if fmt is None or fmt in FORMATS:
        return fmt
    raise ServiceError.refused(
        400,
        "bad_download_format",
        value=fmt[:40],
        problems=[{"field": "format", "message": "expected csv or xlsx"}],
    )


def whole(limit: int, given: bool) -> int:
    """The page size of a download: the listing's ``limit`` when the request gave one, else
    every row (up to :data:`MAX_ROWS`)."""
    return limit if given else MAX_ROWS


def cited(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The source ids the rows name, in order of first appearance."""
    ids: dict[str, None] = {}
    for row in rows:
        for name in SOURCE_FIELDS:
            value = row.get(name)
            for one in value if isinstance(value, list | tuple) else [value]:
                if one:
                    ids[str(one)] = None
    return list(ids)


def listing_file(
    svc: Service,
    name: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    request: str,
    now: dt.datetime | None = None,
    synthetic: bool = False,
) -> Download:
    """The rows of listing ``name`` (columns in order) as a CSV or XLSX file with the
    sources they cite and, where they rest on synthetic data (a row's ``synthetic`` field, a
    cited synthetic source, or ``synthetic`` for the whole answer), the SYNTHETIC label."""
    check_format(fmt)
    state = svc.state()
    ids = cited(rows)
    sources = tuple(state.source_by_id[i] for i in ids if i in state.source_by_id)
    synthetic_sources = tuple(s["id"] for s in sources if s["confidence"] == "synthetic")
    if synthetic and not synthetic_sources:
        synthetic_sources = state.synthetic_sources
        sources += tuple(state.source_by_id[i] for i in synthetic_sources)
    flagged = synthetic or any(row.get("synthetic") is True for row in rows)
    about = About(
        name=name,
        request=request,
        generated=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        rows=len(rows),
        sources=sources,
        synthetic_sources=synthetic_sources,
        synthetic=flagged or bool(synthetic_sources),
    )
    content = write_csv(about, columns, rows) if fmt == "csv" else write_xlsx(about, columns, rows)
    stem = f"opgave-{name}-{about.generated:%Y-%m-%d}" + ("-SYNTHETIC" if about.synthetic else "")
    return Download(content, MEDIA_TYPES[fmt], f"{stem}.{fmt}", len(rows), about.synthetic)


def figures_row(
    area_id: str,
    area_name: str,
    target: Mapping[str, Any] | None,
    coverage: Any,
    progress: Any,
    capacity: Any,
) -> dict[str, Any]:
    """One row of headline figures (an area's, or a target's): the target, the coverage,
    realised and the pace needed (a ``monitor.Progress``), the plan capacity against the norm
    (a ``monitor.Capacity``) - as the service computed them, flattened for a table."""
    t = target or {}
    p, c = progress, capacity
    return {
        "area_id": area_id,
        "area_name": area_name,
        "target_id": t.get("id"),
        "target_kind": t.get("kind"),
        "measure": t.get("measure"),
        "first_year": t.get("first_year"),
        "last_year": t.get("last_year"),
        "value_min": t.get("value_min"),
        "value_max": t.get("value_max"),
        "approximate": t.get("approximate"),
        "coverage": coverage.text if coverage is not None else None,
        "lower_bound": coverage.lower_bound if coverage is not None else None,
        "definition": p.definition if p else None,
        "realised": p.realised if p and p.realised_years else None,
        "realised_years": list(p.realised_years) if p else [],
        "provisional_years": list(p.provisional_years) if p else [],
        "gap_years": list(p.gap_years) if p else [],
        "remaining_min": p.remaining_min if p else None,
        "required_pace_min": p.required_pace_min if p else None,
        "recent_pace": p.recent_pace if p else None,
        "status": p.status if p else None,
        "capacity_first_year": c.first_year if c else None,
        "capacity_last_year": c.last_year if c else None,
        "planned_homes": c.planned_all if c else None,
        "planned_hard_homes": c.planned_hard if c else None,
        "plans": c.plans if c else None,
        "capacity_ratio": c.ratio_all if c else None,
        "capacity_ratio_hard": c.ratio_hard if c else None,
        "norm": c.norm if c else None,
        "meets_norm": c.meets_norm if c else None,
        "synthetic": bool((p and p.synthetic) or (c and c.synthetic)),
        "sources": sorted({*(p.sources if p else ()), *(c.sources if c else ())}),
    }


def overview_rows(overview: Any) -> list[dict[str, Any]]:
    """The overview's table: the nation's headline, then each strategy region's (letter
    order), from a ``monitor.Overview``."""
    rows = []
    for h in [overview.headline, *(r.headline for r in overview.regions)]:
        row = figures_row(h.area_id, h.area_name, h.target, h.coverage, h.progress, h.capacity)
        row["plans_in_area"] = h.plans
        row["planned_homes_in_area"] = h.planned_homes
        row["synthetic"] = h.synthetic
        rows.append(row)
    return rows


def status_rows(status: Any) -> list[dict[str, Any]]:
    """An area status's table: one row per target of the area and of the areas inside it
    (a ``service.monitoring.AreaStatus``)."""
    return [
        figures_row(r.target["area_id"], r.area_name, r.target, r.coverage, r.progress, r.capacity)
        for r in status.targets
    ]


def cell(value: Any) -> Any:
    """A JSON value as a cell: numbers and text stay, booleans become true/false, lists of
    plain values are joined with '; ', anything else is compact JSON text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def description(about: About) -> list[tuple[str, str]]:
    """The lines a file describes itself with: (key, text)."""
    lines = [("opgave", about.title())]
    if about.synthetic:
        lines.append(("SYNTHETIC", about.synthetic_line()))
    lines += [("source", about.source_line(s)) for s in about.sources]
    if not about.sources:
        lines.append(("source", "the opgave database these rows were read from"))
    return lines


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text that starts with one of these is taken for a formula by spreadsheets."""


def inert(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text, never runs: a text that would start a formula
    (a plan named '=HYPERLINK(...)') gets a leading apostrophe (OWASP's advice for CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(about: About, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The CSV layout of the module docstring."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    for key, text in description(about):
        out.write(f"# {key},")
        writer.writerow([inert(text.replace("\n", " "))])
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if (v := cell(row.get(c))) is None else inert(v) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(about: About, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The XLSX layout of the module docstring (openpyxl, write-only: fast for large lists)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    book = Workbook(write_only=True)
    data = book.create_sheet(about.name[:31])
    data.freeze_panes = "A3"
    head = WriteOnlyCell(data, value=about.title())
    if about.synthetic:
        head = WriteOnlyCell(data, value=f"{about.synthetic_line()} {about.title()}")
        head.font = Font(bold=True, color="9C0006")
        head.fill = PatternFill("solid", fgColor="FFC7CE")
    else:
        head.font = Font(bold=True)
    data.append([head])
    bold = Font(bold=True)
    header = []
    for column in columns:
        c = WriteOnlyCell(data, value=column)
        c.font = bold
        header.append(c)
    data.append(header)
    for row in rows:
        data.append([_text(data, cell(row.get(c))) for c in columns])
    data.auto_filter.ref = f"A2:{_column_letter(len(columns))}{len(rows) + 2}"

    meta = book.create_sheet("source")
    for key, text in description(about):
        first = WriteOnlyCell(meta, value=key)
        first.font = bold
        meta.append([first, text])
    meta.append([])
    header = []
    for column in SOURCE_COLUMNS:
        c = WriteOnlyCell(meta, value=column)
        c.font = bold
        header.append(c)
    meta.append(header)
    for source in about.sources:
        meta.append([_text(meta, cell(source.get(c))) for c in SOURCE_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(sheet: Any, value: Any) -> Any:
    """An XLSX cell: a text is stored as text, so that '=...' is never taken for a formula."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and value.startswith("="):
        typed = WriteOnlyCell(sheet, value=value)
        typed.data_type = "s"
        return typed
    return value


def _column_letter(n: int) -> str:
    """The spreadsheet letter of the n-th column (1: A, 27: AA)."""
    letters = ""
    n = max(n, 1)
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


__all__ = ["FORMATS", "MAX_ROWS", "Download", "check_format", "listing_file", "whole"]
