"""The progress report as a read of the service: the report's inputs from the programme state
(as of a date), an optional fresh forecast, the report built and rendered.

Inputs: the service, the meeting the report follows (name or id), language, format, forecast
runs, an as-of date. Outputs: the built :class:`~opgave.report.Report` and its bytes.
Derives: nothing - the figures are ``monitor``'s over ``Service.state``, the same the other
doors show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from opgave import monitor
from opgave.i18n import LANGUAGES
from opgave.service import Service, agreements, forecasting, programme
from opgave.service.errors import ServiceError

if TYPE_CHECKING:
    from opgave.report import builder
    from opgave.report.press import Press


def build(
    svc: Service,
    *,
    meeting: str | None = None,
    forecast_runs: int = 0,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    definition: str = monitor.DEFAULT_DEFINITION,
    chances: tuple[Mapping[str, float], str | builder.ForecastRun] | None = None,
    reference: str | None = None,
) -> builder.Report:
    """The report after ``meeting`` (default: the latest at which agreements were made);
    with ``forecast_runs`` a fresh forecast gives each target's chance, else ``chances``
    (target id -> probability, and the run it comes from) when given. ``reference`` is the
    kenmerk (default: ``builder.default_reference``)."""
    from opgave.report import builder

    meeting_id = agreements.find_meeting(svc, meeting)["id"] if meeting else None
    events, changes = agreements.events_and_changes(svc)
    forecast, source = chances if chances else (None, None)
    if forecast_runs:
        result = forecasting.run(svc, runs=forecast_runs, seed=0, as_of=as_of)
        forecast = {t.target_id: t.p_reach_min for t in result.targets if t.p_reach_min is not None}
        source = builder.ForecastRun(
            runs=forecast_runs, seed=0, assumptions=tuple(Path(a).name for a in result.assumptions)
        )
    inputs = builder.ReportInputs(
        state=svc.state(as_of),
        events=events,
        changes=changes,
        preconditions=programme.table(svc, "preconditions"),
        instruments=programme.table(svc, "instruments"),
        forecast=forecast,
        forecast_source=source,
    )
    try:
        return builder.build(inputs, meeting_id, today, definition, reference=reference)
    except ValueError as error:
        raise ServiceError(400, str(error)) from None


def render(report: builder.Report, fmt: str, lang: str, press: Press | None = None) -> bytes:
    """The report as HTML, PDF or Markdown in Dutch or English (a PDF through ``press`` when
    given)."""
    from opgave.report import rendering

    if lang not in LANGUAGES:
        raise ServiceError.refused(400, "one_of", name="--lang", choices=", ".join(LANGUAGES))
    if fmt not in rendering.FORMATS:
        raise ServiceError.refused(
            400, "one_of", name="--format", choices=", ".join(rendering.FORMATS)
        )
    if fmt == "pdf" and press is None:
        problem = rendering.weasyprint_problem()
        if problem:
            raise ServiceError(400, problem)
    try:
        return rendering.render(report, fmt, lang, press)
    except rendering.ReportFormatError as error:
        raise ServiceError(400, str(error)) from None
