"""Commands for users of the dashboard and the API: add (or change) users, list them, tokens."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Annotated

import typer

from opgave.cli import (
    JsonOption,
    answering,
    app,
    console,
    principal,
    print_json,
    service,
    speaking,
)
from opgave.cli.render import show

if TYPE_CHECKING:
    from opgave.cli.words import Words

users_app = typer.Typer(
    help="Users of the dashboard and API: admin (Rijk), editor (own areas), viewer.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
PASSWORD_ENV = "OPGAVE_PASSWORD"


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="User name (to sign in with).")],
    role: Annotated[str, typer.Option(metavar="ROLE", help="admin, editor or viewer.")] = "viewer",
    areas: Annotated[
        str | None,
        typer.Option(
            metavar="AREAS", help="Editors: comma-separated area ids it may write, e.g. VS-ZR,PV27."
        ),
    ] = None,
    password: Annotated[
        bool,
        typer.Option(
            "--password/--no-password",
            help=f"Ask for a password (or take ${PASSWORD_ENV}); --no-password: token only.",
        ),
    ] = True,
    token: Annotated[bool, typer.Option("--token", help="Also print a new API token.")] = False,
) -> None:
    """Add a user, or change the role, areas and password of an existing one."""
    from opgave.service import users

    w = speaking(ctx)
    secret: str | None = None
    if password:
        secret = os.environ.get(PASSWORD_ENV) or getpass.getpass(w("usr_password_for", name=name))
    area_ids = [a.strip() for a in (areas or "").split(",") if a.strip()]
    svc = service(ctx)
    with answering():
        by = principal(ctx)
        added = users.add_user(svc, name, role, area_ids, secret, by=by)
        new_token = users.create_token(svc, name, "opgave users add", by=by) if token else None
    scope = w("usr_scope", areas=", ".join(added.area_ids)) if added.area_ids else ""
    console.print(w("usr_added", name=name, role=role_word(role, w), scope=scope))
    if new_token:
        console.print(w("usr_token", token=new_token), highlight=False, soft_wrap=True)


@users_app.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="User name.")],
    label: Annotated[
        str | None, typer.Option(metavar="LABEL", help="What the token is for.")
    ] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke all tokens instead.")] = False,
) -> None:
    """Print a new API token for a user (or revoke all of its tokens)."""
    from opgave.service import users

    svc = service(ctx)
    with answering():
        if revoke:
            count = users.revoke_tokens(svc, name, by=principal(ctx))
            console.print(speaking(ctx)("usr_revoked", count=count, name=name))
            return
        typer.echo(users.create_token(svc, name, label, by=principal(ctx)))


@users_app.command("list")
def list_users(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The users with their role and areas."""
    from opgave.service import users

    records = users.list_users(service(ctx))
    if as_json:
        print_json(records)
        return
    from rich.table import Table

    w = speaking(ctx)
    table = Table(title=w("usr_title", count=w.number(len(records))))
    for column in ("column_name", "column_role", "column_areas", "column_active"):
        table.add_column(w(column))
    for u in records:
        active = str(u["active"]) if w.lang == "en" else w("yes" if u["active"] else "no")
        table.add_row(u["name"], role_word(u["role"], w), ", ".join(u["area_ids"]), active)
    show(table)


def role_word(role: str, w: Words) -> str:
    """A role in words in Dutch (beheerder, redacteur, lezer); in English the role's name as
    it is given on the command line (admin, editor, viewer)."""
    return role if w.lang == "en" else w.word("role", role)
