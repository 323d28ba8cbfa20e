"""The dashboard's static files and the API's documentation page, all served from the
installed package (no CDN: ``/api/v1/docs`` and every chart work offline).

Inputs: the files in ``web/static/`` (the plotly.js partial bundles and Swagger UI ship
there gzipped, see ``static/VENDORED.md``). Outputs:
responses compressed once and kept in memory, under fingerprinted URLs (``?v=<hash>``) that
browsers cache for a year, so a page loads plotly.js once per version, not per page.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

STATIC = Path(__file__).parent / "static"
PLOTLY_VERSION = "4.1.1"
PLOTLY = {
    "basic": f"plotly-basic-{PLOTLY_VERSION}.min.js",
    "map": f"plotly-map-{PLOTLY_VERSION}.min.js",
}
"""The plotly.js partial bundles: ``basic`` (bar, scatter) for charts, ``map`` for the map."""
PLOTLY_LOCALE_NL = f"plotly-locale-nl-{PLOTLY_VERSION}.js"
TYPES = {".js": "application/javascript", ".css": "text/css", ".txt": "text/plain",
         ".md": "text/markdown", ".png": "image/png"}  # fmt: skip
YEAR_S = 365 * 24 * 3600
SWAGGER_VERSION = "5.32.0"
SWAGGER = {
    "js": f"swagger-ui-{SWAGGER_VERSION}-bundle.js",
    "css": f"swagger-ui-{SWAGGER_VERSION}.css",
    "icon": "swagger-ui-favicon-32x32.png",
}
"""Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes; 4.x shows nothing)."""
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    """A static file: its bytes as they are and gzipped (None when compression does not
    pay), its media type and a fingerprint of its content."""

    raw: bytes
    gzipped: bytes | None
    media_type: str
    fingerprint: str


def _asset(raw: bytes, suffix: str, packed: bytes | None = None) -> Asset:
    if packed is None and suffix in (".js", ".css", ".txt", ".md"):
        packed = gzip.compress(raw, compresslevel=9, mtime=0)
    return Asset(
        raw=raw,
        gzipped=packed,
        media_type=TYPES.get(suffix, "application/octet-stream"),
        fingerprint=hashlib.sha256(raw).hexdigest()[:12],
    )


@functools.cache
def static_asset(name: str) -> Asset | None:
    """A file of ``web/static`` by name (or its shipped ``.gz``), None when there is none."""
    if "/" in name or name.startswith("."):
        return None
    path, packed_path = STATIC / name, STATIC / f"{name}.gz"
    if packed_path.is_file():
        packed = packed_path.read_bytes()
        return _asset(gzip.decompress(packed), Path(name).suffix, packed)
    if path.is_file() and not name.endswith(".gz"):
        return _asset(path.read_bytes(), path.suffix)
    return None


def url(name: str) -> str:
    """The fingerprinted URL of a static file (cached by browsers for a year)."""
    asset = static_asset(name)
    if asset is None:
        raise KeyError(f"no static file {name!r}")
    return f"/static/{name}?v={asset.fingerprint}"


def send(request: Request, asset: Asset, fingerprinted: bool) -> Response:
    """The asset, gzipped when the browser accepts it; cached for a year when asked for
    under its fingerprint, else for an hour."""
    cache = f"public, max-age={YEAR_S}, immutable" if fingerprinted else "public, max-age=3600"
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding", "ETag": f'"{asset.fingerprint}"'}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    body = asset.raw
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


@router.get("/static/{name}")
def static_file(request: Request, name: str, v: str | None = None) -> Response:
    """A static file of the dashboard (style sheet, scripts, the plotly.js bundles)."""
    asset = static_asset(name)
    if asset is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return send(request, asset, fingerprinted=v == asset.fingerprint)


def install_docs(app: FastAPI, openapi_url: str, docs_url: str) -> None:
    """Swagger UI at ``docs_url`` with its script and style served from the package
    (FastAPI's own page loads them from a CDN and shows nothing offline)."""

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=url(SWAGGER["js"]),
            swagger_css_url=url(SWAGGER["css"]),
            swagger_favicon_url=url(SWAGGER["icon"]),
            swagger_ui_parameters={"validatorUrl": None},
        )
        return HTMLResponse(bytes(page.body).replace(b"<html>", b'<html lang="en">', 1))
