"""The REST API: reads equal the CLI's functions, uploads validate like the CLI, writes are
scoped, versioned (409 on a stale version) and audited. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_fixtures import (
    BAD_PLANS,
    GOOD_PLANS,
    PASSWORD,
    PLAN_HEADER,
    LoadedTemplates,
    postgres_server,
)

from opgave import store
from opgave.api import create_app
from opgave.cli import app as cli_app
from opgave.model import Application, Award
from opgave.service import Service, jobs, monitoring, pipeline
from opgave.service.jobs import JobRegistry, JobsFull


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedTemplates]:
    made = LoadedTemplates(tmp_path_factory.mktemp("api"))
    yield made
    made.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def loaded_url(request: pytest.FixtureRequest, templates: LoadedTemplates) -> Iterator[str]:
    """An initialised database with users (a copy of a template made once per module)."""
    if request.param == "sqlite":
        yield templates.sqlite()
        return
    server = postgres_server()
    if server is None:
        pytest.skip("PostgreSQL not available: set OPGAVE_TEST_DATABASE_URL to run these")
    url = templates.postgresql(server)
    yield url
    templates.drop(url)


@pytest.fixture
def tokens(loaded_url: str, templates: LoadedTemplates) -> dict[str, str]:
    return templates.tokens["postgresql" if loaded_url.startswith("postgresql") else "sqlite"]


@pytest.fixture
def client(loaded_url: str, tokens: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(loaded_url)
    with TestClient(app) as c:
        yield c
    app.state.opgave.service.engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client: TestClient, token: str, text: str, date: str = "2025-01-01") -> Any:
    return client.post(
        "/api/v1/plans/upload",
        headers=bearer(token),
        files={"file": ("plannen.csv", text.encode(), "text/csv")},
        data={"date": date},
    )


def test_openapi_is_published_with_every_capability_and_error_answers(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/areas",
        "/api/v1/targets",
        "/api/v1/status/{area_id}",
        "/api/v1/plans",
        "/api/v1/plans/upload",
        "/api/v1/realisations",
        "/api/v1/meetings",
        "/api/v1/agreements",
        "/api/v1/agreements/{agreement_id}",
        "/api/v1/overview",
        "/api/v1/awards",
        "/api/v1/applications",
        "/api/v1/jobs/forecast",
        "/api/v1/jobs/plans",
        "/api/v1/jobs/{job_id}",
        "/api/v1/forecast",
    ):
        assert path in paths, path
    assert {"202", "403", "429"} <= set(paths["/api/v1/jobs/forecast"]["post"]["responses"])
    assert {"202", "403", "422", "429"} <= set(paths["/api/v1/jobs/plans"]["post"]["responses"])
    patch = paths["/api/v1/agreements/{agreement_id}"]["patch"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(patch["responses"])
    assert "Conflict" in json.dumps(patch["responses"]["409"])
    change = spec["components"]["schemas"]["StatusChange"]
    assert change["properties"]["version"]["type"] == "integer"


def test_reads_need_a_user_and_a_valid_token(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/v1/overview").status_code == 401
    assert client.get("/api/v1/overview", headers=bearer("opg_nonsense")).status_code == 401
    answer = client.get("/api/v1/overview", headers=bearer(tokens["kijker"]))
    assert answer.status_code == 200
    assert answer.json()["headline"]["target"]["value_min"] == 900_000


def test_overview_and_status_equal_the_monitor(
    client: TestClient, tokens: dict[str, str], loaded_url: str
) -> None:
    assert upload(client, tokens["rijk"], GOOD_PLANS).status_code == 200
    svc = Service(loaded_url)
    expected = monitoring.overview(svc)
    status = monitoring.status(svc, "PV27")
    svc.engine.dispose()
    got = client.get("/api/v1/overview", headers=bearer(tokens["kijker"])).json()
    assert got == json.loads(json.dumps(asdict(expected), default=str))
    assert got["headline"]["capacity"]["planned_all"] == 4000
    assert got["headline"]["plans"] == 3
    answer = client.get("/api/v1/status/PV27", headers=bearer(tokens["kijker"])).json()
    assert answer == json.loads(json.dumps(asdict(status), default=str))
    assert [a["target"]["id"] for a in answer["targets"]] == [
        r.target["id"] for r in status.targets
    ]
    assert answer["targets"][0]["capacity"]["planned_all"] == 2000  # Amsterdam's two plans


def test_plans_filter_sort_and_page(client: TestClient, tokens: dict[str, str]) -> None:
    assert upload(client, tokens["rijk"], GOOD_PLANS).status_code == 200
    h = bearer(tokens["kijker"])
    page = client.get("/api/v1/plans?sort=homes&order=desc&limit=2&offset=0", headers=h).json()
    assert page["total"] == 3
    assert [p["id"] for p in page["items"]] == ["P-RTD-1", "P-AMS-1"]
    assert page["items"][0]["version"] == 1
    second = client.get("/api/v1/plans?sort=homes&order=desc&limit=2&offset=2", headers=h).json()
    assert [p["id"] for p in second["items"]] == ["P-AMS-2"]
    mra = client.get("/api/v1/plans?area=VS-MRA", headers=h).json()
    assert sorted(p["id"] for p in mra["items"]) == ["P-AMS-1", "P-AMS-2"]
    hard = client.get("/api/v1/plans?planstatus=1A&planstatus=2B", headers=h).json()
    assert sorted(p["id"] for p in hard["items"]) == ["P-AMS-1", "P-RTD-1"]
    assert client.get("/api/v1/plans?q=sluis", headers=h).json()["total"] == 1
    assert client.get("/api/v1/plans?area=NOWHERE", headers=h).status_code == 404
    assert client.get("/api/v1/plans?sort=colour", headers=h).status_code == 422
    detail = client.get("/api/v1/plans/P-AMS-1", headers=h).json()
    assert detail["plan"]["gemeente_id"] == "GM0363"


def test_upload_reports_every_row_problem_and_writes_nothing(
    client: TestClient, tokens: dict[str, str]
) -> None:
    answer = upload(client, tokens["rijk"], BAD_PLANS)
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    where = {(p["row"], p["field"]) for p in problems}
    assert (3, "homes") in where
    assert {(4, "gemeente_code"), (4, "planstatus"), (4, "last_year")} <= where
    assert all(p["file"] == "plannen.csv" for p in problems)
    assert client.get("/api/v1/plans", headers=bearer(tokens["rijk"])).json()["total"] == 0
    binary = client.post(
        "/api/v1/plans/upload",
        headers=bearer(tokens["rijk"]),
        files={"file": ("plannen.xlsx", b"not a zip", "application/octet-stream")},
    )
    assert binary.status_code == 422
    wrong = client.post(
        "/api/v1/plans/upload",
        headers=bearer(tokens["rijk"]),
        files={"file": ("plannen.pdf", b"%PDF", "application/pdf")},
    )
    assert wrong.status_code == 422
    assert "csv" in wrong.json()["problems"][0]["message"]


def test_a_plan_version_counts_its_changes(client: TestClient, tokens: dict[str, str]) -> None:
    assert upload(client, tokens["rijk"], GOOD_PLANS).status_code == 200
    changed = GOOD_PLANS.replace("Haven-Stad,GM0363,1200", "Haven-Stad,GM0363,1500")
    report = upload(client, tokens["rijk"], changed, date="2025-06-01").json()
    assert report["changed"] == ["P-AMS-1"]
    plan = client.get("/api/v1/plans/P-AMS-1", headers=bearer(tokens["rijk"])).json()
    assert plan["plan"]["version"] == 2 and plan["plan"]["homes"] == 1500
    assert plan["history"][0]["homes"] == 1200
    trail = client.get(
        "/api/v1/audit?table=plan&record_id=P-AMS-1", headers=bearer(tokens["rijk"])
    ).json()
    assert [e["user_name"] for e in trail] == ["rijk", "rijk"]  # both imports list the plan
    assert trail[0]["after"]["changed"] == ["P-AMS-1"]
    assert trail[0]["after"]["changes"]["P-AMS-1"] == {"homes": [1200, 1500]}
    assert report["changes"] == {"P-AMS-1": {"homes": [1200, 1500]}}


def test_editors_write_only_inside_their_areas(client: TestClient, tokens: dict[str, str]) -> None:
    mra_plans = PLAN_HEADER + "P-AMS-1,Haven-Stad,GM0363,1200,1A,2025,2028\n"
    assert upload(client, tokens["mra"], mra_plans).status_code == 200
    refused = upload(client, tokens["zr"], mra_plans)
    assert refused.status_code == 403
    assert "GM0363" in refused.json()["problems"][0]["message"]
    assert upload(client, tokens["kijker"], mra_plans).status_code == 403
    outside = client.patch(
        "/api/v1/agreements/MRA-CONCEPT",
        headers=bearer(tokens["zr"]),
        json={"status": "in_progress", "version": 1},
    )
    assert outside.status_code == 403
    inside = client.patch(
        "/api/v1/agreements/MRA-NZKG",  # on a location inside the MRA
        headers=bearer(tokens["mra"]),
        json={"status": "in_progress", "version": 1},
    )
    assert inside.status_code == 200, inside.text


def test_a_stale_write_gets_409_with_what_changed(
    client: TestClient, tokens: dict[str, str]
) -> None:
    h = bearer(tokens["rijk"])
    before = client.get("/api/v1/agreements/ZR-FASERING", headers=h).json()["agreement"]
    assert before["version"] == 1
    first = client.patch(
        "/api/v1/agreements/ZR-FASERING",
        headers=bearer(tokens["zr"]),
        json={"status": "in_progress", "version": 1, "reason": "gestart"},
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(
        "/api/v1/agreements/ZR-FASERING", headers=h, json={"status": "done", "version": 1}
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["your_version"] == 1 and body["current_version"] == 2
    assert body["current"]["status"] == "in_progress"
    assert body["changes"][0]["user_name"] == "zr"
    assert body["changes"][0]["before"]["status"] == "open"
    assert body["changes"][0]["after"]["status"] == "in_progress"
    detail = client.get("/api/v1/agreements/ZR-FASERING", headers=h).json()
    assert [e["status"] for e in detail["history"]][-1] == "in_progress"
    assert detail["audit"][0]["user_name"] == "zr"
    listed = client.get("/api/v1/agreements?area=VS-ZR&status=in_progress", headers=h).json()
    assert [a["id"] for a in listed["items"]] == ["ZR-FASERING"]
    bad = client.patch(
        "/api/v1/agreements/ZR-FASERING", headers=h, json={"status": "finished", "version": 2}
    )
    assert bad.status_code == 422
    missing = client.patch(
        "/api/v1/agreements/NOPE", headers=h, json={"status": "done", "version": 1}
    )
    assert missing.status_code == 404


def test_of_two_concurrent_writers_on_one_version_one_wins(
    loaded_url: str, tokens: dict[str, str]
) -> None:
    app = create_app(loaded_url)
    results: list[int] = []

    def write(status: str) -> None:
        with TestClient(app) as c:
            answer = c.patch(
                "/api/v1/agreements/ZR-MINISTERIES",
                headers=bearer(tokens["rijk"]),
                json={"status": status, "version": 1},
            )
            results.append(answer.status_code)

    threads = [threading.Thread(target=write, args=(s,)) for s in ("in_progress", "done")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.state.opgave.service.engine.dispose()
    assert sorted(results) == [200, 409]


def test_browser_sessions_need_the_csrf_token(client: TestClient, tokens: dict[str, str]) -> None:
    assert (
        client.post("/api/v1/auth/login", json={"name": "rijk", "password": "wrong"}).status_code
        == 401
    )
    me = client.post("/api/v1/auth/login", json={"name": "rijk", "password": PASSWORD})
    assert me.status_code == 200
    csrf = me.json()["csrf_token"]
    change = {"status": "in_progress", "version": 1}
    without = client.patch("/api/v1/agreements/ZR-ACTUALISATIE", json=change)
    assert without.status_code == 403
    with_token = client.patch(
        "/api/v1/agreements/ZR-ACTUALISATIE", json=change, headers={"X-CSRF-Token": csrf}
    )
    assert with_token.status_code == 200
    token = client.post(
        "/api/v1/auth/tokens", json={"label": "script"}, headers={"X-CSRF-Token": csrf}
    ).json()["token"]
    assert client.get("/api/v1/auth/me", headers=bearer(token)).json()["name"] == "rijk"
    assert client.post("/api/v1/auth/logout").status_code == 403  # a session needs its token
    assert client.get("/api/v1/auth/me").status_code == 200
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_changes_made_outside_the_api_are_seen(
    client: TestClient, tokens: dict[str, str], loaded_url: str, tmp_path: Any
) -> None:
    h = bearer(tokens["kijker"])
    assert client.get("/api/v1/plans", headers=h).json()["total"] == 0
    client.app.state.opgave.service.check_interval_s = 0  # type: ignore[attr-defined]
    plan_list = tmp_path / "plannen.csv"
    plan_list.write_text(GOOD_PLANS, encoding="utf-8")
    result = CliRunner().invoke(
        cli_app, ["--db", loaded_url, "ingest", "plans", str(plan_list), "--date", "2025-01-01"]
    )
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/plans", headers=h).json()["total"] == 3


def test_other_reads(client: TestClient, tokens: dict[str, str]) -> None:
    h = bearer(tokens["kijker"])
    provinces = client.get("/api/v1/areas?kind=province&sort=name", headers=h).json()
    assert provinces["total"] == 12 and provinces["items"][0]["name"] == "Drenthe"
    inside = client.get("/api/v1/areas?within=VS-ZR&kind=municipality", headers=h).json()
    assert "GM0599" in {a["id"] for a in inside["items"]}
    assert "GRP-VA" in client.get("/api/v1/areas/VS-ZR", headers=h).json()["child_ids"]
    targets = client.get("/api/v1/targets?area=NL01&measure=homes_built&year=2025", headers=h)
    assert "NL-WONINGEN-2021-2030" in {t["id"] for t in targets.json()["items"]}
    later = client.get("/api/v1/targets?area=NL01&year=2035", headers=h).json()["items"]
    assert {t["id"] for t in later} == {"NL-PLANCAPACITEIT-130"}  # no period: always applies
    realised = client.get("/api/v1/realisations?area=NL01&year=2022", headers=h).json()
    assert realised["total"] > 0 and all(r["first_year"] <= 2022 for r in realised["items"])
    assert len(client.get("/api/v1/meetings", headers=h).json()) > 0
    assert client.get("/api/v1/status/NOWHERE", headers=h).status_code == 404
    assert client.get("/api/v1/status/NL01?as_of=2024-13-45", headers=h).status_code in (400, 422)
    forecast = client.get("/api/v1/forecast", headers=h)
    assert forecast.status_code == 404
    assert forecast.json()["detail"].startswith("no forecast run yet: start one with POST")
    values = client.get("/api/v1/map?measure=progress", headers=h).json()
    assert len(values["areas"]) == 12 and values["boundaries"] is True  # shipped CBS/Kadaster
    municipal = client.get("/api/v1/map?division=municipality&measure=planned", headers=h).json()
    assert len(municipal["areas"]) == 342  # the 2025 division, with no ingest geo


def _add_funding(url: str) -> None:
    """Three applications (Amsterdam, Rotterdam twice) and an award for each."""
    engine = store.connect(url)
    with store.transaction(engine) as session:
        for app_id, gemeente, instrument, eur, homes in (
            ("A-AMS", "GM0363", "WBI-T4", 5_000_000, 1000),
            ("A-RTD", "GM0599", "WBI-T1", 9_000_000, 1500),
            ("A-RTD-2", "GM0599", "WBI-T4", 2_000_000, 300),
        ):
            session.add(
                Application(
                    id=app_id, instrument_id=instrument, gemeente_id=gemeente, homes=homes,
                    affordable_homes=homes // 2, requested_eur=eur, public_deficit_eur=2 * eur,
                    cofinancing_eur=eur, start_year=2024, score_noodzaak=7.5,
                )
            )  # fmt: skip
            session.flush()
            session.add(
                Award(
                    instrument_id=instrument, scheme_name="test", application_id=app_id,
                    gemeente_id=gemeente, amount_eur=eur, homes=homes,
                    affordable_homes=homes // 2, method="optimum",
                    decided_on=dt.date(2022, 12, 15),
                )
            )  # fmt: skip
    engine.dispose()


def test_awards_and_applications_filter_sort_and_page(
    client: TestClient, tokens: dict[str, str], loaded_url: str
) -> None:
    _add_funding(loaded_url)
    h = bearer(tokens["kijker"])
    awards = client.get("/api/v1/awards?sort=amount_eur&order=desc", headers=h).json()
    assert awards["total"] == 3
    assert [a["application_id"] for a in awards["items"]] == ["A-RTD", "A-AMS", "A-RTD-2"]
    assert awards["items"][0]["decided_on"] == "2022-12-15"
    mra = client.get("/api/v1/awards?area=VS-MRA", headers=h).json()
    assert [a["gemeente_id"] for a in mra["items"]] == ["GM0363"]
    # an instrument includes its tranches: WBI-T4 lies under N5-WONINGBOUWMIDDELEN
    n5 = client.get("/api/v1/awards?instrument=N5-WONINGBOUWMIDDELEN", headers=h).json()
    assert sorted(a["application_id"] for a in n5["items"]) == ["A-AMS", "A-RTD-2"]
    both = client.get("/api/v1/awards?instrument=WBI&area=GM0599", headers=h).json()
    assert [a["application_id"] for a in both["items"]] == ["A-RTD"]
    paged = client.get("/api/v1/applications?sort=homes&limit=2&offset=1", headers=h).json()
    assert paged["total"] == 3 and [a["id"] for a in paged["items"]] == ["A-AMS", "A-RTD"]
    assert paged["items"][0]["score_noodzaak"] == 7.5
    rotterdam = client.get("/api/v1/applications?area=VS-ZR&instrument=WBI-T4", headers=h)
    assert [a["id"] for a in rotterdam.json()["items"]] == ["A-RTD-2"]
    assert client.get("/api/v1/awards?instrument=NOPE", headers=h).status_code == 404
    assert client.get("/api/v1/applications?area=NOWHERE", headers=h).status_code == 404
    assert client.get("/api/v1/awards?sort=colour", headers=h).status_code == 422
    assert client.get("/api/v1/awards").status_code == 401


def wait_for(client: TestClient, job_id: str, token: str) -> dict[str, Any]:
    """Poll a job until it is done or failed (at most 60 s); every answer is in range."""
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token)).json()
        assert job["status"] in ("queued", "running", "done", "failed", "cancelled")
        assert 0.0 <= job["progress"] <= 1.0
        if job["status"] in ("done", "failed"):
            return job
        assert job["result"] is None and time.monotonic() < deadline
        time.sleep(0.05)


def test_a_forecast_runs_as_a_job_and_equals_the_cli(
    client: TestClient, tokens: dict[str, str], loaded_url: str, tmp_path: Any
) -> None:
    assert upload(client, tokens["rijk"], GOOD_PLANS).status_code == 200
    scenario = tmp_path / "meer.toml"
    scenario.write_text(
        '[[extra_plan]]\nid = "X1"\ngemeente_id = "GM0599"\nhomes = 5000\n'
        'planstatus = "1A"\nfirst_year = 2026\nlast_year = 2028\n'
    )
    runner = CliRunner()
    added = runner.invoke(cli_app, ["--db", loaded_url, "scenario", "add", "meer", str(scenario)])
    assert added.exit_code == 0, added.output
    request = {"area": "VS-ZR", "runs": 200, "seed": 3, "scenario": "meer", "vs": "base"}
    viewer = client.post("/api/v1/jobs/forecast", headers=bearer(tokens["kijker"]), json=request)
    assert viewer.status_code == 403
    started = client.post("/api/v1/jobs/forecast", headers=bearer(tokens["mra"]), json=request)
    assert started.status_code == 202, started.text
    assert started.headers["location"] == f"/api/v1/jobs/{started.json()['id']}"
    assert started.json()["params"] == request and started.json()["user_name"] == "mra"
    job = wait_for(client, started.json()["id"], tokens["kijker"])
    assert job["status"] == "done" and job["progress"] == 1.0, job["error"]
    cli_run = runner.invoke(
        cli_app,
        ["--db", loaded_url, "forecast", "--area", "VS-ZR", "--runs", "200", "--seed", "3",
         "--scenario", "meer", "--vs", "base", "--json"],
    )  # fmt: skip
    assert cli_run.exit_code == 0, cli_run.output
    assert job["result"] == json.loads(cli_run.stdout)
    assert job["result"]["targets"], "the Zuidelijke Randstad has homes targets"
    more = next(t for t in job["result"]["targets"] if t["target_id"] == "ZR-VA-2040")
    assert more["p50"] > more["vs"]["p50"]  # 5,000 more hard-plan homes in Rotterdam
    assert job["result"]["plans"] == 4 and job["result"]["scenario"] == "meer"
    latest = client.get("/api/v1/forecast", headers=bearer(tokens["kijker"])).json()
    assert latest["job_id"] == job["id"] and latest["targets"] == job["result"]["targets"]
    listed = client.get("/api/v1/jobs", headers=bearer(tokens["kijker"])).json()
    assert [j["id"] for j in listed] == [job["id"]] and listed[0]["result"] is None


def test_forecast_jobs_refuse_what_cannot_run(client: TestClient, tokens: dict[str, str]) -> None:
    h = bearer(tokens["rijk"])
    post = lambda body: client.post("/api/v1/jobs/forecast", headers=h, json=body)  # noqa: E731
    unknown = post({"scenario": "nope"})
    assert unknown.status_code == 404 and "unknown scenario 'nope'" in unknown.json()["detail"]
    assert post({"area": "NOWHERE"}).status_code == 404
    assert post({"runs": "500"}).status_code == 422  # strict: a string is not a number
    assert post({"runs": True}).status_code == 422
    assert post({"runs": 10}).status_code == 422
    assert post({"colour": "red"}).status_code == 422
    assert client.post("/api/v1/jobs/forecast", json={}).status_code == 401
    missing = client.get("/api/v1/jobs/0123456789abcdef", headers=h)
    assert missing.status_code == 404 and "unknown job" in missing.json()["detail"]
    base = post({"runs": 100, "scenario": "base"})
    assert base.status_code == 202
    assert wait_for(client, base.json()["id"], tokens["rijk"])["status"] == "done"


GATE = threading.Event()


@jobs.kind("test-blocked")
def _blocked(svc: Any, params: Any, spec: Any, file: Any, report: Any, done: Any) -> dict[str, Any]:
    report(0.5, "waiting")
    GATE.wait(10)
    return {"ok": True}


@jobs.kind("test-broken")
def _broken(svc: Any, params: Any, spec: Any, file: Any, report: Any, done: Any) -> dict[str, Any]:
    raise ValueError("no plans")


@jobs.kind("test-quick")
def _quick(svc: Any, params: Any, spec: Any, file: Any, report: Any, done: Any) -> dict[str, Any]:
    return {}


def settled(registry: JobRegistry, job_id: str, *statuses: str) -> jobs.Job:
    """Poll the registry until the job is in one of ``statuses`` (at most 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        job = registry.get(job_id)
        assert job is not None
        if job.status in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.01)


