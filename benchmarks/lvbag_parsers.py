"""Benchmark: which parser reads the LV BAG XML - lxml's iterparse or GDAL's LVBAG driver.

    .venv/bin/python benchmarks/lvbag_parsers.py --vbo 200000

Writes (once, under --dir) a SYNTHETIC extract, takes its VBO, PND and NUM documents and
measures the CPU time (best of --repeat, one process, no pool) of:

- bare: lxml iterparse over every `sl:stand`, clearing it, keeping nothing (the floor);
- lxml: the best Python extraction we found - iterparse per `sl:stand`, one pass over each
  object's children, the fields the ingest needs appended to column lists;
- gdal: GDAL's LVBAG driver (pyogrio, Arrow batches) with the same fields and the VBO point;
- gdal_nopoint: the same without the VBO geometry (what the ingest reads without polygons).

The ingest uses GDAL: it is the cheaper way to get the fields (docs/bag.md).
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

O = "{www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601}"  # noqa: E741
H = "{www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601}"
R = "{www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601}"
G = "{http://www.opengis.net/gml/3.2}"
STAND = "{http://www.kadaster.nl/schemas/standlevering-generiek/1.0}stand"


def bare(path: str) -> int:
    n = 0
    for _, stand in etree.iterparse(path, events=("end",), tag=STAND):
        n += 1
        stand.clear()
        parent = stand.getparent()
        while stand.getprevious() is not None:
            del parent[0]
    return n


def lxml_extract(path: str) -> int:
    """All the fields the ingest takes, for any object type, in one pass over the children."""
    wanted = {
        O + "identificatie": "id",
        O + "status": "status",
        O + "gebruiksdoel": "doel",
        O + "oorspronkelijkBouwjaar": "bouwjaar",
    }
    refs = {
        O + "heeftAlsHoofdadres": "num",
        O + "maaktDeelUitVan": "pand",
        O + "ligtAan": "opr",
        O + "ligtIn": "wpl",
    }
    columns: dict[str, list[str | None]] = {}
    n = 0
    for _, stand in etree.iterparse(path, events=("end",), tag=STAND):
        obj = stand[0][0]
        row: dict[str, str | None] = {}
        for child in obj:
            tag = child.tag
            if tag in wanted:
                key = wanted[tag]
                row[key] = child.text if key not in row else f"{row[key]};{child.text}"
            elif tag in refs:
                row.setdefault(refs[tag], child[0].text)
            elif tag == O + "voorkomen":
                for d in child[0]:
                    if d.tag == H + "beginGeldigheid":
                        row["begin"] = d.text
                    elif d.tag == H + "eindGeldigheid":
                        row["eind"] = d.text
            elif tag == O + "geometrie" and obj.tag == O + "Verblijfsobject":
                for pos in child.iter(G + "pos"):
                    row["pos"] = pos.text
                    break
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
        n += 1
        stand.clear()
        parent = stand.getparent()
        while stand.getprevious() is not None:
            del parent[0]
    return n


def gdal(kind: str, points: bool) -> Callable[[str], int]:
    def run(path: str) -> int:
        import pyogrio.raw

        from opgave.ingest.lvbag import _FIELDS

        n = 0
        with pyogrio.raw.open_arrow(
            path,
            columns=_FIELDS[kind],
            read_geometry=points and kind == "VBO",
            batch_size=65_536,
            use_pyarrow=True,
            LEGACY_ID="YES",
        ) as (_, reader):
            for batch in reader:
                n += batch.num_rows
        return n

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vbo", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/opgave-bench/lvbag-parsers"))
    args = parser.parse_args()

    from opgave.ingest import lvbag
    from opgave.synthetic_lvbag import write_synthetic_extract

    args.dir.mkdir(parents=True, exist_ok=True)
    extract = args.dir / f"lvbag-synthetic-{args.vbo}.zip"
    if not extract.exists():
        write_synthetic_extract(extract, args.vbo, 1, voorkomens_per_file=args.vbo)
    found = lvbag.discover(extract, args.dir / "work")
    documents = {}
    for kind in ("VBO", "PND", "NUM"):
        member = found.of(kind)[0]
        target = args.dir / f"{kind}.xml"
        with lvbag.open_member(member.chain) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        documents[kind] = str(target)
    print(f"{'document':<10}{'method':<14}{'objects':>10}{'CPU s':>8}{'x bare':>8}")
    for kind, path in documents.items():
        methods: dict[str, Callable[[str], int]] = {
            "bare": bare,
            "lxml": lxml_extract,
            "gdal": gdal(kind, True),
            "gdal_nopoint": gdal(kind, False),
        }
        best: dict[str, float] = {}
        counts: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, func in methods.items():
                start = time.process_time()
                counts[name] = func(path)
                best[name] = min(best.get(name, 1e9), time.process_time() - start)
        for name in methods:
            print(
                f"{kind:<10}{name:<14}{counts[name]:>10,}{best[name]:>8.2f}"
                f"{best[name] / best['bare']:>8.2f}"
            )


if __name__ == "__main__":
    main()
