"""Fixtures of the security suite: initialised databases with four users (an admin, an
editor of the MRA, an editor of the Zuidelijke Randstad, a viewer), copied per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_fixtures import LoadedTemplates


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> LoadedTemplates:
    """Databases made once (programme + users) and copied for each test."""
    return LoadedTemplates(tmp_path_factory.mktemp("security-templates"))


@pytest.fixture
def sqlite_url(templates: LoadedTemplates) -> str:
    """A fresh copy of the initialised SQLite database with the four users."""
    return templates.sqlite()


@pytest.fixture
def tokens(templates: LoadedTemplates, sqlite_url: str) -> dict[str, str]:
    """The users' API tokens (name -> token) of :func:`sqlite_url`."""
    return templates.tokens["sqlite"]


@pytest.fixture
def db_file(sqlite_url: str) -> Path:
    """The file of :func:`sqlite_url`."""
    return Path(sqlite_url.removeprefix("sqlite:///"))
