"""The dashboard: server-rendered pages (Jinja2) over the same query and write functions as
the API, with Plotly charts served from the installed plotly package (nothing from a CDN).

Pages: national overview, map, regions, a page per region (targets, plan table with
sort/filter/paging, agreements, audit trail), an agreement with its edit form, plan-list
upload (imported as a background job whose progress the page follows) with the validation
report per row, sign-in; scenario comparison and the report
download are in :mod:`opgave.web.scenarios`. Dutch by default; ``/lang/en`` switches.
Writes need a signed-in admin or editor and the session's CSRF token in the form.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from opgave import access, monitor, refusals
from opgave.access import Principal
from opgave.api.routers import service
from opgave.api.routers.account import sign_in, sign_out
from opgave.api.routers.agreements import agreement_detail
from opgave.api.routers.jobs import start_plan_import
from opgave.api.security import ApiError, Caller, identify, state_of
from opgave.i18n import coverage, date_text, label, months, period
from opgave.service import agreements as register_service
from opgave.service import geo, monitoring, pipeline, users
from opgave.state import ProgrammeState
from opgave.vocabulary import AGREEMENT_STATUSES, PLANSTATUS
from opgave.web import assets, figures, maps
from opgave.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, number, percent, translator

HERE = Path(__file__).parent
LANG_COOKIE = "opgave_lang"
PLAN_PAGE = 25
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


class SignInNeeded(Exception):
    """The page needs a signed-in user; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def language(request: Request) -> str:
    """The page language: the cookie's, else Dutch."""
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def viewer(request: Request) -> Caller:
    """The caller of a page; a redirect to sign in when reading needs a user."""
    caller = identify(request)
    if caller.principal is None and not state_of(request).public_read:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(target)
    return caller


def value_span(lo: float | None, hi: float | None, unit: str, lang: str) -> str:
    """A value or a range (175.000-220.000, 67%); percentages for ratios and shares."""

    def one(v: float | None) -> str:
        return number(v, lang) if unit == "homes" else percent(v, lang)

    if lo is None and hi is None:
        return "-"
    if lo is None or hi is None or lo == hi:
        return one(lo if lo is not None else hi)
    return f"{one(lo)}-{one(hi)}"


def moment(value: Any, lang: str) -> str:
    """A timestamp (ISO text, UTC) as a long date with the time: 3 december 2025 12:05 UTC."""
    if not value:
        return "-"
    text = str(value)
    day = date_text(text, lang)
    return f"{day} {text[11:16]} UTC" if len(text) >= 16 else day


def stage_words(stage: str | None, lang: str) -> str:
    """A job's stage in words ('forecast 2 of 5' -> 'prognose 2 van 5')."""
    t = translator(lang)
    found = re.fullmatch(r"forecast (\d+) of (\d+)", stage or "")
    if found:
        return t("stage_forecast", i=found.group(1), n=found.group(2))
    key = f"stage_{stage}"
    words = t(key)
    return stage or "" if words == key else words


def error_words(error: ApiError, lang: str) -> str:
    """What a refusal means, in the page's language: the refusal's own sentence when the
    catalogue of refusals has it (:mod:`opgave.refusals`), else a word per status (the
    service's uncoded English only on English pages). A refusal with problems keeps the word:
    the page counts the problems, whose own messages are the validators' English."""
    if lang == "en" or (refusals.known(error.code) and not error.problems):
        return refusals.say(error.detail, lang)
    t = translator(lang)
    return {
        400: t("bad_request"),
        403: t("forbidden"),
        404: t("not_found"),
        409: t("conflict_short"),
        422: t("upload_problems"),
    }.get(error.status, t("error_title"))


