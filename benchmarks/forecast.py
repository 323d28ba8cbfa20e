"""Benchmark of the forecast on a SYNTHETIC pipeline, against its floor measured in the same run.

Run: ``.venv/bin/python benchmarks/forecast.py [--plans 50000 --runs 10000 --years 10]
[--repeat 3] [--cold 3] [--cli] [--json]``.

Figures (goal: at most 2x the floor; peak memory under 2 GB):

* **warm**: in this process, the engine (``simulate``) plus the questions a forecast asks
  (30 targets, the fans of those 30 areas), against the *two-thread random-number floor*:
  the count of 32-bit random numbers the model needs (one per plan and run: plans x runs;
  the year shocks and preconditions add 0.3%, not counted), from the engine's own bit
  generator (numpy's SFC64), the faster of two ways, on two threads: float32 fills (which
  release the GIL, so the threads run side by side) or raw 64-bit words, two numbers each
  (``random_raw`` holds the GIL: its two threads take turns, in effect one thread);
* **cold**: a new process doing the whole job - start Python, import, read the plans from a
  SQLite file (``sqlite3``), build the engine's arrays, simulate, answer the questions - against
  a new process that starts Python, imports numpy, reads the same plans and draws the floor's
  random numbers on two threads (the floor "plus reading the plans");
* **cli** (with ``--cli``): ``opgave forecast --runs N --json`` as a new process on a database
  with the programme and an N-plan SYNTHETIC demo pipeline, against the same cold floor;
  it includes the CLI's imports, the state read and the outlook's input building. Beside it
  the **fixed cost**: the same command with 100 runs (the fewest it takes), against the same
  floor - what a new process pays before the simulation's work, whatever the runs.

``--json`` prints one JSON object per figure (keys name, value, unit, floor, ratio, goal,
passed) for ``benchmarks/run_all.py``. This 2-core VM is shared: take the spread over
``--repeat`` and ``--cold`` seriously and look at the floor (about 0.25 s raw, 0.5 s float32
with both cores free).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

N_MUNICIPALITIES = 342
N_PROVINCES = 12
N_REGIONS = 17  # strategy regions, overlapping provinces; + 1 nation = 30 higher areas
STATUSES = ("1A", "1B", "1C", "2A", "2B", "2C", "3", "4A", "4B")
GOAL_RATIO = 2.0
GOAL_PEAK_GB = 2.0


# --------------------------------------------------------------------------------------------
# The synthetic pipeline, stored in SQLite
# --------------------------------------------------------------------------------------------


def write_pipeline(path: Path, n_plans: int, n_years: int, seed: int = 2024) -> None:
    """A SYNTHETIC plan list (Zipf-sized municipalities, DiWi statuses, a few preconditions)
    and its areas (342 municipalities, 12 provinces, 17 overlapping regions, the nation)."""
    rng = np.random.default_rng(seed)
    first_year = 2025
    weight = 1.0 / np.arange(1, N_MUNICIPALITIES + 1) ** 0.8
    municipality = rng.choice(N_MUNICIPALITIES, n_plans, p=weight / weight.sum())
    share = np.array([0.20, 0.05, 0.05, 0.12, 0.04, 0.04, 0.20, 0.20, 0.10])
    status = rng.choice(np.array(STATUSES), n_plans, p=share)
    homes = np.minimum(np.round(rng.lognormal(3.0, 1.1, n_plans)), 3000).astype(np.int64) + 1
    start = first_year + rng.integers(0, max(n_years - 3, 1), n_plans)
    end = np.minimum(start + rng.integers(0, 4, n_plans), first_year + n_years - 1)
    gated = rng.random(n_plans) < 0.05
    pre = np.where(gated, rng.integers(0, 12, n_plans), -1)
    province = np.empty(N_MUNICIPALITIES, dtype=np.int64)
    province[rng.permutation(N_MUNICIPALITIES)] = (
        np.arange(N_MUNICIPALITIES) * N_PROVINCES // N_MUNICIPALITIES
    )
    links = [(m, m) for m in range(N_MUNICIPALITIES)]
    links += [(m, N_MUNICIPALITIES + int(province[m])) for m in range(N_MUNICIPALITIES)]
    for r in range(N_REGIONS):  # each region: 8-25 municipalities, some across a border
        for m in rng.choice(N_MUNICIPALITIES, rng.integers(8, 26), replace=False):
            links.append((int(m), N_MUNICIPALITIES + N_PROVINCES + r))
    links += [(m, N_MUNICIPALITIES + N_PROVINCES + N_REGIONS) for m in range(N_MUNICIPALITIES)]
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "create table plan (id integer primary key, gemeente integer, homes integer, "
            "planstatus text, first_year integer, last_year integer, precondition integer)"
        )
        db.execute("create table area_member (gemeente integer, area integer)")
        db.executemany(
            "insert into plan values (?, ?, ?, ?, ?, ?, ?)",
            zip(
                range(n_plans),
                municipality.tolist(),
                homes.tolist(),
                status.tolist(),
                start.tolist(),
                end.tolist(),
                pre.tolist(),
                strict=True,
            ),
        )
        db.executemany("insert into area_member values (?, ?)", links)


def read_plans(path: Path) -> dict[str, np.ndarray[Any, Any]]:
    """The plan list as arrays, read with sqlite3 (the part of the floor that reads plans)."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "select gemeente, homes, planstatus, first_year, last_year, precondition from plan "
            "order by id"
        ).fetchall()
        links = db.execute("select gemeente, area from area_member").fetchall()
    gemeente, homes, status, first, last, pre = zip(*rows, strict=True)
    return {
        "gemeente": np.array(gemeente, dtype=np.int64),
        "homes": np.array(homes, dtype=np.int64),
        "planstatus": np.array(status, dtype=str),
        "first_year": np.array(first, dtype=np.int64),
        "last_year": np.array(last, dtype=np.int64),
        "precondition": np.array(pre, dtype=np.int64),
        "links": np.array(links, dtype=np.int64),
    }


