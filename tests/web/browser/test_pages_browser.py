"""Every dashboard page in Chromium, as a phone and a desktop show it: no page wider than the
viewport at 320 and 390 px (WCAG 1.4.10), axe-core finds no violation, no request leaves
127.0.0.1 (``/api/v1/docs`` included), and plotly.js comes once and then from the cache.

The database holds the programme, the synthetic demo pipeline and an edited agreement, so
that every part of every page (banner, charts, tables, forms, audit trail) is there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_pages import PAGES
from typer.testing import CliRunner
from web_fixtures import PASSWORD, LiveServer, LoadedTemplates, Watched

from opgave.api import create_app
from opgave.cli import app as cli_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = Path(__file__).parent / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[LiveServer]:
    templates = LoadedTemplates(tmp_path_factory.mktemp("pages"))
    url = templates.sqlite()
    demo = CliRunner().invoke(cli_app, ["--db", url, "demo"])
    assert demo.exit_code == 0, demo.output
    app = create_app(url)
    with LiveServer(app) as live:
        yield live
    app.state.opgave.service.engine.dispose()


def _signed_in(chromium: Any, server: LiveServer, **options: Any) -> Watched:
    watched = Watched(chromium, server, **options)
    page = watched.page()
    page.goto("/login?next=/regions")  # a page without charts: nothing cached yet
    page.fill("input[name=name]", "rijk")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.close()
    return watched


def _settled(page: Any, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if page.locator("[data-chart]").count():
        page.wait_for_selector("[data-chart] .main-svg", timeout=20_000)


@pytest.mark.parametrize("width", [320, 390])
def test_no_page_is_wider_than_a_phone(chromium: Any, server: LiveServer, width: int) -> None:
    watched = _signed_in(chromium, server, viewport={"width": width, "height": 800})
    page = watched.page()
    wide = {}
    for path in (*PAGES, "/login", "/api/v1/docs"):
        _settled(page, path)
        if path == "/api/v1/docs":
            page.wait_for_selector(".swagger-ui .info", timeout=20_000)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    assert wide == {}, f"pages wider than {width} px: {wide}"
    assert watched.outside() == [], f"requests outside 127.0.0.1: {watched.outside()}"
    watched.context.close()


def _violations(page: Any) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version") == AXE_VERSION
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' '))"
        ".join(' | '))",
        AXE_TAGS,
    )
    return list(found)


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_violation_on_any_page(chromium: Any, server: LiveServer, width: int) -> None:
    # axe-core is injected as an inline script, which the pages' CSP rightly refuses
    watched = _signed_in(
        chromium, server, viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = watched.page()
    problems = {}
    for path in PAGES:
        _settled(page, path)
        if page.locator("details.chart-table").count():  # the tables behind the charts too
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        found = _violations(page)
        if found:
            problems[path] = found
    assert problems == {}
    assert watched.outside() == [], f"requests outside 127.0.0.1: {watched.outside()}"
    watched.context.close()


def test_api_docs_work_offline(chromium: Any, server: LiveServer) -> None:
    watched = Watched(chromium, server)
    page = watched.page()
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "opgave API" in page.inner_text(".swagger-ui .info")
    assert watched.outside() == [], f"requests outside 127.0.0.1: {watched.outside()}"
    watched.context.close()


class Transfers:
    """Bytes that came over the network per URL (Chromium's own count, via CDP): a file
    served from the browser's cache counts 0."""

    def __init__(self, page: Any) -> None:
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, list[int]] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        url = self.urls.get(event["requestId"], "")
        self.bytes.setdefault(url, []).append(int(event["encodedDataLength"]))

    def of(self, part: str) -> list[int]:
        return [b for url, sizes in self.bytes.items() if part in url for b in sizes]


def test_plotly_is_fetched_once_and_compressed(chromium: Any, server: LiveServer) -> None:
    watched = _signed_in(chromium, server)
    page = watched.page()
    transfers = Transfers(page)
    for path in ("/", "/regions/VS-MRA", "/", "/regions/PV27"):
        _settled(page, path)
    basic = [b for b in transfers.of("/static/plotly-basic-") if b > 0]
    assert len(basic) == 1, transfers.bytes  # once, then from the browser's cache
    assert basic[0] < 450_000  # gzipped partial bundle (the full plotly.min.js: 4.8 MB)
    _settled(page, "/map")
    assert 0 < sum(transfers.of("/static/plotly-map-")) < 1_000_000
    watched.context.close()
