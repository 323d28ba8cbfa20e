"""Render a ``Report`` as one self-contained HTML file, a PDF (WeasyPrint, no network) or
Markdown, in Dutch (the letter's language and number format: 900.000) or English (900,000).

The words live in the Jinja2 templates beside this module: ``nl.j2`` and ``en.j2`` hold the
labels and sentences, ``report.html.j2`` and ``report.md.j2`` the layout. Charts are inline SVG.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from opgave.i18n import LANGUAGES, long_date, number, percent
from opgave.report import charts, words
from opgave.report.builder import Report, Section, TargetLine
from opgave.report.pdfua import PDF_OPTIONS
from opgave.report.press import Press, PressError

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("html", "pdf", "md")


class ReportFormatError(ValueError):
    """An unknown language or format, or a PDF asked for where WeasyPrint cannot run."""


def css_string(text: str) -> str:
    """Text safe inside a CSS double-quoted string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def data_uri(svg: str) -> Markup:
    """An SVG as a data: URI (for Markdown images)."""
    return Markup("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode())


MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|~")
"""Characters a Markdown renderer may read as markup inside a line (links and images need
``[``, emphasis ``*`` ``_`` ``~``, code a backtick, raw HTML and autolinks ``<``, table cells
``|``): escaped with a backslash in every value a template prints."""


def markdown_text(value: Any) -> str:
    """A value as literal Markdown text: its special characters escaped, line breaks made
    spaces (a value never starts a heading, a list or a quote, nor leaves a table cell)."""
    text = " ".join(str(value).splitlines())
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text)


