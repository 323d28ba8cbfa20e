"""The import report of one file: every row's problems and how each value was mapped.

Inputs: what a reader found (:class:`ImportReport`, filled by :mod:`opgave.ingest.register`).
Outputs: a short summary (for the CLI), a CSV with one line per row and mapped field
(row, plan_id, field, source column, source value, mapped value, note), and an HTML page
with the detection notes, the problems, the notes per row (a plan assigned by overlap, a
former municipality, an unknown status counted as 4B ...) and per field the distinct
source values with what each became.
Derives: nothing; it only presents. Written by the caller (the CLI's ``--report FILE``).
"""

from __future__ import annotations

import csv
import html
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opgave.problem import Problem

MAX_DISTINCT_SHOWN = 200
"""The HTML shows at most this many distinct source values per field (the CSV has all)."""


@dataclass
class FieldMapping:
    """How one canonical field was read: its source column, and per row the source value
    and the value it became (None where the row had a problem)."""

    field: str
    column: str
    source: list[Any]
    mapped: list[Any]


@dataclass
class ImportReport:
    """What reading one file did, row by row."""

    file: str
    profile: str
    kind: str = ""
    detected: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    plan_ids: list[str | None] = field(default_factory=list)
    fields: list[FieldMapping] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    plans: int = 0
    synthetic: bool = False
    """The file says it is synthetic (:data:`opgave.ingest.register.SYNTHETIC_COLUMNS`): its
    plans are stored under a synthetic source."""

    @property
    def ok(self) -> bool:
        """True when the file has no problems (it can be written)."""
        return not self.problems

    def summary(self) -> str:
        """One paragraph for the terminal."""
        lines = [
            f"{self.file} ({self.kind}, profile {self.profile}): "
            f"{len(self.row_numbers)} rows read, "
            f"{self.plans} plans, {len(self.problems)} problem(s), {len(self.notes)} note(s)."
        ]
        if self.detected:
            lines.append("  read as: " + "; ".join(self.detected))
        counts = Counter(n.message.split(";")[0].split(":")[0] for n in self.notes)
        for text, count in counts.most_common(6):
            lines.append(f"  {count} x {text}")
        return "\n".join(lines)

    def lines(self) -> Iterator[list[str]]:
        """The CSV lines (after the header): per row, each mapped field, then its notes and
        problems."""
        notes: dict[int | None, list[Problem]] = {}
        for item in [*self.problems, *self.notes]:
            notes.setdefault(item.row, []).append(item)
        problem_set = {id(p) for p in self.problems}
        for leftover in notes.pop(None, []) + notes.pop(1, []) * (1 not in self.row_numbers):
            yield [
                "",
                "",
                "problem" if id(leftover) in problem_set else "note",
                leftover.field or "",
                "",
                "",
                leftover.message,
            ]
        for i, row in enumerate(self.row_numbers):
            plan_id = self.plan_ids[i] if i < len(self.plan_ids) else None
            for mapping in self.fields:
                source, mapped = mapping.source[i], mapping.mapped[i]
                yield [
                    str(row),
                    plan_id or "",
                    mapping.field,
                    mapping.column,
                    _text(source),
                    _text(mapped),
                    "",
                ]
            for item in notes.get(row, []):
                kind = "problem" if id(item) in problem_set else "note"
                yield [str(row), plan_id or "", kind, item.field or "", "", "", item.message]

    def write_csv(self, path: Path) -> None:
        """Write the report as CSV (UTF-8 with BOM, so that Excel shows the accents)."""
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(
                ["row", "plan_id", "field", "column", "source_value", "mapped_value", "message"]
            )
            writer.writerows(_safe(line) for line in self.lines())

    def write_html(self, path: Path) -> None:
        """Write the report as one self-contained HTML page."""
        path.write_text(self.html(), encoding="utf-8")

    def write(self, path: Path) -> None:
        """Write as HTML or CSV, by the path's suffix (.html/.htm, else CSV)."""
        if path.suffix.lower() in (".html", ".htm"):
            self.write_html(path)
        else:
            self.write_csv(path)

    def html(self) -> str:
        """The report as an HTML page."""
        e = html.escape
        status = "refused, nothing written" if self.problems else "accepted"
        parts = [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>Import report {e(self.file)}</title>",
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
            ".problem{color:#a00}</style></head><body>",
            f"<h1>Import report: {e(self.file)}</h1>",
            f"<p>Profile <b>{e(self.profile)}</b>; {len(self.row_numbers)} rows read, "
            f"{self.plans} plans; <b>{e(status)}</b>.</p>",
        ]
        if self.detected:
            parts.append("<p>Read as: " + e("; ".join(self.detected)) + "</p>")
        for title, items, css in (
            (f"Problems ({len(self.problems)})", self.problems, "problem"),
            (f"Notes ({len(self.notes)})", self.notes, ""),
        ):
            parts.append(f"<h2>{e(title)}</h2>")
            if not items:
                parts.append("<p>None.</p>")
                continue
            parts.append("<table><tr><th>row</th><th>column</th><th>message</th></tr>")
            for item in items:
                parts.append(
                    f"<tr class='{css}'><td>{'' if item.row is None else item.row}</td>"
                    f"<td>{e(item.field or '')}</td><td>{e(item.message)}</td></tr>"
                )
            parts.append("</table>")
        parts.append("<h2>How values were mapped</h2>")
        for mapping in self.fields:
            counts = Counter(
                (_text(s), _text(m)) for s, m in zip(mapping.source, mapping.mapped, strict=True)
            )
            parts.append(
                f"<h3>{e(mapping.field)} &larr; {e(mapping.column)} ({len(counts)} distinct)</h3>"
                "<table><tr><th>source value</th><th>mapped to</th><th>rows</th></tr>"
            )
            for (source, mapped), count in counts.most_common(MAX_DISTINCT_SHOWN):
                parts.append(f"<tr><td>{e(source)}</td><td>{e(mapped)}</td><td>{count}</td></tr>")
            parts.append("</table>")
            if len(counts) > MAX_DISTINCT_SHOWN:
                parts.append(
                    f"<p>... {len(counts) - MAX_DISTINCT_SHOWN} more; see the CSV report.</p>"
                )
        parts.append("</body></html>")
        return "\n".join(parts)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ";".join(_text(v) for v in value)
    return str(value)


def _safe(line: list[str]) -> list[str]:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe: the report
    quotes what the user's file held, so it must not execute it."""
    return ["'" + c if c[:1] in ("=", "+", "-", "@") and not _numeric(c) else c for c in line]


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True
