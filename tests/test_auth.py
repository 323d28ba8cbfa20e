"""Users, roles, credentials and the audit log (opgave.auth) and `opgave users`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from opgave import areas, auth, store
from opgave.cli import app as cli_app
from opgave.model import ApiToken, User, UserSession


def test_passwords_are_argon2_hashed_and_checked() -> None:
    hashed = auth.hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert auth.verify_password(hashed, "correct horse")
    assert not auth.verify_password(hashed, "wrong horse")
    assert not auth.verify_password(None, "x") and not auth.verify_password("garbage", "x")


def test_editors_write_their_areas_and_what_lies_inside() -> None:
    children = areas.children_of(
        [
            {"parent_id": "VS-ZR", "child_id": "GM0599"},
            {"parent_id": "GM0599", "child_id": "GWB-OOSTFLANK"},
            {"parent_id": "VS-MRA", "child_id": "GM0363"},
        ]
    )
    editor = auth.Principal(1, "zr", "editor", ("VS-ZR",))
    assert auth.writable_areas(editor, children) == {"VS-ZR", "GM0599", "GWB-OOSTFLANK"}
    assert auth.may_write(editor, "GWB-OOSTFLANK", children)
    assert not auth.may_write(editor, "GM0363", children)
    assert not auth.may_write(editor, "NL01", children)  # not what contains it
    assert auth.may_write(auth.Principal(2, "rijk", "admin"), "GM0363", children)
    viewer = auth.Principal(3, "kijker", "viewer")
    assert not viewer.can_write and auth.writable_areas(viewer, children) == set()


def test_user_problems_are_all_named() -> None:
    problems = auth.user_problems("", "boss", ["NOWHERE"], ["NL01"])
    assert len(problems) == 4  # name, role, areas for a non-editor, unknown area
    assert auth.user_problems("zr", "editor", [], ["NL01"]) == [
        "an editor needs the areas it may write (--areas CODES)"
    ]


def test_sessions_and_tokens_store_only_hashes(loaded_url: str) -> None:
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        principal = auth.add_user(session, "zr", "editor", ["VS-ZR"], "long-password")
        token = auth.create_token(session, "zr", "script")
        cookie, csrf = auth.start_session(session, principal)
    with store.transaction(engine) as session:
        assert auth.authenticate(session, "zr", "long-password") == principal
        assert auth.authenticate(session, "zr", "wrong-password") is None
        assert auth.authenticate(session, "nobody", "long-password") is None
        assert auth.principal_for_token(session, token) == principal
        assert auth.principal_for_session(session, cookie) == (principal, csrf)
        stored = [t.id for t in session.query(ApiToken)] + [
            s.id for s in session.query(UserSession)
        ]
        assert token not in stored and cookie not in stored
        assert auth.revoke_tokens(session, "zr") == 1
        auth.end_session(session, cookie)
    with store.transaction(engine) as session:
        assert auth.principal_for_token(session, token) is None
        assert auth.principal_for_session(session, cookie) is None
        session.query(User).filter_by(name="zr").one().active = False
    with store.transaction(engine) as session:
        assert auth.authenticate(session, "zr", "long-password") is None
    engine.dispose()


def test_users_add_from_the_command_line(
    loaded_url: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPGAVE_PASSWORD", "regio-wachtwoord")
    added = runner.invoke(
        cli_app, ["--db", loaded_url, "users", "add", "zr", "--role", "editor", "--areas", "VS-ZR"]
    )
    assert added.exit_code == 0, added.output
    bad = runner.invoke(
        cli_app, ["--db", loaded_url, "users", "add", "x", "--role", "editor", "--areas", "XX"]
    )
    assert bad.exit_code == 1 and "unknown area(s) XX" in bad.output
    listed = runner.invoke(cli_app, ["--db", loaded_url, "users", "list", "--json"])
    users = json.loads(listed.output)
    assert [(u["name"], u["role"], u["area_ids"]) for u in users] == [("zr", "editor", ["VS-ZR"])]
    assert "password_hash" not in users[0]
    token = runner.invoke(cli_app, ["--db", loaded_url, "users", "token", "zr"]).output.strip()
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        assert auth.principal_for_token(session, token) is not None
        assert auth.audit_trail(session, "app_user", ["zr"])[0]["user_name"] == "cli"
    engine.dispose()
