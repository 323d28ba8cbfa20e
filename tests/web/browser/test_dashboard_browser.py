"""The dashboard as people use it, in Chromium: sign in, read the overview, edit an
agreement, meet a concurrent edit, be refused outside one's region, upload a bad plan list.

Every test fails if the page requests anything outside 127.0.0.1. Screenshots go to
``<pytest tmp dir>/screenshots``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_fixtures import (
    BAD_PLANS,
    GOOD_PLANS,
    PASSWORD,
    SHARED_GEO,
    LiveServer,
    LoadedTemplates,
    Watched,
)

from opgave import store
from opgave.api import create_app
from opgave.ingest import geo
from opgave.model import Area

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[LiveServer]:
    templates = LoadedTemplates(tmp_path_factory.mktemp("browser"))
    url = templates.sqlite()
    province_file = SHARED_GEO / "provincie_2025.geojson"
    if province_file.exists():
        engine = store.connect(url)
        text = province_file.read_text(encoding="utf-8")
        with store.transaction(engine) as session:
            known = [a.id for a in session.query(Area)]
            geo.apply_boundaries(
                session, province_file.name, text, geo.read_boundaries("p", text, known)
            )
        engine.dispose()
    app = create_app(url)
    with LiveServer(app) as live:
        yield live
    app.state.opgave.service.engine.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def browser(chromium: Any, server: LiveServer) -> Iterator[Watched]:
    watched = Watched(chromium, server)
    yield watched
    watched.context.close()
    assert watched.outside() == [], f"requests outside 127.0.0.1: {watched.outside()}"


def sign_in(page: Any, name: str, next_path: str = "/") -> None:
    page.goto(f"/login?next={next_path}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state("networkidle")


def upload_result(page: Any, selector: str, shots: Path) -> None:
    """Wait for an upload's outcome; when it does not come, say where the page got stuck
    (its text, a screenshot and its HTML in the screenshots folder) and what the job says."""
    try:
        page.wait_for_selector(selector, timeout=60_000)  # a busy CI machine
    except Exception as error:
        page.screenshot(path=str(shots / "upload-stuck.png"), full_page=True)
        (shots / "upload-stuck.html").write_text(page.content())
        jobs = page.request.get("/api/v1/jobs").text()
        raise AssertionError(f"{page.url}: {page.inner_text('main')[:500]}; {jobs}") from error


def figure(page: Any, name: str) -> float:
    """A national headline figure as the page marks it (``data-figure``/``data-value``)."""
    return float(page.get_attribute(f'[data-area="NL01"] [data-figure="{name}"]', "data-value"))


def test_overview_figures_equal_the_api(browser: Watched, shots: Path) -> None:
    page = browser.page()
    page.goto("/")
    assert "/login" in page.url
    sign_in(page, "rijk", "/upload")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "plannen.csv", "mimeType": "text/csv", "buffer": GOOD_PLANS.encode()}],
    )
    page.click("form[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector('[data-testid="upload-ok"]')
    page.goto("/")
    page.wait_for_selector("#chart-overview .main-svg")
    api = page.request.get("/api/v1/overview").json()
    head = api["headline"]
    assert figure(page, "target") == head["target"]["value_min"]
    assert figure(page, "realised") == head["progress"]["realised"]
    assert figure(page, "planned_homes") == head["planned_homes"]
    assert figure(page, "capacity_ratio") == pytest.approx(head["capacity"]["ratio_all"])
    assert figure(page, "plans") == head["plans"]
    page.screenshot(path=str(shots / "overview.png"), full_page=True)
    page.click('[data-testid="language"]')
    assert page.locator("h1").first.inner_text().startswith("National picture")
    page.goto("/map?measure=capacity")
    page.wait_for_selector('[data-testid="map"] .main-svg')
    page.screenshot(path=str(shots / "map.png"), full_page=True)
    page.goto("/regions/VS-MRA")
    page.screenshot(path=str(shots / "region.png"), full_page=True)


def test_edit_an_agreement_and_see_a_concurrent_edit(browser: Watched, shots: Path) -> None:
    first, second = browser.page(), browser.page()
    sign_in(first, "zr", "/agreements/ZR-ACTUALISATIE")
    second.goto("/agreements/ZR-ACTUALISATIE")
    version = int(first.inner_text('[data-testid="agreement-version"]'))
    assert int(second.inner_text('[data-testid="agreement-version"]')) == version
    first.select_option("select[name=status]", "in_progress")
    first.fill("input[name=reason]", "gestart in de regio")
    first.click("[data-testid=edit-form] button[type=submit]")
    first.wait_for_selector('[data-testid="saved"]')
    assert first.get_attribute('[data-testid="agreement-status"]', "data-status") == "in_progress"
    assert first.inner_text('[data-testid="agreement-status"]') == "in uitvoering"
    assert int(first.inner_text('[data-testid="agreement-version"]')) == version + 1
    second.select_option("select[name=status]", "done")
    second.click("[data-testid=edit-form] button[type=submit]")
    conflict = second.wait_for_selector('[data-testid="conflict"]')
    assert "versie" in conflict.inner_text() and "zr" in conflict.inner_text()
    assert second.inner_text('[data-testid="agreement-status"]') == "in uitvoering"
    second.screenshot(path=str(shots / "conflict.png"), full_page=True)


def test_a_region_editor_is_refused_outside_its_region(browser: Watched, shots: Path) -> None:
    page = browser.page()
    sign_in(page, "zr", "/agreements/MRA-CONCEPT")
    assert page.locator('[data-testid="edit-form"]').count() == 0
    assert page.locator('[data-testid="read-only"]').count() == 1
    csrf = page.get_attribute('meta[name="csrf-token"]', "content")
    forged = page.request.post(
        "/agreements/MRA-CONCEPT",
        form={"csrf_token": csrf, "status": "done", "version": "1"},
    )
    assert forged.status == 403
    page.goto("/upload")
    amsterdam = "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
    amsterdam += "P-X,Buiten de regio,GM0363,100,1A,2026,2027\n"
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "amsterdam.csv", "mimeType": "text/csv", "buffer": amsterdam.encode()}],
    )
    page.click("form[data-testid=upload-form] button[type=submit]")
    upload_result(page, '[data-testid="upload-error"]', shots)
    assert "GM0363" in page.inner_text('[data-testid="problems"]')
    page.screenshot(path=str(shots / "refused.png"), full_page=True)


def test_a_bad_plan_list_shows_its_row_errors(browser: Watched, shots: Path) -> None:
    page = browser.page()
    sign_in(page, "rijk", "/upload")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "fout.csv", "mimeType": "text/csv", "buffer": BAD_PLANS.encode()}],
    )
    page.click("form[data-testid=upload-form] button[type=submit]")
    upload_result(page, '[data-testid="problems"]', shots)
    assert re.search(r"/upload/[0-9a-f]{16}$", page.url), page.url  # imported as a job
    rows = page.locator('[data-testid="problem-row"]').all_inner_texts()
    assert any("\t3\thomes\t" in r for r in rows), rows
    assert any("\t4\tplanstatus\t" in r for r in rows), rows
    page.screenshot(path=str(shots / "upload-errors.png"), full_page=True)


def test_compare_scenarios_follows_the_job_and_downloads_the_report(
    browser: Watched, shots: Path
) -> None:
    page = browser.page()
    sign_in(page, "rijk", "/scenarios")
    page.select_option("select[name=area]", "VS-ZR")
    page.fill("input[name=runs]", "200")
    page.click("[data-testid=scenario-form] button[type=submit]")
    table = page.wait_for_selector('[data-testid="comparison"]', timeout=60_000)
    assert "basisscenario" in page.inner_text("h1")
    job = page.request.get("/api/v1/jobs/" + page.url.rsplit("/", 1)[1]).json()
    first = job["result"]["targets"][0]
    row = page.locator(f'[data-target="{first["target_id"]}"]')
    assert float(row.get_attribute("data-p50-a")) == first["p50"]
    assert float(row.get_attribute("data-p50-b")) == first["vs"]["p50"]
    assert table.is_visible()
    page.screenshot(path=str(shots / "scenarios.png"), full_page=True)
    page.goto("/")
    with page.expect_download() as download:
        page.click('[data-testid="report-md"]')
    assert download.value.suggested_filename.startswith("voortgangsrapportage-")
