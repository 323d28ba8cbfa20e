"""Funding schemes, applications and eligibility: the rules of a tranche made explicit.

A *scheme* (TOML, see docs/funding.md) states the budget, the eligibility rules, the optional
limits and the objective of one funding round such as a Woningbouwimpuls tranche. An
*application* is one row of a CSV/XLSX file. `check_eligibility` tells for every application
which rules it fails, in words. Allocation itself lives in `opgave.funding`.
"""

from __future__ import annotations

import csv
import math
import re
import tomllib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

SCHEMES_DIR = Path(__file__).parent / "data" / "schemes"
"""Directory of the shipped example schemes and the synthetic example applications."""


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputProblem:
    """One problem in an input file: where it is and what was expected there."""

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", {'column' if self.row is not None else 'key'} {self.column!r}"
        text = f"{where}: expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        return text


class FundingError(Exception):
    """The allocation cannot be made as asked (nothing eligible, zero budget, contradictions)."""


class FundingInputError(FundingError):
    """A scheme or application file is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{shown}")


# --------------------------------------------------------------------------------------------
# Scheme
# --------------------------------------------------------------------------------------------

_GM_RE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)


def normalise_gemeente_code(value: object) -> str | None:
    """'0363', '363', 363 or 'gm0363' -> 'GM0363'; None when it is not a municipality code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        return None
    m = _GM_RE.match(value.strip())
    return f"GM{int(m.group(1)):04d}" if m else None


def _list_to_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


