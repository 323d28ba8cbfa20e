"""The report as a ministry sends it, checked on the laid-out pages: the first block, the
one-page kernboodschap, the table of contents with page numbers, page numbers in the footer,
tables that keep their headers and rows and never wrap a cell past two lines, a tagged PDF.

Laid out with WeasyPrint on the default programme with the synthetic demo (so every table is
full); the module skips where WeasyPrint cannot load.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from opgave import i18n, report
from opgave.report import rendering
from opgave.report.builder import ForecastRun
from opgave.service import Service, monitoring, pipeline, programme, reporting, users

if report.weasyprint_problem():
    pytest.skip(str(report.weasyprint_problem()), allow_module_level=True)

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's structure")
weasyprint = pytest.importorskip("weasyprint")
boxes = pytest.importorskip("weasyprint.formatting_structure.boxes")

TODAY = dt.date(2026, 3, 12)


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The default programme with the synthetic demo pipeline and realised figures."""
    service = Service(f"sqlite:///{tmp_path_factory.mktemp('report_pdf') / 'r.db'}")
    programme.init(service)
    pipeline.load_demo(service, users.operator(service, "test"), seed=1, n_plans=800)
    return service


@pytest.fixture(scope="module")
def built(svc: Service) -> report.Report:
    return reporting.build(svc, today=TODAY)


@pytest.fixture(scope="module")
def pages(built: report.Report) -> list[str]:
    """The text of every page of the Dutch PDF."""
    reader = pypdf.PdfReader(io.BytesIO(report.render(built, "pdf", "nl")))
    return [page.extract_text() for page in reader.pages]


def _walk(box: Any, table: str | None = None) -> Iterator[tuple[Any, str | None]]:
    """Every box under ``box``, with the class of the table it sits in."""
    if isinstance(box, boxes.TableBox):
        table = box.element.get("class")
    yield box, table
    for child in getattr(box, "children", None) or []:
        yield from _walk(child, table)


def _layout(built: report.Report, lang: str) -> Any:
    return weasyprint.HTML(string=rendering.render_text(built, "html", lang, for_pdf=True)).render()


def test_the_first_block_names_date_subject_and_reference(
    built: report.Report, svc: Service, pages: list[str]
) -> None:
    assert built.reference == "OPGAVE-BO-VERSTEDELIJKING-2021-20260312"
    first = pages[0]
    assert "Datum 12 maart 2026" in first
    assert "Kenmerk OPGAVE-BO-VERSTEDELIJKING-2021-20260312" in first
    assert re.search(r"Betreft Voortgang woningbouwopgave .* na het BO Verstedelijking", first)
    own = reporting.build(svc, today=TODAY, reference="BZK-2026-0042")
    html = report.render(own, "html", "nl").decode()
    assert '<th scope="row">Kenmerk</th><td>BZK-2026-0042</td>' in html
    assert "| Kenmerk | BZK-2026-0042 |" in report.render(own, "md", "nl").decode()


def test_the_kernboodschap_fits_page_one_with_the_service_figures_and_their_sources(
    built: report.Report, svc: Service, pages: list[str]
) -> None:
    head = monitoring.overview(svc).headline
    progress, capacity = head.progress, head.capacity
    assert progress and capacity and progress.required_pace_min and progress.recent_pace
    first = pages[0].replace("\n", " ")
    for figure in (
        i18n.number(progress.realised, "nl"),
        i18n.number(progress.required_pace_min, "nl"),
        i18n.number(progress.recent_pace, "nl"),
        i18n.percent(capacity.ratio_all, "nl"),
        i18n.label("pace_status", progress.status, "nl"),
        f"{head.coverage.known} van {head.coverage.known} gemeenten",
        f"{built.summary.due_next} staan op de agenda van het BO Leefomgeving 2022",
    ):
        assert figure in first, figure
    # the table per region ends on page one; the contents start page two
    assert "Per regio" in first and "Deltaplan Noordelijk Nederland" in first
    assert "Inhoud" not in first and pages[1].startswith(("Inhoud", "LET OP"))
    md = report.render(built, "md", "nl").decode()
    summary = md[md.index("## Kernboodschap") : md.index("### Per regio")]
    for line in summary.splitlines():
        if line.startswith("- **") and re.search(r"\d", line.split(":**")[1]):
            assert re.search(r"\[\^\d+\]", line), f"a figure without its source: {line}"


