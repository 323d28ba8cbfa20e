"""Users, roles, sign-in and the audit log: who may read and write what, and who did.

Roles (``vocabulary.ROLES``): ``admin`` (Rijk) writes everything; ``editor`` writes only its own
areas and what lies inside them (a region's programme office); ``viewer`` reads. Passwords
are hashed with argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane; a hash of other
parameters is redone at the next sign-in), at most one per core at once, outside any
transaction; failed sign-ins slow down per account and per address (:mod:`.throttle`).
Browser sessions and API tokens are random secrets of which only the SHA-256 is stored, so
a copy of the database signs nobody in. Every write is recorded in ``audit_event`` with the
record before and after.

Each function opens its own transaction on the service; ``record`` adds an audit event to
the caller's (every write of the service layer calls it). Refusals are ``ServiceError``s.
Who may write what is decided in :mod:`opgave.access`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import secrets
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from opgave.access import Principal
from opgave.model import ApiToken, Area, AuditEvent, User, UserSession
from opgave.refusals import counted
from opgave.service import Service, authority, throttle
from opgave.service.errors import ServiceError
from opgave.vocabulary import ROLES

if TYPE_CHECKING:
    from argon2 import PasswordHasher

AUDITED_TABLES = (
    "agreement", "plan", "application", "award", "realisation", "scenario", "app_user",
    "api_token", "area_boundary",
)  # fmt: skip
"""The tables whose writes the audit log records (``audit_event.table_name``)."""
SESSION_HOURS = 12
"""How long a browser session lasts after signing in."""
MIN_PASSWORD_LENGTH = 8
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19_456
ARGON2_PARALLELISM = 1


@cache
def _hasher() -> PasswordHasher:
    """The argon2id hasher, made when a password is first hashed or checked (the commands
    that never touch one do not import argon2)."""
    from argon2 import PasswordHasher

    return PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
    )


def _refused(problems: list[str]) -> ServiceError:
    if len(problems) == 1:
        return ServiceError(422, problems[0])
    detail = counted("problems_nothing_changed", len(problems))
    return ServiceError(422, detail, [{"message": p} for p in problems])


def now_text(at: dt.datetime | None = None) -> str:
    """A UTC timestamp as sortable ISO text with microseconds: 2026-11-28T10:15:03.123456Z."""
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hash_password(password: str) -> str:
    """The argon2id hash of a password (salted; parameters are in the hash)."""
    with throttle.hash_slot():
        return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for no hash or a bad one."""
    if not password_hash:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        with throttle.hash_slot():
            return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def secret_id(secret: str) -> str:
    """What is stored of a session cookie or an API token: its SHA-256 in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def user_problems(
    name: str, role: str, area_ids: Collection[str], known_areas: Collection[str]
) -> list[str]:
    """Why a user cannot be added as given (empty when it can)."""
    problems = []
    if not name.strip() or len(name) > 64:
        problems.append("a user name of 1-64 characters is required")
    if role not in ROLES:
        problems.append(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role == "editor" and not area_ids:
        problems.append("an editor needs the areas it may write (--areas CODES)")
    if role != "editor" and area_ids:
        problems.append(f"only editors are scoped to areas; a {role} reads or writes everything")
    unknown = sorted(set(area_ids) - set(known_areas))
    if unknown:
        problems.append(f"unknown area(s) {', '.join(unknown)}; `opgave areas` lists them")
    return problems


def add_user(
    svc: Service,
    name: str,
    role: str,
    area_ids: Iterable[str] = (),
    password: str | None = None,
    by: Principal | None = None,
) -> Principal:
    """Add a user (or replace the role, areas and password of an existing one). ``by``, when
    given, must be an admin (``users.manage``); without it the user adds itself (the
    command line setting up a database)."""
    if by is not None:
        authority.require(by, "users.manage")
    wanted = sorted({a.strip() for a in area_ids if a.strip()})
    with svc.writing(changes_state=False) as session:
        problems = user_problems(name, role, wanted, session.scalars(select(Area.id)).all())
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            problems.append(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        if problems:
            raise _refused(problems)
        user = session.scalar(select(User).where(User.name == name))
        before = _public(user) if user else None
        if user is None:
            user = User(name=name, role=role, area_ids=wanted, active=True, created_at=now_text())
            session.add(user)
        else:
            user.role, user.area_ids, user.active = role, wanted, True
        if password is not None:
            user.password_hash = hash_password(password)
        session.flush()
        record(session, by or _principal(user), "create" if before is None else "update",
               "app_user", name, before, _public(user))  # fmt: skip
        return _principal(user)


def _principal(user: User) -> Principal:
    return Principal(user.id, user.name, user.role, tuple(user.area_ids or ()))


def _public(user: User) -> dict[str, Any]:
    return {k: v for k, v in user.to_dict().items() if k != "password_hash"}


def list_users(svc: Service) -> list[dict[str, Any]]:
    """Users without their password hashes, by name."""
    with svc.reading() as session:
        return [_public(u) for u in session.scalars(select(User).order_by(User.name))]


def find_user(svc: Service, name: str) -> Principal | None:
    """The active user of this name as a principal, or None."""
    with svc.reading() as session:
        user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
        return _principal(user) if user else None


def authenticate(svc: Service, name: str, password: str) -> Principal | None:
    """The active user with this name and password, or None (same answer for both faults)."""
    found = _check_password(svc, name, password)
    if found is None:
        return None
    principal, new_hash = found
    if new_hash is not None:
        with svc.writing(changes_state=False) as session:
            _store_hash(session, principal, new_hash)
    return principal


def _check_password(svc: Service, name: str, password: str) -> tuple[Principal, str | None] | None:
    """The user and, when its hash has old parameters, a new hash - or None. The hash is
    checked outside any transaction (it takes tens of milliseconds by design)."""
    with svc.reading() as session:
        user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
        found = (_principal(user), user.password_hash) if user is not None else None
    if found is None:
        hash_password(password)  # spend the same time as a real check
        return None
    principal, password_hash = found
    if not verify_password(password_hash, password):
        return None
    rehash = bool(password_hash) and _hasher().check_needs_rehash(str(password_hash))
    return principal, hash_password(password) if rehash else None


def _store_hash(session: Session, principal: Principal, new_hash: str) -> None:
    user = session.get(User, principal.id)
    if user is not None:
        user.password_hash = new_hash


def create_token(
    svc: Service, user_name: str, label: str | None = None, by: Principal | None = None
) -> str:
    """A new API token for a user; the token is returned once and only its hash is kept.
    Only an admin hands out tokens of other users (``users.manage``)."""
    if by is not None and by.name != user_name:
        authority.require(by, "users.manage")
    with svc.writing(changes_state=False) as session:
        user = session.scalar(select(User).where(User.name == user_name))
        if user is None:
            raise _refused([f"unknown user {user_name!r}"])
        token = "opg_" + secrets.token_urlsafe(32)
        session.add(
            ApiToken(id=secret_id(token), user_id=user.id, label=label, created_at=now_text())
        )
        session.flush()
        record(session, by or _principal(user), "create", "api_token", secret_id(token)[:16],
               None, {"user": user_name, "label": label})  # fmt: skip
        return token


def revoke_tokens(svc: Service, user_name: str, by: Principal | None = None) -> int:
    """Revoke every token of a user; returns how many (another's: admins only)."""
    if by is not None and by.name != user_name:
        authority.require(by, "users.manage")
    with svc.writing(changes_state=False) as session:
        user = session.scalar(select(User).where(User.name == user_name))
        if user is None:
            raise _refused([f"unknown user {user_name!r}"])
        result = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now_text())
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        record(session, by or _principal(user), "update", "api_token", user_name,
               None, {"revoked": count})  # fmt: skip
        return count


