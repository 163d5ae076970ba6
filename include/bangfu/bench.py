"""`make bench`: the pipeline end to end at scale, beside the engine's floor (issue 7).

For each size (1M and 10M platform order rows by default) it synthesises a landing folder
over two years (the other sources at the default city size), holds back the order exports of the
last quarter, runs `bangfu run` for the report quarter in a child process and records the
wall time, the per-stage times (`RunResult.timings`) and the child's peak memory; in the
same run it measures the floor: DuckDB alone reading the same order files (GBK ones
transcoded first, as the ingestion does) and aggregating them by unit and month. Then it
lands the held-back quarter and reruns (the incremental run) on the same warehouse.

Goals (issue 7): end to end at 10M within 3x floor + 60 s; peak memory < 4 GB; an
incremental run within 25% of a full run's time. Not a test: a benchmark.

    python -m bangfu.bench [--sizes 1000000,10000000] [--work bench/work] [--quarter 2026Q3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEAK_GOAL_MB = 4096
INCREMENTAL_GOAL = 0.25
HOLD_BACK_EXPORTS = 3  # one quarter of monthly order exports


def floor_seconds(order_files: list[Path]) -> float:
    """DuckDB alone: read every order CSV and sum amounts by buyer and month.

    GBK/GB18030 files are transcoded to UTF-8 first with the ingestion's own streaming
    transcoder (DuckDB reads UTF-8 only), inside the timing: the ingestion pays it too.
    """
    import duckdb

    from bangfu.readers import detect_encoding_fast, transcode_to_utf8

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bangfu-floor-") as tmp:
        files = []
        for i, f in enumerate(order_files):
            if detect_encoding_fast(f) == "gb18030":
                out = Path(tmp) / f"{i}.csv"
                transcode_to_utf8(f, "gb18030", out)
                f = out
            files.append(str(f))
        columns = {f"c{i}": "VARCHAR" for i in range(16)}
        con = duckdb.connect()
        con.execute(
            """
            SELECT count(*), sum(n) FROM (
                SELECT c4 AS unit, substr(c1, 1, 7) AS month, count(*) AS n,
                    sum(try_cast(replace(c12, ',', '') AS DECIMAL(18, 2))) AS amount
                FROM read_csv($files, header = false, skip = 1, columns = $columns,
                              auto_detect = false, ignore_errors = true, null_padding = true)
                GROUP BY ALL
            )
            """,
            {"files": files, "columns": columns},
        ).fetchall()
        con.close()
    return time.perf_counter() - t0


_CHILD = """
import json, logging, resource, sys
from pathlib import Path
from bangfu import config, pipeline
from bangfu.periods import parse_quarter
logging.basicConfig(level=logging.WARNING)
landing, wh, out, q = sys.argv[1:5]
s = pipeline.Settings(Path(landing), Path(wh), Path(out), config.load())
r = pipeline.run(s, parse_quarter(q))
print('BENCH' + json.dumps({'exit': r.exit_code, 'timings': r.timings, 'peaks': r.peak_mb}),
      flush=True)
