"""Tests of opgave.forecast.synthetic: generated histories are labelled, shaped like the
tables, reproducible, and their fates follow the true assumptions."""

from __future__ import annotations

import numpy as np

from opgave.forecast.assumptions import PLANSTATUSES, load_assumptions
from opgave.forecast.synthetic import SOURCE, synthetic_history


def test_synthetic_histories_are_labelled_and_shaped_like_the_tables() -> None:
    h = synthetic_history(load_assumptions(), plans_per_year=20, seed=1)
    assert SOURCE["confidence"] == "synthetic"
    assert {p["source_id"] for p in h.plans} == {SOURCE["id"]}
    assert all(r["valid_from"] < r["valid_to"] for r in h.history)
    dropped = [p for p in h.plans if p["dropped_on"] is not None]
    assert dropped and all(
        any(r["plan_id"] == p["id"] and r["valid_to"] == p["dropped_on"] for r in h.history)
        for p in dropped
    )
    again = synthetic_history(load_assumptions(), plans_per_year=20, seed=1)
    assert again.plans == h.plans and again.history == h.history


def test_fates_follow_the_true_drop_out() -> None:
    truth = load_assumptions()
    h = synthetic_history(truth, plans_per_year=400, seed=2)
    status = {p["id"]: p["planstatus"] for p in h.plans}
    for s in ("1A", "3", "4B"):
        fates = [k for pid, (_, k, _) in h.fate.items() if status[pid] == s]
        share = np.mean([k == -1 for k in fates])
        # shared shocks move a history's share; it stays near the planstatus's value
        assert abs(share - truth.dropout_prob[s]) < 0.06, (s, share)
    assert set(status.values()) == set(PLANSTATUSES)
