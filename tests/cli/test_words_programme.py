"""The Dutch of the programme, pipeline, register, geo and BAG commands (opgave.cli.words):
with --lang nl each speaks Dutch, without English catalogue strings or raw vocabulary codes
and with Dutch numbers; refusals in Dutch; English and --json as before."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import string
from pathlib import Path

import pytest
from lvbag_data import national_zip
from test_words import dutch, english_leaks, raw_codes, run
from typer.testing import CliRunner

from opgave.cli import homes, render
from opgave.cli.pipeline import TIERS, correction_note, flag_detail, set_aside_reason
from opgave.cli.words import TEXTS, Words


@pytest.mark.usefixtures("wide")
def test_programme_commands_in_dutch(runner: CliRunner, demo_url: str, tmp_path: Path) -> None:
    out = dutch(runner, demo_url, "init")
    assert "Schema op revisie" in out and "niets te wijzigen." in out and "ongewijzigd" in out
    out = dutch(runner, demo_url, "areas")
    assert "(verstedelijkingsstrategie)" in out and "(--municipalities om ze te tonen)" in out
    out = dutch(runner, demo_url, "areas", "--kind", "strategy_region", english_notes=True)
    assert "gebieden van de soort verstedelijkingsstrategie" in out and "ligt in" in out
    assert " ja " in out and "(officieel)" in out and " yes " not in out
    out = dutch(runner, demo_url, "targets", "--area", "VS-MRA")
    assert "vindplaats" in out and "woningen toegevoegd" in out
    assert re.search(r"\d{3}\.\d{3} woningen", out)  # 175.000, not 175,000
    out = dutch(runner, demo_url, "meetings", english_notes=True)
    assert "overleggen" in out and "toelichting" in out
    out = dutch(runner, demo_url, "preconditions")
    assert "randvoorwaarden" in out and "bereikbaarheid" in out
    out = dutch(runner, demo_url, "instruments")
    assert "verwachte woningen" in out and re.search(r"EUR \d{1,3}(\.\d{3})+", out)
    out = dutch(runner, demo_url, "export", str(tmp_path / "export"))
    assert "bestanden geschreven naar" in out
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    out = dutch(runner, fresh, "import", str(tmp_path / "export"))
    assert re.fullmatch(r"[\d.]+ rijen ingelezen in \d+ tabellen van .+\.\n", out)


@pytest.mark.usefixtures("wide")
def test_pipeline_commands_in_dutch(runner: CliRunner, demo_url: str, tmp_path: Path) -> None:
    out = dutch(runner, demo_url, "realisations", "--area", "VS-MRA")
    assert "realisatiecijfers (" in out and "telt mee" in out and "SYNTHETISCH" in out
    out = dutch(runner, demo_url, "plans", "--area", "VS-MRA", "--as-of", "2025-06-01")
    assert "plannen stand per 1 juni 2025 (" in out and "woningen" in out
    assert "signalen op" in dutch(runner, demo_url, "flags", "--on", "2031-01-01")
    out = dutch(runner, demo_url, "status", "--compare", "2024-01-01", "2025-06-01")
    assert out.startswith("Plannen 1 januari 2024 -> 1 juni 2025: 0 -> ")
    assert "  toegevoegd (" in out and " plannen, " in out
    demo_list = tmp_path / "demo.csv"
    out = dutch(runner, demo_url, "demo", "--plans", "200", "--out", str(demo_list))
    assert out.startswith("200 SYNTHETISCHE plannen geschreven naar")
    out = dutch(runner, demo_url, "demo", "--plans", "200")
    assert out.startswith("SYNTHETISCHE demogegevens (startgetal 1): 0 plannen toegevoegd")
    assert "stand per 1 januari 2025" in out
    out = dutch(runner, demo_url, "ingest", "plans", str(demo_list), "--date", "2025-01-01")
    assert "demo.csv per 1 januari 2025: 0 toegevoegd, 0 gewijzigd, 0 vervallen" in out
    plan_id = json.loads(run(runner, demo_url, "plans", "--json")[1])[0]["id"]
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        "plan_id,field,old_value,new_value,reason,date,editor\n"
        f"{plan_id},name,nothing like it,x,test,2025-02-01,provincie\n"
        "NOPE,name,a,b,test,2025-02-01,provincie\n"  # the field as the file names it
    )
    out = dutch(runner, demo_url, "corrections", str(corrections))
    assert "0 van 2 correcties doorgevoerd" in out
    assert f"rij 2 ({plan_id}.name): niet doorgevoerd - het veld heeft nu " in out
    assert "rij 3 (NOPE.name): niet doorgevoerd - dit plan bestaat niet" in out


@pytest.mark.usefixtures("wide")
def test_register_geo_and_bag_commands_in_dutch(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    profile = tmp_path / "cap.toml"
    profile.write_text(
        '[profile]\nkind = "capacity"\n[[sheets]]\narea = "gemeente"\n[[sheets.totals]]\n'
        'column = "hard 2022-2030"\nhardness = "soft"\nyears = [2022, 2030]\n'
        'gross_or_net = "gross"\n',
        encoding="utf-8",
    )
    totals = tmp_path / "totals.csv"
    totals.write_text("gemeente;hard 2022-2030\nUtrecht;1.500\n", encoding="cp1252")
    args = ("ingest", "capacity", str(totals), "--mapping", str(profile), "--date", "2022-06-01")
    code, out, err = run(runner, loaded_url, "--lang", "nl", *args)
    assert code == 0, err
    assert "totals.csv: 1 totalen plancapaciteit voor 1 gebieden (bron " in out
    out = dutch(runner, loaded_url, "capacity-totals")
    assert "hardheid" in out and "zacht" in out and "bruto" in out and "1.500" in out
    out = dutch(runner, loaded_url, "ingest", "propose-mapping", str(totals), "--out",
                str(tmp_path / "p.toml"))  # fmt: skip
    assert "controleer elke regel" in out
    geo = Path(__file__).parents[2] / "src/opgave/data/geo/provincie_2025.geojson"
    out = dutch(runner, loaded_url, "ingest", "geo", str(geo))
    assert re.fullmatch(r"provincie_2025\.geojson: 12 gebiedsgrenzen geladen \(bron .+\)\.\n", out)
    code, _, err = run(runner, loaded_url, "--lang", "nl", "ingest", "geo", "nope.geojson")
    assert code == 1 and err.strip() == "fout: nope.geojson: dit bestand bestaat niet"
    extract = national_zip(tmp_path)
    out = dutch(runner, loaded_url, "ingest", "bag", str(extract), "--workers", "1")
    assert (
        out.lstrip().startswith("SYNTHETISCH BAG ")
        and "woningen met een gebeurtenis sinds 2012" in out
    )
    assert "Overgeslagen: " in out and "(bron " in out
    out = dutch(runner, loaded_url, "bag", "reconcile", english_notes=True)
    table, _, explained = out.partition("Waarom ze verschillen")
    assert english_leaks(table) == [] and raw_codes(table) == []  # the reasons are English
    assert english_leaks(explained.splitlines()[-1]) == []
    assert "tegenover CBS" in out and "wijkt af" in out and "geen CBS-cijfer" in out
    assert "Waarom ze verschillen" in out and "* voorlopig CBS-cijfer" in out


def test_refusals_and_messages_in_dutch(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    code, _, err = run(runner, loaded_url, "--lang", "nl", "areas", "--kind", "nope")
    assert code == 1 and err.strip().startswith("fout: --kind verwacht nation, ")
    assert " of group, niet 'nope'" in err
    code, _, err = run(runner, loaded_url, "--lang", "nl", "status", "VS-MRA", "--area", "PV27")
    assert err.strip() == "fout: twee gebieden opgegeven: VS-MRA en --area PV27; geef er één"
    bad = tmp_path / "bad.csv"
    bad.write_text("plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
                   "P1,Kade,GM0599,-3,3,2025,2026\nP2,Dijk,GM0599,50,9Z,2024,2024\n")  # fmt: skip
    code, out, err = run(runner, loaded_url, "--lang", "nl", "ingest", "plans", str(bad))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0] == "fout: 2 problemen gevonden, er is niets opgeslagen:"
    assert lines[1].startswith("  bad.csv, rij 2, kolom homes: ")
    assert lines[2].startswith("  bad.csv, rij 3, kolom planstatus: ")
    english = run(runner, loaded_url, "ingest", "plans", str(bad))[2]
    assert english.startswith("error: 2 problem(s) in the plan list, nothing written")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert render.port_problem("127.0.0.1", port, Words("nl")) == (
            f"poort {port} op 127.0.0.1 is al in gebruik (nog een `opgave serve`?): stop die "
            "of kies een andere poort met --port"
        )


def test_the_language_ends_with_the_command(runner: CliRunner, loaded_url: str) -> None:
    assert "randvoorwaarden" in run(runner, loaded_url, "--lang", "nl", "preconditions")[1]
    # outside a command: OPGAVE_LANG's language (English in the tests), not the last command's
    assert render.word("theme", "water_climate") == "water and climate"
    assert homes(900000) == "900,000"


def test_the_analysis_sentences_the_commands_translate() -> None:
    from opgave import review
    from opgave.message import Message
    from opgave.state import TIER_TEXT
    from opgave.state import set_aside_reason as reason_of

    assert set(TIERS) == set(TIER_TEXT.values())  # every tier has its Dutch
    nl, en = Words("nl"), Words("en")
    reason = reason_of("other_source", source="cbs-81955NED", tier=TIER_TEXT["cbs_final"])
    assert reason == f"another source stands: cbs-81955NED ({TIER_TEXT['cbs_final']})"
    assert (
        set_aside_reason(reason, nl) == "een andere bron gaat voor: cbs-81955NED (CBS, definitief)"
    )
    assert set_aside_reason(reason, en) == reason
    merged = reason_of("merged", area="GM0457", new="GM0363", year=2022)
    assert set_aside_reason(merged, nl) == (
        "GM0457 is opgegaan in GM0363; vanaf 2022 zijn de cijfers die van GM0363"
    )
    assert set_aside_reason("something new", nl) == "something new"  # shown as it is
    assert set_aside_reason(Message.of({"x": "a new {y}"}, "x", y=1), nl) == "a new 1"
    other_tier = reason_of("other_tier", new="GM0363", tier="bag")
    assert set_aside_reason(other_tier, nl) == (
        "deel van GM0363, waarvan het cijfer uit een andere bron komt (afgeleid uit de BAG)"
    )
    stalled = Message.of(
        review.FLAG_DETAILS, "stalled", status="3", since=dt.date(2021, 1, 1), years=4.2
    )
    assert stalled == "planstatus 3 since 2021-01-01 (4.2 years)"
    assert flag_detail(stalled, nl) == "planstatus 3 sinds 2021-01-01 (4,2 jaar)"
    twin = Message.of(review.FLAG_DETAILS, "duplicate", gemeente="GM0599", homes=1200,
                      others="P2, P3")  # fmt: skip
    assert twin == "same municipality (GM0599), name and homes (1200) as P2, P3"
    assert flag_detail(twin, nl) == (
        "zelfde gemeente (GM0599), naam en aantal woningen (1.200) als P2, P3"
    )
    dropped = Message.of(review.CORRECTION_NOTES, "dropped", date=dt.date(2024, 1, 1))
    assert correction_note(dropped, nl) == "het plan is vervallen op 2024-01-01"
    holds = Message.of(review.CORRECTION_NOTES, "now_holds", value="2A")
    assert holds == "the field now holds '2A', not old_value"
    assert correction_note(holds, nl) == "het veld heeft nu '2A', niet old_value"


def test_every_sentence_of_the_analysis_has_its_words_with_the_same_values() -> None:
    """A code the catalogue lacks, or a value it names differently, fails here instead of
    falling back to English unseen."""
    from opgave import review, state
    from opgave.forecast import backtest
    from opgave.funding import allocation

    fields = string.Formatter()
    for templates, key in (
        (state.SET_ASIDE_REASONS, "aside_{}"),
        (review.FLAG_DETAILS, "flag_{}_detail"),
        (review.CORRECTION_NOTES, "note_{}"),
        (allocation.NOTES, "alloc_note_{}"),
        (backtest.LABELS, "fc_{}_until"),
    ):
        for code, english in templates.items():
            named = {f for _, f, _, _ in fields.parse(english) if f}
            for lang in ("nl", "en"):
                text = TEXTS[lang][key.format(code)]
                assert {f for _, f, _, _ in fields.parse(text) if f} == named, (code, lang)


@pytest.mark.usefixtures("wide")
def test_english_and_json_stay_as_they_were(runner: CliRunner, demo_url: str) -> None:
    for command in (
        ["targets"],
        ["realisations", "VS-MRA"],
        ["plans"],
        ["areas", "--kind", "province"],
    ):
        english = run(runner, demo_url, *command)[1]
        assert run(runner, demo_url, "--lang", "en", *command)[1] == english
        plain = run(runner, demo_url, *command, "--json")[1]
        assert run(runner, demo_url, "--lang", "nl", *command, "--json")[1] == plain
    out = run(runner, demo_url, "targets")[1]
    assert "175,000-220,000 homes" in out and "source section" in out
    out = run(runner, demo_url, "realisations", "VS-MRA")[1]
    assert "counts" in out and "SYNTHETIC" in out
