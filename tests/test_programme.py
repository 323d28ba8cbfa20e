"""The founding letter as the default programme: every fact of letter-facts.md is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from opgave import areas, programme, store
from opgave.model import Agreement, AgreementEvent, Area, AreaCodeChange, AreaMember, Target

LETTER = "kst-34682-90"


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    return programme.read()


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


def test_national_targets_keep_ranges_periods_and_ca(data: dict[str, list[dict]]) -> None:
    targets = by_id(data["target"])
    nl = targets["NL-WONINGEN-2021-2030"]
    assert (nl["area_id"], nl["first_year"], nl["last_year"]) == ("NL01", 2021, 2030)
    assert nl["value_min"] == nl["value_max"] == 900000
    assert targets["NL-PLANCAPACITEIT-130"]["value_min"] == 1.3
    mra = targets["MRA-WONINGEN-2030"]
    assert (mra["value_min"], mra["value_max"], mra["last_year"]) == (175000, 220000, 2030)
    gwb40, gwb30 = targets["GWB14-WONINGEN-2040"], targets["GWB14-WONINGEN-2030"]
    assert (gwb40["value_min"], gwb40["last_year"], gwb40["approximate"]) == (440000, 2040, False)
    assert (gwb30["value_min"], gwb30["last_year"], gwb30["approximate"]) == (210000, 2030, True)
    assert targets["VS7-WONINGEN-2040"]["approximate"] is True
    zwolle = targets["ZWL-AMBITIE"]
    assert zwolle["value_min"] is None and "autonome behoefte" in zwolle["qualitative"]


def test_every_regional_number_of_the_letter(data: dict[str, list[dict]]) -> None:
    values = {(t["area_id"], t["value_min"], t["last_year"]) for t in data["target"]}
    for expected in [
        ("GWB-OUDE-LIJN", 70000, 2040),
        ("GRP-VA", 100000, 2040),
        ("VS-EHV", 30000, 2030),
        ("VS-MRU", 75000, 2030),
        ("VS-MRU", 50000, 2040),
        ("VS-ANF", 100000, None),
        ("VS-GA", 36000, 2040),
        ("GRP-VA", 32000, 2024),
        ("PV30", 0.15, 2040),
    ]:
        assert expected in values, expected
    started = [r for r in data["realisation"] if r["area_id"] == "VS-ZR"]
    assert [(r["measure"], r["first_year"], r["last_year"], r["value"]) for r in started] == [
        ("homes_started", 2018, 2020, 23000)
    ]


def test_every_letter_record_cites_its_section(data: dict[str, list[dict]]) -> None:
    cited = 0
    for table, rows in data.items():
        for row in rows:
            if row.get("source_id") == LETTER and table not in ("meeting_area",):
                assert row.get("source_section"), (table, row)
                cited += 1
    assert cited > 150
    assert all(t["source_quote"] for t in data["target"] if t["source_id"] == LETTER)


def test_areas_provinces_landsdelen_regions(data: dict[str, list[dict]]) -> None:
    area = by_id(data["area"])
    provinces = {a for a, r in area.items() if r["kind"] == "province"}
    assert provinces == {f"PV{n}" for n in range(20, 32)}
    assert area["PV21"]["name"] == "Fryslân"
    landsdelen = [m for m in data["area_member"] if m["parent_id"].startswith("MIRT-")]
    verified = {m["child_id"] for m in landsdelen if m["confidence"] == "official"}
    assert verified == {"PV23", "PV25"}  # only Oost-Nederland is confirmed
    assert len({m["child_id"] for m in landsdelen}) == 12
    seven = {m["child_id"] for m in data["area_member"] if m["parent_id"] == "GRP-VS7"}
    regions = {"VS-ZR", "VS-EHV", "VS-MRA", "VS-MRU", "VS-ANF", "VS-ZWL", "VS-GA"}
    assert regions <= seven
    assert area["VS-SB"]["kind"] == area["VS-DNN"]["kind"] == "strategy_region"
    assert not area["VS-ZR"]["members_complete"] and not area["GRP-VS7"]["members_complete"]
    va = {m["child_id"] for m in data["area_member"] if m["parent_id"] == "GRP-VA"}
    names = {area[c]["name"] for c in va}
    assert names == {
        "Leiden",
        "'s-Gravenhage",
        "Zoetermeer",
        "Rijswijk (ZH.)",
        "Delft",
        "Schiedam",
        "Rotterdam",
        "Dordrecht",
    }
    assert {"GWB-OUDE-LIJN", "GWB-OOSTFLANK", "GWB-CID-BINCKHORST", "GWB-EIK-XL"} <= {
        m["child_id"] for m in data["area_member"] if m["parent_id"] == "GRP-GWB14"
    }


def test_municipalities_of_both_divisions_aggregate_to_nation(data: dict[str, list[dict]]) -> None:
    kinds = {a["id"]: a["kind"] for a in data["area"]}
    gemeenten = {a for a, k in kinds.items() if k == "municipality"}
    # 345 in 2022, 342 in 2025, one new code (Voorne aan Zee), Beemster (merged 1-1-2022)
    assert len(gemeenten) == 347
    children = areas.children_of(data["area_member"])
    assert areas.municipalities("NL01", children, kinds) == gemeenten
    for landsdeel in ("MIRT-NN", "MIRT-NW", "MIRT-ZW", "MIRT-O", "MIRT-Z"):
        assert areas.municipalities(landsdeel, children, kinds)
    # every municipality lies in exactly one province
    for code in gemeenten:
        parents = [
            m["parent_id"]
            for m in data["area_member"]
            if m["child_id"] == code and m["parent_id"].startswith("PV")
        ]
        assert len(parents) == 1, code
    area = by_id(data["area"])
    assert area["GM0457"]["valid_to"] == 2022 and area["GM1992"]["valid_from"] == 2023
    assert area["GM0370"]["name"] == "Beemster" and area["GM0370"]["valid_to"] == 2021
    changes = {(c["old_code"], c["new_code"]) for c in data["area_code_change"]}
    assert ("GM0457", "GM0363") in changes and ("GM0501", "GM1992") in changes
    assert ("GM0370", "GM0439") in changes
    in_province = {m["child_id"]: m for m in data["area_member"] if m["parent_id"] == "PV27"}
    assert str(in_province["GM0370"]["valid_to"]) == "2021-12-31"
    assert str(in_province["GM0457"]["valid_to"]) == "2022-03-23"
    south = {m["child_id"]: m for m in data["area_member"] if m["parent_id"] == "PV28"}
    assert str(south["GM1992"]["valid_from"]) == "2023-01-01"
    assert str(south["GM0501"]["valid_to"]) == "2022-12-31"


def test_meetings_and_agreements_due(data: dict[str, list[dict]]) -> None:
    meetings = by_id(data["meeting"])
    nov = meetings["BO-VERSTEDELIJKING-2021"]
    assert (str(nov["date_first"]), str(nov["date_last"])) == ("2021-11-24", "2021-11-25")
    assert meetings["BO-LEEFOMGEVING-2022"]["moment_text"] == "medio 2022"
    due: dict[str, set[str]] = {}
    for row in data["agreement_due"]:
        due.setdefault(row["meeting_id"], set()).add(row["agreement_id"])
    # the letter puts seven agreements at the BO Leefomgeving 2022, four at the BO MIRT 2022
    assert due["BO-LEEFOMGEVING-2022"] == {
        "ZR-ACTUALISATIE",
        "EHV-AFSPRAKEN-2030",
        "EHV-VERSNELLING",
        "MRA-PROGRAMMERING",
        "ANF-AFSPRAKEN",
        "GA-AFSPRAKEN",
        "NL-FASERING",
    }
    assert due["BO-MIRT-2022"] == {
        "NL-FASERING",
        "EHV-VERSNELLING",
        "MRA-PROGRAMMERING",
        "DNN-VALIDATIE",
    }
    agreements = by_id(data["agreement"])
    # due_meeting_id stays readable: the first due meeting, always among agreement_due
    assert agreements["MRA-PROGRAMMERING"]["due_meeting_id"] == "BO-LEEFOMGEVING-2022"
    assert agreements["EHV-VERSNELLING"]["due_meeting_id"] == "BO-MIRT-2022"
    assert agreements["DNN-VALIDATIE"]["due_meeting_id"] == "BO-MIRT-2022"
    for a in agreements.values():
        if a["due_meeting_id"]:
            assert a["id"] in due[a["due_meeting_id"]]
    assert all(a["themes"] and a["parties"] for a in data["agreement"])


def test_qualitative_task_of_region_zuid_covers_zeeland(data: dict[str, list[dict]]) -> None:
    sb = by_id(data["agreement"])["SB-KWALITATIEF"]
    assert "provincie Zeeland" in sb["parties"]
    children = areas.children_of(data["area_member"])
    inside = areas.descendants(sb["area_id"], children)
    assert {"PV29", "PV30", "PV31"} <= inside


def test_instruments_n5_to_n7(data: dict[str, list[dict]]) -> None:
    instruments = by_id(data["instrument"])
    n5 = instruments["N5-WONINGBOUWMIDDELEN"]
    assert (n5["budget_per_year_eur"], n5["years"]) == (100_000_000, 10)
    tracks = {i for i, r in instruments.items() if r["parent_id"] == "N5-WONINGBOUWMIDDELEN"}
    assert {"N5-REGIE-14", "WBI-T4", "N5-KNELPUNTEN"} <= tracks
    n6 = instruments["N6-IMPULS-14"]
    assert (n6["budget_eur"], n6["expected_homes"], n6["approximate"]) == (500_000_000, 35000, True)
    eligible = {
        r["area_id"] for r in data["instrument_area"] if r["instrument_id"] == "N6-IMPULS-14"
    }
    assert eligible == {"GRP-GWB14", "LOC-AMF-TRANSFORMATIE"}  # N7: Amersfoort too


def test_load_twice_changes_nothing_and_keeps_user_status(db_url: str) -> None:
    engine = store.connect(db_url)
    store.migrate(engine)
    with store.transaction(engine) as session:
        first = programme.load(session)
    assert first.inserted["area"] == 424 and first.inserted["agreement_event"] == 31
    assert first.inserted["agreement_due"] == 11
    with store.transaction(engine) as session:
        session.get(Agreement, "GA-AFSPRAKEN").status = "done"  # type: ignore[union-attr]
    with store.transaction(engine) as session:
        second = programme.load(session)
        assert second.changed == 0
        assert session.get(Agreement, "GA-AFSPRAKEN").status == "done"  # type: ignore[union-attr]
        assert len(session.scalars(select(AgreementEvent)).all()) == 31
    with store.transaction(engine) as session:
        session.get(Target, "MRA-WONINGEN-2030").value_max = 1  # type: ignore[union-attr]
    with store.transaction(engine) as session:
        third = programme.load(session)
        assert dict(third.updated) == {"target": 1}
        assert session.get(Target, "MRA-WONINGEN-2030").value_max == 220000  # type: ignore[union-attr]
        assert session.scalar(select(AreaCodeChange).where(AreaCodeChange.old_code == "GM0457"))
        assert session.get(Area, "NL01") is not None
        assert session.get(AreaMember, ("GRP-VA", "GM0599")) is not None
    engine.dispose()


def test_bad_data_file_names_file_record_and_field() -> None:
    with pytest.raises(
        programme.ProgrammeDataError, match=r"letter.toml: \[\[target\]\] record 3: unknown field"
    ):
        programme.complete_row(
            "target", {"id": "X", "colour": "red"}, "letter.toml: [[target]] record 3"
        )
    with pytest.raises(programme.ProgrammeDataError, match="measure 'homes' is not one of"):
        programme.complete_row(
            "target", {"id": "X", "area_id": "NL01", "measure": "homes", "unit": "homes"}, "f"
        )
    with pytest.raises(programme.ProgrammeDataError, match="field area_id is required"):
        programme.complete_row(
            "target", {"id": "X", "measure": "homes_built", "unit": "homes"}, "f"
        )


def test_init_keeps_fields_users_edited(db_url: str) -> None:
    import datetime as dt

    from opgave.access import Principal
    from opgave.service import Service, agreements

    engine = store.connect(db_url)
    store.migrate(engine)
    with store.transaction(engine) as session:
        programme.load(session)
    svc = Service(db_url)
    agreements.change(
        svc, Principal(0, "regio", "admin"), "GA-AFSPRAKEN", {"due_text": "BO Leefomgeving 2023"},
        on=dt.date(2022, 7, 1), reason="uitgesteld",
    )  # fmt: skip
    svc.engine.dispose()
    with store.transaction(engine) as session:
        assert programme.load(session).changed == 0
        kept = session.get(Agreement, "GA-AFSPRAKEN")
        assert kept is not None and kept.due_text == "BO Leefomgeving 2023"
    engine.dispose()


# ---------------------------------------------------------------- regions, large-scale areas


def _coverage(data: dict[str, list[dict]], area: str, on: str) -> areas.Coverage:
    return areas.coverage(area, data["area"], data["area_member"], dt.date.fromisoformat(on))


def test_mra_members_by_date(data: dict[str, list[dict]]) -> None:
    kinds = {a["id"]: a["kind"] for a in data["area"]}

    def mra(on: str) -> set[str]:
        children = areas.children_on(data["area_member"], dt.date.fromisoformat(on))
        return areas.municipalities("VS-MRA", children, kinds)

    in_2021, in_2022, in_2023 = mra("2021-11-24"), mra("2022-02-01"), mra("2023-06-01")
    assert len(in_2021) == 32 and {"GM0457", "GM0370"} <= in_2021  # Weesp, Beemster
    assert len(in_2022) == 31 and "GM0457" in in_2022 and "GM0370" not in in_2022
    assert len(in_2023) == 30 and not {"GM0457", "GM0370"} & in_2023
    assert {"GM0363", "GM0439"} <= in_2023  # Amsterdam and Purmerend took them over
    assert _coverage(data, "VS-MRA", "2023-06-01").text == ("30 of 30 municipalities (3 secondary)")
    assert _coverage(data, "VS-MRA", "2021-11-24").known == 32


def test_every_strategy_region_is_complete_with_a_source_or_says_what_is_missing(
    data: dict[str, list[dict]],
) -> None:
    on = dt.date(2022, 6, 1)
    children = areas.children_on(data["area_member"], on)
    kinds = {a["id"]: a["kind"] for a in data["area"]}
    flags = {a["id"]: a["members_complete"] for a in data["area"]}
    sources = {s["id"] for s in data["source"]}
    for a in data["area"]:
        if a["kind"] != "strategy_region" and a["id"] != "GRP-VS7":
            continue
        assert a["members_source_id"] in sources, a["id"]
        cov = areas.coverage(a["id"], data["area"], data["area_member"], on)
        if cov.complete:
            assert cov.known == a["members_expected"], a["id"]  # the stated count is met
        else:
            assert a["members_note"] and cov.text.startswith("lower bound"), a["id"]
    # no stored flag claims more than its members give (the flag is safe to read alone)
    for a in data["area"]:
        if a["members_complete"]:
            assert areas.is_complete(a["id"], children, kinds, flags), a["id"]
    seven = _coverage(data, "GRP-VS7", "2022-06-01")
    assert not seven.complete and {"VS-ZR", "GRP-GWB14"} <= set(seven.incomplete)
    assert _coverage(data, "VS-MRU", "2022-06-01").text == "25 of 25 municipalities"
    assert _coverage(data, "VS-ANF", "2024-06-01").known == 26
    assert _coverage(data, "VS-ANF", "2025-06-01").known == 25  # Montferland left the GMR
    assert _coverage(data, "VS-SB", "2022-06-01").by_confidence == (("inferred", 5),)


def test_overlapping_regions_stay_overlapping(data: dict[str, list[dict]]) -> None:
    children = areas.children_on(data["area_member"], dt.date(2022, 6, 1))
    kinds = {a["id"]: a["kind"] for a in data["area"]}
    utrecht = areas.municipalities("VS-MRU", children, kinds)
    arnhem = areas.municipalities("VS-ANF", children, kinds)
    assert utrecht & arnhem == {"GM0203", "GM0267"}  # Barneveld, Nijkerk
    union = areas.municipality_union(["VS-MRU", "VS-ANF"], children, kinds)
    assert len(union) == 25 + 26 - 2
    seven = areas.municipalities("GRP-VS7", children, kinds)
    regions = ["VS-ZR", "VS-EHV", "VS-MRA", "VS-MRU", "VS-ANF", "VS-ZWL", "VS-GA"]
    assert seven == areas.municipality_union(regions, children, kinds)
    assert len(seven) == 8 + 9 + 30 + 25 + 26 + 22 + 7 - 2  # MRA: 30 from 24 March 2022


def test_large_scale_areas_of_2021_and_their_novex_successors(
    data: dict[str, list[dict]],
) -> None:
    area = by_id(data["area"])
    members = data["area_member"]
    fourteen = {m["child_id"]: m for m in members if m["parent_id"] == "GRP-GWB14"}
    novex = {m["child_id"]: m for m in members if m["parent_id"] == "GRP-NOVEX17"}
    assert len(fourteen) == 14 and len(novex) == 17
    assert all(area[a]["kind"] == "large_scale_area" for a in [*fourteen, *novex])
    assert set(fourteen) < set(novex)  # all 14 continue as NOVEX areas
    assert set(novex) - set(fourteen) == {"GWB-AMERSFOORT", "GWB-ARNHEM-OOST", "GWB-FOODVALLEY"}
    assert area["GRP-NOVEX17"]["succeeds_id"] == "GRP-GWB14"
    assert (
        area["GRP-NOVEX17"]["valid_from"] == 2022 and area["GWB-AMERSFOORT"]["valid_from"] == 2022
    )
    letter_named = {"GWB-OUDE-LIJN", "GWB-OOSTFLANK", "GWB-CID-BINCKHORST", "GWB-EIK-XL"}
    assert {a for a, m in fourteen.items() if m["confidence"] == "official"} == letter_named
    parents: dict[str, set[str]] = {}
    for m in members:
        parents.setdefault(m["child_id"], set()).add(m["parent_id"])

    def hosts(a: str) -> set[str]:  # municipalities above an area (EIK XL via a location)
        found, stack = set(), list(parents.get(a, ()))
        while stack:
            p = stack.pop()
            if area[p]["kind"] == "municipality":
                found.add(p)
            elif area[p]["kind"] == "location":
                stack.extend(parents.get(p, ()))
        return found

    assert hosts("GWB-BRABANTSE-STEDENRIJ") == {"GM0758", "GM0855", "GM0796"}
    assert "GM0642" in hosts("GWB-OUDE-LIJN") and hosts("GWB-EIK-XL") == {"GM0772"}
    without_hosts = {a for a in novex if not hosts(a)}
    assert without_hosts == {"GWB-MRA-OOST", "GWB-FOODVALLEY"}
    assert all(not area[a]["members_complete"] for a in without_hosts)
    homes = {t["area_id"]: t for t in data["target"] if t["id"].endswith("-WONINGEN-BZK")}
    assert homes["GWB-MRA-OOST"]["value_min"] == 100000
    for t in homes.values():  # no period stated: no years invented
        assert t["period_text"] == "periode niet genoemd"
        assert t["first_year"] is None and t["last_year"] is None
    novex_target = by_id(data["target"])["NOVEX17-WONINGEN-2030"]
    assert (novex_target["value_min"], novex_target["last_year"]) == (288000, 2030)


def test_realised_2024_and_the_letters_document_figure(data: dict[str, list[dict]]) -> None:
    y2024 = {
        r["measure"]: r
        for r in data["realisation"]
        if r["area_id"] == "NL01" and r["first_year"] == 2024
    }
    assert {m: r["value"] for m, r in y2024.items()} == {
        "homes_new_build": 69000,
        "homes_other_net_added": 13000,
        "homes_demolished": 11800,
        "homes_net_added": 70000,
    }
    assert all(r["provisional"] and r["source_id"] == "cbs-2024-press" for r in y2024.values())
    sources = by_id(data["source"])
    assert sources["cbs-2024-press"]["confidence"] == "press"
    zr = [r for r in data["realisation"] if r["area_id"] == "VS-ZR"]
    assert [(r["measure"], r["value"], r["source_id"]) for r in zr] == [
        ("homes_started", 23000, LETTER)
    ]


def test_region_member_rows_cite_source_and_section(data: dict[str, list[dict]]) -> None:
    sources = by_id(data["source"])
    for m in data["area_member"]:
        assert m["source_id"] in sources, m
        if m["source_id"] not in ("mirt-regios", "cbs-gemeentelijke-indeling"):
            assert m["source_section"], m


def test_bad_region_row_names_file_row_and_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    for f in programme.HERE.iterdir():
        if f.suffix in (".toml", ".csv"):
            shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(programme, "HERE", tmp_path)
    members = tmp_path / "region_members.csv"
    good = members.read_text(encoding="utf-8")
    members.write_text(good.replace("GM0358,Aalsmeer", "GM0599,Aalsmeer", 1), encoding="utf-8")
    with pytest.raises(
        programme.ProgrammeDataError, match=r"region_members.csv: row 2: GM0599 is 'Rotterdam'"
    ):
        programme.read()
    members.write_text(good.replace("2022-03-23", "23-03-2022", 1), encoding="utf-8")
    with pytest.raises(programme.ProgrammeDataError, match=r"column valid_to: expected a date"):
        programme.read()
    members.write_text(good.replace(",official,", ",sure,", 1), encoding="utf-8")
    with pytest.raises(programme.ProgrammeDataError, match=r"confidence 'sure' is not one of"):
        programme.read()
    members.write_text(good + good.splitlines()[1] + "\n", encoding="utf-8")
    twice = r"region_members.csv: row 198: a second row for \('VS-MRA', 'GM0358'\)"
    with pytest.raises(programme.ProgrammeDataError, match=twice):
        programme.read()
