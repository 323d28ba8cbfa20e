"""Tests for opgave.funding: schemes, applications, eligibility, optimal allocation vs ranking."""

from __future__ import annotations

import importlib.util
import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opgave.funding.allocation import allocate, greedy_allocation, rank_allocation
from opgave.funding.applications import Application, parse_applications, read_applications
from opgave.funding.eligibility import check_eligibility
from opgave.funding.scheme import (
    SCHEMES_DIR,
    FundingError,
    FundingInputError,
    Scheme,
    load_scheme,
    scheme_from_dict,
)

GEMEENTEN = ("GM0363", "GM0599", "GM0344", "GM0014")
AREAS = {"NORTH": {"GM0014"}, "RANDSTAD": {"GM0363", "GM0599", "GM0344"}, "ZH": {"GM0599"}}


def app(
    i: int, gm: str = "GM0363", homes: int = 600, requested: float = 1e6, **kw: Any
) -> Application:
    """An application that passes every rule of `strict_scheme` unless overridden."""
    fields: dict[str, Any] = {
        "application_id": f"A{i:02d}",
        "gemeente_code": gm,
        "homes": homes,
        "affordable_homes": homes,
        "requested_eur": requested,
        "public_deficit_eur": 2 * requested,
        "cofinancing_eur": requested,
        "start_year": 2023,
    }
    fields.update(kw)
    return Application(**fields)


def scheme(**kw: Any) -> Scheme:
    data: dict[str, Any] = {"name": "test", "budget_eur": 10e6}
    data.update(kw)
    return scheme_from_dict(data)


STRICT = {
    "min_homes": 500,
    "min_affordable_share": 0.5,
    "max_deficit_share": 0.5,
    "start_within_years": 3,
    "reference_year": 2022,
}


# ---- shipped files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["woningbouwimpuls_t4.toml", "impuls_14_gebieden.toml"])
def test_shipped_schemes_load_and_mark_assumptions(name: str) -> None:
    s = load_scheme(SCHEMES_DIR / name)
    assert s.budget_eur > 0
    assert s.assumptions and s.sources
    assert s.eligibility.max_deficit_share == 0.5
    assert s.eligibility.min_affordable_share == 0.5


def test_wbi_scheme_follows_the_regulation() -> None:
    s = load_scheme(SCHEMES_DIR / "woningbouwimpuls_t4.toml")
    rules = s.eligibility
    assert (rules.min_homes, rules.start_within_years, rules.reference_year) == (500, 3, 2022)
    assert rules.min_homes_for("GM0307") == (200, rules.min_homes_group[0].name)  # Amersfoort
    assert rules.min_homes_for("GM0363")[0] == 500  # Amsterdam
    assert s.score is not None
    assert s.score.weights == {
        "noodzaak": 0.30,
        "effectiviteit": 0.30,
        "efficientie": 0.15,
        "urgentie": 0.25,
    }
    assert s.ranking_rule == "score"


def test_14_areas_scheme_includes_amersfoort() -> None:
    s = load_scheme(SCHEMES_DIR / "impuls_14_gebieden.toml")
    assert s.budget_eur == 500e6 and s.expected_homes == 35_000
    assert s.eligibility.gemeenten is not None and "GM0307" in s.eligibility.gemeenten


def test_example_applications_are_synthetic_and_allocate() -> None:
    apps = read_applications(SCHEMES_DIR / "example_applications.csv")
    assert 30 <= len(apps) <= 50
    assert all(a.synthetic for a in apps)
    s = load_scheme(SCHEMES_DIR / "woningbouwimpuls_t4.toml")
    report = allocate(s, apps, {})
    assert report.status == "optimal"
    assert report.optimal.objective >= report.ranking.objective
    assert report.optimal.spent_eur <= s.budget_eur + 1e-6
    assert any("synthetic" in n for n in report.notes)


# ---- scheme validation ----------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_invalid_scheme_names_every_bad_key_and_the_file(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        'name = "x"\nbudget_eur = "lots"\nobjective = "votes"\n'
        "[eligibility]\nmin_hoems = 500\nmax_deficit_share = 0.5\n"
        '[[region_cap]]\narea = "PV27"\nmax = 1\n',
    )
    with pytest.raises(FundingInputError) as exc:
        load_scheme(p)
    keys = {pr.column for pr in exc.value.problems}
    assert {"budget_eur", "objective", "eligibility.min_hoems", "region_cap[1].max"} <= keys
    assert "region_cap[1].max_eur" in keys  # required and missing
    assert all(pr.file == str(p) for pr in exc.value.problems)
    text = str(exc.value)
    assert "min_hoems" in text and "min_homes" in text  # names the typo and the allowed keys


