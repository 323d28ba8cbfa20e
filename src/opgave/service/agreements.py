"""Reads and writes of the agreements register: listing with filters, history, links, the
agenda of a meeting; adding, changing, linking and setting the status of agreements.

Inputs: the service, the principal who writes (scoped to its areas: the agreement's area
before and after the change), and what is asked. Outputs: agreement rows (with their
version: the number of history events), history entries, an agenda. Derives: nothing of its
own - the rules are in :mod:`opgave.agreements.register`, time in
:mod:`opgave.agreements.calendar`, the agenda in :mod:`opgave.agreements.agenda`. Every
write is one history event and one audit event; a stale ``version`` is a 409 that says what
changed since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opgave import monitor
from opgave.access import Placement, Principal
from opgave.agreements import agenda as agenda_rules
from opgave.agreements import calendar
from opgave.agreements import register as rules
from opgave.agreements.register import FieldChange, HistoryEntry
from opgave.model import (
    Agreement,
    AgreementChange,
    AgreementDue,
    AgreementEvent,
    AgreementInstrument,
    AgreementPlan,
    AgreementPrecondition,
    AgreementTarget,
    Area,
    Base,
    Instrument,
    Meeting,
    Plan,
    Precondition,
    Source,
    Target,
)
from opgave.refusals import counted
from opgave.service import Service, authority, users
from opgave.service.errors import ServiceError
from opgave.service.loading import rows
from opgave.service.monitoring import area_scope, page

Row = dict[str, Any]
LINKS: dict[str, tuple[type[Base], str, type[Base]]] = {
    "target": (AgreementTarget, "target_id", Target),
    "plan": (AgreementPlan, "plan_id", Plan),
    "precondition": (AgreementPrecondition, "precondition_id", Precondition),
    "instrument": (AgreementInstrument, "instrument_id", Instrument),
}
"""Link kind -> (link table, its column for the linked id, the linked table)."""
AGREEMENT_SORTS = ("id", "area_id", "status", "due_date", "due_meeting_id", "display_order")
ADDED_REASON = "added to the register"
"""The reason recorded for a new agreement when none is given."""


def _refused(problems: Sequence[str], status: int = 422) -> ServiceError:
    """One problem as the message; several listed under "N problem(s), nothing changed"."""
    if len(problems) == 1:
        return ServiceError(status, problems[0])
    detail = counted("problems_nothing_changed", len(problems))
    return ServiceError(status, detail, [{"message": p} for p in problems])


# ---------------------------------------------------------------- reads


def find_meeting(svc: Service, meeting: str) -> Row:
    """A meeting by id or name (case-insensitive), or a 404 listing the meetings."""
    meetings = svc.state().meetings
    found = calendar.find_meeting(meetings, meeting)
    if found is None:
        names = ", ".join(f'"{m["name"]}"' for m in calendar.chronological(meetings))
        raise ServiceError.refused(404, "unknown_meeting", meeting=meeting, names=names)
    return dict(found)


def listing(
    svc: Service,
    *,
    area: str | None = None,
    within: bool = True,
    status: str | None = None,
    due: str | None = None,
    theme: str | None = None,
    overdue_at: str | None = None,
) -> list[Row]:
    """Agreements of an area (and inside it), of a status, due at a meeting (name or id), on
    a theme, still open after their due moment at a meeting, on a date or ``today``; in the
    letter's order."""
    state = svc.state()
    scope = area_scope(state, area, within)
    due_at = calendar.frame(find_meeting(svc, due)["id"], state.meetings) if due else None
    by_id = {m["id"]: m for m in state.meetings}
    late: Any = None
    if overdue_at:
        if overdue_at.lower() == "today":
            late = dt.date.today()
        else:
            try:
                late = dt.date.fromisoformat(overdue_at)
            except ValueError:
                late = calendar.frame(find_meeting(svc, overdue_at)["id"], state.meetings)

    def overdue(a: Row) -> bool:
        if late is None:
            return True
        if isinstance(late, dt.date):
            return calendar.overdue_on(a, late, by_id)
        return calendar.overdue_at(a, late, by_id)

    return sorted(
        (
            a
            for a in state.agreements
            if (scope is None or a["area_id"] in scope)
            and (status is None or a["status"] == status)
            and (due_at is None or calendar.due_at(a, due_at, by_id))
            and (theme is None or theme in (a["themes"] or []))
            and overdue(a)
        ),
        key=rules.agreement_order,
    )


