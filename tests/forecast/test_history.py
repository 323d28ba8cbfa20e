"""Tests of opgave.forecast.history: reading the lists, censoring, recovering known rates,
the calibrated assumptions file."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from opgave.forecast.assumptions import (
    PLANSTATUSES,
    Assumptions,
    ForecastInputError,
    Shocks,
    load_assumptions,
)
from opgave.forecast.history import (
    CENSORED,
    DROP,
    START,
    calibrated_toml,
    learn,
    observe,
    plan_overrides,
)
from opgave.forecast.synthetic import synthetic_history


def _version(pid: str, start: int, end: int | None, first: int, status: str = "3") -> Any:
    return {
        "plan_id": pid,
        "id": pid,
        "gemeente_id": "GM1",
        "homes": 40,
        "planstatus": status,
        "first_year": first,
        "last_year": first + 1,
        "valid_from": dt.date(start, 1, 1),
        "valid_to": None if end is None else dt.date(end, 1, 1),
    }


def _lists() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Five yearly lists 2020-2024 and five plans with known fates."""
    history = [
        _version("A", 2020, 2022, 2021),  # due 2021; moved to 2022 in the 2022 list
        _version("A", 2022, 2024, 2022),  # 2024 list: started 2022 (first year in the past)
        _version("B", 2020, 2022, 2023),  # due 2023, gone in 2022 while pending: dropped 2021
        _version("D", 2020, 2021, 2022, "4A"),  # 4A, then 3 in 2021 (two entries)
        _version("E", 2020, 2021, 2021),  # gone in 2021, back in 2023: never dropped
    ]
    plans = [
        {**_version("A", 2024, None, 2022), "dropped_on": None},
        {**_version("B", 2020, None, 2023), "dropped_on": dt.date(2022, 1, 1)},
        {**_version("C", 2020, None, 2026), "dropped_on": None},  # pending throughout
        {**_version("D", 2021, None, 2025), "dropped_on": None},
        {**_version("E", 2023, None, 2025), "dropped_on": None},
    ]
    for p in plans:
        p.pop("plan_id"), p.pop("valid_to")
    for h in history:
        h.pop("id")
    return plans, history


def test_the_lists_say_who_dropped_out_who_started_and_who_is_censored() -> None:
    plans, history = _lists()
    obs = observe(plans, history)
    assert obs.captures == tuple(dt.date(y, 1, 1) for y in (2020, 2021, 2022, 2023, 2024))
    entry = {(p, str(s)): i for i, (p, s) in enumerate(zip(obs.plan_id, obs.status, strict=True))}
    a = entry[("A", "3")]
    assert (obs.event[a], obs.due_year[a], obs.lead[a], obs.tau[a]) == (START, 2021, -1, 1)
    b = entry[("B", "3")]
    assert (obs.event[b], obs.tau[b]) == (DROP, 2021 - 2023)  # removed from the 2022 list
    c = entry[("C", "3")]
    assert (obs.event[c], obs.tau[c]) == (CENSORED, 2024 - 2026)  # known pending until 2024
    assert {s for p, s in entry if p == "D"} == {"4A", "3"}
    assert obs.event[entry[("E", "3")]] == CENSORED  # a plan that came back was not dropped
    assert obs.plans == 5 and obs.outcome["A"] == (START, 2022)
    assert set(obs.pending) == {"C", "D", "E"} and obs.pending["C"]["tau_now"] == -2


def test_as_of_uses_only_what_was_known_then() -> None:
    plans, history = _lists()
    then = observe(plans, history, as_of=dt.date(2021, 6, 1))
    assert then.captures[-1] == dt.date(2021, 1, 1)
    entry = {p: i for i, p in enumerate(then.plan_id) if then.status[i] == "3"}
    assert then.event[entry["A"]] == CENSORED and then.event[entry["B"]] == CENSORED
    assert "A" in then.pending and "B" in then.pending  # both still pending in 2021
    with pytest.raises(ForecastInputError, match="at least two plan lists"):
        observe(plans, history, as_of=dt.date(2020, 6, 1))


