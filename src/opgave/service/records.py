"""The records of the tables as pydantic shapes, derived from the model (metadata as code):
a field per column with the column's type, optional when the column is nullable. Floats and
booleans are strict, so JSON ``true`` is not taken for a number. The API's listings answer
in these shapes; extra fields say what the service adds (``synthetic``, ``stands``, ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model
from sqlalchemy import JSON, Boolean, Date, Float, Integer

from opgave.model import (
    Agreement,
    Application,
    Area,
    Award,
    Base,
    Meeting,
    Plan,
    Realisation,
    Target,
    table_of,
)
from opgave.vocabulary import JSON_ELEMENT_TYPES

StrictFloat = Annotated[float, Field(strict=True)]
StrictBool = Annotated[bool, Field(strict=True)]
StrictInt = Annotated[int, Field(strict=True)]


def record_model(
    model: type[Base],
    name: str,
    exclude: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> type[BaseModel]:
    """A pydantic model with one field per column of ``model``'s table."""
    fields: dict[str, Any] = {}
    for column in table_of(model).columns:
        if column.name in exclude:
            continue
        kind: Any
        if isinstance(column.type, JSON):
            element = JSON_ELEMENT_TYPES.get((column.table.name, column.name), str)
            kind = list[element]  # type: ignore[valid-type]
        elif isinstance(column.type, Boolean):
            kind = StrictBool
        elif isinstance(column.type, Integer):
            kind = int
        elif isinstance(column.type, Float):
            kind = StrictFloat
        elif isinstance(column.type, Date):
            kind = dt.date
        else:
            kind = str
        if column.nullable:
            fields[column.name] = (kind | None, None)
        else:
            fields[column.name] = (kind, ...)
    fields.update(extra or {})
    doc = (model.__doc__ or "").strip().split("\n")[0]
    return create_model(name, __doc__=doc, **fields)


AreaOut = record_model(Area, "Area")
TargetOut = record_model(Target, "Target")
MeetingOut = record_model(Meeting, "Meeting")
RealisationOut = record_model(
    Realisation,
    "Realisation",
    extra={
        "tier": (str, Field(description="cbs_final, cbs_provisional, bag, document, synthetic")),
        "tier_text": (str, ...),
        "synthetic": (StrictBool, ...),
        "stands": (StrictBool, Field(description="the figure that counts for its key")),
        "set_aside_reason": (str | None, None),
    },
)
PlanOut = record_model(
    Plan,
    "Plan",
    exclude=("dropped_on", "version"),
    extra={"version": (int | None, None), "synthetic": (StrictBool | None, None)},
)
AgreementOut = record_model(
    Agreement,
    "Agreement",
    extra={"version": (int, Field(description="length of the agreement's history"))},
)

AwardOut = record_model(Award, "Award", extra={"synthetic": (StrictBool, ...)})
ApplicationOut = record_model(Application, "Application", extra={"synthetic": (StrictBool, ...)})
