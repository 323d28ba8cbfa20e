"""The dashboard behind TLS and against other sites (break 8): the Secure flag, CSRF on
sign-out, a Content-Security-Policy with frame-ancestors and a nonce per page, a
Referrer-Policy; and a Markdown report that carries user text as text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD

from opgave.api import create_app
from opgave.cli.serve import loopback, secure_cookies_for
from opgave.service import Service, agreements, reporting, users


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(sqlite_url)
    with TestClient(app) as answering:
        yield answering
    app.state.opgave.service.engine.dispose()


def test_break_8_secure_cookies_by_option_environment_and_address(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`opgave serve` had no way to set the cookie's Secure flag behind TLS."""
    assert loopback("127.0.0.1") and loopback("::1") and loopback("localhost")
    assert not loopback("0.0.0.0") and not loopback("10.1.2.3")
    monkeypatch.delenv("OPGAVE_SECURE_COOKIES", raising=False)
    assert secure_cookies_for("0.0.0.0", None) and not secure_cookies_for("127.0.0.1", None)
    assert not secure_cookies_for("0.0.0.0", False) and secure_cookies_for("127.0.0.1", True)
    monkeypatch.setenv("OPGAVE_SECURE_COOKIES", "1")
    assert secure_cookies_for("127.0.0.1", None)
    monkeypatch.setenv("OPGAVE_SECURE_COOKIES", "0")
    assert not secure_cookies_for("0.0.0.0", None)
    app = create_app(sqlite_url, secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as client:
        signed = client.post("/api/v1/auth/login", json={"name": "rijk", "password": PASSWORD})
        cookie = signed.headers["set-cookie"]
        assert "opgave_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()
        assert "max-age=31536000" in client.get("/login").headers["strict-transport-security"]
    app.state.opgave.service.engine.dispose()


def test_break_8_signing_out_needs_the_sessions_csrf_token(client: TestClient) -> None:
    """The dashboard's sign-out worked without a CSRF token: another site could sign a user
    out. Now the form carries the token and a post without it is refused."""
    signed = client.post("/login", data={"name": "rijk", "password": PASSWORD, "next": "/"})
    assert signed.status_code in (200, 303)
    page = client.get("/upload").text
    token = re.search(r'action="/logout".*?name="csrf_token" value="([^"]+)"', page, re.S)
    assert token is not None
    forged = client.post("/logout", data={}, follow_redirects=False)
    assert forged.status_code == 403 and "U mag dit niet wijzigen." in forged.text  # said, in words
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in
    done = client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/api/v1/auth/me").status_code == 401


def test_break_8_every_answer_says_how_a_browser_must_treat_it(client: TestClient) -> None:
    """No Content-Security-Policy, frame-ancestors or Referrer-Policy before."""
    page = client.get("/login")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline' https" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"
    api = client.get("/api/v1/openapi.json")
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    nonce = re.search(r"'nonce-([^']+)'", client.get("/").headers.get(
        "content-security-policy", ""))  # fmt: skip
    overview = client.get("/login?next=/")
    assert nonce is not None and nonce.group(1) not in overview.headers["content-security-policy"]


def test_break_8_inline_scripts_carry_the_pages_nonce(sqlite_url: str) -> None:
    app = create_app(sqlite_url, public_read=True)
    with TestClient(app) as client:
        page = client.get("/")
        nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
        assert nonce is not None
        scripts = re.findall(r"<script([^>]*)>", page.text)
        assert scripts and all(  # a chart's numbers ride in a JSON block: data, not run
            f'nonce="{nonce.group(1)}"' in attrs
            or "src=" in attrs
            or 'type="application/json"' in attrs
            for attrs in scripts
        )
    app.state.opgave.service.engine.dispose()


def test_break_8_the_markdown_report_carries_user_text_as_text(sqlite_url: str) -> None:
    """`report.md` carried user-supplied HTML unescaped (an agreement's text)."""
    svc = Service(sqlite_url)
    admin = users.find_user(svc, "rijk")
    assert admin is not None
    evil = "<script>alert(1)</script> [klik](javascript:alert(2)) **vet** | cel"
    agreements.change(svc, admin, "ZR-ACTUALISATIE", {"text": evil})
    text = reporting.render(reporting.build(svc), "md", "nl").decode()
    line = next(x for x in text.splitlines() if "ZR-ACTUALISATIE" in x)
    assert "<script>" not in line and "\\<script\\>" in line
    assert "[klik](javascript" not in line and "\\[klik\\](javascript" in line
    assert "\\*\\*vet\\*\\*" in line and "\\| cel" in line
    assert "**ZR-ACTUALISATIE**" in line  # the report's own Markdown stays Markdown
    html = reporting.render(reporting.build(svc), "html", "nl").decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    svc.engine.dispose()
