"""Readers for the tables offices keep: CSV, Excel and GIS files -> one plain table.

Inputs: a file path (CSV/TXT, XLSX/XLSM, GeoPackage, Shapefile - also zipped - or GeoJSON)
and optional choices (sheet, layer, encoding, delimiter, decimal separator).
Outputs: a :class:`SourceTable`: the header, one list of cell values per column, the row
number of every record as the user sees it (the header is row 1 of a CSV; Excel rows are
the sheet's own; GIS features count from 1), the geometries of a GIS file in RD New
(EPSG:28992), and notes on what was detected.
Derives: the encoding of a CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252,
else Latin-1), its delimiter (; , tab |), its decimal separator (a ";" file is Dutch: decimal
comma), and the coordinate system of a GIS file without one. Every failure is a
:class:`ReadError` naming the file (and row and column where there is one), never a
traceback: corrupt zips, binary files, XML bombs, empty and header-only files included.
Memory is bounded: CSVs are parsed by Arrow, workbooks streamed row by row whatever a
sheet's declared dimension says, with caps on rows, columns and unpacked size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from opgave.ingest.values import Decimal
from opgave.problem import Problem

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
GIS_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".zip")
SUFFIXES = CSV_SUFFIXES + EXCEL_SUFFIXES + GIS_SUFFIXES
"""Every file kind a plan register may come in."""
MAX_COLUMNS = 500
"""A table with more columns is refused (no register has that many; a bomb might)."""
MAX_ROWS = 1_048_576
"""Excel's own row limit; more records are refused."""
MAX_UNPACKED_BYTES = 1 << 30
"""A workbook whose parts unpack to more than this (1 GiB) is refused (zip bomb)."""
SAMPLE_BYTES = 1 << 16
DELIMITERS = (";", ",", "\t", "|")
RD_NEW = "EPSG:28992"


def _undecodable(byte: bytes) -> bool:
    """Whether Windows-1252 has no character for the byte (five of the 256)."""
    try:
        byte.decode("cp1252")
    except UnicodeDecodeError:
        return True
    return False


_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CP1252_UNDEFINED = tuple(bytes([b]) for b in range(256) if _undecodable(bytes([b])))