def test_the_job_registry_is_bounded_and_reports_failures(templates: LoadedTemplates) -> None:
    svc = Service(templates.sqlite(), concurrent=True)
    registry = JobRegistry(svc, max_jobs=3, max_waiting=1, kinds=("forecast",))
    GATE.clear()
    first = registry.submit("forecast", {}, "rijk", jobs.Work("test-blocked", {}))
    deadline = time.monotonic() + 10
    while (registry.get(first.id) or first).stage != "waiting" and time.monotonic() < deadline:
        time.sleep(0.01)
    running = registry.get(first.id)
    assert running is not None and running.progress == 0.5 and running.status == "running"
    second = registry.submit("forecast", {}, "rijk", jobs.Work("test-broken", {}))
    with pytest.raises(JobsFull):  # one may wait, the second may not
        registry.submit("forecast", {}, "rijk", jobs.Work("test-broken", {}))
    GATE.set()
    failed = settled(registry, second.id, "failed")
    done = registry.get(first.id)
    assert done is not None and done.status == "done" and done.result == {"ok": True}
    assert failed.status == "failed" and failed.error == "no plans"
    assert registry.latest_done("forecast") == done  # a copy: the worker may go on changing it
    for _ in range(3):
        job = registry.submit("forecast", {}, "rijk", jobs.Work("test-quick", {}))
        settled(registry, job.id, "done")
    assert len(registry.recent()) == 3 and registry.get(first.id) is None  # oldest forgotten
    registry.close()
    svc.engine.dispose()


