"""Allocation: a tranche allocated optimally (MILP, HiGHS) beside ranking by score.

The caller loads a scheme (``scheme.load_scheme``), reads applications
(``applications.read_applications``), knows which gemeenten each area of a regional cap or
floor contains, and calls :func:`allocate`. The report explains every decision: eligibility
with reasons, the awards, the constraints that bind and what they cost, the marginal value of
budget, and the same figures for the ranking method side by side. See docs/funding.md.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import highspy
import numpy as np
import numpy.typing as npt

from opgave.funding.applications import Application
from opgave.funding.eligibility import Eligibility, check_eligibility
from opgave.funding.scheme import FundingError, Scheme, normalise_gemeente_code
from opgave.message import Message

MARGINAL_STEP_EUR = 1_000_000.0
NOTES = {
    "unmet": "the ranking method leaves the floor(s) for {areas} unmet; its figures are shown "
    "but it is not a valid allocation",
    "stopped": "solver stopped with status {status}; gap {gap:.2e}",
    "synthetic": "the applications are (partly) synthetic example data",
    "unproven": "explain_time_limit_s reached: the value of dropping {names} is a lower bound",
}
"""The notes of an allocation, by code (English; a door may say the code its own way)."""
"""Budget increment used to measure the marginal value of budget (EUR 1M), and the unit it is
expressed in; with whole applications the step grows to the smallest increase that buys more."""

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------------------------
# Report data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """The outcome of one method: which applications get money and what that buys."""

    method: Literal["optimal", "ranking", "greedy"]
    awarded: tuple[str, ...]
    award_share: tuple[tuple[str, float], ...]
    objective: float
    homes: float
    affordable_homes: float
    spent_eur: float
    eur_per_home: float | None
    unmet_floors: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The JSON fields of the issue: awarded, objective, homes, affordable_homes, spent_eur."""
        out: dict[str, Any] = {
            "awarded": list(self.awarded),
            "objective": self.objective,
            "homes": self.homes,
            "affordable_homes": self.affordable_homes,
            "spent_eur": self.spent_eur,
            "eur_per_home": self.eur_per_home,
        }
        if any(s < 1.0 for _, s in self.award_share):
            out["award_share"] = dict(self.award_share)
        if self.unmet_floors:
            out["unmet_floors"] = list(self.unmet_floors)
        return out


@dataclass(frozen=True)
class ConstraintUse:
    """How the optimal allocation uses one constraint, and what the constraint costs.

    `value_if_dropped` is the objective gained by re-solving without the constraint (None when
    not computed); it is a lower bound unless `value_proven` (the re-solve hit its time limit).
    `binding` is True when the gain exceeds the solver's tolerance, False when a proven re-solve
    shows no gain, None when unknown.
    """

    name: str
    kind: Literal["budget", "region_cap", "region_floor", "max_awards_per_gemeente"]
    unit: Literal["eur", "awards"]
    limit: float
    used: float
    slack: float
    binding: bool | None
    value_if_dropped: float | None
    value_proven: bool = False
    detail: str = ""