def test_scheme_rejects_bool_for_number_and_bad_gemeente(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        'name = "x"\nbudget_eur = true\n[[eligibility.min_homes_group]]\n'
        'name = "g"\ngemeenten = ["Amsterdam"]\nmin_homes = 200\n',
    )
    with pytest.raises(FundingInputError) as exc:
        load_scheme(p)
    keys = {pr.column for pr in exc.value.problems}
    assert keys == {"budget_eur", "eligibility.min_homes_group[1].gemeenten"}


def test_scheme_assumptions_must_name_existing_keys(tmp_path: Path) -> None:
    p = write(tmp_path, 'name = "x"\nbudget_eur = 1\nassumptions = ["budget_eur", "nope"]\n')
    with pytest.raises(FundingInputError, match="nope"):
        load_scheme(p)


def test_scheme_score_objective_needs_weights_and_toml_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(FundingInputError, match=r"\[score\] table"):
        load_scheme(write(tmp_path, 'name = "x"\nbudget_eur = 1\nobjective = "score"\n'))
    with pytest.raises(FundingInputError, match="valid TOML"):
        load_scheme(write(tmp_path, "name = \n", "bad.toml"))
    with pytest.raises(FundingInputError, match="existing file"):
        load_scheme(tmp_path / "missing.toml")


# ---- applications ---------------------------------------------------------------------------

HEADER = (
    "application_id,gemeente_code,homes,affordable_homes,requested_eur,public_deficit_eur,"
    "cofinancing_eur,start_year"
)


