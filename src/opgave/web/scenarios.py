"""Dashboard pages for the forecast and the report: scenario comparison (two stored
scenarios or the base case, run as a background job whose progress the page follows) and
the progress report as HTML, PDF or Markdown in the page's language.

Inputs: the form's choices, the jobs of :mod:`opgave.service.jobs`, the service. Outputs:
pages and downloads. Derives: per target the difference between the two scenarios (P50 homes,
absolute and relative, and the probability of reaching the minimum); the report through
:mod:`opgave.report`, with the chance per target from the latest finished national base
forecast when there is one.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from opgave.api.routers import service
from opgave.api.routers.jobs import start_forecast
from opgave.api.schemas import ForecastJobRequest
from opgave.api.security import ApiError, state_of
from opgave.forecast.questions import compare_targets
from opgave.i18n import period
from opgave.service import forecasting, reporting
from opgave.web import _writer, error_page, figures, language, render, viewer
from opgave.web.i18n import percent, translator

router = APIRouter(include_in_schema=False)
REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}
REPORT_NAMES = {"nl": "voortgangsrapportage", "en": "progress-report"}


def stored_scenarios(request: Request) -> list[dict[str, Any]]:
    """The stored scenarios (id, description), in id order."""
    return [
        {"id": s["id"], "description": s["description"] or ""}
        for s in forecasting.scenarios(service(request))
    ]


def _choices(request: Request) -> list[dict[str, Any]]:
    snap = service(request).state()
    wanted = ("strategy_region", "province")
    return sorted(
        (a for a in snap.areas if a["kind"] in wanted and a["valid_to"] is None),
        key=lambda a: (wanted.index(a["kind"]), a["display_order"] or 0, a["name"]),
    )


def _form_page(
    request: Request,
    status: int = 200,
    error: ApiError | None = None,
    chosen: dict[str, str] | None = None,
) -> HTMLResponse:
    caller = viewer(request)
    recent = [j for j in state_of(request).jobs.recent() if j.kind == "forecast"][:10]
    return render(
        request,
        "scenarios.html",
        caller,
        status=status,
        error=error,
        scenarios=stored_scenarios(request),
        areas=_choices(request),
        recent=recent,
        chosen=chosen
        or {"scenario": forecasting.BASE, "vs": forecasting.BASE, "area": "", "runs": "2000"},
    )


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request) -> HTMLResponse:
    """Choose two scenarios (or the base case) to compare; recent comparisons."""
    return _form_page(request)


@router.post("/scenarios", response_model=None)
def scenarios_start(
    request: Request,
    scenario: Annotated[str, Form()] = forecasting.BASE,
    vs: Annotated[str, Form()] = forecasting.BASE,
    area: Annotated[str, Form()] = "",
    runs: Annotated[str, Form()] = "2000",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Start the comparison as a forecast job and go to its page."""
    chosen = {"scenario": scenario, "vs": vs, "area": area, "runs": runs}
    try:
        _, principal = _writer(request, csrf_token)
        if not runs.isdigit() or not 100 <= int(runs) <= 20_000:
            raise ApiError(422, "runs: expected a whole number from 100 to 20,000")
        body = ForecastJobRequest(area=area or None, runs=int(runs), scenario=scenario, vs=vs)
        job = start_forecast(request, principal, body)
    except ApiError as error:
        return _form_page(request, status=error.status, error=error, chosen=chosen)
    return RedirectResponse(f"/scenarios/{job.id}", status_code=303)


