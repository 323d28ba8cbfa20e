"""Why a download failed, in one line (opgave.ingest.network): no urllib3 text reaches people."""

from __future__ import annotations

import socket
import urllib.error

import requests
from typer.testing import CliRunner
from urllib3.exceptions import MaxRetryError, NameResolutionError

from opgave.cli import app
from opgave.ingest.network import problem


def test_an_unresolvable_host_reads_as_offline() -> None:
    # what requests raises offline (the text the issue saw from `opgave ingest cbs`)
    inner = NameResolutionError(
        "opendata.cbs.nl", None, socket.gaierror(-2, "Name or service not known")
    )
    error = requests.ConnectionError(MaxRetryError(None, "/ODataFeed", inner))
    assert problem(error, "opendata.cbs.nl") == (
        "cannot reach opendata.cbs.nl: the name does not resolve (no internet connection?)"
    )
    wrapped = urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))
    assert "the name does not resolve" in problem(wrapped, "service.pdok.nl")


def test_refused_timeout_and_http_status() -> None:
    assert problem(ConnectionRefusedError(111, "Connection refused"), "h") == (
        "cannot reach h: it refused the connection"
    )
    assert problem(TimeoutError("timed out"), "h") == "cannot reach h: it did not answer in time"
    answer = requests.Response()
    answer.status_code = 404
    assert problem(requests.HTTPError(response=answer), "h") == "h answered HTTP 404"
    assert problem(ValueError("bad json\nmore"), "h") == "h: bad json"


def test_ingest_cbs_without_a_connection_says_so_in_one_line(
    runner: CliRunner, loaded_url: str
) -> None:
    result = runner.invoke(
        app, ["--db", loaded_url, "ingest", "cbs", "--catalog-url", "127.0.0.1:9", "--http"]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: could not download CBS table 81955NED: cannot reach 127.0.0.1:9: it refused the "
        "connection; nothing written"
    ]
