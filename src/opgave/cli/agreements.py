"""Commands for the agreements register: list, add, update, status, link, history; the agenda.

``opgave agreements`` without a sub-command lists (as it always did); every command that
changes data runs in one transaction and records who, when and why in the history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opgave.cli import (
    JsonOption,
    answering,
    app,
    console,
    fail,
    parse_date,
    principal,
    print_json,
    service,
    speaking,
)
from opgave.cli.render import choices, show
from opgave.cli.words import TEXTS
from opgave.vocabulary import AGREEMENT_KINDS, AGREEMENT_STATUSES, THEMES

if TYPE_CHECKING:
    from opgave.agreements import agenda as agenda_rules
    from opgave.agreements import register
    from opgave.cli.words import Words
    from opgave.service import Service

agreements_app = typer.Typer(
    help="Agreements and next steps: list (no sub-command), add, update, status, link, history.",
    invoke_without_command=True,
)
app.add_typer(agreements_app, name="agreements")

ByOption = Annotated[
    str | None,
    typer.Option("--by", metavar="NAME", help="Who made the change (default: your login name)."),
]
OnOption = Annotated[
    str | None,
    typer.Option("--on", metavar="DATE", help="When it took effect, YYYY-MM-DD (default: today)."),
]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason", metavar="TEXT", help="Why: the decision, minutes or letter behind it."
    ),
]


def _meeting_id(svc: Service, meeting: str) -> str:
    """A meeting id from its id or its name (case-insensitive)."""
    from opgave.service import agreements as register_service

    with answering():
        return str(register_service.find_meeting(svc, meeting)["id"])


@agreements_app.callback()
def list_agreements(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option(metavar="AREA", help="Area id; includes areas inside it.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(metavar="STATUS", help=f"Only this status: {choices(AGREEMENT_STATUSES)}."),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            metavar="MEETING", help='Due at this meeting (name or id), e.g. "BO Leefomgeving 2022".'
        ),
    ] = None,
    theme: Annotated[
        str | None, typer.Option(metavar="THEME", help=f"Only this theme: {choices(THEMES)}.")
    ] = None,
    overdue_at: Annotated[
        str | None,
        typer.Option(
            "--overdue-at",
            metavar="MEETING|DATE|today",
            help="Only agreements still open after their due moment: at a meeting (name or id),"
            ' on a date YYYY-MM-DD, or "today".',
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Agreements and next steps, with the meeting where they were made and when they are due."""
    from opgave.agreements import calendar
    from opgave.service import agreements as register_service

    if ctx.invoked_subcommand is not None:
        return
    w = speaking(ctx)
    svc = service(ctx)
    with answering():
        records = register_service.listing(
            svc, area=area, status=status, due=due, theme=theme, overdue_at=overdue_at
        )
    meeting_names = {m["id"]: m["name"] for m in svc.state().meetings}
    if as_json:
        print_json(records)
        return
    title = overdue_title(overdue_at, w) if overdue_at else w("agr_title")
    from rich.table import Table

    table = Table(title=title, show_lines=True)
    for column in ("column_id", "column_area", "column_agreement", "column_due", "column_status"):
        table.add_column(w(column))
    for a in records:
        when = ", ".join(meeting_names[m] for m in calendar.due_meetings(a)) or a["due_text"] or ""
        if a["due_date"]:
            due_date = w.date(a["due_date"])
            when = f"{when} ({due_date})" if when else due_date
        table.add_row(
            a["id"], a["area_id"], a["text"], when, w.word("agreement_status", a["status"])
        )
    show(table)


def overdue_title(given: str, w: Words) -> str:
    """The title of the agreements overdue at a meeting, on a date or today (--overdue-at),
    the date in words."""
    if given.strip().lower() == "today":
        return w("agr_title_overdue_today")
    try:
        day = dt.date.fromisoformat(given.strip())
    except ValueError:
        return w("agr_title_overdue", when=given)
    return w("agr_title_overdue_on", when=w.date(day))


def _fields(
    svc: Service,
    *,
    kind: str | None,
    area: str | None,
    text: str | None,
    text_en: str | None,
    made_at: str | None,
    party: list[str] | None,
    theme: list[str] | None,
    due: str | None,
    due_date: str | None,
    due_text: str | None,
    order: int | None,
    source: str | None,
    section: str | None,
) -> dict[str, Any]:
    """The fields given on the command line (meetings by name or id), as register fields."""

    given: dict[str, Any] = {
        "kind": kind,
        "area_id": area,
        "text": text,
        "text_en": text_en,
        "meeting_id": _meeting_id(svc, made_at) if made_at else None,
        "parties": party or None,
        "themes": theme or None,
        "due_meeting_id": _meeting_id(svc, due) if due else None,
        "due_date": parse_date(due_date, "--due-date"),
        "due_text": due_text,
        "display_order": order,
        "source_id": source,
        "source_section": section,
    }
    return {k: v for k, v in given.items() if v is not None}


