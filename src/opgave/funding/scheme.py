"""The rules of a funding round: a scheme (TOML, see docs/funding.md) states the budget,
the eligibility rules, the optional limits and the objective of one round such as a
Woningbouwimpuls tranche; and the errors every funding input raises, naming file, row and
field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
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

SCHEMES_DIR = Path(__file__).parent.parent / "data" / "schemes"
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
