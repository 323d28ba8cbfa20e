"""The progress report's content: the opening with the national figures, then one section per
strategy region in the letter's order, every figure with a numbered note naming its source.

Inputs: the programme state (:mod:`opgave.state`) with the register's history and the
preconditions and instruments (``ReportInputs``, gathered by the service layer), and the
meeting the report follows (default: the latest meeting at which agreements were made).
Outputs: a ``Report`` - plain data, the same for every language and format; ``render`` turns it
into HTML, PDF or Markdown in Dutch or English.
Derives: nothing of the figures - the national and regional headlines and every target's
progress and capacity are ``monitor``'s, the same objects the other doors show; what is
due, overdue and new per agreement at the meeting and the next one (``agreements``), the
region each record belongs to, funding awarded per region, and the notes (deduplicated,
numbered in reading order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opgave import monitor
from opgave.agreements import agenda, calendar, register
from opgave.areas import Coverage
from opgave.i18n import as_date
from opgave.state import ProgrammeState

Row = Mapping[str, Any]
HOME_MEASURES = ("homes_built", "homes_started")


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report reads: the programme state, the register's history, the
    preconditions and instruments. ``forecast`` is target id -> probability (0-1) of reaching
    it, with ``forecast_source`` naming the run."""

    state: ProgrammeState
    events: Sequence[Row]
    changes: Sequence[Row]
    preconditions: Sequence[Row]
    instruments: Sequence[Row]
    forecast: Mapping[str, float] | None = None
    forecast_source: str | ForecastRun | None = None


@dataclass(frozen=True)
class ForecastRun:
    """The forecast run the chances come from, as a note names it (in the report's language):
    how many runs, the seed, the assumption files, when it finished (if stored)."""

    runs: int
    seed: int
    assumptions: tuple[str, ...]
    finished: dt.datetime | None = None


# ---------------------------------------------------------------- notes


@dataclass(frozen=True)
class Detail:
    """What a figure covers, for its note: years (and which are provisional), the capture
    date of a plan list, the dates of funding decisions, or that it is a forecast."""

    period: str | None = None
    provisional: str | None = None
    as_of: dt.date | None = None
    decided: tuple[dt.date, ...] = ()
    forecast: bool = False


@dataclass(frozen=True)
class Note:
    """A numbered source note: the source's citation, the section, what the figure covers.

    ``citation`` is the source's own (None when no source is recorded); an imported file
    (``kind`` "import") is named by its ``title`` (the file name) and ``retrieved`` date, a
    forecast by its ``forecast`` run, so the report can name them in its own language."""

    number: int
    source_id: str | None
    citation: str | None
    section: str | None
    detail: Detail
    synthetic: bool
    kind: str | None = None
    title: str | None = None
    retrieved: dt.date | None = None
    forecast: ForecastRun | None = None


class Notes:
    """Numbers notes in the order they are cited; the same source, section and detail share
    one number."""

    def __init__(self, sources: Sequence[Row]) -> None:
        self._sources = {s["id"]: s for s in sources}
        self._numbers: dict[tuple[str | ForecastRun | None, str | None, Detail], int] = {}
        self.notes: list[Note] = []

    def cite(
        self,
        source_id: str | ForecastRun | None,
        section: str | None = None,
        detail: Detail = Detail(),
    ) -> int:
        """The number of the note for this source (and section and detail); a forecast run
        (or its description, for callers that pass text) stands in for a source."""
        key = (source_id, section, detail)
        if key not in self._numbers:
            number = len(self.notes) + 1
            self._numbers[key] = number
            if isinstance(source_id, ForecastRun):
                self.notes.append(
                    Note(number, None, None, section, detail, False, forecast=source_id)
                )
                return number
            source = self._sources.get(source_id or "")
            self.notes.append(
                Note(
                    number=number,
                    source_id=source_id,
                    citation=source["citation"] if source else source_id,
                    section=section,
                    detail=detail,
                    synthetic=bool(source and source["confidence"] == "synthetic"),
                    kind=source["kind"] if source else None,
                    title=source["title"] if source else None,
                    retrieved=as_date(source.get("retrieved")) if source else None,
                )
            )
        return self._numbers[key]

    def cite_all(self, source_ids: Sequence[str | None], detail: Detail = Detail()) -> list[int]:
        """Notes for several sources (e.g. the import files a sum comes from)."""
        return sorted({self.cite(s, None, detail) for s in source_ids})


