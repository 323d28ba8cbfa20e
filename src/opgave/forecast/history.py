"""Assumptions learned from history: drop-out and delay per planstatus (and plan size class)
estimated from the plan-list history opgave keeps, with censoring and intervals.

Inputs: rows of the ``plan`` table (the current version of every plan, ``dropped_on`` when the
last list no longer had it) and of ``plan_history`` (every earlier version with its
``valid_from`` / ``valid_to`` capture dates), as plain dicts; optionally a date ``as_of``
(only what was known then is used: for backtests).
Outputs: :class:`Observations` (one *entry* per plan and planstatus) and :class:`Learned`
(per planstatus and per planstatus x size class: drop-out and delay with 90% intervals and the
evidence: how many plans, which period), which :func:`calibrated_toml` writes as an
assumptions file and :func:`plan_overrides` turns into per-plan probabilities for plans that
have already spent years in the lists.

Derives, reading the lists between capture dates (every date a list was imported):

* a plan is *pending* in a list captured in year ``Y`` when the list gives it a first year of
  delivery ``>= Y``; it has *started* in year ``S`` when a later list gives it the first year
  ``S < Y`` (building began), or when it leaves the lists after its last year has begun;
* a plan that leaves the lists while pending has *dropped out* (a plan that comes back later
  was not dropped);
* an *entry* is a plan at the first list where it is pending with a planstatus; its due year
  ``F`` is the first year that list gives it, its lead ``F - Y`` (years until due). Its delay
  is ``start - F`` (a start before ``F`` counts as no delay);
* plans still pending at the last capture (or at ``as_of``) are *censored*: they have not
  dropped out and not started so far. Discrete-time competing risks (the Aalen-Johansen
  estimator, per lead, hazards on ``t = year - F``) turn censored and complete histories
  into the chance of dropping out and of starting ``k`` years late; delays of
  ``max_delay`` years or more are one class, split between start and drop-out by the hazards
  observed that late;
* intervals come from a moving-block bootstrap over due years (blocks of two consecutive due
  years), so that a year whose whole cohort fared badly (a shared shock) widens them.

The estimates answer: of the plans that appear in a list with planstatus ``s``, how many never
deliver, and how late do the others start? That is what the engine's ``[dropout]`` and
``[delay]`` mean for a new plan.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from opgave.forecast.assumptions import PLANSTATUSES, ForecastInputError

__all__ = [
    "SIZE_CLASSES",
    "Estimate",
    "Learned",
    "Observations",
    "calibrated_toml",
    "learn",
    "observe",
    "plan_overrides",
]

Row = Mapping[str, Any]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SIZE_CLASSES: tuple[tuple[str, int, int | None], ...] = (
    ("1-19", 1, 19),
    ("20-99", 20, 99),
    ("100-499", 100, 499),
    ("500+", 500, None),
)
"""Plan size classes (homes): label, smallest, largest (None: no upper bound)."""
MAX_LEAD = 6
"""Leads (years from a plan's first list to its due year) beyond this are treated as this."""
MIN_RISK = 5
"""Below this many plans at risk in a year, the hazards of all leads together are used."""
DROP, START, CENSORED = 0, 1, 2


@dataclass(frozen=True)
class Observations:
    """Entries (a plan at the first list where it is pending with a planstatus), as arrays.

    ``lead`` is ``Y - F`` (<= 0: years until due, as a negative number); ``tau`` the year of
    the entry's event or censoring relative to its due year ``F``; ``event`` DROP, START or
    CENSORED. ``pending`` describes the plans pending at the end (or ``as_of``): their entry
    and how far they are now (``tau_now``), for :func:`plan_overrides`; ``outcome`` every
    resolved plan's ``(DROP or START, year)``.
    """

    plan_id: tuple[str, ...]
    status: npt.NDArray[np.str_]
    size_class: IntArray
    due_year: IntArray
    lead: IntArray
    event: IntArray
    tau: IntArray
    captures: tuple[dt.date, ...]
    plans: int
    early_starts: int
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcome: dict[str, tuple[int, int]] = field(default_factory=dict)


def size_class(homes: int) -> int:
    """Index into :data:`SIZE_CLASSES` of a plan with ``homes`` homes."""
    for i, (_, lo, hi) in enumerate(SIZE_CLASSES):
        if homes >= lo and (hi is None or homes <= hi):
            return i
    return 0


def _versions(
    plans: Sequence[Row], history: Sequence[Row], as_of: dt.date | None
) -> tuple[dict[str, list[tuple[dt.date, dt.date | None, Row]]], list[dt.date]]:
    """Every plan's versions ``(valid_from, valid_to or None, row)`` in date order as known on
    ``as_of``, and the capture dates (every date a list changed something)."""
    versions: dict[str, list[tuple[dt.date, dt.date | None, Row]]] = {}
    dates: set[dt.date] = set()
    problems = []
    for i, h in enumerate(history):
        start, end = h.get("valid_from"), h.get("valid_to")
        if not isinstance(end, dt.date) or (start is not None and not isinstance(start, dt.date)):
            problems.append(f"plan_history row {i + 1} (plan {h.get('plan_id')}): expected dates")
            continue
        if start is None or (as_of is not None and start > as_of):
            continue
        dates |= {start, end}
        open_end = None if as_of is not None and end > as_of else end
        versions.setdefault(str(h["plan_id"]), []).append((start, open_end, h))
    for i, p in enumerate(plans):
        start, dropped = p.get("valid_from"), p.get("dropped_on")
        if start is not None and not isinstance(start, dt.date):
            problems.append(f"plan row {i + 1} (plan {p.get('id')}): valid_from is not a date")
            continue
        if dropped is not None:  # the last version is in the history, closed on that date
            if as_of is None or dropped <= as_of:
                dates.add(dropped)
            continue
        if start is None or (as_of is not None and start > as_of):
            continue
        dates.add(start)
        versions.setdefault(str(p["id"]), []).append((start, None, p))
    if problems:
        raise ForecastInputError(problems)
    for v in versions.values():
        v.sort(key=lambda x: x[0])
    captures = sorted(d for d in dates if as_of is None or d <= as_of)
    return versions, captures


def observe(
    plans: Sequence[Row], history: Sequence[Row], *, as_of: dt.date | None = None
) -> Observations:
    """The entries of the plan-list history (see the module's docblock for the rules)."""
    versions, captures = _versions(plans, history, as_of)
    if len(captures) < 2:
        raise ForecastInputError(
            [
                f"plan history: {len(captures)} capture date(s)"
                + (f" up to {as_of}" if as_of else "")
                + "; learning needs at least two plan lists (import them with "
                "`opgave ingest plans FILE --date D`, oldest first)"
            ]
        )
    ids: list[str] = []
    cols: dict[str, list[int]] = {k: [] for k in ("size", "due", "lead", "event", "tau")}
    statuses: list[str] = []
    early = 0
    pending: dict[str, dict[str, Any]] = {}
    outcomes: dict[str, tuple[int, int]] = {}
    last_year = captures[-1].year
    for pid, vs in versions.items():
        # the plan's state at each capture: its version there, or None (not listed)
        states: list[Row | None] = []
        first_listed = None
        for c in captures:
            row = next((r for s, e, r in vs if s <= c and (e is None or c < e)), None)
            states.append(row)
            if row is not None and first_listed is None:
                first_listed = len(states) - 1
        if first_listed is None:
            continue
        entries: dict[str, tuple[int, int]] = {}  # status -> (due year, lead)
        outcome: tuple[int, int] | None = None  # (event, year)
        last_seen: Row | None = None
        for i in range(first_listed, len(captures)):
            row, year = states[i], captures[i].year
            if row is None:
                if last_seen is None or any(s is not None for s in states[i:]):
                    continue  # not listed here but back later: not a drop
                seen_year = captures[i - 1].year
                if int(last_seen["first_year"]) < seen_year or int(last_seen["last_year"]) < year:
                    outcome = (START, int(last_seen["first_year"]))  # built, then removed
                else:
                    outcome = (DROP, year - 1)  # removed while pending: dropped that year
                break
            last_seen = row
            first = int(row["first_year"])
            if first < year:  # building began in `first`
                outcome = (START, first)
                break
            status = str(row["planstatus"])
            if status not in entries:
                entries[status] = (first, year - first)
        if outcome is not None:
            outcomes[pid] = outcome
        for status, (due, lead) in entries.items():
            if status not in PLANSTATUSES:
                continue
            if outcome is None:
                event, tau = CENSORED, last_year - due
            else:
                event, tau = outcome[0], max(outcome[1] - due, lead)
                if event == START and tau < 0:
                    early += 1
            ids.append(pid)
            statuses.append(status)
            cols["size"].append(size_class(int(states[first_listed]["homes"] or 0)))  # type: ignore[index]
            cols["due"].append(due)
            cols["lead"].append(max(lead, -MAX_LEAD))
            cols["event"].append(event)
            cols["tau"].append(tau + max(0, -MAX_LEAD - lead))  # long leads shift as capped
        if outcome is None and last_seen is not None:
            status = str(last_seen["planstatus"])
            if status in entries:
                due, lead = entries[status]
                pending[pid] = {
                    "status": status,
                    "due_year": due,
                    "lead": max(lead, -MAX_LEAD),
                    "tau_now": last_year - due + max(0, -MAX_LEAD - lead),
                    "first_year": int(last_seen["first_year"]),
                    "last_year": int(last_seen["last_year"]),
                    "homes": int(last_seen["homes"] or 0),
                    "gemeente_id": str(last_seen["gemeente_id"]),
                }
    return Observations(
        plan_id=tuple(ids),
        status=np.array(statuses, dtype=str),
        size_class=np.array(cols["size"], dtype=np.int64),
        due_year=np.array(cols["due"], dtype=np.int64),
        lead=np.array(cols["lead"], dtype=np.int64),
        event=np.array(cols["event"], dtype=np.int64),
        tau=np.array(cols["tau"], dtype=np.int64),
        captures=tuple(captures),
        plans=len(set(ids)),
        early_starts=early,
        pending=pending,
        outcome=outcomes,
    )


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hazards:
    """Hazards of one set of entries (per bootstrap replicate ``b``): per lead ``v`` and year
    ``t`` (relative to the due year, ``t0 .. max_delay - 2``) the chance to drop out and to
    start, and the constant yearly hazards from ``max_delay - 1`` on (the tail)."""

    t0: int
    drop: FloatArray  # (B x leads x T)
    start: FloatArray  # (B x leads x T)
    tail_drop: FloatArray  # (B,)
    tail_start: FloatArray  # (B,)
    lead_weight: FloatArray  # (B x leads): entries per lead
    leads: IntArray


def _hazards(
    lead: IntArray, event: IntArray, tau: IntArray, weight: FloatArray, max_delay: int
) -> _Hazards:
    """Weighted event and risk counts -> hazards, per lead with the all-leads hazards where a
    lead has fewer than :data:`MIN_RISK` plans at risk (left-truncated: an entry is at risk
    from its lead on)."""
    leads = np.unique(lead)
    t0 = int(min(lead.min(), 0))
    t_end = max_delay - 1  # tail from here
    grid = np.arange(t0, t_end)
    stop = np.where(event == CENSORED, tau, tau + 1)  # at risk in [lead, stop)
    at_risk = (grid[None, :] >= lead[:, None]) & (grid[None, :] < stop[:, None])
    dropped = (event[:, None] == DROP) & (tau[:, None] == grid[None, :])
    started = (event[:, None] == START) & (tau[:, None] == grid[None, :])
    dropped[:, 0] |= (event == DROP) & (tau < t0)
    started[:, 0] |= (event == START) & (tau < t0)
    # tail: yearly hazards from t_end on = events / plan-years at risk there
    exposure = np.clip(stop - np.maximum(lead, t_end), 0, None).astype(float)
    in_tail = tau >= t_end
    tail_d = weight @ ((event == DROP) & in_tail).astype(float)
    tail_s = weight @ ((event == START) & in_tail).astype(float)
    tail_n = weight @ exposure
    with np.errstate(divide="ignore", invalid="ignore"):
        tail_drop = np.where(tail_n > 0, tail_d / tail_n, 0.0)
        tail_start = np.where(tail_n > 0, tail_s / tail_n, 1.0)  # no evidence: assume starts
    n_all = weight @ at_risk.astype(float)
    d_all = weight @ dropped.astype(float)
    s_all = weight @ started.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h_d_all = np.where(n_all > 0, d_all / n_all, 0.0)
        h_s_all = np.where(n_all > 0, s_all / n_all, 0.0)
    b = weight.shape[0]
    h_d = np.zeros((b, len(leads), len(grid)))
    h_s = np.zeros((b, len(leads), len(grid)))
    lead_weight = np.zeros((b, len(leads)))
    for i, v in enumerate(leads):
        mask = lead == v
        w = weight[:, mask]
        n = w @ at_risk[mask].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            own_d = np.where(n > 0, (w @ dropped[mask].astype(float)) / n, 0.0)
            own_s = np.where(n > 0, (w @ started[mask].astype(float)) / n, 0.0)
        use_own = n >= MIN_RISK
        h_d[:, i] = np.where(use_own, own_d, h_d_all)
        h_s[:, i] = np.where(use_own, own_s, h_s_all)
        lead_weight[:, i] = w.sum(axis=1)
    return _Hazards(t0, h_d, h_s, tail_drop, tail_start, lead_weight, leads.astype(np.int64))


def _outcomes(
    hz: _Hazards, row: int, t_now: IntArray, offset: IntArray, max_delay: int
) -> tuple[FloatArray, FloatArray]:
    """Drop-out and delay classes for entries of lead row ``row`` that are at risk at
    ``t_now`` (years from their due year); delays count from ``offset`` (a start before it is
    class 0, one ``max_delay - 1`` or more years after it the last class). Output: (B x n)
    drop-out and (B x n x max_delay) delay probabilities given delivery."""
    b = hz.drop.shape[0]
    t_end = max_delay - 1
    n = len(t_now)
    ar = np.arange(n)
    p_drop = np.zeros((b, n))
    p_start = np.zeros((b, n, max_delay))
    alive = np.ones((b, n))
    for j, t in enumerate(range(hz.t0, t_end)):
        active = (t >= t_now).astype(float)  # (n,)
        hd = hz.drop[:, row, j][:, None] * active[None, :]
        hs = hz.start[:, row, j][:, None] * active[None, :]
        cls = np.clip(t - offset, 0, max_delay - 1)
        p_drop += alive * hd
        p_start[:, ar, cls] += alive * hs
        alive = alive * np.clip(1 - hd - hs, 0.0, 1.0)
    # the tail: constant yearly hazards from t_end on (from t_now when later): a start in
    # tail year j has probability keep**j * (1 - keep) * share_start
    total = hz.tail_drop + hz.tail_start
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, hz.tail_start / total, 1.0)[:, None]  # (B x 1)
    keep = np.clip(np.where(total > 0, 1 - total, 0.0), 0.0, 1.0 - 1e-12)[:, None]
    t_tail = np.maximum(t_now, t_end)
    for c in range(max_delay):  # class c covers start years [lo, hi] (relative to due)
        lo = np.full(n, -(10**6)) if c == 0 else offset + c
        hi = np.full(n, 10**6) if c == max_delay - 1 else offset + c
        a = np.maximum(lo, t_tail) - t_tail
        z = hi - t_tail
        ok = a <= z
        upper = np.where(z >= 10**5, 0.0, keep ** np.maximum(z + 1, 0)[None, :])
        mass = keep ** np.maximum(a, 0)[None, :] - upper
        p_start[:, :, c] += np.where(ok[None, :], alive * share * mass, 0.0)
    p_drop += alive * (1 - share)
    p_start = np.clip(p_start, 0.0, None)
    delivered = p_start.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        delay = np.where(
            delivered[:, :, None] > 0, p_start / delivered[:, :, None], np.eye(max_delay)[0]
        )
    return np.clip(p_drop, 0.0, 1.0), delay