class ReadError(ValueError):
    """The file cannot be read as a table; nothing was written. ``problems`` names each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:100])
        more = f"\n  ... and {len(problems) - 100} more" if len(problems) > 100 else ""
        super().__init__(
            f"{len(problems)} problem(s) reading the file, nothing written:\n{shown}{more}"
        )


@dataclass
class SourceTable:
    """A file read as a table: header, column values, row numbers, geometries in RD New."""

    name: str
    kind: str
    header: list[str]
    columns: dict[str, list[Any]]
    row_numbers: list[int]
    geometry: np.ndarray[Any, np.dtype[np.object_]] | None = None
    decimal: Decimal = ","
    notes: list[str] = field(default_factory=list)
    encoded: dict[str, tuple[list[Any], np.ndarray[Any, Any]]] = field(default_factory=dict)
    """Columns as their distinct values and each row's index into them (filled by the
    Arrow-based readers, else worked out on first use by :meth:`encoding`)."""
    tidy: set[str] = field(default_factory=set)
    """Text columns whose every cell starts and ends with a letter or digit: nothing to
    strip, none empty, none a spreadsheet would run as a formula (checked by the reader
    where it is cheap: in Arrow, for large columns of distinct values)."""
    wkb: list[bytes | None] | None = None
    """The geometries as the file's WKB, when they are exactly what it holds (RD New, no
    repair): kept as they are instead of written again."""

    def __len__(self) -> int:
        return len(self.row_numbers)

    def column(self, name: str) -> list[Any]:
        """The values of a column (every row), or empty cells when the file has no such one."""
        return self.columns.get(name) or [None] * len(self)

    def encoding(self, name: str) -> tuple[list[Any], np.ndarray[Any, Any]]:
        """A column as (distinct values, index of each row's value among them): a mapper
        works each distinct cell out once and spreads the results with one ``take``.
        Cells of other types are distinct (1, 1.0 and True are three values)."""
        found = self.encoded.get(name)
        if found is not None:
            return found
        values = self.columns.get(name)
        if values is None:
            return [None], np.zeros(len(self), dtype=np.int64)
        index: dict[Any, int] = {}
        try:
            codes = [index.setdefault((type(v), v), len(index)) for v in values]
        except TypeError:  # an unhashable cell (a list attribute of a GIS file)
            return list(values), np.arange(len(values))
        found = [key[1] for key in index], np.array(codes, dtype=np.int64)
        self.encoded[name] = found
        return found


ENCODE_SAMPLE = 10_000
"""Rows sampled to decide whether a column repeats its values enough to encode it."""


def take(values: list[Any], codes: np.ndarray[Any, Any]) -> list[Any]:
    """``[values[c] for c in codes]`` in one vectorised step (the same objects, shared);
    ``values`` itself when the codes are 0, 1, 2 ... (a column of distinct values)."""
    if len(values) == len(codes) and bool((codes == np.arange(len(codes))).all()):
        return values
    objects = np.fromiter(values, dtype=object, count=len(values))
    return cast(list[Any], objects[codes].tolist())


def _integers(indices: Any) -> np.ndarray[Any, Any]:
    """An Arrow integer array without nulls as numpy, zero-copy. Not ``to_numpy()``: any
    Arrow -> numpy conversion imports pandas when it is installed (~0.25 s of CPU)."""
    dtype = np.dtype(f"int{indices.type.bit_width}")
    return np.frombuffer(
        indices.buffers()[1],
        dtype=dtype,
        count=len(indices),
        offset=indices.offset * dtype.itemsize,
    )


def encode_arrow(column: Any, *, strip: bool = False) -> tuple[list[Any], np.ndarray[Any, Any]]:
    """An Arrow column as (distinct values, index of each row's value), nulls as None;
    with ``strip`` text values are stripped as ``str.strip`` does. A column whose sample
    is mostly distinct (identifiers, names) is not hashed: its values, codes 0, 1, 2 ..."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    sample = column.slice(0, ENCODE_SAMPLE)
    uniques: list[Any]
    if len(column) > 2 * ENCODE_SAMPLE and pc.count_distinct(sample).as_py() > len(sample) // 2:
        uniques, codes = column.to_pylist(), np.arange(len(column))
    else:
        encoded = pc.dictionary_encode(column, null_encoding="encode")
        uniques = encoded.dictionary.to_pylist()
        codes = _integers(encoded.indices)
    if strip:
        uniques = [v.strip() if type(v) is str else v for v in uniques]
    return uniques, codes


def _fail(name: str, message: str, row: int | None = None, column: str | None = None) -> ReadError:
    return ReadError([Problem(name, row, column, message)])


def read_source(
    path: Path,
    *,
    name: str | None = None,
    sheet: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: Decimal | None = None,
    header_row: int | None = None,
) -> SourceTable:
    """Read any supported file into a :class:`SourceTable`; raise :class:`ReadError`.

    ``name`` is the file name used in messages (default: the path's name). The optional
    choices override what is detected (a mapping profile passes them)."""
    shown = name or path.name
    suffix = Path(shown).suffix.lower() or path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as error:
        raise _fail(shown, f"cannot open the file: {error.strerror or error}") from None
    if size == 0:
        raise _fail(shown, "the file is empty")
    if suffix in CSV_SUFFIXES:
        table = read_csv(path, shown, encoding=encoding, delimiter=delimiter, decimal=decimal)
    elif suffix in EXCEL_SUFFIXES:
        table = read_excel(path, shown, sheet=sheet, decimal=decimal or ",", header_row=header_row)
    elif suffix in GIS_SUFFIXES:
        from opgave.ingest import gis

        table = gis.read_gis(path, shown, layer=layer, encoding=encoding)
    else:
        raise _fail(
            shown,
            f"expected a file ending in {', '.join(SUFFIXES)}; got {suffix or 'no suffix'!r}",
        )
    return _drop_empty(table)


def _drop_empty(table: SourceTable) -> SourceTable:
    """Without rows whose every cell is empty; refuse a table left without any."""
    if not table.header:
        raise _fail(table.name, "the file is empty")
    uniques, codes = table.encoding(table.header[0])
    try:  # text cells: one C-level pass finds whether any is blank
        some_blank = not all(map(str.strip, uniques))
    except TypeError:
        some_blank = True
    blank = (
        [j for j, v in enumerate(uniques) if not v or (type(v) is str and not v.strip())]
        if some_blank
        else []
    )
    suspects = np.flatnonzero(np.isin(codes, blank)).tolist() if blank else []
    empty = {
        i
        for i in suspects
        if not any(_filled(values[i]) for values in table.columns.values())
        and (table.geometry is None or table.geometry[i] is None)
    }
    keep = [i for i in range(len(table)) if i not in empty] if empty else list(range(len(table)))
    if not keep:
        raise _fail(table.name, "the file has a header but no rows", 1)
    if len(keep) < len(table):
        table.columns = {c: [v[i] for i in keep] for c, v in table.columns.items()}
        table.encoded = {c: (u, k[keep]) for c, (u, k) in table.encoded.items()}
        table.row_numbers = [table.row_numbers[i] for i in keep]
        if table.geometry is not None:
            table.geometry = table.geometry[keep]
    return table


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    return not (isinstance(value, float) and value != value)


def _check_header(name: str, header: Sequence[Any]) -> list[str]:
    """Header cells as unique, stripped text; refuse empty, too wide or duplicated headers."""
    cells = [("" if h is None else str(h)).strip().lstrip("\ufeff") for h in header]
    while cells and cells[-1] == "":
        cells.pop()
    if not cells:
        raise _fail(name, "the first row is empty; expected a header with column names", 1)
    if len(cells) > MAX_COLUMNS:
        raise _fail(name, f"{len(cells)} columns; at most {MAX_COLUMNS} are read", 1)
    problems, seen = [], set()
    for number, cell in enumerate(cells, start=1):
        if cell == "":
            cells[number - 1] = f"column_{number}"
        elif cell.lower() in seen:
            problems.append(Problem(name, 1, cell, "the column name appears twice in the header"))
        seen.add(cell.lower())
    if problems:
        raise ReadError(problems)
    return cells


# --- CSV ---------------------------------------------------------------------------------


def detect_encoding(path: Path, name: str) -> str:
    """The encoding of a text file: a BOM's; UTF-8 when every byte decodes as UTF-8; else
    Windows-1252 (Dutch Excel's "CSV (gescheiden door lijstscheidingsteken)"), else Latin-1.
    Refuses binary files (NUL bytes without a UTF-16 BOM) and zips named .csv."""
    with path.open("rb") as f:
        head = f.read(SAMPLE_BYTES)
    if head.startswith(_UTF8_BOM):
        return "utf-8-sig"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if head.startswith(b"PK\x03\x04"):
        raise _fail(name, "this is a zip file (an Excel workbook?), not CSV text; name it .xlsx")
    if b"\x00" in head:
        raise _fail(name, "this is a binary file, not CSV text")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    with path.open("rb") as f:  # cp1252 decodes every byte but these five: find them
        for block in iter(lambda: f.read(1 << 20), b""):
            if any(byte in block for byte in _CP1252_UNDEFINED):
                return "latin-1"
    return "cp1252"


def detect_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: the candidate occurring (outside quotes) in the header
    and the same number of times on the most following lines; "," when none occurs."""
    lines = [line for line in sample.splitlines()[:21] if line.strip()]
    if len(lines) > 1 and len(sample) >= SAMPLE_BYTES - 4:
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines]
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        counts = [line.count(candidate) for line in unquoted]
        if not counts or counts[0] == 0:
            continue
        score = (sum(c == counts[0] for c in counts[1:]), counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def _scan_records(
    path: Path, encoding: str, delimiter: str, width: int
) -> tuple[dict[int, str], list[Problem]]:
    """Exact record numbers of blank and ragged records (header = 1), by a plain CSV pass;
    used only when a file has such records and Arrow could not number them."""
    skipped: dict[int, str] = {}
    problems: list[Problem] = []
    with path.open(encoding=encoding, newline="") as f:
        for number, record in enumerate(csv.reader(f, delimiter=delimiter), start=1):
            if number == 1:
                continue
            if not any(c.strip() for c in record):
                if len(record) != width:
                    skipped[number] = ""
            elif len(record) != width:
                skipped[number] = "bad"
                if len(problems) < 100:
                    problems.append(
                        Problem(
                            path.name, number, None, f"expected {width} cells, got {len(record)}"
                        )
                    )
    return skipped, problems


def read_csv(
    path: Path,
    name: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: Decimal | None = None,
) -> SourceTable:
    """A CSV file as a table of text cells (parsed by Arrow, in bounded memory)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    notes = []
    if encoding is None:
        encoding = detect_encoding(path, name)
        notes.append(f"encoding {encoding} (detected)")
    with path.open("rb") as f:
        raw_head = f.read(SAMPLE_BYTES)
    try:
        sample = raw_head.decode(encoding, errors="ignore")
    except LookupError:
        raise _fail(name, f"unknown encoding {encoding!r}") from None
    sample = sample.lstrip("\ufeff")
    if not sample.strip():
        raise _fail(name, "the file is empty")
    if delimiter is None:
        delimiter = detect_delimiter(sample)
        notes.append(f"delimiter {delimiter!r} (detected)")
    if decimal is None:
        decimal = "." if delimiter == "," else ","
        notes.append(f"decimal separator {decimal!r} ({'English' if decimal == '.' else 'Dutch'})")
    try:
        first = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise _fail(name, "the first row cannot be read as a CSV header", 1) from None
    header = _check_header(name, first)
    width = len(first)
    names = [*header, *(f"_extra_{i}" for i in range(width - len(header)))]
    skipped: dict[int, str] = {}
    problems: list[Problem] = []

    def invalid(row: Any) -> str:
        number = row.number + 1 if row.number is not None else None
        if row.text.strip(delimiter + " \r\n\t") == "":
            skipped[number or -len(skipped) - 1] = ""
        else:
            skipped[number or -len(skipped) - 1] = "bad"
            if len(problems) < 100:
                problems.append(
                    Problem(
                        name,
                        number,
                        None,
                        f"expected {row.expected_columns} cells, got {row.actual_columns}",
                    )
                )
        return "skip"

    codec = "utf8" if encoding in ("utf-8", "utf-8-sig", "utf8") else encoding
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding=codec, column_names=names, skip_rows=1, use_threads=True
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as error:
        raise _fail(name, f"cannot be read as CSV ({delimiter!r}-separated): {error}") from None
    if any(n < 0 for n in skipped):  # Arrow could not number them (parallel blocks)
        skipped, problems = _scan_records(path, encoding, delimiter, width)
        problems = [Problem(name, p.row, p.field, p.message) for p in problems]
    if problems:
        raise ReadError(problems)
    if table.num_rows > MAX_ROWS:
        raise _fail(name, f"{table.num_rows} rows; at most {MAX_ROWS} are read")
    count = table.num_rows
    for extra in names[len(header) :]:
        for i, value in enumerate(table.column(extra).to_pylist()):
            if value and value.strip():
                raise _fail(name, f"a value {value!r} beyond the last named column", i + 2)
    columns: dict[str, list[Any]] = {}
    encoded: dict[str, tuple[list[Any], np.ndarray[Any, Any]]] = {}
    tidy: set[str] = set()
    for h in header:  # column by column, releasing Arrow's copy as we go (bounded peak)
        # each distinct cell one Python string, shared by the rows holding it
        encoded[h] = encode_arrow(table.column(h))
        columns[h] = take(*encoded[h])
        if len(encoded[h][0]) > 2 * ENCODE_SAMPLE and _tidy(table.column(h)):
            tidy.add(h)
        table = table.drop_columns([h])
    del table
    return SourceTable(
        name=name,
        kind="csv",
        header=header,
        columns=columns,
        row_numbers=_record_numbers(count, skipped),
        decimal=decimal,
        notes=notes,
        encoded=encoded,
        tidy=tidy,
    )


def _tidy(column: Any) -> bool:
    """Whether every cell of an Arrow text column starts and ends with a letter or digit
    (Unicode: never whitespace, never a formula's first character) - then a mapper need
    not strip or check its cells one by one."""
    import pyarrow.compute as pc

    if column.null_count:
        return False
    first = pc.utf8_is_alnum(pc.utf8_slice_codeunits(column, 0, 1))
    last = pc.utf8_is_alnum(pc.utf8_slice_codeunits(column, -1))
    return bool(pc.all(pc.and_(first, last)).as_py())


def _record_numbers(count: int, skipped: dict[int, str]) -> list[int]:
    """The row number (header = 1) of each of ``count`` records read, given the numbers
    of the records that were skipped (blank lines)."""
    gaps = sorted(n for n in skipped if n > 0)
    if not gaps:
        return list(range(2, count + 2))
    numbers: list[int] = []
    current, g = 2, 0
    while len(numbers) < count:
        while g < len(gaps) and gaps[g] == current:
            current += 1
            g += 1
        numbers.append(current)
        current += 1
    return numbers


# --- Excel -------------------------------------------------------------------------------


def _check_zip(path: Path, name: str) -> None:
    """Refuse corrupt zips and zips that unpack to more than :data:`MAX_UNPACKED_BYTES`."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as error:
        raise _fail(name, f"not a valid Excel workbook (.xlsx is a zip file: {error})") from None
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise _fail(name, f"the workbook unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB")
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise _fail(name, "not an Excel workbook (the zip holds no xl/workbook.xml)")


def excel_rows(
    path: Path, name: str, *, sheet: str | None = None
) -> Iterable[tuple[int, tuple[Any, ...]]]:
    """(sheet row number, cell values) of each row of a sheet, streamed: the values of
    formula cells as last computed, no more than :data:`MAX_COLUMNS` cells a row, and the
    sheet's declared dimension ignored (a sheet may claim A1:XFD1048576)."""
    _check_zip(path, name)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for malformed parts
        raise _fail(name, f"not a readable Excel workbook: {_describe(error)}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise _fail(name, f"no sheet {sheet!r}; the sheets are {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        number = 0
        try:
            for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise _fail(name, f"more than {MAX_ROWS} rows")
                yield number, tuple(cells[: MAX_COLUMNS + 1])
        except ReadError:
            raise
        except Exception as error:  # malformed sheet XML, entity bombs (defusedxml), ...
            raise _fail(
                name, f"sheet {ws.title!r} cannot be read: {_describe(error)}", number + 1 or None
            ) from None
    finally:
        book.close()


def _describe(error: Exception) -> str:
    cause: BaseException | None = error
    while cause is not None:  # openpyxl wraps the XML parser's error
        if cause.__class__.__name__ in ("EntitiesForbidden", "DTDForbidden"):
            return "the XML declares entities or a DTD (an entity bomb?), which are refused"
        cause = cause.__cause__ or cause.__context__
    text = str(error).strip() or error.__class__.__name__
    if error.__class__.__name__ in (
        "EntitiesForbidden",
        "DTDForbidden",
        "ExternalReferenceForbidden",
    ):
        return f"the XML declares entities or a DTD, which are refused ({text})"
    return f"{error.__class__.__name__}: {text}"[:300]


def read_excel(
    path: Path,
    name: str,
    *,
    sheet: str | None = None,
    decimal: Decimal = ",",
    header_row: int | None = None,
) -> SourceTable:
    """A sheet as a table: the header is row ``header_row`` (default: the first non-empty
    row); cells keep their types (numbers, dates, text); a formula cell holds the value
    Excel last computed."""
    rows = iter(excel_rows(path, name, sheet=sheet))
    header_number, header_cells = 0, cast(tuple[Any, ...], ())
    for header_number, header_cells in rows:
        if header_row is not None and header_number < header_row:
            continue
        if header_row is not None or any(_filled(c) for c in header_cells):
            break
    else:
        raise _fail(name, "the sheet is empty")
    header = _check_header(name, header_cells)
    width = len(header)
    columns: list[list[Any]] = [[] for _ in header]
    numbers: list[int] = []
    for number, cells in rows:
        if not cells:
            continue
        if len(cells) > width and any(_filled(c) for c in cells[width:]):
            extra = next(i for i in range(width, len(cells)) if _filled(cells[i]))
            raise _fail(name, f"a value {cells[extra]!r} beyond the last named column", number)
        numbers.append(number)
        for i in range(width):
            value = cells[i] if i < len(cells) else None
            columns[i].append(value.strip() if isinstance(value, str) else value)
    notes = [f"sheet rows {header_number + 1}-{numbers[-1] if numbers else header_number}"]
    return SourceTable(
        name=name,
        kind="xlsx",
        header=header,
        columns=dict(zip(header, columns, strict=True)),
        row_numbers=numbers,
        decimal=decimal,
        notes=notes,
    )
