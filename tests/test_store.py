"""Storage: URL resolution and migrations that keep data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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


def test_head_revision_read_from_the_files_is_alembics() -> None:
    """The schema check reads the head from the migration files without Alembic: it must be
    the head Alembic itself finds (a new migration, or a renumbered one, keeps them equal)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(store.alembic_config(store.connect("sqlite://")))
    assert store.head_revision() == script.get_current_head()


def test_head_revision_refuses_two_heads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_text('revision: str = "0001"\ndown_revision = None\n')
    (versions / "0002_b.py").write_text('revision = "0002"\ndown_revision: str | None = "0001"\n')
    (versions / "0003_c.py").write_text("revision = '0003'\ndown_revision = '0001'\n")
    monkeypatch.setattr(store, "MIGRATIONS", tmp_path)
    store._shipped.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="2 heads"):
            store.head_revision()
        (versions / "0003_c.py").write_text("revision = '0003'\ndown_revision = '0002'\n")
        store._shipped.cache_clear()
        assert store.head_revision() == "0003"
    finally:
        store._shipped.cache_clear()


def test_current_revision_without_alembic(db_url: str) -> None:
    """The version table read directly: None for an empty database, else Alembic's answer."""
    engine = store.connect(db_url)
    assert store.current_revision(engine) is None
    assert not store.is_current(engine)
    store.migrate(engine, "0002")
    with engine.connect() as connection:
        expected = MigrationContext.configure(connection).get_current_revision()
    assert store.current_revision(engine) == expected == "0002"
    engine.dispose()


def test_plan_geometry_migration_converts_geojson_to_rd_new_wkb_and_back() -> None:
    """0012 turns the stored GeoJSON (WGS84) into WKB in RD New; the map's GeoJSON made
    from that WKB is the text that was stored (6 decimals survive the round trip)."""
    import importlib.util

    import shapely

    from opgave import plan_geometry

    path = Path(store.__file__).parent / "migrations" / "versions" / "0012_plan_geometry_wkb.py"
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    stored = [
        '{"type":"Point","coordinates":[5.387204,52.155172]}',
        '{"type":"Polygon","coordinates":[[[4.9,52.37],[4.91,52.37],[4.91,52.38],[4.9,52.37]]]}',
    ]
    wkb = migration._to_rd_wkb(stored)
    point = shapely.from_wkb(wkb[0])
    assert abs(point.x - 155_000) < 5 and abs(point.y - 463_000) < 5  # RD New, metres
    assert plan_geometry.geojson(wkb) == stored
