"""Realised construction from CBS StatLine: housing-stock mutations per municipality and year.

Inputs: a CBS OData v3 table with a region dimension (default 81955NED, "Voorraad woningen en
niet-woningen; mutaties, gebruiksfunctie, regio"; its successor 86098NED has the same shape),
fetched through the ``cbsodata`` package, and the municipal code changes of the programme.
Outputs: ``realisation`` rows per municipality, year and measure, under a ``source`` row that
records the table id, its title, CBS's modification date and the retrieval date.
Derives: which columns are new-build, other additions, demolition, other removals and net
change - from the table's own DataProperties (by title), not from guessed column keys; which
key of the use dimension means "Woning"; annual periods (``YYYYJJ00``); provisional years
(period status); current municipality codes (figures of merged municipalities are added to
the municipality they merged into, so multi-year totals stay comparable).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TABLE = "81955NED"
MEASURE_TITLES = {
    "nieuwbouw": "homes_new_build",
    "overige toevoeging": "homes_other_added",
    "sloop": "homes_demolished",
    "overige onttrekking": "homes_other_removed",
    "saldo voorraad": "homes_net_added",
}
"""CBS topic titles (lower case, as in 81955NED/82235NED) -> opgave measures."""
DWELLING_TITLE = "woning"
ANNUAL = re.compile(r"(\d{4})JJ00")


class CbsError(ValueError):
    """The CBS table does not have the shape opgave needs; says what is missing."""


@dataclass
class CbsFigures:
    """Realised figures derived from one CBS table."""

    table_id: str
    title: str
    modified: str | None
    columns: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    unknown_regions: list[str] = field(default_factory=list)


def fetch(
    table_id: str = DEFAULT_TABLE,
    years: Iterable[int] = (),
    catalog_url: str | None = None,
    use_https: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """Download a table and its metadata with cbsodata (network!): municipalities only,
    annual periods of ``years`` (all when empty). Keys stay keys (not titles)."""
    import cbsodata

    filters = ["substringof('GM',RegioS)"]
    periods = [f"Perioden eq '{y}JJ00'" for y in years]
    if periods:
        filters.append("(" + " or ".join(periods) + ")")
    previous = cbsodata.options.use_https
    cbsodata.options.use_https = use_https
    try:
        # cbsodata's flag reads the other way round: typed=False fetches TypedDataSet.
        data: dict[str, list[dict[str, Any]]] = cbsodata.download_data(
            table_id, typed=False, filters=" and ".join(filters), catalog_url=catalog_url
        )
    finally:
        cbsodata.options.use_https = previous
    return data


def derive(
    table_id: str,
    raw: Mapping[str, list[dict[str, Any]]],
    code_map: Mapping[str, str],
    years: Collection[int] = (),
) -> CbsFigures:
    """Realisation rows from a downloaded table (pure: no network, no database).

    ``code_map`` maps every known municipality code to its current code; regions not in it
    are reported in ``unknown_regions`` and left out.
    """
    properties = raw.get("DataProperties") or []
    info = (raw.get("TableInfos") or [{}])[0]
    dimensions = {p["Key"]: p for p in properties if p.get("Type", "").endswith("Dimension")}
    geo = [k for k, p in dimensions.items() if p["Type"] == "GeoDimension"]
    time = [k for k, p in dimensions.items() if p["Type"] == "TimeDimension"]
    if not geo or not time:
        raise CbsError(
            f"table {table_id} has no region and period dimensions; pick a regional table"
        )
    region_key, period_key = geo[0], time[0]
    columns = {
        p["Key"]: MEASURE_TITLES[p["Title"].strip().lower()]
        for p in properties
        if p.get("Type") == "Topic" and p.get("Title", "").strip().lower() in MEASURE_TITLES
    }
    missing = sorted(set(MEASURE_TITLES.values()) - set(columns.values()))
    if missing:
        raise CbsError(f"table {table_id} lacks topics for {', '.join(missing)} (by title)")
    use_filter: dict[str, str] = {}
    for key in dimensions:
        if key in (region_key, period_key):
            continue
        codes = raw.get(key) or []
        dwelling = [c["Key"] for c in codes if c.get("Title", "").strip().lower() == DWELLING_TITLE]
        if not dwelling:
            raise CbsError(f"dimension {key} of table {table_id} has no category 'Woning'")
        use_filter[key] = dwelling[0]
    provisional_periods = {
        p["Key"]
        for p in raw.get(period_key) or []
        if "voorlopig" in str(p.get("Status", "")).lower()
    }
    sums: dict[tuple[str, str, int], float] = {}
    provisional: set[tuple[str, int]] = set()
    unknown: set[str] = set()
    for record in raw.get("TypedDataSet") or raw.get("UntypedDataSet") or []:
        if any(str(record.get(k, "")).strip() != v.strip() for k, v in use_filter.items()):
            continue
        match = ANNUAL.fullmatch(str(record[period_key]).strip())
        region = str(record[region_key]).strip()
        if not match or not region.startswith("GM"):
            continue
        year = int(match.group(1))
        if years and year not in years:
            continue
        current = code_map.get(region)
        if current is None:
            unknown.add(region)
            continue
        if record[period_key] in provisional_periods:
            provisional.add((current, year))
        for column, measure in columns.items():
            value = _number(record.get(column))
            if value is not None:
                key = (current, measure, year)
                sums[key] = sums.get(key, 0.0) + value
    figures = CbsFigures(
        table_id=table_id,
        title=str(info.get("Title") or table_id),
        modified=info.get("Modified"),
        columns=columns,
        unknown_regions=sorted(unknown),
    )
    for (area, measure, year), value in sorted(sums.items()):
        figures.rows.append(
            {
                "area_id": area,
                "measure": measure,
                "first_year": year,
                "last_year": year,
                "value": value,
                "provisional": (area, year) in provisional,
                "source_section": f"{table_id}, Perioden {year}JJ00",
            }
        )
    return figures


def _number(value: Any) -> float | None:
    """A cell as a number; None for CBS's empty markers ('.', '', None)."""
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def source_record(figures: CbsFigures, retrieved: dt.date) -> dict[str, Any]:
    """The ``source`` row for a CBS table: id, title, modification and retrieval date."""
    return {
        "id": f"cbs-{figures.table_id}",
        "kind": "cbs_table",
        "title": f"{figures.title} ({figures.table_id})",
        "citation": f"CBS StatLine {figures.table_id}",
        "publisher": "Centraal Bureau voor de Statistiek",
        "url": f"https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{figures.table_id}",
        "confidence": "official",
        "retrieved": retrieved,
        "note": f"Modified by CBS {figures.modified}; columns "
        + ", ".join(f"{k} = {v}" for k, v in sorted(figures.columns.items())),
    }
