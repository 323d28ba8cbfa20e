"""The sample files of the README's tour: a forecast scenario and funding applications that
ship with opgave, and a later plan list of the SYNTHETIC demo pipeline.

Inputs: the shipped files (``data/examples/``, ``data/schemes/example_applications.csv``);
for the later plan list, the demo's current plans of a few municipalities with their area and
precondition links (the caller reads them from the programme state). Outputs: the sample
files' names, paths and descriptions, and plan-list rows. Derives: a later version of those
plans, six months on (:data:`LATER`): every 5th plan one planstatus firmer, every 7th a year
later, every 11th dropped, and three new plans - deterministic, so that ``opgave status
--compare 2025-01-01 2025-07-01`` has something to show. Everything derived from the demo is
synthetic and its plan ids are the demo's (``SYN-...``), so the import labels it synthetic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opgave.ingest.plans import PlanRow
from opgave.vocabulary import PLANSTATUS

DATA = Path(__file__).parent / "data"
LATER = dt.date(2025, 7, 1)
"""The capture date of the later demo plan list (six months after ``demo.CAPTURED``)."""
LATER_GEMEENTEN = ("GM0034", "GM0392", "GM0479")
"""Almere, Haarlem and Zaanstad: three municipalities of the MRA without synthetic links to
the letter's areas, so that the later list changes nothing else."""
NEW_PLANS = ((250, "4A", 2027, 2028), (120, "3", 2028, 2028), (80, "2A", 2026, 2026))
"""The three plans the later list adds: homes, planstatus, first and last year."""


@dataclass(frozen=True)
class Sample:
    """A sample file: its name in the folder it is written to, what it is, how to use it."""

    name: str
    what: str
    use: str
    shipped: Path | None = None
    """The file in the package (None: written from the database)."""


SAMPLES = (
    Sample(
        "zonder-ov.toml",
        "forecast scenario: the Oude Lijn's OV-schaalsprong cancelled",
        "opgave scenario add zonder-ov zonder-ov.toml",
        DATA / "examples" / "zonder-ov.toml",
    ),
    Sample(
        "applications.csv",
        "40 SYNTHETIC funding applications (Woningbouwimpuls tranche 4 columns)",
        "opgave funding import applications.csv --instrument WBI-T4",
        DATA / "schemes" / "example_applications.csv",
    ),
    Sample(
        f"synthetic-plans-{LATER}.csv",
        f"the SYNTHETIC demo plans of Almere, Haarlem and Zaanstad as of {LATER}",
        f"opgave ingest plans synthetic-plans-{LATER}.csv --date {LATER}",
    ),
)
"""The sample files `opgave examples` writes, in the order of the tour."""


def later_plan_list(
    plans: Sequence[Mapping[str, Any]],
    areas: Mapping[str, Sequence[str]],
    preconditions: Mapping[str, Sequence[str]],
    gemeenten: Collection[str] = LATER_GEMEENTEN,
) -> list[PlanRow]:
    """The demo's plans of ``gemeenten`` as a later list would have them (see the module
    docstring); ``areas`` and ``preconditions`` are each plan's links, kept as they are."""
    order = list(PLANSTATUS)
    mine = sorted((p for p in plans if p["gemeente_id"] in gemeenten), key=lambda p: p["id"])
    rows = []
    for i, p in enumerate(mine):
        if i % 11 == 5:
            continue  # dropped from the list
        status, first, last = p["planstatus"], p["first_year"], p["last_year"]
        if i % 5 == 1 and order.index(status) > 0:
            status = order[order.index(status) - 1]
        if i % 7 == 3:
            first, last = first + 1, last + 1
        rows.append(
            PlanRow(
                id=p["id"],
                name=p["name"],
                gemeente_id=p["gemeente_id"],
                homes=p["homes"],
                social_rent_homes=p["social_rent_homes"],
                mid_rent_homes=p["mid_rent_homes"],
                affordable_buy_homes=p["affordable_buy_homes"],
                planstatus=status,
                first_year=first,
                last_year=last,
                homes_by_year=None,
                area_ids=tuple(areas.get(p["id"], ())),
                precondition_ids=tuple(preconditions.get(p["id"], ())),
            )
        )
    where = sorted(gemeenten)
    for n, (homes, status, first, last) in enumerate(NEW_PLANS, start=1):
        rows.append(
            PlanRow(
                id=f"SYN-9{n:05d}",
                name=f"Synthetisch plan nieuw {n}",
                gemeente_id=where[(n - 1) % len(where)],
                homes=homes,
                social_rent_homes=round(homes * 0.3),
                mid_rent_homes=round(homes * 0.2),
                affordable_buy_homes=None,
                planstatus=status,
                first_year=first,
                last_year=last,
                homes_by_year=None,
            )
        )
    return rows


__all__ = ["LATER", "SAMPLES", "PlanRow", "Sample", "later_plan_list"]