def start_plan_job(
    client: TestClient, token: str, text: str, name: str = "plannen.csv", **form: str
) -> Any:
    return client.post(
        "/api/v1/jobs/plans",
        headers=bearer(token),
        files={"file": (name, text.encode(), "text/csv")},
        data={"date": "2025-01-01", **form},
    )


def other_database(loaded_url: str, templates: LoadedTemplates) -> str:
    """A second copy of the loaded database on the same backend."""
    if loaded_url.startswith("postgresql"):
        server = postgres_server()
        assert server is not None
        return templates.postgresql(server)
    return templates.sqlite()


def test_a_plan_list_imported_as_a_job_equals_the_synchronous_upload(
    client: TestClient, tokens: dict[str, str], loaded_url: str, templates: LoadedTemplates
) -> None:
    started = start_plan_job(client, tokens["rijk"], GOOD_PLANS, partial="true")
    assert started.status_code == 202, started.text
    assert started.headers["location"] == f"/api/v1/jobs/{started.json()['id']}"
    params = started.json()["params"]
    assert params == {"file": "plannen.csv", "bytes": len(GOOD_PLANS), "date": "2025-01-01",
                      "partial": True}  # fmt: skip
    assert started.json()["kind"] == "plans" and started.json()["user_name"] == "rijk"
    job = wait_for(client, started.json()["id"], tokens["kijker"])
    assert job["status"] == "done" and job["stage"] == "done", job
    assert job["problems"] == [] and job["error"] is None
    other_url = other_database(loaded_url, templates)
    other = create_app(other_url)
    try:
        with TestClient(other) as sync_client:
            answer = sync_client.post(
                "/api/v1/plans/upload",
                headers=bearer(tokens["rijk"]),
                files={"file": ("plannen.csv", GOOD_PLANS.encode(), "text/csv")},
                data={"date": "2025-01-01", "partial": "true"},
            )
            assert answer.status_code == 200
            assert job["result"] == answer.json()
            assert job["result"]["added"] == ["P-AMS-1", "P-AMS-2", "P-RTD-1"]
            h = bearer(tokens["kijker"])
            by_job = client.get("/api/v1/plans", headers=h).json()
            by_request = sync_client.get("/api/v1/plans", headers=h).json()
            assert by_job == by_request and by_job["total"] == 3
            trail = client.get("/api/v1/audit?table=plan&record_id=P-RTD-1", headers=h).json()
            assert [(e["user_name"], e["action"]) for e in trail] == [("rijk", "upload")]
    finally:
        other.state.opgave.service.engine.dispose()
        templates.drop(other_url)
    listed = client.get("/api/v1/jobs", headers=bearer(tokens["kijker"])).json()
    assert [j["kind"] for j in listed] == ["plans"] and listed[0]["result"] is None


