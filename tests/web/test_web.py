"""The dashboard (server-rendered pages) and the boundary loader for its map."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_fixtures import (
    BAD_PLANS,
    GOOD_PLANS,
    PASSWORD,
    PLAN_HEADER,
    SHARED_GEO,
    LoadedTemplates,
    shown_figures,
)

from opgave import store
from opgave.api import create_app
from opgave.api.security import ApiError
from opgave.cli import app as cli_app
from opgave.ingest import geo
from opgave.service import jobs
from opgave.web import error_words
from opgave.web.i18n import translator

GATE = threading.Event()


@jobs.kind("test-writing")
def _writing(svc: Any, params: Any, spec: Any, file: Any, report: Any, done: Any) -> dict[str, Any]:
    """A plan-list job that stops in its writing stage until the test lets it go on."""
    report(0.4, "writing")
    GATE.wait(10)
    return {"source_id": "x", "captured": "2025-01-01", "added": ["P-1"], "changed": [],
            "unchanged": [], "dropped": []}  # fmt: skip


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedTemplates]:
    made = LoadedTemplates(tmp_path_factory.mktemp("web"))
    yield made
    made.close()


@pytest.fixture
def url(templates: LoadedTemplates) -> str:
    return templates.sqlite()


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    app = create_app(url)
    with TestClient(app) as c:
        yield c
    app.state.opgave.service.engine.dispose()


def sign_in(client: TestClient, name: str) -> str:
    """Sign in through the form; returns the session's CSRF token (from a form field)."""
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/upload"})
    assert answer.status_code == 200, answer.text
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', answer.text).group(1)  # type: ignore[union-attr]


def upload(client: TestClient, csrf: str, text: str, name: str = "plannen.csv", **form: str) -> Any:
    """Send a plan list through the upload form and follow its job to the final page."""
    sent = client.post(
        "/upload",
        data={"csrf_token": csrf, **form},
        files={"file": (name, text.encode(), "text/csv")},
        follow_redirects=False,
    )
    if sent.status_code != 303:
        return sent  # refused at once
    location = sent.headers["location"]
    assert _finished(client, location.rsplit("/", 1)[1])["status"] in ("done", "failed")
    return client.get(location)


