"""What the API says it answers (break 9): schemathesis with every check found undocumented
400s on malformed JSON, 405s without an Allow header, and schema-valid requests refused by
rules the schema did not state. The full run is tests/api/test_api_schema.py (slow); these are
the findings, one by one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opgave.api import create_app

BODY_ROUTES = [
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/tokens"),
    ("post", "/api/v1/jobs/forecast"),
    ("patch", "/api/v1/agreements/{agreement_id}"),
]


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(sqlite_url)
    with TestClient(app) as answering:
        yield answering
    app.state.opgave.service.engine.dispose()


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    return found


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_break_9_malformed_json_gets_a_declared_answer(
    client: TestClient, spec: dict[str, Any], tokens: dict[str, str], method: str, path: str
) -> None:
    declared = set(spec["paths"][path][method]["responses"])
    answer = client.request(
        method.upper(),
        path.replace("{agreement_id}", "ZR-ACTUALISATIE"),
        content=b"\xff\x1d\xa0\x10",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {tokens['rijk']}"},
    )
    assert answer.status_code in (400, 422)
    assert str(answer.status_code) in declared, (path, answer.status_code, declared)


def test_break_9_a_405_names_every_method_of_the_path(client: TestClient) -> None:
    answer = client.options("/api/v1/agreements/ZR-ACTUALISATIE")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, PATCH"
    upload = client.delete("/api/v1/plans/upload")  # its own operations, not /plans/{plan_id}
    assert upload.status_code == 405 and upload.headers["allow"] == "POST"


def test_break_9_dates_are_stated_and_checked_as_dates(
    client: TestClient, spec: dict[str, Any], tokens: dict[str, str]
) -> None:
    """as_of=0000-00-00 matched the schema's pattern and was refused with an undeclared
    400; "0" would have been read as 1970. Now the schema says format date and both are a
    declared 422."""
    parameter = next(
        p for p in spec["paths"]["/api/v1/overview"]["get"]["parameters"] if p["name"] == "as_of"
    )
    assert any(s.get("format") == "date" for s in parameter["schema"]["anyOf"])
    h = {"Authorization": f"Bearer {tokens['kijker']}"}
    for bad in ("0000-00-00", "0", "2025-13-01"):
        answer = client.get(f"/api/v1/overview?as_of={bad}", headers=h)
        assert answer.status_code == 422, bad
    assert client.get("/api/v1/overview?as_of=2025-01-01", headers=h).status_code == 200


def test_break_9_every_map_the_schema_admits_is_drawn(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """measure=capacity&division=municipality was a 400 the schema did not state."""
    h = {"Authorization": f"Bearer {tokens['kijker']}"}
    for measure in ("progress", "capacity", "planned"):
        answer = client.get(f"/api/v1/map?measure={measure}&division=municipality", headers=h)
        assert answer.status_code == 200, answer.text
    values = client.get("/api/v1/map?measure=capacity&division=municipality", headers=h).json()
    assert all(a["value"] is None for a in values["areas"])  # municipalities have no targets


def test_break_9_an_unknown_scenario_is_a_declared_404(
    client: TestClient, spec: dict[str, Any], tokens: dict[str, str]
) -> None:
    answer = client.post(
        "/api/v1/jobs/forecast",
        json={"runs": 100, "vs": "nergens"},
        headers={"Authorization": f"Bearer {tokens['rijk']}"},
    )
    assert answer.status_code == 404
    assert "404" in spec["paths"]["/api/v1/jobs/forecast"]["post"]["responses"]


def test_break_9_whole_numbers_may_be_written_as_floats_but_not_as_booleans(
    client: TestClient, tokens: dict[str, str]
) -> None:
    h = {"Authorization": f"Bearer {tokens['rijk']}"}
    assert client.post("/api/v1/jobs/forecast", json={"runs": 100.0}, headers=h).status_code == 202
    assert client.post("/api/v1/jobs/forecast", json={"runs": True}, headers=h).status_code == 422
    assert client.post("/api/v1/jobs/forecast", json={"runs": "100"}, headers=h).status_code == 422
