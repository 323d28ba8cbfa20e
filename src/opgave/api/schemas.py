"""The shapes the API reads and writes (pydantic), named after the model's tables and fields.

Record models come from :mod:`opgave.service.records` (derived from the tables: metadata as
code); results are the service's own types (``monitor.Overview``, ``AreaStatus``, ...), so
the API answers exactly what every other door shows. Every error response has
one shape, :class:`ErrorBody`; a refused stale write adds what changed (:class:`Conflict`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from opgave.areas import Coverage
from opgave.outlook import TargetOutlook
from opgave.service.records import (
    AgreementOut,
    AreaOut,
    PlanOut,
    StrictBool,
    StrictFloat,
)
from opgave.vocabulary import AGREEMENT_STATUSES

T = TypeVar("T")


def _json_whole(value: object) -> object:
    """A JSON integer: a number without a fraction (also written ``373.0``), never ``true``
    or the text ``"12"`` (which lax validation would take)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a whole number")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_whole)]


class Page(BaseModel, Generic[T]):
    """One page of a filtered, sorted listing."""

    total: int = Field(description="records matching the filter")
    offset: int
    limit: int
    items: list[T]


class Problem(BaseModel):
    """One thing wrong with the input: where (file, row, field) and what was expected."""

    file: str | None = None
    row: int | None = None
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """Every error: what went wrong, and each problem when there are several."""

    detail: str
    problems: list[Problem] = []
    code: str | None = None  # the refusal's code in opgave.refusals.REFUSALS, when it has one


class AuditEntry(BaseModel):
    """One write in the audit log."""

    id: int
    at: str = Field(description="UTC, ISO 8601")
    user_name: str
    action: str
    table_name: str
    record_id: str
    version: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class Conflict(ErrorBody):
    """A write based on an old version: the record as it is now and the writes since."""

    your_version: int
    current_version: int
    current: dict[str, Any]
    changes: list[AuditEntry] = []


class MapValue(BaseModel):
    """An area on the map with the value it is coloured by (None: no target or no data)."""

    area_id: str
    name: str
    value: StrictFloat | None
    target_homes: StrictFloat | None
    realised: StrictFloat | None
    planned: int | None


class MapOut(BaseModel):
    """Values per province (or municipality) for the map; ``boundaries`` says if outlines
    are loaded (else the dashboard draws a schematic tile map)."""

    measure: Literal["progress", "capacity", "planned"]
    division: Literal["province", "municipality"]
    boundaries: StrictBool
    synthetic: StrictBool
    areas: list[MapValue]


class AreaDetail(BaseModel):
    """An area with the areas directly inside it and those directly containing it."""

    area: AreaOut  # type: ignore[valid-type]
    parent_ids: list[str]
    child_ids: list[str]
    coverage: Coverage


class PlanDetail(BaseModel):
    """A plan with the areas it lies in and its earlier versions."""

    plan: PlanOut  # type: ignore[valid-type]
    area_ids: list[str]
    history: list[dict[str, Any]]


class HistoryEntryOut(BaseModel):
    """One event of an agreement's history (who, when, why, what it changed)."""

    event_id: int
    changed_on: dt.date
    changed_by: str
    reason: str | None
    status: str
    what: str


class AgreementDetail(BaseModel):
    """An agreement with its history and its audit trail."""

    agreement: AgreementOut  # type: ignore[valid-type]
    history: list[HistoryEntryOut]
    audit: list[AuditEntry]


class StatusChange(BaseModel):
    """A new status for an agreement, based on the version the writer saw."""

    model_config = ConfigDict(extra="forbid")
    status: Literal[AGREEMENT_STATUSES]  # type: ignore[valid-type]
    version: int = Field(ge=0, description="the agreement's version the change is based on")
    reason: str | None = Field(default=None, max_length=2000)
    superseded_by_id: str | None = Field(default=None, max_length=64)