def test_pages_need_sign_in_and_show_the_apis_figures(client: TestClient) -> None:
    first = client.get("/regions/VS-ZR", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login?next=/regions/VS-ZR"
    failed = client.post("/login", data={"name": "rijk", "password": "wrong", "next": "/"})
    assert failed.status_code == 401 and 'data-testid="login-failed"' in failed.text
    csrf = sign_in(client, "rijk")
    uploaded = upload(client, csrf, GOOD_PLANS, date="2025-01-01")
    assert uploaded.status_code == 200 and 'data-testid="upload-ok"' in uploaded.text
    page = client.get("/").text
    api = client.get("/api/v1/overview").json()
    shown = shown_figures(page)["NL01"]
    head = api["headline"]
    assert float(shown["target"]) == head["target"]["value_min"] == 900_000
    assert float(shown["realised"]) == head["progress"]["realised"]
    assert float(shown["planned_homes"]) == head["planned_homes"] == 4000
    assert float(shown["capacity_ratio"]) == head["capacity"]["ratio_all"]
    assert "Landelijk beeld" in page and "900.000" in page  # Dutch by default
    english = client.get("/lang/en?next=/").text
    assert "National picture" in english and "900,000" in english


def test_region_page_sorts_filters_and_pages_plans(client: TestClient) -> None:
    csrf = sign_in(client, "rijk")
    many = "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n" + "".join(
        f"P-{i:03d},Plan {i},GM0363,{10 + i},{'1A' if i % 2 else '3'},2026,2028\n"
        for i in range(60)
    )
    assert upload(client, csrf, many, "veel.csv").status_code == 200
    page = client.get("/regions/VS-MRA").text
    assert 'data-testid="plan-total">60<' in page
    rows = re.findall(r'<tr data-plan="(P-\d{3})">', page)
    assert rows[:2] == ["P-059", "P-058"] and len(rows) == 25  # biggest first, 25 a page
    last = client.get("/regions/VS-MRA?page=3").text
    assert len(re.findall(r'<tr data-plan="(P-\d{3})">', last)) == 10
    ordered = client.get("/regions/VS-MRA?sort=name&order=asc&planstatus=1A").text
    assert 'data-testid="plan-total">30<' in ordered
    assert re.findall(r'<tr data-plan="(P-\d{3})">', ordered)[0] == "P-001"
    assert client.get("/regions/NOWHERE").status_code == 404


def test_agreement_editing_with_stale_version_and_scope(client: TestClient) -> None:
    csrf = sign_in(client, "zr")
    page = client.get("/agreements/ZR-FASERING").text
    assert 'data-testid="edit-form"' in page
    form = {"csrf_token": csrf, "status": "in_progress", "version": "1", "reason": "gestart"}
    saved = client.post("/agreements/ZR-FASERING", data=form)
    assert saved.status_code == 200 and 'data-testid="saved"' in saved.text
    assert 'data-testid="agreement-version">2<' in saved.text
    stale = client.post("/agreements/ZR-FASERING", data={**form, "status": "done"})
    assert stale.status_code == 409 and 'data-testid="conflict"' in stale.text
    outside = client.get("/agreements/MRA-CONCEPT").text
    assert 'data-testid="edit-form"' not in outside and 'data-testid="read-only"' in outside
    forged = client.post("/agreements/MRA-CONCEPT", data={**form, "version": "1"})
    assert forged.status_code == 403 and 'data-testid="forbidden"' in forged.text
    no_csrf = client.post("/agreements/ZR-ACTUALISATIE", data={**form, "csrf_token": "x"})
    assert no_csrf.status_code == 403
    region = client.get("/regions/VS-ZR").text
    assert "zr" in region and "ZR-FASERING" in region.split('data-testid="audit"')[1]


def test_upload_page_shows_every_problem_per_row(client: TestClient) -> None:
    csrf = sign_in(client, "rijk")
    answer = upload(client, csrf, BAD_PLANS, "fout.csv")
    assert answer.status_code == 422
    rows = re.findall(
        r'<tr data-testid="problem-row"><td>fout.csv</td><td>(\d+)</td><td><code>(\w+)</code></td>',
        answer.text,
    )
    assert ("3", "homes") in rows and ("4", "planstatus") in rows and len(rows) >= 4


def test_upload_runs_as_a_job_whose_page_follows_it(client: TestClient) -> None:
    csrf = sign_in(client, "zr")
    outside = upload(client, csrf, PLAN_HEADER + "P-X,Buiten,GM0363,100,1A,2026,2027\n")
    assert outside.status_code == 403 and 'data-testid="upload-error"' in outside.text
    assert "GM0363" in outside.text.split('data-testid="problems"')[1]
    refused = upload(client, csrf, "%PDF", "plannen.pdf")  # refused at once, no job
    assert refused.status_code == 422 and "csv" in refused.text
    assert [j["kind"] for j in client.get("/api/v1/jobs").json()] == ["plans"]
    GATE.clear()
    registry = client.app.state.opgave.jobs  # type: ignore[attr-defined]
    params = {"file": "groot.csv", "bytes": 10, "date": "2025-01-01", "partial": False}
    job = registry.submit("plans", params, "zr", jobs.Work("test-writing", {}))
    deadline = time.monotonic() + 10
    while (registry.get(job.id) or job).stage != "writing" and time.monotonic() < deadline:
        time.sleep(0.01)
    running = client.get(f"/upload/{job.id}").text
    assert 'data-testid="job-progress"' in running and 'value="0.4"' in running
    assert "groot.csv" in running and "opslaan" in running  # the stage, in Dutch
    assert '<meta http-equiv="refresh"' in running  # without JavaScript the page refreshes
    assert 'data-testid="upload-form"' not in running
    GATE.set()
    assert _finished(client, job.id)["status"] == "done"
    done = client.get(f"/upload/{job.id}").text
    assert 'data-testid="upload-ok"' in done and 'data-testid="job-progress"' not in done
    assert client.get("/upload/0123456789abcdef").status_code == 404


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    sign_in(client, "kijker")
    for path in (
        "/",
        "/map",
        "/regions",
        "/regions/VS-ZR",
        "/agreements/ZR-FASERING",
        "/upload",
        "/scenarios",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', page.text), path
    # the shipped CBS/Kadaster boundaries draw the map on a fresh install (no ingest geo)
    shown = client.get("/map").text
    assert 'data-testid="schematic"' not in shown and '"choroplethmap"' in shown
    # plotly.js: a partial bundle, once per version (a year's cache), gzipped
    src = re.search(r'<script src="(/static/plotly-basic-[^"]+)"', client.get("/").text)
    assert src is not None
    js = client.get(src.group(1), headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and b"plotly.js" in js.content[:400]
    assert js.headers["content-encoding"] == "gzip" and "immutable" in js.headers["cache-control"]
    assert int(js.headers["content-length"]) < 500_000  # the full bundle is 4.8 MB
    assert "/static/plotly-map-" in shown and "/static/plotly-basic-" not in shown


def _geo_file(name: str) -> Path:
    path = SHARED_GEO / name
    if not path.exists():
        pytest.skip(f"boundary test data not found at {path}")
    return path


def test_ingest_geo_loads_boundaries_and_the_map_uses_them(
    client: TestClient, url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    for name in ("provincie_2025.geojson", "gemeente_2025.geojson"):
        result = runner.invoke(cli_app, ["--db", url, "ingest", "geo", str(_geo_file(name))])
        assert result.exit_code == 0, result.output
    assert "342 boundaries" in result.output
    client.app.state.opgave.service.check_interval_s = 0  # type: ignore[attr-defined]
    sign_in(client, "kijker")
    page = client.get("/map?measure=capacity").text
    assert 'data-testid="schematic"' not in page and '"choroplethmap"' in page
    assert '"white-bg"' in page and "tile.openstreetmap" not in page
    assert '"scattermap"' in page  # the large-scale areas as markers
    values = client.get("/api/v1/map?division=municipality&measure=planned").json()
    assert values["boundaries"] is True and len(values["areas"]) == 342
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"statcode":"PV99"},"geometry":{"type":"Point","coordinates":[5,52]}}]}'
    )
    refused = runner.invoke(cli_app, ["--db", url, "ingest", "geo", str(bad)])
    assert refused.exit_code == 1
    assert "row 1, field statcode: unknown area 'PV99'" in refused.output
    assert "expected a (Multi)Polygon" in refused.output


