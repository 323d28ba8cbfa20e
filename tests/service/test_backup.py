"""Backups and restores (opgave.service.backup, `opgave backup`/`opgave restore`): a round
trip on SQLite while the database is in use, and on PostgreSQL through pg_dump/pg_restore;
what is refused, in words."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opgave.cli import app

PLANS = (
    "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
    "P-1,Haven-Stad,GM0363,1200,1A,2025,2028\n"
)


def cli(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", url, *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def plans(url: str) -> list[dict[str, object]]:
    code, out, err = cli(url, "plans", "--json")
    assert code == 0, err
    found: list[dict[str, object]] = json.loads(out)
    return found


def test_round_trip(loaded_url: str, tmp_path: Path) -> None:
    """Back up, change, restore: the database holds the backup's content again."""
    if loaded_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    listing = tmp_path / "plannen.csv"
    listing.write_text(PLANS, encoding="utf-8")
    assert cli(loaded_url, "ingest", "plans", str(listing), "--date", "2025-01-01")[0] == 0
    before = plans(loaded_url)
    backup = tmp_path / "backup.db"
    code, out, err = cli(loaded_url, "backup", str(backup))
    assert code == 0, err
    assert "Backed up to" in out
    assert cli(loaded_url, "backup", str(backup))[0] == 1  # never over an existing file
    changed = tmp_path / "meer.csv"
    changed.write_text(PLANS.replace(",1200,", ",1500,"), encoding="utf-8")
    assert cli(loaded_url, "ingest", "plans", str(changed), "--date", "2025-02-01")[0] == 0
    assert plans(loaded_url) != before
    code, _out, err = cli(loaded_url, "restore", str(backup))
    assert code == 1 and "--replace" in err  # a database with data is not overwritten by default
    code, out, err = cli(loaded_url, "restore", str(backup), "--replace")
    assert code == 0, err
    assert plans(loaded_url) == before


def test_a_backup_restores_into_a_new_database(loaded_url: str, tmp_path: Path) -> None:
    if loaded_url.startswith("postgresql"):
        pytest.skip("a new SQLite file: SQLite only")
    backup = tmp_path / "backup.db"
    assert cli(loaded_url, "backup", str(backup))[0] == 0
    fresh = f"sqlite:///{tmp_path / 'nieuw.db'}"
    code, _out, err = cli(fresh, "restore", str(backup))
    assert code == 0, err
    assert cli(fresh, "targets", "--json")[1] == cli(loaded_url, "targets", "--json")[1]


def test_refusals_are_said_in_words(loaded_url: str, tmp_path: Path) -> None:
    if loaded_url.startswith("postgresql"):
        pytest.skip("SQLite files: SQLite only")
    code, _out, err = cli(loaded_url, "restore", str(tmp_path / "nergens.db"))
    assert code == 1 and "no such backup file" in err
    not_a_backup = tmp_path / "tekst.db"
    not_a_backup.write_text("dit is geen database", encoding="utf-8")
    code, _out, err = cli(loaded_url, "restore", str(not_a_backup), "--replace")
    assert code == 1 and "is not a backup of an opgave SQLite database" in err
    newer = tmp_path / "nieuwer.db"
    assert cli(loaded_url, "backup", str(newer))[0] == 0
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    code, _out, err = cli(loaded_url, "restore", str(newer), "--replace")
    assert code == 1 and "written by a newer opgave (revision 0099)" in err
