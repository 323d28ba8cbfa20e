"""Storage: URL resolution and migrations that keep data."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from opgave import store
from opgave.model import Base


def test_resolve_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    assert store.resolve_url(None) == "sqlite:///opgave.db"
    monkeypatch.setenv(store.ENV_VAR, "postgresql+psycopg://u@h/db")
    assert store.resolve_url(None) == "postgresql+psycopg://u@h/db"
    assert store.resolve_url("other.db") == "sqlite:///other.db"


def test_models_match_migrations(db_url: str) -> None:
    engine = store.connect(db_url)
    store.migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert store.is_current(engine)
    engine.dispose()


def test_upgrade_from_first_migration_keeps_data(db_url: str) -> None:
    engine = store.connect(db_url)
    store.migrate(engine, "0001")
    assert store.current_revision(engine) == "0001"
    assert not store.is_current(engine)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO source (id, kind, title, citation, confidence) "
                "VALUES ('s', 'document', 'T', 'C', 'official')"
            )
        )
        c.execute(
            text(
                "INSERT INTO area (id, kind, name, official_code, members_complete, source_id) "
                "VALUES ('NL01', 'nation', 'Nederland', true, true, 's')"
            )
        )
        c.execute(
            text(
                "INSERT INTO agreement (id, kind, area_id, parties, themes, text, status) "
                "VALUES ('A', 'agreement', 'NL01', '[\"Rijk\"]', '[\"housing\"]', 'tekst', 'open')"
            )
        )
        c.execute(
            text(
                "INSERT INTO agreement_event (agreement_id, status, changed_on, changed_by) "
                "VALUES ('A', 'open', :d, 'me')"
            ),
            {"d": dt.date(2021, 12, 16)},
        )
    store.migrate(engine)
    assert store.current_revision(engine) == store.head_revision()
    with engine.connect() as c:
        assert c.execute(text("SELECT name FROM area")).scalar() == "Nederland"
        assert c.execute(text("SELECT changed_by FROM agreement_event")).scalar() == "me"
        assert c.execute(text("SELECT count(*) FROM plan")).scalar() == 0
    engine.dispose()


def test_upgrade_with_the_full_programme_loaded(db_url: str) -> None:
    """Migrations rebuild tables (SQLite batch mode) without losing or breaking rows: the
    full programme survives a downgrade to 0006 and an upgrade back; what 0006 cannot hold
    (membership confidence beyond verified/unverified, validity, agreement_due) is written
    again by the next load, and the load after that changes nothing."""
    from alembic import command

    from opgave import programme

    engine = store.connect(db_url)
    store.migrate(engine)
    with store.transaction(engine) as session:
        before = programme.load(session).inserted
    with engine.connect() as c:
        counts = {
            t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("area", "area_member", "instrument", "agreement")
        }
    command.downgrade(store.alembic_config(engine), "0006")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM area_member")).scalar() == counts["area_member"]
        unverified = "SELECT count(*) FROM area_member WHERE NOT verified"
        assert c.execute(text(unverified)).scalar() > 0
    store.migrate(engine)
    with engine.connect() as c:
        for table, n in counts.items():
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar() == n, table
        due = c.execute(text("SELECT count(*) FROM agreement_due")).scalar()
        assert (
            due
            == c.execute(
                text("SELECT count(*) FROM agreement WHERE due_meeting_id IS NOT NULL")
            ).scalar()
        )
        if engine.dialect.name == "sqlite":
            assert c.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    with store.transaction(engine) as session:
        again = programme.load(session)
        assert again.inserted["agreement_due"] == before["agreement_due"] - due
    with store.transaction(engine) as session:
        assert programme.load(session).changed == 0
    engine.dispose()
