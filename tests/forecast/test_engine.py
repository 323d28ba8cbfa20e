"""Tests of opgave.forecast.engine: analytic moments, delays, preconditions, seeds, inputs,
shared shocks and the production ceiling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from opgave.forecast.assumptions import (
    PLANSTATUSES,
    Assumptions,
    Capacity,
    ForecastInputError,
    Shocks,
    load_assumptions,
)
from opgave.forecast.engine import (
    RUN_BLOCK,
    PlanInputs,
    Preconditions,
    delivery_schedule,
    level_thresholds,
    shock_levels,
    simulate,
    whole_number_quantiles,
)

Z = 4.0  # tolerance in standard errors: a correct engine fails a check ~1 in 16,000


def _plans(
    homes: np.ndarray,
    *,
    n_years: int = 1,
    status: str = "3",
    dropout: float | np.ndarray | None = None,
    delay: list[float] | None = None,
    depends_on: np.ndarray | None = None,
    preconditions: Preconditions | None = None,
    member: np.ndarray | None = None,
    codes: tuple[str, ...] = ("NL",),
) -> PlanInputs:
    n = len(homes)
    sched = np.zeros((n, n_years), dtype=np.int64)
    sched[:, 0] = homes
    return PlanInputs(
        planstatus=np.full(n, status),
        schedule_homes=sched,
        first_year=2025,
        area_member=np.ones((n, 1), dtype=bool) if member is None else member,
        area_code=codes,
        dropout_prob=None if dropout is None else np.broadcast_to(dropout, (n,)).astype(float),
        delay_prob=None if delay is None else np.tile(delay, (n, 1)).astype(float),
        depends_on=depends_on,
        preconditions=preconditions,
    )


def _variance_se(x: np.ndarray) -> float:
    """Standard error of the sample variance from the sample's 2nd and 4th central moments."""
    d = x - x.mean()
    m2, m4 = (d**2).mean(), (d**4).mean()
    return float(np.sqrt((m4 - m2**2) / len(x)))


# ---------------------------------------------------------------- analytic moments


def test_independent_plans_match_analytic_mean_and_variance(independent: Assumptions) -> None:
    rng = np.random.default_rng(5)
    homes = rng.integers(1, 300, 150)
    p = rng.uniform(0.05, 0.6, 150)
    runs = 6000
    res = simulate(_plans(homes, dropout=p, delay=[1.0]), independent, runs=runs, seed=3)
    x = res.completions_by_run[0, 0].astype(float)
    mean = float(((1 - p) * homes).sum())
    var = float((p * (1 - p) * homes.astype(float) ** 2).sum())
    # exact 4th central moment of a sum of independent scaled Bernoullis -> SE of s^2
    mu4 = 3 * var**2 + float((homes.astype(float) ** 4 * p * (1 - p) * (1 - 6 * p * (1 - p))).sum())
    assert abs(x.mean() - mean) < Z * np.sqrt(var / runs)
    assert abs(x.var(ddof=1) - var) < Z * np.sqrt((mu4 - var**2) / runs)
    assert res.mean[0, 0] == pytest.approx(x.mean())


def test_shared_precondition_raises_variance_as_theory_says(independent: Assumptions) -> None:
    rng = np.random.default_rng(6)
    n = 120
    homes = rng.integers(1, 100, n)
    p, q = 0.3, 0.7  # own drop-out; precondition met
    pre = Preconditions(name=("rail",), p_met=np.array([q]), delay_prob=np.array([[1.0]]))
    plans = _plans(
        homes, dropout=p, delay=[1.0], depends_on=np.ones((n, 1), dtype=bool), preconditions=pre
    )
    runs = 8000
    x = simulate(plans, independent, runs=runs, seed=11).completions_by_run[0, 0]
    x = x.astype(float)
    mu = float(((1 - p) * homes).sum())
    s2 = float((p * (1 - p) * homes.astype(float) ** 2).sum())
    mean = q * mu  # X = G * Y, G ~ Bernoulli(q) shared, Y the independent sum
    var = q * (s2 + mu**2) - (q * mu) ** 2
    assert var > 10 * s2  # the shared gate dominates
    assert abs(x.mean() - mean) < Z * np.sqrt(var / runs)
    assert abs(x.var(ddof=1) - var) < Z * _variance_se(x)
    assert abs((x == 0).mean() - ((1 - q) + q * p**n)) < Z * np.sqrt(q * (1 - q) / runs)