def _markdown_value(value: Any) -> Any:
    """Jinja's ``finalize`` for Markdown: data is escaped, what the templates build is not
    (macros and ``Markup``); the result is Markup so that no HTML escaping follows."""
    if isinstance(value, Markup) or hasattr(value, "__html__"):
        return value
    return Markup(markdown_text("" if value is None else value))


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates in its private per-user temporary directory
    (keyed by the template's source, so an edited template is compiled again): compiling
    the report's templates takes longer than rendering them. A cache that cannot be
    written is skipped, never an error."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.cache
def compiled_templates(fmt: str) -> BytecodeCache | None:
    """The cache of compiled templates of one format, or None where no private directory
    can be made. One per format: the compiled code depends on the environment's options
    (Markdown's ``finalize``), which Jinja2's key (the template's source) does not see."""
    try:
        return _CompiledTemplates(pattern=f"__opgave_{fmt}_%s.cache")
    except (OSError, RuntimeError):
        return None


@functools.lru_cache(maxsize=8)
def environment(fmt: str, lang: str) -> Environment:
    """The Jinja2 environment for one format and language. HTML escapes every value as
    HTML; Markdown escapes every value as Markdown (user text - an agreement's words, a
    plan's name - can neither inject HTML nor links into the report)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=compiled_templates(fmt),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        finalize=_markdown_value if fmt == "md" else None,
    )
    env.filters["n"] = lambda v: number(v, lang)
    env.filters["pct"] = lambda v, digits=None: percent(v, lang, digits)
    env.filters["amount"] = lambda v, share=False: percent(v, lang) if share else number(v, lang)
    env.filters["longdate"] = lambda v: long_date(v, lang)
    env.filters["css_string"] = css_string
    env.filters["data_uri"] = data_uri
    words.install(env, lang)
    return env


def labels(lang: str) -> Mapping[str, Any]:
    """The labels of a language (``L`` in its template)."""
    module = environment("md", lang).get_template(f"{lang}.j2").module
    return dict(module.L)  # type: ignore[attr-defined]


def _refs(fmt: str) -> Callable[[int | Iterable[int] | None], str]:
    def refs(numbers: int | Iterable[int] | None) -> str:
        if numbers is None:
            return ""
        items = [numbers] if isinstance(numbers, int) else list(numbers)
        if not items:
            return ""
        if fmt == "md":
            return Markup("".join(f"[^{n}]" for n in items))
        links = ",".join(f'<a href="#n{n}">{n}</a>' for n in items)
        return Markup(f'\u2060<sup class="ref">{links}</sup>')

    return refs


@dataclass(frozen=True)
class Charts:
    """The report's charts as SVG: national cumulative realisation, and targets per region."""

    national: str
    regions: str


HOME_TARGET_FIRST_YEAR = 2021
"""Start assumed for a target stated only "to" a year (the programme's start)."""


def make_charts(report: Report, lang: str) -> Charts:
    """Draw the charts with the labels and number format of the language."""
    words = labels(lang)

    def fmt(v: float) -> str:
        return number(v, lang)

    o = report.opening
    national = charts.cumulative(
        o.realised_by_year,
        float(o.target["value_min"]),
        int(o.target["first_year"] or HOME_TARGET_FIRST_YEAR),
        int(o.target["last_year"]),
        words,
        fmt,
    )
    bars = [
        charts.Bar(
            label=_bar_label(s, line, lang),
            target_min=float(line.target["value_min"] or line.target["value_max"]),
            target_max=float(line.target["value_max"] or line.target["value_min"]),
            realised=line.progress.realised if line.progress else 0.0,
            planned=float(line.capacity.planned_all) if line.capacity else None,
        )
        for s in report.regions
        for line in s.targets
        if line.target["measure"] == "homes_built"
        and (line.target["value_min"] or line.target["value_max"])
        and line.target["last_year"]
    ]
    regions = charts.region_progress(bars, words, fmt)
    return Charts(national=national, regions=regions)


def _bar_label(section: Section, line: TargetLine, lang: str) -> str:
    """ "Region: area (period)", or "Region (period)" when the target is the region's own."""
    area = section.area
    region = str(area["name_en"] or area["name"]) if lang == "en" else str(area["name"])
    name = line.area_name_en or line.area_name if lang == "en" else line.area_name
    label = region if line.target["area_id"] == area["id"] else f"{region}: {name}"
    return f"{label} ({words.period_text(line.target, lang)})"


def _chart(as_image: bool) -> Callable[[str, str], Markup]:
    """How a chart goes into HTML: inline SVG (searchable, for browsers) or an <img> with a
    data: URI (for WeasyPrint, which then skips styling every SVG element: ~40% faster)."""

    def chart(svg: str, alt: str) -> Markup:
        if as_image:
            return Markup('<img class="chart" alt="{}" src="{}">').format(alt, data_uri(svg))
        return Markup(svg)  # our own matplotlib output

    return chart


def render_text(
    report: Report, fmt: str = "html", lang: str = "nl", *, for_pdf: bool = False
) -> str:
    """The report as HTML (one self-contained file) or Markdown."""
    if lang not in LANGUAGES:
        raise ReportFormatError(f"--lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if fmt not in ("html", "md"):
        raise ReportFormatError(f"text formats are html and md, not {fmt!r}")
    template = environment(fmt, lang).get_template(f"report.{fmt}.j2")
    return template.render(
        r=report,
        lang=lang,
        refs=_refs(fmt),
        charts=make_charts(report, lang),
        chart=_chart(for_pdf),
    )


def weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot make PDFs here (missing package or system libraries), or None."""
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:
        return (
            f"WeasyPrint cannot load ({error}); install it with pip and the Debian packages "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core"
        )
    return None


def html_to_pdf(html: str) -> bytes:
    """An HTML document as PDF, fetching nothing: only data: URLs are allowed."""
    problem = weasyprint_problem()
    if problem:
        raise ReportFormatError(problem)
    weasyprint = importlib.import_module("weasyprint")
    urls = importlib.import_module("weasyprint.urls")
    fetcher = urls.URLFetcher(allowed_protocols={"data"})
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(**PDF_OPTIONS)
    assert isinstance(pdf, bytes)
    return pdf


def render(
    report: Report, fmt: str = "html", lang: str = "nl", press: Press | None = None
) -> bytes:
    """The report in a format (html, pdf, md) and language (nl, en), as bytes to write; a
    PDF through ``press`` when one was started (:mod:`opgave.report.press`), else here."""
    if fmt not in FORMATS:
        raise ReportFormatError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "pdf":
        html = render_text(report, "html", lang, for_pdf=True)
        if press is None:
            return html_to_pdf(html)
        try:
            return press.pdf(html)
        except PressError as error:
            raise ReportFormatError(str(error)) from None
    return render_text(report, fmt, lang).encode("utf-8")