KindOption = Annotated[
    str | None, typer.Option(metavar="KIND", help=f"{choices(AGREEMENT_KINDS)}.")
]
AreaOption = Annotated[
    str | None, typer.Option("--area", metavar="AREA", help="Area id, e.g. VS-ZR.")
]
TextOption = Annotated[
    str | None, typer.Option("--text", metavar="TEXT", help="The agreement (Dutch).")
]
TextEnOption = Annotated[str | None, typer.Option("--text-en", metavar="TEXT", help="In English.")]
MadeAtOption = Annotated[
    str | None,
    typer.Option("--made-at", metavar="MEETING", help="Meeting where it was agreed (name or id)."),
]
PartyOption = Annotated[
    list[str] | None, typer.Option("--party", metavar="PARTY", help="A party (repeat for more).")
]
ThemeOption = Annotated[
    list[str] | None,
    typer.Option("--theme", metavar="THEME", help=f"A theme (repeat for more): {choices(THEMES)}."),
]
DueOption = Annotated[
    str | None, typer.Option("--due", metavar="MEETING", help="Due at this meeting (name or id).")
]
DueDateOption = Annotated[
    str | None, typer.Option("--due-date", metavar="DATE", help="Due by YYYY-MM-DD.")
]
DueTextOption = Annotated[
    str | None,
    typer.Option("--due-text", metavar="TEXT", help='The due moment in words ("voorjaar 2022").'),
]
OrderOption = Annotated[
    int | None, typer.Option("--order", metavar="N", help="Position in listings.")
]
SourceOption = Annotated[
    str | None, typer.Option("--source", metavar="SOURCE", help="Source id it comes from.")
]
SectionOption = Annotated[
    str | None, typer.Option("--section", metavar="SECTION", help="Section of the source.")
]


