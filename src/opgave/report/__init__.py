"""The progress report to parliament: reads like the founding letter, region by region.

``build`` assembles the report after a meeting from the programme state (plain data; the
service layer gathers its inputs), ``render`` writes it as HTML, PDF or Markdown in Dutch or
English. The names load on first use (PEP 562), so that ``opgave.report.press`` - the PDF
helper the command line starts first - imports without the templates and the builder.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opgave.i18n import LANGUAGES

if TYPE_CHECKING:
    from opgave.report.builder import Report, ReportInputs, build
    from opgave.report.rendering import (
        FORMATS,
        ReportFormatError,
        render,
        weasyprint_problem,
    )

_WHERE = {
    "Report": "builder",
    "ReportInputs": "builder",
    "build": "builder",
    "FORMATS": "rendering",
    "ReportFormatError": "rendering",
    "render": "rendering",
    "weasyprint_problem": "rendering",
}

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'opgave.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"opgave.report.{_WHERE[name]}"), name)
