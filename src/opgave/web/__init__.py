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
import importlib
import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from opgave import access, monitor
from opgave.access import Principal
from opgave.api.routers import service
from opgave.api.routers.account import sign_in, sign_out
from opgave.api.routers.agreements import agreement_detail
from opgave.api.routers.jobs import start_plan_import
from opgave.api.security import ApiError, Caller, identify, state_of
from opgave.service import agreements as register_service
from opgave.service import geo, monitoring, pipeline, users
from opgave.state import ProgrammeState
from opgave.vocabulary import AGREEMENT_STATUSES, PLANSTATUS
from opgave.web import maps
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


def render(
    request: Request, template: str, caller: Caller | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the caller's language with the shared context (user, CSRF, formatting)."""
    lang = language(request)
    synthetic = list(service(request).state().synthetic_sources)
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": translator(lang),
            "lang": lang,
            "other_lang": "en" if lang == "nl" else "nl",
            "user": caller.principal if caller else None,
            "csrf": caller.csrf_token if caller else None,
            "num": lambda v, d=0: number(v, lang, d),
            "pct": lambda v, d=0: percent(v, lang, d),
            "synthetic": synthetic,
            "path": request.url.path,
            "statuses": AGREEMENT_STATUSES,
            "planstatuses": PLANSTATUS,
            "csp_nonce": getattr(request.state, "csp_nonce", ""),
            **context,
        },
        status_code=status,
    )


def figure(fig: dict[str, Any]) -> Markup:
    """A Plotly figure as JSON safe to place in a page's script."""
    text = json.dumps(fig, separators=(",", ":"), default=str)
    return Markup(text.replace("</", "<\\/"))


def _bar(labels: list[str], values: list[float], norm: float | None, fmt: str) -> dict[str, Any]:
    shapes = (
        [
            {
                "type": "line",
                "x0": norm,
                "x1": norm,
                "y0": -0.5,
                "y1": len(labels) - 0.5,
                "line": {"color": "#b00020", "dash": "dash"},
            }
        ]
        if norm is not None
        else []
    )
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": values,
                "marker": {"color": "#1f3a93"},
                "hovertemplate": "%{y}: %{x:" + fmt + "}<extra></extra>",
            }
        ],
        "layout": {
            "height": 80 + 34 * len(labels),
            "margin": {"l": 180, "r": 20, "t": 10, "b": 30},
            "xaxis": {"tickformat": fmt, "rangemode": "tozero"},
            "yaxis": {"autorange": "reversed"},
            "shapes": shapes,
        },
    }


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    """The national overview: the nation's headline and every region's, what is due next."""
    caller = viewer(request)
    svc = service(request)
    try:
        date = monitoring.parse_date(as_of, "as_of")
    except ApiError as error:
        return render(request, "error.html", caller, status=error.status, message=error.detail)
    data = monitoring.overview(svc, date)
    state = svc.state(date)
    t = translator(language(request))
    head = data.headline
    bars = [(t("target"), float((head.target or {}).get("value_min") or 0))]
    if head.progress:
        bars.append((t("realised"), head.progress.realised))
    if head.capacity:
        bars.append((t("capacity"), float(head.capacity.planned_all)))
    chart = _bar([b[0] for b in bars], [b[1] for b in bars], None, ",.0f")
    return render(
        request,
        "overview.html",
        caller,
        data=data,
        due_next=register_service.due_next(svc),
        chart=figure(chart),
        meetings={m["id"]: m for m in state.meetings},
        areas=state.area_by_id,
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
    t = translator(language(request))
    title = t(f"map_{measure}")
    if not values["boundaries"]:
        return {"schematic": True, "figure": maps.tile_figure(values["areas"], measure, title)}

    def compute() -> dict[str, Any]:
        geometries = geo.boundaries(svc)
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
        return {
            "schematic": False,
            "figure": maps.choropleth_figure(values["areas"], geometries, measure, title, markers),
        }

    return snap.memo(("map_figure", measure, division, language(request)), compute)


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
    try:
        date = monitoring.parse_date(as_of, "as_of")
        status = monitoring.status(svc, area_id, date)
    except ApiError as error:
        return render(request, "error.html", caller, status=error.status, message=error.detail)
    area = status.area
    sort = sort if sort in monitoring.PLAN_SORTS else "homes"
    order = order if order in ("asc", "desc") else "desc"
    page = max(page, 1)
    plans = monitoring.plans(
        svc,
        area=area_id,
        as_of=date,
        planstatus=[planstatus] if planstatus in PLANSTATUS else [],
        q=q,
        sort=sort,
        order=order,
        limit=PLAN_PAGE,
        offset=(page - 1) * PLAN_PAGE,
    )
    agreements = register_service.listing(svc, area=area_id, within=True)
    t = translator(language(request))
    with_capacity = [s for s in status.targets if s.capacity]
    chart = (
        _bar(
            [
                f"{s.area_name} {s.target['first_year'] or ''}-{s.target['last_year']}"
                for s in with_capacity
            ],
            [s.capacity.ratio_all for s in with_capacity if s.capacity],
            1.3,
            ".0%",
        )
        if with_capacity
        else None
    )
    trail = users.trail_of(
        svc, [a["id"] for a in agreements], [p["id"] for p in svc.state(date).plans_in(area_id)]
    )
    pages = max(1, -(-plans["total"] // PLAN_PAGE))
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
        agreements=agreements,
        trail=trail,
        chart=figure(chart) if chart else None,
        q=q or "",
        planstatus=planstatus or "",
        sort=sort,
        order=order,
        page=page,
        pages=pages,
        link=lambda **kw: _query(request, **kw),
        title_capacity=t("capacity_vs_norm"),
    )


def _agreement_page(
    request: Request, caller: Caller, agreement_id: str, status: int = 200, **context: Any
) -> HTMLResponse:
    try:
        detail = agreement_detail(request, agreement_id)
    except ApiError as error:
        return render(request, "error.html", caller, status=error.status, message=error.detail)
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
        raise ApiError(403, f"{caller.principal.name} is a {caller.principal.role}: read only")
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
        return render(request, "error.html", caller, status=404, message=t("upload_job_unknown"))
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
        return render(request, "error.html", identify(request), status=403, message=error.detail)
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


_PLOTLY: list[bytes] = []


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package (no CDN)."""
    if not _PLOTLY:
        offline = importlib.import_module("plotly.offline")
        _PLOTLY.append(str(offline.get_plotlyjs()).encode())
    return Response(
        _PLOTLY[0],
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/static/style.css")
def style_css() -> Response:
    """The dashboard's style sheet."""
    return Response(
        (HERE / "static" / "style.css").read_bytes(),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def install_dashboard(app: FastAPI) -> None:
    """Add the pages to ``app`` (and send signed-out readers to the sign-in page)."""
    from opgave.web import scenarios

    app.include_router(router)
    app.include_router(scenarios.router)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, error: SignInNeeded) -> Response:
        return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)
