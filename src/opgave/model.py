"""The domain model: areas, targets, meetings, agreements, preconditions, instruments, plans.

Every table here is also the shape of what the CLI prints with ``--json``, what ``export``
writes and what the API will serve: one name for one quantity, snake_case English, the
official Dutch term where it is the domain's own word (see the glossary in the README).
Every record that states a fact points at its ``source`` (a document, a CBS table, an
imported file) and the section of that source.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention (needed by migrations)."""

    metadata = NAMING
    type_annotation_map: ClassVar[dict[Any, Any]] = {list[str]: JSON, list[int]: JSON}

    def to_dict(self) -> dict[str, Any]:
        """The record as a dict keyed by column name, in table order."""
        return {c.name: getattr(self, c.key) for c in self.__table__.columns}


def _source() -> Mapped[str | None]:
    return mapped_column(String(64), ForeignKey("source.id"), nullable=True)


class Source(Base):
    """Where a fact comes from: a document, a CBS table, a dataset or an imported file."""

    __tablename__ = "source"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[str] = mapped_column(String(16))
    checksum: Mapped[str | None] = mapped_column(String(80))
    retrieved: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Area(Base):
    """A place a target, plan or figure applies to; areas nest and may overlap.

    ``members_complete`` says whether the area's own member list is whole (for a location or
    large-scale area: whether its host municipalities are all known); ``members_expected`` is
    the number of members a source states, ``members_source_id`` that source and
    ``members_note`` what is missing or uncertain. A group counts as complete only when its
    member areas are complete too (``opgave.areas.is_complete``). ``succeeds_id`` names the
    area this one continues (the 17 NOVEX areas of 2022 continue the 14 of 2021).
    """

    __tablename__ = "area"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    official_code: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[int | None] = mapped_column(Integer)
    valid_to: Mapped[int | None] = mapped_column(Integer)
    members_complete: Mapped[bool] = mapped_column(default=True)
    members_expected: Mapped[int | None] = mapped_column(Integer)
    members_source_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("source.id"), nullable=True
    )
    members_note: Mapped[str | None] = mapped_column(Text)
    succeeds_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("area.id"))
    display_order: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


class AreaMember(Base):
    """``parent`` contains ``child`` (a municipality, or another area) from ``valid_from`` to
    ``valid_to`` (both inclusive dates; None: open, not known to start or end), established
    with ``confidence`` (official / secondary / inferred / synthetic; see MEMBER_CONFIDENCES).
    One validity period per pair; a merged municipality's memberships end the day before
    its merger."""

    __tablename__ = "area_member"
    parent_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    confidence: Mapped[str] = mapped_column(
        String(16), default="official", server_default="official"
    )
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class AreaCodeChange(Base):
    """A municipal merger or renaming: figures under ``old_code`` belong to ``new_code``."""

    __tablename__ = "area_code_change"
    old_code: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    new_code: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    old_name: Mapped[str] = mapped_column(Text)
    new_name: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[str | None] = _source()
    note: Mapped[str | None] = mapped_column(Text)


class Target(Base):
    """A number (or a range, or an open ambition) for an area over an inclusive year period.

    A single number has ``value_min == value_max``; "up to" has only ``value_max``; "at
    least" only ``value_min``; an open target has neither and says what it is in
    ``qualitative``. ``approximate`` keeps the letter's "ca.".
    """

    __tablename__ = "target"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    measure: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(16), default="target")
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    period_text: Mapped[str | None] = mapped_column(Text)
    value_min: Mapped[float | None]
    value_max: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(16))
    approximate: Mapped[bool] = mapped_column(default=False)
    qualitative: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)
    source_quote: Mapped[str | None] = mapped_column(Text)


class Meeting(Base):
    """An administrative consultation (Bestuurlijk Overleg); the date may be fuzzy."""

    __tablename__ = "meeting"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(48))
    date_first: Mapped[dt.date | None] = mapped_column(Date)
    date_last: Mapped[dt.date | None] = mapped_column(Date)
    moment_text: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("meeting.id"))
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


class MeetingArea(Base):
    """The landsdelen or regions taking part in a meeting."""

    __tablename__ = "meeting_area"
    meeting_id: Mapped[str] = mapped_column(String(64), ForeignKey("meeting.id"), primary_key=True)
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)