def test_read_applications_collects_every_problem(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text(
        HEADER + ",score_noodzaak\n"
        "A1,363,600,300,1000000,2000000,1000000,2023,7\n"
        "A1,GM9999,60x,300,1000000,2000000,1000000,2023,\n"
        "A3,Amsterdam,100,200,-5,2000000,1000000,2023,8\n"
        "A4,0599,600,300,1.200.000,2000000,1000000,20x3,-1\n",
        encoding="utf-8",
    )
    with pytest.raises(FundingInputError) as exc:
        read_applications(p, known_gemeenten={"GM0363", "GM0599"})
    found = {(pr.row, pr.column) for pr in exc.value.problems}
    assert found == {
        (3, "application_id"),
        (3, "gemeente_code"),
        (3, "homes"),
        (4, "gemeente_code"),
        (4, "affordable_homes"),
        (4, "requested_eur"),
        (5, "requested_eur"),
        (5, "start_year"),
        (5, "score_noodzaak"),
    }
    assert "row 3" in str(exc.value) and str(p) in str(exc.value)


def test_read_applications_missing_and_unknown_columns(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("application_id;gemeente_code;homes;colour\nA1;363;5;red\n", encoding="utf-8")
    with pytest.raises(FundingInputError) as exc:
        read_applications(p)
    cols = {pr.column for pr in exc.value.problems}
    assert {"affordable_homes", "requested_eur", "start_year", "colour"} <= cols


def test_read_applications_normalises_codes_and_reads_scores(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text(
        HEADER + ",plan_id,score_urgentie\n"
        "X,gm0363,600,300,1e6,2000000,1000000,2023,P-1,7.5\n"
        "Y,599,600,300,1000000,2000000,1000000,2023,,\n",
        encoding="utf-8",
    )
    a, b = read_applications(p)
    assert (a.gemeente_code, b.gemeente_code) == ("GM0363", "GM0599")
    assert a.plan_id == "P-1" and b.plan_id is None
    assert a.score_map == {"urgentie": 7.5} and b.score_map == {}


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is not None, reason="openpyxl installed")
def test_xlsx_without_openpyxl_gives_clear_message(tmp_path: Path) -> None:
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"PK")
    with pytest.raises(FundingInputError, match="openpyxl"):
        read_applications(p)


# ---- eligibility ----------------------------------------------------------------------------


def test_application_failing_three_rules_lists_all_three() -> None:
    s = scheme(eligibility=STRICT)
    bad = app(1, homes=180, affordable_homes=40, start_year=2027)
    (e,) = check_eligibility(s, [bad])
    assert not e.eligible
    assert e.failed_rules == ("min_homes", "min_affordable_share", "start_within_years")
    assert e.reasons == (
        "adds 180 homes; the scheme requires at least 500",
        "22% of the homes are affordable (40 of 180); the scheme requires at least 50%",
        "starts construction in 2027, 5 years after 2022; the scheme requires a start within "
        "3 years",
    )


def test_deficit_share_in_words_and_group_minimum() -> None:
    s = scheme(
        eligibility={
            **STRICT,
            "min_homes_group": [{"name": "klein", "gemeenten": ["0014"], "min_homes": 200}],
        }
    )
    over = app(1, requested=6.2e6, public_deficit_eur=10e6, cofinancing_eur=3.8e6)
    small_ok = app(2, gm="GM0014", homes=250)
    small_bad = app(3, gm="GM0363", homes=250)
    e1, e2, e3 = check_eligibility(s, [over, small_ok, small_bad])
    assert e1.reasons == (
        "requests 62% of the public deficit; the scheme allows at most 50%",
        "co-finances 38% of the public deficit; the scheme requires at least 50%",
    )
    assert e2.eligible
    assert e3.failed_rules == ("min_homes",)


def test_percentage_shows_decimals_when_rounding_would_hide_the_breach() -> None:
    s = scheme(eligibility={"max_deficit_share": 0.5})
    (e,) = check_eligibility(s, [app(1, requested=502e3, public_deficit_eur=1e6)])
    assert e.reasons[0].startswith("requests 50.2% of the public deficit")


def test_missing_scores_make_an_application_ineligible_when_the_scheme_scores() -> None:
    s = scheme(ranking="score", score={"weights": {"noodzaak": 0.5, "urgentie": 0.5}})
    ok = app(1, scores=(("noodzaak", 5.0), ("urgentie", 6.0)))
    missing = app(2, scores=(("noodzaak", 5.0),))
    out_of_range = app(3, scores=(("noodzaak", 11.0), ("urgentie", 6.0)))
    e = check_eligibility(s, [ok, missing, out_of_range])
    assert [x.eligible for x in e] == [True, False, False]
    assert "urgentie" in e[1].reasons[0] and "noodzaak=11" in e[2].reasons[0]


# ---- clear messages instead of tracebacks ---------------------------------------------------


def test_empty_input_is_a_clear_error() -> None:
    with pytest.raises(FundingError, match="no applications"):
        allocate(scheme(), [])


def test_all_ineligible_is_a_clear_error() -> None:
    s = scheme(eligibility=STRICT)
    with pytest.raises(FundingError, match=r"none of the 2 applications is eligible.*min_homes"):
        allocate(s, [app(1, homes=10), app(2, homes=20)])


def test_zero_budget_is_a_clear_error() -> None:
    with pytest.raises(FundingInputError, match="budget_eur"):
        scheme(budget_eur=0)
    s = scheme().model_copy(update={"budget_eur": 0.0})
    with pytest.raises(FundingError, match="budget is EUR 0"):
        allocate(s, [app(1)])


def test_floors_above_the_budget_are_contradictory() -> None:
    s = scheme(
        budget_eur=3e6,
        region_floor=[{"area": "NORTH", "min_eur": 2e6}, {"area": "RANDSTAD", "min_eur": 2e6}],
    )
    apps = [app(1, gm="GM0014"), app(2, gm="GM0014"), app(3), app(4)]
    with pytest.raises(FundingError, match="floors add up to EUR 4,000,000, more than the budget"):
        allocate(s, apps, AREAS)


def test_unreachable_floor_is_a_clear_error() -> None:
    s = scheme(eligibility=STRICT, region_floor=[{"area": "NORTH", "min_eur": 5e6}])
    apps = [app(1, gm="GM0014"), app(2, gm="GM0014", homes=10), app(3)]  # A02 is too small
    with pytest.raises(FundingError, match=r"floor for NORTH .* 1 eligible application.*1,000,000"):
        allocate(s, apps, AREAS)


def test_floor_that_whole_awards_cannot_meet_is_diagnosed() -> None:
    # NORTH needs 1.5M, but its applications ask 1M and 1M while the NORTH cap is 1.8M
    s = scheme(
        region_floor=[{"area": "NORTH", "min_eur": 1.5e6}],
        region_cap=[{"area": "NORTH", "max_eur": 1.8e6}],
    )
    apps = [app(1, gm="GM0014"), app(2, gm="GM0014"), app(3)]
    with pytest.raises(FundingError, match=r"floor.*NORTH cannot be met"):
        allocate(s, apps, AREAS)


def test_unknown_area_is_a_clear_error() -> None:
    s = scheme(region_cap=[{"area": "PV27", "max_eur": 1e6}])
    with pytest.raises(FundingError, match="PV27"):
        allocate(s, [app(1)], AREAS)


def test_area_may_be_a_gemeente_code() -> None:
    s = scheme(budget_eur=3e6, region_cap=[{"area": "GM0363", "max_eur": 1e6}])
    r = allocate(s, [app(1), app(2), app(3, gm="GM0599")], {})
    assert r.optimal.awarded in (("A01", "A03"), ("A02", "A03"))


# ---- allocation: exactness against brute force ----------------------------------------------


@st.composite
def instances(draw: st.DrawFn, max_n: int = 13) -> tuple[Scheme, list[Application]]:
    n = draw(st.integers(1, max_n))
    apps = [
        app(
            i,
            gm=draw(st.sampled_from(GEMEENTEN)),
            homes=draw(st.integers(1, 3000)),
            requested=float(draw(st.integers(1, 40)) * 250_000),
            affordable_homes=0,
        )
        for i in range(n)
    ]
    apps = [
        Application(**{**a.__dict__, "affordable_homes": draw(st.integers(0, a.homes))})
        for a in apps
    ]
    total = sum(a.requested_eur for a in apps)
    data: dict[str, Any] = {
        "name": "random",
        "budget_eur": float(draw(st.integers(1, 20)) * total / 20),
        "objective": draw(st.sampled_from(["homes", "affordable_homes"])),
    }
    if draw(st.booleans()):
        data["limits"] = {"max_awards_per_gemeente": draw(st.integers(1, 3))}
    area_names = sorted(AREAS)
    caps = draw(st.lists(st.sampled_from(area_names), max_size=2, unique=True))
    data["region_cap"] = [
        {"area": a, "max_eur": float(draw(st.integers(0, 40)) * 500_000)} for a in caps
    ]
    floors = draw(st.lists(st.sampled_from(area_names), max_size=2, unique=True))
    data["region_floor"] = [
        {"area": a, "min_eur": float(draw(st.integers(0, 12)) * 500_000)} for a in floors
    ]
    return scheme_from_dict(data), apps


def brute_force(s: Scheme, apps: list[Application]) -> float | None:
    """Best objective over all 2^n subsets (None when no subset is feasible)."""
    n = len(apps)
    pick = np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)
    req = np.array([a.requested_eur for a in apps])
    coef = np.array(
        [a.homes if s.objective == "homes" else a.affordable_homes for a in apps], dtype=float
    )
    ok = pick @ req <= s.budget_eur + 1e-6
    for c in s.region_cap:
        m = np.array([a.gemeente_code in AREAS[c.area] for a in apps], dtype=float)
        ok &= pick @ (req * m) <= c.max_eur + 1e-6
    for f in s.region_floor:
        m = np.array([a.gemeente_code in AREAS[f.area] for a in apps], dtype=float)
        ok &= pick @ (req * m) >= f.min_eur - 1e-6
    k = s.limits.max_awards_per_gemeente
    if k is not None:
        for g in GEMEENTEN:
            m = np.array([a.gemeente_code == g for a in apps], dtype=float)
            ok &= pick @ m <= k
    if not ok.any():
        return None
    return float((pick[ok] @ coef).max())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_milp_equals_brute_force(case: tuple[Scheme, list[Application]]) -> None:
    s, apps = case
    best = brute_force(s, apps)
    if best is None:
        with pytest.raises(FundingError):
            allocate(s, apps, AREAS, mip_rel_gap=0.0, explain=False)
        return
    r = allocate(s, apps, AREAS, mip_rel_gap=0.0, explain=False)
    assert r.status == "optimal"
    assert r.optimal.objective == pytest.approx(best, abs=1e-6)
    assert r.optimal.spent_eur <= s.budget_eur + 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=20), st.booleans())
