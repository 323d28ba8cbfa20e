"""The API's routes, one module per capability, and the helpers they share.

Read routes answer from the service's programme state and keep their serialised answers
in its memo, so that a busy overview or region page costs a dictionary look-up. Every listing
also answers ``?format=csv|xlsx`` with the same rows as a file (:func:`download`, written by
:mod:`opgave.service.downloads`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, get_args

from fastapi import Query, Request, Response
from pydantic import BaseModel, TypeAdapter

from opgave.api.security import state_of
from opgave.service import Service, downloads
from opgave.state import ProgrammeState

JSON = "application/json"
Format = Annotated[
    str | None,
    Query(
        alias="format",
        max_length=40,
        description="csv or xlsx: the same rows as a file, with their sources and, where they "
        "rest on synthetic data, the SYNTHETIC label inside it (without limit: every row); "
        "default JSON",
        json_schema_extra={"enum": list(downloads.FORMATS)},
    ),
]
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            downloads.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        }
    }
}
"""The file answers of a listing, beside its JSON (for the OpenAPI description)."""


def service(request: Request) -> Service:
    """The app's service."""
    return state_of(request).service


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def json_response(
    state: ProgrammeState, key: Any, shape: Any, build: Callable[[], Any]
) -> Response:
    """The answer for ``key``, validated against ``shape`` and serialised once per state."""

    def render() -> bytes:
        adapter = _ADAPTERS.get(shape)
        if adapter is None:
            adapter = _ADAPTERS[shape] = TypeAdapter(shape)
        return adapter.dump_json(adapter.validate_python(build()))

    body = state.memo(("json", key), render)
    return Response(content=body, media_type=JSON)


def download(
    request: Request,
    fmt: str,
    name: str,
    shape: Any,
    build: Callable[[int], Any],
    limit: int = downloads.MAX_ROWS,
) -> Response:
    """The rows ``build(page size)`` gives - a page or a list, in the listing's JSON shape -
    as a CSV or XLSX file: every row, unless the request gave the listing's ``limit``."""
    downloads.check_format(fmt)
    adapter = _ADAPTERS.get(shape)
    if adapter is None:
        adapter = _ADAPTERS[shape] = TypeAdapter(shape)
    size = downloads.whole(limit, "limit" in request.query_params)
    data = adapter.dump_python(adapter.validate_python(build(size)), mode="json")
    rows = data["items"] if isinstance(data, dict) else data
    return file_answer(request, fmt, name, rows, columns(shape))


def file_answer(
    request: Request,
    fmt: str,
    name: str,
    rows: list[dict[str, Any]],
    fields: list[str] | None = None,
    *,
    synthetic: bool = False,
) -> Response:
    """Rows (the service's) as the file a download asks for, named for saving."""
    query = f"?{request.url.query}" if request.url.query else ""
    made = downloads.listing_file(
        service(request),
        name,
        rows,
        fields if fields is not None else (list(rows[0]) if rows else []),
        fmt,
        request=request.url.path + query,
        synthetic=synthetic,
    )
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


def columns(shape: Any) -> list[str]:
    """The fields of a listing's records, in order: of ``Page[X]`` or ``list[X]``, X's."""
    if isinstance(shape, type) and issubclass(shape, BaseModel) and "items" in shape.model_fields:
        shape = shape.model_fields["items"].annotation
    (item,) = get_args(shape)
    return list(item.model_fields)