class Agreement(Base):
    """A reciprocal agreement or next step made at a meeting, due at a meeting or date."""

    __tablename__ = "agreement"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="agreement")
    meeting_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("meeting.id"))
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    parties: Mapped[list[str]]
    themes: Mapped[list[str]]
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    due_meeting_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("meeting.id"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    display_order: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


class AgreementDue(Base):
    """A meeting an agreement is due at; an agreement may be due at several (the MRA's
    programming agreements at the BO Leefomgeving and the BO MIRT 2022). Holds every due
    meeting, including the one in ``agreement.due_meeting_id`` (kept as the first one)."""

    __tablename__ = "agreement_due"
    agreement_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("agreement.id"), primary_key=True
    )
    meeting_id: Mapped[str] = mapped_column(String(64), ForeignKey("meeting.id"), primary_key=True)


class AgreementEvent(Base):
    """One change of an agreement's status: who, when, what, why (the status history)."""

    __tablename__ = "agreement_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(64), ForeignKey("agreement.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_on: Mapped[dt.date] = mapped_column(Date)
    changed_by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class Precondition(Base):
    """Something housing depends on: a rail upgrade, a nitrogen permit, water storage.
    ``description`` is Dutch (the letter's language), ``description_en`` English."""

    __tablename__ = "precondition"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


class Instrument(Base):
    """A funding instrument: a budget (per year or in total), its tracks and tranches."""

    __tablename__ = "instrument"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("instrument.id"))
    budget_eur: Mapped[int | None] = mapped_column(BigInteger)
    budget_per_year_eur: Mapped[int | None] = mapped_column(BigInteger)
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    years: Mapped[int | None] = mapped_column(Integer)
    expected_homes: Mapped[int | None] = mapped_column(Integer)
    approximate: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


class InstrumentArea(Base):
    """An area an instrument is meant for (N6: the 14 areas; N7: Amersfoort too)."""

    __tablename__ = "instrument_area"
    instrument_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("instrument.id"), primary_key=True
    )
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    source_section: Mapped[str | None] = mapped_column(Text)


class Plan(Base):
    """A housing plan in the pipeline as it stands now (one row of a plan list).

    ``homes_by_year`` holds the homes per year from ``first_year`` when the list gives them,
    else None (spread evenly). ``valid_from`` is the capture date of this version;
    ``dropped_on`` the capture date of the first list that no longer had the plan.
    Earlier versions are in ``plan_history``.
    """

    __tablename__ = "plan"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    gemeente_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    homes: Mapped[int] = mapped_column(Integer)
    social_rent_homes: Mapped[int | None] = mapped_column(Integer)
    mid_rent_homes: Mapped[int | None] = mapped_column(Integer)
    affordable_buy_homes: Mapped[int | None] = mapped_column(Integer)
    planstatus: Mapped[str] = mapped_column(String(4))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[str | None] = _source()
    homes_by_year: Mapped[list[int] | None] = mapped_column(JSON)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    dropped_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - every ORM update counts


class PlanHistory(Base):
    """An earlier version of a plan, valid from one capture date until the next."""

    __tablename__ = "plan_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64), ForeignKey("plan.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    gemeente_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"))
    homes: Mapped[int] = mapped_column(Integer)
    social_rent_homes: Mapped[int | None] = mapped_column(Integer)
    mid_rent_homes: Mapped[int | None] = mapped_column(Integer)
    affordable_buy_homes: Mapped[int | None] = mapped_column(Integer)
    planstatus: Mapped[str] = mapped_column(String(4))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    homes_by_year: Mapped[list[int] | None] = mapped_column(JSON)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    source_id: Mapped[str | None] = _source()


class PlanArea(Base):
    """An area a plan lies in besides its municipality (a large-scale area, a location)."""

    __tablename__ = "plan_area"
    plan_id: Mapped[str] = mapped_column(String(64), ForeignKey("plan.id"), primary_key=True)
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)


class PlanPrecondition(Base):
    """A precondition a plan depends on (it cannot deliver unless the precondition is met)."""

    __tablename__ = "plan_precondition"
    plan_id: Mapped[str] = mapped_column(String(64), ForeignKey("plan.id"), primary_key=True)
    precondition_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("precondition.id"), primary_key=True
    )