# ---------------------------------------------------------------- content


@dataclass(frozen=True)
class TargetLine:
    """A target with its progress, pace and plan capacity, each with its notes."""

    target: Row
    area_name: str
    area_name_en: str | None
    note: int
    coverage: Coverage
    progress: monitor.Progress | None
    progress_notes: list[int]
    capacity: monitor.Capacity | None
    capacity_max: monitor.Capacity | None
    capacity_notes: list[int]
    forecast_probability: float | None
    forecast_note: int | None

    @property
    def lower_bound(self) -> bool:
        """Whether a figure of the line is only a lower bound (years or members missing)."""
        return bool(
            (self.progress and self.progress.lower_bound)
            or (self.capacity and self.coverage.lower_bound)
        )

    @property
    def synthetic(self) -> bool:
        """Whether a figure of the line rests on synthetic data."""
        return bool(
            (self.progress and self.progress.synthetic)
            or (self.capacity and self.capacity.synthetic)
        )


@dataclass(frozen=True)
class AgreementLine:
    """An agreement as the report shows it: status, due moment, and its place in time."""

    agreement: Row
    area_name: str
    due_meeting_name: str | None
    made_here: bool
    due_here: bool
    due_next: bool
    overdue: bool
    superseded_by: str | None
    changes: list[register.HistoryEntry]
    note: int


@dataclass(frozen=True)
class PreconditionLine:
    """A precondition of a region, with its note."""

    precondition: Row
    note: int


@dataclass(frozen=True)
class FundingLine:
    """Funding awarded to projects in a region from one instrument or scheme."""

    name: str
    amount_eur: int
    homes: int
    affordable_homes: int
    awards: int
    notes: list[int]


@dataclass(frozen=True)
class HeadlineNotes:
    """The notes of a headline's figures: its target, realised homes, plan capacity."""

    target: int | None
    realised: list[int]
    capacity: list[int]


@dataclass
class Section:
    """One region of the letter (or the national part): its headline (with coverage) and
    the notes of the headline's target, realised figure and plan capacity (cited where the
    summary shows them), targets, agreements, preconditions, funding awarded."""

    area: Row
    heading: str
    headline: monitor.Headline | None = None
    headline_notes: HeadlineNotes | None = None
    targets: list[TargetLine] = field(default_factory=list)
    agreements: list[AgreementLine] = field(default_factory=list)
    preconditions: list[PreconditionLine] = field(default_factory=list)
    funding: list[FundingLine] = field(default_factory=list)

    @property
    def home_targets(self) -> list[TargetLine]:
        """The targets in homes built with a number: the section's table."""
        return [line for line in self.targets if _in_table(line.target)]

    @property
    def other_targets(self) -> list[TargetLine]:
        """The other targets (shares, homes started, tasks stated in words only): listed
        below the table, each in a sentence."""
        return [line for line in self.targets if not _in_table(line.target)]


@dataclass
class Opening:
    """The national figures: the headline (target, realised, pace, capacity vs 130%), the
    definition of homes built, the forecast, what is due."""

    headline: monitor.Headline
    definition: monitor.Definition
    target: Row
    target_note: int
    progress_notes: list[int]
    realised_by_year: dict[int, float]
    capacity_notes: list[int]
    norm_note: int
    forecast_probability: float | None
    forecast_note: int | None
    due: list[monitor.DueItem]

    @property
    def progress(self) -> monitor.Progress | None:
        """The national target's progress (the headline's)."""
        return self.headline.progress

    @property
    def capacity(self) -> monitor.Capacity | None:
        """Plan capacity against what remains (the headline's)."""
        return self.headline.capacity


@dataclass(frozen=True)
class Summary:
    """The kernboodschap's agreements in numbers: made at this meeting, due at it, on the
    agenda of the next one, overdue, and the notes of the documents they were recorded
    from (its other figures are the opening's and the regions' headlines, the same
    objects)."""

    agreements: int
    made_here: int
    due_here: int
    due_next: int
    overdue: int
    notes: list[int] = field(default_factory=list)