def test_milp_never_worse_than_ranking(
    case: tuple[Scheme, list[Application]], partial: bool
) -> None:
    s, apps = case
    s = s.model_copy(update={"partial_awards": partial})
    try:
        r = allocate(s, apps, AREAS)
    except FundingError:
        return
    if not r.ranking.unmet_floors:  # a ranking that meets the floors is a feasible allocation
        assert r.optimal.objective >= r.ranking.objective - 1e-6
    assert r.optimal.spent_eur <= s.budget_eur + 1e-6
    for c in r.constraints:
        if c.kind in ("budget", "region_cap"):
            assert c.used <= c.limit + 1e-6
        if c.kind == "region_floor":
            assert c.used >= c.limit - 1e-6
        assert c.value_if_dropped is None or c.value_if_dropped >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_greedy_keeps_every_limit_and_meets_floors_when_it_says_so(
    case: tuple[Scheme, list[Application]],
) -> None:
    """The greedy baseline is a feasible allocation unless it names an unmet floor, and never
    beats the optimum (brute force)."""
    s, apps = case
    g = greedy_allocation(s, apps, AREAS)
    chosen = [a for a in apps if a.application_id in g.awarded]
    spent = sum(a.requested_eur for a in chosen)
    assert spent == pytest.approx(g.spent_eur) and spent <= s.budget_eur + 1e-6
    for c in s.region_cap:
        assert sum(a.requested_eur for a in chosen if a.gemeente_code in AREAS[c.area]) <= (
            c.max_eur + 1e-6
        )
    for f in s.region_floor:
        reached = sum(a.requested_eur for a in chosen if a.gemeente_code in AREAS[f.area])
        assert (reached >= f.min_eur - 1e-6) == (f.area not in g.unmet_floors)
    k = s.limits.max_awards_per_gemeente
    if k is not None:
        assert max(Counter(a.gemeente_code for a in chosen).values(), default=0) <= k
    best = brute_force(s, apps)
    if not g.unmet_floors:
        assert best is not None and g.objective <= best + 1e-6