_T = TypeVar("_T")
Tup = Annotated[tuple[_T, ...], BeforeValidator(_list_to_tuple)]
"""A tuple field that also accepts a TOML array (strict mode otherwise refuses lists)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MinHomesGroup(_Model):
    """A group of gemeenten with its own minimum project size (Regeling WBI art. 2(4))."""

    name: str
    gemeenten: Tup[str] = Field(min_length=1)
    min_homes: int = Field(ge=0)

    @field_validator("gemeenten")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _codes_or_raise(value)


class EligibilityRules(_Model):
    """The eligibility rules of a scheme; a rule left out is not applied."""

    min_homes: int = Field(default=0, ge=0)
    min_homes_group: Tup[MinHomesGroup] = ()
    min_affordable_share: float = Field(default=0.0, ge=0.0, le=1.0)
    max_deficit_share: float = Field(default=1.0, gt=0.0, le=1.0)
    start_within_years: int | None = Field(default=None, ge=0)
    reference_year: int | None = Field(default=None, ge=1900, le=2200)
    gemeenten: Tup[str] | None = None

    @field_validator("gemeenten")
    @classmethod
    def _codes(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else _codes_or_raise(value)

    @model_validator(mode="after")
    def _consistent(self) -> EligibilityRules:
        if self.start_within_years is not None and self.reference_year is None:
            raise ValueError("reference_year as well, because start_within_years is set")
        seen: dict[str, str] = {}
        for group in self.min_homes_group:
            for code in group.gemeenten:
                if code in seen:
                    raise ValueError(
                        f"each gemeente in at most one min_homes_group "
                        f"({code} is in {seen[code]!r} and {group.name!r})"
                    )
                seen[code] = group.name
        return self

    def min_homes_for(self, gemeente_code: str) -> tuple[int, str | None]:
        """The minimum project size in this gemeente and the name of the group that sets it."""
        for group in self.min_homes_group:
            if gemeente_code in group.gemeenten:
                return group.min_homes, group.name
        return self.min_homes, None


class Limits(_Model):
    """Optional limits on the allocation."""

    max_awards_per_gemeente: int | None = Field(default=None, ge=1)


class RegionCap(_Model):
    """Spend in an area at most max_eur."""

    area: str = Field(min_length=1)
    max_eur: float = Field(ge=0.0)


class RegionFloor(_Model):
    """Spend in an area at least min_eur."""

    area: str = Field(min_length=1)
    min_eur: float = Field(ge=0.0)


class ScoreRules(_Model):
    """Criterion weights (e.g. WBI noodzaak/effectiviteit/efficientie/urgentie) and score range."""

    weights: dict[str, float] = Field(min_length=1)
    min: float = 1.0
    max: float = 10.0

    @model_validator(mode="after")
    def _check(self) -> ScoreRules:
        bad = [k for k, w in self.weights.items() if not w > 0 or not re.fullmatch(r"[a-z_]+", k)]
        if bad:
            raise ValueError(f"positive weights with lower-case names (check {bad})")
        if self.min > self.max:
            raise ValueError("score min <= score max")
        return self

    def total(self, scores: Mapping[str, float]) -> float:
        """Weighted total of the criterion scores (all criteria must be present)."""
        return sum(w * scores[k] for k, w in self.weights.items())


Objective = Literal["homes", "affordable_homes", "score"]


class Scheme(_Model):
    """One funding round: budget, eligibility, limits and objective (see docs/funding.md)."""

    name: str = Field(min_length=1)
    instrument: str | None = None
    tranche: str | None = None
    budget_eur: float = Field(gt=0.0)
    objective: Objective = "homes"
    ranking: Literal["score", "ratio"] | None = None
    partial_awards: bool = False
    expected_homes: int | None = Field(default=None, ge=0)
    sources: Tup[str] = ()
    assumptions: Tup[str] = ()
    eligibility: EligibilityRules = EligibilityRules()
    limits: Limits = Limits()
    region_cap: Tup[RegionCap] = ()
    region_floor: Tup[RegionFloor] = ()
    score: ScoreRules | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scheme:
        if self.score is None and (self.objective == "score" or self.ranking == "score"):
            raise ValueError(
                "a [score] table with weights, because objective or ranking is 'score'"
            )
        return self

    @property
    def ranking_rule(self) -> Literal["score", "ratio"]:
        """How the ranking baseline orders applications: by score when scores exist, else ratio."""
        if self.ranking is not None:
            return self.ranking
        return "score" if self.score is not None else "ratio"


def _codes_or_raise(codes: Iterable[str]) -> tuple[str, ...]:
    out = []
    for code in codes:
        norm = normalise_gemeente_code(code)
        if norm is None:
            raise ValueError(f"gemeente codes such as GM0363 or 0363, not {code!r}")
        out.append(norm)
    return tuple(out)


def _loc_text(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + part
    return text or "(top level)"


def _allowed_keys(loc: Sequence[int | str]) -> list[str]:
    """Keys allowed in the table that contains loc[-1], walking the model classes."""
    model: Any = Scheme
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        ann = field.annotation
        found = None
        for cand in (ann, *getattr(ann, "__args__", ())):
            for sub in (cand, *getattr(cand, "__args__", ())):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    found = sub
        if found is None:
            return []
        model = found
    return sorted(model.model_fields)


def _key_exists(data: Mapping[str, Any], dotted: str) -> bool:
    node: Any = data
    for part in dotted.split("."):
        if isinstance(node, list):
            return all(isinstance(n, Mapping) and _key_exists(n, part) for n in node)
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def scheme_from_dict(data: Mapping[str, Any], source: str = "<scheme>") -> Scheme:
    """Validate a parsed scheme table; every problem names the key and the source."""
    try:
        scheme = Scheme.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _loc_text(err["loc"])
            if err["type"] == "extra_forbidden":
                allowed = _allowed_keys(err["loc"])
                expected = "a known key" + (f" (one of {', '.join(allowed)})" if allowed else "")
                problems.append(InputProblem(source, None, key, expected, "an unknown key"))
            else:
                msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
                found: str | None = f"{err['input']!r} ({type(err['input']).__name__})"
                if err["type"] == "missing":
                    msg, found = "this required key", "nothing"
                elif err["type"] == "value_error" or isinstance(err["input"], dict):
                    found = None
                problems.append(InputProblem(source, None, key, msg, found))
        raise FundingInputError(problems) from None
    missing = [k for k in scheme.assumptions if not _key_exists(data, k)]
    if missing:
        raise FundingInputError(
            [
                InputProblem(source, None, "assumptions", "keys that exist in this file", repr(k))
                for k in missing
            ]
        )
    return scheme


def load_scheme(path: str | Path) -> Scheme:
    """Read and validate a scheme TOML file (unknown keys and wrong types are errors)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise FundingInputError([InputProblem(str(path), None, None, "an existing file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise FundingInputError(
            [InputProblem(str(path), None, None, "valid TOML", str(exc))]
        ) from None
    return scheme_from_dict(data, str(path))


# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """One funding application (one row of the applications file)."""

    application_id: str
    gemeente_code: str
    homes: int
    affordable_homes: int
    requested_eur: float
    public_deficit_eur: float
    cofinancing_eur: float
    start_year: int
    plan_id: str | None = None
    project_name: str | None = None
    scores: tuple[tuple[str, float], ...] = ()
    synthetic: bool = False

    @property
    def score_map(self) -> dict[str, float]:
        """Criterion scores by criterion name (columns score_<criterion>)."""
        return dict(self.scores)


REQUIRED_COLUMNS = (
    "application_id",
    "gemeente_code",
    "homes",
    "affordable_homes",
    "requested_eur",
    "public_deficit_eur",
    "cofinancing_eur",
    "start_year",
)
OPTIONAL_COLUMNS = ("plan_id", "project_name", "synthetic")
SCORE_PREFIX = "score_"

_TRUE = {"true", "yes", "ja", "1", "y", "waar"}
_FALSE = {"false", "no", "nee", "0", "n", "onwaar", ""}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            return None
        return out
    return None


def parse_applications(
    rows: Iterable[Mapping[str, object]],
    source: str = "<applications>",
    known_gemeenten: Collection[str] | None = None,
    first_row: int = 2,
) -> list[Application]:
    """Validate rows (column name -> cell) into applications, collecting every problem.

    Inputs: rows as read from CSV/XLSX (the header is row 1, so data starts at `first_row`);
    optionally the set of valid gemeente codes. Output: applications in file order.
    Raises FundingInputError listing every problem (file, row, column, expected, found).
    """
    rows = list(rows)
    problems: list[InputProblem] = []
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    if not rows:
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for col in missing:
        problems.append(InputProblem(source, 1, col, "this required column", "no such column"))
    unknown = [
        c
        for c in columns
        if c not in REQUIRED_COLUMNS
        and c not in OPTIONAL_COLUMNS
        and not c.startswith(SCORE_PREFIX)
    ]
    for col in unknown:
        problems.append(
            InputProblem(
                source,
                1,
                col,
                "a known column (" + ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS) + ", score_*)",
                "an unknown column",
            )
        )
    if problems:
        raise FundingInputError(problems)
    known = (
        None if known_gemeenten is None else {normalise_gemeente_code(c) for c in known_gemeenten}
    )
    score_cols = [c for c in columns if c.startswith(SCORE_PREFIX)]
    apps: list[Application] = []
    ids: dict[str, int] = {}
    for offset, row in enumerate(rows):
        rn = first_row + offset
        if all(_blank(v) for v in row.values()):
            continue
        bad = len(problems)

        def prob(col: str, expected: str, value: object, rn: int = rn) -> None:
            problems.append(InputProblem(source, rn, col, expected, repr(value)))

        app_id_raw = row.get("application_id")
        app_id = "" if _blank(app_id_raw) else str(app_id_raw).strip()
        if isinstance(app_id_raw, float) and app_id_raw.is_integer():
            app_id = str(int(app_id_raw))
        if not app_id:
            prob("application_id", "a non-empty identifier", app_id_raw)
        elif app_id in ids:
            prob("application_id", f"a unique identifier (also on row {ids[app_id]})", app_id)
        else:
            ids[app_id] = rn
        gm_raw = row.get("gemeente_code")
        gm = normalise_gemeente_code(gm_raw)
        if gm is None:
            prob("gemeente_code", "a gemeente code such as GM0363, 0363 or 363", gm_raw)
        elif known is not None and gm not in known:
            prob("gemeente_code", "a gemeente code of the current division", gm_raw)
        ints: dict[str, int] = {}
        for col, lo in (("homes", 0), ("affordable_homes", 0), ("start_year", 1900)):
            v = _number(row.get(col))
            if v is None or not math.isfinite(v) or not v.is_integer():
                prob(col, "a whole number", row.get(col))
            elif v < lo or (col == "start_year" and v > 2200):
                prob(
                    col,
                    "a year between 1900 and 2200" if col == "start_year" else "a number >= 0",
                    row.get(col),
                )
            else:
                ints[col] = int(v)
        if (
            "homes" in ints
            and "affordable_homes" in ints
            and ints["affordable_homes"] > ints["homes"]
        ):
            prob(
                "affordable_homes", f"at most homes ({ints['homes']})", row.get("affordable_homes")
            )
        eurs: dict[str, float] = {}
        for col in ("requested_eur", "public_deficit_eur", "cofinancing_eur"):
            v = _number(row.get(col))
            if v is None or not math.isfinite(v):
                prob(
                    col,
                    "an amount in euros such as 1250000 (no thousands separators)",
                    row.get(col),
                )
            elif v < 0 or (col == "requested_eur" and v == 0):
                prob(
                    col,
                    "an amount > 0" if col == "requested_eur" else "an amount >= 0",
                    row.get(col),
                )
            else:
                eurs[col] = v
        scores: list[tuple[str, float]] = []
        for col in score_cols:
            raw = row.get(col)
            if _blank(raw):
                continue
            v = _number(raw)
            if v is None or not math.isfinite(v) or v < 0:
                prob(col, "a score >= 0", raw)
            else:
                scores.append((col.removeprefix(SCORE_PREFIX), v))
        synth_raw = row.get("synthetic")
        synthetic = False
        if isinstance(synth_raw, bool):
            synthetic = synth_raw
        elif not _blank(synth_raw):
            text = str(synth_raw).strip().lower()
            if text in _TRUE:
                synthetic = True
            elif text not in _FALSE:
                prob("synthetic", "true or false", synth_raw)
        if len(problems) > bad or gm is None:
            continue
        plan = row.get("plan_id")
        name = row.get("project_name")
        apps.append(
            Application(
                application_id=app_id,
                gemeente_code=gm,
                homes=ints["homes"],
                affordable_homes=ints["affordable_homes"],
                requested_eur=eurs["requested_eur"],
                public_deficit_eur=eurs["public_deficit_eur"],
                cofinancing_eur=eurs["cofinancing_eur"],
                start_year=ints["start_year"],
                plan_id=None if _blank(plan) else str(plan).strip(),
                project_name=None if _blank(name) else str(name).strip(),
                scores=tuple(scores),
                synthetic=synthetic,
            )
        )
    if problems:
        raise FundingInputError(problems)
    return apps


def read_applications(
    path: str | Path, known_gemeenten: Collection[str] | None = None
) -> list[Application]:
    """Read applications from a CSV (comma or semicolon separated, UTF-8) or XLSX file.

    XLSX needs the optional package openpyxl. Every problem is collected and raised together
    as a FundingInputError; see `parse_applications` for the rules.
    """
    path = Path(path)
    if not path.is_file():
        raise FundingInputError([InputProblem(str(path), None, None, "an existing file")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return parse_applications(_xlsx_rows(path), str(path), known_gemeenten)
    if suffix not in (".csv", ".txt"):
        raise FundingInputError(
            [InputProblem(str(path), None, None, "a .csv or .xlsx file", repr(path.suffix))]
        )
    with path.open(newline="", encoding="utf-8-sig") as fh:
        text = fh.read()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    dup = [h for h, n in Counter(header).items() if n > 1]
    if dup:
        raise FundingInputError(
            [InputProblem(str(path), 1, h, "each column once", "a repeated column") for h in dup]
        )
    rows: list[dict[str, object]] = []
    problems: list[InputProblem] = []
    for i, raw in enumerate(reader):
        if None in raw:  # more cells than header columns
            problems.append(
                InputProblem(str(path), i + 2, None, f"at most {len(header)} cells", "more")
            )
        rows.append({k.strip(): v for k, v in raw.items() if k is not None})
    if problems:
        raise FundingInputError(problems)
    return parse_applications(rows, str(path), known_gemeenten)


def _xlsx_rows(path: Path) -> list[dict[str, object]]:
    try:
        import openpyxl  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise FundingInputError(
            [
                InputProblem(
                    str(path),
                    None,
                    None,
                    "a CSV file: reading .xlsx needs the optional package openpyxl "
                    "(pip install openpyxl), or save the sheet as CSV",
                )
            ]
        ) from None
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header_row = next(it, None)
    if header_row is None:
        return []
    header = [str(h).strip() if h is not None else "" for h in header_row]
    rows = [{h: v for h, v in zip(header, values, strict=False) if h} for values in it]
    wb.close()
    return rows


# --------------------------------------------------------------------------------------------
# Eligibility
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Whether an application is eligible, with every failed rule (code and words)."""

    application_id: str
    eligible: bool
    failed_rules: tuple[str, ...]
    reasons: tuple[str, ...]


def _pct(value: float, limit: float) -> str:
    """Percentage of value, with a decimal when the rounded figure would equal the limit."""
    for digits in (0, 1, 2):
        text = f"{value * 100:.{digits}f}%"
        if round(value * 100, digits) != round(limit * 100, digits):
            return text
    return f"{value * 100:.3f}%"


def _eur(value: float) -> str:
    if abs(value) >= 1e6:
        return f"EUR {value / 1e6:,.1f}M"
    return f"EUR {value:,.0f}"


def check_eligibility(scheme: Scheme, applications: Sequence[Application]) -> list[Eligibility]:
    """Apply every eligibility rule of the scheme to every application; list all failures.

    Rules (codes): gemeente, min_homes, min_affordable_share, max_deficit_share,
    min_cofinancing_share, start_within_years, scores (see docs/funding.md for the sources).
    """
    rules = scheme.eligibility
    allowed = None if rules.gemeenten is None else set(rules.gemeenten)
    out: list[Eligibility] = []
    for app in applications:
        failed: list[tuple[str, str]] = []
        if allowed is not None and app.gemeente_code not in allowed:
            failed.append(
                ("gemeente", f"{app.gemeente_code} is not one of the scheme's eligible gemeenten")
            )
        need, group = rules.min_homes_for(app.gemeente_code)
        if app.homes < need:
            where = f" in group {group!r}" if group else ""
            failed.append(
                ("min_homes", f"adds {app.homes} homes; the scheme requires at least {need}{where}")
            )
        if rules.min_affordable_share > 0:
            share = app.affordable_homes / app.homes if app.homes else 0.0
            if share < rules.min_affordable_share:
                failed.append(
                    (
                        "min_affordable_share",
                        f"{_pct(share, rules.min_affordable_share)} of the homes are affordable "
                        f"({app.affordable_homes} of {app.homes}); the scheme requires at least "
                        f"{_pct(rules.min_affordable_share, -1)}",
                    )
                )
        x = rules.max_deficit_share
        if x < 1.0 or app.requested_eur > app.public_deficit_eur:
            if app.public_deficit_eur <= 0:
                failed.append(
                    (
                        "max_deficit_share",
                        f"requests {_eur(app.requested_eur)} but reports no public deficit; the "
                        f"scheme pays at most {_pct(x, -1)} of the public deficit",
                    )
                )
            else:
                share = app.requested_eur / app.public_deficit_eur
                if share > x + 1e-12:
                    failed.append(
                        (
                            "max_deficit_share",
                            f"requests {_pct(share, x)} of the public deficit; the scheme allows "
                            f"at most {_pct(x, -1)}",
                        )
                    )
                cof = app.cofinancing_eur / app.public_deficit_eur
                if x < 1.0 and cof < (1.0 - x) - 1e-12:
                    failed.append(
                        (
                            "min_cofinancing_share",
                            f"co-finances {_pct(cof, 1 - x)} of the public deficit; the scheme "
                            f"requires at least {_pct(1 - x, -1)}",
                        )
                    )
        if rules.start_within_years is not None and rules.reference_year is not None:
            years = app.start_year - rules.reference_year
            if years > rules.start_within_years:
                failed.append(
                    (
                        "start_within_years",
                        f"starts construction in {app.start_year}, {years} years after "
                        f"{rules.reference_year}; the scheme requires a start within "
                        f"{rules.start_within_years} years",
                    )
                )
        if scheme.score is not None:
            sm = app.score_map
            absent = [k for k in scheme.score.weights if k not in sm]
            if absent:
                failed.append(
                    (
                        "scores",
                        f"has no score for {', '.join(absent)}; the scheme assesses "
                        f"{', '.join(scheme.score.weights)}",
                    )
                )
            lo, hi = scheme.score.min, scheme.score.max
            off = [
                f"{k}={sm[k]:g}" for k in scheme.score.weights if k in sm and not lo <= sm[k] <= hi
            ]
            if off:
                failed.append(
                    (
                        "scores",
                        f"scores {', '.join(off)} lie outside the scheme's range {lo:g}-{hi:g}",
                    )
                )
        out.append(
            Eligibility(
                application_id=app.application_id,
                eligible=not failed,
                failed_rules=tuple(code for code, _ in failed),
                reasons=tuple(text for _, text in failed),
            )
        )
    return out