def test_mean_per_year_with_delays_and_preconditions_matches_analytic(
    independent: Assumptions,
) -> None:
    rng = np.random.default_rng(8)
    n, n_years = 60, 4
    homes = rng.integers(1, 50, (n, n_years))
    status = rng.choice(np.array(PLANSTATUSES), n)
    pre = Preconditions(
        name=("a", "b"),
        p_met=np.array([0.8, 0.6]),
        delay_prob=np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]),
    )
    dep = np.zeros((n, 2), dtype=bool)
    dep[:20, 0] = True
    dep[10:30, 1] = True  # plans 10-19 depend on both
    plans = PlanInputs(
        status, homes, 2025, np.ones((n, 1), dtype=bool), ("NL",), depends_on=dep, preconditions=pre
    )
    a = independent
    runs = 4000
    res = simulate(plans, a, runs=runs, seed=2)
    # analytic expectation per year: own delay d, precondition delay e = max over its set
    drop, qd = a.dropout_for(status), a.delay_for(status)
    expect = np.zeros(len(res.year))
    pe = [np.array([1.0]), pre.p_met[0] * pre.delay_prob[0], pre.p_met[1] * pre.delay_prob[1]]
    both = np.zeros(3)  # P(met both, max delay = e)
    ca, cb = np.cumsum(pe[1]), np.cumsum(pe[2])
    for e in range(3):
        both[e] = ca[e] * cb[e] - (ca[e - 1] * cb[e - 1] if e else 0.0)
    for i in range(n):
        e_dist = pe[0] if not dep[i].any() else both if dep[i].all() else pe[1 + int(dep[i, 1])]
        for d, pd_ in enumerate(qd[i]):
            for e, pe_ in enumerate(e_dist):
                w = (1 - drop[i]) * pd_ * pe_
                expect[d + e : d + e + n_years] += w * homes[i]
    x = res.completions_by_run[0].astype(float)
    se = x.std(axis=1, ddof=1) / np.sqrt(runs)
    assert np.all(np.abs(x.mean(axis=1) - expect) <= Z * se + 1e-9)


# ---------------------------------------------------------------- delays, preconditions


def test_delay_shifts_delivery_exactly(independent: Assumptions) -> None:
    sched = np.array([[10, 20, 5, 0]])
    plans = PlanInputs(
        np.array(["1A"]),
        sched,
        2025,
        np.ones((1, 1), dtype=bool),
        ("NL",),
        dropout_prob=np.array([0.0]),
        delay_prob=np.array([[0.0, 1.0, 0.0, 0.0]]),
    )
    res = simulate(plans, independent, runs=50, seed=1)
    assert res.year[0] == 2025
    runs = res.completions_by_run[0]
    assert np.array_equal(
        runs, np.tile([[0], [10], [20], [5], [0], [0], [0]], (1, 50))[: len(res.year)]
    )
    assert np.array_equal(res.p10[0], res.p90[0])
    assert res.cum_p50[0, -1] == 35


def test_precondition_delay_adds_to_own_delay_and_failure_blocks(independent: Assumptions) -> None:
    sched = np.array([[7, 3], [4, 0]])
    pre = Preconditions(
        name=("late", "never"),
        p_met=np.array([1.0, 0.0]),
        delay_prob=np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]),
    )
    plans = PlanInputs(
        np.array(["2A", "2A"]),
        sched,
        2030,
        np.ones((2, 1), dtype=bool),
        ("X",),
        dropout_prob=np.zeros(2),
        delay_prob=np.array([[0.0, 1.0], [1.0, 0.0]]),
        depends_on=np.array([[True, False], [True, True]]),
        preconditions=pre,
    )
    res = simulate(plans, independent, runs=20, seed=4)
    # plan 0: own 1 year + precondition 2 years = 3 years later; plan 1: 'never' blocks it
    expected = np.zeros(len(res.year))
    expected[3:5] = [7, 3]
    assert np.array_equal(res.completions_by_run[0], np.tile(expected[:, None], (1, 20)))