def principal_for_token(svc: Service, token: str) -> Principal | None:
    """The active user holding an unrevoked API token, or None."""
    with svc.reading() as session:
        return _token_principal(session, token)


def _token_principal(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.id == secret_id(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).scalar()
    return None if row is None else _principal(row)


def sign_in(
    svc: Service,
    name: str,
    password: str,
    hours: int = SESSION_HOURS,
    client: str | None = None,
) -> tuple[Principal, str, str] | None:
    """Check a name and password and start a browser session: (principal, cookie value,
    CSRF token), or None when they do not match. The sign-in is audited. After too many
    failures for the account or from the ``client`` address it is refused (429) until the
    delay has passed, without checking the password."""
    svc.logins.check(name, client)
    found = _check_password(svc, name, password)
    if found is None:
        svc.logins.failed(name, client)
        return None
    svc.logins.succeeded(name, client)
    principal, new_hash = found
    with svc.writing(changes_state=False) as session:
        if new_hash is not None:
            _store_hash(session, principal, new_hash)
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = dt.datetime.now(dt.UTC)
        session.add(
            UserSession(
                id=secret_id(cookie),
                user_id=principal.id,
                csrf_token=csrf,
                created_at=now_text(now),
                expires_at=now_text(now + dt.timedelta(hours=hours)),
            )
        )
        record(session, principal, "login", "app_user", principal.name, None, None)
        return principal, cookie, csrf


def principal_for_session(svc: Service, cookie: str) -> tuple[Principal, str] | None:
    """The user of an unexpired browser session and its CSRF token, or None."""
    with svc.reading() as session:
        return _session_principal(session, cookie)


def _session_principal(session: Session, cookie: str) -> tuple[Principal, str] | None:
    row = session.execute(
        select(User, UserSession.csrf_token)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.id == secret_id(cookie),
            UserSession.expires_at > now_text(),
            User.active.is_(True),
        )
    ).first()
    return None if row is None else (_principal(row[0]), str(row[1]))


