"""The progress report: reads like the letter, names every region and agreement, cites sources."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from opgave import i18n, report, store
from opgave.cli import app
from opgave.model import Source, Target
from opgave.service import Service, ServiceError, programme, reporting

REGIONS = (
    "Zuidelijke Randstad",
    "Stedelijk Gebied Eindhoven",
    "Stedelijk Brabant",
    "Metropoolregio Amsterdam",
    "Metropoolregio Utrecht",
    "Regio Amersfoort",
    "Arnhem-Nijmegen-Foodvalley",
    "Regio Zwolle",
    "Groningen-Assen",
    "Deltaplan Noordelijk Nederland",
)


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The default programme (SQLite; loaded once for the module)."""
    service = Service(f"sqlite:///{tmp_path_factory.mktemp('report') / 'r.db'}")
    programme.init(service)
    return service


@pytest.fixture(scope="module")
def built(svc: Service) -> report.Report:
    return reporting.build(svc)


def test_names_every_region_and_agreement_in_the_letters_order(
    built: report.Report, svc: Service
) -> None:
    assert built.meeting["id"] == "BO-VERSTEDELIJKING-2021"
    assert [s.area["name"] for s in built.regions] == list(REGIONS)
    for fmt in ("md", "html"):
        text = report.render(built, fmt, "nl").decode()
        positions = [text.index(f"Regio: {name}") for name in REGIONS]
        assert positions == sorted(positions), fmt
        for a in svc.state().agreements:
            assert a["id"] in text, (fmt, a["id"])
        assert "900.000 woningen" in text and "175.000-220.000 woningen" in text
    assert sum(len(s.agreements) for s in built.sections) == len(svc.state().agreements) == 31


def test_every_note_is_numbered_and_listed(built: report.Report) -> None:
    text = report.render(built, "md", "nl").decode()
    cited = {int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", text)}
    listed = {int(n) for n in re.findall(r"^\[\^(\d+)\]:", text, flags=re.M)}
    assert cited == listed == set(range(1, len(built.notes) + 1))
    assert "Kamerstuk 34 682 nr. 90" in text and "CBS StatLine 82235NED" in text
    assert "periode 2021-2024 (2024 voorlopig)" in text  # the realised figure's note


def test_english_uses_its_own_words_and_number_format(built: report.Report) -> None:
    text = report.render(built, "md", "en").decode()
    assert "900,000 homes" in text and "175,000-220,000 homes" in text
    assert "900.000 woningen" not in text
    assert "Amsterdam Metropolitan Area" in text
    assert "Deltaplan Noordelijk Nederland" in text


def test_the_agenda_of_the_next_meeting_is_marked(built: report.Report) -> None:
    marked = {
        line.agreement["id"] for s in built.sections for line in s.agreements if line.due_next
    }
    assert {
        "ZR-ACTUALISATIE",
        "EHV-AFSPRAKEN-2030",
        "MRA-PROGRAMMERING",
        "ANF-AFSPRAKEN",
        "GA-AFSPRAKEN",
    } <= marked
    text = report.render(built, "md", "nl").decode()
    # each marked agreement, and the kernboodschap's count of them
    assert built.summary.due_next == len(marked)
    assert text.count("op de agenda van het BO Leefomgeving 2022") == len(marked) + 1
    assert f"{len(marked)} staan op de agenda van het BO Leefomgeving 2022" in text


def test_a_figure_changed_in_the_database_changes_in_the_report(loaded_url: str) -> None:
    before = report.render(reporting.build(Service(loaded_url)), "md", "nl").decode()
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        session.execute(
            update(Target).where(Target.id == "MRA-WONINGEN-2030").values(value_max=230000)
        )
    engine.dispose()
    after = report.render(reporting.build(Service(loaded_url)), "md", "nl").decode()
    # the target row changes; the agreement's own text (quoting the letter) does not
    assert "175.000-230.000" not in before and "175.000-230.000 woningen" in after
    assert after.count("175.000-220.000") == 1  # only the agreement quoting the letter


def test_synthetic_data_is_flagged_in_every_section(loaded_url: str) -> None:
    warning = "LET OP: dit rapport bevat synthetische"
    assert warning not in report.render(reporting.build(Service(loaded_url)), "md", "nl").decode()
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        session.add(
            Source(
                id="synthetic-demo",
                kind="dataset",
                title="Synthetische demodata",
                citation="opgave demo, seed 1",
                confidence="synthetic",
            )
        )
    engine.dispose()
    built = reporting.build(Service(loaded_url))
    assert [s["id"] for s in built.synthetic_sources] == ["synthetic-demo"]
    text = report.render(built, "md", "nl").decode()
    # the top, the kernboodschap, the opening, every region and national section, the notes
    assert text.count(warning) == 1 + 1 + 1 + len(built.sections) + 1


def test_unknown_meeting_language_and_format_are_refused(svc: Service) -> None:
    with pytest.raises(ServiceError, match='"BO Leefomgeving 2022"'):
        reporting.build(svc, meeting="BO Nergens")
    built = reporting.build(svc, meeting="BO Leefomgeving 2022")
    assert built.previous is not None and built.previous["id"] == "BO-VERSTEDELIJKING-2021"
    with pytest.raises(report.ReportFormatError, match="--lang"):
        report.render(built, "md", "fr")
    with pytest.raises(report.ReportFormatError, match="--format"):
        report.render(built, "docx", "nl")


def test_numbers_in_dutch_and_english() -> None:
    assert i18n.number(900000, "nl") == "900.000"
    assert i18n.number(900000, "en") == "900,000"
    assert i18n.percent(1.3, "nl") == "130%"
    assert i18n.percent(0.3214, "nl") == "32,1%"
    assert i18n.percent(0.3214, "en") == "32.1%"


def test_html_is_one_self_contained_file(built: report.Report) -> None:
    html = report.render(built, "html", "nl").decode()
    assert html.count("<svg") == 2  # the two charts, inline
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<link" not in html and "@import" not in html


def test_pdf_has_one_bookmark_per_section_and_the_letters_words(built: report.Report) -> None:
    problem = report.weasyprint_problem()
    if problem:
        pytest.skip(problem)
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's structure")
    pdf = report.render(built, "pdf", "nl")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    titles = [item.title for item in reader.outline]
    # the kernboodschap, the contents, the opening, the national part, the ten regions of
    # the letter, the sources
    assert len(titles) == 3 + 1 + len(REGIONS) + 1
    assert titles[:3] == ["Kernboodschap", "Inhoud", "Inleiding"] and titles[-1] == "Bronnen"
    assert titles[4] == "Uitvoering Integraal Verstedelijkingsakkoord Zuidelijke Randstad"
    text = " ".join(page.extract_text() for page in reader.pages)
    for words in ("900.000", "Deltaplan Noordelijk Nederland", "GA-AFSPRAKEN", "ANF-AFSPRAKEN"):
        assert words in text


def test_cli_writes_the_report(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = runner.invoke(
        app, ["--db", loaded_url, "report", "--format", "md", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert "11 sections" in result.stdout
    assert "Groningen-Assen" in out.read_text()
    result = runner.invoke(app, ["--db", loaded_url, "report", "--lang", "fr"])
    assert result.exit_code == 1 and "--lang must be one of nl, en" in result.stderr
    result = runner.invoke(app, ["--db", loaded_url, "report", "--format", "pdf"])
    assert result.exit_code == 1
