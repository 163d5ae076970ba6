"""The benchmark's own pieces, on tiny real files (the benchmark itself is `make bench`)."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from bangfu import bench
from bangfu.bench_ingest import HEADER, generate_orders, load_seconds


def _orders_csv(path, encoding: str, rows: list[str]) -> None:
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode(encoding))


def test_floor_reads_gbk_and_utf8_alike(tmp_path):
    row = (
        "O{n},2026-01-0{n} 10:00:00,2026-01-0{n} 11:00:00,广州某单位,91440101MA0000000M,"
        '毕节公司,P1,天麻,农副产品,520502,1,25.50,"1,025.50",,已完成,食堂食材'
    )
    gbk, utf8 = tmp_path / "a.csv", tmp_path / "b.csv"
    _orders_csv(gbk, "gbk", [row.format(n=1), row.format(n=2)])
    _orders_csv(utf8, "utf-8", [row.format(n=3)])
    assert bench.floor_seconds([gbk, utf8]) > 0
    # what the floor reads: the same three rows, the GBK one decoded (not rejected)
    out = tmp_path / "a8.csv"
    from bangfu.readers import transcode_to_utf8

    transcode_to_utf8(gbk, "gb18030", out)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(16)) + "}"
    (n, amount, name) = (
        duckdb.connect()
        .execute(
            f"SELECT count(*), sum(try_cast(replace(c12, ',', '') AS DECIMAL(18,2))), min(c3) "
            f"FROM read_csv(['{out}', '{utf8}'], header=false, skip=1, auto_detect=false, "
            f"columns={columns})"
        )
        .fetchone()
    )
    assert (n, str(amount), name) == (3, "3076.50", "广州某单位")


def test_held_back_is_the_last_quarter_of_exports(tmp_path):
    d = tmp_path / "platform_orders"
    d.mkdir()
    names = [
        "832平台订单明细_20260103_aaaaaa.csv",  # December 2025, taken in January
        "orders_export_20260802_bbbbbb.csv",  # July
        "脱贫地区农副产品网络销售平台_采购订单_202608_cccccc.csv",
        "orders_export_20260902_dddddd.csv",  # August
        "832平台订单明细_20261010_eeeeee.csv",  # the last export
        "脱贫地区农副产品网络销售平台_采购订单_202601_ffffff.csv",
    ]
    for n in names:
        (d / n).write_text(HEADER + "\n", encoding="utf-8")
    held = [p.name for p in bench._held_back(tmp_path)]
    assert sorted(held) == sorted([names[2], names[3], names[4]])


def test_bench_ingest_generator_and_floor(tmp_path):
    generate_orders(tmp_path, 3000, files=2)
    files = sorted((tmp_path / "platform_orders").glob("*.csv"))
    assert len(files) == 2
    (rows,) = (
        duckdb.connect()
        .execute(f"SELECT count(*) FROM read_csv({[str(f) for f in files]!r})")
        .fetchone()
    )
    assert rows == 3000
    assert bench.floor_seconds(files) > 0
    # DuckDB alone loading them: every row, typed ("1,025.50" and the like parsed)
    db = tmp_path / "alone.duckdb"
    assert load_seconds(files, db) > 0
    con = duckdb.connect(str(db))
    (n, no_amount, no_time, typ) = con.execute(
        "SELECT count(*), count(*) - count(order_amount_yuan), count(*) - count(ordered_at), "
        "typeof(any_value(order_amount_yuan)) FROM platform_orders"
    ).fetchone()
    assert (n, no_amount, no_time, typ) == (3000, 0, 0, "DECIMAL(18,2)")
    assert con.execute(
        "SELECT order_amount_yuan FROM platform_orders WHERE order_id = 'O000000097'"
    ).fetchone() == (Decimal("1097.50"),)


def test_table_states_goals():
    r = {
        "rows": 1000,
        "floor_s": 2.0,
        "full": {"wall_s": 70.0, "stages": {"ingest": 5.0, "build": 30.0}, "peak_mb": 900,
                 "exit": 0},
        "incremental": {"wall_s": 14.0, "stages": {}, "peak_mb": 1000, "exit": 0},
        "goal_e2e_s": 66.0,
        "ingest_vs_floor": 2.5,
        "incremental_vs_full": 0.2,
    }  # fmt: skip
    text = bench.table([r])
    assert "| 1,000 | 2.0 | 70.0 | 5.0 (2.5×) | 30.0 |" in text
    assert "70.0 s > 66.0 s FAIL" in text
    assert "peak 1000 MB < 4096 MB PASS" in text
    assert "incremental 20% of the full run PASS" in text
