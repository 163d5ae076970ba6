"""`make bench`: the pipeline end to end at scale, beside the engine's floor (issue 7).

For each size (1M and 10M platform order rows by default) it synthesises a landing folder
over two years, runs `bangfu run` for the latest complete quarter in a child process and
records per-stage times and peak memory; in the same run it measures the floor: DuckDB alone
reading the same order files and aggregating them by unit and quarter. Then it lands one
more quarter and reruns (incremental) against a full rebuild. Not a test: a benchmark.

    python -m bangfu.bench [--sizes 1000000,10000000] [--work bench/work] [--keep]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _floor_seconds(landing: Path) -> float:
    """DuckDB alone: read every order CSV and sum amounts by buyer and quarter."""
    import duckdb

    files = sorted(str(p) for p in (landing / "platform_orders").rglob("*.csv"))
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(
        """
        select count(*) from (
            select "采购单位统一社会信用代码" as unit, left("下单时间", 7) as month,
                   count(*) as n
            from read_csv($files, all_varchar = true, union_by_name = true,
                          ignore_errors = true, encoding = 'utf-8')
            group by all
        )
        """,
        {"files": files},
    ).fetchall()
    return time.perf_counter() - t0


def _run_child(args: list[str]) -> tuple[float, float, dict]:
    """Run `bangfu run` in a child; return wall seconds, peak RSS (MB) and its timings."""
    code = (
        "import json, sys, logging\n"
        "from bangfu import config, pipeline\n"
        "from bangfu.periods import parse_quarter\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "landing, wh, out, q = sys.argv[1:5]\n"
        "from pathlib import Path\n"
        "s = pipeline.Settings(Path(landing), Path(wh), Path(out), config.load())\n"
        "r = pipeline.run(s, parse_quarter(q))\n"
        "print('BENCH' + json.dumps({'exit': r.exit_code, 'timings': r.timings}))\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t0
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH")), None)
    if line is None:
        raise RuntimeError(f"bangfu run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return wall, peak_mb, json.loads(line[5:])


def bench_size(rows: int, work: Path, quarter: str) -> dict:
    from bangfu.synth import generate

    landing = work / f"landing-{rows}"
    if landing.exists():
        shutil.rmtree(landing)
    t0 = time.perf_counter()
    generate(landing, seed=1, years=(2025, 2026), orders=rows)
    synth_s = time.perf_counter() - t0
    floor = _floor_seconds(landing)
    wh = work / f"wh-{rows}" / "bangfu.duckdb"
    if wh.parent.exists():
        shutil.rmtree(wh.parent)
    wall, peak, info = _run_child([str(landing), str(wh), str(work / f"out-{rows}"), quarter])
    return {
        "rows": rows,
        "synth_s": round(synth_s, 1),
        "floor_s": round(floor, 2),
        "run_s": round(wall, 1),
        "stages": {k: round(v, 1) for k, v in (info["timings"] or {}).items()},
        "peak_rss_mb": round(peak),
        "exit": info["exit"],
        "ratio_vs_floor_plus_60": round(wall / (3 * floor + 60), 2),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bangfu-bench")
    p.add_argument("--sizes", default="1000000,10000000")
    p.add_argument("--work", type=Path, default=Path("bench/work"))
    p.add_argument("--quarter", default="2026Q3")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in (int(x) for x in args.sizes.split(",")):
        r = bench_size(rows, args.work, args.quarter)
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    print()
    print("| rows | floor s | run s | stages s | peak MB | run / (3×floor+60) |")
    print("|---:|---:|---:|---|---:|---:|")
    for r in results:
        stages = ", ".join(f"{k} {v}" for k, v in r["stages"].items())
        print(
            f"| {r['rows']:,} | {r['floor_s']} | {r['run_s']} | {stages} | "
            f"{r['peak_rss_mb']} | {r['ratio_vs_floor_plus_60']} |"
        )
    out = args.work.parent / "results" / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
