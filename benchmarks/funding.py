"""Benchmark: optimal allocation against the simple baselines, on 5,000 SYNTHETIC applications
with 12 regional caps/floors and on SYNTHETIC instances the size of a real tranche.

    .venv/bin/python benchmarks/funding.py [--n 5000] [--seed 7] [--t4-seeds 20] [--explain]
        [--json]

1. 5,000 applications, 8 provincial caps and 4 floors, at most 6 awards per gemeente: the time
   to proven optimality (HiGHS, mip_rel_gap <= 1e-4; bar < 10 s on a 2-core machine) and the
   homes of the optimum against the greedy baseline by homes per euro (floors and caps kept:
   the strongest simple rule), the ranking by score and the ranking by homes per euro without
   the greedy's floor look-ahead; with --explain also the full report (re-solves that price
   every constraint and an extra EUR 1M).
2. --t4-seeds instances the size of Woningbouwimpuls tranche 4 (29 applications, a budget of
   about EUR 110M; the shipped T4 scheme's rules): the optimum against the greedy baseline and
   the ranking by score, with the scores drawn independently and with the efficientie score
   given by cost per home.

The gemeenten and provinces come from ../shared/data/gemeenten.csv (CBS division 2025) when
that file is beside the project, else 342 made-up codes in 12 made-up provinces.
All applications are synthetic (flagged `synthetic=True`).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from _figures import emit, figure, reporting

from opgave.funding.allocation import allocate, greedy_allocation, rank_allocation
from opgave.funding.applications import Application
from opgave.funding.scheme import SCHEMES_DIR, Scheme, load_scheme, scheme_from_dict

GEMEENTEN_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "gemeenten.csv"
BAR_S = 10.0
CRITERIA = ("noodzaak", "effectiviteit", "efficientie", "urgentie")
WEIGHTS = {"noodzaak": 0.3, "effectiviteit": 0.3, "efficientie": 0.15, "urgentie": 0.25}
T4_APPLICATIONS = 29
T4_BUDGET_EUR = 110_000_000.0
"""Woningbouwimpuls tranche 4: 29 applications; 20 awarded about EUR 110M (EUR 112M incl.
BTW) for 24,768 homes (Rijksoverheid, 15 Dec 2022)."""


def provinces() -> dict[str, set[str]]:
    """Province code -> gemeente codes (CBS 2025 if available, else synthetic)."""
    out: dict[str, set[str]] = {}
    if GEMEENTEN_CSV.is_file():
        with GEMEENTEN_CSV.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["year"] == "2025":
                    out.setdefault(row["provincie_code"], set()).add(row["gemeente_code"])
        return out
    for i in range(342):
        out.setdefault(f"PV{20 + i % 12}", set()).add(f"GM{i + 1:04d}")
    return out


def synthetic_applications(n: int, gemeenten: list[str], seed: int) -> list[Application]:
    """n synthetic applications: lognormal sizes, EUR 3k-15k per home, scores 1-10."""
    rng = np.random.default_rng(seed)
    homes = np.clip(rng.lognormal(6.6, 0.8, n), 200, 12_000).astype(int)
    affordable = (homes * rng.uniform(0.4, 0.9, n)).astype(int)
    requested = np.round(homes * rng.uniform(3_000, 15_000, n), -3)
    deficit = np.round(requested / rng.uniform(0.3, 0.5, n), -3)
    gm = rng.choice(gemeenten, n)
    scores = rng.integers(1, 11, (n, 4))
    names = CRITERIA
    return [
        Application(
            application_id=f"SYN-{i:05d}",
            gemeente_code=str(gm[i]),
            homes=int(homes[i]),
            affordable_homes=int(affordable[i]),
            requested_eur=float(requested[i]),
            public_deficit_eur=float(deficit[i]),
            cofinancing_eur=float(deficit[i] - requested[i]),
            start_year=int(rng.integers(2023, 2026)),
            scores=tuple((k, float(v)) for k, v in zip(names, scores[i], strict=True)),
            synthetic=True,
        )
        for i in range(n)
    ]


def synthetic_scheme(
    apps: list[Application], areas: dict[str, set[str]]
) -> tuple[Scheme, int, int]:
    """The benchmark's scheme: a budget of 25% of the requests, 8 provincial caps (80% of the
    province's proportional share of the budget) and 4 floors (120% of it), at most 6 awards
    per gemeente; the Woningbouwimpuls rules of eligibility and score weights."""
    demand = sum(a.requested_eur for a in apps)
    budget = round(0.25 * demand, -6)
    pv = sorted(areas)
    spend_share = {
        p: sum(a.requested_eur for a in apps if a.gemeente_code in areas[p]) / demand for p in pv
    }
    caps = [{"area": p, "max_eur": round(0.8 * spend_share[p] * budget, -5)} for p in pv[:8]]
    floors = [{"area": p, "min_eur": round(1.2 * spend_share[p] * budget, -5)} for p in pv[8:12]]
    data = {
        "name": "benchmark (synthetic)",
        "budget_eur": budget,
        "objective": "homes",
        "ranking": "score",
        "eligibility": {"min_homes": 200, "min_affordable_share": 0.5, "max_deficit_share": 0.5},
        "limits": {"max_awards_per_gemeente": 6},
        "region_cap": caps,
        "region_floor": floors,
        "score": {"weights": WEIGHTS},
    }
    return scheme_from_dict(data), len(caps), len(floors)


def tranche_applications(gemeenten: list[str], seed: int) -> list[Application]:
    """29 SYNTHETIC applications the size of Woningbouwimpuls tranche 4 (29 applications,
    about EUR 170M requested; 20 awarded EUR 112M for 24,768 homes, ~68% affordable, about
    EUR 4,500 per home incl. BTW): homes lognormal around 1,000 (at least 500), EUR 2,500-7,000
    requested per home, 50-90% affordable, the Rijk at most half of the public deficit,
    construction starting 2023-2025; criterion scores 1-10 drawn independently."""
    rng = np.random.default_rng(seed)
    n = T4_APPLICATIONS
    homes = np.clip(rng.lognormal(np.log(1_000), 0.6, n), 500, 6_000).astype(int)
    requested = np.round(homes * rng.uniform(2_500, 7_000, n), -3)
    deficit = np.round(requested / rng.uniform(0.3, 0.5, n), -3)
    gm = rng.choice(gemeenten, n, replace=False)
    scores = rng.integers(1, 11, (n, 4))
    return [
        Application(
            application_id=f"T4SYN-{seed}-{i:02d}",
            gemeente_code=str(gm[i]),
            homes=int(homes[i]),
            affordable_homes=int(homes[i] * rng.uniform(0.5, 0.9)),
            requested_eur=float(requested[i]),
            public_deficit_eur=float(deficit[i]),
            cofinancing_eur=float(deficit[i] - requested[i]),
            start_year=int(rng.integers(2023, 2026)),
            scores=tuple((k, float(v)) for k, v in zip(CRITERIA, scores[i], strict=True)),
            synthetic=True,
        )
        for i in range(n)
    ]


def efficiency_tied(apps: list[Application]) -> list[Application]:
    """The same applications with the efficientie score (weight 0.15) given by homes per euro
    (deciles, 1-10), as a Toetsingscommissie would score cost per home: the other criteria stay
    independent. Shows how much of the gain over the score ranking is the independence."""
    ratio = np.array([a.homes / a.requested_eur for a in apps])
    deciles = 1 + np.floor(9.999 * (ratio.argsort().argsort() / max(len(apps) - 1, 1)))
    return [
        replace(a, scores=tuple((k, float(d) if k == "efficientie" else v) for k, v in a.scores))
        for a, d in zip(apps, deciles, strict=True)
    ]


def tranche_4(gemeenten: list[str], seeds: int) -> dict[str, list[float]]:
    """Optimum, greedy and score rankings on ``seeds`` tranche-size instances."""
    shipped = load_scheme(SCHEMES_DIR / "woningbouwimpuls_t4.toml")
    scheme = shipped.model_copy(update={"budget_eur": T4_BUDGET_EUR})
    out: dict[str, list[float]] = {
        k: [] for k in ("optimal", "greedy", "score", "score_tied", "awards", "eligible", "spent")
    }
    for seed in range(1, seeds + 1):
        apps = tranche_applications(gemeenten, seed)
        report = allocate(scheme, apps, {}, mip_rel_gap=0.0, explain=False)
        out["optimal"].append(report.optimal.homes)
        out["awards"].append(len(report.optimal.awarded))
        out["spent"].append(report.optimal.spent_eur)
        out["eligible"].append(report.n_eligible)
        out["greedy"].append(greedy_allocation(scheme, apps, {}).homes)
        out["score"].append(report.ranking.homes)
        out["score_tied"].append(rank_allocation(scheme, efficiency_tied(apps), {}).homes)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--t4-seeds", type=int, default=20, help="tranche-size instances")
    parser.add_argument(
        "--explain", action="store_true", help="also the full report (prices every constraint)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    args = parser.parse_args()
    with reporting(args.json):
        figures = run(args)
    emit(figures, args.json)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Both instances, printed; the figures for --json."""
    areas = provinces()
    codes = sorted(c for members in areas.values() for c in members)
    apps = synthetic_applications(args.n, codes, args.seed)
    scheme, n_caps, n_floors = synthetic_scheme(apps, areas)
    demand = sum(a.requested_eur for a in apps)

    t0 = time.perf_counter()
    ranking = rank_allocation(scheme, apps, areas)
    t_rank = time.perf_counter() - t0
    ratio = rank_allocation(scheme.model_copy(update={"ranking": "ratio"}), apps, areas)
    t0 = time.perf_counter()
    greedy = greedy_allocation(scheme, apps, areas)
    t_greedy = time.perf_counter() - t0

    t0 = time.perf_counter()
    quick = allocate(scheme, apps, areas, explain=False)
    t_quick = time.perf_counter() - t0

    o = quick.optimal
    print(
        f"applications (synthetic): {len(apps):,}  eligible: {quick.n_eligible:,}  "
        f"regional caps/floors: {n_caps}/{n_floors}  max awards per gemeente: 6"
    )
    print(f"budget EUR {scheme.budget_eur / 1e6:,.0f}M of EUR {demand / 1e6:,.0f}M requested")
    print(f"status: {quick.status}  mip gap: {quick.mip_gap:.1e}")
    print(
        f"time to proven optimality (HiGHS solve): {quick.solve_seconds:.2f} s  "
        f"(allocate without explanations: {t_quick:.2f} s)"
    )
    print(f"baselines: ranking {t_rank:.3f} s, greedy {t_greedy:.3f} s")
    methods = (o, greedy, quick.ranking, ratio)
    print(f"{'':22}{'optimal':>12}{'greedy':>12}{'rank by score':>15}{'rank by ratio':>15}")
    for label, attr in (
        ("homes", "homes"),
        ("affordable homes", "affordable_homes"),
        ("spent (EUR M)", "spent_eur"),
        ("awards", "awarded"),
    ):
        vals = []
        for alloc in methods:
            v = getattr(alloc, attr)
            vals.append(len(v) if attr == "awarded" else v / 1e6 if attr == "spent_eur" else v)
        print(
            f"{label:22}"
            + "".join(f"{v:>{w},.0f}" for v, w in zip(vals, (12, 12, 15, 15), strict=True))
        )
    print(
        f"unmet floors: greedy {list(greedy.unmet_floors)}, rank by score "
        f"{list(quick.ranking.unmet_floors)}, rank by ratio {list(ratio.unmet_floors)}"
    )
    print(
        f"homes gained by the optimum: over the greedy baseline {o.homes - greedy.homes:+,.0f} "
        f"({o.homes / greedy.homes - 1:+.1%}); over ranking by score "
        f"{o.homes - quick.ranking.homes:+,.0f} ({o.homes / quick.ranking.homes - 1:+.1%}; "
        "the synthetic scores are independent of cost per home)"
    )
    assert ranking.objective == quick.ranking.objective
    if args.explain:
        t0 = time.perf_counter()
        full = allocate(scheme, apps, areas, explain=True)
        print(
            f"full report with {2 + n_caps + n_floors} re-solves: {time.perf_counter() - t0:.2f} s"
        )
        print(f"marginal value of budget: {full.marginal_homes_per_meur} homes per extra EUR 1M")
        binding = [c.name for c in full.constraints if c.binding]
        unknown = [c.name for c in full.constraints if c.binding is None]
        print(
            f"binding constraints: {', '.join(binding) or 'none'}; "
            f"unknown within the explain time limit: {', '.join(unknown) or 'none'}"
        )
    print(f"bar < {BAR_S:.0f} s: {'PASS' if quick.solve_seconds < BAR_S else 'FAIL'}")
    if importlib.util.find_spec("pulp") is None:
        print("PuLP/CBC cross-check: skipped (pulp not installed)")
    else:
        cross_check_pulp(scheme, apps, areas, o.objective)

    t4 = tranche_4(codes, args.t4_seeds)
    mean = {k: float(np.mean(v)) for k, v in t4.items()}
    gain_greedy = np.array(t4["optimal"]) - np.array(t4["greedy"])
    gain_score = np.array(t4["optimal"]) - np.array(t4["score"])
    gain_tied = np.array(t4["optimal"]) - np.array(t4["score_tied"])
    print(
        f"\ntranche-size instances ({args.t4_seeds} seeds, SYNTHETIC): {T4_APPLICATIONS} "
        f"applications each ({mean['eligible']:.1f} eligible on average), budget EUR "
        f"{T4_BUDGET_EUR / 1e6:.0f}M, the shipped T4 scheme's rules"
    )
    print(
        f"optimum: {mean['awards']:.1f} awards, {mean['optimal']:,.0f} homes, EUR "
        f"{mean['spent'] / 1e6:.1f}M on average (tranche 4: 20 awards, 24,768 homes, EUR 112M)"
    )
    for label, gain, base in (
        ("greedy by homes per euro", gain_greedy, "greedy"),
        ("ranking by score (independent scores)", gain_score, "score"),
        ("ranking by score (efficientie from cost per home)", gain_tied, "score_tied"),
    ):
        share = gain / np.array(t4[base])
        print(
            f"gain over {label}: mean {gain.mean():+,.0f} homes ({share.mean():+.1%}), "
            f"median {np.median(gain):+,.0f}, max {gain.max():+,.0f}; "
            f"no gain in {int((gain <= 0).sum())} of {len(gain)}"
        )
    return [
        figure("funding_solve_5000", quick.solve_seconds, "s", None, BAR_S),
        figure(
            "funding_5000_optimum_vs_greedy", o.homes, "homes", greedy.homes, None,
            "greedy by homes per euro, floors and caps kept",
        ),
        figure(
            "funding_5000_optimum_vs_score_ranking", o.homes, "homes", quick.ranking.homes, None,
            "ranking by score (scores independent of cost)",
        ),
        figure(
            "funding_t4_optimum_vs_greedy", mean["optimal"], "homes", mean["greedy"], None,
            f"greedy by homes per euro; mean of {args.t4_seeds} tranche-size instances",
        ),
        figure(
            "funding_t4_optimum_vs_score_ranking", mean["optimal"], "homes", mean["score"], None,
            f"ranking by score (independent); mean of {args.t4_seeds} instances",
        ),
    ]  # fmt: skip