@dataclass
class Report:
    """The whole report, language- and format-neutral. ``reference`` is the kenmerk of the
    first block (default :func:`default_reference`)."""

    meeting: Row
    previous: Row | None
    next_meeting: Row | None
    generated_on: dt.date
    as_of: dt.date | None
    letter: Row | None
    opening: Opening
    national: Section
    regions: list[Section]
    notes: list[Note]
    synthetic_sources: list[Row]
    reference: str = ""
    summary: Summary = field(default_factory=lambda: Summary(0, 0, 0, 0, 0))

    @property
    def sections(self) -> list[Section]:
        """The national part, then the regions in the letter's order."""
        return [self.national, *self.regions]


def default_meeting(meetings: Sequence[Row], agreements: Sequence[Row]) -> str:
    """The meeting a report follows by default: the latest one at which agreements were made
    (else the latest meeting); a meeting that is part of another counts as that one."""
    by_id = {m["id"]: m for m in meetings}

    def top(mid: str) -> str:
        while by_id[mid]["parent_id"] in by_id:
            mid = by_id[mid]["parent_id"]
        return mid

    made = {top(a["meeting_id"]) for a in agreements if a["meeting_id"] in by_id}
    candidates = [by_id[m] for m in made] or list(meetings)
    if not candidates:
        raise ValueError("there are no meetings to report on")
    return str(calendar.chronological(candidates)[-1]["id"])


def next_meeting(meeting_id: str, meetings: Sequence[Row]) -> Row | None:
    """The first top-level meeting after this one in time."""
    order = [m for m in calendar.chronological(meetings) if not m["parent_id"]]
    ids = [m["id"] for m in order]
    by_id = {m["id"]: m for m in meetings}
    mid = meeting_id
    while by_id[mid]["parent_id"] in by_id:
        mid = by_id[mid]["parent_id"]
    position = ids.index(mid)
    return order[position + 1] if position + 1 < len(order) else None


def default_reference(meeting_id: str, on: dt.date) -> str:
    """The kenmerk when none is given: the programme, the meeting and the date drawn up
    (OPGAVE-BO-VERSTEDELIJKING-2021-20211216), the same for the same report on a day."""
    return f"OPGAVE-{meeting_id}-{on:%Y%m%d}"


def _summary(sections: Sequence[Section], notes: list[int]) -> Summary:
    lines = [line for s in sections for line in s.agreements]
    return Summary(
        notes=notes,
        agreements=len(lines),
        made_here=sum(line.made_here for line in lines),
        due_here=sum(line.due_here for line in lines),
        due_next=sum(line.due_next for line in lines),
        overdue=sum(line.overdue for line in lines),
    )


def _section_heading(area: Row) -> str:
    return str((area["source_section"] or area["name"]).split("; ")[0])


