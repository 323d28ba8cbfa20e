"""Fixtures of the forecast tests: assumptions without shocks, a mixed pipeline."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from opgave.forecast.assumptions import PLANSTATUSES, Assumptions, Shocks, load_assumptions
from opgave.forecast.engine import PlanInputs, Preconditions, delivery_schedule


@pytest.fixture(scope="session")
def independent() -> Assumptions:
    """The shipped assumptions without shared shocks: plans independent but for preconditions."""
    return replace(load_assumptions(), shocks=Shocks())


@pytest.fixture(scope="session")
def mixed_plans() -> PlanInputs:
    """400 plans in 8 municipalities, a province of four, the nation; one precondition."""
    rng = np.random.default_rng(3)
    n = 400
    mun = rng.integers(0, 8, n)
    member = np.zeros((n, 10), dtype=bool)
    member[np.arange(n), mun] = True
    member[:, 8] = mun < 4
    member[:, 9] = True
    pre = Preconditions(("p",), np.array([0.7]), np.array([[0.6, 0.4]]))
    dep = (rng.random(n) < 0.1)[:, None]
    sched = delivery_schedule(
        rng.integers(1, 60, n),
        2025 + rng.integers(0, 4, n),
        2028 + rng.integers(0, 3, n),
        schedule_first_year=2025,
        n_years=6,
    )
    return PlanInputs(
        rng.choice(np.array(PLANSTATUSES), n),
        sched,
        2025,
        member,
        tuple(f"A{i}" for i in range(10)),
        depends_on=dep,
        preconditions=pre,
        region=(mun >= 4).astype(np.int64),
        region_code=("west", "east"),
    )
