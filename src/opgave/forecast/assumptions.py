"""Forecast assumptions: the TOML file format, its parsing and validation, and its provenance.

Inputs: the shipped defaults (``opgave/data/forecast_assumptions.toml``) and optional files or
parsed documents (a scenario) that override them key by key.
Outputs: validated :class:`Assumptions` - drop-out and delay per DiWi planstatus, the
preconditions' chances, the shared year shocks (:class:`Shocks`), the optional national
production ceiling (:class:`Capacity`), and ``stated``: which assumptions a forecast used
("defaults", or each file's path with its SHA-256 checksum).
Derives: nothing but checks; every problem names the file (or document) and the key.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_ASSUMPTIONS_PATH",
    "PLANSTATUSES",
    "PRECONDITION_DEFAULT",
    "Assumptions",
    "Capacity",
    "ForecastInputError",
    "Shocks",
    "assumption_documents",
    "assumptions_from",
    "load_assumptions",
]

PLANSTATUSES: tuple[str, ...] = ("1A", "1B", "1C", "2A", "2B", "2C", "3", "4A", "4B")
"""DiWi ``planologische_planstatus`` codes; 1x/2x are hard plans, 3/4x soft plans."""

DEFAULT_ASSUMPTIONS_PATH = Path(__file__).parents[1] / "data" / "forecast_assumptions.toml"
PRECONDITION_DEFAULT = "*"
"""Key of the ``[precondition_default]`` values in ``Assumptions.precondition_*``."""
TABLES = (
    "dropout",
    "delay",
    "source",
    "precondition_default",
    "precondition",
    "shocks",
    "capacity",
    "evidence",
)
"""The tables an assumptions file may have (see docs/forecast.md)."""
_TOL = 1e-9


class ForecastInputError(ValueError):
    """Bad forecast input: carries every problem found, each naming where and what was expected."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "; ".join(self.problems)
            if len(self.problems) < 2
            else f"{len(self.problems)} problems:\n  " + "\n  ".join(self.problems)
        )


@dataclass(frozen=True)
class Shocks:
    """Shared year conditions: how strongly one year's building climate moves every plan due
    that year (see docs/forecast.md, "Shared shocks").

    ``dropout_correlation`` and ``delay_correlation`` (0-1) are the correlations, through the
    shared condition, between two plans due in the same year (the Vasicek one-factor model's
    "asset correlation"); 0 makes plans independent. ``persistence`` (0-1) is the correlation
    of one year's condition with the next. ``regional_share`` (0-1) is the part of the shared
    condition that is regional rather than national (used only when plans carry a region).
    The marginal drop-out and delay of every plan stay exactly those of its planstatus.
    """

    dropout_correlation: float = 0.0
    delay_correlation: float = 0.0
    persistence: float = 0.0
    regional_share: float = 0.0
    source: str = ""

    @property
    def active(self) -> bool:
        """True when the shocks correlate anything."""
        return self.dropout_correlation > 0 or self.delay_correlation > 0


@dataclass(frozen=True)
class Capacity:
    """An optional ceiling on national production per year (building capacity): homes above
    it in a run's year move to the next year instead of being built (None: no ceiling)."""

    national_max_homes_per_year: float | None = None
    source: str = ""