def test_overlapping_areas_add_up_per_run() -> None:
    rng = np.random.default_rng(1)
    n = 300
    mun = rng.integers(0, 6, n)
    member = np.zeros((n, 10), dtype=bool)  # column 9: an area without plans
    member[np.arange(n), mun] = True
    member[:, 6] = mun < 3  # province A
    member[:, 7] = (mun >= 2) & (mun < 5)  # region across the border
    member[:, 8] = True  # nation
    sched = delivery_schedule(
        rng.integers(1, 80, n),
        2025 + rng.integers(0, 3, n),
        2027 + rng.integers(0, 3, n),
        schedule_first_year=2025,
        n_years=5,
    )
    plans = PlanInputs(
        rng.choice(np.array(PLANSTATUSES), n),
        sched,
        2025,
        member,
        tuple(f"A{i}" for i in range(10)),
    )
    x = simulate(plans, load_assumptions(), runs=300, seed=9).completions_by_run
    assert np.array_equal(x[:6].sum(axis=0), x[8])
    assert np.array_equal(x[:3].sum(axis=0), x[6])
    assert np.array_equal(x[2:5].sum(axis=0), x[7])
    assert not x[9].any() and x[8].any()


# ---------------------------------------------------------------- seeds


def test_same_seed_same_numbers_whatever_chunks_threads_and_run_count(
    mixed_plans: PlanInputs,
) -> None:
    a = load_assumptions()
    ref = simulate(mixed_plans, a, runs=700, seed=42, chunk_runs=128, threads=1)
    for chunk, threads in ((128, 1), (384, 2), (1024, 2), (1, 2)):
        other = simulate(mixed_plans, a, runs=700, seed=42, chunk_runs=chunk, threads=threads)
        assert np.array_equal(ref.completions_by_run, other.completions_by_run)
        assert np.array_equal(ref.p90, other.p90) and np.array_equal(ref.cum_mean, other.cum_mean)
    longer = simulate(mixed_plans, a, runs=900, seed=42)
    assert np.array_equal(longer.completions_by_run[:, :, :700], ref.completions_by_run)


def test_full_chunks_of_interleaved_lanes_give_the_numbers_of_small_chunks(
    mixed_plans: PlanInputs,
) -> None:
    # the default chunk steps 16 blocks side by side (runs interleaved inside the kernel);
    # across full and partial chunks every run must come out where one-block chunks put it
    a = load_assumptions()
    runs = 2 * 16 * RUN_BLOCK + 3 * RUN_BLOCK + 5  # two full chunks and a part of a third
    full = simulate(mixed_plans, a, runs=runs, seed=11, threads=2)
    small = simulate(mixed_plans, a, runs=runs, seed=11, chunk_runs=RUN_BLOCK, threads=1)
    assert np.array_equal(full.completions_by_run, small.completions_by_run)
    assert full.completions_by_run[-1].std(axis=1).min() > 0  # the nation varies in every year


def test_different_seeds_differ(mixed_plans: PlanInputs) -> None:
    a = load_assumptions()
    x = simulate(mixed_plans, a, runs=200, seed=1).completions_by_run
    y = simulate(mixed_plans, a, runs=200, seed=2).completions_by_run
    assert not np.array_equal(x, y)


def test_assumptions_change_the_figures(mixed_plans: PlanInputs, tmp_path: Path) -> None:
    f = tmp_path / "pessimistic.toml"
    f.write_text("[dropout]\n" + "\n".join(f'"{s}" = 0.6' for s in PLANSTATUSES) + "\n")
    base = simulate(mixed_plans, load_assumptions(), runs=300, seed=1)
    worse = simulate(mixed_plans, load_assumptions(f), runs=300, seed=1)
    assert worse.cum_mean[-1, -1] < 0.6 * base.cum_mean[-1, -1]


# ---------------------------------------------------------------- inputs


def test_delivery_schedule_spreads_whole_homes_earliest_first() -> None:
    s = delivery_schedule(
        [10, 3, 0], [2025, 2026, 2025], [2027, 2026, 2025], schedule_first_year=2024, n_years=5
    )
    assert s.tolist() == [[0, 4, 3, 3, 0], [0, 0, 3, 0, 0], [0, 0, 0, 0, 0]]
    with pytest.raises(ForecastInputError) as err:
        delivery_schedule([5, -1], [2025, 2027], [2030, 2026], schedule_first_year=2025, n_years=3)
    text = str(err.value)
    assert "homes" in text and "last_year" in text and "rows [1]" in text


