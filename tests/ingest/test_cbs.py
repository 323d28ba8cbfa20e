"""CBS StatLine ingest against recorded responses served from 127.0.0.1 (no network)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from opgave.cli import app
from opgave.ingest import cbs

RECORDED = Path(__file__).parents[1] / "data" / "cbs"


def recorded(table: str) -> dict[str, list[dict]]:
    folder = RECORDED / table
    return {
        p.stem: json.loads(p.read_text())["value"]
        for p in folder.glob("*.json")
        if p.stem != "index"
    }


@pytest.fixture
def cbs_server() -> Iterator[str]:
    """A local stand-in for opendata.cbs.nl serving the recorded files; its host:port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlparse(self.path).path.strip("/").split("/")
            # /ODataFeed/odata/<table>/<name>
            if len(parts) < 3 or parts[:2] != ["ODataFeed", "odata"]:
                self.send_error(404)
                return
            name = parts[3] if len(parts) > 3 and parts[3] else "index"
            path = RECORDED / parts[2] / f"{name}.json"
            if not path.exists():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


CODES = {"GM0363": "GM0363", "GM0344": "GM0344", "GM0457": "GM0363"}


def test_derive_reads_columns_from_metadata_and_merges_weesp() -> None:
    figures = cbs.derive("81955NED", recorded("81955NED"), CODES)
    assert figures.columns["Nieuwbouw_2"] == "homes_new_build"
    assert figures.title.startswith("Voorraad woningen en niet-woningen")
    values = {(r["area_id"], r["measure"], r["first_year"]): r for r in figures.rows}
    assert values[("GM0363", "homes_new_build", 2021)]["value"] == 5120 + 210  # + Weesp
    assert values[("GM0363", "homes_new_build", 2022)]["value"] == 6210
    assert values[("GM0344", "homes_net_added", 2022)]["value"] == 3610
    assert values[("GM0363", "homes_new_build", 2022)]["provisional"] is True
    assert values[("GM0363", "homes_new_build", 2021)]["provisional"] is False
    assert {r["area_id"] for r in figures.rows} == {"GM0363", "GM0344"}  # no NL01, no offices
    only_2022 = cbs.derive("81955NED", recorded("81955NED"), CODES, years=[2022])
    assert {r["first_year"] for r in only_2022.rows} == {2022}
    untyped = {k: v for k, v in recorded("81955NED").items() if k != "TypedDataSet"}
    assert cbs.derive("81955NED", untyped, CODES).rows == figures.rows
    unknown = cbs.derive("81955NED", recorded("81955NED"), {"GM0363": "GM0363"})
    assert unknown.unknown_regions == ["GM0344", "GM0457"]


def test_derive_refuses_tables_without_the_needed_shape() -> None:
    raw = recorded("81955NED")
    no_geo = {**raw, "DataProperties": [p for p in raw["DataProperties"] if p["Key"] != "RegioS"]}
    with pytest.raises(cbs.CbsError, match="no region and period dimensions"):
        cbs.derive("X", no_geo, CODES)
    no_sloop = {
        **raw,
        "DataProperties": [p for p in raw["DataProperties"] if p["Title"] != "Sloop"],
    }
    with pytest.raises(cbs.CbsError, match="lacks topics for homes_demolished"):
        cbs.derive("X", no_sloop, CODES)


def test_ingest_then_status_shows_exactly_those_figures(
    runner: CliRunner, loaded_url: str, cbs_server: str
) -> None:
    args = ["--db", loaded_url, "ingest", "cbs", "--catalog-url", cbs_server, "--http"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "20 figures (20 new, 0 updated) for 2 municipalities" in result.stdout
    again = runner.invoke(app, args)
    assert "(0 new, 0 updated)" in again.stdout
    status = json.loads(
        runner.invoke(app, ["--db", loaded_url, "status", "VS-MRA", "--json"]).stdout
    )
    # Amsterdam alone is 1 of the MRA's 30 municipalities: no partial sum is shown as the MRA's
    assert status["headline"]["coverage"]["text"].startswith("30 of 30")
    assert status["headline"]["progress"]["realised_years"] == []
    amsterdam = json.loads(
        runner.invoke(app, ["--db", loaded_url, "realisations", "GM0363", "--json"]).stdout
    )
    gross = {
        (f["first_year"], f["measure"]): f["value"]
        for f in amsterdam
        if f["measure"] in ("homes_new_build", "homes_other_added") and f["stands"]
    }
    assert sum(gross.values()) == (5120 + 210 + 1830 + 15) + (6210 + 1950)
    assert {year for year, _ in gross} == {2021, 2022}
    assert all(f["provisional"] == (f["first_year"] == 2022) for f in amsterdam)
    figures = json.loads(
        runner.invoke(
            app, ["--db", loaded_url, "realisations", "GM0363", "--source", "cbs", "--json"]
        ).stdout
    )
    assert len(figures) == 10 and all(f["source_id"] == "cbs-81955NED" for f in figures)
    assert {f["source_section"] for f in figures} == {
        "81955NED, Perioden 2021JJ00",
        "81955NED, Perioden 2022JJ00",
    }


def test_unreachable_server_is_a_clear_error(runner: CliRunner, loaded_url: str) -> None:
    result = runner.invoke(
        app, ["--db", loaded_url, "ingest", "cbs", "--catalog-url", "127.0.0.1:9", "--http"]
    )
    assert result.exit_code == 1 and "could not download CBS table 81955NED" in result.stderr