class ImportReport(BaseModel):
    """What a plan-list upload did, plan ids per outcome."""

    source_id: str
    captured: dt.date
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    dropped: list[str]
    changes: dict[str, dict[str, list[Any]]] = Field(
        default={}, description="per changed plan, each changed field: [old, new]"
    )
    synthetic: StrictBool = False
    marked_synthetic: StrictBool = Field(
        default=False, description="synthetic because the file marks every row so"
    )


class ApplicationImportOut(BaseModel):
    """What an applications upload did, application ids per outcome."""

    source_id: str
    added: list[str]
    changed: list[str]
    unchanged: list[str]


class Login(BaseModel):
    """Name and password for a browser session."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    """Who is signed in; ``csrf_token`` is to be sent as ``X-CSRF-Token`` on writes."""

    name: str
    role: str
    area_ids: list[str]
    csrf_token: str | None = None


class TokenRequest(BaseModel):
    """A label for a new API token."""

    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(default=None, max_length=200)


class TokenOut(BaseModel):
    """A new API token: shown once, send it as ``Authorization: Bearer <token>``."""

    token: str
    label: str | None


class ForecastJobRequest(BaseModel):
    """A forecast to run in the background: like ``opgave forecast [--area] [--runs] [--seed]
    [--scenario] [--vs]``."""

    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(
        default=None, max_length=32, description="only this area and the areas inside it"
    )
    runs: JsonInt = Field(default=2000, ge=100, le=20_000, description="Monte Carlo runs")
    seed: JsonInt = Field(default=0, ge=0, le=2**31 - 1, description="same seed, same figures")
    scenario: str | None = Field(
        default=None, max_length=64, description="a stored scenario; null or 'base': none"
    )
    vs: str | None = Field(
        default=None,
        max_length=64,
        description="also run this scenario ('base': none) and add it per target as `vs`",
    )


@dataclasses.dataclass(frozen=True)
class TargetForecastOut(TargetOutlook):
    """A target's forecast (the fields of ``opgave forecast --json``), with the same target
    in the compared scenario (``vs``) when one was asked for."""

    vs: TargetOutlook | None = None


class ForecastRunOut(BaseModel):
    """A finished forecast run: its settings and the result per target."""

    start_year: int = Field(description="first simulated year")
    runs: int
    seed: int
    plans: int = Field(description="plans simulated")
    definition: str = Field(description="how homes built are counted")
    assumptions: list[str] = Field(description="assumption files, defaults first")
    gap_years: list[int] = Field(description="years with neither realised figures nor plans")
    synthetic: StrictBool
    synthetic_sources: list[str]
    area: str | None
    scenario: str | None
    vs: str | None
    targets: list[TargetForecastOut]


class PlanJobParams(BaseModel):
    """What a plan-list import job was given (the file is kept only until the job ends)."""

    file: str = Field(description="the uploaded file's name")
    bytes: int = Field(ge=0, description="its size")
    date: dt.date = Field(description="capture date (peildatum)")
    partial: StrictBool


class JobOut(BaseModel):
    """A background job: status, progress (0-1) and stage; the result once done, why it
    failed (and for a plan list every problem) when it failed."""

    id: str
    kind: Literal["forecast", "plans"]
    params: ForecastJobRequest | PlanJobParams
    user_name: str
    created_at: str = Field(description="UTC, ISO 8601")
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: StrictFloat = Field(ge=0, le=1)
    stage: str
    started_at: str | None
    finished_at: str | None
    result: ForecastRunOut | ImportReport | None = Field(
        description="when done (in GET /jobs/{id}): a forecast run, or a plan list's import "
        "report (as POST /plans/upload answers)"
    )
    error: str | None = Field(description="why it failed")
    problems: list[Problem] = Field(
        default=[], description="a failed plan list: every problem, as /plans/upload gives them"
    )
    error_status: int | None = Field(
        default=None,
        description="a refused input: the status /plans/upload would answer (422 or 403)",
    )


class ForecastOut(ForecastRunOut):
    """The latest finished forecast run with the job that made it."""

    job_id: str
    finished_at: str = Field(description="UTC, ISO 8601")
    user_name: str
