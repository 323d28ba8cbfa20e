"""Shared test data for the LV BAG tests: the hand-made extract in its three layouts.

The hand-made extract (tests/data/lvbag/handmade, written by make_handmade.py) and the events
it must give; builders that pack it like the national product (zip of zips) or with the
inner zips compressed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

DATA = Path(__file__).parent / "data" / "lvbag"
HANDMADE = DATA / "handmade"
NLEXTRACT = DATA / "nlextract" / "BAGNLDL-15092020-small.zip"
GDAL = DATA / "gdal"
STAMP = "30062023"
WEESP = {"GM0457": "GM0363"}

# Whole years (2012 to 2022: the extract is of 30 June 2023) per municipality.
HANDMADE_YEARS: dict[tuple[str, int], dict[str, int]] = {
    ("GM0344", 2019): {"homes_permitted": 5, "homes_started": 5},
    ("GM0344", 2020): {
        "homes_permitted": 1,
        "homes_completed": 4,
        "homes_completed_new_build": 4,
    },
    ("GM0344", 2021): {
        "homes_permitted": 1,
        "homes_completed": 3,
        "homes_completed_new_build": 1,
        "homes_completed_other": 2,
    },
    ("GM0363", 2020): {"homes_permitted": 2, "homes_started": 2},
    ("GM0363", 2021): {"homes_permitted": 2},
    ("GM0363", 2022): {
        "homes_started": 2,
        "homes_completed": 1,
        "homes_completed_new_build": 1,
    },
    ("GM1904", 2018): {
        "homes_permitted": 1,
        "homes_completed": 1,
        "homes_completed_other": 1,
    },
}
# The extract's own year, by month.
HANDMADE_MONTHS: dict[tuple[str, int, int], dict[str, int]] = {
    ("GM0363", 2023, 3): {"homes_completed": 1, "homes_completed_new_build": 1},
    ("GM0363", 2023, 5): {"homes_completed": 1, "homes_completed_new_build": 1},
}


def national_zip(target: Path, *, compress_inner: bool = False) -> Path:
    """The hand-made extract packed like lvbag-extract-nl.zip: stored per-type zips."""
    target.mkdir(parents=True, exist_ok=True)
    inner: list[Path] = []
    for kind in ("VBO", "PND", "NUM", "OPR", "WPL"):
        path = target / f"9999{kind}{STAMP}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(HANDMADE / f"9999{kind}{STAMP}-000001.xml", f"9999{kind}{STAMP}-000001.xml")
        inner.append(path)
    relation = target / f"GEM-WPL-RELATIE-{STAMP}.zip"
    with zipfile.ZipFile(relation, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(
            HANDMADE / f"GEM-WPL-RELATIE-{STAMP}-000001.xml", f"GEM-WPL-RELATIE-{STAMP}-000001.xml"
        )
    inactive_inner = target / f"9999IAVBO{STAMP}.zip"
    with zipfile.ZipFile(inactive_inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(HANDMADE / f"9999IAVBO{STAMP}-000001.xml", f"9999IAVBO{STAMP}-000001.xml")
    inactive = target / f"9999Inactief{STAMP}.zip"
    with zipfile.ZipFile(inactive, "w") as z:
        z.write(inactive_inner, inactive_inner.name)
    out = target / "lvbag-extract-handmade.zip"
    method = zipfile.ZIP_DEFLATED if compress_inner else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w") as z:
        z.write(
            HANDMADE / "Leveringsdocument-BAG-Extract.xml",
            "Leveringsdocument-BAG-Extract.xml",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        for path in (*inner, relation, inactive):
            z.write(path, path.name, compress_type=method)
    return out


def figures_by_key(
    figures: list,  # list[AreaFigure]
) -> tuple[dict[tuple[str, int], dict[str, int]], dict[tuple[str, int, int], dict[str, int]]]:
    """AreaFigures as the two dicts above."""
    years: dict[tuple[str, int], dict[str, int]] = {}
    months: dict[tuple[str, int, int], dict[str, int]] = {}
    for f in figures:
        if f.month is None:
            years.setdefault((f.area_id, f.year), {})[f.measure] = f.value
        else:
            months.setdefault((f.area_id, f.year, f.month), {})[f.measure] = f.value
    return years, months