def listing_page(
    svc: Service,
    *,
    sort: str = "display_order",
    order: str = "asc",
    limit: int = 100,
    offset: int = 0,
    **filters: Any,
) -> Row:
    """:func:`listing`, sorted and paged (the API)."""
    return page(listing(svc, **filters), sort, order, limit, offset)


def due_next(svc: Service, limit: int = 12) -> list[Row]:
    """The open agreements due at the next two meetings that still have open ones (due as
    :func:`opgave.monitor.due_items` counts them), in that order; each with the name of the
    first of those meetings it is due at (``due_at_meeting``)."""
    state = svc.state()
    by_id = {a["id"]: a for a in state.agreements}
    chosen: dict[str, Row] = {}
    for item in [d for d in monitor.due_items(state.agreements, state.meetings) if d.not_done][:2]:
        due = [by_id[i] for i in item.agreement_ids if not calendar.is_closed(by_id[i])]
        for a in sorted(due, key=lambda a: (a["display_order"] or 0, a["id"])):
            chosen.setdefault(a["id"], {**a, "due_at_meeting": item.meeting_name})
    return list(chosen.values())[:limit]


def detail(svc: Service, agreement_id: str) -> Row:
    """An agreement with its version, links and history."""
    with svc.reading() as session:
        record = agreement_record(session, agreement_id)
        if record is None:
            raise ServiceError.refused(404, "unknown_agreement", agreement=agreement_id)
        return {
            "agreement": record,
            "links": links_of(session, agreement_id),
            "history": history_of(session, agreement_id),
        }


def history(svc: Service, agreement_id: str) -> list[HistoryEntry]:
    """The full history of an agreement, oldest first."""
    with svc.reading() as session:
        return history_of(session, agreement_id)


def agenda(svc: Service, meeting: str) -> agenda_rules.Agenda:
    """The agenda of a meeting (id or name): per region due, overdue, changed since the last."""
    found = find_meeting(svc, meeting)
    state = svc.state()
    with svc.engine.connect() as connection:
        events = rows(connection, AgreementEvent)
        changes = rows(connection, AgreementChange)
    return agenda_rules.agenda(
        found["id"],
        agreements=state.agreements,
        events=events,
        changes=changes,
        meetings=state.meetings,
        areas=state.areas,
        members=state.members,
    )


def events_and_changes(svc: Service) -> tuple[list[Row], list[Row]]:
    """Every history event and field change of the register (for the report)."""
    with svc.engine.connect() as connection:
        return rows(connection, AgreementEvent), rows(connection, AgreementChange)


# ---------------------------------------------------------------- session helpers


def agreement_version(session: Session, agreement_id: str) -> int:
    """An agreement's version: the number of events in its history."""
    count = session.scalar(
        select(func.count())
        .select_from(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement_id)
    )
    return int(count or 0)


def agreement_record(session: Session, agreement_id: str) -> Row | None:
    """The agreement with its version, or None."""
    obj = session.get(Agreement, agreement_id)
    if obj is None:
        return None
    return {**obj.to_dict(), "version": agreement_version(session, agreement_id)}


def _known(session: Session) -> rules.Known:
    return rules.Known(
        areas=frozenset(session.scalars(select(Area.id))),
        meetings=frozenset(session.scalars(select(Meeting.id))),
        sources=frozenset(session.scalars(select(Source.id))),
        agreements=frozenset(session.scalars(select(Agreement.id))),
    )


def _get(session: Session, agreement_id: str) -> Agreement:
    obj = session.get(Agreement, agreement_id)
    if obj is None:
        raise ServiceError.refused(404, "unknown_agreement", agreement=agreement_id)
    return obj


def _check_scope(
    session: Session, principal: Principal, agreement_id: str, old: str | None, new: str | None
) -> None:
    """Refuse (403) unless the principal may write agreements of the area the agreement is
    in now (``old``) and of the one it moves to (``new``)."""
    found = [
        Placement("area_id", area, f"agreement {agreement_id}", when)
        for area, when in ((old, "old"), (new, "new"))
        if area
    ]
    decision = authority.decide(session, principal, "agreements.write", found)
    if decision.outside:
        outside = ", ".join(sorted({p.area_id for p in decision.outside}))
        own = ", ".join(principal.area_ids)
        raise ServiceError.refused(
            403,
            "agreements_outside" if own else "agreements_nowhere",
            name=principal.name,
            outside=outside,
            own=own,
        )
    if not decision.allowed:
        raise ServiceError(403, decision.reason)