def test_greedy_meets_a_floor_that_ranking_by_ratio_misses() -> None:
    """One award allowed per gemeente: the cheapest homes in the north are too small to meet
    its floor, so the greedy keeps that gemeente's one slot for the project that can."""
    s = scheme(
        budget_eur=10e6,
        limits={"max_awards_per_gemeente": 1},
        region_floor=[{"area": "NORTH", "min_eur": 3e6}],
    )
    apps = [
        app(1, gm="GM0014", homes=900, requested=1e6),  # best homes per euro, too small
        app(2, gm="GM0014", homes=1200, requested=4e6),  # meets the floor
        app(3, gm="GM0363", homes=2000, requested=3e6),
    ]
    ratio = rank_allocation(s.model_copy(update={"ranking": "ratio"}), apps, AREAS)
    assert ratio.unmet_floors == ("NORTH",)
    g = greedy_allocation(s, apps, AREAS)
    assert g.unmet_floors == () and set(g.awarded) == {"A02", "A03"} and g.method == "greedy"
    assert allocate(s, apps, AREAS, mip_rel_gap=0.0).optimal.homes == g.homes == 3200


def test_greedy_is_the_homes_per_euro_order_without_side_constraints() -> None:
    s = scheme(budget_eur=6e6)
    apps = [
        app(1, homes=500, requested=5e6),
        app(2, homes=900, requested=3e6),
        app(3, homes=200, requested=2e6),
    ]
    assert greedy_allocation(s, apps, {}).awarded == ("A02", "A03")


# ---- allocation: behaviour on small hand-made cases ----------------------------------------


def test_optimum_beats_ranking_by_score_and_reports_side_by_side() -> None:
    # ranking by score takes the big high-scoring project first and then nothing fits
    s = scheme(budget_eur=10e6, ranking="score", score={"weights": {"urgentie": 1.0}})
    apps = [
        app(1, homes=1000, requested=8e6, scores=(("urgentie", 9.0),)),
        app(2, homes=700, requested=5e6, scores=(("urgentie", 7.0),)),
        app(3, homes=600, requested=5e6, scores=(("urgentie", 6.0),)),
    ]
    r = allocate(s, apps, {})
    assert r.ranking.awarded == ("A01",) and r.ranking.homes == 1000
    assert r.optimal.awarded == ("A02", "A03") and r.optimal.homes == 1300
    assert r.gain_over_ranking["homes"] == 300
    d = r.to_dict()
    assert d["awarded"] == ["A02", "A03"] and d["ranking"]["awarded"] == ["A01"]
    for key in ("objective", "homes", "affordable_homes", "spent_eur", "status", "ranking"):
        assert key in d
    budget = r.constraints[0]
    assert budget.name == "budget" and budget.binding and budget.value_if_dropped == 1000


