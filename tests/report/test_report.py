"""The progress report: reads like the letter, names every region and agreement, cites sources."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from opgave import i18n, report, store, vocabulary
from opgave.cli import app
from opgave.model import Source, Target
from opgave.report import rendering
from opgave.report.builder import ForecastRun
from opgave.service import (
    Service,
    ServiceError,
    agreements,
    pipeline,
    programme,
    reporting,
    users,
)

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


def test_compiled_templates_of_one_format_never_serve_another(
    built: report.Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markdown compiles with a ``finalize`` HTML has not: a cache shared between them made
    the next process's HTML report fail (the cache lives on disk, across processes)."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for fresh in (rendering.compiled_templates, rendering.environment):
        fresh.cache_clear()
    try:
        markdown = report.render(built, "md", "nl").decode()
        rendering.environment.cache_clear()  # as a new process: compiled code from disk
        html = report.render(built, "html", "nl").decode()
    finally:
        for fresh in (rendering.compiled_templates, rendering.environment):
            fresh.cache_clear()
    assert any(tmp_path.rglob("__opgave_md_*.cache")) and any(tmp_path.rglob("__opgave_html_*"))
    assert "\\*" not in html and html.startswith("<!DOCTYPE html>")
    assert markdown.startswith("# ")


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
    args = ["--db", loaded_url, "report", "--format", "md", "--lang", "nl", "--kenmerk"]
    args.append("BZK-2026-7")
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "| Kenmerk | BZK-2026-7 |" in result.stdout
    result = runner.invoke(app, ["--db", loaded_url, "report", "--lang", "fr"])
    assert result.exit_code == 1 and "--lang must be one of nl, en" in result.stderr
    result = runner.invoke(app, ["--db", loaded_url, "report", "--format", "pdf"])
    assert result.exit_code == 1


# ---------------------------------------------------------------- Dutch only

HOMOGRAPHS = {
    # codes and English labels that are also ordinary Dutch words or names
    "open",  # agreement status: Dutch "open"
    "landsdeel",  # area kind: the Dutch word itself
    "budget",  # instrument kind: Dutch "budget"
    "tranche",  # instrument kind: Dutch "tranche"
    "hard",  # capacity hardness: Dutch "hard" (plancapaciteit, hard: 62,8%)
    "document",  # source kind: Dutch "document"
    "dataset",  # source kind: Dutch "dataset"
    "import",  # source kind: Dutch "import"
    "status",  # the label "status" in both languages
    "of",  # English "of" (pagina 3 of 16) is Dutch "of" (or)
}
"""Words a Dutch report may contain although they are a vocabulary code or an English label."""


class _Text(HTMLParser):
    """The text a reader sees in an HTML page (no tags, attributes, styles or comments)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def _visible(text: str, fmt: str) -> str:
    if fmt == "md":
        return re.sub(r"\(data:[^)]*\)", "", text)
    parser = _Text()
    parser.feed(text)
    return " ".join(parser.parts)


def _flat(labels: Mapping[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in labels.items():
        if isinstance(value, Mapping):
            flat |= {f"{key}.{k}": str(v) for k, v in value.items()}
        else:
            flat[key] = str(value)
    return flat


def _forbidden() -> dict[str, str]:
    """Raw vocabulary codes and English words (en.j2's labels, i18n's English words) that
    differ from their Dutch ones: the word -> where it comes from."""
    words: dict[str, str] = {}
    for (table, column), codes in vocabulary.VOCABULARIES.items():
        if column == "planstatus":
            continue  # 1A, 2B: the official DiWi codes are what the report may show
        words |= {code: f"code {table}.{column}" for code in codes}
    nl, en = _flat(rendering.labels("nl")), _flat(rendering.labels("en"))
    words |= {en[k]: f"en.j2 {k}" for k in en if en[k] != nl.get(k) and k != "lang"}
    for name, entries in i18n.WORDS.items():
        words |= {e: f"i18n {name}.{code}" for code, (d, e) in entries.items() if e != d}
        words |= {code: f"code {name}" for code in entries}
    return {w: why for w, why in words.items() if w not in HOMOGRAPHS and w.strip()}


@pytest.fixture(scope="module")
def demo_svc(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The default programme with the synthetic demo (every kind of figure present)."""
    service = Service(f"sqlite:///{tmp_path_factory.mktemp('report_demo') / 'd.db'}")
    programme.init(service)
    pipeline.load_demo(service, users.operator(service, "test"), seed=1, n_plans=600)
    return service


@pytest.mark.parametrize("data", ["plain", "demo"])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_dutch_report_has_no_english_and_no_raw_codes(
    svc: Service, demo_svc: Service, data: str, fmt: str
) -> None:
    service = demo_svc if data == "demo" else svc
    chances = (
        {t["id"]: 0.5 for t in service.state().targets},
        ForecastRun(500, 0, ("defaults.toml",)),
    )
    text = _visible(
        report.render(reporting.build(service, chances=chances), fmt, "nl").decode(), fmt
    )
    found = {
        word: why
        for word, why in _forbidden().items()
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
    }
    assert found == {}
    ids = [s["id"] for s in service.state().sources]
    assert [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)] == []
    assert "Randvoorwaarden" in text and "stikstof" in text  # the words it checks are there


def test_changes_to_an_agreement_read_in_words(loaded_url: str) -> None:
    svc = Service(loaded_url)
    by = users.operator(svc, "tester")
    on = dt.date(2022, 3, 1)
    agreements.set_status(svc, by, "MRA-PROGRAMMERING", "in_progress", on=on)
    agreements.change(svc, by, "MRA-PROGRAMMERING", {"themes": ["housing", "mobility"]}, on=on)
    built = reporting.build(svc, meeting="BO Leefomgeving 2022")
    nl = report.render(built, "md", "nl").decode()
    assert "gewijzigd 1 maart 2022 (tester): status: open → in uitvoering" in nl
    assert "thema's: " in nl and "→ wonen, bereikbaarheid" in nl
    en = report.render(built, "md", "en").decode()
    assert "changed 1 March 2022 (tester): status: open → in progress" in en


def test_the_english_report_gives_the_english_descriptions(built: report.Report) -> None:
    en = report.render(built, "md", "en").decode()
    nl = report.render(built, "md", "nl").decode()
    assert "New river crossing in Rotterdam (MIRT exploration)." in en
    assert "Nieuwe oeververbinding in Rotterdam (MIRT-verkenning)." in nl
    assert "New river crossing" not in nl