def test_a_bad_plan_list_fails_its_job_with_the_same_problems_and_writes_nothing(
    client: TestClient, tokens: dict[str, str]
) -> None:
    h = bearer(tokens["rijk"])
    at_once = upload(client, tokens["rijk"], BAD_PLANS)
    started = start_plan_job(client, tokens["rijk"], BAD_PLANS)
    assert at_once.status_code == 422 and started.status_code == 202
    job = wait_for(client, started.json()["id"], tokens["rijk"])
    assert job["status"] == "failed" and job["error_status"] == 422 and job["result"] is None
    assert job["problems"] == at_once.json()["problems"] and len(job["problems"]) >= 4
    assert job["error"] == at_once.json()["detail"]
    assert client.get("/api/v1/plans", headers=h).json()["total"] == 0
    assert client.get("/api/v1/audit?table=plan", headers=h).json() == []
    # what is cheap to check is refused at once, without a job
    wrong = start_plan_job(client, tokens["rijk"], "%PDF", name="plannen.pdf")
    assert wrong.status_code == 422 and "csv" in wrong.json()["problems"][0]["message"]
    binary = start_plan_job(client, tokens["rijk"], "not a zip", name="plannen.xlsx")
    assert binary.status_code == 422
    binary_at_once = client.post(
        "/api/v1/plans/upload",
        headers=h,
        files={"file": ("plannen.xlsx", b"not a zip", "application/octet-stream")},
    )
    assert binary.json() == binary_at_once.json()
    binary_csv = client.post(
        "/api/v1/jobs/plans",
        headers=h,
        files={"file": ("plannen.csv", b"plan_id\x00\x01\x02", "text/csv")},
    )
    assert binary_csv.status_code == 422
    assert "readable" in binary_csv.json()["problems"][0]["message"]
    # Windows-1252 text is read (issue 12): the job starts and names what is missing
    latin = client.post(
        "/api/v1/jobs/plans",
        headers=h,
        files={"file": ("plannen.csv", "plan_id\nP-\xe9".encode("latin-1"), "text/csv")},
    )
    assert latin.status_code == 202
    latin_job = wait_for(client, latin.json()["id"], tokens["rijk"])
    assert latin_job["status"] == "failed" and latin_job["error_status"] == 422
    assert any("column is missing" in p["message"] for p in latin_job["problems"])
    assert (
        start_plan_job(client, tokens["rijk"], GOOD_PLANS, date="1-1-2025").status_code == 422
    )  # format date
    listed = [j["id"] for j in client.get("/api/v1/jobs", headers=h).json()]
    assert set(listed) == {job["id"], latin_job["id"]}