@dataclass(frozen=True)
class Estimate:
    """Learned drop-out and delay of one planstatus (and size class), with 90% intervals."""

    status: str
    size_class: str | None
    entries: int
    dropped: int
    started: int
    censored: int
    dropout: float
    dropout_interval: tuple[float, float]
    delay: tuple[float, ...]
    delay_interval: tuple[tuple[float, float], ...]
    learned: bool


@dataclass(frozen=True)
class Learned:
    """What the history says, per planstatus (``by_status``) and per planstatus and size
    class (``by_size``), with the evidence: plans, entries, capture dates, method."""

    by_status: dict[str, Estimate]
    by_size: dict[tuple[str, str], Estimate]
    plans: int
    entries: int
    captures: tuple[dt.date, ...]
    as_of: dt.date | None
    max_delay: int
    early_starts: int
    hazards: dict[str, _Hazards] = field(repr=False)
    pending: dict[str, dict[str, Any]] = field(repr=False)


def _block_weights(clusters: IntArray, replicates: int, seed: int, block: int = 2) -> FloatArray:
    """Moving-block bootstrap weights over consecutive clusters (due years): row 0 is the
    sample itself; row ``b`` counts how often each entry's cluster was drawn."""
    years = np.unique(clusters)
    n = len(years)
    rng = np.random.default_rng(seed)
    weights = np.ones((replicates + 1, len(clusters)))
    index = np.searchsorted(years, clusters)
    n_blocks = math.ceil(n / block)
    for b in range(1, replicates + 1):
        starts = rng.integers(0, n, n_blocks)
        drawn = ((starts[:, None] + np.arange(block)[None, :]) % n).reshape(-1)[:n]
        weights[b] = np.bincount(drawn, minlength=n)[index]
    return weights