def test_read_boundaries_refuses_projected_coordinates() -> None:
    text = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","id":"PV27","properties":{},'
        '"geometry":{"type":"Polygon","coordinates":[[[121000,487000],[122000,487000],'
        "[121000,488000],[121000,487000]]]}}]}"
    )
    with pytest.raises(geo.GeoInputError, match="not lon/lat"):
        geo.read_boundaries("rd.geojson", text, ["PV27"])
    assert store.DEFAULT_URL  # the module under test needs no database for this


def _finished(client: TestClient, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, object] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_scenario_comparison_runs_as_a_job_and_shows_both_side_by_side(
    client: TestClient, url: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "meer.toml"
    scenario.write_text(
        'description = "5.000 extra woningen in Rotterdam"\n[[extra_plan]]\nid = "X1"\n'
        'gemeente_id = "GM0599"\nhomes = 5000\nplanstatus = "1A"\nfirst_year = 2026\n'
        "last_year = 2028\n"
    )
    added = CliRunner().invoke(cli_app, ["--db", url, "scenario", "add", "meer", str(scenario)])
    assert added.exit_code == 0, added.output
    sign_in(client, "kijker")
    read_only = client.get("/scenarios").text
    assert 'data-testid="read-only"' in read_only and 'data-testid="scenario-form"' not in read_only
    csrf = sign_in(client, "rijk")
    assert upload(client, csrf, GOOD_PLANS, date="2025-01-01").status_code == 200
    form = client.get("/scenarios").text
    assert "Scenario&#39;s vergelijken" in form and '<option value="meer"' in form
    forged = client.post("/scenarios", data={"csrf_token": "x", "scenario": "meer"})
    assert forged.status_code == 403
    unknown = client.post("/scenarios", data={"csrf_token": csrf, "scenario": "nope"})
    assert unknown.status_code == 404 and "Onbekend scenario" in unknown.text
    started = client.post(
        "/scenarios",
        data={"csrf_token": csrf, "scenario": "meer", "vs": "base", "area": "VS-ZR", "runs": "200"},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    job_id = started.headers["location"].rsplit("/", 1)[1]
    job = _finished(client, job_id)
    assert job["status"] == "done", job
    page = client.get(f"/scenarios/{job_id}").text
    assert 'data-testid="comparison"' in page and "basisscenario" in page
    shown = {
        m[0]: [float(v) for v in m[1:]]
        for m in re.findall(
            r'data-target="([^"]+)" data-p50-a="([^"]+)" data-p50-b="([^"]+)" '
            r'data-p-min-a="([^"]+)" data-p-min-b="([^"]+)"',
            page,
        )
    }
    result = job["result"]
    assert isinstance(result, dict)
    expected = {
        t["target_id"]: [t["p50"], t["vs"]["p50"], t["p_reach_min"], t["vs"]["p_reach_min"]]
        for t in result["targets"]
    }
    assert shown == expected and shown["ZR-VA-2040"][0] > shown["ZR-VA-2040"][1]
    english = client.get(f"/lang/en?next=/scenarios/{job_id}").text
    assert "Compare scenarios" in english and "Chance of reaching the minimum" in english
    assert job_id in client.get("/scenarios").text  # listed under recent forecasts
    assert client.get("/scenarios/0123456789abcdef").status_code == 404


def test_reports_download_in_the_page_language(client: TestClient) -> None:
    from opgave.report import weasyprint_problem

    sign_in(client, "kijker")
    overview = client.get("/").text
    assert 'href="/report.html"' in overview and 'href="/report.md"' in overview
    assert ('href="/report.pdf"' in overview) == (weasyprint_problem() is None)
    markdown = client.get("/report.md")
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith(
        "text/markdown"
    )
    assert 'filename="voortgangsrapportage-' in markdown.headers["content-disposition"]
    assert "900.000" in markdown.text  # Dutch numbers
    html = client.get("/report.html")
    assert html.status_code == 200 and "<html" in html.text
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html.text)
    client.get("/lang/en")
    english = client.get("/report.md")
    assert (
        "900,000" in english.text and "progress-report-" in english.headers["content-disposition"]
    )
    if weasyprint_problem() is None:
        pdf = client.get("/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/report.docx").status_code == 404


def test_comparison_rows_show_the_difference_in_homes_when_both_chances_are_zero() -> None:
    # the regression: the difference column read +0% on every row, because it compared only
    # the chance of reaching the minimum (0% in both scenarios) while P50 halved
    from opgave.web.scenarios import comparison_rows

    base = {"target_id": "T", "p50": 22_278.0, "mean": 22_000.0, "p_reach_min": 0.0}
    record = {"target_id": "T", "p50": 10_480.0, "mean": 10_400.0, "p_reach_min": 0.0}
    [row] = comparison_rows({"targets": [{**record, "vs": base}]})
    assert row["p50_diff"] == -11_798 and row["p50_rel"] == pytest.approx(-0.5296, abs=1e-4)
    assert row["p_min_diff"] == 0.0
    [alone] = comparison_rows({"targets": [record]})  # no scenario to compare with
    assert alone["p50_b"] is None and alone["p50_diff"] is None and alone["p50_rel"] is None


class _VisibleText(HTMLParser):
    """The text a reader sees (or hears): text outside script and style, and the title,
    placeholder, aria-label and alt attributes; text an element marks as English
    (``lang="en"``: the language switch, the validator's messages) and literal names in
    ``<code>`` (a plan list's column names) are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code") or ("lang", "en") in attrs:
            self._hidden.append(tag)
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.parts


def _english_leaks(parts: list[str]) -> list[str]:
    """English catalogue strings (those that differ from the Dutch) in a Dutch page: a phrase
    anywhere, a single word only as a whole text."""
    from opgave.web.i18n import TEXTS

    found = []
    text = " | ".join(parts)
    for key, english in TEXTS["en"].items():
        if english == TEXTS["nl"].get(key):
            continue
        pieces = [re.escape(p) for p in re.split(r"\{[a-z_]+\}", english)]
        pattern = r"[^|]{1,80}?".join(pieces)
        if " " in english.strip():
            if re.search(r"(?<![\w])" + pattern + r"(?![\w])", text):
                found.append(english)
        elif any(p == english for p in parts):
            found.append(english)
    return found


def _raw_codes(parts: list[str]) -> list[str]:
    """Vocabulary codes shown as they are: area kinds, measures, statuses (agreements,
    progress, jobs) - where the Dutch word differs from the code."""
    from opgave import i18n, vocabulary

    codes = {*vocabulary.AREA_KINDS, *vocabulary.MEASURES, *vocabulary.AGREEMENT_KINDS}
    codes |= {*vocabulary.AGREEMENT_STATUSES, *vocabulary.ROLES}
    codes |= {"on_track", "behind", "no_data", "reached", "period_over"}
    codes |= {"queued", "running", "failed", "loading", "summarising"}
    dutch = {w[0] for words in i18n.WORDS.values() for w in words.values()}
    text = " ".join(parts)
    return sorted(c for c in codes - dutch if re.search(rf"(?<![\w-]){c}(?![\w-])", text))


def test_dutch_pages_show_no_english_and_no_raw_codes(client: TestClient) -> None:
    csrf = sign_in(client, "rijk")
    assert upload(client, csrf, GOOD_PLANS, date="2025-01-01").status_code == 200
    form = {"csrf_token": csrf, "status": "in_progress", "version": "1", "reason": "gestart"}
    assert client.post("/agreements/ZR-FASERING", data=form).status_code == 200
    refused = upload(client, csrf, BAD_PLANS, "fout.csv")
    pages = {"/upload (refused)": refused.text}
    for path in (
        "/",
        "/map",
        "/map?measure=capacity",
        "/map?measure=planned&division=municipality",
        "/regions",
        "/regions/VS-MRA",
        "/regions/VS-ZR",
        "/regions/PV27",
        "/regions/GM0363",
        "/agreements/ZR-FASERING",
        "/upload",
        "/scenarios",
        "/regions/NOPE",
        "/no-such-page",
        "/regions/VS-ZR?as_of=gisteren",
    ):
        pages[path] = client.get(path).text
    problems = {}
    for path, html in pages.items():
        parts = visible_text(html)
        leaks, codes = _english_leaks(parts), _raw_codes(parts)
        if leaks or codes:
            problems[path] = (leaks, codes)
        assert not re.search(r"\d%-+\s*<|\(1 doelen\)|>\s*-\d{4}", html), path
    assert problems == {}
    titles = {re.search(r"<title>([^<]+)</title>", html).group(1) for html in pages.values()}  # type: ignore[union-attr]
    assert len(titles) >= len(pages) - 3  # the refused and the blank upload form share one


def test_an_unknown_region_is_a_404_page_that_says_so(client: TestClient) -> None:
    sign_in(client, "kijker")
    page = client.get("/regions/NOPE")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Onbekend gebied: NOPE" in page.text and 'href="/regions"' in page.text
    assert "<title>Onbekend gebied: NOPE - opgave</title>" in page.text
    missing = client.get("/nergens")
    assert missing.status_code == 404 and "Pagina niet gevonden" in missing.text
    api = client.get("/api/v1/nergens")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    wrong_date = client.get("/regions/VS-ZR?as_of=gisteren")
    assert wrong_date.status_code == 400 and "JJJJ-MM-DD" in wrong_date.text


def test_charts_use_dutch_separators_and_carry_their_numbers_as_a_table(
    client: TestClient,
) -> None:
    sign_in(client, "kijker")
    page = client.get("/").text
    data = re.search(r'<script type="application/json" id="chart-overview-data">(.+?)</script>',
                     page)  # fmt: skip
    assert data is not None
    assert json.loads(data.group(1))["layout"]["separators"] == ",."
    table = page.split('data-testid="chart-table"')[1].split("</table>")[0]
    assert "900.000" in table and "Opgave" in table
    english = client.get("/lang/en?next=/").text
    assert '"separators":".,"' in english


def test_a_dutch_page_says_what_the_refusal_was(client: TestClient) -> None:
    csrf = sign_in(client, "rijk")
    refused = upload(client, csrf, GOOD_PLANS, date="gisteren")
    assert refused.status_code == 400
    said = re.search(r'data-testid="upload-error"><p>([^<]*)</p>', refused.text)
    assert said is not None
    assert unescape(said.group(1)) == "date verwacht een datum JJJJ-MM-DD, niet 'gisteren'"
    client.get("/lang/en")
    english = upload(client, csrf, GOOD_PLANS, date="gisteren").text
    assert "date expects a date YYYY-MM-DD, got &#39;gisteren&#39;" in english


def test_a_refusal_without_a_code_or_with_problems_keeps_the_word_of_its_status() -> None:
    assert error_words(ApiError(400, "some English"), "nl") == translator("nl")("bad_request")
    assert error_words(ApiError(400, "some English"), "en") == "some English"
    with_problems = ApiError.refused(
        422, "plan_list_problems", count=2, problems=[{"message": "x"}]
    )
    assert error_words(with_problems, "nl") == translator("nl")("upload_problems")
    assert error_words(ApiError.refused(404, "unknown_plan", plan="P"), "nl") == "onbekend plan 'P'"


def test_figures_resting_on_synthetic_data_carry_the_mark_in_every_column(
    client: TestClient, url: str
) -> None:
    """With the demo loaded, the overview's region table marks realised, capacity and plans
    as synthetic wherever they rest on it (the CLI does; the capacity and plans columns did
    not), and so does a region's table of targets."""
    done = CliRunner().invoke(cli_app, ["--db", url, "demo", "--plans", "400", "--seed", "3"])
    assert done.exit_code == 0, done.stderr
    sign_in(client, "rijk")
    page = client.get("/").text
    table = page[page.index('data-testid="region-headlines"') :]
    rows = re.findall(r'<tr data-area="[^"]+">(.*?)</tr>', table[: table.index("</table>")], re.S)
    cells = [re.findall(r"<td.*?</td>", row, re.S) for row in rows]
    with_capacity = [c for c in cells if 'data-figure="capacity_ratio" data-value=""' not in c[4]]
    assert with_capacity
    assert all("synthetic-mark" in c[4] for c in with_capacity)  # capacity
    assert all("synthetic-mark" in c[5] for c in cells if 'data-value="0"' not in c[5])  # plans
    region = client.get("/regions/VS-MRA").text
    targets = region[region.index('data-testid="targets"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", targets[: targets.index("</table>")], re.S)
    capacity = [re.findall(r"<td.*?</td>", r, re.S)[-1] for r in rows if "<td" in r]
    capacity = [c for c in capacity if 'class="good"' in c or 'class="bad"' in c]
    assert capacity and all("synthetic-mark" in c for c in capacity)
