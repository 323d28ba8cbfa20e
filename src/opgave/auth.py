"""Users, roles, sign-in and the audit log: who may read and write what, and who did.

Roles (``model.ROLES``): ``admin`` (Rijk) writes everything; ``editor`` writes only its own
areas and what lies inside them (a region's programme office); ``viewer`` reads. Passwords
are hashed with argon2id; browser sessions and API tokens are random secrets of which only
the SHA-256 is stored, so a copy of the database signs nobody in. Every write is recorded in
``audit_event`` with the record before and after.

The scope rules and hashing are pure functions; the functions taking a ``Session`` read or
write users, credentials and audit rows, and the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opgave import areas as area_graph
from opgave.model import ROLES, ApiToken, Area, AuditEvent, User, UserSession

SESSION_HOURS = 12
"""How long a browser session lasts after signing in."""
MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHasher()


class AuthInputError(ValueError):
    """A user cannot be added as asked; ``problems`` names every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (or token holder) with role and area scope."""

    id: int
    name: str
    role: str
    area_ids: tuple[str, ...] = ()

    @property
    def can_write(self) -> bool:
        """Admins and editors write (editors within their areas); viewers do not."""
        return self.role in ("admin", "editor")


def now_text(at: dt.datetime | None = None) -> str:
    """A UTC timestamp as sortable ISO text with microseconds: 2026-11-28T10:15:03.123456Z."""
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hash_password(password: str) -> str:
    """The argon2id hash of a password (salted; parameters are in the hash)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for no hash or a bad one."""
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def secret_id(secret: str) -> str:
    """What is stored of a session cookie or an API token: its SHA-256 in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def writable_areas(principal: Principal, children: Mapping[str, list[str]]) -> set[str] | None:
    """The areas a principal may write: None for all (admin), an editor's areas and everything
    inside them, nothing for a viewer."""
    if principal.role == "admin":
        return None
    if principal.role != "editor":
        return set()
    scope: set[str] = set()
    for area in principal.area_ids:
        scope |= {area} | area_graph.descendants(area, children)
    return scope


def may_write(principal: Principal, area_id: str, children: Mapping[str, list[str]]) -> bool:
    """True when the principal may write records of ``area_id``."""
    scope = writable_areas(principal, children)
    return scope is None or area_id in scope


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
    session: Session,
    name: str,
    role: str,
    area_ids: Iterable[str] = (),
    password: str | None = None,
) -> Principal:
    """Add a user (or replace the role, areas and password of an existing one)."""
    wanted = sorted({a.strip() for a in area_ids if a.strip()})
    problems = user_problems(name, role, wanted, session.scalars(select(Area.id)).all())
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if problems:
        raise AuthInputError(problems)
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role, area_ids=wanted, active=True, created_at=now_text())
        session.add(user)
    else:
        user.role, user.area_ids, user.active = role, wanted, True
    if password is not None:
        user.password_hash = hash_password(password)
    session.flush()
    return _principal(user)


def _principal(user: User) -> Principal:
    return Principal(user.id, user.name, user.role, tuple(user.area_ids or ()))


def list_users(session: Session) -> list[dict[str, Any]]:
    """Users without their password hashes, by name."""
    return [
        {k: v for k, v in u.to_dict().items() if k != "password_hash"}
        for u in session.scalars(select(User).order_by(User.name))
    ]


def authenticate(session: Session, name: str, password: str) -> Principal | None:
    """The active user with this name and password, or None (same answer for both faults)."""
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None:
        _HASHER.hash(password)  # spend the same time as a real check
        return None
    if not verify_password(user.password_hash, password):
        return None
    if user.password_hash and _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return _principal(user)


def create_token(session: Session, user_name: str, label: str | None = None) -> str:
    """A new API token for a user; the token is returned once and only its hash is kept."""
    user = session.scalar(select(User).where(User.name == user_name))
    if user is None:
        raise AuthInputError([f"unknown user {user_name!r}"])
    token = "opg_" + secrets.token_urlsafe(32)
    session.add(ApiToken(id=secret_id(token), user_id=user.id, label=label, created_at=now_text()))
    session.flush()
    return token


def revoke_tokens(session: Session, user_name: str) -> int:
    """Revoke every token of a user; returns how many."""
    user = session.scalar(select(User).where(User.name == user_name))
    if user is None:
        raise AuthInputError([f"unknown user {user_name!r}"])
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now_text())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The active user holding an unrevoked API token, or None."""
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


def start_session(
    session: Session, principal: Principal, hours: int = SESSION_HOURS
) -> tuple[str, str]:
    """A new browser session: (cookie value, CSRF token)."""
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
    session.flush()
    return cookie, csrf


def principal_for_session(session: Session, cookie: str) -> tuple[Principal, str] | None:
    """The user of an unexpired browser session and its CSRF token, or None."""
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


def end_session(session: Session, cookie: str) -> None:
    """Sign a browser out (its session row is deleted)."""
    found = session.get(UserSession, secret_id(cookie))
    if found is not None:
        session.delete(found)


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a form's or header's CSRF token with the session's."""
    return given is not None and secrets.compare_digest(expected.encode(), given.encode())


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
    session: Session,
    table: str | None = None,
    record_ids: Collection[str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, for one table and/or some records; before/after parsed."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if table is not None:
        query = query.where(AuditEvent.table_name == table)
    if record_ids is not None:
        query = query.where(AuditEvent.record_id.in_(list(record_ids)))
    entries = []
    for event in session.scalars(query):
        entry = event.to_dict()
        entry["before"] = json.loads(entry.pop("before_json") or "null")
        entry["after"] = json.loads(entry.pop("after_json") or "null")
        entries.append(entry)
    return entries
