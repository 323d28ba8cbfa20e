"""The command line's language (opgave.cli.words): --lang and OPGAVE_LANG, Dutch overview and
status without English or raw codes and with Dutch numbers, the same figures as --json."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opgave import i18n, monitor, vocabulary
from opgave.areas import Coverage, coverage_text
from opgave.cli import app
from opgave.cli.pipeline import year_so_far_line
from opgave.cli.words import TEXTS, Words, language
from opgave.refusals import REFUSALS

BOX = re.compile(r"[\u2500-\u257f]")  # the table's lines


def run(
    runner: CliRunner, url: str, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def english_leaks(text: str) -> list[str]:
    """English catalogue strings (those that differ from the Dutch) in a Dutch output: a
    phrase anywhere (values as wildcards), a single word as a whole word unless Dutch writes
    it too (``met``)."""
    dutch_words = set(re.findall(r"\w+", " ".join(TEXTS["nl"].values())))
    found = []
    for key, english in TEXTS["en"].items():
        if english == TEXTS["nl"][key]:
            continue
        for piece in re.split(r"\{[a-z_]+\}", english):
            piece = piece.strip(" ,;:()=.")
            if not piece or piece in dutch_words:
                continue
            if " " not in piece and not re.fullmatch(r"\w+", piece):
                continue  # punctuation and symbols only
            if re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", text):
                found.append(f"{key}: {piece!r}")
    return found


def raw_codes(text: str) -> list[str]:
    """Vocabulary codes shown as they are, where the Dutch word differs from the code."""
    codes = {*vocabulary.AREA_KINDS, *vocabulary.MEASURES, *vocabulary.TARGET_KINDS}
    codes |= {*vocabulary.UNITS, *vocabulary.CONFIDENCES, *i18n.WORDS["pace_status"]}
    dutch = {w[0] for words in i18n.WORDS.values() for w in words.values()}
    return sorted(c for c in codes - dutch if re.search(rf"(?<![\w-]){c}(?![\w-])", text))


def dutch(runner: CliRunner, url: str, *args: str, english_notes: bool = False) -> str:
    """A command's output with --lang nl (table lines blanked), checked for English and codes;
    with ``english_notes`` only its title and header (the programme's notes are English)."""
    code, out, err = run(runner, url, "--lang", "nl", *args)
    assert code == 0, err
    text = BOX.sub(" ", out)
    checked = "\n".join(text.splitlines()[:3]) if english_notes else text
    assert english_leaks(checked) == [], args
    assert raw_codes(checked) == [], args
    return text


def numbers(text: str) -> set[float]:
    """Every number in a Dutch text: 900.000 -> 900000, 41,3% -> 41.3."""
    found = re.findall(r"(?<![\w.,])\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\d])|(?<![\w.,])\d+", text)
    return {float(n.replace(".", "").replace(",", ".")) for n in found}


def test_the_two_catalogues_have_the_same_sentences_with_the_same_values() -> None:
    assert TEXTS["nl"].keys() == TEXTS["en"].keys()
    fields = string.Formatter()
    for key, english in TEXTS["en"].items():
        named = {f for _, f, _, _ in fields.parse(english) if f}
        assert named == {f for _, f, _, _ in fields.parse(TEXTS["nl"][key]) if f}, key


def test_the_language_is_the_option_else_the_environment_else_dutch() -> None:
    assert language(None, {}) == "nl"
    assert language(None, {"OPGAVE_LANG": "en"}) == "en"
    assert language("nl", {"OPGAVE_LANG": "en"}) == "nl"
    assert language("EN", {}) == "en"
    assert language(None, {"OPGAVE_LANG": ""}) == "nl"  # set but empty: not chosen
    with pytest.raises(ValueError, match=r"^--lang expects nl or en, got 'xx'$"):
        language("xx", {"OPGAVE_LANG": "nl"})
    with pytest.raises(ValueError, match=r"^OPGAVE_LANG expects nl or en, got 'de'$"):
        language(None, {"OPGAVE_LANG": "de"})


def test_coverage_in_english_is_the_line_the_analysis_writes() -> None:
    cases = [
        (30, 30, True, (("official", 27), ("secondary", 3))),
        (21, 22, False, (("official", 21),)),
        (5, None, False, (("inferred", 5),)),
        (1, None, False, ()),
    ]
    for known, expected, complete, split in cases:
        c = Coverage(("X",), monitor.dt.date(2025, 1, 1), known, expected, complete, split,
                     lower_bound=not complete)  # fmt: skip
        assert Words("en").coverage(c) == coverage_text(known, expected, complete, split)
    c = Coverage(("X",), monitor.dt.date(2025, 1, 1), 1234, None, False, (("secondary", 4),),
                 lower_bound=True)  # fmt: skip
    assert Words("nl").coverage(c) == (
        "ondergrens: 1.234 gemeenten bekend, het totaal is niet genoemd (4 secundair)"
    )


def test_targets_and_periods_in_dutch() -> None:
    w = Words("nl")
    target: dict[str, Any] = {
        "value_min": 175000, "value_max": 220000, "unit": "homes", "approximate": True,
        "qualitative": None, "first_year": None, "last_year": 2030,
    }  # fmt: skip
    assert w.target_value(target) == "ca. 175.000-220.000 woningen"
    assert w.period(target) == "t/m 2030"
    share = {**target, "value_max": None, "value_min": 0.675, "unit": "share"}
    assert w.target_value({**share, "approximate": False}) == "ten minste 68%"
    assert w.period({**target, "first_year": 2031, "last_year": None}) == "vanaf 2031"
    assert w.percent(1.175, 1) == "117,5%" and w.number(900000) == "900.000"


def test_the_year_so_far_in_dutch() -> None:
    y = monitor.YearSoFar(
        area_id="VS-MRA", year=2026, last_month=9,
        to_date={"homes_completed": 41230, "homes_completed_new_build": 38900},
        previous={"homes_completed": 39000}, municipalities=30, municipalities_with_figures=28,
        lower_bound=True, sources=("bag-2026-10",), synthetic=True,
    )  # fmt: skip
    assert year_so_far_line(y, Words("nl")) == (
        "Dit jaar tot nu toe (BAG, jan-sep 2026): 41.230 woningen opgeleverd, waarvan 38.900 "
        "nieuwbouw (39.000 in dezelfde maanden van 2025); ondergrens: 28 van 30 gemeenten; "
        "voorlopig [bold yellow]SYNTHETISCH[/]"
    )
    english = year_so_far_line(y)
    assert english.startswith(f"Year so far (BAG, {y.months_text}): 41,230 homes completed")
    assert f"; {y.coverage_text}; provisional [bold yellow]SYNTHETIC" in english


@pytest.mark.usefixtures("wide")
def test_dutch_overview_and_status_show_no_english_and_no_codes(
    runner: CliRunner, demo_url: str
) -> None:
    for command in (["overview"], ["status", "VS-MRA"], ["status", "VS-ZR"]):
        code, out, err = run(runner, demo_url, "--lang", "nl", *command)
        assert code == 0, err
        text = BOX.sub(" ", out)
        assert english_leaks(text) == [], command
        assert raw_codes(text) == [], command
        assert "SYNTHETISCH" in text and "SYNTHETIC " not in text
    english = BOX.sub(" ", run(runner, demo_url, "--lang", "en", "status", "VS-MRA")[1])
    assert {"column_pace: 'pace needed / last 3 yrs'", "synthetic: 'SYNTHETIC'"} <= set(
        english_leaks(english)
    )  # the checks find what they look for
    assert raw_codes("(geen periode, strategy_region) on_track") == ["on_track", "strategy_region"]
    out = run(runner, demo_url, "--lang", "nl", "overview")[1]
    assert "Woningbouwopgave 2021-2030: 900.000 woningen" in out
    assert re.search(r"= \d+,\d% van de opgave", out)  # 29,0%: a decimal comma
    assert "ondergrens" in out and "Verstedelijkingsstrategieën" in out


@pytest.mark.usefixtures("wide")
def test_dutch_status_shows_the_figures_of_its_json(runner: CliRunner, demo_url: str) -> None:
    code, out, _ = run(runner, demo_url, "--lang", "nl", "status", "VS-MRA")
    assert code == 0
    shown = numbers(BOX.sub(" ", out))
    data = json.loads(run(runner, demo_url, "status", "VS-MRA", "--json")[1])
    h = data["headline"]
    p, c = h["progress"], h["capacity"]
    expected = {
        "realised": p["realised"],
        "remaining": p["remaining_min"],
        "pace needed": p["required_pace_min"],
        "recent pace": p["recent_pace"],
        "planned": c["planned_all"],
        "plans": c["plans"],
        "against": c["against"],
        "plans in the area": h["plans"],
        "planned homes": h["planned_homes"],
        "capacity %": round(c["ratio_all"] * 100),
        "hard %": round(c["ratio_hard"] * 100),
        "share of target %": round(p["realised"] / h["target"]["value_min"] * 100, 1),
        "municipalities": h["coverage"]["known"],
    }
    # homes are shown as whole numbers, percentages with the decimals the line gives them
    missing = {k: v for k, v in expected.items() if round(v, 0 if k[-1] != "%" else 1) not in shown}
    assert missing == {}
    assert i18n.number(p["realised"], "nl") in out and "." in i18n.number(p["realised"], "nl")


def test_json_and_english_do_not_change_with_the_language(runner: CliRunner, demo_url: str) -> None:
    for command in (["overview"], ["status", "VS-MRA"]):
        plain = run(runner, demo_url, *command, "--json")[1]
        assert run(runner, demo_url, "--lang", "nl", *command, "--json")[1] == plain
        english = run(runner, demo_url, *command)[1]
        assert run(runner, demo_url, "--lang", "en", *command)[1] == english
    english = run(runner, demo_url, "overview")[1]
    assert "900,000 homes" in english and "Regional urbanisation strategies" in english


def test_the_environment_chooses_the_language_and_the_option_wins(
    runner: CliRunner, demo_url: str
) -> None:
    out = run(runner, demo_url, "status", "VS-MRA", env={"OPGAVE_LANG": "nl"})[1]
    assert "Gerealiseerd" in out and "woningen" in out
    out = run(runner, demo_url, "--lang", "en", "status", "VS-MRA", env={"OPGAVE_LANG": "nl"})[1]
    assert "Realised" in out and "Gerealiseerd" not in out


def test_an_unknown_language_is_refused_in_one_line(runner: CliRunner, loaded_url: str) -> None:
    code, out, err = run(runner, loaded_url, "--lang", "xx", "overview")
    assert code == 1 and out == ""
    assert err.strip() == "error: --lang expects nl or en, got 'xx'"
    code, out, err = run(runner, loaded_url, "overview", env={"OPGAVE_LANG": "fr"})
    assert code == 1 and err.strip() == "error: OPGAVE_LANG expects nl or en, got 'fr'"


def test_the_command_line_speaks_dutch_when_nothing_is_chosen(
    runner: CliRunner, loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the dashboard and the report: Dutch unless --lang or OPGAVE_LANG says English."""
    monkeypatch.delenv("OPGAVE_LANG")
    code, out, err = run(runner, loaded_url, "overview")
    assert code == 0, err
    assert "Verstedelijkingsstrategie" in out and english_leaks(BOX.sub(" ", out)) == []
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "Opties" in help_text and "Taal van de uitvoer" in help_text


def refusal_leaks(text: str) -> list[str]:
    """English phrases of the catalogue of refusals (values as wildcards) in a Dutch text."""
    found = []
    for code, (english, _dutch) in REFUSALS.items():
        for piece in re.split(r"\{[^}]*\}", english):
            piece = piece.strip(" ,;:()=.'`")
            if " " in piece and piece in text:
                found.append(f"{code}: {piece!r}")
    return found


def refused_in_dutch(runner: CliRunner, url: str, *args: str) -> str:
    """A refused command's one line on stderr with --lang nl, checked for English."""
    code, out, err = run(runner, url, "--lang", "nl", *args)
    assert code == 1 and out == "", (code, out, err)
    assert refusal_leaks(err) == [] and english_leaks(err) == [], err
    return err.strip()


def test_refusals_are_said_in_dutch(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    missing = refused_in_dutch(runner, str(tmp_path / "missing.db"), "targets")
    assert missing == (
        f"fout: er is geen database in {tmp_path / 'missing.db'}; maak er een met "
        "`opgave init` (of noem een andere met --db)"
    )
    area = refused_in_dutch(runner, loaded_url, "status", "NOPE")
    assert area == "fout: onbekend gebied 'NOPE'; `opgave areas` noemt ze"
    scenario = refused_in_dutch(runner, loaded_url, "forecast", "--scenario", "nope")
    assert scenario == "fout: onbekend scenario 'nope'; er zijn geen scenario's"
    english = run(runner, loaded_url, "--lang", "en", "status", "NOPE")[2]
    assert english.strip() == "error: unknown area 'NOPE'; `opgave areas` lists them"
