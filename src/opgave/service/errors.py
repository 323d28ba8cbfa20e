"""The one error every service call raises when it refuses: what went wrong, in words.

``status`` uses the HTTP codes as a vocabulary every door understands: 400 a parameter is
unusable, 403 outside the caller's areas or role, 404 unknown, 409 the record changed since
the version given, 422 the input does not validate (``problems`` names file, row and field),
429 too many attempts, 503 the database is busy, unreachable or read-only, 507 the disk is
full; ``retry_after`` (seconds) says when trying again makes sense. The API answers with it
as it is (``Retry-After`` header); the command line prints it and exits with 1 (75 for 503,
74 for 507: see :mod:`opgave.service.failures`).

A refusal people meet has a code: ``ServiceError.refused(status, code, **values)`` makes its
``detail`` a :class:`opgave.message.Message` from :data:`opgave.refusals.REFUSALS` - the same
English text (``str(detail)``, the API's JSON), and a code a door looks up to say it in
Dutch (:func:`opgave.refusals.say`).
"""

from __future__ import annotations

from typing import Any

from opgave.message import code_of
from opgave.refusals import refusal


class ServiceError(Exception):
    """A refused request: status, message, and the problems or conflict details."""

    def __init__(
        self,
        status: int,
        detail: str,
        problems: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []
        self.extra = extra or {}
        self.retry_after = retry_after

    @classmethod
    def refused(
        cls,
        status: int,
        code: str,
        *,
        problems: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        retry_after: int | None = None,
        **values: Any,
    ) -> ServiceError:
        """The refusal ``code`` of :data:`opgave.refusals.REFUSALS` with ``values`` filled in."""
        return cls(status, refusal(code, **values), problems, extra, retry_after)

    @property
    def code(self) -> str | None:
        """The refusal's code in :data:`opgave.refusals.REFUSALS`; None for uncoded text."""
        return code_of(self.detail)

    def lines(self) -> list[str]:
        """The message and every problem as lines for a terminal."""
        out = [self.detail]
        for p in self.problems:
            parts = [str(p["file"])] if p.get("file") else []
            parts += [f"{k} {p[k]}" for k in ("row", "field") if p.get(k) not in (None, "")]
            where = ", ".join(parts)
            out.append(f"  {where}: {p.get('message', '')}" if where else f"  {p['message']}")
        return out
