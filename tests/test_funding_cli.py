"""Funding through the command line: import applications, allocate, record awards."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from opgave.cli import app
from opgave.funding import SCHEMES_DIR

EXAMPLE = SCHEMES_DIR / "example_applications.csv"


def cli(runner: CliRunner, url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_import_allocate_record(runner: CliRunner, loaded_url: str) -> None:
    code, out, err = cli(
        runner, loaded_url, "funding", "import", str(EXAMPLE), "--instrument", "WBI-T4"
    )
    assert code == 0, err
    assert "40 applications added" in out
    assert "40 unchanged" in cli(runner, loaded_url, "funding", "import", str(EXAMPLE))[1]
    code, out, err = cli(
        runner, loaded_url, "funding", "allocate", "--scheme", "woningbouwimpuls_t4", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["status"] == "optimal"
    assert report["objective"] >= report["ranking"]["objective"]
    assert report["spent_eur"] <= 250_000_000
    assert set(report) >= {
        "awarded",
        "objective",
        "homes",
        "affordable_homes",
        "spent_eur",
        "ranking",
    }
    code, out, err = cli(
        runner,
        loaded_url,
        "funding",
        "allocate",
        "--scheme",
        "woningbouwimpuls_t4",
        "--record",
        "--instrument",
        "WBI-T4",
        "--date",
        "2022-12-15",
    )
    assert code == 0, err
    assert "Synthetic applications" in out and "optimal" in out
    awards = json.loads(cli(runner, loaded_url, "funding", "awards", "--json")[1])
    assert sorted(a["application_id"] for a in awards) == sorted(report["awarded"])
    assert sum(a["homes"] for a in awards) == report["homes"]
    assert {a["instrument_id"] for a in awards} == {"WBI-T4"}


def test_clear_errors(runner: CliRunner, loaded_url: str, tmp_path: Path) -> None:
    code, _, err = cli(runner, loaded_url, "funding", "allocate", "--scheme", "nope")
    assert code == 1 and "shipped schemes: impuls_14_gebieden, woningbouwimpuls_t4" in err
    code, _, err = cli(runner, loaded_url, "funding", "allocate", "--scheme", "woningbouwimpuls_t4")
    assert code == 1 and "no applications" in err
    bad = tmp_path / "bad.csv"
    lines = EXAMPLE.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("application_id"))
    row = lines[header + 1].split(",")
    row[lines[header].split(",").index("homes")] = "veel"
    bad.write_text("\n".join([lines[header], ",".join(row)]) + "\n")
    code, _, err = cli(runner, loaded_url, "funding", "import", str(bad))
    assert code == 1 and "bad.csv" in err and "homes" in err and "veel" in err
    assert json.loads(cli(runner, loaded_url, "funding", "applications", "--json")[1]) == []