@dataclass(frozen=True)
class AllocationReport:
    """Everything `opgave funding allocate` shows: optimal and ranking side by side."""

    scheme: str
    objective_kind: str
    status: str
    optimal: Allocation
    ranking: Allocation
    ranking_rule: str
    constraints: tuple[ConstraintUse, ...]
    marginal_objective_per_meur: float | None
    marginal_homes_per_meur: float | None
    mip_gap: float
    solve_seconds: float
    n_applications: int
    n_eligible: int
    eligibility: tuple[Eligibility, ...]
    notes: tuple[str, ...] = ()
    marginal_step_eur: float | None = None
    """The budget increase the marginal value is measured over: EUR 1M, or, when EUR 1M more
    buys nothing (whole applications), the smallest increase that buys more; None when no
    increase buys anything (every eligible application that the other limits allow is funded)."""

    @property
    def gain_over_ranking(self) -> dict[str, float]:
        """Optimal minus ranking, for objective, homes, affordable homes and spending."""
        o, r = self.optimal, self.ranking
        return {
            "objective": o.objective - r.objective,
            "homes": o.homes - r.homes,
            "affordable_homes": o.affordable_homes - r.affordable_homes,
            "spent_eur": o.spent_eur - r.spent_eur,
        }

    def as_text(self) -> str:
        """The side-by-side report as plain text (what `opgave funding allocate` prints)."""
        o, r = self.optimal, self.ranking
        ranked = "weighted score" if self.ranking_rule == "score" else "objective per euro"
        lines = [
            f"{self.scheme}: {self.n_eligible} of {self.n_applications} applications eligible; "
            f"objective {self.objective_kind}; status {self.status}",
            f"{'':22}{'optimal':>16}{'ranking':>16}{'difference':>16}",
        ]
        rows: list[tuple[str, float, float]] = [
            ("objective", o.objective, r.objective),
            ("homes", o.homes, r.homes),
            ("affordable homes", o.affordable_homes, r.affordable_homes),
            ("spent (EUR)", o.spent_eur, r.spent_eur),
            ("awards", float(len(o.awarded)), float(len(r.awarded))),
        ]
        for label, a, b in rows:
            lines.append(f"{label:22}{a:>16,.0f}{b:>16,.0f}{a - b:>+16,.0f}")
        eph = [f"{v:,.0f}" if v is not None else "-" for v in (o.eur_per_home, r.eur_per_home)]
        lines.append(f"{'EUR per home':22}{eph[0]:>16}{eph[1]:>16}")
        lines.append(f"ranking rule: by {ranked}, descending; award while budget and limits allow")
        lines.extend(self._marginal_lines())
        for c in self.constraints:
            state = {True: "binds", False: "does not bind", None: "unknown"}[c.binding]
            val = (
                ""
                if c.value_if_dropped is None
                else (
                    f"; dropping it gains {'at least ' if not c.value_proven else ''}"
                    f"{c.value_if_dropped:,.0f}"
                )
            )
            unit = "EUR " if c.unit == "eur" else ""
            lines.append(
                f"  {c.name}: limit {unit}{c.limit:,.0f}, used {unit}{c.used:,.0f}, "
                f"slack {unit}{c.slack:,.0f} - {state}{val}"
                + (f" ({c.detail})" if c.detail else "")
            )
        lines.append("awarded: " + (", ".join(o.awarded) or "none"))
        lines.append("ranking awards: " + (", ".join(r.awarded) or "none"))
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _marginal_lines(self) -> list[str]:
        """The marginal value of budget in words, with the budget step it is measured over."""
        per_meur, step = self.marginal_objective_per_meur, self.marginal_step_eur
        if per_meur is None:
            return []
        text = f"marginal value of budget: {per_meur:,.1f} {self.objective_kind} per extra EUR 1M"
        if step is None:
            return [text + " - no budget increase buys more (the budget does not bind)"]
        if step > MARGINAL_STEP_EUR + 0.5:
            gained = per_meur * step / MARGINAL_STEP_EUR
            text += (
                f" (EUR 1M more buys nothing with whole applications; the smallest increase that "
                f"buys more is EUR {step:,.0f}, for {gained:,.0f} more {self.objective_kind})"
            )
        return [text]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; top-level keys as in the issue (`--json`)."""
        return {
            "scheme": self.scheme,
            "status": self.status,
            "objective_kind": self.objective_kind,
            **self.optimal.summary(),
            "ranking": {"rule": self.ranking_rule, **self.ranking.summary()},
            "gain_over_ranking": self.gain_over_ranking,
            "marginal_objective_per_meur": self.marginal_objective_per_meur,
            "marginal_homes_per_meur": self.marginal_homes_per_meur,
            "marginal_step_eur": self.marginal_step_eur,
            "constraints": [asdict(c) for c in self.constraints],
            "mip_gap": self.mip_gap,
            "solve_seconds": self.solve_seconds,
            "n_applications": self.n_applications,
            "n_eligible": self.n_eligible,
            "ineligible": {
                e.application_id: list(e.reasons) for e in self.eligibility if not e.eligible
            },
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------------------------
# The instance: eligible applications as arrays
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Instance:
    """Eligible applications as arrays plus the side constraints, in model order."""

    ids: tuple[str, ...]
    requested: FloatArray
    coef: FloatArray
    homes: FloatArray
    affordable: FloatArray
    rank_key: FloatArray
    gemeente: tuple[str, ...]
    budget: float
    partial: bool
    max_per_gemeente: int | None
    caps: tuple[tuple[str, npt.NDArray[np.bool_], float], ...]
    floors: tuple[tuple[str, npt.NDArray[np.bool_], float], ...]


def _objective_coef(scheme: Scheme, apps: Sequence[Application]) -> FloatArray:
    if scheme.objective == "homes":
        return np.array([a.homes for a in apps], dtype=float)
    if scheme.objective == "affordable_homes":
        return np.array([a.affordable_homes for a in apps], dtype=float)
    assert scheme.score is not None
    rules = scheme.score
    return np.array([rules.total(a.score_map) for a in apps], dtype=float)


def _resolve_areas(scheme: Scheme, area_members: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    members: dict[str, frozenset[str]] = {}
    unknown: list[str] = []
    for area in {c.area for c in scheme.region_cap} | {f.area for f in scheme.region_floor}:
        if area in area_members:
            codes = {normalise_gemeente_code(c) for c in area_members[area]}
            members[area] = frozenset(c for c in codes if c is not None)
        elif (gm := normalise_gemeente_code(area)) is not None and area.upper().startswith("GM"):
            members[area] = frozenset({gm})
        else:
            unknown.append(area)
    if unknown:
        raise FundingError(
            f"the scheme limits spending in area(s) {', '.join(sorted(unknown))}, but their "
            f"gemeenten are not known (pass them in area_members; known areas: "
            f"{', '.join(sorted(area_members)) or 'none'})"
        )
    return members


def _instance(
    scheme: Scheme,
    eligible: Sequence[Application],
    members: Mapping[str, frozenset[str]],
    budget: float,
) -> _Instance:
    gm = tuple(a.gemeente_code for a in eligible)
    coef = _objective_coef(scheme, eligible)
    requested = np.array([a.requested_eur for a in eligible], dtype=float)
    if scheme.ranking_rule == "score":
        assert scheme.score is not None
        rules = scheme.score
        rank_key = np.array([rules.total(a.score_map) for a in eligible], dtype=float)
    else:
        rank_key = coef / requested
    caps = tuple(
        (c.area, np.array([g in members[c.area] for g in gm], dtype=bool), c.max_eur)
        for c in scheme.region_cap
    )
    floors = tuple(
        (f.area, np.array([g in members[f.area] for g in gm], dtype=bool), f.min_eur)
        for f in scheme.region_floor
    )
    return _Instance(
        ids=tuple(a.application_id for a in eligible),
        requested=requested,
        coef=coef,
        homes=np.array([a.homes for a in eligible], dtype=float),
        affordable=np.array([a.affordable_homes for a in eligible], dtype=float),
        rank_key=rank_key,
        gemeente=gm,
        budget=budget,
        partial=scheme.partial_awards,
        max_per_gemeente=scheme.limits.max_awards_per_gemeente,
        caps=caps,
        floors=floors,
    )


def _outcome(
    inst: _Instance,
    x: FloatArray,
    method: Literal["optimal", "ranking", "greedy"],
    unmet: Sequence[str] = (),
) -> Allocation:
    x = np.where(x < 1e-9, 0.0, np.minimum(x, 1.0))
    if not inst.partial:
        x = np.round(x)
    idx = [i for i in range(len(inst.ids)) if x[i] > 0]
    homes = float(inst.homes @ x)
    spent = float(inst.requested @ x)
    return Allocation(
        method=method,
        awarded=tuple(inst.ids[i] for i in idx),
        award_share=tuple((inst.ids[i], float(x[i])) for i in idx),
        objective=float(inst.coef @ x),
        homes=homes,
        affordable_homes=float(inst.affordable @ x),
        spent_eur=spent,
        eur_per_home=spent / homes if homes > 0 else None,
        unmet_floors=tuple(unmet),
    )


# --------------------------------------------------------------------------------------------
# Ranking baseline
# --------------------------------------------------------------------------------------------


def _ranking_x(inst: _Instance) -> tuple[FloatArray, list[str]]:
    """Rank, then award in order while budget, caps and per-gemeente limit allow.

    Order: rank key descending (weighted score, or objective per euro requested), ties by
    application_id. Pass 1 serves each regional floor in scheme order with the applications in
    its area; pass 2 walks the whole list. An application that does not fit is skipped and the
    walk continues; with partial awards the largest fraction that fits is awarded instead.
    """
    n = len(inst.ids)
    order = sorted(range(n), key=lambda i: (-inst.rank_key[i], inst.ids[i]))
    x = np.zeros(n)
    left_budget = inst.budget
    cap_left = [cap for _, _, cap in inst.caps]
    count: Counter[str] = Counter()
    tol = 1e-6

    def give(i: int) -> float:
        nonlocal left_budget
        if x[i] > 0:
            return 0.0
        k = inst.max_per_gemeente
        if k is not None and count[inst.gemeente[i]] >= k:
            return 0.0
        room = left_budget
        for j, (_, mask, _) in enumerate(inst.caps):
            if mask[i]:
                room = min(room, cap_left[j])
        r = inst.requested[i]
        share = 1.0 if room >= r - tol else (room / r if inst.partial and room > tol else 0.0)
        if share <= 0:
            return 0.0
        x[i] = share
        left_budget -= share * r
        for j, (_, mask, _) in enumerate(inst.caps):
            if mask[i]:
                cap_left[j] -= share * r
        count[inst.gemeente[i]] += 1
        return float(share * r)

    for _, mask, floor in inst.floors:
        spent = float(inst.requested[mask] @ x[mask])
        for i in order:
            if spent >= floor - tol:
                break
            if mask[i]:
                spent += give(i)
    for i in order:
        give(i)
    unmet = [
        area for area, mask, floor in inst.floors if inst.requested[mask] @ x[mask] < floor - tol
    ]
    return x, unmet


def rank_allocation(
    scheme: Scheme, applications: Sequence[Application], area_members: Mapping[str, Any]
) -> Allocation:
    """The ranking baseline alone (see `_ranking_x` for the exact rule)."""
    elig = check_eligibility(scheme, applications)
    eligible = [a for a, e in zip(applications, elig, strict=True) if e.eligible]
    inst = _instance(scheme, eligible, _resolve_areas(scheme, area_members), scheme.budget_eur)
    x, unmet = _ranking_x(inst)
    return _outcome(inst, x, "ranking", unmet)


# --------------------------------------------------------------------------------------------
# Greedy baseline: the strongest simple rule
# --------------------------------------------------------------------------------------------


class _Walk:
    """Awards in a walk over the applications: budget, caps and the per-gemeente limit kept."""

    def __init__(self, inst: _Instance) -> None:
        self.inst = inst
        self.x = np.zeros(len(inst.ids))
        self.budget_left = inst.budget
        self.cap_left = [cap for _, _, cap in inst.caps]
        self.count: Counter[str] = Counter()

    def slots(self, gemeente: str) -> float:
        """Awards the gemeente may still get (inf without a limit)."""
        k = self.inst.max_per_gemeente
        return math.inf if k is None else k - self.count[gemeente]

    def give(self, i: int, tol: float = 1e-6) -> float:
        """Award application ``i`` (a fraction with partial awards) if it fits; EUR given."""
        inst = self.inst
        if self.x[i] > 0 or self.slots(inst.gemeente[i]) < 1:
            return 0.0
        room = self.budget_left
        for j, (_, mask, _) in enumerate(inst.caps):
            if mask[i]:
                room = min(room, self.cap_left[j])
        r = inst.requested[i]
        share = 1.0 if room >= r - tol else (room / r if inst.partial and room > tol else 0.0)
        if share <= 0:
            return 0.0
        self.x[i] = share
        self.budget_left -= share * r
        for j, (_, mask, _) in enumerate(inst.caps):
            if mask[i]:
                self.cap_left[j] -= share * r
        self.count[inst.gemeente[i]] += 1
        return float(share * r)


def _greedy_x(inst: _Instance) -> tuple[FloatArray, list[str]]:
    """Greedy by objective per euro requested (homes per euro for the homes objective).

    Order: objective / requested_eur descending, ties by application_id. Pass 1, for each
    regional floor in scheme order: walk the area's applications in that order and award one
    when it fits (budget, caps, per-gemeente limit) and the floor stays reachable afterwards -
    the euros already given in the area plus, for every gemeente, its largest remaining requests
    over the awards it may still get reach the floor (so a cheap small project does not take a
    gemeente's last slot that only a big one can use to meet the floor); walks repeat until
    nothing more is awarded or the floor is met. Pass 2: walk the whole list and award what
    fits. Floors still unmet (their area cannot reach them within the limits) are returned.
    """
    n = len(inst.ids)
    per_euro = inst.coef / inst.requested
    order = sorted(range(n), key=lambda i: (-per_euro[i], inst.ids[i]))
    walk = _Walk(inst)
    tol = 1e-6

    def best(members: Sequence[int], slots: float) -> float:
        sizes = sorted((inst.requested[i] for i in members if walk.x[i] == 0), reverse=True)
        return float(sum(sizes if math.isinf(slots) else sizes[: max(0, int(slots))]))

    for _, mask, floor in inst.floors:
        area = [i for i in order if mask[i]]
        by_gemeente: dict[str, list[int]] = {}
        for i in area:
            by_gemeente.setdefault(inst.gemeente[i], []).append(i)
        reach = {g: best(m, walk.slots(g)) for g, m in by_gemeente.items()}
        spent = float(inst.requested[mask] @ walk.x[mask])
        progress = True
        while spent < floor - tol and progress:
            progress = False
            for i in area:
                if spent >= floor - tol:
                    break
                if walk.x[i] > 0:
                    continue
                g = inst.gemeente[i]
                if not inst.partial:
                    others = sum(reach.values()) - reach[g]
                    rest = [j for j in by_gemeente[g] if j != i]
                    after = spent + inst.requested[i] + others + best(rest, walk.slots(g) - 1)
                    if after < floor - tol:
                        continue
                given = walk.give(i)
                if given > 0:
                    spent += given
                    reach[g] = best(by_gemeente[g], walk.slots(g))
                    progress = True
    for i in order:
        walk.give(i)
    unmet = [
        area
        for area, mask, floor in inst.floors
        if inst.requested[mask] @ walk.x[mask] < floor - tol
    ]
    return walk.x, unmet


def greedy_allocation(
    scheme: Scheme, applications: Sequence[Application], area_members: Mapping[str, Any]
) -> Allocation:
    """The strongest simple baseline: greedy by objective per euro (homes per euro for the
    homes objective), meeting regional floors where the limits allow and respecting the
    budget, caps and per-gemeente limit (see `_greedy_x` for the exact rule). The optimum is
    compared with it as well as with the ranking by score (docs/funding.md)."""
    elig = check_eligibility(scheme, applications)
    eligible = [a for a, e in zip(applications, elig, strict=True) if e.eligible]
    inst = _instance(scheme, eligible, _resolve_areas(scheme, area_members), scheme.budget_eur)
    x, unmet = _greedy_x(inst)
    return _outcome(inst, x, "greedy", unmet)


# --------------------------------------------------------------------------------------------
# The MILP
# --------------------------------------------------------------------------------------------

_banner_silenced = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance; the first construction prints a banner on fd 1, so hide it."""
    global _banner_silenced
    if _banner_silenced:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:
            saved = -1
        if saved < 0:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
        _banner_silenced = True
    h.setOptionValue("output_flag", False)
    return h


class _Milp:
    """The allocation MILP in HiGHS, kept so that it can be re-solved with changed bounds.

    Variables: x_i in {0,1} (or [0,1] with partial awards) per eligible application, plus
    y_i in {0,1} counting a partial award when a per-gemeente limit applies. Rows: budget,
    region caps, region floors, one row per gemeente with more applications than the limit.
    Objective: maximise sum coef_i x_i.
    """

    def __init__(self, inst: _Instance, mip_rel_gap: float, time_limit_s: float) -> None:
        self.inst = inst
        n = len(inst.ids)
        need_y = inst.partial and inst.max_per_gemeente is not None
        self.n_cols = 2 * n if need_y else n
        h = _new_highs()
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        h.setOptionValue("time_limit", float(time_limit_s))
        cost = np.concatenate([inst.coef, np.zeros(self.n_cols - n)])
        empty_i = np.zeros(self.n_cols + 1, dtype=np.int32)
        h.addCols(
            self.n_cols,
            cost,
            np.zeros(self.n_cols),
            np.ones(self.n_cols),
            0,
            empty_i,
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        integer_cols = (
            np.arange(n, self.n_cols)
            if need_y
            else (np.arange(n) if not inst.partial else np.arange(0))
        )
        if len(integer_cols):
            h.changeColsIntegrality(
                len(integer_cols),
                integer_cols.astype(np.int32),
                np.full(len(integer_cols), highspy.HighsVarType.kInteger.value, dtype=np.uint8),
            )
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        inf = highspy.kHighsInf
        rows: list[tuple[str, npt.NDArray[np.int32], FloatArray, float, float]] = []
        all_idx = np.arange(n, dtype=np.int32)
        rows.append(("budget", all_idx, inst.requested, -inf, inst.budget))
        for area, mask, cap in inst.caps:
            idx = np.flatnonzero(mask).astype(np.int32)
            rows.append((f"region_cap {area}", idx, inst.requested[idx], -inf, cap))
        for area, mask, floor in inst.floors:
            idx = np.flatnonzero(mask).astype(np.int32)
            rows.append((f"region_floor {area}", idx, inst.requested[idx], floor, inf))
        self.gemeente_rows: list[int] = []
        k = inst.max_per_gemeente
        if k is not None:
            by_gm: dict[str, list[int]] = {}
            for i, g in enumerate(inst.gemeente):
                by_gm.setdefault(g, []).append(i)
            for g, members in sorted(by_gm.items()):
                if len(members) > k:
                    off = n if need_y else 0
                    idx = np.array(members, dtype=np.int32) + off
                    self.gemeente_rows.append(len(rows))
                    rows.append((f"max_awards {g}", idx, np.ones(len(idx)), -inf, float(k)))
            if need_y:
                for i in range(n):  # x_i <= y_i
                    rows.append(
                        (
                            "link",
                            np.array([i, n + i], dtype=np.int32),
                            np.array([1.0, -1.0]),
                            -inf,
                            0.0,
                        )
                    )
        starts = np.cumsum([0] + [len(r[1]) for r in rows[:-1]]).astype(np.int32)
        h.addRows(
            len(rows),
            np.array([r[3] for r in rows], dtype=float),
            np.array([r[4] for r in rows], dtype=float),
            int(sum(len(r[1]) for r in rows)),
            starts,
            np.concatenate([r[1] for r in rows]).astype(np.int32),
            np.concatenate([r[2] for r in rows]).astype(float),
        )
        self.rows = rows
        self.h = h
        self.need_y = need_y

    def set_row(self, row: int, lower: float, upper: float) -> None:
        self.h.changeRowBounds(row, lower, upper)

    def restore_row(self, row: int) -> None:
        _, _, _, lo, up = self.rows[row]
        self.h.changeRowBounds(row, lo, up)

    def solve(self, start: FloatArray | None) -> tuple[str, FloatArray | None, float]:
        """Solve; returns (status, x or None, mip gap). `start` is a feasible warm start."""
        n = len(self.inst.ids)
        if start is not None:
            full = start if not self.need_y else np.concatenate([start, (start > 0) * 1.0])
            self.h.setSolution(self.n_cols, np.arange(self.n_cols, dtype=np.int32), full)
        self.h.run()
        info = self.h.getInfo()
        if start is not None and info.primal_solution_status == 2:
            # HiGHS 1.16 quirk: when presolve alone solves a MIP that was given a start, the
            # reported objective is right but col_value is still the start. Re-run without it.
            cols = np.array(self.h.getSolution().col_value[:n], dtype=float)
            obj = float(info.objective_function_value)
            if abs(float(self.inst.coef @ cols) - obj) > 1e-9 * max(1.0, abs(obj)):
                self.h.clearSolver()
                self.h.run()
                info = self.h.getInfo()
        status = self.h.getModelStatus()
        has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
        x = np.array(self.h.getSolution().col_value[:n], dtype=float) if has_x else None
        gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else 0.0
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", x, gap
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", None, math.inf
        if status == highspy.HighsModelStatus.kTimeLimit:
            return "time_limit", x, gap
        return self.h.modelStatusToString(status).lower().replace(" ", "_"), x, gap


# --------------------------------------------------------------------------------------------
# Checks that give reasons instead of an infeasible model
# --------------------------------------------------------------------------------------------


def _precheck(inst: _Instance, scheme: Scheme) -> None:
    """Raise FundingError for contradictions that can be named before solving."""
    problems: list[str] = []
    masks = [m for _, m, _ in inst.floors]
    disjoint = all(not (a & b).any() for i, a in enumerate(masks) for b in masks[i + 1 :])
    total_floor = sum(f for _, _, f in inst.floors)
    if inst.floors and disjoint and total_floor > inst.budget + 1e-6:
        problems.append(
            f"the regional floors add up to EUR {total_floor:,.0f}, more than the budget of "
            f"EUR {inst.budget:,.0f}"
        )
    for area, mask, floor in inst.floors:
        if floor > inst.budget + 1e-6:
            problems.append(
                f"the floor for {area} (EUR {floor:,.0f}) exceeds the budget "
                f"(EUR {inst.budget:,.0f})"
            )
        for cap_area, cap_mask, cap in inst.caps:
            if floor > cap + 1e-6 and not (mask & ~cap_mask).any():
                problems.append(
                    f"the floor for {area} (EUR {floor:,.0f}) exceeds the cap for {cap_area} "
                    f"(EUR {cap:,.0f}), which contains all of {area}'s eligible applications"
                )
        reach = float(inst.requested[mask].sum())
        if inst.max_per_gemeente is not None:
            reach = 0.0
            for g in {inst.gemeente[i] for i in np.flatnonzero(mask)}:
                asks = sorted(
                    (inst.requested[i] for i in np.flatnonzero(mask) if inst.gemeente[i] == g),
                    reverse=True,
                )
                reach += sum(asks[: inst.max_per_gemeente])
        if reach < floor - 1e-6:
            problems.append(
                f"the floor for {area} is EUR {floor:,.0f}, but the {int(mask.sum())} eligible "
                f"application(s) there can receive at most EUR {reach:,.0f} in total"
            )
    if problems:
        raise FundingError("contradictory scheme: " + "; ".join(problems))


def _diagnose_infeasible(milp: _Milp) -> str:
    inst = milp.inst
    first_floor = 1 + len(inst.caps)
    culprits = []
    for j, (area, _, _) in enumerate(inst.floors):
        milp.set_row(first_floor + j, -highspy.kHighsInf, highspy.kHighsInf)
        status, _, _ = milp.solve(None)
        milp.restore_row(first_floor + j)
        if status != "infeasible":
            culprits.append(area)
    if culprits:
        return (
            "no allocation meets every constraint: the floor(s) for "
            + ", ".join(culprits)
            + " cannot be met together with the budget, the caps and the per-gemeente limit "
            "(whole applications only); dropping one of them makes the allocation feasible"
        )
    return "no allocation meets the budget, the regional caps and floors and the per-gemeente limit"


def _cheapest_gain(
    inst: _Instance, base: float, more: float, mip_rel_gap: float, time_limit_s: float
) -> tuple[float | None, bool]:
    """The least money that buys at least ``base + more`` under every constraint but the
    budget: min sum requested_i x_i subject to sum coef_i x_i >= base + more. Returns (that
    amount or None when nothing buys more, proven optimal)."""
    milp = _Milp(replace(inst, budget=highspy.kHighsInf), mip_rel_gap, time_limit_s)
    n = len(inst.ids)
    cost = np.concatenate([inst.requested, np.zeros(milp.n_cols - n)])
    milp.h.changeColsCost(milp.n_cols, np.arange(milp.n_cols, dtype=np.int32), cost)
    milp.h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    milp.h.addRow(base + more, highspy.kHighsInf, n, np.arange(n, dtype=np.int32), inst.coef)
    status, x, _ = milp.solve(None)
    if x is None:
        return None, status == "infeasible"
    return float(inst.requested @ x), status == "optimal"


def _explain(
    milp: _Milp, base: float, x: FloatArray, time_limit_s: float
) -> tuple[tuple[float, float, float | None] | None, dict[int, tuple[float, bool]], list[str]]:
    """Re-solve with more budget and with each constraint dropped, within a time budget.

    Order: the marginal budget first, then caps, floors, the per-gemeente limit (row key -1,
    all its rows dropped together) and the budget itself. Every re-solve starts from the optimum
    `x`, which stays feasible, so each gain is >= 0 and, if the time runs out, a lower bound.
    The marginal budget is EUR 1M; when that buys nothing (whole applications that do not
    fit) it is the smallest increase that buys more (:func:`_cheapest_gain`), so that a
    budget that binds never shows a marginal value of 0.
    Returns ((objective, homes) per extra EUR 1M and the step in EUR, None when no increase
    buys more; or None when not computed), {row: (gain, proven)}, unproven names).
    """
    inst = milp.inst
    inf = highspy.kHighsInf
    homes0 = float(inst.homes @ x)
    jobs: list[tuple[int, list[int], float]] = [(-2, [0], inst.budget + MARGINAL_STEP_EUR)]
    for j, (_, mask, cap) in enumerate(inst.caps):
        row = 1 + j
        if inst.requested[mask].sum() > cap + 1e-6:  # else the cap cannot bind
            jobs.append((row, [row], inf))
    for j, (_, _, floor) in enumerate(inst.floors):
        if floor > 0:
            jobs.append((1 + len(inst.caps) + j, [1 + len(inst.caps) + j], inf))
    if milp.gemeente_rows:
        jobs.append((-1, milp.gemeente_rows, inf))
    if inst.requested.sum() > inst.budget + 1e-6:
        jobs.append((0, [0], inf))
    values: dict[int, tuple[float, bool]] = {}
    for row in range(1 + len(inst.caps) + len(inst.floors)):
        values[row] = (0.0, True)  # until a re-solve says otherwise (skipped ones cannot bind)
    if inst.max_per_gemeente is not None:
        values[-1] = (0.0, True)
    marginal: tuple[float, float, float | None] | None = None
    unproven: list[str] = []
    deadline = time.perf_counter() + time_limit_s
    for done, (key, rows, upper) in enumerate(jobs):
        left = deadline - time.perf_counter()
        milp.h.setOptionValue("time_limit", max(0.05, left / (len(jobs) - done)))
        for row in rows:
            milp.set_row(row, milp.rows[row][3] if key == -2 else -inf, upper)
        status, xd, _ = milp.solve(x)
        for row in rows:
            milp.restore_row(row)
        if xd is None:
            continue
        gain = max(0.0, float(inst.coef @ xd) - base)
        if key == -2:
            marginal = (gain, float(inst.homes @ xd) - homes0, MARGINAL_STEP_EUR)
        else:
            values[key] = (gain, status == "optimal")
        if status != "optimal":
            unproven.append(
                "the extra EUR 1M"
                if key == -2
                else "max_awards_per_gemeente"
                if key == -1
                else milp.rows[rows[0]][0]
            )
    if marginal is not None and marginal[0] <= _more(base):
        stepped, proven = _next_step(milp, base, x, max(0.05, deadline - time.perf_counter()))
        if stepped is not None:
            marginal = stepped
        if not proven:
            unproven.append("the smallest budget increase that buys more")
    return marginal, values, unproven


def _more(base: float) -> float:
    """The least gain that counts as buying more: a millionth of the objective, well above
    the solver's feasibility tolerance (1e-7)."""
    return 1e-6 * max(1.0, abs(base))


def _next_step(
    milp: _Milp, base: float, x: FloatArray, time_limit_s: float
) -> tuple[tuple[float, float, float | None] | None, bool]:
    """The marginal value over the smallest budget increase that buys more (EUR 1M bought
    nothing): ((objective, homes) per EUR 1M, step), or (0, 0, None) when no increase does."""
    inst = milp.inst
    if inst.requested.sum() <= inst.budget + 1e-6:
        return (0.0, 0.0, None), True  # every eligible application fits already
    gap = float(milp.h.getOptionValue("mip_rel_gap")[1])
    needed, proven = _cheapest_gain(inst, base, _more(base), gap, time_limit_s / 2)
    if needed is None:
        return ((0.0, 0.0, None), True) if proven else (None, False)
    step = max(MARGINAL_STEP_EUR, needed - inst.budget)
    milp.h.setOptionValue("time_limit", max(0.05, time_limit_s / 2))
    milp.set_row(0, milp.rows[0][3], inst.budget + step)
    status, xd, _ = milp.solve(x)
    milp.restore_row(0)
    if xd is None:
        return None, False
    per_meur = MARGINAL_STEP_EUR / step
    gain = max(0.0, float(inst.coef @ xd) - base)
    homes = float(inst.homes @ xd) - float(inst.homes @ x)
    return (gain * per_meur, homes * per_meur, step), proven and status == "optimal"


# --------------------------------------------------------------------------------------------
# allocate
# --------------------------------------------------------------------------------------------


def allocate(
    scheme: Scheme,
    applications: Sequence[Application],
    area_members: Mapping[str, Any] | None = None,
    *,
    mip_rel_gap: float = 1e-4,
    time_limit_s: float = 60.0,
    explain: bool = True,
    explain_time_limit_s: float = 20.0,
) -> AllocationReport:
    """Allocate the scheme's budget optimally and report it beside the ranking method.

    Inputs: a scheme, applications, and for every area named in a regional cap or floor the set
    of its gemeente codes (area code such as "PV27" -> {"GM0363", ...}; an area that is itself a
    gemeente code needs no entry). Output: an AllocationReport. Derived: eligibility; the MILP
    optimum (HiGHS, proven within `mip_rel_gap`, warm-started with the ranking solution so it is
    never worse); the ranking baseline; slack and cost of every constraint and the marginal value
    of EUR 1M extra budget (re-solves warm-started with the optimum, together limited to
    `explain_time_limit_s`; skipped when `explain` is False).
    Raises FundingError with the reason for empty input, nothing eligible, a zero budget or
    contradictory floors.
    """
    area_members = area_members or {}
    if not applications:
        raise FundingError("there are no applications to allocate")
    dup = [k for k, v in Counter(a.application_id for a in applications).items() if v > 1]
    if dup:
        raise FundingError(f"application_id must be unique; repeated: {', '.join(sorted(dup))}")
    if not scheme.budget_eur > 0:
        raise FundingError(
            f"the scheme's budget is EUR {scheme.budget_eur:,.0f}; nothing can be awarded"
        )
    elig = check_eligibility(scheme, applications)
    eligible = [a for a, e in zip(applications, elig, strict=True) if e.eligible]
    if not eligible:
        common = Counter(code for e in elig for code in e.failed_rules).most_common(3)
        raise FundingError(
            f"none of the {len(applications)} applications is eligible; most common failed "
            "rules: " + ", ".join(f"{code} ({n}x)" for code, n in common)
        )
    members = _resolve_areas(scheme, area_members)
    inst = _instance(scheme, eligible, members, scheme.budget_eur)
    _precheck(inst, scheme)

    rank_x, unmet = _ranking_x(inst)
    ranking = _outcome(inst, rank_x, "ranking", unmet)
    milp = _Milp(inst, mip_rel_gap, time_limit_s)
    start = None if unmet else rank_x
    t0 = time.perf_counter()
    status, x, gap = milp.solve(start)
    solve_seconds = time.perf_counter() - t0
    if status == "infeasible":
        raise FundingError(_diagnose_infeasible(milp))
    if x is None:
        raise FundingError(f"HiGHS found no allocation (status {status}) within {time_limit_s} s")
    optimal = _outcome(inst, x, "optimal")
    xr = np.array([dict(optimal.award_share).get(i, 0.0) for i in inst.ids])

    notes: list[str] = []
    if unmet:
        notes.append(Message.of(NOTES, "unmet", areas=", ".join(unmet)))
    if status != "optimal":
        notes.append(Message.of(NOTES, "stopped", status=status, gap=gap))
    if any(a.synthetic for a in applications):
        notes.append(Message.of(NOTES, "synthetic"))

    tol = mip_rel_gap * max(1.0, abs(optimal.objective)) + 1e-9
    marginal_obj = marginal_homes = marginal_step = None
    values: dict[int, tuple[float, bool]] = {}
    if explain:
        marginal, values, unproven = _explain(milp, optimal.objective, xr, explain_time_limit_s)
        if marginal is not None:
            marginal_obj, marginal_homes, marginal_step = marginal
        if unproven:
            notes.append(Message.of(NOTES, "unproven", names=", ".join(unproven)))

    def use(
        row: int,
        name: str,
        kind: Any,
        limit: float,
        used: float,
        slack: float,
        unit: Any = "eur",
        detail: str = "",
    ) -> ConstraintUse:
        v, proven = values.get(row, (None, False))
        binding = None if v is None else (True if v > tol else (False if proven else None))
        return ConstraintUse(name, kind, unit, limit, used, slack, binding, v, proven, detail)

    cons = [
        use(0, "budget", "budget", inst.budget, optimal.spent_eur, inst.budget - optimal.spent_eur)
    ]
    for j, (area, mask, cap) in enumerate(inst.caps):
        spent = float(inst.requested[mask] @ xr[mask])
        cons.append(use(1 + j, f"region_cap {area}", "region_cap", cap, spent, cap - spent))
    for j, (area, mask, floor) in enumerate(inst.floors):
        spent = float(inst.requested[mask] @ xr[mask])
        row = 1 + len(inst.caps) + j
        cons.append(use(row, f"region_floor {area}", "region_floor", floor, spent, spent - floor))
    k = inst.max_per_gemeente
    if k is not None:
        per_gm = Counter(g for g, v in zip(inst.gemeente, xr, strict=True) if v > 0)
        most = max(per_gm.values(), default=0)
        at = sorted(g for g, c in per_gm.items() if c >= k)
        detail = ("at the limit: " + ", ".join(at)) if at else ""
        cons.append(
            use(
                -1,
                "max_awards_per_gemeente",
                "max_awards_per_gemeente",
                float(k),
                float(most),
                float(k - most),
                "awards",
                detail,
            )
        )

    return AllocationReport(
        scheme=scheme.name,
        objective_kind=scheme.objective,
        status=status,
        optimal=optimal,
        ranking=ranking,
        ranking_rule=scheme.ranking_rule,
        constraints=tuple(cons),
        marginal_objective_per_meur=marginal_obj,
        marginal_homes_per_meur=marginal_homes,
        mip_gap=gap,
        solve_seconds=solve_seconds,
        n_applications=len(applications),
        n_eligible=len(eligible),
        eligibility=tuple(elig),
        notes=tuple(notes),
        marginal_step_eur=marginal_step,
    )
