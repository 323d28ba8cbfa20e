"""Benchmark: BAG derivation (opgave) against a bare DuckDB statement and plain pandas.

    .venv/bin/python benchmarks/bag_ingest.py --rows 10000000

Generates a SYNTHETIC BAG extract of --rows VBO rows (cached under --dir), then runs each
method --repeat times (pandas --pandas-repeat times), interleaved, each run in its own
subprocess so that its peak RSS (ru_maxrss of that child, from os.wait4) is its own. Wall
and CPU time (all threads) are measured inside the child around the work only (imports
excluded); CPU time is less disturbed by other load on the machine. Best wall and CPU
of the runs are reported; peak RSS is the largest seen.
All three must give identical tables. The bars (issue 3): opgave peak RSS < 2 GB, wall time
<= 1.5x the bare DuckDB statement, and >= 5x faster than pandas. ``--json`` prints one JSON
object per figure (for benchmarks/run_all.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _figures import emit, figure, reporting

THREADS = 2
MEMORY_LIMIT = "1GB"
# Synthetic municipalities: 390 codes plus Weesp (0457), which merges into Amsterdam (0363).
GEMEENTE_CODES = [f"{i:04d}" for i in range(1, 391)] + ["0457", "0363"]
CODE_MAP = {"GM0457": "GM0363"}
METHODS = ("opgave", "duckdb_bare", "pandas")
GEVORMD = "Verblijfsobject gevormd"
IN_GEBRUIK = ("Verblijfsobject in gebruik", "Verblijfsobject in gebruik (niet ingemeten)")


# --- the three methods (run in a child process) ---------------------------------------------


def run_opgave(vbo: str, pand: str) -> Any:
    from opgave.ingest.bag import derive_events

    return derive_events(vbo, pand, code_map=CODE_MAP, threads=THREADS, memory_limit=MEMORY_LIMIT)


def run_duckdb_bare(vbo: str, pand: str) -> Any:
    """The floor: one hand-written statement, no validation, same answer on clean input."""
    import duckdb

    con = duckdb.connect(config={"threads": THREADS, "memory_limit": MEMORY_LIMIT})
    mapping = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in CODE_MAP.items())
    sql = f"""
    WITH v AS (
        SELECT vbo_id,
            min(begin_geldigheid) FILTER (WHERE status = '{GEVORMD}') AS permitted_on,
            min(begin_geldigheid) FILTER (WHERE status IN {IN_GEBRUIK}) AS completed_on,
            arg_max(gemeente_code, begin_geldigheid) AS gemeente_code,
            arg_max(pand_id, begin_geldigheid) AS pand_id
        FROM read_parquet('{vbo}')
        WHERE contains(gebruiksdoel, 'woonfunctie')
        GROUP BY vbo_id
    ), p AS (
        SELECT pand_id, min(begin_geldigheid) AS started_on
        FROM read_parquet('{pand}') WHERE status = 'Bouw gestart' GROUP BY pand_id
    ), e AS (
        SELECT 'GM' || lpad(gemeente_code, 4, '0') AS gm, year(permitted_on) AS yp,
            year(started_on) AS ys, year(completed_on) AS yc, count(*) AS n
        FROM v LEFT JOIN p USING (pand_id) GROUP BY ALL
    ), long AS (
        SELECT CASE gm {mapping} ELSE gm END AS gemeente_code, year, permitted, started,
            completed
        FROM (
            SELECT gm, yp AS year, n AS permitted, 0 AS started, 0 AS completed
            FROM e WHERE yp IS NOT NULL
            UNION ALL SELECT gm, ys, 0, n, 0 FROM e WHERE ys IS NOT NULL
            UNION ALL SELECT gm, yc, 0, 0, n FROM e WHERE yc IS NOT NULL
        )
    )
    SELECT gemeente_code, CAST(year AS INTEGER) AS year,
        CAST(sum(permitted) AS BIGINT) AS permitted, CAST(sum(started) AS BIGINT) AS started,
        CAST(sum(completed) AS BIGINT) AS completed
    FROM long GROUP BY 1, 2 ORDER BY 1, 2
    """
    return con.sql(sql).to_arrow_table()


def run_pandas(vbo: str, pand: str) -> Any:
    """Plain pandas: read, filter, group; the way an analyst would write it."""
    import pandas as pd
    import pyarrow as pa

    v = pd.read_parquet(
        vbo,
        columns=[
            "vbo_id",
            "status",
            "gebruiksdoel",
            "begin_geldigheid",
            "pand_id",
            "gemeente_code",
        ],
    )
    v = v[v["gebruiksdoel"].astype(str).str.contains("woonfunctie", regex=False)]
    status = v["status"].astype(str)
    permitted = v[status == GEVORMD].groupby("vbo_id")["begin_geldigheid"].min()
    completed = v[status.isin(IN_GEBRUIK)].groupby("vbo_id")["begin_geldigheid"].min()
    latest = (
        v.sort_values(["vbo_id", "begin_geldigheid"])
        .drop_duplicates("vbo_id", keep="last")
        .set_index("vbo_id")[["gemeente_code", "pand_id"]]
    )
    p = pd.read_parquet(pand, columns=["pand_id", "status", "begin_geldigheid"])
    started_on = (
        p[p["status"].astype(str) == "Bouw gestart"].groupby("pand_id")["begin_geldigheid"].min()
    )
    latest["started"] = latest["pand_id"].map(started_on)
    latest["permitted"] = permitted
    latest["completed"] = completed
    latest["gemeente_code"] = ("GM" + latest["gemeente_code"].astype(str).str.zfill(4)).replace(
        CODE_MAP
    )
    parts = []
    for event in ("permitted", "started", "completed"):
        dates = pd.to_datetime(latest[event])
        counts = (
            pd.DataFrame({"gemeente_code": latest["gemeente_code"], "year": dates.dt.year})
            .dropna()
            .value_counts()
            .rename(event)
        )
        parts.append(counts)
    out = (
        pd.concat(parts, axis=1)
        .fillna(0)
        .astype("int64")
        .reset_index()
        .sort_values(["gemeente_code", "year"])
    )
    out["year"] = out["year"].astype("int32")
    return pa.Table.from_pandas(out, preserve_index=False)


def child(method: str, vbo: str, pand: str, out: str) -> None:
    import pyarrow.parquet as pq

    func = {"opgave": run_opgave, "duckdb_bare": run_duckdb_bare, "pandas": run_pandas}[method]
    # Imports are not part of the work: load them before the clock starts.
    modules = {"opgave": ["opgave.ingest.bag"], "duckdb_bare": ["duckdb"], "pandas": ["pandas"]}
    for module in modules[method]:
        importlib.import_module(module)
    start, start_cpu = time.perf_counter(), time.process_time()
    table = func(vbo, pand)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    pq.write_table(table.replace_schema_metadata(None), out)
    print(json.dumps({"wall_s": wall, "cpu_s": cpu}))


# --- the driver -----------------------------------------------------------------------------


def ensure_input(folder: Path, rows: int, seed: int) -> tuple[Path, Path]:
    """The synthetic extract for (rows, seed), generated once and then reused."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import pyarrow.parquet as pq

    from opgave.synthetic_bag import write_synthetic_bag

    folder.mkdir(parents=True, exist_ok=True)
    vbo = folder / f"synthetic_bag_vbo_{rows}_seed{seed}.parquet"
    pand = folder / f"synthetic_bag_pand_{rows}_seed{seed}.parquet"
    try:
        if pq.read_metadata(vbo).num_rows == rows and pand.exists():
            print(f"input: cached {vbo}")
            return vbo, pand
    except (OSError, ValueError):  # missing or half-written: generate again
        pass
    start = time.perf_counter()
    n_vbo, n_pand = write_synthetic_bag(
        vbo, pand, rows, seed, GEMEENTE_CODES, code_changes={"0457": "0363"}
    )
    print(
        f"input: generated {n_vbo:,} VBO rows, {n_pand:,} pand rows "
        f"in {time.perf_counter() - start:.1f} s -> {folder}"
    )
    return vbo, pand