def comparison_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per target: P50 and P(reaching the minimum) in both scenarios and the differences
    (P50 in homes and relatively, the chance in points; ``forecast.questions``)."""
    targets = result["targets"]
    others = [t["vs"] for t in targets if t.get("vs")]
    return [
        {
            "target": t,
            "p50_a": d.p50_a,
            "p50_b": d.p50_b,
            "p50_diff": d.p50_diff,
            "p50_rel": d.p50_rel,
            "p_min_a": d.p_min_a,
            "p_min_b": d.p_min_b,
            "p_min_diff": d.p_min_diff,
        }
        for t, d in zip(targets, compare_targets(targets, others), strict=True)
    ]


def _comparison_chart(
    rows: list[dict[str, Any]], names: tuple[str, str], lang: str
) -> figures.Chart:
    """The chance of reaching each target's minimum in both scenarios, side by side."""
    t = translator(lang)
    targets = [r["target"] for r in rows]
    labels = [
        f"{tg['area_name']} {period(tg['first_year'], tg['last_year'], lang)}" for tg in targets
    ]
    colours = (figures.BLUE, figures.ORANGE)
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": labels,
                "x": [r[key] for r in rows],
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:.0%}<extra>" + name + "</extra>",
            }
            for name, key, colour in zip(names, ("p_min_a", "p_min_b"), colours, strict=True)
        ],
        "layout": {
            "barmode": "group",
            "height": 100 + 40 * len(rows),
            "separators": figures.separators(lang),
            "margin": {"l": 10, "r": 20, "t": 10, "b": 30},
            "xaxis": {"tickformat": ".0%", "range": [0, 1], "fixedrange": True},
            "yaxis": {"autorange": "reversed", "automargin": True, "fixedrange": True},
            "legend": {"orientation": "h"},
        },
    }
    table = tuple(
        (label, percent(r["p_min_a"], lang), percent(r["p_min_b"], lang))
        for label, r in zip(labels, rows, strict=True)
    )
    return figures.Chart(
        "chart-compare", t("p_reach_min"), figures.as_json(figure), (t("target"), *names), table
    )


@router.get("/scenarios/{job_id}", response_class=HTMLResponse)
def comparison_page(request: Request, job_id: str) -> HTMLResponse:
    """A comparison: its progress while it runs (the page polls the job), then the targets
    side by side."""
    caller = viewer(request)
    job = state_of(request).jobs.get(job_id)
    t = translator(language(request))
    if job is None or job.kind != "forecast":
        return error_page(request, caller, 404, t("not_found"), t("job_unknown"))
    params = job.params
    names = tuple(
        t("base_case") if name in (None, forecasting.BASE) else str(name)
        for name in (params.get("scenario"), params.get("vs"))
    )
    rows = comparison_rows(job.result) if job.result else []
    chart = (
        _comparison_chart(rows, (names[0], names[1]), language(request))
        if rows and params.get("vs") is not None
        else None
    )
    return render(
        request,
        "comparison.html",
        caller,
        job=job,
        names=names,
        rows=rows,
        chart=chart,
        compared=params.get("vs") is not None,
    )


def _latest_national_forecast(request: Request) -> tuple[dict[str, float], str] | None:
    """The chance per target of the latest finished base forecast of the whole programme."""
    for job in state_of(request).jobs.recent():
        params = job.params
        if (
            job.kind == "forecast"
            and job.status == "done"
            and job.result
            and params.get("area") is None
            and params.get("scenario") in (None, forecasting.BASE)
        ):
            result = job.result
            chances = {
                t["target_id"]: t["p_reach_min"]
                for t in result["targets"]
                if t["p_reach_min"] is not None
            }
            source = (
                f"opgave forecast: {result['runs']:,} runs, seed {result['seed']}, assumptions "
                f"{', '.join(result['assumptions'])} ({job.finished_at})"
            )
            return chances, source
    return None


@router.get("/report.{fmt}", response_model=None)
def report_download(request: Request, fmt: str) -> Response:
    """The progress report in the page's language: html, md, or pdf (when WeasyPrint works)."""
    from opgave.report import rendering  # charts and templates load only when asked

    caller = viewer(request)
    lang = language(request)
    t = translator(lang)
    if fmt not in REPORT_TYPES:
        return error_page(request, caller, 404, t("not_found"), t("not_found_text"))
    if fmt == "pdf" and (problem := rendering.weasyprint_problem()) is not None:
        return error_page(request, caller, 404, t("report_failed"), problem)
    svc = service(request)
    try:
        built = reporting.build(svc, chances=_latest_national_forecast(request))
        content = reporting.render(built, fmt, lang)
    except ApiError as error:
        return error_page(request, caller, 422, t("report_failed"), str(error))
    name = f"{REPORT_NAMES[lang]}-{dt.date.today().isoformat()}.{fmt}"
    return Response(
        content,
        media_type=REPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@functools.cache
def report_formats() -> tuple[str, ...]:
    """The report formats this installation can make (pdf only when WeasyPrint loads)."""
    from opgave.report import rendering

    if rendering.weasyprint_problem() is not None:
        return ("html", "md")
    return ("html", "pdf", "md")
