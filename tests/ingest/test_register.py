"""Plan registers through mapping profiles: own columns, status spellings, GIS files."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely

from opgave import boundaries, plan_geometry, synthetic_register
from opgave.ingest import profiles
from opgave.ingest.readers import read_source
from opgave.ingest.register import Context, PlanReadError, read_plans
from opgave.municipalities import shipped

MERGED = {"GM0457": "GM0363", "GM0501": "GM1992", "GM0530": "GM1992", "GM0614": "GM1992"}
KNOWN = {c: c for c in shipped().current} | MERGED
CONTEXT = Context(gemeenten=KNOWN, captured=dt.date(2025, 6, 1))
INDEPENDENT_STATUS = {
    spelling: code
    for code, spellings in synthetic_register.STATUS_SPELLINGS.items()
    for spelling in spellings
}


def test_profiles_ship_and_refuse_mistakes(tmp_path: Path) -> None:
    assert {"opgave", "diwi", "gis-register"} <= set(profiles.shipped_names())
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nhomez = "x"\n[planstatus]\n"Zacht" = "5X"\n[rules]\nfoo = 1\n')
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load_profile(bad)
    text = str(caught.value)
    assert "bad.toml, field columns.homez: unknown field" in text
    assert "planstatus.Zacht" in text and "rules.foo" in text
    with pytest.raises(profiles.ProfileError, match="no such profile file"):
        profiles.load_profile("nonexistent")


@pytest.mark.parametrize("spelling", sorted(INDEPENDENT_STATUS))
def test_every_status_spelling_of_the_issue(spelling: str) -> None:
    assert profiles.planstatus_of(spelling) == INDEPENDENT_STATUS[spelling]


def test_diwi_profile_reads_names_codes_and_refuses_per_cell(tmp_path: Path) -> None:
    path = tmp_path / "diwi.csv"
    path.write_text(
        "identificatie;projectnaam;gemeente;planologische_planstatus;aantal_woningen;"
        "startjaar;eindjaar\n"
        "D1;Centrum;Beemster;2B vastgesteld + Uitwerkingsplicht;1.200;2025;2028\n"
        "D2;Haven;gm0599;1a;40;2024;2024\n"
        "D3;Dorp;Haaren;3 In voorbereiding;10;2025;2026\n"
        "D4;Heuvel;Bergen;4A Visie;10;2025;2026\n"
        "D5;=cmd|'/c calc'!A0;Utrecht;Onbekend;100-150;2027;2026\n",
        encoding="cp1252",
    )
    with pytest.raises(PlanReadError) as caught:
        read_plans(path, profiles.load_profile("diwi"), CONTEXT)
    text = str(caught.value)
    for expected in (
        "diwi.csv, row 4, field gemeente: Haaren (GM0788) was split over",
        "diwi.csv, row 5, field gemeente: the name 'Bergen' is ambiguous",
        "diwi.csv, row 6, field projectnaam: text starting with '='",
        "diwi.csv, row 6, field planologische_planstatus: planstatus 'Onbekend' means unknown",
        "diwi.csv, row 6, field aantal_woningen: expected one whole number, got the range",
        "diwi.csv, row 6, field eindjaar: last_year 2026 is before first_year 2027",
    ):
        assert expected in text, expected
    report = caught.value.report
    assert report is not None and not report.ok
    path.write_text(path.read_text(encoding="cp1252").split("D3;")[0], encoding="cp1252")
    reading = read_plans(path, profiles.load_profile("diwi"), CONTEXT)
    rows = {r.id: r for r in reading.rows}
    assert rows["D1"].gemeente_id == "GM0439" and rows["D1"].homes == 1200
    assert rows["D1"].planstatus == "2B" and rows["D2"].planstatus == "1A"
    assert any("former municipality Beemster" in n.message for n in reading.report.notes)


def _independent(
    table_path: Path, truths: list[synthetic_register.Truth]
) -> tuple[Counter[str], Counter[str]]:
    """Totals per planstatus and per municipality, computed without the reader: brute-force
    overlap of each feature with every municipality of its division (shapely directly)."""
    meta, table = pyogrio.read_arrow(table_path)
    geoms = shapely.from_wkb(
        table.column(meta["geometry_name"] or "wkb_geometry").to_numpy(zero_copy_only=False)
    )
    merged = {"GM0457": "GM0363", "GM0501": "GM1992", "GM0530": "GM1992", "GM0614": "GM1992"}
    by_status: Counter[str] = Counter()
    by_gemeente: Counter[str] = Counter()
    for geom, truth in zip(geoms, truths, strict=True):
        status = truth.status_code if truth.status_code != "unknown" else "4B"
        by_status[status] += truth.net_homes
        division = boundaries.rd_new("gemeente", 2025 if truth.date.year >= 2025 else 2022)
        if geom.geom_type == "Point":
            weights = shapely.contains(division.geometry, geom).astype(float)
        else:
            weights = shapely.area(shapely.intersection(division.geometry, geom))
        if weights.sum() == 0:
            distance = shapely.distance(division.geometry, geom)
            weights = (distance == distance.min()).astype(float)
        shares: defaultdict[str, float] = defaultdict(float)
        for code, w in zip(division.codes, weights, strict=True):
            shares[merged.get(code, code)] += float(w)
        by_gemeente[max(shares, key=lambda c: shares[c])] += truth.net_homes
    return by_status, by_gemeente


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".gpkg", ".zip"])
def test_synthetic_gis_register_of_4000_polygons(tmp_path: Path, suffix: str) -> None:
    """A SYNTHETIC register (labelled so in every feature) imports through the gis-register
    profile; every plan gets a current municipality from its geometry; totals per planstatus
    and per municipality equal an independent computation."""
    if suffix == ".zip":
        shp = tmp_path / "register.shp"
        with pytest.warns(RuntimeWarning, match="laundered"):
            truths = synthetic_register.write(shp, 4000)
        path = tmp_path / "register.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in tmp_path.glob("register.*"):
                if part.suffix != ".zip":
                    archive.write(part, part.name)
        source = shp
    else:
        path = tmp_path / "register.gpkg"
        truths = synthetic_register.write(path, 4000)
        source = path
    reading = read_plans(path, profiles.load_profile("gis-register"), CONTEXT)
    assert len(reading.rows) == 4000
    _, table = pyogrio.read_arrow(source)
    label = "synthetisch" if suffix == ".gpkg" else "synthetisc"  # .dbf names: 10 characters
    assert set(table.column(label).to_pylist()) == {"ja"}
    assert all(r.gemeente_id in shipped().current for r in reading.rows)
    # the geometry is kept as read (WKB, RD New); the map's GeoJSON (WGS84) is made from it
    kept = shapely.from_wkb([r.geometry_wkb for r in reading.rows])
    assert not shapely.is_missing(kept).any()
    x0, y0, x1, y1 = shapely.total_bounds(kept)
    assert 0 < x0 < x1 < 300_000 and 300_000 < y0 < y1 < 629_000  # RD New, metres
    shown = shapely.from_geojson(plan_geometry.geojson([r.geometry_wkb for r in reading.rows]))
    lon0, lat0, lon1, lat1 = shapely.total_bounds(shown)
    assert 3.2 < lon0 < lon1 < 7.3 and 50.7 < lat0 < lat1 < 53.7  # WGS84 lon/lat
    status: Counter[str] = Counter()
    gemeente: Counter[str] = Counter()
    for row in reading.rows:
        status[row.planstatus] += row.homes
        gemeente[row.gemeente_id] += row.homes
        if row.homes_by_year is not None:
            assert sum(row.homes_by_year) == row.homes
    expected_status, expected_gemeente = _independent(source, truths)
    assert status == expected_status
    assert gemeente == expected_gemeente
    notes = [n.message for n in reading.report.notes]
    assert any("across municipalities" in n for n in notes)
    assert any("means unknown" in n or "is unknown" in n for n in notes)


def test_phases_gross_net_and_unknown_timing(tmp_path: Path) -> None:
    path = tmp_path / "fases.geojson"
    division = boundaries.rd_new("gemeente", 2025)
    point = shapely.point_on_surface(division.geometry[division.codes.index("GM0344")])
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(28992, 4326, always_xy=True).transform(point.x, point.y)
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"plan_id":"F1","plannaam":"Fase","gemeente":"","restcapaciteit":130,"sloop":30,'
        '"planstatus":"2A Vastgesteld","OP2020-2024":50,"Op2025-2029":50,"onbekend":30},'
        f'"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}]}}',
        encoding="utf-8",
    )
    row = read_plans(path, profiles.load_profile("gis-register"), CONTEXT).rows[0]
    assert row.gemeente_id == "GM0344"
    assert (row.first_year, row.last_year, row.homes) == (2020, 2029, 100)
    assert row.homes_by_year is not None and sum(row.homes_by_year) == 100
    assert len(row.homes_by_year) == 10


def test_propose_profile_round_trips(tmp_path: Path) -> None:
    columns = {
        "plancode": ["A1"],
        "plannaam": ["X"],
        "gemeente": ["Utrecht"],
        "aantal": [10],
        "planstatus": ["2A Vastgesteld", "Zachte capaciteit"],
        "OP2020-2024": [10],
        "onbekend": [0],
    }
    text = profiles.propose_profile(list(columns), columns, "register.csv")
    assert 'plan_id = "plancode"' in text and '"OP2020-2024" = [2020, 2024]' in text
    assert '"onbekend" = "unknown"' in text
    assert '"Zachte capaciteit" = ""  # NOT RECOGNISED' in text
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(profiles.ProfileError, match="Zachte capaciteit"):
        profiles.load_profile(path)
    path.write_text(text.replace('"Zachte capaciteit" = ""', '"Zachte capaciteit" = "4A"'))
    profile = profiles.load_profile(path)
    assert profile.columns["name"] == ("plannaam",)
    assert profiles.planstatus_of("zachte capaciteit", profile.planstatus) == "4A"


def test_no_geometry_and_no_municipality_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("plan_id;aantal;planstatus\nP1;5;1A\n", encoding="utf-8")
    with pytest.raises(PlanReadError, match="row 1, field gemeente or gemeentenaam: column"):
        read_plans(path, profiles.load_profile("gis-register"), CONTEXT)
    assert np.array([1]).size == 1


@pytest.mark.parametrize("unknown_rule", ["spread", [2025, 2030]])
def test_phases_spread_for_all_rows_at_once_as_one_by_one(unknown_rule: object) -> None:
    """The vectorised spread (every row at once) gives what the per-plan rule gives: even
    spread, the earliest years taking the remainder, unknown timing by largest remainder."""

    from opgave.ingest.profiles import Phase
    from opgave.ingest.register import _spread_phases, _spread_phases_all

    phases = [
        Phase("OP2019", 2019, 2019),
        Phase("OP2020-2024", 2020, 2024),
        Phase("Op2030-2050", 2030, 2050),
        Phase("onbekend", None, None),
        Phase("overlapping", 2022, 2026),
    ]
    rng = np.random.default_rng(12)
    counts = rng.integers(0, 40, size=(3000, len(phases))) * (rng.random((3000, 5)) < 0.45)
    counts[:40] = rng.integers(0, 3, size=(40, len(phases)))  # ties and empty rows
    counts[40] = [0, 0, 0, 7, 0]  # only unknown timing
    counts[41] = [0, 2, 0, 3, 0]  # 3 unknown over 2 homes in 2020-2021: ties by year
    got = _spread_phases_all(counts.astype(np.int64), phases, unknown_rule)
    for i, row in enumerate(counts):
        given = [(phases[k], int(c)) for k, c in enumerate(row) if c]
        assert got[i] == _spread_phases(given, unknown_rule), (i, row)
    assert got[41] == (2020, [3, 2])


@pytest.mark.parametrize("odd", [None, " SYN-07", "=HYPERLINK()", "-7", "@x", "", "Plan."])
def test_large_text_columns_checked_in_arrow_as_cell_by_cell(
    tmp_path: Path, odd: str | None
) -> None:
    """A large column of distinct ids and names the reader found tidy (letters or digits at
    both ends) skips the per-cell strip and formula checks; one odd cell anywhere takes
    them again: spaces are stripped, a formula or an empty id refused with its row."""
    lines = ["plan_id;name;gemeente_code;homes;planstatus;first_year;last_year"]
    lines += [f"SYN-{i:06d};Plan {i} ë;GM0363;{i % 90 + 1};1A;2026;2027" for i in range(25_000)]
    if odd is not None:
        lines[8] = lines[8].replace("SYN-000007", odd)  # file row 9
    path = tmp_path / "plans.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_source(path)
    assert ("plan_id" in table.tidy) is (odd is None)
    assert "name" in table.tidy
    if odd in ("=HYPERLINK()", "-7", "@x", ""):
        with pytest.raises(PlanReadError) as error:
            read_plans(path, profiles.load_profile("opgave"), CONTEXT)
        assert [(p.row, p.field) for p in error.value.problems] == [(9, "plan_id")]
        return
    rows = read_plans(path, profiles.load_profile("opgave"), CONTEXT).rows
    assert len(rows) == 25_000 and rows[0].id == "SYN-000000" and rows[0].name == "Plan 0 ë"
    assert rows[7].id == (odd or "SYN-000007").strip()


def _reading_or_refusal(path: Path, profile: profiles.Profile) -> tuple[str, list[Any], Any]:
    """What reading a file gives: its rows and report, or the refusal's problems and report."""
    try:
        reading = read_plans(path, profile, CONTEXT)
    except PlanReadError as error:
        return ("refused", list(error.problems), error.report)
    return ("read", reading.rows, reading.report)


