"""Benchmark: ingesting N platform order rows vs DuckDB alone reading and aggregating them.

    python -m bangfu.bench_ingest [--orders 1000000] [--files 4] [--runs 3] [--dir DIR]

Writes a landing folder of plain UTF-8 order exports (a generator here: DuckDB writes
1M rows in seconds, where `bangfu.synth` takes most of a minute), ingests it into a
fresh warehouse, times the floor (`bangfu.bench.floor_seconds`: DuckDB alone reading and
aggregating the same files) before and after each ingestion, and prints both times and
their ratio (the issue's bar: ingestion under 3x DuckDB alone).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bangfu.parsing import uscc_check_char

HEADER = (
    "订单编号,下单时间,更新时间,采购单位名称,采购单位统一社会信用代码,供应商名称,商品编码,"
    "商品名称,商品类别,产地区划代码,数量,单价(元),订单金额(元),退款金额(元),订单状态,采购类型"
)


def _units(n: int) -> list[str]:
    out = []
    for i in range(n):
        body = f"91440101MA{i:07d}"
        out.append(body + uscc_check_char(body))
    return out


def generate_orders(landing: Path, orders: int, files: int = 4, seed: int = 1) -> None:
    """A landing folder with `orders` order rows over `files` CSVs (about 1 in 1000 bad)."""
    import duckdb

    units = _units(200)
    (landing / "reference").mkdir(parents=True, exist_ok=True)
    with open(landing / "reference" / "units.csv", "w", encoding="utf-8") as fh:
        fh.write("unit_code,unit_name,unit_type,district,must_report,valid_from,valid_to\n")
        for i, u in enumerate(units):
            fh.write(f"{u},广州测试单位{i},国企,,true,2020-01-01,\n")
    out = landing / "platform_orders"
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SELECT setseed(?)", [seed / 1000])
    con.execute("CREATE TABLE u AS SELECT unnest(?::VARCHAR[]) AS code", [units])
    con.execute("CREATE TABLE u2 AS SELECT row_number() OVER () - 1 AS i, code FROM u")
    per_file = -(-orders // files)
    for f in range(files):
        lo, hi = f * per_file, min(orders, (f + 1) * per_file)
        con.execute(
            f"""
            COPY (
            SELECT
                'O' || lpad(CAST(g AS VARCHAR), 9, '0') AS "订单编号",
                strftime(TIMESTAMP '2025-01-01' + INTERVAL (g % 47000000) SECOND,
                         '%Y-%m-%d %H:%M:%S') AS "下单时间",
                strftime(TIMESTAMP '2025-01-02' + INTERVAL (g % 47000000) SECOND,
                         '%Y-%m-%d %H:%M:%S') AS "更新时间",
                '广州测试单位' || (g % 200) AS "采购单位名称",
                CASE WHEN g % 1000 = 7 THEN 'BAD' || u2.code ELSE u2.code END
                    AS "采购单位统一社会信用代码",
                '毕节某某农业公司' AS "供应商名称",
                'P' || (g % 500) AS "商品编码",
                '大方天麻' AS "商品名称",
                '农副产品' AS "商品类别",
                CASE WHEN g % 1000 = 9 THEN '520999' ELSE '520502' END AS "产地区划代码",
                CAST(1 + g % 20 AS VARCHAR) AS "数量",
                '25.50' AS "单价(元)",
                CASE WHEN g % 97 = 0 THEN '1,' || lpad(CAST(g % 1000 AS VARCHAR), 3, '0') || '.50'
                     ELSE CAST((1 + g % 20) * 25.5 AS VARCHAR) END AS "订单金额(元)",
                CASE WHEN g % 13 = 0 THEN '10.00' ELSE '' END AS "退款金额(元)",
                CASE WHEN g % 11 = 0 THEN '部分退款' ELSE '已完成' END AS "订单状态",
                CASE g % 3 WHEN 0 THEN '食堂食材' WHEN 1 THEN '工会慰问' ELSE '其他' END
                    AS "采购类型"
            FROM range({lo}, {hi}) t(g) JOIN u2 ON u2.i = g % 200
            ORDER BY g
            ) TO '{out / f"orders_{f:02d}.csv"}' (HEADER, DELIMITER ',')
            """
        )
    con.close()


def _cpu() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--runs", type=int, default=3, help="ingestions (fresh warehouse each)")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from bangfu import config
    from bangfu.bench import floor_seconds
    from bangfu.ingest import ingest_landing

    work = args.dir or Path(tempfile.mkdtemp(prefix="bangfu-bench-"))
    landing, wh = work / "landing", work / "wh" / "bangfu.duckdb"
    shutil.rmtree(landing, ignore_errors=True)
    t0 = time.perf_counter()
    generate_orders(landing, args.orders, args.files)
    print(f"generated {args.orders} order rows in {time.perf_counter() - t0:.1f} s: {landing}")
    files = sorted((landing / "platform_orders").glob("*.csv"))
    floor_seconds(files)  # warm the page cache for both contenders

    # the machine may be shared: the floor is taken before and after every ingestion,
    # and CPU seconds (all threads) are reported beside wall seconds
    walls, cpus, floors, floor_cpus = [], [], [], []

    def floor() -> None:
        c0 = _cpu()
        floors.append(floor_seconds(files))
        floor_cpus.append(_cpu() - c0)

    for _ in range(args.runs):
        shutil.rmtree(wh.parent, ignore_errors=True)
        floor()
        c0, t0 = _cpu(), time.perf_counter()
        report = ingest_landing(landing, wh, config.load())
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
        floor()
    print(report.summary())
    med = statistics.median
    print(f"runs:         {args.runs} (medians below)")
    print(f"ingest:       {med(walls):6.2f} s wall, {med(cpus):6.2f} s CPU  {_fmt(walls)}")
    print(
        f"DuckDB alone: {med(floors):6.2f} s wall, {med(floor_cpus):6.2f} s CPU  {_fmt(floors)}"
        " (read_csv + group by unit and month)"
    )
    print(f"ratio:        {med(walls) / med(floors):6.2f}x wall (bar: < 3x), "
          f"{med(cpus) / med(floor_cpus):.2f}x CPU")  # fmt: skip
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _fmt(xs: list[float]) -> str:
    return "[" + ", ".join(f"{x:.2f}" for x in xs) + "]"


if __name__ == "__main__":
    raise SystemExit(main())