def render(
    request: Request, template: str, caller: Caller | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the caller's language with the shared context (user, CSRF, the words and
    formats of :mod:`opgave.i18n`)."""
    lang = language(request)
    state = service(request).state()
    t = translator(lang)

    def area_name(area_id: str | None) -> str:
        area = state.area_by_id.get(area_id or "")
        if area is None:
            return area_id or "-"
        return str(area["name_en"] if lang == "en" and area.get("name_en") else area["name"])

    def source_title(source_id: str | None) -> str:
        source = state.source_by_id.get(source_id or "")
        return str(source["title"]) if source and source.get("title") else source_id or "-"

    def field_value(field: str, value: Any) -> str:
        if field == "status" and isinstance(value, str):
            return label("agreement_status", value, lang)
        if isinstance(value, list | tuple):  # e.g. the 5,000 plan ids of an upload
            shown = ", ".join(str(v) for v in value[:3])
            return f"{number(len(value), lang)}: {shown}{', …' if len(value) > 3 else ''}"
        return "-" if value is None else str(value)

    def table_word(table: str) -> str:
        key = f"table_{table}"
        return table if t(key) == key else t(key)

    def field_name(field: str) -> str:
        key = f"field_{field}"
        return field if t(key) == key else t(key)

    def history_what(what: str) -> str:
        """A history entry's "recorded" or "status: open -> done; ..." in words."""
        if what == "recorded":
            return t("recorded")
        out = []
        for part in what.split("; "):
            field, _, change = part.partition(": ")
            old, _, new = change.partition(" -> ")
            out.append(
                f"{field_name(field)}: {field_value(field, old)} → {field_value(field, new)}"
            )
        return "; ".join(out)

    synthetic = [source_title(s) for s in state.synthetic_sources]
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "lang": lang,
            "other_lang": "en" if lang == "nl" else "nl",
            "user": caller.principal if caller else None,
            "csrf": caller.csrf_token if caller else None,
            "num": lambda v, d=0: number(v, lang, d),
            "pct": lambda v, d=None: percent(v, lang, d),
            "date": lambda v: date_text(v, lang),
            "moment": lambda v: moment(v, lang),
            "label": lambda vocabulary, code: label(vocabulary, code, lang),
            "period": lambda first, last: period(first, last, lang),
            "coverage": lambda c: coverage(
                c.known, c.expected, c.lower_bound, lang, c.by_confidence
            ),
            "months": lambda last_month, year: months(last_month, year, lang),
            "span": lambda lo, hi, unit="homes": value_span(lo, hi, unit, lang),
            "area_name": area_name,
            "source_title": source_title,
            "source_titles": lambda ids: "; ".join(source_title(i) for i in ids),
            "area_names": lambda ids: ", ".join(area_name(i) for i in ids),
            "field_value": field_value,
            "table_word": table_word,
            "field_name": field_name,
            "history_what": history_what,
            "stage": lambda s: stage_words(s, lang),
            "stage_words": {
                k: t(f"stage_{k}") for k in ("queued", "loading", "summarising", "done", "failed")
            }
            | {"forecast": t("stage_forecast")},
            "error_words": lambda e: error_words(e, lang),
            "asset": assets.url,
            "plotly_url": lambda kind: assets.url(assets.PLOTLY[kind]),
            "plotly_locale": assets.PLOTLY_LOCALE_NL,
            "synthetic": synthetic,
            "path": request.url.path,
            "statuses": AGREEMENT_STATUSES,
            "planstatuses": PLANSTATUS,
            "csp_nonce": getattr(request.state, "csp_nonce", ""),
            **context,
        },
        status_code=status,
    )


def error_page(
    request: Request,
    caller: Caller | None,
    status: int,
    heading: str,
    text: str | None = None,
    back: tuple[str, str] | None = None,
) -> HTMLResponse:
    """A page that says what went wrong, in the page's language, with the HTTP status."""
    return render(
        request,
        "error.html",
        caller,
        status=status,
        heading=heading,
        text=text,
        back_href=back[0] if back else None,
        back_text=back[1] if back else None,
    )


def _bad_date(request: Request, caller: Caller, value: str | None) -> HTMLResponse:
    t = translator(language(request))
    return error_page(request, caller, 400, t("error_title"), t("bad_date", value=value or ""))


