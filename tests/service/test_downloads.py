"""Downloads: every API listing as CSV and XLSX (``?format=csv|xlsx``) with the same rows as
its JSON, the sources inside the file and the SYNTHETIC label where the rows rest on synthetic
data; a bad format is a 400 in words."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from opgave import programme, store
from opgave.api import create_app
from opgave.cli import app as cli_app
from opgave.funding.scheme import SCHEMES_DIR
from opgave.service.downloads import About, check_format, write_csv, write_xlsx
from opgave.service.errors import ServiceError

LISTINGS = [
    # (path, listing name, rests on synthetic data, a source every file must cite)
    ("/api/v1/areas?kind=province", "areas", False, "cbs-gemeentelijke-indeling"),
    ("/api/v1/targets?area=VS-ZR&within=true", "targets", False, "kst-34682-90"),
    ("/api/v1/meetings", "meetings", False, "kst-34682-90"),
    ("/api/v1/realisations?area=GM0363", "realisations", True, "synthetic-demo"),
    ("/api/v1/plans?area=VS-MRA", "plans", True, "synthetic-demo"),
    ("/api/v1/agreements?area=VS-MRA", "agreements", False, "kst-34682-90"),
    ("/api/v1/awards", "awards", True, None),
    ("/api/v1/applications", "applications", True, None),
    ("/api/v1/audit?table=plan", "audit", False, None),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The programme, a small SYNTHETIC demo pipeline, the synthetic example applications and
    the awards of their optimal allocation, served with public reading."""
    folder = tmp_path_factory.mktemp("downloads")
    url = f"sqlite:///{folder / 'downloads.db'}"
    engine = store.connect(url)
    store.migrate(engine)
    with store.transaction(engine) as session:
        programme.load(session)
    engine.dispose()
    runner = CliRunner()
    for args in (
        ["demo", "--plans", "400"],
        ["funding", "import", str(SCHEMES_DIR / "example_applications.csv")],
        ["funding", "allocate", "--scheme", "woningbouwimpuls_t4", "--record",
         "--instrument", "WBI-T4", "--date", "2025-02-01"],
    ):  # fmt: skip
        result = runner.invoke(cli_app, ["--db", url, *args])
        assert result.exit_code == 0, result.stderr
    app = create_app(url, public_read=True, dashboard=False)
    with TestClient(app) as c:
        yield c
    app.state.opgave.service.engine.dispose()