@dataclass(frozen=True)
class Assumptions:
    """Drop-out probability and delay distribution per planstatus, with a source note each,
    plus the preconditions' chances, the shared shocks and the optional production ceiling.

    ``delay_prob[status][k]`` is the probability of ``k`` years' delay for a plan that delivers.
    ``source_file`` lists the files (or documents) the values came from, defaults first;
    ``stated`` says the same for a reader: "defaults", or a path with its SHA-256 checksum.
    ``evidence`` is the ``[evidence]`` table of a calibrated file (how many plans, which period).
    """

    dropout_prob: Mapping[str, float]
    delay_prob: Mapping[str, tuple[float, ...]]
    source_note: Mapping[str, str]
    source_file: tuple[str, ...] = ()
    precondition_p_met: Mapping[str, float] = field(default_factory=dict)
    precondition_delay: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    shocks: Shocks = field(default_factory=Shocks)
    capacity: Capacity = field(default_factory=Capacity)
    stated: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def precondition(self, precondition_id: str) -> tuple[float, tuple[float, ...]]:
        """Probability a precondition is met and its delay distribution: its own values
        where the assumptions give them, else those of ``[precondition_default]``."""
        default = PRECONDITION_DEFAULT
        return (
            self.precondition_p_met.get(precondition_id, self.precondition_p_met[default]),
            self.precondition_delay.get(precondition_id, self.precondition_delay[default]),
        )

    def dropout_for(self, planstatus: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Drop-out probability per plan, looked up by planstatus."""
        statuses = np.asarray(planstatus).astype(str)
        table = np.array([self.dropout_prob[s] for s in PLANSTATUSES])
        out: npt.NDArray[np.float64] = table[status_index(statuses)]
        return out

    def delay_for(self, planstatus: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Delay distribution per plan (n_plans x n_delay), zero-padded to the longest."""
        statuses = np.asarray(planstatus).astype(str)
        n_delay = max(len(v) for v in self.delay_prob.values())
        table = np.zeros((len(PLANSTATUSES), n_delay))
        for i, s in enumerate(PLANSTATUSES):
            dist = self.delay_prob[s]
            table[i, : len(dist)] = dist
        out: npt.NDArray[np.float64] = table[status_index(statuses)]
        return out


def status_index(statuses: npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    """Position of each planstatus in :data:`PLANSTATUSES`; unknown codes are refused."""
    lookup = {s: i for i, s in enumerate(PLANSTATUSES)}
    bad = sorted({str(s) for s in np.unique(statuses)} - lookup.keys())
    if bad:
        raise ForecastInputError(
            [f"planstatus: unknown value(s) {bad}; expected one of {list(PLANSTATUSES)}"]
        )
    uniq, inverse = np.unique(statuses, return_inverse=True)  # few distinct codes: map those
    codes = np.array([lookup[str(s)] for s in uniq], dtype=np.int64)
    out: npt.NDArray[np.int64] = codes[inverse.reshape(-1)]
    return out


def load_assumptions(path: Path | Sequence[Path] | None = None) -> Assumptions:
    """Load the shipped default assumptions, overridden key by key by ``path`` when given.

    Inputs: optional TOML files (later ones override earlier ones) with the tables of
    :data:`TABLES` (see docs/forecast.md). Output: validated :class:`Assumptions` covering
    all nine DiWi statuses. Raises :class:`ForecastInputError` listing every problem, each
    naming the file and the key.
    """
    return assumptions_from(assumption_documents(path))


def assumption_documents(path: Path | Sequence[Path] | None = None) -> list[tuple[str, Any]]:
    """The shipped defaults and the given files as parsed TOML documents ``(file, data)``,
    in override order, for :func:`assumptions_from` (which callers may extend first). Each
    file's SHA-256 checksum travels with its data (key ``__sha256__``)."""
    overrides = [path] if isinstance(path, Path) else list(path or [])
    documents: list[tuple[str, Any]] = []
    for file in [DEFAULT_ASSUMPTIONS_PATH, *overrides]:
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise ForecastInputError([f"{file}: cannot read ({exc.strerror})"]) from exc
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ForecastInputError([f"{file}: not valid TOML ({exc})"]) from exc
        data["__sha256__"] = hashlib.sha256(raw).hexdigest()
        documents.append((str(file), data))
    return documents


def _statement(name: str, data: Mapping[str, Any]) -> str:
    """How a forecast names one assumptions document: "defaults", or the name with a checksum
    (of the file's bytes, or of a parsed document's canonical JSON)."""
    if Path(name) == DEFAULT_ASSUMPTIONS_PATH:
        return "defaults"
    digest = data.get("__sha256__")
    if not isinstance(digest, str):
        canonical = json.dumps(
            {k: v for k, v in data.items() if k != "__sha256__"}, sort_keys=True, default=str
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{name} (sha256 {digest[:12]})"


def assumptions_from(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> Assumptions:
    """Assumptions from parsed TOML documents ``(name, data)``, later ones overriding earlier
    ones key by key; the first must be complete (the shipped defaults are). Problems name
    the document and the key."""
    dropout: dict[str, float] = {}
    delay: dict[str, tuple[float, ...]] = {}
    note: dict[str, str] = {}
    pre_met: dict[str, float] = {}
    pre_delay: dict[str, tuple[float, ...]] = {}
    shocks: dict[str, Any] = {}
    capacity: dict[str, Any] = {}
    evidence: dict[str, Any] = {}
    problems: list[str] = []
    for name, document in documents:
        data = {k: v for k, v in document.items() if k != "__sha256__"}
        _parse_preconditions(Path(name), data, pre_met, pre_delay, problems)
        _parse_shocks(name, data, shocks, capacity, problems)
        if "evidence" in data:
            value = data.pop("evidence")
            if isinstance(value, dict):
                evidence = dict(value)
            else:
                problems.append(f"{name}: [evidence] must be a table, got {value!r}")
        _parse_assumptions(Path(name), data, dropout, delay, note, problems)
    last = documents[-1][0] if documents else "<none>"
    for status in PLANSTATUSES:
        if status not in dropout:
            problems.append(f"{last}: [dropout] has no value for planstatus {status!r}")
        if status not in delay:
            problems.append(f"{last}: [delay] has no value for planstatus {status!r}")
    if PRECONDITION_DEFAULT not in pre_met or PRECONDITION_DEFAULT not in pre_delay:
        problems.append(f"{last}: [precondition_default] needs p_met and delay")
    if problems:
        raise ForecastInputError(problems)
    ceiling = capacity.get("national_max_homes_per_year")
    return Assumptions(
        dropout_prob=MappingProxyType({s: dropout[s] for s in PLANSTATUSES}),
        delay_prob=MappingProxyType({s: delay[s] for s in PLANSTATUSES}),
        source_note=MappingProxyType({s: note.get(s, "") for s in PLANSTATUSES}),
        source_file=tuple(name for name, _ in documents),
        precondition_p_met=MappingProxyType(pre_met),
        precondition_delay=MappingProxyType(pre_delay),
        shocks=Shocks(**shocks),
        capacity=Capacity(
            national_max_homes_per_year=float(ceiling) if ceiling else None,
            source=str(capacity.get("source", "")),
        ),
        stated=tuple(_statement(name, data) for name, data in documents),
        evidence=MappingProxyType(evidence),
    )


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _parse_shocks(
    name: str,
    data: dict[str, Any],
    shocks: dict[str, Any],
    capacity: dict[str, Any],
    problems: list[str],
) -> None:
    """Take ``[shocks]`` and ``[capacity]`` out of ``data`` into the accumulators, checked."""
    limits = {
        "dropout_correlation": (0.0, 0.95),
        "delay_correlation": (0.0, 0.95),
        "persistence": (0.0, 0.95),
        "regional_share": (0.0, 1.0),
    }
    value = data.pop("shocks", None)
    if value is not None:
        if not isinstance(value, dict):
            problems.append(f"{name}: [shocks] must be a table, got {value!r}")
        else:
            for key, v in value.items():
                where = f"{name}: [shocks].{key}"
                if key == "source":
                    if isinstance(v, str):
                        shocks[key] = v
                    else:
                        problems.append(f"{where}: expected a text, got {v!r}")
                elif key not in limits:
                    problems.append(f"{where}: unknown key; expected one of {sorted(limits)}")
                elif not _is_number(v) or not limits[key][0] <= v <= limits[key][1]:
                    lo, hi = limits[key]
                    problems.append(f"{where}: expected a number from {lo} to {hi}, got {v!r}")
                else:
                    shocks[key] = float(v)
    value = data.pop("capacity", None)
    if value is not None:
        if not isinstance(value, dict):
            problems.append(f"{name}: [capacity] must be a table, got {value!r}")
            return
        for key, v in value.items():
            where = f"{name}: [capacity].{key}"
            if key == "source":
                if isinstance(v, str):
                    capacity[key] = v
                else:
                    problems.append(f"{where}: expected a text, got {v!r}")
            elif key != "national_max_homes_per_year":
                problems.append(f"{where}: unknown key; expected national_max_homes_per_year")
            elif not _is_number(v) or v < 0:
                problems.append(f"{where}: expected homes per year >= 0 (0: none), got {v!r}")
            else:
                capacity[key] = float(v)


def _parse_preconditions(
    file: Path,
    data: dict[str, Any],
    p_met: dict[str, float],
    delay: dict[str, tuple[float, ...]],
    problems: list[str],
) -> None:
    """Take ``[precondition_default]`` and ``[precondition."ID"]`` tables out of ``data``:
    each has ``p_met`` (probability the precondition is met at all) and ``delay``
    (probabilities of 0, 1, 2, ... years' delay, adding up to 1)."""
    tables: dict[str, tuple[Any, str]] = {}
    if "precondition_default" in data:
        tables[PRECONDITION_DEFAULT] = (
            data.pop("precondition_default"),
            "[precondition_default]",
        )
    for key, value in data.pop("precondition", {}).items():
        tables[key] = (value, f"[precondition.{key!r}]")
    for key, (value, where) in tables.items():
        if not isinstance(value, dict) or set(value) - {"p_met", "delay"}:
            problems.append(f"{file}: {where}: expected a table with p_met and delay only")
            continue
        if "p_met" in value:
            met = value["p_met"]
            if not _is_number(met) or not 0 <= met <= 1:
                problems.append(f"{file}: {where}.p_met: expected a probability in [0, 1]")
            else:
                p_met[key] = float(met)
        if "delay" in value:
            dist = value["delay"]
            if (
                not isinstance(dist, list)
                or not dist
                or any(not _is_number(v) for v in dist)
                or any(not 0 <= v <= 1 for v in dist)
                or abs(math.fsum(dist) - 1.0) > _TOL
            ):
                problems.append(
                    f"{file}: {where}.delay: expected probabilities of 0, 1, 2, ... years' "
                    f"delay adding up to 1, got {dist!r}"
                )
            else:
                delay[key] = tuple(float(v) for v in dist)


def _parse_assumptions(
    file: Path,
    data: dict[str, Any],
    dropout: dict[str, float],
    delay: dict[str, tuple[float, ...]],
    note: dict[str, str],
    problems: list[str],
) -> None:
    """Validate one TOML document's planstatus tables and merge their keys."""
    for table in sorted(set(data) - {"dropout", "delay", "source"}):
        problems.append(
            f"{file}: unknown table [{table}]; expected "
            + ", ".join(f"[{t}]" for t in TABLES if t != "precondition")
        )
    for table in ("dropout", "delay", "source"):
        value = data.get(table, {})
        if not isinstance(value, dict):
            problems.append(f"{file}: {table} must be a table [{table}], got {value!r}")
            data[table] = {}
            continue
        for key in value:
            if key not in PLANSTATUSES:
                problems.append(
                    f"{file}: [{table}].{key!r}: unknown planstatus; "
                    f"expected one of {list(PLANSTATUSES)}"
                )
    for key, value in data.get("dropout", {}).items():
        if key not in PLANSTATUSES:
            continue
        where = f"{file}: [dropout].{key!r}"
        if not _is_number(value):
            problems.append(f"{where}: expected a probability (number in [0, 1]), got {value!r}")
        elif not 0.0 <= float(value) <= 1.0:
            problems.append(f"{where}: expected a probability in [0, 1], got {value}")
        else:
            dropout[key] = float(value)
    for key, value in data.get("delay", {}).items():
        if key not in PLANSTATUSES:
            continue
        where = f"{file}: [delay].{key!r}"
        if not isinstance(value, list) or not value or any(not _is_number(v) for v in value):
            problems.append(
                f"{where}: expected a list of probabilities of 0, 1, 2, ... years' delay, "
                f"got {value!r}"
            )
            continue
        bad = [v for v in value if not 0.0 <= float(v) <= 1.0]
        if bad:
            problems.append(f"{where}: expected probabilities in [0, 1], got {bad}")
        elif abs(math.fsum(value) - 1.0) > _TOL:
            problems.append(
                f"{where}: probabilities must add up to 1, they add up to {math.fsum(value):.12g}"
            )
        else:
            delay[key] = tuple(float(v) for v in value)
    for key, value in data.get("source", {}).items():
        if key not in PLANSTATUSES:
            continue
        if not isinstance(value, str):
            problems.append(f"{file}: [source].{key!r}: expected a text, got {value!r}")
        else:
            note[key] = value