def build(
    inputs: ReportInputs,
    meeting_id: str | None = None,
    today: dt.date | None = None,
    definition: str = monitor.DEFAULT_DEFINITION,
    reference: str | None = None,
) -> Report:
    """Assemble the report after ``meeting_id`` (default ``default_meeting``), with the
    kenmerk ``reference`` (default :func:`default_reference`)."""
    state = inputs.state
    meetings = list(state.meetings)
    meeting_id = meeting_id or default_meeting(meetings, state.agreements)
    meetings_by_id = {m["id"]: m for m in meetings}
    at = calendar.frame(meeting_id, meetings)
    upcoming = next_meeting(meeting_id, meetings)
    at_next = calendar.frame(upcoming["id"], meetings) if upcoming else None
    notes = Notes(state.sources)
    index = agenda.region_index(state.areas, state.members)
    overview = monitor.overview(state, definition)

    # -- the opening: national figures
    head = overview.headline
    headline_target = head.target
    if headline_target is None:
        raise ValueError("the programme has no national homes target to report against")
    target_note = notes.cite(headline_target["source_id"], headline_target["source_section"])
    progress = head.progress
    progress_notes = (
        notes.cite_all(
            progress.sources, _years(progress.realised_years, progress.provisional_years)
        )
        if progress and progress.realised_years
        else []
    )
    national_series = monitor.realised_series(
        state, monitor.NATION, monitor.definition_for("homes_built", definition)
    )
    norm_target = next(
        (
            t
            for t in sorted(state.targets, key=lambda t: t["id"])
            if t["area_id"] == monitor.NATION and t["measure"] == "plan_capacity_ratio"
        ),
        None,
    )
    norm_note = (
        notes.cite(norm_target["source_id"], norm_target["source_section"])
        if norm_target
        else target_note
    )
    capacity = head.capacity
    capacity_notes = (
        notes.cite_all(list(capacity.sources), Detail(as_of=as_date(capacity.as_of)))
        if capacity
        else []
    )
    forecast_probability = (inputs.forecast or {}).get(headline_target["id"])
    opening = Opening(
        headline=head,
        definition=overview.definition,
        target=headline_target,
        target_note=target_note,
        progress_notes=progress_notes,
        realised_by_year={
            y: v for y, v in sorted(national_series.yearly.items()) if y >= monitor.PROGRAMME_START
        },
        capacity_notes=capacity_notes,
        norm_note=norm_note,
        forecast_probability=forecast_probability,
        forecast_note=(
            notes.cite(inputs.forecast_source, None, Detail(forecast=True))
            if forecast_probability is not None
            else None
        ),
        due=overview.due,
    )

    # the kernboodschap counts the agreements: the documents they were recorded from
    agreement_notes = notes.cite_all([a["source_id"] for a in state.agreements])

    # -- sections: national part, then the regions in the letter's order
    national_area = state.area_by_id.get(agenda.NATIONAL, {"id": agenda.NATIONAL, "name": "NL"})
    sections: dict[str, Section] = {
        agenda.NATIONAL: Section(area=national_area, heading="De verstedelijkingsopgave")
    }
    headlines = {line.area["id"]: line.headline for line in overview.regions}
    for r in index.regions:
        line = headlines.get(r["id"])
        sections[r["id"]] = Section(
            area=r,
            heading=_section_heading(r),
            headline=line,
            headline_notes=_headline_notes(line, notes) if line else None,
        )

    for t in sorted(state.targets, key=_target_order):
        if t["id"] == headline_target["id"] or t is norm_target:
            continue
        section = sections[index.region_of(t["area_id"], t["source_section"])]
        status = monitor.target_status(state, t, definition)
        p_notes: list[int] = []
        c_notes: list[int] = []
        if status.progress and status.progress.realised_years:
            p_notes = notes.cite_all(
                status.progress.sources,
                _years(status.progress.realised_years, status.progress.provisional_years),
            )
        if status.capacity:
            c_notes = notes.cite_all(
                list(status.capacity.sources), Detail(as_of=as_date(status.capacity.as_of))
            )
        probability = (inputs.forecast or {}).get(t["id"])
        area = state.area_by_id.get(t["area_id"], {})
        section.targets.append(
            TargetLine(
                target=t,
                area_name=str(area.get("name", t["area_id"])),
                area_name_en=area.get("name_en"),
                note=notes.cite(t["source_id"], t["source_section"]),
                coverage=status.coverage,
                progress=status.progress,
                progress_notes=p_notes,
                capacity=status.capacity,
                capacity_max=status.capacity_max,
                capacity_notes=c_notes,
                forecast_probability=probability,
                forecast_note=(
                    notes.cite(inputs.forecast_source, None, Detail(forecast=True))
                    if probability is not None
                    else None
                ),
            )
        )

    entries: dict[str, list[register.HistoryEntry]] = {}
    for entry in register.history_entries(inputs.events, inputs.changes):
        entries.setdefault(entry.agreement_id, []).append(entry)
    for a in sorted(state.agreements, key=register.agreement_order):
        section = sections[index.region_of(a["area_id"], a["source_section"])]
        history = entries.get(a["id"], [])
        since = [
            e
            for e in history
            if e.changes
            and (at.since is None or e.changed_on > at.since)
            and (at.until is None or e.changed_on <= at.until)
        ]
        due_names = [
            meetings_by_id[m]["name"] for m in calendar.due_meetings(a) if m in meetings_by_id
        ]
        section.agreements.append(
            AgreementLine(
                agreement=a,
                area_name=state.area_name(a["area_id"]),
                due_meeting_name=", ".join(due_names) or None,
                made_here=a["meeting_id"] in at.members,
                due_here=calendar.due_at(a, at, meetings_by_id),
                due_next=bool(at_next and calendar.due_at(a, at_next, meetings_by_id)),
                overdue=calendar.overdue_at(a, at, meetings_by_id),
                superseded_by=(
                    register.superseded_by(history) if a["status"] == "superseded" else None
                ),
                changes=since,
                note=notes.cite(a["source_id"], a["source_section"]),
            )
        )

    for p in sorted(inputs.preconditions, key=lambda p: p["id"]):
        section = sections[index.region_of(p["area_id"], p["source_section"])]
        section.preconditions.append(
            PreconditionLine(p, notes.cite(p["source_id"], p["source_section"]))
        )

    instruments = {i["id"]: i for i in inputs.instruments}
    for section in sections.values():
        if section.area["id"] == agenda.NATIONAL:
            continue
        inside = state.municipalities(section.area["id"])
        grouped: dict[str, list[Row]] = {}
        for award in state.awards:
            if award["gemeente_id"] in inside:
                instrument = instruments.get(award["instrument_id"] or "")
                name = instrument["name"] if instrument else award["scheme_name"]
                grouped.setdefault(name, []).append(award)
        for name, awards in sorted(grouped.items()):
            section.funding.append(
                FundingLine(
                    name=name,
                    amount_eur=sum(int(x["amount_eur"]) for x in awards),
                    homes=sum(int(x["homes"]) for x in awards),
                    affordable_homes=sum(int(x["affordable_homes"]) for x in awards),
                    awards=len(awards),
                    notes=notes.cite_all(
                        [x["source_id"] for x in awards],
                        Detail(decided=_dates(x["decided_on"] for x in awards)),
                    ),
                )
            )

    generated_on = today or dt.date.today()
    summary = _summary(list(sections.values()), agreement_notes)
    return Report(
        meeting=at.meeting,
        previous=at.previous,
        next_meeting=upcoming,
        generated_on=generated_on,
        as_of=state.as_of,
        letter=state.source_by_id.get(headline_target["source_id"] or ""),
        opening=opening,
        national=sections.pop(agenda.NATIONAL),
        regions=list(sections.values()),
        notes=notes.notes,
        synthetic_sources=[s for s in state.sources if s["confidence"] == "synthetic"],
        reference=reference or default_reference(str(at.meeting["id"]), generated_on),
        summary=summary,
    )


