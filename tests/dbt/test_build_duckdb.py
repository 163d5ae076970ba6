"""dbt build on DuckDB from the hand-made raw layer; mart values computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from dbt_raw_layer import QUARANTINE_SUPPLIER, THROUGH, U1, U2, U3, U4, analyst_queries

from bangfu.transform import BuildError, build


def _rows(wh, sql, params=None):
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _one(wh, sql, params=None):
    rows = _rows(wh, sql, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_build_leaves_no_connection_open(built_duckdb):
    import duckdb

    # a read-write connection from this process succeeds only if dbt let go of the file
    con = duckdb.connect(str(built_duckdb["warehouse"]))
    con.close()
    print(f"dbt build on DuckDB (hand-made raw layer): {built_duckdb['seconds']:.1f} s")


def test_schemas_are_exact(built_duckdb):
    schemas = {
        r[0]
        for r in _rows(
            built_duckdb["warehouse"], "select schema_name from information_schema.schemata"
        )
    }
    assert {"staging", "intermediate", "marts"} <= schemas
    assert not [s for s in schemas if s.endswith(("_staging", "_marts", "_intermediate"))]
    marts = {
        r[0]
        for r in _rows(
            built_duckdb["warehouse"],
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    }
    assert marts == {
        "kpi_unit_quarter", "kpi_canteen", "kpi_union_welfare", "kpi_reporting",
        "reconciliation_832", "kpi_city_quarter", "catalogue_current", "site_quarter",
        "exit_candidates", "quarantine",
    }  # fmt: skip


def test_unit_tests_ran_and_passed(built_duckdb):
    results = built_duckdb["run_results"]
    unit = [r for r in results["results"] if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 11
    assert {r["status"] for r in unit} == {"pass"}
    singular = [r for r in results["results"] if ".assert_" in r["unique_id"]]
    assert len(singular) == 3 and {r["status"] for r in singular} == {"pass"}


def test_kpi_unit_quarter_grain_and_amounts(built_duckdb):
    wh = built_duckdb["warehouse"]
    # grid 2025Q1..2026Q3 (through var); U3 left 2025-06-30, U4 joined 2026-04-01
    counts = dict(_rows(wh, "select unit_code, count(*) from marts.kpi_unit_quarter group by 1"))
    assert counts == {U1: 7, U2: 7, U3: 2, U4: 2}
    q = (
        "select amount_platform_yuan, amount_reported_other_yuan, amount_total_yuan, "
        "ytd_total_yuan, ytd_base_yuan, growth_ytd_pct, growth_status, unit_type "
        "from marts.kpi_unit_quarter where unit_code = ? and year = ? and quarter = ?"
    )
    # o1 10000 + o2 (部分退款 5000 − 1000); report 专柜 3000 (832平台 line not added)
    assert _one(wh, q, [U1, 2025, 1]) == (
        D("14000.00"), D("3000.00"), D("17000.00"), D("17000.00"), None, None, "无基期", "区直单位"
    )  # fmt: skip
    # o6's later version (已完成 8000); resubmitted report replaces 1000 by 2500
    assert _one(wh, q, [U1, 2026, 1]) == (
        D("8000.00"), D("2500.00"), D("10500.00"), D("10500.00"), D("17000.00"), D("-38.24"),
        "未达标", "区直单位",
    )  # fmt: skip
    # o7 tie on updated_at: the later file (部分退款 6000 − 500) wins
    assert _one(wh, q, [U1, 2026, 2])[:6] == (
        D("5500.00"), D("0.00"), D("5500.00"), D("16000.00"), D("19000.00"), D("-15.79")
    )  # fmt: skip
    # U2 was 市直单位 in 2025 and is 国企 from 2026: 30000 vs base 27000 = +11.11 % → 达标
    assert _one(wh, q, [U2, 2026, 1]) == (
        D("30000.00"), D("0.00"), D("30000.00"), D("30000.00"), D("27000.00"), D("11.11"),
        "达标", "国企",
    )  # fmt: skip
    assert _one(wh, q, [U2, 2025, 4])[-1] == "市直单位"
    # the through quarter exists with zeros
    assert _one(wh, q, [U2, 2026, 3])[:4] == (D("0.00"), D("0.00"), D("0.00"), D("30000.00"))
    # U3's order after it left and U4's before it joined are not counted
    assert _one(wh, q, [U3, 2025, 1])[:3] == (D("50000.00"), D("5000.00"), D("55000.00"))
    assert _one(wh, q, [U4, 2026, 2])[:3] == (D("12000.00"), D("10000.00"), D("22000.00"))


def test_kpi_city_quarter(built_duckdb):
    wh = built_duckdb["warehouse"]
    got = {
        (dim, member): (amount, ytd, base, pct)
        for dim, member, amount, ytd, base, pct in _rows(
            wh,
            "select dimension, member, amount_yuan, ytd_yuan, ytd_base_yuan, growth_ytd_pct "
            "from marts.kpi_city_quarter where year = 2026 and quarter = 1",
        )
    }
    assert got[("total", "全市")] == (D("40500.00"), D("40500.00"), D("99000.00"), D("-59.09"))
    assert got[("unit_type", "国企")][:3] == (D("30000.00"), D("30000.00"), D("55000.00"))
    assert got[("unit_type", "市直单位")][:3] == (D("0.00"), D("0.00"), D("27000.00"))
    assert got[("district", "市级")][0] == D("30000.00")
    assert got[("region", "毕节市")] == (D("40500.00"), D("40500.00"), D("10000.00"), D("305.00"))
    assert got[("region", "非结对地区")][2] == D("27000.00")
    assert got[("channel", "832平台")][0] == D("38000.00")
    assert got[("channel", "专馆")] == (D("2500.00"), D("2500.00"), D("0.00"), None)
    assert {m for d, m in got if d == "region"} == {"毕节市", "黔南州", "非结对地区"}


def test_kpi_canteen(built_duckdb):
    rows = _rows(
        built_duckdb["warehouse"],
        "select unit_code, year, quarter, reserved_yuan, purchased_ytd_yuan, completion_pct, "
        "status from marts.kpi_canteen order by 1, 2, 3",
    )
    got = {(u, y, q): rest for u, y, q, *rest in rows}
    assert got[(U1, 2025, 1)] == [D("30000.00"), D("10000.00"), D("33.33"), "进度正常"]
    assert got[(U1, 2025, 2)][-1] == "进度滞后"
    # the later plan file (13500) replaces the first (12000)
    assert got[(U1, 2026, 1)] == [D("13500.00"), D("8000.00"), D("59.26"), "进度正常"]
    assert got[(U1, 2026, 2)] == [D("13500.00"), D("13500.00"), D("100.00"), "已完成"]
    assert got[(U2, 2025, 3)] == [None, D("0.00"), None, "无食堂"]
    assert got[(U2, 2026, 1)][-1] == "未报计划"
    assert got[(U3, 2025, 1)][-1] == "未报计划"
    # exactly Q/4: 12000 of 24000 at Q2 is on track, at Q3 it lags
    assert got[(U4, 2026, 2)] == [D("24000.00"), D("12000.00"), D("50.00"), "进度正常"]
    assert got[(U4, 2026, 3)][-1] == "进度滞后"
    assert len(rows) == 18


def test_kpi_union_welfare(built_duckdb):
    rows = _rows(
        built_duckdb["warehouse"],
        "select unit_code, year, welfare_total_yuan, special_yuan, share_pct, compliant "
        "from marts.kpi_union_welfare order by 1, 2",
    )
    assert rows == [
        (U1, 2025, D("200000.00"), D("120000.00"), D("60.00"), True),
        (U1, 2026, D("80000.00"), D("30000.00"), D("37.50"), False),
        (U2, 2025, D("50000.00"), D("25000.00"), D("50.00"), True),
        (U2, 2026, D("0.00"), D("0.00"), None, None),
        (U3, 2025, D("0.00"), D("0.00"), None, None),
        (U4, 2026, D("0.00"), D("0.00"), None, None),
    ]


def test_kpi_reporting(built_duckdb):
    rows = _rows(
        built_duckdb["warehouse"],
        "select unit_code, year, quarter, cast(first_submitted_on as varchar), status "
        "from marts.kpi_reporting where status <> '未报' order by 1, 2, 3",
    )
    assert rows == [
        (U1, 2025, 1, "2025-04-10", "按时"),  # on the deadline day
        (U1, 2025, 2, "2025-07-11", "逾期"),
        (U1, 2026, 1, "2026-04-08", "按时"),  # first of two submissions
        (U2, 2025, 1, "2025-04-11", "逾期"),
        (U2, 2026, 2, "2026-07-10", "按时"),
        (U4, 2026, 2, "2026-07-09", "按时"),
    ]
    counts = dict(
        _rows(
            built_duckdb["warehouse"],
            "select unit_code, count(*) from marts.kpi_reporting group by 1",
        )
    )
    assert counts == {U1: 7, U2: 7, U4: 2}  # U3 need not report


def test_reconciliation_832(built_duckdb):
    rows = _rows(
        built_duckdb["warehouse"],
        "select unit_code, year, quarter, reported_832_yuan, platform_832_yuan, diff_pct, "
        "flagged from marts.reconciliation_832 order by 1, 2, 3",
    )
    assert rows == [
        (U1, 2025, 1, D("14000.00"), D("14000.00"), D("0.00"), False),
        (U1, 2026, 1, D("8000.00"), D("8000.00"), D("0.00"), False),
        (U1, 2026, 2, D("0.00"), D("5500.00"), D("-100.00"), False),
        (U2, 2025, 1, D("35000.00"), D("20000.00"), D("75.00"), True),
        (U2, 2026, 1, D("0.00"), D("30000.00"), D("-100.00"), True),
        (U2, 2026, 2, D("12000.00"), D("0.00"), None, True),
        (U3, 2025, 1, D("60000.00"), D("50000.00"), D("20.00"), False),  # diff exactly 10,000
        (U4, 2026, 2, D("0.00"), D("12000.00"), D("-100.00"), True),
    ]


def test_catalogue_sites_exit_and_quarantine(built_duckdb):
    wh = built_duckdb["warehouse"]
    q = "select product_code, ref_price_yuan, prefecture from marts.catalogue_current order by 1"
    assert _rows(wh, q) == [
        ("P1", D("55.00"), "毕节市"), ("P2", D("40.00"), "黔南州"),
        ("P3", D("400.00"), "黔南州"), ("P4", D("100.00"), "黔南州"),
    ]  # fmt: skip
    assert _rows(
        wh, "select count(*), sum(case when declined then 1 else 0 end) from marts.site_quarter"
    ) == [(6, 3)]
    assert _rows(
        wh,
        "select candidate_type, candidate_code, rule, year, quarter from marts.exit_candidates "
        "order by 1, 2, 3",
    ) == [
        ("product", "P2", "no_platform_sales", 2026, 3),
        ("product", "P3", "price_above_category_median", 2026, 3),
        ("site", "S1", "site_sales_declining", 2026, 3),
        ("supplier", QUARANTINE_SUPPLIER, "supplier_quarantine_rows", 2026, 3),
    ]
    assert _rows(
        wh, "select source, file_sha256, row_number, reason from marts.quarantine order by 1, 3"
    ) == [
        ("platform_orders", "sha0001", 3, "产地区划代码“999999”不在帮扶地区名单中"),
        ("platform_orders", "sha0001", 4, "产地区划代码“999999”不在帮扶地区名单中"),
        ("unit_reports", "sha0002", None, "文件无法读取"),
    ]


def test_docs_generate_offline(built_duckdb, dbt_cfg):
    import json

    from bangfu.transform import docs_generate

    out = docs_generate(built_duckdb["warehouse"], dbt_cfg, through=THROUGH)
    assert (out / "index.html").stat().st_size > 10_000
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    assert "model.bangfu.kpi_unit_quarter" in catalog["nodes"]
    cols = catalog["nodes"]["model.bangfu.kpi_unit_quarter"]["columns"]
    assert cols["amount_total_yuan"]["type"].upper() == "DECIMAL(18,2)"


def test_failing_node_is_named(raw_warehouse, dbt_cfg, tmp_path):
    """A broken raw layer (an unknown unit type) fails an accepted_values test, by name."""
    import shutil

    import duckdb

    wh = tmp_path / "broken.duckdb"
    shutil.copyfile(raw_warehouse, wh)
    con = duckdb.connect(str(wh))
    con.execute("update raw.units set unit_type = '街道' where unit_code = ?", [U4])
    con.close()
    with pytest.raises(BuildError) as err:
        build(wh, dbt_cfg, target="duckdb")
    assert "accepted_values_int_units__registry_unit_type" in str(err.value)
    assert any("accepted_values" in n for n in err.value.failed_nodes)
    duckdb.connect(str(wh)).close()  # and the file is free again


def test_analyst_examples_run(built_duckdb):
    queries = analyst_queries()
    assert len(queries) == 5
    results = [_rows(built_duckdb["warehouse"], q) for q in queries]
    # who is behind: U1 at 2026Q3 (16000 vs 19000)
    assert [r[1] for r in results[0]] == ["广州市天河区某局"]
    assert {r[0] for r in results[1]} == {"毕节市", "黔南州", "非结对地区"}
    assert {r[0] for r in results[2]} == {U2, U4}
    assert {r[0]: (r[3], r[4]) for r in results[3]}[U2] == (0, 2)