@pytest.mark.parametrize("odd_rows", [False, True])
def test_rows_worked_out_in_one_pass_are_what_the_row_checks_give(
    tmp_path: Path, odd_rows: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-pass path (``_quick_rows``) gives the rows, problems, notes and report that the
    per-row checks give when every row takes them: a GIS register with phases, and a list with
    gross homes, demolition, a duplicate id, reversed phases and a municipality by name."""
    from opgave.ingest import register

    gis = tmp_path / "register.gpkg"
    synthetic_register.write(gis, 300)
    listing = tmp_path / "lijst.csv"
    lines = ["plan_id;plannaam;gemeente;restcapaciteit;sloop;planstatus;OP2020-2024;Op2025-2029"]
    lines += [
        f"P{i};Plan {i};{('Utrecht', 'Bergen (NH.)', 'Leeuwarden')[i % 3]};{20 + i};{i % 4};"
        f"{('1A Onherroepelijk', '3 In voorbereiding', 'Onbekend')[i % 3]};{10 + i};{10}"
        for i in range(60)
    ]
    if odd_rows:
        lines += ["P7;Twee keer;Utrecht;30;0;1A;10;20", "P99;Sloop;Utrecht;5;9;2A;5;0"]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    profile = profiles.load_profile("gis-register")
    quick = [_reading_or_refusal(p, profile) for p in (gis, listing)]
    monkeypatch.setattr(register, "_quick_rows", lambda ids, *_: range(len(ids)))
    checked = [_reading_or_refusal(p, profile) for p in (gis, listing)]
    assert quick == checked
    assert quick[0][0] == "read" and len(quick[0][1]) == 300
    assert quick[1][0] == ("refused" if odd_rows else "read")