@pytest.mark.slow
@pytest.mark.parametrize("shocks", [False, True])
def test_learned_rates_recover_the_generating_ones_within_their_intervals(shocks: bool) -> None:
    truth = load_assumptions()
    if not shocks:
        truth = replace(truth, shocks=Shocks())
    hits, errors = [], []
    for seed in range(4):
        h = synthetic_history(truth, plans_per_year=300, seed=seed)
        learned = learn(h.plans, h.history, replicates=100, seed=seed, by_size=False)
        for s in PLANSTATUSES:
            e = learned.by_status[s]
            assert e.learned and e.dropped + e.started + e.censored == e.entries
            d = truth.dropout_prob[s]
            hits.append(e.dropout_interval[0] <= d <= e.dropout_interval[1])
            errors.append(e.dropout - d)
            for k, (lo, hi) in enumerate(e.delay_interval):
                hits.append(lo - 1e-9 <= truth.delay_prob[s][k] <= hi + 1e-9)
    # 90% intervals: most contain the truth; the estimates are unbiased
    assert np.mean(hits) >= 0.8, np.mean(hits)
    assert abs(np.mean(errors)) < 0.01 and np.std(errors) < 0.04


def test_a_biased_history_is_learned_as_biased() -> None:
    # the estimator follows the data, not the defaults: double every drop-out
    truth = load_assumptions()
    gloomy = replace(
        truth, dropout_prob={s: min(0.9, 2 * truth.dropout_prob[s]) for s in PLANSTATUSES}
    )
    h = synthetic_history(gloomy, plans_per_year=300, seed=7)
    learned = learn(h.plans, h.history, replicates=50, by_size=False)
    for s in ("3", "4A", "4B"):
        lo, hi = learned.by_status[s].dropout_interval
        assert lo <= gloomy.dropout_prob[s] <= hi and lo > truth.dropout_prob[s]


def test_calibrate_writes_an_assumptions_file_with_its_evidence(tmp_path: Path) -> None:
    h = synthetic_history(load_assumptions(), plans_per_year=120, seed=3)
    learned = learn(h.plans, h.history, replicates=30)
    text = calibrated_toml(learned, generated=dt.date(2025, 1, 2))
    path = tmp_path / "learned.toml"
    path.write_text(text)
    a = load_assumptions(path)
    assert a.evidence["plans"] == learned.plans and a.evidence["captures"] == 13
    assert a.evidence["first_capture"] == dt.date(2012, 1, 1)
    for s, e in learned.by_status.items():
        if e.learned:
            assert a.dropout_prob[s] == pytest.approx(e.dropout, abs=1e-4)
            assert "Learned from" in a.source_note[s]
        else:
            assert a.dropout_prob[s] == load_assumptions().dropout_prob[s]
            assert s in a.evidence["defaults_kept"]
    assert a.stated[1].startswith(f"{path} (sha256 ")
    sizes = a.evidence["status"]["3"]
    assert {"1-19", "20-99", "100-499"} <= set(sizes) and sizes["entries"] > 0
    assert learned.by_status["1B"].entries < 120  # few 1B plans: maybe not learned


def test_a_plan_long_in_the_lists_has_its_own_odds() -> None:
    truth: Assumptions = load_assumptions()
    h = synthetic_history(truth, plans_per_year=300, seed=5)
    learned = learn(h.plans, h.history, replicates=0, by_size=False)
    fresh = [p for p, i in learned.pending.items() if i["tau_now"] == i["lead"]]
    overdue = [p for p, i in learned.pending.items() if i["tau_now"] >= 2]
    assert fresh and overdue
    firsts = [learned.pending[p]["first_year"] for p in fresh + overdue]
    dropout, delay = plan_overrides(learned, fresh + overdue, firsts)
    assert not np.isnan(dropout).any() and np.allclose(delay.sum(axis=1), 1)
    # in these histories a plan that drops out leaves the lists within a year after its due
    # year, so one still pending two years after it will deliver; a new plan has the odds
    # of its planstatus
    assert dropout[len(fresh) :].max() < 0.01
    by_status = {s: e.dropout for s, e in learned.by_status.items()}
    expected = np.mean([by_status[learned.pending[p]["status"]] for p in fresh])
    assert dropout[: len(fresh)].mean() == pytest.approx(expected, abs=0.05)
    unknown, _ = plan_overrides(learned, ["nope"], [2030])
    assert np.isnan(unknown).all()