def _estimate(
    obs: Observations,
    mask: npt.NDArray[np.bool_],
    status: str,
    size: str | None,
    max_delay: int,
    replicates: int,
    seed: int,
    min_entries: int,
) -> tuple[Estimate, _Hazards | None]:
    """One subset's estimate (point = the sample, interval = 5th-95th bootstrap percentile)."""
    lead, event, tau = obs.lead[mask], obs.event[mask], obs.tau[mask]
    counts = [int((event == e).sum()) for e in (DROP, START, CENSORED)]
    resolved = counts[0] + counts[1]
    if int(mask.sum()) < min_entries or resolved < max(5, min_entries // 3):
        empty = (math.nan, math.nan)
        none = Estimate(
            status=status,
            size_class=size,
            entries=int(mask.sum()),
            dropped=counts[0],
            started=counts[1],
            censored=counts[2],
            dropout=math.nan,
            dropout_interval=empty,
            delay=(math.nan,) * max_delay,
            delay_interval=(empty,) * max_delay,
            learned=False,
        )
        return none, None
    weight = _block_weights(obs.due_year[mask], replicates, seed)
    hz = _hazards(lead, event, tau, weight, max_delay)
    p_drop = np.zeros(weight.shape[0])
    p_delay = np.zeros((weight.shape[0], max_delay))
    total = hz.lead_weight.sum(axis=1)
    for i, v in enumerate(hz.leads):
        d, q = _outcomes(hz, i, np.array([v]), np.array([0]), max_delay)
        share = hz.lead_weight[:, i] / total
        p_drop += share * d[:, 0]
        p_delay += (share * (1 - d[:, 0]))[:, None] * q[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_delay = p_delay / p_delay.sum(axis=1, keepdims=True)
    lo, hi = np.nanpercentile(p_drop[1:], [5, 95]) if replicates else (p_drop[0], p_drop[0])
    q_lo = np.nanpercentile(p_delay[1:], 5, axis=0) if replicates else p_delay[0]
    q_hi = np.nanpercentile(p_delay[1:], 95, axis=0) if replicates else p_delay[0]
    estimate = Estimate(
        status=status,
        size_class=size,
        entries=int(mask.sum()),
        dropped=counts[0],
        started=counts[1],
        censored=counts[2],
        dropout=float(p_drop[0]),
        dropout_interval=(float(lo), float(hi)),
        delay=tuple(float(x) for x in p_delay[0]),
        delay_interval=tuple((float(a), float(b)) for a, b in zip(q_lo, q_hi, strict=True)),
        learned=True,
    )
    return estimate, hz


def learn(
    plans: Sequence[Row],
    history: Sequence[Row],
    *,
    as_of: dt.date | None = None,
    max_delay: int = 4,
    replicates: int = 200,
    seed: int = 0,
    min_entries: int = 30,
    by_size: bool = True,
    observations: Observations | None = None,
) -> Learned:
    """Drop-out and delay per planstatus (and per planstatus x size class) from the history.

    Inputs: plan and plan-history rows, the date up to which to look (None: everything), the
    number of delay classes (0 .. ``max_delay - 1`` years, the last meaning "or more"), the
    bootstrap replicates and seed, and the fewest entries a status needs to be learned
    (fewer: ``learned = False``, the caller keeps its default); ``by_size`` False skips the
    size classes; ``observations`` are those of ``observe(plans, history, as_of=as_of)``
    when the caller has them already. Output: :class:`Learned`.
    """
    if max_delay < 1:
        raise ForecastInputError([f"max_delay: expected >= 1, got {max_delay}"])
    obs = observations or observe(plans, history, as_of=as_of)
    by_status: dict[str, Estimate] = {}
    sizes: dict[tuple[str, str], Estimate] = {}
    hazards: dict[str, _Hazards] = {}
    for s in PLANSTATUSES:
        mask = obs.status == s
        est, hz = _estimate(obs, mask, s, None, max_delay, replicates, seed, min_entries)
        by_status[s] = est
        if hz is not None:
            hazards[s] = hz
        for i, (label, _, _) in enumerate(SIZE_CLASSES if by_size else ()):
            sub = mask & (obs.size_class == i)
            if sub.any():
                sizes[(s, label)] = _estimate(
                    obs, sub, s, label, max_delay, replicates, seed, min_entries
                )[0]
    return Learned(
        by_status=by_status,
        by_size=sizes,
        plans=obs.plans,
        entries=len(obs.plan_id),
        captures=obs.captures,
        as_of=as_of,
        max_delay=max_delay,
        early_starts=obs.early_starts,
        hazards=hazards,
        pending=obs.pending,
    )


def plan_overrides(
    learned: Learned, plan_ids: Sequence[str], first_years: Sequence[int], replicate: int = 0
) -> tuple[FloatArray, FloatArray]:
    """Per-plan drop-out and delay for plans pending at the end of the learned history, given
    how long each has already been in the lists (NaN where the history does not know the
    plan or its planstatus was not learned: the engine then uses the assumptions).

    A plan first listed years ago that has neither started nor dropped out has its own odds:
    its future is read off its planstatus's hazards from where it stands now. Delays count
    from the first year in ``first_years`` (the schedule the forecast uses). ``replicate``
    0 is the estimate, 1, 2, ... the bootstrap replicates (to carry the estimate's own
    uncertainty into a forecast). Output: (n,) drop-out and (n x max_delay) delay.
    """
    n, k = len(plan_ids), learned.max_delay
    dropout = np.full(n, np.nan)
    delay = np.full((n, k), np.nan)
    groups: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
    for i, (pid, first) in enumerate(zip(plan_ids, first_years, strict=True)):
        info = learned.pending.get(pid)
        if info is None or info["status"] not in learned.hazards:
            continue
        offset = int(first) - int(info["due_year"]) + max(0, -MAX_LEAD - info["lead"])
        key = (str(info["status"]), int(info["lead"]))
        groups.setdefault(key, []).append((i, int(info["tau_now"]), max(offset, 0)))
    for (status, lead), members in groups.items():
        hz = learned.hazards[status]
        row = int(np.searchsorted(hz.leads, lead))
        if row >= len(hz.leads) or hz.leads[row] != lead:
            continue
        index = np.array([m[0] for m in members])
        d, q = _outcomes(
            hz, row, np.array([m[1] for m in members]), np.array([m[2] for m in members]), k
        )
        dropout[index] = d[replicate]
        delay[index] = q[replicate]
    return dropout, delay


# --------------------------------------------------------------------------------------------
# The assumptions file
# --------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:.4f}"


def calibrated_toml(
    learned: Learned, *, generated: dt.date, defaults: Mapping[str, Any] | None = None
) -> str:
    """The learned values as an assumptions file (``load_assumptions(path)`` reads it): a
    ``[dropout]``, ``[delay]`` and ``[source]`` entry per learned planstatus, an
    ``[evidence]`` table (plans, entries, capture dates, method) and per planstatus (and size
    class) the counts and 90% intervals. Statuses with too little history are left out, so
    the defaults stand for them (the file says which)."""
    first, last = learned.captures[0], learned.captures[-1]
    lines = [
        "# Forecast assumptions LEARNED from the plan-list history by `opgave forecast calibrate`",
        f"# on {generated.isoformat()}: {learned.plans:,} plans, {learned.entries:,} entries "
        f"(a plan at the first list where it has a planstatus), {len(learned.captures)} "
        f"capture dates from {first} to {last}.",
        "# Method: docs/forecast.md, 'Assumptions learned from history'. Statuses not listed",
        "# here had too little history; the shipped defaults stand for them.",
        "",
    ]
    learned_s = [e for e in learned.by_status.values() if e.learned]
    skipped = [e.status for e in learned.by_status.values() if not e.learned]
    lines.append("[dropout]")
    lines += [f'"{e.status}" = {_num(e.dropout)}' for e in learned_s]
    lines += ["", "[delay] # probabilities of 0, 1, 2, ... years' delay (the last: or more)"]
    for e in learned_s:
        dist = [round(x, 4) for x in e.delay]
        dist[int(np.argmax(dist))] += round(1.0 - sum(dist), 4)  # add up to 1 exactly
        lines.append(f'"{e.status}" = [{", ".join(_num(x) for x in dist)}]')
    lines += ["", "[source]"]
    for e in learned_s:
        lo, hi = e.dropout_interval
        lines.append(
            f'"{e.status}" = "Learned from {e.entries} plans listed with planstatus {e.status} '
            f"({first} to {last}; {e.dropped} dropped out, {e.started} started, {e.censored} "
            f'still pending): drop-out {e.dropout:.3f} (90% interval {lo:.3f}-{hi:.3f})."'
        )
    lines += [
        "",
        "[evidence]",
        'method = "entries per plan and planstatus; Aalen-Johansen competing risks (drop-out, '
        "start) per lead, censored at the last list; 90% intervals from a moving-block "
        'bootstrap over due years"',
        f"plans = {learned.plans}",
        f"entries = {learned.entries}",
        f"captures = {len(learned.captures)}",
        f"first_capture = {first.isoformat()}",
        f"last_capture = {last.isoformat()}",
        f"max_delay_years = {learned.max_delay - 1}",
        f"early_starts = {learned.early_starts}",
        f"generated = {generated.isoformat()}",
        f"defaults_kept = [{', '.join(repr(s).replace(chr(39), chr(34)) for s in skipped)}]",
    ]
    for key, e in [(e.status, e) for e in learned.by_status.values()] + [
        (f"{s}.{c}", e) for (s, c), e in learned.by_size.items()
    ]:
        name = ".".join(f'"{part}"' for part in key.split("."))
        lines += ["", f"[evidence.status.{name}]"]
        lines.append(
            f"entries = {e.entries}\ndropped = {e.dropped}\nstarted = {e.started}\n"
            f"censored = {e.censored}\nlearned = {'true' if e.learned else 'false'}"
        )
        if e.learned:
            lo, hi = e.dropout_interval
            lines.append(f"dropout = {_num(e.dropout)}\ndropout_90 = [{_num(lo)}, {_num(hi)}]")
            lines.append(f"delay = [{', '.join(_num(x) for x in e.delay)}]")
            lines.append(f"delay_90_low = [{', '.join(_num(a) for a, _ in e.delay_interval)}]")
            lines.append(f"delay_90_high = [{', '.join(_num(b) for _, b in e.delay_interval)}]")
    return "\n".join(lines) + "\n"