def _event(
    session: Session,
    agreement: Agreement,
    principal: Principal,
    on: dt.date | None,
    reason: str | None,
    changes: Sequence[FieldChange],
    before: Row | None,
) -> HistoryEntry:
    event = AgreementEvent(
        agreement_id=agreement.id,
        status=agreement.status,
        changed_on=on or dt.date.today(),
        changed_by=principal.name,
        reason=reason,
    )
    session.add(event)
    session.flush()
    for c in changes:
        session.add(
            AgreementChange(
                event_id=event.id, field=c.field, old_value=c.old_value, new_value=c.new_value
            )
        )
    session.flush()
    after = agreement_record(session, agreement.id)
    users.record(
        session, principal, "create" if before is None else "update", "agreement",
        agreement.id, before, after, after["version"] if after else None,
    )  # fmt: skip
    return rules.history_entries(
        [event.to_dict()],
        [
            {
                "event_id": event.id,
                "field": c.field,
                "old_value": c.old_value,
                "new_value": c.new_value,
            }
            for c in changes
        ],
    )[0]


def _check_version(session: Session, agreement_id: str, version: int | None) -> None:
    """Lock the agreement and refuse (409, with what changed since) a stale version."""
    if version is None:
        return
    # Lock the row (PostgreSQL) or the database (SQLite) before comparing versions, so that
    # of two concurrent writers based on the same version only one gets through.
    session.execute(
        update(Agreement).where(Agreement.id == agreement_id).values(status=Agreement.status)
    )
    current = agreement_version(session, agreement_id)
    if version != current:
        raise ServiceError.refused(
            409,
            "agreement_changed",
            agreement=agreement_id,
            version=version,
            current=current,
            extra={
                "your_version": version,
                "current_version": current,
                "current": agreement_record(session, agreement_id),
                "changes": users.trail(session, "agreement", [agreement_id])[
                    : max(current - version, 0) or 20
                ],
            },
        )


# ---------------------------------------------------------------- writes