"""


def run_child(landing: Path, wh: Path, out: Path, quarter: str) -> dict:
    """`bangfu run` in a child process: wall seconds, stage timings, peak RSS (MB)."""
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(landing), str(wh), str(out), quarter],
            stdout=so,
            stderr=se,
            text=True,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak (and its children's)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        so.seek(0)
        se.seek(0)
        stdout, stderr = so.read(), se.read()
    line = next((x for x in stdout.splitlines() if x.startswith("BENCH")), None)
    if line is None:
        raise RuntimeError(f"bangfu run failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    info = json.loads(line[5:])
    return {
        "wall_s": round(wall, 1),
        "stages": {k: round(v, 1) for k, v in (info["timings"] or {}).items()},
        "peak_mb": round(usage.ru_maxrss / 1024),
        "stage_peak_mb": info.get("peaks") or {},
        "exit": info["exit"],
    }


def _export_month(name: str) -> tuple[int, int]:
    """(year, month) an order export covers, from its name: `..._YYYYMM_...` is the month,
    `..._YYYYMMDD_...` the day it was taken (the first days of the next month)."""
    import re

    if m := re.search(r"_(20\d\d)(\d\d)(\d\d)_", name):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if d <= 4:  # taken early in the next month
            y, mo = (y - 1, 12) if mo == 1 else (y, mo - 1)
        return y, mo
    if m := re.search(r"_(20\d\d)(\d\d)_", name):
        return int(m[1]), int(m[2])
    return 0, 0


def _held_back(landing: Path) -> list[Path]:
    """The order exports of the last quarter covered (held back for the incremental run)."""
    files = sorted(
        (landing / "platform_orders").rglob("*.csv"), key=lambda f: _export_month(f.name)
    )
    return files[-HOLD_BACK_EXPORTS:]


def bench_size(rows: int, work: Path, quarter: str) -> dict:
    from bangfu.synth import generate

    landing = work / f"landing-{rows}"
    held = work / f"held-{rows}"
    for d in (landing, held, work / f"wh-{rows}", work / f"out-{rows}"):
        shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    generate(landing, seed=1, years=(2025, 2026), orders=rows)
    synth_s = time.perf_counter() - t0
    later = _held_back(landing)
    held.mkdir(parents=True)
    for f in later:
        shutil.move(f, held / f.name)
    orders = sorted((landing / "platform_orders").rglob("*.csv"))
    floor = floor_seconds(orders)
    wh = work / f"wh-{rows}" / "bangfu.duckdb"
    out = work / f"out-{rows}"
    full = run_child(landing, wh, out, quarter)
    floor_after = floor_seconds(orders)  # the floor again, after: the machine is shared
    for f in later:
        shutil.move(held / f.name, f)
    incremental = run_child(landing, wh, out, quarter)
    floor_s = (floor + floor_after) / 2
    return {
        "rows": rows,
        "order_files": len(orders),
        "order_mb": round(sum(f.stat().st_size for f in orders) / 2**20),
        "synth_s": round(synth_s, 1),
        "floor_s": round(floor_s, 2),
        "full": full,
        "incremental": incremental,
        "held_back": [f.name for f in later],
        "goal_e2e_s": round(3 * floor_s + 60, 1),
        "ingest_vs_floor": round(full["stages"].get("ingest", 0) / floor_s, 1),
        "incremental_vs_full": round(incremental["wall_s"] / full["wall_s"], 2),
    }


def table(results: list[dict]) -> str:
    lines = [
        "| order rows | floor s | full run s | ingest s (× floor) | build s | check s "
        "| publish s | peak MB | e2e goal 3×floor+60 s | incremental s (÷ full) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        st, inc = r["full"]["stages"], r["incremental"]
        lines.append(
            f"| {r['rows']:,} | {r['floor_s']} | {r['full']['wall_s']} | "
            f"{st.get('ingest', '-')} ({r['ingest_vs_floor']}×) | {st.get('build', '-')} | "
            f"{st.get('check', '-')} | {st.get('publish', '-')} | "
            f"{max(r['full']['peak_mb'], inc['peak_mb'])} | {r['goal_e2e_s']} | "
            f"{inc['wall_s']} ({r['incremental_vs_full']}) |"
        )
    lines.append("")
    for r in results:
        e2e = r["full"]["wall_s"] <= r["goal_e2e_s"]
        peak = max(r["full"]["peak_mb"], r["incremental"]["peak_mb"])
        inc = r["incremental_vs_full"] <= INCREMENTAL_GOAL
        lines.append(
            f"- {r['rows']:,} rows: end to end {r['full']['wall_s']} s "
            f"{'≤' if e2e else '>'} {r['goal_e2e_s']} s {'PASS' if e2e else 'FAIL'}; "
            f"peak {peak} MB {'<' if peak < PEAK_GOAL_MB else '≥'} {PEAK_GOAL_MB} MB "
            f"{'PASS' if peak < PEAK_GOAL_MB else 'FAIL'}; incremental "
            f"{r['incremental_vs_full']:.0%} of the full run "
            f"{'PASS' if inc else 'FAIL'} (goal ≤ {INCREMENTAL_GOAL:.0%}); "
            f"exit codes {r['full']['exit']}/{r['incremental']['exit']}; "
            f"incremental stages {r['incremental']['stages']}; peak MB as each stage "
            f"ended (running maximum) {r['full'].get('stage_peak_mb', {})}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bangfu-bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000000,10000000", help="order rows, comma separated")
    p.add_argument("--work", type=Path, default=Path("bench/work"))
    p.add_argument("--quarter", default="2026Q3")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in (int(x) for x in args.sizes.split(",")):
        r = bench_size(rows, args.work.resolve(), args.quarter)
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    print()
    print(table(results))
    out = args.work.parent / "results" / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