def test_the_contents_give_the_page_of_every_section(built: report.Report) -> None:
    reader = pypdf.PdfReader(io.BytesIO(report.render(built, "pdf", "nl")))
    contents = reader.pages[1].extract_text()
    listed = {
        m.group(1).strip(): int(m.group(2))
        for m in re.finditer(r"^(.+?)(?:\s*\.){3,}\s*(\d+)$", contents, flags=re.M)
    }
    expected = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if item.title != "Inhoud"
    }
    assert listed == expected
    assert len(listed) == 2 + len(built.sections) + 1


def test_every_page_says_its_number_and_the_reference(pages: list[str]) -> None:
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {len(pages)}" in text
        assert "Kenmerk OPGAVE-BO-VERSTEDELIJKING-2021-20260312" in text


@pytest.mark.parametrize(
    ("lang", "chances"), [("nl", False), ("nl", True), ("en", False)], ids=["nl", "chances", "en"]
)
def test_tables_keep_headers_and_rows_and_cells_to_two_lines(
    svc: Service, lang: str, chances: bool
) -> None:
    state = svc.state()
    given = (
        ({t["id"]: 0.875 for t in state.targets}, ForecastRun(1000, 0, ("defaults.toml",)))
        if chances
        else None
    )
    document = _layout(reporting.build(svc, today=TODAY, chances=given), lang)
    rows_seen: set[int] = set()
    cells = 0
    for page in document.pages:
        for box, table in _walk(page._page_box):
            if isinstance(box, boxes.TableBox) and "data" in (table or ""):
                groups = [g for g in box.children if isinstance(g, boxes.TableRowGroupBox)]
                # every table (or its part on this page) opens with its header row
                assert groups and groups[0].is_header, table
            if isinstance(box, boxes.TableRowBox) and box.element.find("th[@scope='col']") is None:
                assert id(box.element) not in rows_seen, "a row split over two pages"
                rows_seen.add(id(box.element))
            if not isinstance(box, boxes.TableCellBox) or "data" not in (table or ""):
                continue
            cells += 1
            text = "".join(box.element.itertext())
            lines = sum(1 for b, _ in _walk(box) if isinstance(b, boxes.LineBox))
            assert lines <= 2, (table, text, lines)
            right = box.content_box_x() + box.width
            for b, _ in _walk(box):
                if isinstance(b, boxes.TextBox):
                    assert b.position_x + b.margin_width() <= right + 0.5, (table, b.text)
    assert cells > 300


def _structure(node: Any, found: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The structure elements under ``node`` by type (/H2, /Table, /Figure, ...)."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        if "/S" in node:
            found.setdefault(str(node["/S"]), []).append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            _structure(kid, found)
    elif isinstance(node, list):
        for kid in node:
            _structure(kid, found)
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pdf_is_tagged_for_accessibility(built: report.Report, lang: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(report.render(built, "pdf", lang)))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == lang
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata and reader.metadata.title.startswith(("Voortgang", "Progress"))
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp  # declares PDF/UA-1
    tags = _structure(root["/StructTreeRoot"]["/K"], {})
    assert len(tags["/H2"]) == 3 + len(built.sections) + 1
    assert len(tags["/Table"]) >= 1 + len(built.sections)  # per region, the summary's
    assert tags["/TH"] and tags["/THead"]
    figures = tags["/Figure"]
    assert len(figures) == 2 and all(len(str(f["/Alt"])) > 40 for f in figures)