def measure(method: str, vbo: Path, pand: Path, out: Path) -> tuple[float, float, float]:
    """Run one method in a fresh subprocess; (wall s, CPU s of the work, peak RSS MiB)."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", method, str(vbo), str(pand), str(out)],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{method} failed with exit code {proc.returncode}")
    report = json.loads(output.decode().strip().splitlines()[-1])
    return float(report["wall_s"]), float(report["cpu_s"]), usage.ru_maxrss / 1024  # KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="runs of opgave and bare DuckDB")
    parser.add_argument("--pandas-repeat", type=int, default=1, help="runs of pandas (slow)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/opgave-bench/bag"))
    parser.add_argument("--child", nargs=4, metavar=("METHOD", "VBO", "PAND", "OUT"))
    parser.add_argument("--json", action="store_true", help="one JSON object per figure")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with reporting(args.json):
        figures = run(args)
    emit(figures, args.json)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Generate (or reuse) the input, run the methods interleaved, print the table; the
    figures for --json."""

    import duckdb
    import pyarrow.parquet as pq

    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"duckdb {duckdb.__version__}, threads={THREADS}, memory_limit={MEMORY_LIMIT}"
    )
    vbo, pand = ensure_input(args.dir, args.rows, args.seed)
    walls: dict[str, list[float]] = {m: [] for m in METHODS}
    cpus: dict[str, list[float]] = {m: [] for m in METHODS}
    rss: dict[str, list[float]] = {m: [] for m in METHODS}
    outs = {m: args.dir / f"result_{m}.parquet" for m in METHODS}
    for i in range(args.repeat):
        for method in METHODS:
            if method == "pandas" and i >= args.pandas_repeat:
                continue
            wall, cpu, peak = measure(method, vbo, pand, outs[method])
            walls[method].append(wall)
            cpus[method].append(cpu)
            rss[method].append(peak)
            print(
                f"  run {i + 1}: {method:<12} {wall:7.2f} s wall {cpu:7.2f} s CPU {peak:6.0f} MiB",
                flush=True,
            )

    results = {m: pq.read_table(outs[m]) for m in METHODS}
    reference = results["opgave"].to_pylist()
    same = {m: results[m].to_pylist() == reference for m in METHODS}

    best = {m: min(walls[m]) for m in METHODS}
    cpu = {m: min(cpus[m]) for m in METHODS}
    peak = {m: max(rss[m]) for m in METHODS}
    print(f"\n{args.rows:,} VBO rows; best wall and CPU of the runs, largest peak RSS:")
    print(f"{'method':<13}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>14}{'runs':>6}  identical")
    for m in METHODS:
        print(f"{m:<13}{best[m]:>9.2f}{cpu[m]:>9.2f}{peak[m]:>14.0f}{len(walls[m]):>6}  {same[m]}")
    vs_bare = best["opgave"] / best["duckdb_bare"]
    vs_pandas = best["pandas"] / best["opgave"]
    print(
        f"\nopgave / bare DuckDB wall: {vs_bare:.2f}x "
        f"(CPU {cpu['opgave'] / cpu['duckdb_bare']:.2f}x)"
        f"   bar <= 1.5x  {'PASS' if vs_bare <= 1.5 else 'FAIL'}"
    )
    print(
        f"pandas / opgave wall:      {vs_pandas:.1f}x (CPU {cpu['pandas'] / cpu['opgave']:.1f}x)"
        f"   bar >= 5x    {'PASS' if vs_pandas >= 5 else 'FAIL'}"
    )
    print(
        f"opgave peak RSS:           {peak['opgave']:.0f} MiB        bar < 2048 MiB "
        f"{'PASS' if peak['opgave'] < 2048 else 'FAIL'}"
    )
    print(f"results identical:         {all(same.values())}")
    if not all(same.values()):
        raise SystemExit(1)
    rows = f"{args.rows:,} VBO rows"
    return [
        figure("bag_ingest_vs_duckdb", best["opgave"], "s", best["duckdb_bare"], 1.5,
               f"the bare DuckDB statement, {rows}"),
        figure("bag_ingest_vs_pandas", best["opgave"], "s", best["pandas"], 0.2,
               f"plain pandas (goal: 5x faster), {rows}"),
        figure("bag_ingest_peak_rss", peak["opgave"], "MiB", None, 2048.0),
    ]  # fmt: skip


if __name__ == "__main__":
    main()