def test_ranking_by_ratio_skips_what_does_not_fit_and_continues() -> None:
    s = scheme(budget_eur=6e6)
    apps = [
        app(1, homes=500, requested=5e6),
        app(2, homes=900, requested=3e6),
        app(3, homes=200, requested=2e6),
    ]
    r = rank_allocation(s, apps, {})
    assert r.awarded == ("A02", "A03")  # A02 best ratio, A01 does not fit, A03 still does


def test_cap_binding_and_its_cost() -> None:
    s = scheme(budget_eur=10e6, region_cap=[{"area": "NORTH", "max_eur": 1e6}])
    apps = [app(1, gm="GM0014", homes=900), app(2, gm="GM0014", homes=800), app(3, homes=100)]
    r = allocate(s, apps, AREAS, mip_rel_gap=0.0)
    cap = next(c for c in r.constraints if c.kind == "region_cap")
    assert cap.binding and cap.value_if_dropped == 800 and cap.slack == 0
    budget = r.constraints[0]
    assert budget.binding is False and budget.value_if_dropped == 0


def test_floor_forces_spending_in_a_region() -> None:
    s = scheme(budget_eur=2e6, region_floor=[{"area": "NORTH", "min_eur": 1e6}])
    apps = [app(1, homes=900), app(2, homes=800), app(3, gm="GM0014", homes=100)]
    r = allocate(s, apps, AREAS, mip_rel_gap=0.0)
    assert set(r.optimal.awarded) == {"A01", "A03"}
    floor = next(c for c in r.constraints if c.kind == "region_floor")
    assert floor.binding and floor.value_if_dropped == 700


def test_max_awards_per_gemeente() -> None:
    s = scheme(limits={"max_awards_per_gemeente": 1})
    apps = [app(1, homes=900), app(2, homes=800), app(3, gm="GM0599", homes=10)]
    r = allocate(s, apps, {}, mip_rel_gap=0.0)
    assert r.optimal.awarded == ("A01", "A03")
    lim = r.constraints[-1]
    assert lim.kind == "max_awards_per_gemeente" and lim.binding and "GM0363" in lim.detail


def test_partial_awards_fund_a_fraction() -> None:
    s = scheme(budget_eur=1.5e6, partial_awards=True)
    r = allocate(s, [app(1, homes=1000), app(2, homes=600)], {}, mip_rel_gap=0.0)
    assert dict(r.optimal.award_share) == {"A01": 1.0, "A02": pytest.approx(0.5)}
    assert r.optimal.homes == pytest.approx(1300)
    assert r.optimal.spent_eur == pytest.approx(1.5e6)


def test_marginal_value_of_budget() -> None:
    s = scheme(budget_eur=2e6)
    apps = [app(1, homes=900), app(2, homes=800), app(3, homes=700)]
    r = allocate(s, apps, {}, mip_rel_gap=0.0)
    assert r.marginal_objective_per_meur == 700 and r.marginal_homes_per_meur == 700


def test_a_binding_budget_never_has_a_marginal_value_of_zero() -> None:
    # regression: EUR 1M more buys nothing here (the next whole application does not fit), so
    # the report said "0.0 homes per extra EUR 1M" beside "budget binds; dropping it gains
    # 1,000". The marginal value is measured over the smallest increase that buys more:
    # A01 + A03 for EUR 3.5M (1,900 homes) beats A01 + A02 (1,700) - EUR 1.5M more, +200.
    s = scheme(budget_eur=2e6)
    apps = [app(1, homes=900), app(2, homes=800), app(3, homes=1000, requested=2.5e6)]
    r = allocate(s, apps, {}, mip_rel_gap=0.0)
    budget = r.constraints[0]
    assert budget.binding and budget.value_if_dropped == 1000
    assert r.marginal_step_eur == pytest.approx(1.5e6)
    assert r.marginal_objective_per_meur == pytest.approx(200 / 1.5)
    assert r.marginal_homes_per_meur == pytest.approx(200 / 1.5)
    assert "133.3 homes per extra EUR 1M" in r.as_text()
    assert "the smallest increase that buys more is EUR 1,500,000, for 200 more homes" in (
        r.as_text()
    )
    assert r.to_dict()["marginal_step_eur"] == pytest.approx(1.5e6)
    # and just below that step the optimum is indeed unchanged
    below = allocate(scheme(budget_eur=3.5e6 - 1), apps, {}, mip_rel_gap=0.0, explain=False)
    assert below.optimal.objective == r.optimal.objective


