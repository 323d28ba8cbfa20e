"""How the report's PDF is written: tagged PDF/UA-1 (structure tree, marked content, the
document's language and title), so screen readers and reflow tools can read it.

WeasyPrint (>= 63) writes the structure tree from the HTML's elements with
``pdf_variant="pdf/ua-1"`` (which implies ``pdf_tags=True`` and PDF 1.7); the language comes
from ``<html lang>``, the title from ``<title>``, a chart's text alternative from its ``alt``.
"""

from __future__ import annotations

from typing import Any

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}
"""Keyword arguments for ``weasyprint.HTML.write_pdf``."""