def test_plan_list_jobs_keep_editors_to_their_areas(
    client: TestClient, tokens: dict[str, str]
) -> None:
    mra_plans = PLAN_HEADER + "P-AMS-1,Haven-Stad,GM0363,1200,1A,2025,2028\n"
    assert start_plan_job(client, tokens["kijker"], mra_plans).status_code == 403
    assert client.post("/api/v1/jobs/plans", files={"file": ("a.csv", b"x")}).status_code == 401
    refused = start_plan_job(client, tokens["zr"], mra_plans)
    assert refused.status_code == 202
    job = wait_for(client, refused.json()["id"], tokens["zr"])
    at_once = upload(client, tokens["zr"], mra_plans)
    assert at_once.status_code == 403
    assert job["status"] == "failed" and job["error_status"] == 403
    assert job["problems"] == at_once.json()["problems"]
    assert "GM0363" in job["problems"][0]["message"]
    assert client.get("/api/v1/plans", headers=bearer(tokens["zr"])).json()["total"] == 0
    allowed = wait_for(client, start_plan_job(client, tokens["mra"], mra_plans).json()["id"],
                       tokens["mra"])  # fmt: skip
    assert allowed["status"] == "done" and allowed["result"]["added"] == ["P-AMS-1"]


def test_a_plan_import_reports_its_stages_and_progress(
    client: TestClient, tokens: dict[str, str]
) -> None:
    state = client.app.state.opgave  # type: ignore[attr-defined]
    principal, _ = state.credential("token", tokens["rijk"])
    assert principal is not None
    many = PLAN_HEADER + "".join(
        f"P-{i:04d},Plan {i},GM0363,{10 + i % 50},1A,2026,2028\n" for i in range(1100)
    )
    seen: list[tuple[float, str]] = []
    report = pipeline.import_upload(
        state.service, principal, "veel.csv", many.encode(), captured=dt.date(2025, 1, 1),
        progress=lambda share, stage: seen.append((share, stage)),
    )  # fmt: skip
    assert len(report.added) == 1100
    stages = [stage for _, stage in seen]
    assert stages[0] == "reading" and "validating" in stages
    assert stages.index("reading") < stages.index("validating") < stages.index("writing")
    shares = [share for share, _ in seen]
    assert shares == sorted(shares) and shares[0] > 0 and shares[-1] < 1
    assert stages.count("writing") >= 3  # at the start, after 1,000 plans, at the end


