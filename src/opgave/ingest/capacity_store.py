"""The write side of capacity totals: a checked workbook's totals into ``capacity_total``.

Inputs: the session, the :class:`~opgave.ingest.capacity.TotalRow` records of one file, its
``source`` row and capture date.
Outputs: the file's totals stored under its source (a file imported again replaces its own
totals, so re-running changes nothing); totals of other sources are kept, and
:mod:`opgave.capacity` uses the latest capture per area, hardness and period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from opgave.ingest.capacity import TotalRow
from opgave.model import CapacityTotal, Source


def apply_totals(
    session: Session, rows: Sequence[TotalRow], *, source: Source, captured: dt.date
) -> int:
    """Store the totals of one file (replacing that file's earlier import); the count."""
    if session.get(Source, source.id) is None:
        session.add(source)
        session.flush()
    session.execute(delete(CapacityTotal).where(CapacityTotal.source_id == source.id))
    session.add_all(
        CapacityTotal(
            area_id=r.area_id,
            hardness=r.hardness,
            first_year=r.first_year,
            last_year=r.last_year,
            gross_or_net=r.gross_or_net,
            homes=r.homes,
            captured_on=captured,
            source_id=source.id,
            source_section=r.source_section,
        )
        for r in rows
    )
    session.flush()
    return len(rows)
