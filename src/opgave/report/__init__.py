"""The progress report to parliament: reads like the founding letter, region by region.

``build`` assembles the report after a meeting from the programme state (plain data; the
service layer gathers its inputs), ``render`` writes it as HTML, PDF or Markdown in Dutch or
English.
"""

from __future__ import annotations

from opgave.i18n import LANGUAGES
from opgave.report.builder import Report, ReportInputs, build
from opgave.report.rendering import (
    FORMATS,
    ReportFormatError,
    render,
    weasyprint_problem,
)

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "Report",
    "ReportFormatError",
    "ReportInputs",
    "build",
    "render",
    "weasyprint_problem",
]