def figure(fig: dict[str, Any]) -> Markup:
    """A Plotly figure as JSON safe to place in a page's script."""
    return figures.as_json(fig)


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    """The national overview: the nation's headline and every region's, what is due next."""
    caller = viewer(request)
    svc = service(request)
    try:
        date = monitoring.parse_date(as_of, "as_of")
    except ApiError:
        return _bad_date(request, caller, as_of)
    data = monitoring.overview(svc, date)
    lang = language(request)
    t = translator(lang)
    head = data.headline
    bars = [(t("target"), float((head.target or {}).get("value_min") or 0))]
    if head.progress:
        bars.append((t("realised"), head.progress.realised))
    if head.capacity:
        bars.append((t("capacity"), float(head.capacity.planned_all)))
    chart = figures.bar_chart(
        "chart-overview",
        f"{t('national')}: {t('target').lower()}, {t('realised').lower()}, {t('capacity').lower()}",
        [b[0] for b in bars],
        [b[1] for b in bars],
        lang,
        value_heading=t("homes"),
        label_heading=t("what"),
    )
    return render(
        request,
        "overview.html",
        caller,
        data=data,
        due_next=register_service.due_next(svc),
        chart=chart,
        as_of=date,
        report_formats=_report_formats(),
    )


def _report_formats() -> tuple[str, ...]:
    from opgave.web.scenarios import report_formats

    return report_formats()


def _municipalities_around(snap: ProgrammeState, area_id: str) -> list[str]:
    """The municipalities a (large-scale) area lies in: up through locations and areas, or
    down to its own municipalities."""
    found: set[str] = set()
    stack, seen = [area_id], {area_id}
    while stack:
        current = stack.pop()
        for parent in snap.parents.get(current, []):
            kind = snap.kinds.get(parent)
            if kind == "municipality":
                found.add(parent)
            elif kind in ("location", "large_scale_area") and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    found |= {a for a in snap.inside(area_id) if snap.kinds.get(a) == "municipality"}
    return sorted(found)


def _map_figure(request: Request, measure: str, division: str) -> dict[str, Any]:
    svc = service(request)
    snap = svc.state()
    values = monitoring.map_values(svc, measure, division)
    lang = language(request)
    t = translator(lang)
    title = t(f"map_{measure}")

    def compute() -> dict[str, Any]:
        geometries = geo.boundaries(svc)  # shipped with the package, or loaded
        if not any(v["area_id"] in geometries for v in values["areas"]):
            figure = maps.tile_figure(
                values["areas"], measure, title, lang, t("no_figure"), t("norm")
            )
            return {"schematic": True, "figure": figure}
        markers = []
        for area in snap.areas:
            if area["kind"] != "large_scale_area":
                continue
            found = [
                json.loads(geometries[a])
                for a in _municipalities_around(snap, area["id"])
                if a in geometries
            ]
            where = maps.middle(found)
            if where is not None:
                markers.append({"name": area["name"], "lon": where[0], "lat": where[1]})
        figure = maps.choropleth_figure(
            values["areas"],
            geometries,
            measure,
            title,
            lang,
            none=t("no_figure"),
            markers=markers,
            markers_name=t("large_scale_areas"),
            norm_word=t("norm"),
        )
        return {"schematic": False, "figure": figure}

    return snap.memo(("map_figure", measure, division, lang), compute)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, measure: str = "progress", division: str = "province") -> Response:
    """The map of the Netherlands coloured by progress, capacity or planned homes."""
    caller = viewer(request)
    if division not in ("province", "municipality"):
        division = "province"
    if measure not in monitoring.MAP_MEASURES or (division == "municipality"):
        measure = "planned" if division == "municipality" else "progress"
    shown = _map_figure(request, measure, division)
    values = monitoring.map_values(service(request), measure, division)
    return render(
        request,
        "map.html",
        caller,
        measure=measure,
        division=division,
        schematic=shown["schematic"],
        chart=figure(shown["figure"]),
        values=values["areas"],
        synthetic_values=values["synthetic"],
    )


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request) -> HTMLResponse:
    """The strategy regions and provinces, each linking to its page."""
    caller = viewer(request)
    snap = service(request).state()

    def ordered(kind: str) -> list[dict[str, Any]]:
        return sorted(
            (a for a in snap.areas if a["kind"] == kind and a["valid_to"] is None),
            key=lambda a: (a["display_order"] is None, a["display_order"] or 0, a["id"]),
        )

    return render(
        request,
        "regions.html",
        caller,
        groups=[
            ("strategy_regions", ordered("strategy_region")),
            ("provinces", ordered("province")),
        ],
    )


