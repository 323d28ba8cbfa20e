"""Synthetic BAG extract in the canonical format of `opgave.ingest.bag` (SYNTHETIC data).

Seeded and reproducible; used by tests of scale, by `benchmarks/bag_ingest.py` and by
`opgave demo`. Every file it writes carries the Parquet key-value metadata `synthetic=true`
and must have "synthetic" in its file name, so it can never pass for a real extract.

The generator is vectorised with numpy and pyarrow compute and writes in chunks, so ten
million rows never exist as ten million Python objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from opgave.ingest.bag import (
    PAND_BOUW_GESTART,
    VBO_GEVORMD,
    VBO_IN_GEBRUIK,
    VBO_IN_GEBRUIK_NIET_INGEMETEN,
)

__all__ = ["SYNTHETIC_METADATA", "write_synthetic_bag"]

SYNTHETIC_METADATA: dict[bytes, bytes] = {
    b"synthetic": b"true",
    b"generator": b"opgave.synthetic_bag",
    b"description": b"SYNTHETIC BAG extract, not real data",
}

_VBO_NIET_GEREALISEERD = "Niet gerealiseerd verblijfsobject"
_VBO_VERBOUWING = "Verbouwing verblijfsobject"
_PAND_VERGUNNING = "Bouwvergunning verleend"
_PAND_NIET_GEREALISEERD = "Niet gerealiseerd pand"
_PAND_NIET_INGEMETEN = "Pand in gebruik (niet ingemeten)"
_PAND_IN_GEBRUIK = "Pand in gebruik"


@dataclass(frozen=True)
class _Template:
    """One kind of life cycle, shared by all VBOs of a pand: VBO statuses and pand statuses.

    Pand steps point at the VBO step whose date they take (`-1`: half-way between the
    first two VBO steps, i.e. the start of building).
    """

    weight: float
    vbo: tuple[str, ...]
    pand: tuple[tuple[str, int], ...]


_TEMPLATES: tuple[_Template, ...] = (
    # Still being built: permitted, building started.
    _Template(0.08, (VBO_GEVORMD,), ((_PAND_VERGUNNING, 0), (PAND_BOUW_GESTART, -1))),
    # Reported complete, not yet measured.
    _Template(
        0.10,
        (VBO_GEVORMD, VBO_IN_GEBRUIK_NIET_INGEMETEN),
        ((_PAND_VERGUNNING, 0), (PAND_BOUW_GESTART, -1), (_PAND_NIET_INGEMETEN, 1)),
    ),
    # The usual path: gevormd -> in gebruik (niet ingemeten) -> in gebruik.
    _Template(
        0.45,
        (VBO_GEVORMD, VBO_IN_GEBRUIK_NIET_INGEMETEN, VBO_IN_GEBRUIK),
        (
            (_PAND_VERGUNNING, 0),
            (PAND_BOUW_GESTART, -1),
            (_PAND_NIET_INGEMETEN, 1),
            (_PAND_IN_GEBRUIK, 2),
        ),
    ),
    # Measured straight away.
    _Template(
        0.14,
        (VBO_GEVORMD, VBO_IN_GEBRUIK),
        ((_PAND_VERGUNNING, 0), (PAND_BOUW_GESTART, -1), (_PAND_IN_GEBRUIK, 1)),
    ),
    # Repeated statuses (corrections, new voorkomens for other attribute changes).
    _Template(
        0.05,
        (VBO_GEVORMD, VBO_GEVORMD, VBO_IN_GEBRUIK_NIET_INGEMETEN, VBO_IN_GEBRUIK),
        (
            (_PAND_VERGUNNING, 0),
            (PAND_BOUW_GESTART, -1),
            (PAND_BOUW_GESTART, 1),
            (_PAND_NIET_INGEMETEN, 2),
            (_PAND_IN_GEBRUIK, 3),
        ),
    ),
    _Template(
        0.06,
        (VBO_GEVORMD, VBO_IN_GEBRUIK, VBO_IN_GEBRUIK),
        ((_PAND_VERGUNNING, 0), (PAND_BOUW_GESTART, -1), (_PAND_IN_GEBRUIK, 1)),
    ),
    # Permit never used.
    _Template(
        0.03,
        (VBO_GEVORMD, _VBO_NIET_GEREALISEERD),
        ((_PAND_VERGUNNING, 0), (_PAND_NIET_GEREALISEERD, 1)),
    ),
    # Renovated after completion, then in use again.
    _Template(
        0.05,
        (VBO_GEVORMD, VBO_IN_GEBRUIK, _VBO_VERBOUWING, VBO_IN_GEBRUIK),
        ((_PAND_VERGUNNING, 0), (PAND_BOUW_GESTART, -1), (_PAND_IN_GEBRUIK, 1)),
    ),
    # Existing stock registered when the BAG started: no gevormd, no Bouw gestart.
    _Template(0.04, (VBO_IN_GEBRUIK,), ((_PAND_IN_GEBRUIK, 0),)),
)

# (gebruiksdoel value, share of VBOs)
_GEBRUIKSDOEL_MIX: tuple[tuple[str, float], ...] = (
    ("woonfunctie", 0.80),
    ("winkelfunctie;woonfunctie", 0.03),
    ("kantoorfunctie", 0.07),
    ("winkelfunctie", 0.04),
    ("industriefunctie", 0.03),
    ("bijeenkomstfunctie;kantoorfunctie", 0.02),
    ("logiesfunctie", 0.01),
)

_VBO_SCHEMA = pa.schema(
    [
        ("vbo_id", pa.string()),
        ("status", pa.dictionary(pa.int8(), pa.string())),
        ("gebruiksdoel", pa.dictionary(pa.int8(), pa.string())),
        ("begin_geldigheid", pa.date32()),
        ("eind_geldigheid", pa.date32()),
        ("pand_id", pa.string()),
        ("gemeente_code", pa.dictionary(pa.int16(), pa.string())),
    ]
)
_PAND_SCHEMA = pa.schema(
    [
        ("pand_id", pa.string()),
        ("status", pa.dictionary(pa.int8(), pa.string())),
        ("begin_geldigheid", pa.date32()),
        ("eind_geldigheid", pa.date32()),
        ("bouwjaar", pa.int16()),
    ]
)

_EPOCH = date(1970, 1, 1)
_FIRST_PERMIT_DAY = (date(2010, 1, 1) - _EPOCH).days
_LAST_PERMIT_DAY = (date(2022, 12, 31) - _EPOCH).days
_CHUNK_ROWS = 1_000_000


def _code4(code: str) -> str:
    """Normalise "GM0363", "363" or "0363" to the four digits the BAG uses."""
    digits = code.upper().removeprefix("GM")
    if not digits.isdigit() or len(digits) > 4:
        raise ValueError(f"gemeente code {code!r}: expected 4 digits, optionally with 'GM'")
    return digits.zfill(4)


def _ids(codes: pa.Array, objecttype: str, volgnummer: np.ndarray) -> pa.Array:
    """16-digit BAG identificatie: gemeentecode + objecttype + 10-digit volgnummer."""
    vol = pc.utf8_lpad(pc.cast(pa.array(volgnummer), pa.string()), 10, "0")
    return pc.binary_join_element_wise(codes, pa.scalar(objecttype), vol, "")


def _eind(begin: np.ndarray, owner: np.ndarray) -> pa.Array:
    """eind_geldigheid = begin of the owner's next voorkomen; null on its last one."""
    last = np.ones(len(owner), dtype=bool)
    last[:-1] = owner[1:] != owner[:-1]
    nxt = np.empty_like(begin)
    nxt[:-1] = begin[1:]
    return pa.array(nxt, type=pa.int32(), mask=last).cast(pa.date32())