APPLICATIONS = (
    "application_id,gemeente_code,homes,affordable_homes,requested_eur,public_deficit_eur,"
    "cofinancing_eur,start_year\n"
    "A-AMS,GM0363,800,500,2000000,5000000,3000000,2024\n"
    "A-RTM,GM0599,600,400,1500000,4000000,2500000,2024\n"
)


def upload_applications(client: TestClient, token: str, text: str) -> Any:
    return client.post(
        "/api/v1/applications/upload",
        headers=bearer(token),
        files={"file": ("aanvragen.csv", text.encode(), "text/csv")},
        data={"instrument": "WBI-T4"},
    )


def test_applications_upload_validates_scopes_and_audits(
    client: TestClient, tokens: dict[str, str]
) -> None:
    bad = upload_applications(client, tokens["rijk"], APPLICATIONS.replace(",800,", ",veel,"))
    assert bad.status_code == 422
    assert any(p["column"] == "homes" and p["row"] == 2 for p in bad.json()["problems"])
    refused = upload_applications(client, tokens["zr"], APPLICATIONS)
    assert refused.status_code == 403  # Amsterdam lies outside the Zuidelijke Randstad
    listed = client.get("/api/v1/applications", headers=bearer(tokens["rijk"])).json()
    assert listed["total"] == 0  # nothing written by either refusal
    done = upload_applications(client, tokens["rijk"], APPLICATIONS)
    assert done.status_code == 200, done.text
    assert sorted(done.json()["added"]) == ["A-AMS", "A-RTM"]
    again = upload_applications(client, tokens["rijk"], APPLICATIONS).json()
    assert sorted(again["unchanged"]) == ["A-AMS", "A-RTM"]
    listed = client.get("/api/v1/applications?area=VS-MRA", headers=bearer(tokens["rijk"]))
    assert [a["id"] for a in listed.json()["items"]] == ["A-AMS"]
    trail = client.get("/api/v1/audit?table=application", headers=bearer(tokens["rijk"])).json()
    assert [e["action"] for e in trail] == ["upload", "upload"]  # one event per import
    assert sorted(trail[-1]["after"]["added"]) == ["A-AMS", "A-RTM"]
    assert trail[0]["after"]["added"] == [] and trail[0]["user_name"] == "rijk"
    viewer = upload_applications(client, tokens["kijker"], APPLICATIONS)
    assert viewer.status_code == 403


