"""The API's routes, one module per capability, and the helpers they share.

Read routes answer from the snapshot and keep their serialised answers in its memo, so
that a busy overview or region page costs a dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request, Response
from pydantic import TypeAdapter

from opgave.api.queries import QueryError
from opgave.api.security import ApiError, state_of
from opgave.api.snapshot import Snapshot

JSON = "application/json"


def snapshot(request: Request) -> Snapshot:
    """The current snapshot of the programme."""
    return state_of(request).cache.get()


@contextmanager
def answering() -> Iterator[None]:
    """Turn a query's refusal into an API error (404 unknown, 400 unusable)."""
    try:
        yield
    except QueryError as error:
        raise ApiError(error.status, str(error)) from None


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def json_response(snap: Snapshot, key: Any, shape: Any, build: Callable[[], Any]) -> Response:
    """The answer for ``key``, validated against ``shape`` and serialised once per snapshot."""

    def render() -> bytes:
        adapter = _ADAPTERS.get(shape)
        if adapter is None:
            adapter = _ADAPTERS[shape] = TypeAdapter(shape)
        return adapter.dump_json(adapter.validate_python(build()))

    with answering():
        body = snap.memo(("json", key), render)
    return Response(content=body, media_type=JSON)