def _dict(indices: np.ndarray, values: Sequence[str], index_type: pa.DataType) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, type=index_type), pa.array(list(values), pa.string())
    )


class _Chunker:
    """Generates pands, their VBOs and both files' rows, one chunk of pands at a time."""

    def __init__(
        self,
        seed: int,
        codes: list[str],
        code_changes: Mapping[str, str],
        change_day: int,
    ) -> None:
        self.rng = np.random.default_rng(seed)
        # Codes used in rows: the given ones plus the targets of code changes.
        self.codes = list(dict.fromkeys([*codes, *code_changes.values()]))
        self.n_given = len(codes)
        self.changed_to = np.array(
            [self.codes.index(code_changes[c]) if c in code_changes else -1 for c in self.codes]
        )
        self.change_day = change_day
        self.statuses = list(dict.fromkeys(s for t in _TEMPLATES for s in t.vbo))
        self.pand_statuses = list(dict.fromkeys(s for t in _TEMPLATES for s, _ in t.pand))
        self.doelen = [d for d, _ in _GEBRUIKSDOEL_MIX]
        doel_p = np.array([p for _, p in _GEBRUIKSDOEL_MIX])
        self.doel_p = doel_p / doel_p.sum()
        tpl_p = np.array([t.weight for t in _TEMPLATES])
        self.tpl_p = tpl_p / tpl_p.sum()
        width = max(len(t.vbo) for t in _TEMPLATES)
        self.tpl_len = np.array([len(t.vbo) for t in _TEMPLATES])
        self.tpl_status = np.zeros((len(_TEMPLATES), width), dtype=np.int8)
        for i, t in enumerate(_TEMPLATES):
            self.tpl_status[i, : len(t.vbo)] = [self.statuses.index(s) for s in t.vbo]
        self.mean_rows_per_vbo = float((self.tpl_len * self.tpl_p).sum())
        self.next_vbo = 1
        self.next_pand = 1

    def chunk(self, max_rows: int) -> tuple[pa.Table, pa.Table]:
        """About `max_rows` VBO rows (never more), whole VBOs only, and their pands' rows."""
        rng = self.rng
        n_pand = max(1, int(max_rows / self.mean_rows_per_vbo / 2.2))
        # Pand sizes: mostly single homes, some small blocks, a few large ones.
        size = rng.choice([1, 2, 4, 12, 40], size=n_pand, p=[0.62, 0.14, 0.12, 0.09, 0.03])
        tpl = rng.choice(len(_TEMPLATES), size=n_pand, p=self.tpl_p)
        rows_per_pand = size * self.tpl_len[tpl]
        keep = np.cumsum(rows_per_pand) <= max_rows
        keep[0] = True
        n_pand = int(keep.sum())
        size, tpl = size[:n_pand], tpl[:n_pand]
        # Ensure the first pand fits: shrink it if a tiny max_rows is asked for.
        if self.tpl_len[tpl[0]] > max_rows:
            tpl[0] = int(np.argmin(self.tpl_len))
        size[0] = max(1, min(int(size[0]), max_rows // int(self.tpl_len[tpl[0]])))
        code = rng.integers(0, self.n_given, size=n_pand)
        day0 = rng.integers(_FIRST_PERMIT_DAY, _LAST_PERMIT_DAY, size=n_pand)
        width = self.tpl_status.shape[1]
        # Days between steps: building takes 8 months to 3 years; later steps weeks to years.
        gaps = rng.integers(30, 700, size=(n_pand, width))
        gaps[:, 0] = 0
        gaps[:, 1] += rng.integers(200, 400, size=n_pand)
        cum_days = day0[:, None] + np.cumsum(gaps, axis=1)
        pand_no = np.arange(self.next_pand, self.next_pand + n_pand)
        self.next_pand += n_pand
        pand_ids = _ids(self._code_strings(code), "10", pand_no)

        # VBOs: each pand has `size` of them.
        vbo_pand = np.repeat(np.arange(n_pand), size)
        n_vbo = len(vbo_pand)
        vbo_tpl = tpl[vbo_pand]
        vbo_no = np.arange(self.next_vbo, self.next_vbo + n_vbo)
        self.next_vbo += n_vbo
        vbo_ids = _ids(self._code_strings(code[vbo_pand]), "01", vbo_no)
        doel = rng.choice(len(self.doelen), size=n_vbo, p=self.doel_p)

        # Rows: each VBO has len(template) voorkomens.
        n_steps = self.tpl_len[vbo_tpl]
        row_vbo = np.repeat(np.arange(n_vbo), n_steps)
        starts = np.cumsum(n_steps) - n_steps
        step = np.arange(len(row_vbo)) - np.repeat(starts, n_steps)
        row_pand = vbo_pand[row_vbo]
        begin = cum_days[row_pand, step].astype(np.int32)
        row_code = code[row_pand]
        changed = self.changed_to[row_code]
        moved = (changed >= 0) & (begin >= self.change_day)
        row_code = np.where(moved, changed, row_code)
        vbo = pa.table(
            {
                "vbo_id": vbo_ids.take(pa.array(row_vbo)),
                "status": _dict(self.tpl_status[vbo_tpl[row_vbo], step], self.statuses, pa.int8()),
                "gebruiksdoel": _dict(doel[row_vbo], self.doelen, pa.int8()),
                "begin_geldigheid": pa.array(begin).cast(pa.date32()),
                "eind_geldigheid": _eind(begin, row_vbo),
                "pand_id": pand_ids.take(pa.array(row_pand)),
                "gemeente_code": _dict(row_code, self.codes, pa.int16()),
            },
            schema=_VBO_SCHEMA,
        )
        return vbo, self._pands(pand_ids, tpl, cum_days)

    def _code_strings(self, code: np.ndarray) -> pa.Array:
        return pa.array(self.codes, pa.string()).take(pa.array(code))

    def _pands(self, pand_ids: pa.Array, tpl: np.ndarray, cum_days: np.ndarray) -> pa.Table:
        """Pand rows, template by template (nine templates, each vectorised)."""
        parts_idx: list[np.ndarray] = []
        parts_status: list[np.ndarray] = []
        parts_begin: list[np.ndarray] = []
        for t_no, t in enumerate(_TEMPLATES):
            idx = np.flatnonzero(tpl == t_no)
            if len(idx) == 0:
                continue
            for pand_status, src in t.pand:
                if src == -1:
                    day = (cum_days[idx, 0] + cum_days[idx, 1]) // 2
                else:
                    day = cum_days[idx, src]
                parts_idx.append(idx)
                parts_status.append(np.full(len(idx), self.pand_statuses.index(pand_status)))
                parts_begin.append(day)
        idx = np.concatenate(parts_idx)
        status = np.concatenate(parts_status)
        begin = np.concatenate(parts_begin).astype(np.int32)
        order = np.lexsort((begin, idx))
        idx, status, begin = idx[order], status[order], begin[order]
        # bouwjaar: the year after the permit, roughly when building ends.
        year_of_first = (
            np.datetime64("1970-01-01") + cum_days[:, 0].astype("timedelta64[D]")
        ).astype("datetime64[Y]").astype(np.int64) + 1970
        bouwjaar = (year_of_first + 1).astype(np.int16)
        return pa.table(
            {
                "pand_id": pand_ids.take(pa.array(idx)),
                "status": _dict(status, self.pand_statuses, pa.int8()),
                "begin_geldigheid": pa.array(begin).cast(pa.date32()),
                "eind_geldigheid": _eind(begin, idx),
                "bouwjaar": pa.array(bouwjaar[idx], pa.int16()),
            },
            schema=_PAND_SCHEMA,
        )


def write_synthetic_bag(
    path_vbo: str | Path,
    path_pand: str | Path,
    n_rows: int,
    seed: int,
    gemeente_codes: Sequence[str],
    *,
    code_changes: Mapping[str, str] | None = None,
    change_date: date = date(2022, 3, 24),
) -> tuple[int, int]:
    """Write a SYNTHETIC VBO file of exactly `n_rows` rows and its pand file (Parquet).

    Histories are realistic in shape (gevormd -> in gebruik (niet ingemeten) -> in gebruik,
    repeated statuses, non-woonfunctie and mixed gebruiksdoel, niet gerealiseerd, pands going
    Bouwvergunning verleend -> Bouw gestart -> Pand in gebruik), not in their numbers.
    `code_changes` (old -> new gemeente code, e.g. {"0457": "0363"} for Weesp) makes the
    VBOs of an old municipality carry the new code on voorkomens from `change_date` on, as a
    municipal merger does. Both file names must contain "synthetic". Returns the row counts
    (vbo, pand). The same arguments always give the same files.
    """
    path_vbo, path_pand = Path(path_vbo), Path(path_pand)
    for path in (path_vbo, path_pand):
        if "synthetic" not in path.name.lower():
            raise ValueError(f"{path}: synthetic files must have 'synthetic' in their name")
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}")
    if not gemeente_codes:
        raise ValueError("gemeente_codes must not be empty")
    codes = list(dict.fromkeys(_code4(c) for c in gemeente_codes))
    changes = {_code4(k): _code4(v) for k, v in (code_changes or {}).items()}
    chunker = _Chunker(seed, codes, changes, (change_date - _EPOCH).days)
    meta = {**SYNTHETIC_METADATA, b"seed": str(seed).encode()}
    n_vbo_rows = n_pand_rows = 0
    with (
        pq.ParquetWriter(path_vbo, _VBO_SCHEMA.with_metadata(meta)) as vbo_writer,
        pq.ParquetWriter(path_pand, _PAND_SCHEMA.with_metadata(meta)) as pand_writer,
    ):
        while n_vbo_rows < n_rows:
            vbo, pand = chunker.chunk(min(_CHUNK_ROWS, n_rows - n_vbo_rows))
            vbo_writer.write_table(vbo, row_group_size=len(vbo))
            pand_writer.write_table(pand, row_group_size=len(pand))
            n_vbo_rows += len(vbo)
            n_pand_rows += len(pand)
    return n_vbo_rows, n_pand_rows
