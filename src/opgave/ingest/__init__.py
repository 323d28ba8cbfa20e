"""Ingest of external sources (CBS, BAG, plan lists) into plain tables the store can write.

Every imported file is recorded as a ``source`` row named after the file, with its SHA-256
checksum and capture date, so that every figure it brings in can be traced back to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opgave.model import Area, AreaCodeChange


def checksum(path: Path) -> str:
    """SHA-256 of a file, for provenance."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_source(
    path: Path,
    prefix: str,
    citation: str,
    *,
    retrieved: dt.date,
    confidence: str = "official",
    title: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The ``source`` row of an imported file: id ``<prefix>-<first 12 hex of its SHA-256>``
    (the same file gives the same source), its name, checksum and capture date."""
    digest = checksum(path)
    return {
        "id": f"{prefix}-{digest[:12]}",
        "kind": "import",
        "title": title or path.name,
        "citation": citation,
        "confidence": confidence,
        "checksum": f"sha256:{digest}",
        "retrieved": retrieved,
        "note": note,
    }


def gemeente_codes(session: Session) -> dict[str, str]:
    """Every known municipality code -> its current code (a merged municipality maps to the
    one it merged into), for reading files that use older codes."""
    codes = {
        area_id: area_id
        for area_id, kind in session.execute(select(Area.id, Area.kind))
        if kind == "municipality"
    }
    for change in session.scalars(select(AreaCodeChange)):
        if change.kind == "merged":
            codes[change.old_code] = change.new_code
    return codes