class Realisation(Base):
    """A realised figure (CBS, BAG, or stated in a document) for an area and year period."""

    __tablename__ = "realisation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    measure: Mapped[str] = mapped_column(String(48))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float]
    provisional: Mapped[bool] = mapped_column(default=False)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


class RealisationMonth(Base):
    """A realised figure for one calendar month (BAG, the year so far); never a whole year:
    whole years are in ``realisation``, which monitoring reads."""

    __tablename__ = "realisation_month"
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(48), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), ForeignKey("source.id"), primary_key=True)
    value: Mapped[float]
    provisional: Mapped[bool] = mapped_column(default=True)


class Application(Base):
    """A funding application of a municipality for one project (one row of an application list)."""

    __tablename__ = "application"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    instrument_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("instrument.id"))
    plan_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("plan.id"))
    gemeente_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    project_name: Mapped[str | None] = mapped_column(Text)
    homes: Mapped[int] = mapped_column(Integer)
    affordable_homes: Mapped[int] = mapped_column(Integer)
    requested_eur: Mapped[int] = mapped_column(BigInteger)
    public_deficit_eur: Mapped[int] = mapped_column(BigInteger)
    cofinancing_eur: Mapped[int] = mapped_column(BigInteger)
    start_year: Mapped[int] = mapped_column(Integer)
    score_noodzaak: Mapped[float | None]
    score_effectiviteit: Mapped[float | None]
    score_efficientie: Mapped[float | None]
    score_urgentie: Mapped[float | None]
    source_id: Mapped[str | None] = _source()


class Award(Base):
    """Money awarded (or proposed) from an instrument to a project: amount and homes bought."""

    __tablename__ = "award"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instrument_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("instrument.id"))
    scheme_name: Mapped[str] = mapped_column(Text)
    application_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("application.id"))
    plan_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("plan.id"), index=True)
    gemeente_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    amount_eur: Mapped[int] = mapped_column(BigInteger)
    homes: Mapped[int] = mapped_column(Integer)
    affordable_homes: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    source_id: Mapped[str | None] = _source()


class Scenario(Base):
    """A named set of forecast overrides (assumptions, preconditions, extra plans, targets),
    kept as the TOML text a user wrote so that it can be read and checked by others."""

    __tablename__ = "scenario"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    overrides_toml: Mapped[str] = mapped_column(Text)
    created_on: Mapped[dt.date] = mapped_column(Date)


class AgreementChange(Base):
    """What one history event of an agreement changed: a field with its old and new value.

    The event (``agreement_event``) says who, when, why and the status after it; its changes
    say what: ``field`` is "status", a field of the agreement ("due_date", "text", ...),
    "superseded_by" (the id of the superseding agreement) or "link_target", "link_plan",
    "link_precondition", "link_instrument" (an id linked, or unlinked when ``new_value`` is
    None). Values are text: ISO dates, JSON for lists.
    """

    __tablename__ = "agreement_change"
    event_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agreement_event.id"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class AgreementTarget(Base):
    """A target an agreement serves (e.g. the Eindhoven accord and its 30,000 homes to 2030)."""

    __tablename__ = "agreement_target"
    agreement_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("agreement.id"), primary_key=True
    )
    target_id: Mapped[str] = mapped_column(String(64), ForeignKey("target.id"), primary_key=True)


class AgreementPlan(Base):
    """A plan an agreement is about (a location whose delivery the agreement steers)."""

    __tablename__ = "agreement_plan"
    agreement_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("agreement.id"), primary_key=True
    )
    plan_id: Mapped[str] = mapped_column(String(64), ForeignKey("plan.id"), primary_key=True)


class AgreementPrecondition(Base):
    """A precondition an agreement addresses (a rail upgrade, a nitrogen permit)."""

    __tablename__ = "agreement_precondition"
    agreement_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("agreement.id"), primary_key=True
    )
    precondition_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("precondition.id"), primary_key=True
    )


class AgreementInstrument(Base):
    """A funding instrument an agreement uses or commits (the EUR 500 million impulse)."""

    __tablename__ = "agreement_instrument"
    agreement_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("agreement.id"), primary_key=True
    )
    instrument_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("instrument.id"), primary_key=True
    )


