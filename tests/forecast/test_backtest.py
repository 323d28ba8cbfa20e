"""Tests of opgave.forecast.backtest: what happened is read right, the forecast from a date is
calibrated on synthetic histories generated with known parameters."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from opgave.forecast.assumptions import ForecastInputError, load_assumptions
from opgave.forecast.backtest import backtest
from opgave.forecast.engine import delivery_schedule
from opgave.forecast.synthetic import synthetic_history

AT = dt.date(2019, 1, 1)


def test_backtest_reads_what_happened_after_the_date() -> None:
    h = synthetic_history(load_assumptions(), plans_per_year=80, seed=11)
    areas = {g: (r, "SYN-NL") for g, r in h.region_of.items()}
    r = backtest(h.plans, h.history, at=AT, areas_of=areas, region_of=h.region_of, runs=300)
    assert (r.start_year, r.end_year) == (2019, 2023)
    assert len(r.cells) == 5 * 5 and {c.area_id for c in r.cells} == {
        "SYN-NL",
        *h.region_of.values(),
    }
    # the realised national completions, recomputed from the generator's true fates: plans
    # listed and pending on 1 January 2019 that started, with their homes from their start
    pending = {}
    for p in h.plans + [{**x, "id": x["plan_id"]} for x in h.history]:
        start = p["valid_from"]
        end = p.get("valid_to") or p.get("dropped_on")
        if start <= AT and (end is None or end > AT) and p["first_year"] >= 2019:
            pending[p["id"]] = p
    expected = np.zeros(5)
    for pid, p in pending.items():
        _, _, start = h.fate[pid]
        if start is None or start > 2023:
            continue
        span = p["last_year"] - p["first_year"]
        years = delivery_schedule(
            [p["homes"]], [start], [start + span], schedule_first_year=2019,
            n_years=start + span - 2018,
        )[0]  # fmt: skip
        expected += years[:5] if len(years) >= 5 else np.pad(years, (0, 5 - len(years)))
    nation = [c.realised for c in r.cells if c.area_id == "SYN-NL"]
    assert r.plans == len(pending) and nation == expected.tolist()
    cum = [c.realised for c in r.cumulative if c.area_id == "SYN-NL"]
    assert cum == np.cumsum(expected).tolist()
    assert all(c.p10 <= c.p50 <= c.p90 and 0 <= c.pit <= 1 for c in r.cells)
    assert (
        r.assumptions[0] == "defaults"
        and "learned from the plan lists up to 2019-01-01" in (r.assumptions[1])
    )
    assert r.learned is not None and r.learned.captures[-1] == AT


def test_backtest_needs_lists_after_the_date() -> None:
    h = synthetic_history(load_assumptions(), plans_per_year=20, seed=2, last_year=2016)
    with pytest.raises(ForecastInputError, match="later year than 2016"):
        backtest(h.plans, h.history, at=dt.date(2016, 6, 1), areas_of={})


@pytest.mark.slow
def test_calibrated_forecast_covers_80_percent_of_held_out_outcomes() -> None:
    # many histories generated with known parameters (shared shocks included); each is
    # learned up to 2019, forecast for 2019-2023 and compared with what the history did
    truth = load_assumptions()
    inside, cumulative, pits = [], [], []
    for seed in range(16):  # 3,900 plans each (real national lists hold many more)
        h = synthetic_history(truth, plans_per_year=300, seed=3000 + seed)
        areas = {g: (r, "SYN-NL") for g, r in h.region_of.items()}
        r = backtest(
            h.plans, h.history, at=AT, areas_of=areas, region_of=h.region_of, runs=500, seed=seed
        )
        inside += [c.inside_80 for c in r.cells]
        cumulative += [c.inside_80 for c in r.cumulative]
        pits += [c.pit for c in r.cells]
    assert 0.75 <= np.mean(inside) <= 0.85, np.mean(inside)
    assert 0.7 <= np.mean(cumulative) <= 0.9, np.mean(cumulative)
    pit = np.array(pits)
    for q in (0.1, 0.5, 0.9):  # stated chances come true about as often as stated
        assert abs((pit <= q).mean() - q) < 0.06
