"""The opgave command line as a user meets it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from opgave import __version__
from opgave.cli import app
from opgave.model import Agreement, Meeting, Target
from opgave.service import Service, users
from opgave.vocabulary import AREA_KINDS


def run(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"opgave {__version__}"


def test_init_twice_then_overview(runner: CliRunner, db_url: str) -> None:
    code, out, _ = run(runner, db_url, "init")
    assert code == 0 and "1,393 rows written" in out  # a count as English writes it
    code, out, _ = run(runner, db_url, "init")
    assert code == 0 and "nothing to change" in out
    code, out, _ = run(runner, db_url, "overview")
    assert code == 0
    assert "900,000 homes" in out and "Metropoolregio Amsterdam" in out
    assert "175,000-220,000 homes" in out and "BO Leefomgeving 2022" in out
    code, out, _ = run(runner, db_url, "overview", "--json")
    progress = json.loads(out)["headline"]["progress"]
    # the ministry's count: net change + demolition, or new-build + the net of other additions
    # and removals (2024, CBS provisional via the press); 2023 has only gross figures: a gap
    assert progress["realised_years"] == [2021, 2022, 2024]
    assert progress["gap_years"] == [2023] and progress["lower_bound"] is True
    assert progress["realised"] == (79250 + 9925) + (79649 + 10559) + (69000 + 13000)
    assert progress["definition"] == "ministry"
    code, out, _ = run(runner, db_url, "overview", "--definition", "gross", "--json")
    gross = json.loads(out)["headline"]["progress"]
    assert gross["realised_years"] == [2021, 2022, 2023]  # 2024 has no gross other additions
    assert gross["realised"] == 71221 + 74560 + 73333 + 25411 + 24077 + 20640


def test_listings_print_model_fields_as_json(runner: CliRunner, loaded_url: str) -> None:
    for command, model in (("targets", Target), ("agreements", Agreement), ("meetings", Meeting)):
        code, out, _ = run(runner, loaded_url, command, "--json")
        assert code == 0
        records = json.loads(out)
        extra = ["version", "due_meeting_ids"] if model is Agreement else []  # history, due
        assert records and all(
            list(r) == [c.name for c in model.__table__.columns] + extra for r in records
        )
    targets = {t["id"]: t for t in json.loads(run(runner, loaded_url, "targets", "--json")[1])}
    mra = targets["MRA-WONINGEN-2030"]
    assert (mra["value_min"], mra["value_max"]) == (175000, 220000)
    assert targets["GWB14-WONINGEN-2030"]["approximate"] is True
    assert targets["NL-WONINGEN-2021-2030"]["source_id"] == "kst-34682-90"


def listing(runner: CliRunner, url: str, *args: str) -> list[dict]:
    code, out, err = run(runner, url, *args, "--json")
    assert code == 0, err
    records: list[dict] = json.loads(out)
    return records


def test_filters(runner: CliRunner, loaded_url: str) -> None:
    due = listing(runner, loaded_url, "agreements", "--due", "BO Leefomgeving 2022")
    ids = {a["id"] for a in due}
    # regression: agreements due at two meetings were filed under one (the letter puts 7 here);
    # and EHV-AKKOORD is due there by its moment ("voorjaar 2022", before medio 2022)
    assert ids == {
        "ZR-ACTUALISATIE", "EHV-AFSPRAKEN-2030", "EHV-VERSNELLING", "MRA-PROGRAMMERING",
        "ANF-AFSPRAKEN", "GA-AFSPRAKEN", "NL-FASERING", "EHV-AKKOORD",
    }  # fmt: skip
    assigned = [a for a in due if a["id"] != "EHV-AKKOORD"]
    assert all("BO-LEEFOMGEVING-2022" in a["due_meeting_ids"] for a in assigned)
    mirt = listing(runner, loaded_url, "agreements", "--overdue-at", "BO MIRT 2022")
    assert "MRA-PROGRAMMERING" not in {a["id"] for a in mirt}  # due there too, not overdue
    zr = listing(runner, loaded_url, "targets", "--area", "VS-ZR", "--within")
    assert {t["area_id"] for t in zr} == {
        "VS-ZR",
        "GRP-VA",
        "GWB-OUDE-LIJN",
        "GWB-OOSTFLANK",  # homes per the BZK overview (large_scale_areas.toml)
        "GWB-CID-BINCKHORST",
    }
    in_2035 = {
        t["id"]
        for t in listing(
            runner, loaded_url, "targets", "--year", "2035", "--measure", "homes_built"
        )
    }
    assert "MRU-WONINGEN-2031-2040" in in_2035 and "MRA-WONINGEN-2030" not in in_2035
    overlapping = {t["id"] for t in listing(runner, loaded_url, "targets", "--period", "2029-2031")}
    assert {"MRU-WONINGEN-2031-2040", "MRA-WONINGEN-2030"} <= overlapping
    assert "PROV-2022" not in overlapping and "NL-PLANCAPACITEIT-130" in overlapping
    green = listing(runner, loaded_url, "agreements", "--area", "VS-MRU", "--theme", "green")
    assert green == []  # Groen Groeit Mee is agreed for the province, not the region
    assert len(listing(runner, loaded_url, "areas", "--kind", "province")) == 12


def test_tree_and_tables_render(runner: CliRunner, loaded_url: str) -> None:
    for command in ("areas", "targets", "agreements", "meetings", "preconditions", "instruments"):
        code, out, err = run(runner, loaded_url, command)
        assert code == 0, (command, err)
    out = run(runner, loaded_url, "areas")[1]
    assert "membership inferred" in out and "Oostflank Rotterdam" in out


def test_clear_errors(runner: CliRunner, tmp_path: Path, loaded_url: str) -> None:
    code, _, err = run(runner, f"sqlite:///{tmp_path / 'new.db'}", "targets")
    assert code == 1 and "create it with `opgave init`" in err
    assert not (tmp_path / "new.db").exists()  # no empty database left behind
    code, _, err = run(runner, loaded_url, "targets", "--period", "2030")
    assert code == 1 and "--period expects YYYY-YYYY" in err
    code, _, err = run(runner, loaded_url, "targets", "--area", "XX99")
    assert code == 1 and "unknown area 'XX99'" in err
    code, _, err = run(runner, loaded_url, "agreements", "--due", "BO Nergens")
    assert code == 1 and '"BO Leefomgeving 2022"' in err
    code, _, err = run(runner, loaded_url, "export", str(tmp_path / "e"), "--format", "xml")
    assert code == 1 and "--format must be one of csv, parquet" in err


def test_import_refuses_bad_folder(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    assert run(runner, loaded_url, "export", str(tmp_path / "e"))[0] == 0
    target = tmp_path / "target.csv"
    target.write_text((tmp_path / "e" / "target.csv").read_text().replace("175000.0", "veel"))
    (tmp_path / "e" / "target.csv").write_text(target.read_text())
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, _, err = run(runner, fresh, "import", str(tmp_path / "e"))
    assert code == 1
    assert "target.csv, row" in err and "field value_min: expected a number, got 'veel'" in err
    assert not (tmp_path / "fresh.db").exists()  # nothing imported, no empty file left


def test_command_line_writes_are_audited_and_exports_say_synthetic(
    runner: CliRunner, loaded_url: str, tmp_path: Path
) -> None:
    # regression: CLI imports and status changes left audit_event empty
    assert run(runner, loaded_url, "demo", "--plans", "50")[0] == 0
    plans = tmp_path / "p.csv"
    plans.write_text(
        "plan_id,name,gemeente_code,homes,planstatus,first_year,last_year\n"
        "P1,Haven,GM0363,100,1A,2026,2027\n"
    )
    assert run(runner, loaded_url, "--by", "analist", "ingest", "plans", str(plans))[0] == 0
    args = ["agreements", "status", "GA-AFSPRAKEN", "done", "--by", "regio GA"]
    assert run(runner, loaded_url, *args)[0] == 0
    svc = Service(loaded_url)
    trail = users.audit_trail(svc)
    assert [(e["user_name"], e["table_name"], e["action"]) for e in trail[:2]] == [
        ("regio GA", "agreement", "update"),
        ("analist", "plan", "upload"),
    ]
    assert trail[1]["after"]["added"] == ["P1"]
    svc.engine.dispose()
    assert run(runner, loaded_url, "export", str(tmp_path / "out"))[0] == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["synthetic"] is True and manifest["synthetic_sources"] == ["synthetic-demo"]


def every_command() -> list[list[str]]:
    """Every command and group as typed: [], ['init'], ['ingest'], ['ingest', 'plans'], ..."""
    import typer

    def walk(command: Any, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, [*path, name])
        return found

    return walk(typer.main.get_command(app), [])


def test_help_names_values_not_types(runner: CliRunner) -> None:
    """No `--json <bool>` or `--compare <str,str>...`: options show what to type."""
    shown = {}
    for path in every_command():
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0, path
        typed = re.findall(r"^\s+(--\S+.*?<[a-z][^>]*>)", result.stdout, flags=re.M)
        assert not typed, f"opgave {' '.join(path)} --help shows types: {typed}"
        shown[" ".join(path)] = result.stdout
    assert "--json " in shown["targets"] and "--json <" not in shown["targets"]
    assert "--compare DATE1 DATE2" in shown["status"]
    assert all(kind in shown["areas"] for kind in AREA_KINDS)  # --kind lists its values
    assert "lapsed" in shown["agreements"] and "water_climate" in shown["agreements"]
    ingest = shown["ingest"]
    assert all(f"  {name} " in ingest for name in ("plans", "cbs", "bag", "geo", "capacity"))
    assert "bag" in ingest.split("Commands:")[0] and "geo" in ingest.split("Commands:")[0]