def engine_inputs(data: dict[str, np.ndarray[Any, Any]], n_years: int) -> Any:
    """The engine's arrays from the plan list (vectorised: membership by municipality)."""
    from opgave.forecast.engine import PlanInputs, Preconditions, delivery_schedule

    n_areas = int(data["links"][:, 1].max()) + 1
    by_mun = np.zeros((N_MUNICIPALITIES, n_areas), dtype=bool)
    by_mun[data["links"][:, 0], data["links"][:, 1]] = True
    codes = (
        tuple(f"SYN-GM{m:04d}" for m in range(N_MUNICIPALITIES))
        + tuple(f"SYN-PV{p:02d}" for p in range(N_PROVINCES))
        + tuple(f"SYN-RG{r:02d}" for r in range(N_REGIONS))
        + ("SYN-NL",)
    )
    n_pre = 12
    pre = Preconditions(
        name=tuple(f"SYN-precondition-{j}" for j in range(n_pre)),
        p_met=np.linspace(0.6, 0.95, n_pre),
        delay_prob=np.tile([0.5, 0.3, 0.2], (n_pre, 1)),
    )
    depends = np.zeros((len(data["homes"]), n_pre), dtype=bool)
    gated = data["precondition"] >= 0
    depends[np.flatnonzero(gated), data["precondition"][gated]] = True
    province = by_mun[:, N_MUNICIPALITIES : N_MUNICIPALITIES + N_PROVINCES].argmax(axis=1)
    return PlanInputs(
        planstatus=data["planstatus"],
        schedule_homes=delivery_schedule(
            data["homes"],
            data["first_year"],
            data["last_year"],
            schedule_first_year=2025,
            n_years=n_years,
        ),
        first_year=2025,
        area_member=by_mun[data["gemeente"]],
        area_code=codes,
        depends_on=depends,
        preconditions=pre,
        region=province[data["gemeente"]],
        region_code=tuple(f"SYN-PV{p:02d}" for p in range(N_PROVINCES)),
    )


def questions(result: Any) -> dict[str, float]:
    """What a forecast asks: the 30 higher areas' 2025-2030 targets and their fans."""
    from opgave.forecast.questions import Target, fan, required_capacity_ratio, summarise_targets

    higher = range(N_MUNICIPALITIES, len(result.area_code))
    planned = result.planned_homes[:, :6].sum(axis=1)
    targets = [Target(a, 2025, 2030, 0.7 * planned[a], 0.8 * planned[a]) for a in higher]
    summary = summarise_targets(result, targets)
    norm = required_capacity_ratio(result, targets)
    lines = fan(result, list(higher))
    nation = -1
    return {
        "nation_p10": float(summary.p10[nation]),
        "nation_p50": float(summary.p50[nation]),
        "nation_p90": float(summary.p90[nation]),
        "nation_ratio_80": float(norm.ratio[nation, 1]),
        "fan_last_p50": float(lines.cum_p50[nation, -1]),
    }