def _headline_notes(line: monitor.Headline, notes: Notes) -> HeadlineNotes:
    """Cite a region's headline figures (in the summary's order: target, realised, capacity)."""
    target, progress, capacity = line.target, line.progress, line.capacity
    return HeadlineNotes(
        target=notes.cite(target["source_id"], target["source_section"]) if target else None,
        realised=(
            notes.cite_all(
                progress.sources, _years(progress.realised_years, progress.provisional_years)
            )
            if progress and progress.realised_years
            else []
        ),
        capacity=(
            notes.cite_all(list(capacity.sources), Detail(as_of=as_date(capacity.as_of)))
            if capacity
            else []
        ),
    )


def _numeric(t: Row) -> bool:
    return t["value_min"] is not None or t["value_max"] is not None


def _in_table(t: Row) -> bool:
    return t["measure"] == "homes_built" and t["unit"] == "homes" and _numeric(t)


def _target_order(t: Row) -> tuple[bool, bool, str, str]:
    """Numeric home targets first, then shares and open ambitions; by area, then id."""
    return (t["measure"] not in HOME_MEASURES, not _numeric(t), t["area_id"], t["id"])


def _years(years: Sequence[int], provisional: Sequence[int]) -> Detail:
    if not years:
        return Detail()
    return Detail(
        period=f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]),
        provisional=", ".join(map(str, provisional)) or None,
    )


def _dates(values: Iterable[object]) -> tuple[dt.date, ...]:
    """The distinct dates among ``values``, in order."""
    return tuple(sorted({d for d in map(as_date, values) if d is not None}))