TABLES: tuple[type[Base], ...] = (
    Source,
    Area,
    AreaMember,
    AreaCodeChange,
    Target,
    Meeting,
    MeetingArea,
    Agreement,
    AgreementDue,
    AgreementEvent,
    Precondition,
    Instrument,
    InstrumentArea,
    Plan,
    PlanHistory,
    PlanArea,
    PlanPrecondition,
    Realisation,
    RealisationMonth,
    Application,
    Award,
    Scenario,
    AgreementChange,
    AgreementTarget,
    AgreementPlan,
    AgreementPrecondition,
    AgreementInstrument,
)
"""All tables in an order that satisfies their foreign keys (parents first)."""


def table_of(model: type[Base]) -> Table:
    """The SQLAlchemy ``Table`` behind a model class (typed, unlike ``__table__``)."""
    return cast(Table, model.__table__)


# Users, credentials, the audit log and map boundaries (the API and dashboard, issue 7).
# Timestamps are ISO-8601 UTC text ("2026-11-28T10:15:03Z") and JSON payloads are text, so
# that export and import carry these tables like every other.
class User(Base):
    """Someone who signs in to the dashboard or the API; editors are scoped to ``area_ids``."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    area_ids: Mapped[list[str]]
    password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[str] = mapped_column(String(32))


class ApiToken(Base):
    """A token for scripts (``Authorization: Bearer ...``); only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("app_user.id"), index=True)
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32))


class UserSession(Base):
    """A signed-in browser: the cookie's SHA-256, its CSRF token and when it expires."""

    __tablename__ = "user_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32))


class AuditEvent(Base):
    """One write: who, when, which record, and the record before and after (JSON text)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    table_name: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)


class AreaBoundary(Base):
    """The outline of an area (GeoJSON geometry text, WGS84) for the dashboard's map."""

    __tablename__ = "area_boundary"
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), primary_key=True)
    geometry_json: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str | None] = _source()


TABLES = (*TABLES, User, ApiToken, UserSession, AuditEvent, AreaBoundary)


# Plan registers as offices keep them (issue 12): plan geometries and capacity totals.


class PlanGeometry(Base):
    """A plan's outline or point from a GIS register: WKB in RD New, as read (areas are
    computed in RD New; the map's GeoJSON in WGS84 is made from it when asked), under the
    source of the list that brought it."""

    __tablename__ = "plan_geometry"
    plan_id: Mapped[str] = mapped_column(String(64), ForeignKey("plan.id"), primary_key=True)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    source_id: Mapped[str | None] = _source()


class CapacityTotal(Base):
    """Plan capacity given as a total for an area (a municipality or a region) instead of
    per plan: homes of one hardness over an inclusive year period, gross or net."""

    __tablename__ = "capacity_total"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_id: Mapped[str] = mapped_column(String(32), ForeignKey("area.id"), index=True)
    hardness: Mapped[str] = mapped_column(String(8))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    gross_or_net: Mapped[str] = mapped_column(String(8))
    homes: Mapped[int] = mapped_column(Integer)
    captured_on: Mapped[dt.date | None] = mapped_column(Date)
    source_id: Mapped[str | None] = _source()
    source_section: Mapped[str | None] = mapped_column(Text)


TABLES = (*TABLES, PlanGeometry, CapacityTotal)


# Durable background jobs (issue 13): any worker process picks them up and shows them, and a
# restart does not lose them. Not exported (like sessions): they are the servers' work, not
# the programme's data.


class Job(Base):
    """A background job (a forecast run, a plan-list import): what to do (``params_json``,
    shown; ``work_json``, what re-creates the work - who asked, with role and areas), where
    it stands (status, progress, stage, the worker running it and its last heartbeat) and
    how it ended (the result, or the error with every problem)."""

    __tablename__ = "job"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    params_json: Mapped[str] = mapped_column(Text)
    work_json: Mapped[str | None] = mapped_column(Text)
    user_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[str | None] = mapped_column(String(32))
    finished_at: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[str | None] = mapped_column(String(32))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str] = mapped_column(String(32))
    worker: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    result_json: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    problems_json: Mapped[str | None] = mapped_column(Text)
    error_status: Mapped[int | None] = mapped_column(Integer)


class JobFile(Base):
    """The file a job works on (an uploaded plan list), kept until the job has ended so that
    another worker, or the same after a restart, can do the work."""

    __tablename__ = "job_file"
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("job.id"), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
