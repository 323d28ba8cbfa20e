"""Helpers shared by the API, dashboard and browser tests: users, tokens, plan lists."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

from opgave import store
from opgave.service import Service, users

PASSWORD = "geheim-wachtwoord"
PLAN_HEADER = "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
GOOD_PLANS = (
    PLAN_HEADER + "P-AMS-1,Haven-Stad,GM0363,1200,1A,2025,2028\n"
    "P-AMS-2,Sluisbuurt,363,800,3,2026,2029\n"
    "P-RTD-1,Feyenoord City,GM0599,2000,2B,2025,2030\n"
)
BAD_PLANS = (
    PLAN_HEADER + "P-1,Goed,GM0363,100,1A,2025,2026\n"
    "P-2,Fout jaar,GM0363,twintig,1A,2025,2026\n"
    "P-3,Onbekend,GM9999,50,9Z,2027,2026\n"
)
SHARED_GEO = Path(__file__).parents[1].parent / "shared" / "data" / "geo"


def postgres_server() -> str | None:
    """The PostgreSQL server for tests (as tests/conftest.py finds it), or None to skip."""
    import os

    import pytest
    from sqlalchemy import create_engine, text

    url = os.environ.get("OPGAVE_TEST_DATABASE_URL")
    required = os.environ.get("OPGAVE_REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail("OPGAVE_REQUIRE_POSTGRES=1 but OPGAVE_TEST_DATABASE_URL is not set")
        return None
    try:
        with create_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        if required:
            pytest.fail(f"PostgreSQL at {url} is required but unreachable: {error}")
        return None
    return url


def add_users(url: str) -> dict[str, str]:
    """An admin, an editor of the MRA (Amsterdam's region), an editor of the Zuidelijke
    Randstad (Rotterdam's) and a viewer, each with an API token; returns name -> token."""
    svc = Service(url)
    tokens = {}
    for name, role, areas in (
        ("rijk", "admin", []),
        ("mra", "editor", ["VS-MRA"]),
        ("zr", "editor", ["VS-ZR"]),
        ("kijker", "viewer", []),
    ):
        users.add_user(svc, name, role, areas, PASSWORD)
        tokens[name] = users.create_token(svc, name, "test")
    svc.engine.dispose()
    return tokens


class LoadedTemplates:
    """Initialised databases (programme + users) made once and copied for each test: a file
    copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tokens: dict[str, dict[str, str]] = {}
        self._sqlite: Path | None = None
        self._pg: tuple[str, str] | None = None
        self._count = 0

    def _load(self, url: str, backend: str) -> None:
        from opgave import programme

        engine = store.connect(url)
        store.migrate(engine)
        with store.transaction(engine) as session:
            programme.load(session)
        engine.dispose()
        self.tokens[backend] = add_users(url)

    def sqlite(self) -> str:
        import shutil

        if self._sqlite is None:
            self._sqlite = self.folder / "template.db"
            self._load(f"sqlite:///{self._sqlite}", "sqlite")
        self._count += 1
        copy = self.folder / f"copy{self._count}.db"
        shutil.copy(self._sqlite, copy)
        return f"sqlite:///{copy}"

    def postgresql(self, server: str) -> str:
        import uuid

        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        if self._pg is None:
            name = f"opgave_tpl_{uuid.uuid4().hex[:10]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            self._pg = (server, name)
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            self._load(url, "postgresql")
        name = f"opgave_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._pg[1]}"'))
        admin.dispose()
        return make_url(server).set(database=name).render_as_string(hide_password=False)

    @staticmethod
    def drop(url: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        if not url.startswith("postgresql"):
            return
        parsed = make_url(url)
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()

    def close(self) -> None:
        if self._pg is not None:
            from sqlalchemy.engine import make_url

            server, name = self._pg
            self.drop(make_url(server).set(database=name).render_as_string(hide_password=False))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The app served by uvicorn in a thread on 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def shown_figures(html: str) -> dict[str, dict[str, str]]:
    """The figures a page shows per area: ``data-figure``/``data-value`` pairs, each under the
    nearest ``data-area`` before it (the dashboard marks every headline figure so)."""
    import re

    found: dict[str, dict[str, str]] = {}
    area = ""
    pattern = r'data-area="([^"]*)"|data-figure="([^"]*)" data-value="([^"]*)"'
    for match in re.finditer(pattern, html):
        if match.group(1) is not None:
            area = match.group(1)
        else:
            found.setdefault(area, {})[match.group(2)] = match.group(3)
    return found


class Watched:
    """A browser context (Playwright) whose requests are all recorded, to show that no page
    asks anything of a host other than 127.0.0.1."""

    def __init__(self, chromium: Any, server: LiveServer, **options: Any) -> None:
        self.requests: list[str] = []
        self.context = chromium.new_context(base_url=server.url, locale="nl-NL", **options)
        self.context.on("request", lambda r: self.requests.append(r.url))

    def page(self) -> Any:
        return self.context.new_page()

    def outside(self) -> list[str]:
        from urllib.parse import urlparse

        return [
            u
            for u in self.requests
            if not u.startswith(("data:", "blob:", "about:"))
            and urlparse(u).hostname != "127.0.0.1"
        ]