def cross_check_pulp(
    scheme: object, apps: list[Application], areas: dict[str, set[str]], objective: float
) -> None:
    """Solve the same MILP with PuLP/CBC and compare the optimum (only if pulp is installed)."""
    import pulp  # type: ignore[import-not-found, import-untyped, unused-ignore]

    from opgave.funding.eligibility import check_eligibility
    from opgave.funding.scheme import Scheme

    assert isinstance(scheme, Scheme)
    elig = [a for a, e in zip(apps, check_eligibility(scheme, apps), strict=True) if e.eligible]
    prob = pulp.LpProblem("funding", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(len(elig))]
    prob += pulp.lpSum(a.homes * v for a, v in zip(elig, x, strict=True))
    prob += (
        pulp.lpSum(a.requested_eur * v for a, v in zip(elig, x, strict=True)) <= scheme.budget_eur
    )
    for c in scheme.region_cap:
        prob += (
            pulp.lpSum(
                a.requested_eur * v
                for a, v in zip(elig, x, strict=True)
                if a.gemeente_code in areas[c.area]
            )
            <= c.max_eur
        )
    for f in scheme.region_floor:
        prob += (
            pulp.lpSum(
                a.requested_eur * v
                for a, v in zip(elig, x, strict=True)
                if a.gemeente_code in areas[f.area]
            )
            >= f.min_eur
        )
    k = scheme.limits.max_awards_per_gemeente
    if k is not None:
        for g in {a.gemeente_code for a in elig}:
            prob += pulp.lpSum(v for a, v in zip(elig, x, strict=True) if a.gemeente_code == g) <= k
    t0 = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=1e-4))
    cbc = pulp.value(prob.objective)
    print(
        f"PuLP/CBC: {cbc:,.0f} homes in {time.perf_counter() - t0:.2f} s "
        f"(HiGHS {objective:,.0f}; relative difference {abs(cbc - objective) / objective:.1e})"
    )


if __name__ == "__main__":
    main()
