"""The progress report to parliament: reads like the founding letter, region by region.

``load_inputs`` reads the programme from the database, ``build`` assembles the report after a
meeting (plain data), ``render`` writes it as HTML, PDF or Markdown in Dutch or English.
"""

from __future__ import annotations

from opgave.report.builder import Report, ReportInputs, build, load_inputs
from opgave.report.rendering import (
    FORMATS,
    LANGUAGES,
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
    "load_inputs",
    "render",
    "weasyprint_problem",
]
