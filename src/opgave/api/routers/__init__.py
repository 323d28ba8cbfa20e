"""The API's routes, one module per capability, and the helpers they share.

Read routes answer from the service's programme state and keep their serialised answers
in its memo, so that a busy overview or region page costs a dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from pydantic import TypeAdapter

from opgave.api.security import state_of
from opgave.service import Service
from opgave.state import ProgrammeState

JSON = "application/json"


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
