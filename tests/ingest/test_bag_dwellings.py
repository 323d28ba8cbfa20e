"""Per-dwelling events: the same counts as derive_events, the nieuwbouw rule, points."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from opgave.ingest.bag import BagInputError, derive_events
from opgave.ingest.bag_dwellings import derive_dwellings, event_points, municipal_counts
from opgave.synthetic_bag import write_synthetic_bag

GEVORMD, IN_GEBRUIK = "Verblijfsobject gevormd", "Verblijfsobject in gebruik"


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_same_events_as_derive_events(tmp_path: Path) -> None:
    vbo, pand = tmp_path / "synthetic_vbo.parquet", tmp_path / "synthetic_pand.parquet"
    write_synthetic_bag(
        vbo, pand, 20_000, 4, ["0344", "0457", "0363"], code_changes={"0457": "0363"}
    )
    weesp = {"GM0457": "GM0363"}
    expected = {
        (r["gemeente_code"], r["year"], e): r[e]
        for r in derive_events(vbo, pand, code_map=weesp).to_pylist()
        for e in ("permitted", "started", "completed")
        if r[e]
    }
    dwellings = derive_dwellings(vbo, pand, tmp_path / "d.parquet", code_map=weesp, since=1900)
    got: dict[tuple[str, int, str], int] = {}
    for area, event, year, _, n in municipal_counts(dwellings, since=1900, until=date(2100, 1, 1)):
        got[(area, year, event)] = got.get((area, year, event), 0) + n
    assert {
        k: v for k, v in got.items() if k[2] in ("permitted", "started", "completed")
    } == expected
    # Every completion is new-build or other (every pand is in the pand file).
    for (area, year, event), n in got.items():
        if event == "completed":
            split = got.get((area, year, "completed_new_build"), 0) + got.get(
                (area, year, "completed_other"), 0
            )
            assert split == n
    assert dwellings.synthetic and dwellings.started_available and not dwellings.has_points


def test_since_leaves_out_dwellings_whose_events_are_all_older(tmp_path: Path) -> None:
    vbo, pand = tmp_path / "synthetic_vbo.parquet", tmp_path / "synthetic_pand.parquet"
    write_synthetic_bag(vbo, pand, 5_000, 2, ["0344"])
    everything = derive_dwellings(vbo, pand, tmp_path / "all.parquet", since=1900)
    recent = derive_dwellings(vbo, pand, tmp_path / "recent.parquet", since=2019)
    assert 0 < recent.count < everything.count
    table = pq.read_table(recent.path)
    latest = [
        max(d for d in (p, s, c) if d is not None)
        for p, s, c in zip(
            table["permitted_on"].to_pylist(),
            table["started_on"].to_pylist(),
            table["completed_on"].to_pylist(),
            strict=True,
        )
    ]
    assert min(latest) >= date(2019, 1, 1)


def _dwelling(
    vbo_id: str, pand_id: str, completed: str, x: str = "", y: str = ""
) -> list[dict[str, str]]:
    return [
        {"vbo_id": vbo_id, "status": GEVORMD, "gebruiksdoel": "woonfunctie",
         "begin_geldigheid": "2019-01-01", "eind_geldigheid": completed, "pand_id": pand_id,
         "gemeente_code": "0344", "x": x, "y": y},
        {"vbo_id": vbo_id, "status": IN_GEBRUIK, "gebruiksdoel": "woonfunctie",
         "begin_geldigheid": completed, "eind_geldigheid": "", "pand_id": pand_id,
         "gemeente_code": "0344", "x": x, "y": y},
    ]  # fmt: skip


def _pand(pand_id: str, bouwjaar: str, *statuses: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"pand_id": pand_id, "status": s, "begin_geldigheid": b, "eind_geldigheid": "",
         "bouwjaar": bouwjaar}
        for s, b in statuses
    ]  # fmt: skip


P = [f"03441000000000{i:02d}" for i in range(1, 8)]
V = [f"03440100000000{i:02d}" for i in range(1, 8)]
NEW = ("Bouwvergunning verleend", "2019-01-01")
OLD = ("Pand in gebruik", "2010-01-01")


def test_nieuwbouw_rule_by_bouwjaar_then_first_status(tmp_path: Path) -> None:
    vbo = _csv(
        tmp_path / "vbo.csv",
        [
            *_dwelling(V[0], P[0], "2021-03-01"),  # bouwjaar 2021: same year
            *_dwelling(V[1], P[1], "2021-01-15"),  # bouwjaar 2020: the year before
            *_dwelling(V[2], P[2], "2021-05-01"),  # bouwjaar 2019: older pand
            *_dwelling(V[3], P[3], "2021-05-01"),  # bouwjaar 9999, built as new
            *_dwelling(V[4], P[4], "2021-05-01"),  # no bouwjaar, existing pand
            *_dwelling(V[5], P[5], "2021-05-01"),  # pand not in the pand file
            *_dwelling(V[6], P[6], "2021-05-01"),  # bouwjaar 1975 but first status new
        ],
    )
    pand = _csv(
        tmp_path / "pand.csv",
        [
            *_pand(P[0], "2021", NEW),
            *_pand(P[1], "2020", NEW),
            *_pand(P[2], "2019", NEW),
            *_pand(P[3], "9999", NEW),
            *_pand(P[4], "", OLD),
            *_pand(P[6], "1975", NEW),
        ],
    )
    dwellings = derive_dwellings(vbo, pand, tmp_path / "d.parquet")
    new_build = dict(
        zip(
            *(pq.read_table(dwellings.path, columns=["vbo_id", "new_build"])[c].to_pylist()
              for c in ("vbo_id", "new_build")),
            strict=True,
        )
    )  # fmt: skip
    assert new_build == {
        V[0]: True,
        V[1]: True,
        V[2]: False,
        V[3]: True,
        V[4]: False,
        V[5]: None,
        V[6]: False,  # a known bouwjaar decides
    }
    counts: dict[tuple[str, int], int] = {}
    for _, event, year, _, n in municipal_counts(dwellings, since=2012, until=date(2022, 1, 1)):
        counts[(event, year)] = counts.get((event, year), 0) + n
    assert counts[("completed", 2021)] == 7
    assert counts[("completed_new_build", 2021)] == 3
    assert counts[("completed_other", 2021)] == 3  # the dwelling without a known pand: neither


def test_points_come_from_the_latest_voorkomen(tmp_path: Path) -> None:
    rows = _dwelling(V[0], P[0], "2021-03-01", "136000.5", "456000.25")
    rows[0]["x"] = "1.0"  # an older voorkomen elsewhere: not used
    rows += _dwelling(V[1], P[0], "2022-07-01", "", "")  # no point
    vbo = _csv(tmp_path / "vbo.csv", rows)
    pand = _csv(tmp_path / "pand.csv", _pand(P[0], "2021", NEW))
    dwellings = derive_dwellings(vbo, pand, tmp_path / "d.parquet")
    assert dwellings.has_points
    x, y, events = event_points(dwellings, since=2012, until=date(2022, 12, 31))
    assert list(x) == [136000.5] and list(y) == [456000.25]
    assert [int(v) for v in events["completed"][0]] == [2021]
    assert [int(v) for v in events["completed"][1]] == [3]
    assert [int(v) for v in events["completed_other"][0]] == [-1]
    assert [int(v) for v in events["permitted"][0]] == [2019]


def test_points_of_the_wrong_type_are_reported(tmp_path: Path) -> None:
    rows = _dwelling(V[0], P[0], "2021-03-01")
    table = pa.Table.from_pylist([{**r, "x": None, "y": None} for r in rows])
    table = table.set_column(table.column_names.index("x"), "x", pa.array([True, False]))
    pq.write_table(table, tmp_path / "vbo.parquet")
    with pytest.raises(BagInputError) as info:
        derive_dwellings(tmp_path / "vbo.parquet", None, tmp_path / "d.parquet")
    assert any(p.column == "x" and "expected a number" in p.message for p in info.value.problems)
