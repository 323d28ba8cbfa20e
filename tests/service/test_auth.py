"""Users, roles, credentials and the audit log (opgave.access, opgave.service.users) and
`opgave users`."""

from __future__ import annotations

import getpass
import json

import pytest
from typer.testing import CliRunner

from opgave import access, areas, store
from opgave.cli import app as cli_app
from opgave.model import ApiToken, User, UserSession
from opgave.service import Service, users


def test_passwords_are_argon2_hashed_and_checked() -> None:
    hashed = users.hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert users.verify_password(hashed, "correct horse")
    assert not users.verify_password(hashed, "wrong horse")
    assert not users.verify_password(None, "x") and not users.verify_password("garbage", "x")


def test_editors_write_their_areas_and_what_lies_inside() -> None:
    children = areas.children_of(
        [
            {"parent_id": "VS-ZR", "child_id": "GM0599"},
            {"parent_id": "GM0599", "child_id": "GWB-OOSTFLANK"},
            {"parent_id": "VS-MRA", "child_id": "GM0363"},
        ]
    )
    editor = access.Principal(1, "zr", "editor", ("VS-ZR",))
    assert access.writable_areas(editor, children) == {"VS-ZR", "GM0599", "GWB-OOSTFLANK"}
    assert access.may_write(editor, "GWB-OOSTFLANK", children)
    assert not access.may_write(editor, "GM0363", children)
    assert not access.may_write(editor, "NL01", children)  # not what contains it
    assert access.may_write(access.Principal(2, "rijk", "admin"), "GM0363", children)
    viewer = access.Principal(3, "kijker", "viewer")
    assert not viewer.can_write and access.writable_areas(viewer, children) == set()


def test_user_problems_are_all_named() -> None:
    problems = users.user_problems("", "boss", ["NOWHERE"], ["NL01"])
    assert len(problems) == 4  # name, role, areas for a non-editor, unknown area
    assert users.user_problems("zr", "editor", [], ["NL01"]) == [
        "an editor needs the areas it may write (--areas CODES)"
    ]


def test_sessions_and_tokens_store_only_hashes(loaded_url: str) -> None:
    svc = Service(loaded_url)
    principal = users.add_user(svc, "zr", "editor", ["VS-ZR"], "long-password")
    token = users.create_token(svc, "zr", "script")
    started = users.sign_in(svc, "zr", "long-password")
    assert started is not None and started[0] == principal
    _, cookie, csrf = started
    assert users.authenticate(svc, "zr", "wrong-password") is None
    assert users.authenticate(svc, "nobody", "long-password") is None
    assert users.principal_for_token(svc, token) == principal
    assert users.principal_for_session(svc, cookie) == (principal, csrf)
    engine = store.connect(loaded_url)
    with store.transaction(engine) as session:
        stored = [t.id for t in session.query(ApiToken)] + [
            s.id for s in session.query(UserSession)
        ]
    assert token not in stored and cookie not in stored
    assert users.revoke_tokens(svc, "zr") == 1
    users.end_session(svc, cookie)
    assert users.principal_for_token(svc, token) is None
    assert users.principal_for_session(svc, cookie) is None
    with store.transaction(engine) as session:
        session.query(User).filter_by(name="zr").one().active = False
    assert users.authenticate(svc, "zr", "long-password") is None
    assert [e["action"] for e in users.audit_trail(svc, "app_user", ["zr"])] == [
        "login",
        "create",
    ]
    engine.dispose()
    svc.engine.dispose()


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
    found = json.loads(listed.output)
    assert [(u["name"], u["role"], u["area_ids"]) for u in found] == [("zr", "editor", ["VS-ZR"])]
    assert "password_hash" not in found[0]
    token = runner.invoke(cli_app, ["--db", loaded_url, "users", "token", "zr"]).output.strip()
    svc = Service(loaded_url)
    assert users.principal_for_token(svc, token) is not None
    trail = users.audit_trail(svc, "app_user", ["zr"])
    assert trail[0]["user_name"] == f"cli:{getpass.getuser()}"  # the CLI's writes are audited
    svc.engine.dispose()