def end_session(svc: Service, cookie: str) -> None:
    """Sign a browser out (its session row is deleted)."""
    with svc.writing(changes_state=False) as session:
        found = session.get(UserSession, secret_id(cookie))
        if found is not None:
            session.delete(found)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    principal: Principal,
    action: str,
    table: str,
    record_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    version: int | None = None,
) -> None:
    """Add one write to the audit log (before/after as JSON; dates as ISO text)."""
    session.add(
        AuditEvent(
            at=now_text(),
            user_name=principal.name,
            action=action,
            table_name=table,
            record_id=record_id,
            version=version,
            before_json=_json(dict(before) if before is not None else None),
            after_json=_json(dict(after) if after is not None else None),
        )
    )


def audit_trail(
    svc: Service,
    table: str | None = None,
    record_ids: Collection[str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, for one table and/or some records; before/after parsed."""
    with svc.reading() as session:
        return trail(session, table, record_ids, limit)


def trail(
    session: Session,
    table: str | None = None,
    record_ids: Collection[str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """:func:`audit_trail` inside the caller's transaction. A record is found by its own
    events and by the bulk events (an import) that list it among what they changed."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if table is not None:
        query = query.where(AuditEvent.table_name == table)
    if record_ids is not None:
        ids = list(record_ids)
        query = query.where(
            or_(
                AuditEvent.record_id.in_(ids),
                *(AuditEvent.after_json.contains(json.dumps(i)) for i in ids[:20]),
            )
        )
    entries = []
    for event in session.scalars(query):
        entry = event.to_dict()
        entry["before"] = json.loads(entry.pop("before_json") or "null")
        entry["after"] = json.loads(entry.pop("after_json") or "null")
        entries.append(entry)
    return entries


def operator(svc: Service, by: str | None = None) -> Principal:
    """The principal of a command-line write: the user named ``by`` when there is one (with
    its role and areas, so an editor's scope holds on the command line too), else whoever
    runs the command, who has the database in hand and writes as an admin: recorded in the
    audit log as ``by`` when given, else as ``cli:<login name>``."""
    if by:
        return find_user(svc, by) or Principal(0, by, "admin")
    return Principal(0, f"cli:{getpass.getuser()}", "admin")


def trail_of(
    svc: Service, agreement_ids: Collection[str], plan_ids: Collection[str], limit: int = 50
) -> list[dict[str, Any]]:
    """The recent audit entries about these agreements, and the plan-list imports that added,
    changed or dropped one of these plans (a region's page shows them)."""
    agreements, plans = set(agreement_ids), set(plan_ids)
    found = []
    for entry in audit_trail(svc, limit=2000):
        after = entry["after"] or {}
        touched = {*after.get("added", []), *after.get("changed", []), *after.get("dropped", [])}
        if (entry["table_name"] == "agreement" and entry["record_id"] in agreements) or (
            entry["table_name"] == "plan" and (entry["record_id"] in plans or touched & plans)
        ):
            found.append(entry)
    return found[:limit]
