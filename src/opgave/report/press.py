"""WeasyPrint in a helper process, started before the report is built.

A PDF from the command line pays for importing WeasyPrint (about a second) and for reading
the database and building the report, one after the other. Started first, the helper imports
WeasyPrint on the second core while the command reads and builds; it then takes the HTML on
stdin and answers the PDF on stdout, fetching nothing (only ``data:`` URLs, as
:func:`opgave.report.rendering.html_to_pdf`). A server keeps WeasyPrint imported and renders
in-process instead.

Inputs: the report's HTML. Outputs: the PDF's bytes, or a :class:`PressError` saying why not.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

CANNOT_LOAD = 3
"""The helper's exit code when WeasyPrint cannot be imported."""
WARM_UP = (
    '<html><body style="font-family: DejaVu Sans, sans-serif"><h1>Voortgang</h1>'
    "<p>900.000 <b>woningen</b> <i>gerealiseerd</i></p><table><tr><td>1</td></tr></table>"
    "</body></html>"
)
"""A page in the report's fonts, rendered by the helper before the report's HTML arrives."""
PROGRAM = f"""
import sys
WARM_UP = {WARM_UP!r}
try:
    import weasyprint
    import weasyprint.urls
except (ImportError, OSError) as error:
    sys.stderr.write(f"WeasyPrint cannot load ({{error}})")
    sys.exit({CANNOT_LOAD})
fetcher = weasyprint.urls.URLFetcher(allowed_protocols={{"data"}})
# while the command still builds the report: load the fonts and text shaping once
weasyprint.HTML(string=WARM_UP, url_fetcher=fetcher).write_pdf()
html = sys.stdin.buffer.read().decode("utf-8")
sys.stdout.buffer.write(weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf())
"""
INSTALL_HINT = (
    "install it with pip and the Debian packages libpango-1.0-0 libpangoft2-1.0-0 "
    "libharfbuzz0b fonts-dejavu-core"
)


class PressError(RuntimeError):
    """The helper could not make the PDF (WeasyPrint missing, or it failed on the HTML)."""


class Press:
    """One helper process that turns one HTML document into a PDF."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", PROGRAM],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def pdf(self, html: str) -> bytes:
        """The PDF of ``html`` (waits for the helper's import if it is still running)."""
        out, err = self._process.communicate(html.encode("utf-8"))
        if self._process.returncode == CANNOT_LOAD:
            raise PressError(f"{err.decode(errors='replace').strip()}; {INSTALL_HINT}")
        if self._process.returncode != 0:
            last = (err.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            raise PressError(
                f"WeasyPrint failed on the report (exit {self._process.returncode}): {last}"
            )
        return out

    def close(self) -> None:
        """Stop the helper if it was not used (the command failed before the PDF)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


@contextmanager
def started(wanted: bool = True) -> Iterator[Press | None]:
    """A press for the block (None when not ``wanted`` or no process can be started: the PDF
    is then made in-process); stopped when the block ends."""
    press = None
    if wanted:
        try:
            press = Press()
        except OSError:
            press = None
    try:
        yield press
    finally:
        if press is not None:
            press.close()
