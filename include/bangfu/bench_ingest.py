"""Benchmark: ingesting N platform order rows vs DuckDB alone reading and aggregating them.

    python -m bangfu.bench_ingest [--orders 1000000] [--files 4] [--runs 3] [--dir DIR]

Writes a landing folder of plain UTF-8 order exports (a generator here: DuckDB writes
1M rows in seconds, where `bangfu.synth` takes most of a minute), ingests it into a
fresh warehouse, times the floor (`bangfu.bench.floor_seconds`: DuckDB alone reading and
aggregating the same files) before and after each ingestion, and prints both times and
their ratio (the issue's bar: ingestion under 3x DuckDB alone).

For scale it also times DuckDB alone *loading* the same files into a table of a new
database file (`load_seconds`): the raw table's column types, no checks, no row numbers,
no ledger, every file in one statement with the row order not kept -- the cheapest way
DuckDB itself stores these rows, so the least any ingestion into DuckDB can cost.
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


def load_seconds(order_files: list[Path], db: Path) -> float:
    """DuckDB alone loading `order_files` (UTF-8, HEADER's columns) into a typed table
    `platform_orders` of a new database file `db`, closed (checkpointed) inside the timing."""
    import duckdb

    db.unlink(missing_ok=True)
    columns = {f"c{i}": "VARCHAR" for i in range(16)}
    ts = "try_strptime({}, '%Y-%m-%d %H:%M:%S')"

    def money(c: str, places: int = 2) -> str:
        return f"try_cast(replace({c}, ',', '') AS DECIMAL(18,{places}))"

    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""
        CREATE TABLE platform_orders AS
        SELECT c0 AS order_id, {ts.format("c1")} AS ordered_at, {ts.format("c2")} AS updated_at,
            c3 AS buyer_name, c4 AS buyer_code, c5 AS supplier_name, c6 AS product_code,
            c7 AS product_name, c8 AS product_category, c9 AS region_code,
            {money("c10", 3)} AS quantity, {money("c11")} AS unit_price_yuan,
            {money("c12")} AS order_amount_yuan, {money("c13")} AS refund_amount_yuan,
            c14 AS order_status, c15 AS purchase_type
        FROM read_csv($files, header = false, skip = 1, columns = $columns,
                      auto_detect = false, ignore_errors = true, null_padding = true)
        """,
        {"files": [str(f) for f in order_files], "columns": columns},
    )
    con.close()
    return time.perf_counter() - t0


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
    walls, cpus, floors, floor_cpus, loads, load_cpus = [], [], [], [], [], []

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
        c0 = _cpu()
        loads.append(load_seconds(files, work / "load-alone.duckdb"))
        load_cpus.append(_cpu() - c0)
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
    print(
        f"DuckDB alone loading them into a table (no checks): {med(loads):.2f} s wall, "
        f"{med(load_cpus):.2f} s CPU {_fmt(loads)} = {med(loads) / med(floors):.2f}x the floor"
    )
    (work / "load-alone.duckdb").unlink(missing_ok=True)
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _fmt(xs: list[float]) -> str:
    return "[" + ", ".join(f"{x:.2f}" for x in xs) + "]"


if __name__ == "__main__":
    raise SystemExit(main())
