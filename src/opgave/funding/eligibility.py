"""Eligibility: which rules of a scheme each application fails, in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opgave.funding.applications import Application
from opgave.funding.scheme import Scheme

# --------------------------------------------------------------------------------------------
# Eligibility
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Whether an application is eligible, with every failed rule (code and words)."""

    application_id: str
    eligible: bool
    failed_rules: tuple[str, ...]
    reasons: tuple[str, ...]


def _pct(value: float, limit: float) -> str:
    """Percentage of value, with a decimal when the rounded figure would equal the limit."""
    for digits in (0, 1, 2):
        text = f"{value * 100:.{digits}f}%"
        if round(value * 100, digits) != round(limit * 100, digits):
            return text
    return f"{value * 100:.3f}%"


def _eur(value: float) -> str:
    if abs(value) >= 1e6:
        return f"EUR {value / 1e6:,.1f}M"
    return f"EUR {value:,.0f}"


def check_eligibility(scheme: Scheme, applications: Sequence[Application]) -> list[Eligibility]:
    """Apply every eligibility rule of the scheme to every application; list all failures.

    Rules (codes): gemeente, min_homes, min_affordable_share, max_deficit_share,
    min_cofinancing_share, start_within_years, scores (see docs/funding.md for the sources).
    """
    rules = scheme.eligibility
    allowed = None if rules.gemeenten is None else set(rules.gemeenten)
    out: list[Eligibility] = []
    for app in applications:
        failed: list[tuple[str, str]] = []
        if allowed is not None and app.gemeente_code not in allowed:
            failed.append(
                ("gemeente", f"{app.gemeente_code} is not one of the scheme's eligible gemeenten")
            )
        need, group = rules.min_homes_for(app.gemeente_code)
        if app.homes < need:
            where = f" in group {group!r}" if group else ""
            failed.append(
                ("min_homes", f"adds {app.homes} homes; the scheme requires at least {need}{where}")
            )
        if rules.min_affordable_share > 0:
            share = app.affordable_homes / app.homes if app.homes else 0.0
            if share < rules.min_affordable_share:
                failed.append(
                    (
                        "min_affordable_share",
                        f"{_pct(share, rules.min_affordable_share)} of the homes are affordable "
                        f"({app.affordable_homes} of {app.homes}); the scheme requires at least "
                        f"{_pct(rules.min_affordable_share, -1)}",
                    )
                )
        x = rules.max_deficit_share
        if x < 1.0 or app.requested_eur > app.public_deficit_eur:
            if app.public_deficit_eur <= 0:
                failed.append(
                    (
                        "max_deficit_share",
                        f"requests {_eur(app.requested_eur)} but reports no public deficit; the "
                        f"scheme pays at most {_pct(x, -1)} of the public deficit",
                    )
                )
            else:
                share = app.requested_eur / app.public_deficit_eur
                if share > x + 1e-12:
                    failed.append(
                        (
                            "max_deficit_share",
                            f"requests {_pct(share, x)} of the public deficit; the scheme allows "
                            f"at most {_pct(x, -1)}",
                        )
                    )
                cof = app.cofinancing_eur / app.public_deficit_eur
                if x < 1.0 and cof < (1.0 - x) - 1e-12:
                    failed.append(
                        (
                            "min_cofinancing_share",
                            f"co-finances {_pct(cof, 1 - x)} of the public deficit; the scheme "
                            f"requires at least {_pct(1 - x, -1)}",
                        )
                    )
        if rules.start_within_years is not None and rules.reference_year is not None:
            years = app.start_year - rules.reference_year
            if years > rules.start_within_years:
                failed.append(
                    (
                        "start_within_years",
                        f"starts construction in {app.start_year}, {years} years after "
                        f"{rules.reference_year}; the scheme requires a start within "
                        f"{rules.start_within_years} years",
                    )
                )
        if scheme.score is not None:
            sm = app.score_map
            absent = [k for k in scheme.score.weights if k not in sm]
            if absent:
                failed.append(
                    (
                        "scores",
                        f"has no score for {', '.join(absent)}; the scheme assesses "
                        f"{', '.join(scheme.score.weights)}",
                    )
                )
            lo, hi = scheme.score.min, scheme.score.max
            off = [
                f"{k}={sm[k]:g}" for k in scheme.score.weights if k in sm and not lo <= sm[k] <= hi
            ]
            if off:
                failed.append(
                    (
                        "scores",
                        f"scores {', '.join(off)} lie outside the scheme's range {lo:g}-{hi:g}",
                    )
                )
        out.append(
            Eligibility(
                application_id=app.application_id,
                eligible=not failed,
                failed_rules=tuple(code for code, _ in failed),
                reasons=tuple(text for _, text in failed),
            )
        )
    return out