def test_a_budget_that_does_not_bind_is_worth_nothing_more() -> None:
    r = allocate(scheme(budget_eur=5e6), [app(1), app(2)], {}, mip_rel_gap=0.0)
    assert r.constraints[0].binding is not True
    assert r.marginal_objective_per_meur == 0 and r.marginal_step_eur is None
    assert "no budget increase buys more" in r.as_text()


def test_the_shipped_example_reports_a_positive_marginal_value_beside_a_binding_budget() -> None:
    r = allocate(
        load_scheme(SCHEMES_DIR / "woningbouwimpuls_t4.toml"),
        read_applications(SCHEMES_DIR / "example_applications.csv"),
    )
    budget = r.constraints[0]
    assert budget.binding and budget.slack > 0
    assert r.marginal_objective_per_meur is not None and r.marginal_objective_per_meur > 0
    assert r.marginal_step_eur is not None and r.marginal_step_eur > 1e6


def test_parse_applications_from_plain_rows() -> None:
    rows = [
        {
            "application_id": "R1",
            "gemeente_code": 363,
            "homes": 600.0,
            "affordable_homes": 300,
            "requested_eur": 1e6,
            "public_deficit_eur": 2e6,
            "cofinancing_eur": 1e6,
            "start_year": 2024,
        }
    ]
    (a,) = parse_applications(rows, "sheet")
    assert a.gemeente_code == "GM0363" and a.homes == 600


def test_highs_prints_nothing() -> None:
    code = (
        "from opgave.funding.allocation import allocate\n"
        "from opgave.funding.applications import Application\n"
        "from opgave.funding.scheme import scheme_from_dict\n"
        "s = scheme_from_dict({'name': 'x', 'budget_eur': 1e6})\n"
        "a = Application('A', 'GM0363', 10, 5, 1e6, 2e6, 1e6, 2023)\n"
        "allocate(s, [a])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "" and out.stderr == ""


def test_warm_start_does_not_hide_a_better_solution() -> None:
    # regression: HiGHS 1.16 returned the warm start (the ranking) as its solution when presolve
    # alone solved the model; the optimum here is A00 + A08 + A12 = 6 homes, ranking gets 4
    data = [("GM0599", 3, 1.5e6), ("GM0363", 1, 0.25e6), ("GM0344", 1, 0.75e6)]
    data += [("GM0363", 1, 0.25e6)] * 5 + [("GM0363", 2, 0.5e6)] + [("GM0363", 1, 0.25e6)] * 2
    data += [("GM0599", 1, 0.25e6), ("GM0014", 1, 0.25e6)]
    apps = [app(i, gm=g, homes=h, requested=r) for i, (g, h, r) in enumerate(data)]
    s = scheme(budget_eur=2.625e6, limits={"max_awards_per_gemeente": 1})
    r = allocate(s, apps, {}, mip_rel_gap=0.0)
    assert r.ranking.homes == 4
    assert r.optimal.homes == 6 and r.optimal.awarded == ("A00", "A08", "A12")


def test_text_report_shows_both_methods_and_the_constraints() -> None:
    s = scheme(budget_eur=10e6, region_cap=[{"area": "NORTH", "max_eur": 1e6}])
    apps = [app(1, gm="GM0014", homes=900), app(2, gm="GM0014", homes=800), app(3, homes=100)]
    text = allocate(s, apps, AREAS, mip_rel_gap=0.0).as_text()
    assert "optimal" in text and "ranking" in text
    assert "region_cap NORTH" in text and "binds; dropping it gains 800" in text


def test_read_xlsx_when_openpyxl_is_installed(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["X1", 363, 600, 300, 1_000_000, 2_000_000, 1_000_000, 2023])
    ws.append(["X2", "GM0599", 600, 700, 1_000_000, 2_000_000, 1_000_000, 2023])
    p = tmp_path / "a.xlsx"
    wb.save(p)
    with pytest.raises(FundingInputError) as exc:
        read_applications(p)
    assert [(pr.row, pr.column) for pr in exc.value.problems] == [(3, "affordable_homes")]
    ws.delete_rows(3)
    wb.save(p)
    (a,) = read_applications(p)
    assert a.gemeente_code == "GM0363" and a.requested_eur == 1e6