@agreements_app.command("add")
def add(
    ctx: typer.Context,
    agreement_id: Annotated[
        str, typer.Argument(metavar="ID", help="New id, e.g. ZR-AKKOORD-2022.")
    ],
    area: AreaOption = None,
    text: TextOption = None,
    kind: KindOption = None,
    text_en: TextEnOption = None,
    made_at: MadeAtOption = None,
    party: PartyOption = None,
    theme: ThemeOption = None,
    due: DueOption = None,
    due_date: DueDateOption = None,
    due_text: DueTextOption = None,
    order: OrderOption = None,
    source: SourceOption = None,
    section: SectionOption = None,
    status: Annotated[
        str, typer.Option(metavar="STATUS", help=f"Starting status: {choices(AGREEMENT_STATUSES)}.")
    ] = "open",
    by: ByOption = None,
    on: OnOption = None,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an agreement or next step (needs --area and --text) and open its history."""
    from opgave.service import agreements as register_service

    w = speaking(ctx)
    when = parse_date(on, "--on")
    svc = service(ctx)
    with answering():
        fields = _fields(
            svc,
            kind=kind,
            area=area,
            text=text,
            text_en=text_en,
            made_at=made_at,
            party=party,
            theme=theme,
            due=due,
            due_date=due_date,
            due_text=due_text,
            order=order,
            source=source,
            section=section,
        )
        record = register_service.add(
            svc,
            principal(ctx, by),
            agreement_id,
            fields,
            on=when,
            reason=reason,
            status=status,
        )
    if as_json:
        print_json([record])
        return
    w = speaking(ctx)
    status_word = w.word("agreement_status", record["status"])
    console.print(w("agr_added", id=agreement_id, status=status_word, area=record["area_id"]))


@agreements_app.command("update")
def update(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement to change.")],
    area: AreaOption = None,
    text: TextOption = None,
    kind: KindOption = None,
    text_en: TextEnOption = None,
    made_at: MadeAtOption = None,
    party: PartyOption = None,
    theme: ThemeOption = None,
    due: DueOption = None,
    due_date: DueDateOption = None,
    due_text: DueTextOption = None,
    order: OrderOption = None,
    source: SourceOption = None,
    section: SectionOption = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            "--clear", metavar="FIELD", help="Empty this field (repeat), e.g. --clear due_date."
        ),
    ] = None,
    by: ByOption = None,
    on: OnOption = None,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change fields of an agreement; the changes are kept in its history as one event."""
    from opgave.service import agreements as register_service

    w = speaking(ctx)
    when = parse_date(on, "--on")
    svc = service(ctx)
    with answering():
        fields = _fields(
            svc,
            kind=kind,
            area=area,
            text=text,
            text_en=text_en,
            made_at=made_at,
            party=party,
            theme=theme,
            due=due,
            due_date=due_date,
            due_text=due_text,
            order=order,
            source=source,
            section=section,
        )
        for name in clear or []:
            if name in fields:
                raise fail(w("agr_set_and_cleared", name=name))
            fields[name] = [] if name in ("parties", "themes") else None
        if not fields:
            raise fail(w("agr_nothing_to_change"))
        entry = register_service.change(
            svc, principal(ctx, by), agreement_id, fields, on=when, reason=reason
        )
    if as_json:
        print_json([_entry_json(entry)] if entry else [])
        return
    if entry is None:
        console.print(w("agr_no_difference", id=agreement_id))
    else:
        console.print(f"{agreement_id}: {what(entry, w)}", highlight=False)


@agreements_app.command("status")
def set_status(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement.")],
    status: Annotated[
        str, typer.Argument(metavar="STATUS", help="open, in_progress, done, lapsed or superseded.")
    ],
    superseded_by: Annotated[
        str | None,
        typer.Option(
            "--superseded-by", metavar="ID", help="With superseded: the agreement that replaces it."
        ),
    ] = None,
    by: ByOption = None,
    on: OnOption = None,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set the status of an agreement (close it with done); kept in its history."""
    from opgave.service import agreements as register_service

    when = parse_date(on, "--on")
    svc = service(ctx)
    with answering():
        register_service.set_status(
            svc,
            principal(ctx, by),
            agreement_id,
            status,
            on=when,
            reason=reason,
            superseded_by_id=superseded_by,
        )
        entry = register_service.history(svc, agreement_id)[-1]
    if as_json:
        print_json([_entry_json(entry)])
        return
    console.print(f"{agreement_id}: {what(entry, speaking(ctx))}", highlight=False)


@agreements_app.command("link")
def link(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement.")],
    kind: Annotated[
        str, typer.Argument(metavar="KIND", help="target, plan, precondition or instrument.")
    ],
    ref_id: Annotated[str, typer.Argument(metavar="REF", help="The id of the target, plan, ...")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove the link instead.")] = False,
    by: ByOption = None,
    on: OnOption = None,
    reason: ReasonOption = None,
) -> None:
    """Link an agreement to a target, plan, precondition or instrument (or --remove it)."""
    from opgave.service import agreements as register_service

    when = parse_date(on, "--on")
    with answering():
        entry = register_service.link(
            service(ctx),
            principal(ctx, by),
            agreement_id,
            kind,
            ref_id,
            on=when,
            reason=reason,
            remove=remove,
        )
    w = speaking(ctx)
    if entry is None:
        console.print(w("agr_link_unchanged", id=agreement_id))
    else:
        console.print(f"{agreement_id}: {what(entry, w)}", highlight=False)


def what(entry: register.HistoryEntry, w: Words) -> str:
    """What a history entry did, in the command's language: "recorded", "status: open ->
    done; ..." (``entry.what``) in English; the fields and the status and kind codes as
    words in Dutch ("stand: open -> afgerond")."""
    if w.lang == "en":
        return entry.what
    if not entry.changes:
        return w("agr_recorded")

    def value(field: str, text: str | None) -> str:
        if text is None:
            return "-"
        if field == "status":
            return w.word("agreement_status", text)
        if field == "kind":
            return w.word("agreement_kind", text)
        if field == "themes" and text.startswith("["):
            return ", ".join(w.word("theme", t) for t in json.loads(text))
        if field == "due_date":
            with contextlib.suppress(ValueError):
                return w.date(dt.date.fromisoformat(text))
        return text

    def name(field: str) -> str:
        key = f"agr_field_{field}"
        return w(key) if key in TEXTS[w.lang] else field

    return "; ".join(
        f"{name(c.field)}: {value(c.field, c.old_value)} -> {value(c.field, c.new_value)}"
        for c in entry.changes
    )


def reason(entry: register.HistoryEntry, w: Words) -> str:
    """Why, as recorded; the service's own reason for a new agreement in the command's
    language."""
    from opgave.service.agreements import ADDED_REASON

    if entry.reason == ADDED_REASON and not entry.changes:
        return w("agr_added_reason")
    return entry.reason or ""


def _entry_json(entry: register.HistoryEntry) -> dict[str, Any]:
    record = asdict(entry)
    record["what"] = entry.what
    return record


@agreements_app.command("history")
def show_history(
    ctx: typer.Context,
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement.")],
    as_json: JsonOption = False,
) -> None:
    """The history of an agreement: who changed what, when and why; and its links."""
    from opgave.agreements import register
    from opgave.service import agreements as register_service

    with answering():
        found = register_service.detail(service(ctx), agreement_id)
    entries, linked, current = found["history"], found["links"], found["agreement"]
    if as_json:
        print_json([_entry_json(e) for e in entries])
        return
    w = speaking(ctx)
    successor = register.superseded_by(entries)
    superseded = successor and current["status"] == "superseded"
    status_word = w.word("agreement_status", current["status"])
    console.print(
        w("agr_status_line", id=f"[bold]{agreement_id}[/]", status=status_word)
        + (w("agr_superseded_by", id=successor) if superseded else "")
    )
    console.print(current["text"], highlight=False)
    for kind, ids in linked.items():
        if ids:
            console.print(w(f"agr_linked_{kind}", ids=", ".join(ids)), highlight=False)
    from rich.table import Table

    table = Table(title=w("agr_history_title", id=agreement_id))
    for column in ("column_when", "column_who", "column_what", "column_why", "column_status_after"):
        table.add_column(w(column))
    for e in entries:
        table.add_row(
            w.date(e.changed_on),
            e.changed_by,
            what(e, w),
            reason(e, w),
            w.word("agreement_status", e.status),
        )
    show(table)


def _agenda_json(result: agenda_rules.Agenda) -> dict[str, Any]:
    def agreement(a: Any) -> dict[str, Any]:
        return dict(a)

    return {
        "meeting": result.meeting,
        "previous": result.previous,
        "since": result.since,
        "until": result.until,
        "regions": [
            {
                "area_id": block.region["id"],
                "name": block.region["name"],
                "due": [agreement(a) for a in block.due],
                "overdue": [agreement(a) for a in block.overdue],
                "changed": [
                    {
                        "agreement_id": c.agreement["id"],
                        "entries": [_entry_json(e) for e in c.entries],
                    }
                    for c in block.changed
                ],
            }
            for block in result.regions
        ],
    }


@app.command("agenda")
def agenda(
    ctx: typer.Context,
    meeting: Annotated[
        str, typer.Argument(metavar="MEETING", help='Meeting name or id: "BO Leefomgeving 2022".')
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the agenda as JSON.")] = False,
) -> None:
    """Per region: what is due at the meeting, what is overdue, what changed since the last."""
    from opgave.agreements import calendar
    from opgave.service import agreements as register_service

    w = speaking(ctx)
    svc = service(ctx)
    with answering():
        result = register_service.agenda(svc, meeting)
    state = svc.state()
    names = {a["id"]: a["name"] for a in state.areas}
    meeting_names = {m["id"]: m["name"] for m in state.meetings}
    if as_json:
        typer.echo(json.dumps(_agenda_json(result), ensure_ascii=False, indent=2, default=str))
        return
    m = result.meeting
    console.rule(f"[bold]Agenda {m['name']}[/] ({m['moment_text'] or m['year'] or '-'})")
    if result.previous:
        since, until = result.since, result.until
        console.print(
            w(
                "agr_changes_since",
                name=result.previous["name"],
                since=w.date(since) if isinstance(since, dt.date) else since,
                until=w.date(until) if isinstance(until, dt.date) else until,
            ),
            highlight=False,
        )
    labels = {k: w(f"agr_label_{k}") for k in ("due", "overdue", "new", "changed")}
    width = max(8, *map(len, labels.values()))
    for block in result.regions:
        if block.empty:
            continue
        console.print(f"\n[bold]{block.region['name']}[/]", highlight=False)
        for label, items in ((labels["due"], block.due), (labels["overdue"], block.overdue)):
            for a in items:
                due_at = calendar.due_meetings(a)
                when = ", ".join(meeting_names[m] for m in due_at) or a["due_text"] or ""
                area = "" if a["area_id"] == block.region["id"] else f" [{names[a['area_id']]}]"
                console.print(
                    f"  {label:{width}} {a['id']} ({w.word('agreement_status', a['status'])}, "
                    f"{when})"
                    f"{area}: {a['text']}",
                    highlight=False,
                )
        recorded = [
            c.agreement["id"] for c in block.changed if any(not e.changes for e in c.entries)
        ]
        if recorded:
            console.print(f"  {labels['new']:{width}} {', '.join(recorded)}", highlight=False)
        for c in block.changed:
            for e in c.entries:
                if not e.changes:
                    continue
                said = w(
                    "agr_changed_by",
                    id=c.agreement["id"],
                    on=w.date(e.changed_on),
                    who=e.changed_by,
                    what=what(e, w),
                )
                console.print(
                    f"  {labels['changed']:{width}} {said}"
                    + (f" ({reason(e, w)})" if e.reason else ""),
                    highlight=False,
                )
    quiet = [b.region["name"] for b in result.regions if b.empty]
    if quiet:
        console.print("\n" + w("agr_nothing_on_the_table", names=", ".join(quiet)), highlight=False)