def test_bad_plan_inputs_are_reported_together() -> None:
    plans = PlanInputs(
        np.array(["1A", "9Z"]),
        np.array([[1.5], [2]]),
        2025,
        np.ones((2, 2)),
        ("NL",),
        dropout_prob=np.array([0.1, 2.0]),
    )
    with pytest.raises(ForecastInputError) as err:
        simulate(plans, load_assumptions(), runs=10)
    text = str(err.value)
    assert "schedule_homes" in text and "area_member" in text and "dropout_prob" in text
    ok = PlanInputs(np.array(["9Z"]), np.array([[1]]), 2025, np.ones((1, 1)), ("NL",))
    with pytest.raises(ForecastInputError, match=r"planstatus.*9Z"):
        simulate(ok, load_assumptions(), runs=10)


def test_summaries_equal_numpy_statistics_over_runs(mixed_plans: PlanInputs) -> None:
    res = simulate(mixed_plans, load_assumptions(), runs=333, seed=8)
    x = res.completions_by_run.astype(np.float64)
    cum = np.cumsum(x, axis=1)
    for data, prefix in ((x, ""), (cum, "cum_")):
        assert np.allclose(getattr(res, prefix + "mean"), data.mean(axis=2))
        for q in (10, 50, 90):
            expected = np.quantile(data, q / 100, axis=2)
            assert np.array_equal(getattr(res, f"{prefix}p{q}"), expected), (prefix, q)
    planned = mixed_plans.area_member.T.astype(float) @ mixed_plans.schedule_homes
    assert np.array_equal(res.planned_homes[:, : planned.shape[1]], planned)


def test_empty_pipeline_gives_zero_completions() -> None:
    plans = PlanInputs(
        np.array([], dtype=str), np.zeros((0, 3), dtype=int), 2025, np.zeros((0, 2)), ("A", "B")
    )
    res = simulate(plans, load_assumptions(), runs=10)
    assert res.year.tolist() == [2025, 2026, 2027] and not res.cum_p90.any()


def test_common_random_numbers_across_assumption_scenarios(
    mixed_plans: PlanInputs, tmp_path: Path
) -> None:
    # same seed, higher drop-out: each plan keeps its uniform, so in EVERY run the total
    # delivered can only go down (a plan delivers iff u >= dropout)
    f = tmp_path / "worse.toml"
    f.write_text('[dropout]\n"3" = 0.5\n"4A" = 0.6\n"1A" = 0.2\n')
    base = simulate(mixed_plans, load_assumptions(), runs=300, seed=5).completions_by_run
    worse = simulate(mixed_plans, load_assumptions(f), runs=300, seed=5).completions_by_run
    total_base, total_worse = base.sum(axis=1), worse.sum(axis=1)
    assert np.all(total_worse <= total_base) and np.any(total_worse < total_base)


def test_many_groups_with_preconditions_add_up_per_run() -> None:
    # 300 municipalities: the engine works through groups in several cache-sized batches
    rng = np.random.default_rng(12)
    n, n_mun = 3000, 300
    mun = rng.integers(0, n_mun, n)
    member = np.zeros((n, n_mun + 2), dtype=bool)
    member[np.arange(n), mun] = True
    member[:, n_mun] = mun % 2 == 0  # a region of every other municipality
    member[:, n_mun + 1] = True  # nation
    pre = Preconditions(("a", "b"), np.array([0.7, 0.9]), np.array([[0.5, 0.5], [0.2, 0.8]]))
    dep = np.zeros((n, 2), dtype=bool)
    dep[rng.random(n) < 0.1, 0] = True
    dep[rng.random(n) < 0.1, 1] = True
    sched = delivery_schedule(
        rng.integers(1, 40, n),
        2025 + rng.integers(0, 5, n),
        2030 + rng.integers(0, 5, n),
        schedule_first_year=2025,
        n_years=10,
    )
    plans = PlanInputs(
        rng.choice(np.array(PLANSTATUSES), n),
        sched,
        2025,
        member,
        tuple(f"A{i}" for i in range(n_mun + 2)),
        depends_on=dep,
        preconditions=pre,
    )
    res = simulate(plans, load_assumptions(), runs=256, seed=3, chunk_runs=128)
    x = res.completions_by_run
    assert np.array_equal(x[:n_mun].sum(axis=0), x[-1])
    assert np.array_equal(x[:n_mun:2].sum(axis=0), x[n_mun])
    planned = (sched.sum(axis=1) @ member[:, :n_mun])[:, None]
    assert (x.sum(axis=1)[:n_mun] <= planned).all()  # never more than the plans hold
    assert x[-1].sum(axis=0).max() <= sched.sum() and x[-1].sum(axis=0).min() > 0


