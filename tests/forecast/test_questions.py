"""Tests of opgave.forecast.questions: chances of reaching targets, the capacity ratio needed,
scenario differences."""

from __future__ import annotations

import numpy as np
import pytest

from opgave.forecast.assumptions import Assumptions
from opgave.forecast.engine import PlanInputs, simulate
from opgave.forecast.questions import (
    Target,
    compare_targets,
    required_capacity_ratio,
    summarise_targets,
)


def _plans(
    homes: np.ndarray,
    *,
    n_years: int = 1,
    dropout: float | np.ndarray,
) -> PlanInputs:
    n = len(homes)
    sched = np.zeros((n, n_years), dtype=np.int64)
    sched[:, 0] = homes
    return PlanInputs(
        planstatus=np.full(n, "3"),
        schedule_homes=sched,
        first_year=2025,
        area_member=np.ones((n, 1), dtype=bool),
        area_code=("NL",),
        dropout_prob=np.broadcast_to(dropout, (n,)).astype(float),
        delay_prob=np.ones((n, 1)),
    )


# ---------------------------------------------------------------- targets and the norm


def test_p_reach_is_zero_for_unreachable_and_one_for_sure_targets(independent: Assumptions) -> None:
    homes = np.array([100, 200, 300])
    res = simulate(
        _plans(homes, n_years=3, dropout=np.array([0.0, 0.5, 0.5])),
        independent,
        runs=500,
        seed=1,
    )
    s = summarise_targets(
        res,
        [
            Target(0, 2025, 2027, 601, 700),  # more than the whole pipeline
            Target(0, 2025, 2027, 100, 100),  # the sure plan alone
            Target(0, 2025, 2027, 150, 600),  # range: min sometimes, max only if all deliver
        ],
    )
    assert s.p_reach_min[0] == 0 and s.p_reach_max[0] == 0
    assert s.p_reach_min[1] == 1 and s.p_reach_max[1] == 1
    assert 0.6 < s.p_reach_min[2] < 0.9 and 0.15 < s.p_reach_max[2] < 0.35
    assert s.planned_homes.tolist() == [600, 600, 600]


def test_required_capacity_ratio(independent: Assumptions) -> None:
    rng = np.random.default_rng(4)
    homes = rng.integers(5, 40, 400)
    res = simulate(_plans(homes, dropout=0.3), independent, runs=3000, seed=5)
    t = Target(0, 2025, 2025, 1000, 1000)
    norm = required_capacity_ratio(res, [t])
    ratio = norm.ratio[0]
    assert np.all(np.diff(ratio) > 0)  # more certainty needs more capacity
    assert ratio[0] == pytest.approx(1 / 0.7, rel=0.02)  # median ~ 70% delivers
    # a target the pipeline meets at exactly the 80% ratio is reached in ~80% of runs
    planned = float(homes.sum())
    check = summarise_targets(res, [Target(0, 2025, 2025, planned / ratio[1], planned)])
    assert check.p_reach_min[0] == pytest.approx(0.8, abs=0.01)
    assert norm.current_ratio[0] == planned / 1000
    sure = simulate(_plans(homes, dropout=0.0), independent, runs=50)
    assert np.allclose(required_capacity_ratio(sure, [t]).ratio, 1.0)


def test_empty_pipeline_reaches_only_a_zero_target(independent: Assumptions) -> None:
    plans = PlanInputs(
        np.array([], dtype=str), np.zeros((0, 3), dtype=int), 2025, np.zeros((0, 2)), ("A", "B")
    )
    s = summarise_targets(simulate(plans, independent, runs=10), [Target(0, 2025, 2027, 0, 5)])
    assert s.p_reach_min[0] == 1 and s.p_reach_max[0] == 0


def test_compare_targets_gives_homes_and_chances_absolute_and_relative() -> None:
    # the regression: both chances 0%, the median halves - the difference is in homes
    a = [
        {"target_id": "T1", "p50": 10_480.0, "mean": 10_000.0, "p_reach_min": 0.0},
        {"target_id": "T2", "p50": 5.0, "mean": 5.0, "p_reach_min": 0.75},
        {"target_id": "T3", "p50": 7.0, "mean": 7.0, "p_reach_min": None},
        {"target_id": "T4", "p50": 1.0, "mean": 1.0, "p_reach_min": 1.0},
    ]
    b = [
        {"target_id": "T1", "p50": 22_278.0, "mean": 20_000.0, "p_reach_min": 0.0},
        {"target_id": "T2", "p50": 0.0, "mean": 0.0, "p_reach_min": 0.25},
        {"target_id": "T3", "p50": 7.0, "mean": 7.0, "p_reach_min": 0.5},
    ]
    d = {x.target_id: x for x in compare_targets(a, b)}
    assert [x.target_id for x in compare_targets(a, b)] == ["T1", "T2", "T3", "T4"]
    assert d["T1"].p50_diff == 10_480 - 22_278
    assert d["T1"].p50_rel == pytest.approx(10_480 / 22_278 - 1)
    assert d["T1"].mean_rel == pytest.approx(-0.5) and d["T1"].p_min_diff == 0.0
    assert d["T2"].p50_rel is None and d["T2"].p_min_diff == pytest.approx(0.5)
    assert d["T3"].p_min_diff is None and d["T3"].p50_diff == 0
    assert not d["T4"].in_b and d["T4"].p50_b is None and d["T4"].p50_diff is None


def test_fan_of_some_areas_equals_the_full_summaries(mixed_plans: PlanInputs) -> None:
    from opgave.forecast.assumptions import load_assumptions
    from opgave.forecast.questions import fan

    result = simulate(mixed_plans, load_assumptions(), runs=300, seed=3)
    lines = fan(result, [9, 2])
    assert lines.area_code == ("A9", "A2")
    for name in ("cum_mean", "cum_p10", "cum_p50", "cum_p90"):
        assert np.array_equal(getattr(lines, name), getattr(result, name)[[9, 2]])