# --------------------------------------------------------------------------------------------
# The floor
# --------------------------------------------------------------------------------------------


BIT_GENERATORS = (np.random.SFC64,)
"""The floor's generator: the engine's. (PCG64, PCG64DXSM and MT19937 were tried as well in
earlier versions of this benchmark: none is faster than SFC64 here, and taking the least of
eight noisy tries against one engine run made the floor lower by the noise.)"""


def random_floor(
    n_numbers: int, threads: int, bit_generators: tuple[type, ...] = BIT_GENERATORS
) -> tuple[float, str, float, float]:
    """Fastest time to obtain ``n_numbers`` 32-bit random numbers on ``threads`` threads, over
    numpy's bit generators and two ways: float32 uniforms, and raw 64-bit words (two each;
    ``random_raw`` holds the GIL, so its threads take turns). Also the time all tries took and
    the CPU time of the fastest (on a busy machine CPU times compare better than wall times)."""
    best = (np.inf, "", 0.0)
    chunk = 1 << 22
    total = 0.0
    for bitgen in bit_generators:
        for way in ("float32", "raw"):

            def draw(share: int, bitgen: type = bitgen, way: str = way) -> None:
                gen = np.random.Generator(bitgen(1))
                buf = np.empty(chunk, dtype=np.float32)
                done = 0
                while done < share:
                    n = min(chunk, share - done)
                    if way == "raw":
                        gen.bit_generator.random_raw((n + 1) // 2)
                    else:
                        gen.random(out=buf[:n], dtype=np.float32)
                    done += n

            shares = [n_numbers // threads + (i < n_numbers % threads) for i in range(threads)]
            t0, c0 = time.perf_counter(), time.process_time()
            workers = [threading.Thread(target=draw, args=(s,)) for s in shares]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - t0
            total += elapsed
            if elapsed < best[0]:
                best = (elapsed, f"{bitgen.__name__} {way}", time.process_time() - c0)
    return best[0], best[1], total, best[2]


def engine_generator(n_numbers: int, threads: int) -> float:
    """Time the engine's own way to get the numbers: numpy's SFC64 words stepped in compiled
    code, 16 streams side by side as its kernel does, on ``threads`` threads (information,
    not the floor)."""
    import numba

    @numba.njit(nogil=True)
    def fill(state: Any, n: int) -> int:
        x0, x1, x2, x3 = state[0].copy(), state[1].copy(), state[2].copy(), state[3].copy()
        acc = np.zeros(16, dtype=np.uint64)
        for _ in range(n):
            for b in range(16):
                a0, a1, a2, a3 = x0[b], x1[b], x2[b], x3[b]
                tmp = a0 + a1 + a3
                x3[b] = a3 + np.uint64(1)
                x0[b] = a1 ^ (a1 >> np.uint64(11))
                x1[b] = a2 + (a2 << np.uint64(3))
                x2[b] = ((a2 << np.uint64(24)) | (a2 >> np.uint64(40))) + tmp
                acc[b] ^= tmp
        return int(acc.sum() & np.uint64(1))

    def draw(n: int) -> None:
        words = [np.random.SFC64(b).state["state"]["state"] for b in range(16)]
        fill(np.array(words, dtype=np.uint64).T.copy(), n)

    draw(10)
    shares = [(n_numbers // 2 // 16) // threads for _ in range(threads)]
    t0 = time.perf_counter()
    workers = [threading.Thread(target=draw, args=(s,)) for s in shares]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - t0


# --------------------------------------------------------------------------------------------
# Children: a new process each
# --------------------------------------------------------------------------------------------


def child(kind: str, db: Path, runs: int, years: int, threads: int) -> None:
    """A cold run: ``floor`` (read the plans, draw the numbers) or ``engine`` (the whole
    forecast: it calls ``warm_up()`` first, so numba loads while the plans are read). Prints
    its own phases as JSON (the parent times the process from outside)."""
    t = {"start": time.perf_counter()}
    if kind == "engine":  # a caller that will simulate starts numba loading first
        from opgave.forecast.engine import warm_up

        warm_up()
    data = read_plans(db)
    t["read"] = time.perf_counter()
    n_numbers = len(data["homes"]) * runs
    out: dict[str, Any] = {}
    if kind == "floor":
        # the fastest of numpy's ways (SFC64 is; the search over all takes long): the process
        # is counted as if it had drawn once, with that way
        out["floor_s"], out["generator"], out["tries_s"], _ = random_floor(
            n_numbers, 2, (np.random.SFC64,)
        )
    else:
        from opgave.forecast.assumptions import load_assumptions
        from opgave.forecast.engine import simulate

        t["import"] = time.perf_counter()
        inputs = engine_inputs(data, years)
        assumptions = load_assumptions()
        t["inputs"] = time.perf_counter()
        result = simulate(inputs, assumptions, runs=runs, seed=1, threads=threads)
        t["simulate"] = time.perf_counter()
        out["check"] = questions(result)
        t["questions"] = time.perf_counter()
        names = list(t)
        out["phases"] = {b: round(t[b] - t[a], 3) for a, b in itertools.pairwise(names)}
        out["numba"] = "numba" in sys.modules
    out["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9
    print(json.dumps(out))


def cold(kind: str, db: Path, args: argparse.Namespace) -> tuple[float, dict[str, Any]]:
    """Wall time of a new process running ``child(kind)``, and what it printed."""
    command = [sys.executable, __file__, "--child", kind, "--db", str(db),
               "--runs", str(args.runs), "--years", str(args.years),
               "--threads", str(args.threads)]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if kind == "floor":  # as if it had drawn only once, the fastest way
        wall -= out["tries_s"] - out["floor_s"]
    return wall, out


FIXED_RUNS = 100
"""The fewest runs ``opgave forecast`` takes: the command with these is its fixed cost."""


def cli_run(args: argparse.Namespace, workdir: Path) -> tuple[float, float, float]:
    """``opgave forecast`` as a new process on a database with an N-plan demo pipeline: wall
    time and peak memory, and the wall time of the same command with :data:`FIXED_RUNS` runs
    (the part that does not grow with the runs: Python, the CLI, SQLAlchemy, numba's import
    and kernel load, the programme state, the engine's inputs). Medians of ``--cold``
    interleaved pairs; the database is built first, not timed."""
    db = workdir / "cli.db"
    opgave = Path(sys.executable).with_name("opgave")
    for step in (["init"], ["demo", "--plans", str(args.plans)]):
        subprocess.run([str(opgave), "--db", str(db), *step], check=True, capture_output=True)
    walls: dict[int, list[float]] = {args.runs: [], FIXED_RUNS: []}
    for _ in range(max(1, args.cold)):
        for runs in walls:
            command = [str(opgave), "--db", str(db), "forecast", "--runs", str(runs), "--json"]
            t0 = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            walls[runs].append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e9
    full, fixed = (sorted(w)[len(w) // 2] for w in walls.values())
    return full, peak, fixed


def figure(name: str, value: float, unit: str, floor: float | None, goal: float) -> dict[str, Any]:
    """One figure as ``benchmarks/run_all.py`` collects them."""
    ratio = value / floor if floor else None
    passed = (ratio if ratio is not None else value) <= goal
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "floor": None if floor is None else round(floor, 3),
        "ratio": None if ratio is None else round(ratio, 2),
        "goal": goal,
        "passed": bool(passed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--plans", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs (engine and floor)")
    parser.add_argument("--cold", type=int, default=3, help="new-process runs of each kind")
    parser.add_argument("--cli", action="store_true", help="also time `opgave forecast`")
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    parser.add_argument("--child", choices=("floor", "engine"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.runs, args.years, args.threads)
        return
    say = (lambda *_: None) if args.json else print
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "plans.sqlite"
        write_pipeline(db, args.plans, args.years)
        say(
            f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; numpy "
            f"{np.__version__}; SYNTHETIC pipeline: {args.plans:,} plans, 372 areas, "
            f"{args.years} years, {args.runs:,} runs, {args.threads} engine threads"
        )
        # cold first (the warm runs below would warm the page cache and numba's cache alike)
        cold_runs = []
        for _ in range(max(1, args.cold)):
            floor_wall, floor_out = cold("floor", db, args)
            engine_wall, engine_out = cold("engine", db, args)
            cold_runs.append((engine_wall, floor_wall, engine_out, floor_out))
            say(
                f"cold: engine process {engine_wall:.2f} s {engine_out['phases']} peak "
                f"{engine_out['peak_gb']:.2f} GB; floor process {floor_wall:.2f} s (numbers "
                f"{floor_out['floor_s']:.2f} s, {floor_out['generator']})"
            )
        # warm: in this process
        from opgave.forecast.assumptions import load_assumptions
        from opgave.forecast.engine import simulate

        inputs = engine_inputs(read_plans(db), args.years)
        assumptions = load_assumptions()
        n_numbers = args.plans * args.runs
        warm_runs = []
        for i in range(max(1, args.repeat) + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            result = simulate(inputs, assumptions, runs=args.runs, seed=1, threads=args.threads)
            check = questions(result)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            del result
            floor_2, gen_2, _, floor_cpu = random_floor(n_numbers, 2)
            floor_1, _, _, _ = random_floor(n_numbers, 1)
            if i:  # run 0 loads the kernel: it is the cold figure's business
                warm_runs.append((wall, cpu, floor_2, floor_1))
            say(
                f"warm run {i}: engine+questions {wall:.2f} s (CPU {cpu:.2f} s), floor 2 "
                f"threads {floor_2:.2f} s (CPU {floor_cpu:.2f} s, {gen_2}), 1 thread "
                f"{floor_1:.2f} s" + ("  [first call: not counted]" if not i else "")
            )
        own = engine_generator(n_numbers, args.threads)
        say(
            f"the engine's own generator (SFC64 in compiled code), {args.threads} threads: "
            f"{own:.2f} s"
        )
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9
        figures = []
        best_warm = min(warm_runs, key=lambda r: r[0] / r[2])
        figures.append(figure("forecast_warm_engine", best_warm[0], "s", best_warm[2], GOAL_RATIO))
        best_cold = min(cold_runs, key=lambda r: r[0] / r[1])
        figures.append(
            figure("forecast_cold_end_to_end", best_cold[0], "s", best_cold[1], GOAL_RATIO)
        )
        cold_peak = max(r[2]["peak_gb"] for r in cold_runs)
        figures.append(figure("forecast_peak_memory", cold_peak, "GB", None, GOAL_PEAK_GB))
        if args.cli:
            cli_wall, cli_peak, cli_fixed = cli_run(args, Path(tmp))
            figures.append(
                figure("forecast_cli_end_to_end", cli_wall, "s", best_cold[1], GOAL_RATIO)
            )
            fixed = figure("forecast_cli_fixed_cost", cli_fixed, "s", best_cold[1], GOAL_RATIO)
            fixed["goal"] = fixed["passed"] = None  # what the goal leaves to the simulation
            figures.append(fixed)
            say(
                f"cli: `opgave forecast --runs {args.runs}` {cli_wall:.2f} s, "
                f"peak {cli_peak:.2f} GB; with --runs {FIXED_RUNS} (the fixed cost) "
                f"{cli_fixed:.2f} s"
            )
    if args.json:
        for f in figures:
            print(json.dumps(f))
        return
    warm_ratios = sorted(r[0] / r[2] for r in warm_runs)
    cold_ratios = sorted(r[0] / r[1] for r in cold_runs)
    print(
        f"warm engine / two-thread floor: {warm_ratios[0]:.2f}-{warm_ratios[-1]:.2f} "
        f"over {len(warm_runs)} runs; cold process / cold floor process: "
        f"{cold_ratios[0]:.2f}-{cold_ratios[-1]:.2f} over {len(cold_runs)}; in-process peak "
        f"{peak_gb:.2f} GB"
    )
    print(f"{'figure':28s} {'value':>9s} {'floor':>8s} {'ratio':>6s} {'goal':>5s}  result")
    for f in figures:
        floor = "-" if f["floor"] is None else f"{f['floor']:.2f}"
        ratio = "-" if f["ratio"] is None else f"{f['ratio']:.2f}"
        print(
            f"{f['name']:28s} {f['value']:7.2f} {f['unit']:2s} {floor:>7s} {ratio:>6s} "
            + ("    -" if f["goal"] is None else f"{f['goal']:5.1f}  ")
            + {True: "pass", False: "MISS", None: ""}[f["passed"]]
        )
    print(
        f"check (SYNTHETIC): nation 2025-2030 P10/P50/P90 {check['nation_p10']:,.0f} / "
        f"{check['nation_p50']:,.0f} / {check['nation_p90']:,.0f}; capacity ratio for 80%: "
        f"{check['nation_ratio_80']:.2f}"
    )


if __name__ == "__main__":
    main()