def every_row(client: TestClient, path: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The listing's JSON rows (all pages) and their fields in order."""
    sep = "&" if "?" in path else "?"
    answer = client.get(f"{path}{sep}limit=1000")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = body["items"] if isinstance(body, dict) else body
    assert isinstance(body, list) or body["total"] == len(rows)
    return rows, list(rows[0])


def as_cell(value: Any) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def number(value: Any) -> Any:
    """12.0 as 12 (a spreadsheet keeps no difference)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_csv(content: bytes) -> tuple[dict[str, list[str]], list[str], list[list[str]]]:
    """(description lines by key, header, rows) of a downloaded CSV."""
    text = content.decode("utf-8")
    assert text.startswith("\ufeff# opgave,")  # a BOM for spreadsheets, then what it is
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    about: dict[str, list[str]] = {}
    while lines[0][0].startswith("#"):
        key, value = lines.pop(0)
        about.setdefault(key.removeprefix("# "), []).append(value)
    return about, lines[0], lines[1:]


@pytest.mark.parametrize(("path", "name", "synthetic", "source"), LISTINGS)
def test_csv_holds_the_rows_of_the_json_with_sources_and_label(
    client: TestClient, path: str, name: str, synthetic: bool, source: str | None
) -> None:
    rows, fields = every_row(client, path)
    sep = "&" if "?" in path else "?"
    answer = client.get(f"{path}{sep}format=csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    filename = answer.headers["content-disposition"]
    assert f'filename="opgave-{name}-' in filename and filename.endswith('.csv"')
    assert ("-SYNTHETIC.csv" in filename) is synthetic
    about, header, data = read_csv(answer.content)
    assert header == fields
    assert data == [[as_cell(r[f]) for f in fields] for r in rows]
    assert f"{name}: {len(rows):,} rows of GET {path}" in about["opgave"][0]
    assert ("SYNTHETIC" in about) is synthetic
    if synthetic:
        assert about["SYNTHETIC"][0].startswith("SYNTHETIC / SYNTHETISCH: these rows rest on")
    if source is not None:
        assert any(line.startswith(f"{source}: ") for line in about["source"])
    assert about["source"]  # every file names where its rows come from
    # the documented way to read it skips the description
    frame = pd.read_csv(io.BytesIO(answer.content), comment="#", keep_default_na=False)
    assert list(frame.columns) == fields and len(frame) == len(rows)


@pytest.mark.parametrize(("path", "name", "synthetic", "source"), LISTINGS)
def test_xlsx_holds_the_rows_under_a_label_with_a_source_sheet(
    client: TestClient, path: str, name: str, synthetic: bool, source: str | None
) -> None:
    rows, fields = every_row(client, path)
    sep = "&" if "?" in path else "?"
    answer = client.get(f"{path}{sep}format=xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert ("-SYNTHETIC.xlsx" in answer.headers["content-disposition"]) is synthetic
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [name, "source"]
    sheet = book[name]
    label = str(sheet["A1"].value)
    assert (label.startswith("SYNTHETIC / SYNTHETISCH")) is synthetic
    assert f"{name}: {len(rows):,} rows of GET {path}" in label
    table = list(sheet.iter_rows(min_row=2, values_only=True))
    assert list(table[0]) == fields
    assert len(table) - 1 == len(rows)
    for row, record in zip(table[1:], rows, strict=True):
        assert [as_cell(number(v)) for v in row] == [as_cell(number(record[f])) for f in fields]
    frame = pd.read_excel(io.BytesIO(answer.content), header=1)
    assert list(frame.columns) == fields and len(frame) == len(rows)
    about = {r[0]: r[1] for r in book["source"].iter_rows(values_only=True) if r[0]}
    assert ("SYNTHETIC" in about) is synthetic
    cited = [r[0] for r in book["source"].iter_rows(min_row=1, values_only=True)]
    if source is not None:
        assert source in cited


def test_a_bad_format_is_a_400_in_words(client: TestClient) -> None:
    for path in (
        "/api/v1/plans?format=pdf",
        "/api/v1/meetings?format=json",
        "/api/v1/audit?format=CSV",
        "/api/v1/awards?format=",
    ):
        answer = client.get(path)
        assert answer.status_code == 400, path
        body = answer.json()
        assert body["detail"].startswith("format must be csv or xlsx (leave it out for JSON), got")
        assert [p["field"] for p in body["problems"]] == ["format"]


def test_a_download_holds_every_row_unless_a_limit_is_given(client: TestClient) -> None:
    total = client.get("/api/v1/plans?limit=1").json()["total"]
    assert total > 100  # more than one JSON page (default 50)
    _, _, data = read_csv(client.get("/api/v1/plans?format=csv").content)
    assert len(data) == total
    _, _, page = read_csv(client.get("/api/v1/plans?format=csv&limit=5&offset=10").content)
    json_page = client.get("/api/v1/plans?limit=5&offset=10").json()["items"]
    assert [r[0] for r in page] == [p["id"] for p in json_page]


def test_the_openapi_documents_the_format_and_the_file_answers(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/plans", "/api/v1/areas", "/api/v1/audit", "/api/v1/awards"):
        get = spec["paths"][path]["get"]
        [param] = [p for p in get["parameters"] if p["name"] == "format"]
        assert "'enum': ['csv', 'xlsx']" in str(param)
        content = get["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content)


# ---- the writer itself ---------------------------------------------------------------------

ABOUT = About(
    name="plans",
    request="/api/v1/plans",
    generated=dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC),
    rows=2,
    sources=(
        {
            "id": "kst-34682-90",
            "citation": "Kamerstuk 34 682, nr. 90",
            "title": "Brief",
            "confidence": "official",
            "url": "https://zoek.officielebekendmakingen.nl/kst-34682-90",
        },
    ),
    synthetic_sources=(),
    synthetic=False,
)
ROWS = [
    {"id": "P1", "name": 'Plan #3, "west"', "homes": 12, "area_ids": ["A", "B"], "ok": True},
    {"id": "P2", "name": "", "homes": 2.5, "area_ids": [], "ok": None},
]


def test_csv_text_with_hashes_commas_and_quotes_reads_back() -> None:
    content = write_csv(ABOUT, ["id", "name", "homes", "area_ids", "ok"], ROWS)
    about, _, data = read_csv(content)
    assert about["source"] == [
        "kst-34682-90: Kamerstuk 34 682, nr. 90 (official), "
        "https://zoek.officielebekendmakingen.nl/kst-34682-90"
    ]
    assert "SYNTHETIC" not in about
    assert data == [["P1", 'Plan #3, "west"', "12", "A; B", "true"], ["P2", "", "2.5", "", ""]]
    frame = pd.read_csv(io.BytesIO(content), comment="#")
    assert frame["name"][0] == 'Plan #3, "west"' and frame["homes"].tolist() == [12, 2.5]


def test_the_label_cell_is_red_where_data_is_synthetic() -> None:
    synthetic = About(
        **{**ABOUT.__dict__, "synthetic": True, "synthetic_sources": ("synthetic-demo",)}
    )
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(synthetic, ["id"], ROWS)))
    cell = book["plans"]["A1"]
    assert str(cell.value).startswith("SYNTHETIC / SYNTHETISCH") and "synthetic-demo" in cell.value
    assert cell.font.bold and cell.fill.fgColor.rgb.endswith("FFC7CE")
    plain = openpyxl.load_workbook(io.BytesIO(write_xlsx(ABOUT, ["id"], ROWS)))
    assert "SYNTHETIC" not in str(plain["plans"]["A1"].value)


def test_check_format() -> None:
    assert check_format(None) is None and check_format("xlsx") == "xlsx"
    with pytest.raises(ServiceError) as refused:
        check_format("parquet")
    assert refused.value.status == 400 and "got 'parquet'" in refused.value.detail


def test_results_download_as_their_tables(client: TestClient) -> None:
    """The overview, an area's status and the map answer as files with their table: the same
    figures as the JSON (the service's), labelled SYNTHETIC where synthetic plans count."""
    overview = client.get("/api/v1/overview").json()
    about, header, data = read_csv(client.get("/api/v1/overview?format=csv").content)
    assert [r[header.index("area_id")] for r in data] == ["NL01"] + [
        r["area"]["id"] for r in overview["regions"]
    ]
    national = dict(zip(header, data[0], strict=True))
    progress, capacity = overview["headline"]["progress"], overview["headline"]["capacity"]
    assert national["realised"] == as_cell(progress["realised"])
    assert national["capacity_ratio"] == as_cell(capacity["ratio_all"])
    assert national["realised_years"] == as_cell(progress["realised_years"])
    assert "SYNTHETIC" in about  # the demo's plans make up the capacity
    assert any(line.startswith("synthetic-demo: ") for line in about["source"])

    status = client.get("/api/v1/status/VS-MRA").json()
    answer = client.get("/api/v1/status/VS-MRA?format=xlsx")
    assert 'filename="opgave-status-VS-MRA-' in answer.headers["content-disposition"]
    frame = pd.read_excel(io.BytesIO(answer.content), header=1)
    assert frame["target_id"].tolist() == [t["target"]["id"] for t in status["targets"]]

    values = client.get("/api/v1/map?measure=capacity").json()
    about, header, data = read_csv(client.get("/api/v1/map?measure=capacity&format=csv").content)
    assert header == list(values["areas"][0])
    assert [r[0] for r in data] == [a["area_id"] for a in values["areas"]]
    assert values["synthetic"] and "SYNTHETIC" in about
    assert client.get("/api/v1/overview?format=ods").status_code == 400


def test_text_that_looks_like_a_formula_stays_text() -> None:
    rows = [{"id": "P1", "name": '=HYPERLINK("http://x","klik")'}, {"id": "P2", "name": "@SUM(A1)"}]
    _, _, data = read_csv(write_csv(ABOUT, ["id", "name"], rows))
    assert [r[1] for r in data] == ['\'=HYPERLINK("http://x","klik")', "'@SUM(A1)"]
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(ABOUT, ["id", "name"], rows)))["plans"]
    assert sheet["B3"].value == '=HYPERLINK("http://x","klik")' and sheet["B3"].data_type == "s"