def _query(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items() if v is not None})
    return "?" + urlencode(params)


@router.get("/regions/{area_id}", response_class=HTMLResponse)
def region_page(
    request: Request,
    area_id: str,
    q: str | None = None,
    planstatus: str | None = None,
    sort: str = "homes",
    order: str = "desc",
    page: int = 1,
    as_of: str | None = None,
) -> HTMLResponse:
    """A region: its headline (with coverage), its targets with progress and capacity,
    plans, agreements, audit trail."""
    caller = viewer(request)
    svc = service(request)
    lang = language(request)
    t = translator(lang)
    try:
        date = monitoring.parse_date(as_of, "as_of")
    except ApiError:
        return _bad_date(request, caller, as_of)
    try:
        status = monitoring.status(svc, area_id, date)
    except ApiError as error:
        if error.status != 404:
            raise
        return error_page(
            request,
            caller,
            404,
            t("unknown_area", id=area_id),
            t("unknown_area_text"),
            ("/regions", t("to_regions")),
        )
    area = status.area
    sort = sort if sort in monitoring.PLAN_SORTS else "homes"
    order = order if order in ("asc", "desc") else "desc"
    page = max(page, 1)
    chosen = [planstatus] if planstatus in PLANSTATUS else []
    plans = monitoring.plans(
        svc,
        area=area_id,
        as_of=date,
        planstatus=chosen,
        q=q,
        sort=sort,
        order=order,
        limit=PLAN_PAGE,
        offset=(page - 1) * PLAN_PAGE,
    )
    agreements = register_service.listing(svc, area=area_id, within=True)
    with_capacity = [s for s in status.targets if s.capacity]
    capacity_chart = (
        figures.bar_chart(
            "chart-capacity",
            t("capacity_vs_norm"),
            [
                f"{s.area_name} {period(s.target['first_year'], s.target['last_year'], lang)}"
                for s in with_capacity
            ],
            [s.capacity.ratio_all for s in with_capacity if s.capacity],
            lang,
            value_heading=t("capacity"),
            label_heading=t("target"),
            ratio=True,
            norm=monitor.PLAN_CAPACITY_NORM,
            norm_label=t("norm"),
        )
        if with_capacity
        else None
    )
    series_chart = _yearly_chart(
        monitoring.yearly(svc, area_id, date), area_name_of(area, lang), lang
    )
    trail = users.trail_of(
        svc, [a["id"] for a in agreements], [p["id"] for p in svc.state(date).plans_in(area_id)]
    )
    pages = max(1, -(-plans["total"] // PLAN_PAGE))
    download = {"area": area_id, "sort": sort, "order": order}
    if q:
        download["q"] = q
    if chosen:
        download["planstatus"] = chosen[0]
    return render(
        request,
        "region.html",
        caller,
        area=area,
        area_status=status,
        definition=monitor.definition_for("homes_built"),
        as_of=date,
        target_status=status.targets,
        plans=plans,
        plans_download="/api/v1/plans?" + urlencode(download),
        agreements=agreements,
        trail=trail,
        capacity_chart=capacity_chart,
        series_chart=series_chart,
        charts=capacity_chart is not None or series_chart is not None,
        q=q or "",
        planstatus=planstatus or "",
        sort=sort,
        order=order,
        page=page,
        pages=pages,
        link=lambda **kw: _query(request, **kw),
    )


def area_name_of(area: dict[str, Any], lang: str) -> str:
    """An area's name in the page's language."""
    return str(area["name_en"] if lang == "en" and area.get("name_en") else area["name"])


def _yearly_chart(picture: monitor.YearlyPicture, name: str, lang: str) -> figures.Chart | None:
    """Homes per year: realised and planned (hard, soft) as bars, the pace the target needs
    as lines; None when the area has neither figures nor plans nor a target."""
    t = translator(lang)
    if not (picture.realised or picture.planned_hard or picture.planned_soft or picture.pace_even):
        return None
    years = picture.years

    def row(values: dict[int, float]) -> list[float | None]:
        return [values.get(y) for y in years]

    realised_name = t("realised_per_year")
    if picture.realised_synthetic:
        realised_name += f" ({t('synthetic_mark')})"
    plans_mark = f" ({t('synthetic_mark')})" if picture.plans_synthetic else ""
    series = [
        figures.YearSeries(realised_name, "bar", row(picture.realised), figures.BLUE),
        figures.YearSeries(
            t("planned_hard") + plans_mark, "bar", row(picture.planned_hard), figures.LIGHT_BLUE
        ),
        figures.YearSeries(
            t("planned_soft") + plans_mark, "bar", row(picture.planned_soft), "#c9c9c9"
        ),
    ]
    if picture.pace_even:
        series.append(
            figures.YearSeries(t("pace_even"), "line", row(picture.pace_even), figures.GREY, True)
        )
    if picture.pace_still:
        series.append(
            figures.YearSeries(t("pace_still"), "line", row(picture.pace_still), figures.ORANGE)
        )
    return figures.year_chart(
        "chart-yearly",
        t("time_series_title", area=name),
        years,
        series,
        lang,
        year_heading=t("year"),
        stacked=True,
    )


def _agreement_page(
    request: Request, caller: Caller, agreement_id: str, status: int = 200, **context: Any
) -> HTMLResponse:
    try:
        detail = agreement_detail(request, agreement_id)
    except ApiError as error:
        t = translator(language(request))
        if error.status == 404:
            return error_page(request, caller, 404, t("unknown_agreement", id=agreement_id))
        return error_page(request, caller, error.status, t("error_title"))
    snap = service(request).state()
    record = detail["agreement"]
    allowed = (
        caller.principal is not None
        and access.may_write(caller.principal, record["area_id"], snap.children)
        and caller.principal.can_write
    )
    return render(
        request,
        "agreement.html",
        caller,
        status=status,
        agreement=record,
        history=detail["history"],
        audit=detail["audit"],
        allowed=allowed,
        area=snap.area_by_id.get(record["area_id"]),
        **context,
    )


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_page(request: Request, agreement_id: str) -> HTMLResponse:
    """An agreement: text, status, history, audit trail, and the edit form for writers."""
    return _agreement_page(request, viewer(request), agreement_id)


def _writer(request: Request, csrf_token: str | None) -> tuple[Caller, Principal]:
    caller = viewer(request)
    if caller.principal is None:
        raise SignInNeeded(request.url.path)
    if caller.via == "session" and not access.csrf_matches(caller.csrf_token or "", csrf_token):
        raise ApiError(403, "the form's CSRF token does not match this session; reload the page")
    if not caller.principal.can_write:
        raise ApiError.refused(
            403, "read_only_role", name=caller.principal.name, role=caller.principal.role
        )
    return caller, caller.principal


@router.post("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_save(
    request: Request,
    agreement_id: str,
    status: Annotated[str, Form()],
    version: Annotated[int, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    """Save a status change from the form; a stale version shows what changed (409)."""
    caller = viewer(request)
    try:
        caller, principal = _writer(request, csrf_token)
        register_service.set_status(
            service(request),
            principal,
            agreement_id,
            status,
            version=version,
            reason=reason or None,
        )
    except ApiError as error:
        return _agreement_page(request, caller, agreement_id, status=error.status, error=error)
    return _agreement_page(request, caller, agreement_id, saved=True)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    """The plan-list upload form."""
    caller = viewer(request)
    return render(request, "upload.html", caller, today=dt.date.today().isoformat())


@router.post("/upload", response_model=None)
def upload_save(
    request: Request,
    file: Annotated[UploadFile, File()],
    date: Annotated[str | None, Form()] = None,
    partial: Annotated[bool, Form()] = False,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Start importing an uploaded plan list as a background job and go to its page; what
    is cheap to check (suffix, size, readability, the date) is refused here at once."""
    caller = viewer(request)
    try:
        caller, principal = _writer(request, csrf_token)
        captured = monitoring.parse_date(date, "date") or dt.date.today()
        job = start_plan_import(
            request,
            principal,
            file.filename or "upload.csv",
            file.file.read(pipeline.MAX_UPLOAD_BYTES + 1),
            captured=captured,
            partial=partial,
        )
    except ApiError as error:
        return render(
            request,
            "upload.html",
            caller,
            status=error.status,
            error=error,
            today=dt.date.today().isoformat(),
        )
    return RedirectResponse(f"/upload/{job.id}", status_code=303)


@router.get("/upload/{job_id}", response_class=HTMLResponse)
def upload_job_page(request: Request, job_id: str) -> HTMLResponse:
    """An upload's progress while it is imported (the page polls the job; without
    JavaScript it refreshes itself), then its report or every problem per row."""
    caller = viewer(request)
    job = state_of(request).jobs.get(job_id)
    today = dt.date.today().isoformat()
    if job is None or job.kind != "plans":
        t = translator(language(request))
        return error_page(request, caller, 404, t("not_found"), t("upload_job_unknown"))
    if job.status in ("failed", "cancelled"):
        status = job.error_status or (409 if job.status == "cancelled" else 500)
        error = ApiError(status, job.error or "", job.problems)
        return render(request, "upload.html", caller, status=status, error=error, today=today)
    report = job.result if job.status == "done" else None
    return render(request, "upload.html", caller, job=job, report=report, today=today)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return render(request, "login.html", identify(request), next=_local(next))


def _local(path: str) -> str:
    """Only redirect within the site."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


@router.post("/login", response_class=HTMLResponse)
def login_save(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Sign in and go to the page asked for."""
    answer = RedirectResponse(_local(next), status_code=303)
    try:
        sign_in(request, answer, name, password)
    except ApiError as error:
        page = render(
            request,
            "login.html",
            None,
            status=error.status if error.status in (429, 503) else 401,
            failed=error.status not in (429, 503),
            throttled=error.detail if error.status in (429, 503) else None,
            next=_local(next),
        )
        if error.retry_after is not None:
            page.headers["Retry-After"] = str(error.retry_after)
        return page
    return answer


@router.post("/logout", response_model=None)
def logout_save(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Sign out (the form carries the session's CSRF token: another site cannot sign a user
    out)."""
    answer = RedirectResponse("/login", status_code=303)
    try:
        sign_out(request, answer, csrf_token)
    except ApiError as error:
        t = translator(language(request))
        return error_page(request, identify(request), 403, t("forbidden"), str(error.detail))
    return answer


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Switch the page language (nl, en) and go back."""
    answer = RedirectResponse(_local(next), status_code=303)
    if code in LANGUAGES:
        answer.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="lax",
            secure=state_of(request).secure_cookies,
        )
    return answer


def install_dashboard(app: FastAPI) -> None:
    """Add the pages to ``app`` (and send signed-out readers to the sign-in page)."""
    from opgave.web import scenarios

    app.include_router(router)
    app.include_router(scenarios.router)
    app.include_router(assets.router)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    api_errors = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def _not_found(request: Request, error: StarletteHTTPException) -> Response:
        """Pages that do not exist answer with a page; the API keeps its JSON answers."""
        if error.status_code == 404 and not request.url.path.startswith("/api/"):
            t = translator(language(request))
            return error_page(request, None, 404, t("not_found"), t("not_found_text"))
        if api_errors is None:
            raise error
        answer = api_errors(request, error)
        return await answer if inspect.isawaitable(answer) else answer

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, error: SignInNeeded) -> Response:
        return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)