def test_whole_number_quantiles_equal_numpy_for_wide_and_large_values() -> None:
    rng = np.random.default_rng(2)
    x = np.stack(
        [
            rng.integers(0, 5, 1001),  # narrow
            rng.integers(0, 300_000, 1001),  # wider than one batch of bins
            2**24 - 1 - rng.integers(0, 1000, 1001),  # near the float32 limit
            np.full(1001, 7),  # constant
        ]
    ).astype(np.float32)
    probs = (0.1, 0.5, 0.9)
    got = whole_number_quantiles(x, probs, max_bins=1 << 12)
    assert np.array_equal(got, np.quantile(x.astype(np.float64), probs, axis=1))


# ---------------------------------------------------------------- shared shocks


def test_level_thresholds_keep_the_marginal_probabilities_exactly() -> None:
    dropout = np.array([0.0, 0.05, 0.3, 1.0, 0.45])
    delay = np.array(
        [
            [0.7, 0.2, 0.1, 0.0],
            [0.5, 0.5, 0.0, 0.0],
            [0.3, 0.3, 0.25, 0.15],
            [1, 0, 0, 0],
            [0, 0, 0, 1],
        ]
    )
    shocks = Shocks(dropout_correlation=0.2, delay_correlation=0.3)
    c = level_thresholds(dropout, delay, shocks)  # (classes x K x levels)
    assert c.shape == (5, 4, len(shock_levels()[1]))
    assert np.allclose(c[:, 0].mean(axis=1)[:3], dropout[:3], atol=1e-12)
    assert (c[0, 0] == 0).all() and np.isinf(c[3]).all()  # never / always drops stays exact
    assert np.isinf(c[0, 3]).all() and np.isinf(c[1, 2:]).all()  # impossible delays stay so
    survive = 1 - c[:, 0]
    for k in (1, 2, 3):
        tail = delay[:, k:].sum(axis=1)
        late = np.where(np.isinf(c[:, k]), 0.0, 1 - c[:, k])  # P(delivers, >= k years late)
        ok = survive.mean(axis=1) > 0
        assert np.allclose(late.mean(axis=1)[ok] / survive.mean(axis=1)[ok], tail[ok], atol=1e-9)
    assert np.all(np.diff(c[2, 0]) >= 0)  # a worse year: more drop-out ...
    assert np.all(np.diff((1 - c[2, 1]) / (1 - c[2, 0])) >= 0)  # ... and more delay
    plain = level_thresholds(dropout, delay, Shocks())  # no shocks: one level
    assert plain.shape == (5, 4, 1) and np.isinf(plain[3]).all() and plain[1, 0, 0] == 0.05


def test_shocks_keep_the_mean_and_raise_the_variance_as_the_levels_say(
    independent: Assumptions,
) -> None:
    rng = np.random.default_rng(21)
    n = 300
    homes = rng.integers(1, 60, n).astype(float)
    p = 0.3
    plans = _plans(homes.astype(np.int64), dropout=p, delay=[1.0])
    rho = 0.05
    shocked = replace(independent, shocks=Shocks(dropout_correlation=rho))
    runs = 6000
    x = simulate(plans, shocked, runs=runs, seed=4).completions_by_run[0, 0].astype(float)
    # exact moments under the discretised year condition: E[X | level] and Var[X | level]
    q = level_thresholds(np.array([p]), np.array([[1.0]]), shocked.shocks)[0, 0]  # P(drop)
    cond_mean = (1 - q) * homes.sum()
    cond_var = q * (1 - q) * (homes**2).sum()
    mean, var = cond_mean.mean(), cond_var.mean() + cond_mean.var()
    assert var > 5 * (p * (1 - p) * (homes**2).sum())  # the shared year dominates
    assert abs(x.mean() - mean) < Z * np.sqrt(var / runs)
    assert abs(x.var(ddof=1) - var) < Z * _variance_se(x)


def _two_areas(region: np.ndarray | None, due: np.ndarray) -> PlanInputs:
    n = len(due)
    sched = np.zeros((n, 2), dtype=np.int64)
    sched[np.arange(n), due] = 10
    member = np.zeros((n, 2), dtype=bool)
    member[np.arange(n), np.arange(n) % 2] = True
    return PlanInputs(
        np.full(n, "3"),
        sched,
        2025,
        member,
        ("A", "B"),
        dropout_prob=np.full(n, 0.3),
        delay_prob=np.ones((n, 1)),
        region=region,
        region_code=("r0", "r1") if region is not None else (),
    )


