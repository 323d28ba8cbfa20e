"""The PDF press: WeasyPrint in a helper process that the command line starts first."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from opgave.report import press, rendering

HTML = "<html><body><h1>Voortgang</h1><p>900.000 woningen</p></body></html>"


def _needs_weasyprint() -> None:
    problem = rendering.weasyprint_problem()
    if problem:
        pytest.skip(problem)


def test_the_press_makes_the_same_pdf_as_in_process() -> None:
    _needs_weasyprint()
    pypdf = pytest.importorskip("pypdf")
    with press.started() as helper:
        assert helper is not None
        made = helper.pdf(HTML)
    text = pypdf.PdfReader(io.BytesIO(made)).pages[0].extract_text()
    assert "Voortgang" in text and "900.000" in text
    again = pypdf.PdfReader(io.BytesIO(rendering.html_to_pdf(HTML))).pages[0].extract_text()
    assert text == again


def test_a_press_without_weasyprint_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        press, "PROGRAM", "import sys; sys.stderr.write('WeasyPrint cannot load (no pango)'); "
        f"sys.exit({press.CANNOT_LOAD})"
    )  # fmt: skip
    with press.started() as helper:
        assert helper is not None
        with pytest.raises(press.PressError, match=r"no pango.*libpango-1\.0-0"):
            helper.pdf(HTML)


def test_a_failing_press_names_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(press, "PROGRAM", "raise ValueError('bad html')")
    with press.started() as helper:
        assert helper is not None
        with pytest.raises(press.PressError, match="bad html"):
            helper.pdf(HTML)


def test_an_unused_press_is_stopped() -> None:
    with press.started() as helper:
        assert helper is not None
        process = helper._process
    assert process.returncode is not None
    with press.started(wanted=False) as nothing:
        assert nothing is None


def test_the_command_line_leaves_weasyprint_to_the_press(loaded_url: str, tmp_path: Path) -> None:
    """`opgave report --format pdf` writes the PDF without importing WeasyPrint itself."""
    _needs_weasyprint()
    if not loaded_url.startswith("sqlite"):
        pytest.skip("the processes do not depend on the backend")
    out = tmp_path / "r.pdf"
    args = ["--db", loaded_url, "report", "--format", "pdf", "--out", str(out)]
    code = (
        "import sys, json\nfrom opgave.cli import app\n"
        f"try:\n    app(prog_name='opgave', args={args!r})\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(json.dumps('weasyprint' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) is False
    assert out.read_bytes().startswith(b"%PDF")
