"""A SYNTHETIC provincial GIS plan register, for tests, benchmarks and demos.

Inputs: a seed, the number of plans, and the shipped municipal boundaries (2022, 2025).
Outputs: a GeoPackage / Shapefile / GeoJSON (RD New) with one polygon (or, for some plans,
a point) per plan and the columns provinces use - plannaam, gemeente (a name, often a
former or differently spelled one), restcapaciteit, sloop, plantype, planstatus in the many
spellings of the registers, phase columns OP2019 ... Op2030-2050 and onbekend, woningtype,
eigendom, datum (d-m-yyyy), schatting - and a column ``synthetisch`` = "ja" on every
feature; the layer is named ``synthetisch_planregister``. Nothing in it is real.
Derives: nothing; :func:`plans` also returns each plan's truth (status code, net homes)
for tests that check an import against an independent computation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

STATUS_SPELLINGS: dict[str, tuple[str, ...]] = {
    "1A": ("1A Onherroepelijk",),
    "1B": ("1B onhr + uitwerkingsplicht", "1B Onherroepelijk, uitwerkingsplicht"),
    "1C": ("1C Onherroepelijk, wijzigingsbevoegdheid",),
    "2A": ("2A Vastgesteld plan/besluit", "2A Vastgesteld"),
    "2B": ("2B vastgesteld + Uitwerkingsplicht",),
    "2C": ("2C Vastgesteld, wijzigingsbevoegdheid",),
    "3": ("3 plan/besluit in voorbereiding", "3 In voorbereiding"),
    "4A": ("4A potentiele locatie in visie", "4A Visie"),
    "4B": ("4B potentiele locatie optie", "4B Optie"),
    "unknown": ("Onbekend", "Status onbekend"),
}
"""The planstatus spellings of the registers (issue 12), by the code they mean."""
PHASES = (("OP2019", 2019, 2019), ("OP2020-2024", 2020, 2024), ("Op2025-2029", 2025, 2029),
          ("Op2030-2050", 2030, 2050), ("onbekend", None, None))  # fmt: skip
PLANTYPES = ("verdichting", "uitleg", "transformatie", "herstructurering",
             "functieverandering kantoren")  # fmt: skip
FORMER_NAMES = {"GM0439": "Beemster", "GM1980": "Heerhugowaard", "GM0080": "Leeuwarderadeel"}
"""Some plans name the former municipality their location was in."""
LAYER = "synthetisch_planregister"


@dataclass(frozen=True)
class Truth:
    """What a synthetic plan is, independent of any reader."""

    plan_id: str
    status_code: str
    net_homes: int
    date: dt.date


def plans(n: int = 4000, seed: int = 12, point_share: float = 0.1) -> tuple[Any, list[Truth]]:
    """(pyarrow table with WKB geometry in RD New, truths) of ``n`` synthetic plans."""
    import pyarrow as pa
    import shapely

    from opgave import boundaries

    rng = np.random.default_rng(seed)
    division = boundaries.rd_new("gemeente", 2025)
    names = dict(zip(division.codes, division.names, strict=True))
    areas = shapely.area(division.geometry)
    weights = areas / areas.sum()
    picks = rng.choice(len(division.codes), size=n, p=weights)
    geoms: list[Any] = []
    for k in picks:
        polygon = division.geometry[k]
        x0, y0, x1, y1 = polygon.bounds
        while True:
            xs = rng.uniform(x0, x1, 64)
            ys = rng.uniform(y0, y1, 64)
            inside = shapely.contains_xy(polygon, xs, ys)
            if inside.any():
                j = int(np.flatnonzero(inside)[0])
                x, y = float(xs[j]), float(ys[j])
                break
        if rng.random() < point_share:
            geoms.append(shapely.Point(x, y))
        else:
            size = float(rng.choice([60.0, 150.0, 400.0, 1500.0], p=[0.4, 0.35, 0.2, 0.05]))
            geoms.append(shapely.box(x - size / 2, y - size / 3, x + size / 2, y + size / 3))
    statuses = list(STATUS_SPELLINGS)
    status_p = np.array([0.12, 0.05, 0.03, 0.12, 0.05, 0.03, 0.2, 0.2, 0.12, 0.08])
    records: dict[str, list[Any]] = {c: [] for c in (
        "plan_id", "plannaam", "gemeente", "restcapaciteit", "sloop", "plantype", "planstatus",
        *(p[0] for p in PHASES), "woningtype", "eigendom", "datum", "schatting", "synthetisch",
    )}  # fmt: skip
    truths = []
    for i, k in enumerate(picks):
        code = division.codes[k]
        status = statuses[int(rng.choice(len(statuses), p=status_p / status_p.sum()))]
        spelling = str(rng.choice(STATUS_SPELLINGS[status]))
        phase_homes = [0] * len(PHASES)
        for _ in range(int(rng.integers(1, 3))):
            phase_homes[int(rng.choice(len(PHASES), p=[0.05, 0.35, 0.35, 0.15, 0.10]))] += int(
                rng.integers(5, 400)
            )
        if phase_homes[-1] and not any(phase_homes[:-1]):
            phase_homes[2] += 10  # every plan has some timing, so it has years
        gross = sum(phase_homes)
        demolition = int(rng.integers(0, gross // 4 + 1)) if rng.random() < 0.15 else 0
        date = dt.date(int(rng.choice([2023, 2024, 2025])), int(rng.integers(1, 13)), 15)
        name = FORMER_NAMES.get(code) if rng.random() < 0.5 else None
        name = name or str(rng.choice([names[code], names[code].upper(), names[code].lower()]))
        records["plan_id"].append(f"SYN-{i + 1:05d}")
        records["plannaam"].append(f"Synthetisch plan {i + 1}")
        records["gemeente"].append(name)
        records["restcapaciteit"].append(gross)
        records["sloop"].append(demolition)
        records["plantype"].append(str(rng.choice(PLANTYPES)))
        records["planstatus"].append(spelling)
        for (column, _, _), homes in zip(PHASES, phase_homes, strict=True):
            records[column].append(homes)
        records["woningtype"].append(str(rng.choice(["grondgebonden", "appartement", "onbekend"])))
        records["eigendom"].append(str(rng.choice(["huur", "koop", "onbekend"])))
        records["datum"].append(f"{date.day}-{date.month}-{date.year}")
        records["schatting"].append(str(rng.choice(["ja", "nee"])))
        records["synthetisch"].append("ja")
        truths.append(Truth(f"SYN-{i + 1:05d}", status, gross - demolition, date))
    table = pa.table(
        {**records, "geometry": pa.array(shapely.to_wkb(np.array(geoms, dtype=object)))}
    )
    return table, truths


def write(path: Path, n: int = 4000, seed: int = 12, *, driver: str | None = None) -> list[Truth]:
    """Write a synthetic register (format by suffix: .gpkg, .shp, .geojson) in RD New."""
    import pyogrio

    shapefile = path.suffix.lower() == ".shp"
    table, truths = plans(n, seed, point_share=0.0 if shapefile else 0.1)  # one type per .shp
    kwargs: dict[str, Any] = {}
    if shapefile:
        kwargs["encoding"] = "latin1"
    pyogrio.write_arrow(
        table,
        path,
        layer=LAYER if path.suffix.lower() == ".gpkg" else None,
        driver=driver,
        geometry_name="geometry",
        geometry_type="Unknown",
        crs="EPSG:28992",
        **kwargs,
    )
    return truths