def _area_correlation(plans: PlanInputs, a: Assumptions) -> float:
    x = simulate(plans, a, runs=2000, seed=6).completions_by_run.sum(axis=1).astype(float)
    return float(np.corrcoef(x[0], x[1])[0, 1])


def test_persistence_ties_one_year_to_the_next(independent: Assumptions) -> None:
    n = 400
    due = np.arange(n) % 2  # area A: plans due 2025; area B: due 2026
    plans = _two_areas(None, due)
    loose = replace(independent, shocks=Shocks(dropout_correlation=0.2, persistence=0.0))
    tight = replace(loose, shocks=replace(loose.shocks, persistence=0.9))
    assert abs(_area_correlation(plans, loose)) < 0.1
    assert _area_correlation(plans, tight) > 0.6


def test_regional_share_separates_regions(independent: Assumptions) -> None:
    n = 400
    plans = _two_areas(np.arange(n) % 2, np.zeros(n, dtype=np.int64))  # A = region 0, B = 1
    national = replace(independent, shocks=Shocks(dropout_correlation=0.2))
    regional = replace(national, shocks=replace(national.shocks, regional_share=1.0))
    assert _area_correlation(plans, national) > 0.6
    assert abs(_area_correlation(plans, regional)) < 0.1


def test_production_ceiling_moves_homes_later_and_invents_none(mixed_plans: PlanInputs) -> None:
    a = load_assumptions()
    free = simulate(mixed_plans, a, runs=300, seed=2)
    nation = free.completions_by_run[-1]
    ceiling = float(np.quantile(nation.max(axis=0), 0.5))  # binds in about half the runs
    capped = simulate(
        mixed_plans, replace(a, capacity=Capacity(national_max_homes_per_year=ceiling)),
        runs=300, seed=2,
    )  # fmt: skip
    x = capped.completions_by_run
    assert len(capped.year) > len(free.year)  # room for what is pushed past the schedule
    assert (x[-1] <= ceiling).all() and (x[-1] < nation.max(axis=0)[None, :] + 1).all()
    n_free = len(free.year)
    totals = x.sum(axis=1)
    assert np.array_equal(totals, free.completions_by_run.sum(axis=1))  # per area, per run
    cum_free = np.cumsum(free.completions_by_run, axis=1)
    cum_capped = np.cumsum(x, axis=1)[:, :n_free]
    assert (cum_capped <= cum_free).all() and (cum_capped < cum_free).any()
    assert np.array_equal(x[:8].sum(axis=0), x[-1])  # municipalities still add up


def test_shocks_regions_and_ceiling_keep_results_bit_identical_across_chunks(
    mixed_plans: PlanInputs,
) -> None:
    a = load_assumptions()
    a = replace(
        a,
        shocks=replace(a.shocks, dropout_correlation=0.1, regional_share=0.5),
        capacity=Capacity(national_max_homes_per_year=2000),
    )
    ref = simulate(mixed_plans, a, runs=520, seed=9, chunk_runs=128, threads=1)
    for chunk, threads in ((384, 2), (1024, 1), (1, 2)):
        other = simulate(mixed_plans, a, runs=520, seed=9, chunk_runs=chunk, threads=threads)
        assert np.array_equal(ref.completions_by_run, other.completions_by_run)
    longer = simulate(mixed_plans, a, runs=700, seed=9)
    assert np.array_equal(longer.completions_by_run[:, :, :520], ref.completions_by_run)


def test_the_engine_draws_numpy_s_sfc64_words(independent: Assumptions) -> None:
    # one plan, one year, drop-out 0.37: in run r it delivers iff its 31-bit word is >= the
    # threshold; the words are those of numpy's SFC64 for the run's block (stream 0)
    plans = _plans(np.array([10]), dropout=0.37, delay=[1.0])
    runs = 300
    x = simulate(plans, independent, runs=runs, seed=8, chunk_runs=128).completions_by_run[0, 0]
    words = np.concatenate(
        [
            np.random.SFC64(np.random.SeedSequence(8, spawn_key=(b, 0)))
            .random_raw(RUN_BLOCK // 2)
            .view(np.uint32)
            for b in range(-(-runs // RUN_BLOCK))
        ]
    )[:runs]
    delivers = (words >> 1) >= round(0.37 * 2**31)
    assert np.array_equal(x, np.where(delivers, 10.0, 0.0))