def test_plan_outlines_as_geojson_per_area(
    client: TestClient, tokens: dict[str, str], loaded_url: str, tmp_path: Any
) -> None:
    """A GIS register's plans come back as GeoJSON features in WGS84, only those of the area
    asked for, each labelled synthetic as its source is; an unknown area is a 404."""
    import shapely

    from opgave import synthetic_register

    path = tmp_path / "register.gpkg"
    synthetic_register.write(path, 40, seed=5)
    result = CliRunner().invoke(
        cli_app,
        ["--db", loaded_url, "ingest", "plans", str(path), "--mapping", "gis-register",
         "--date", "2025-06-01"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "SYNTHETIC: every row is marked synthetic" in result.stdout  # the file says so
    assert "SYNTHETIC: the file marks every row synthetic." in result.stdout  # and why it is
    everything = client.get("/api/v1/plans/outlines", headers=bearer(tokens["kijker"]))
    assert everything.status_code == 200, everything.text
    assert everything.headers["content-type"].startswith("application/geo+json")
    features = everything.json()["features"]
    assert len(features) == 40
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon", "Point"}
    lon0, lat0, lon1, lat1 = shapely.total_bounds(
        [shapely.from_geojson(json.dumps(f["geometry"])) for f in features]
    )
    assert 3.2 < lon0 < lon1 < 7.3 and 50.7 < lat0 < lat1 < 53.7  # WGS84
    assert all(f["properties"]["synthetic"] for f in features)
    assert everything.json()["synthetic_sources"]
    gemeente = features[0]["properties"]["gemeente_id"]
    one = client.get(
        "/api/v1/plans/outlines", params={"area": gemeente}, headers=bearer(tokens["kijker"])
    ).json()["features"]
    assert one and {f["properties"]["gemeente_id"] for f in one} == {gemeente}
    assert len(one) == sum(f["properties"]["gemeente_id"] == gemeente for f in features)
    missing = client.get(
        "/api/v1/plans/outlines", params={"area": "XX"}, headers=bearer(tokens["kijker"])
    )
    assert missing.status_code == 404