def add(
    svc: Service,
    principal: Principal,
    agreement_id: str,
    fields: Mapping[str, Any],
    *,
    on: dt.date | None = None,
    reason: str | None = None,
    status: str = "open",
) -> Row:
    """Add an agreement (``fields`` as in ``register.EDITABLE_FIELDS``; area and text
    required) and open its history. Returns the new record."""
    with svc.writing() as session:
        known = _known(session)
        problems = rules.field_problems(fields, known)
        if not agreement_id.strip():
            problems.insert(0, "id: an agreement needs an id")
        elif agreement_id in known.agreements:
            problems.insert(0, f"id: agreement {agreement_id!r} exists already (use update)")
        for required in ("area_id", "text"):
            if required not in fields:
                problems.append(f"{required} is required")
        if status not in rules.STATUSES_TO_START:
            problems.append("a new agreement starts as one of open, in_progress, done, lapsed")
        if problems:
            raise _refused(problems)
        _check_scope(session, principal, agreement_id, None, fields["area_id"])
        record = {
            "kind": "agreement",
            "parties": [],
            "themes": [],
            **{k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
        }
        obj = Agreement(id=agreement_id, status=status, **record)
        session.add(obj)
        session.flush()
        _event(session, obj, principal, on, reason or ADDED_REASON, [], None)
        return obj.to_dict()


def change(
    svc: Service,
    principal: Principal,
    agreement_id: str,
    fields: Mapping[str, Any],
    *,
    on: dt.date | None = None,
    reason: str | None = None,
    version: int | None = None,
) -> HistoryEntry | None:
    """Change fields of an agreement; the changes become one history event. None when
    nothing differs."""
    with svc.writing() as session:
        obj = _get(session, agreement_id)
        problems = rules.field_problems(fields, _known(session))
        if problems:
            raise _refused(problems)
        _check_scope(session, principal, agreement_id, obj.area_id, fields.get("area_id"))
        _check_version(session, agreement_id, version)
        before = agreement_record(session, agreement_id)
        changes = rules.field_changes(obj.to_dict(), fields)
        if not changes:
            return None
        for c in changes:
            value = fields[c.field]
            setattr(obj, c.field, list(value) if isinstance(value, tuple) else value)
            if c.field == "due_meeting_id":  # keep the list of due meetings in step
                _replace_due(session, agreement_id, c.old_value, c.new_value)
        return _event(session, obj, principal, on, reason, changes, before)


def _replace_due(session: Session, agreement_id: str, old: str | None, new: str | None) -> None:
    """Swap one due meeting of an agreement for another in ``agreement_due``."""
    if old is not None:
        found = session.get(AgreementDue, {"agreement_id": agreement_id, "meeting_id": old})
        if found is not None:
            session.delete(found)
    if (
        new is not None
        and session.get(AgreementDue, {"agreement_id": agreement_id, "meeting_id": new}) is None
    ):
        session.add(AgreementDue(agreement_id=agreement_id, meeting_id=new))
    session.flush()


def set_status(
    svc: Service,
    principal: Principal,
    agreement_id: str,
    status: str,
    *,
    on: dt.date | None = None,
    reason: str | None = None,
    superseded_by_id: str | None = None,
    version: int | None = None,
) -> Row:
    """Set the status (open, in_progress, done, lapsed, superseded by another agreement);
    with ``version`` only if that is still the agreement's version. Returns the record."""
    with svc.writing() as session:
        obj = _get(session, agreement_id)
        _check_scope(session, principal, agreement_id, obj.area_id, None)
        _check_version(session, agreement_id, version)
        before = agreement_record(session, agreement_id)
        current = obj.to_dict()
        problems = rules.status_problems(current, status, superseded_by_id, _known(session))
        previous = rules.superseded_by(history_of(session, agreement_id))
        if status == "superseded" and previous == superseded_by_id and current["status"] == status:
            problems.append(f"{agreement_id} is already superseded by {superseded_by_id}")
        if problems:
            raise ServiceError.refused(
                422,
                "status_change_refused",
                agreement=agreement_id,
                reasons="; ".join(problems),
                problems=[{"field": "status", "message": p} for p in problems],
            )
        changes = []
        if status != current["status"]:
            changes.append(FieldChange("status", current["status"], status))
        if previous != superseded_by_id:
            changes.append(FieldChange("superseded_by", previous, superseded_by_id))
        obj.status = status
        _event(session, obj, principal, on, reason, changes, before)
        after = agreement_record(session, agreement_id)
        assert after is not None
        return after


def link(
    svc: Service,
    principal: Principal,
    agreement_id: str,
    kind: str,
    ref_id: str,
    *,
    on: dt.date | None = None,
    reason: str | None = None,
    remove: bool = False,
) -> HistoryEntry | None:
    """Link an agreement to a target, plan, precondition or instrument (or remove the link);
    recorded in its history. None when the link was already as asked."""
    with svc.writing() as session:
        obj = _get(session, agreement_id)
        if kind not in LINKS:
            raise _refused([f"link kind {kind!r} is not one of {', '.join(LINKS)}"])
        _check_scope(session, principal, agreement_id, obj.area_id, None)
        link_model, column, linked = LINKS[kind]
        if session.get(linked, ref_id) is None:
            raise _refused([f"unknown {kind} {ref_id!r}"], 404)
        before = agreement_record(session, agreement_id)
        existing = session.get(link_model, {"agreement_id": agreement_id, column: ref_id})
        if (existing is None) == remove:
            return None
        if remove:
            session.delete(existing)
            change_ = FieldChange(f"link_{kind}", ref_id, None)
        else:
            session.add(link_model(agreement_id=agreement_id, **{column: ref_id}))
            change_ = FieldChange(f"link_{kind}", None, ref_id)
        session.flush()
        return _event(session, obj, principal, on, reason, [change_], before)


def links_of(session: Session, agreement_id: str) -> dict[str, list[str]]:
    """The ids an agreement is linked to, per link kind."""
    result: dict[str, list[str]] = {}
    for kind, (link_model, column, _) in LINKS.items():
        records = session.scalars(
            select(link_model).where(link_model.__table__.c.agreement_id == agreement_id)
        )
        result[kind] = sorted(str(getattr(r, column)) for r in records)
    return result


def history_of(session: Session, agreement_id: str) -> list[HistoryEntry]:
    """The full history of an agreement, oldest first, in the caller's transaction."""
    _get(session, agreement_id)
    events = [
        e.to_dict()
        for e in session.scalars(
            select(AgreementEvent).where(AgreementEvent.agreement_id == agreement_id)
        )
    ]
    ids = [e["id"] for e in events]
    changes = (
        [
            c.to_dict()
            for c in session.scalars(
                select(AgreementChange).where(AgreementChange.event_id.in_(ids))
            )
        ]
        if ids
        else []
    )
    return rules.history_entries(events, changes)
