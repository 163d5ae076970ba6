"""A small hand-made raw layer (schemas `ledger` and `raw`) with known answers.

Four units over 2025-2026: U1 (区直单位, 天河区), U2 (市直单位 in 2025, 国企 from 2026),
U3 (国企, left the registry on 2025-06-30), U4 (区直单位, 越秀区, joined 2026-04-01).
The expected mart values in test_marts.py were computed by hand from these rows.
"""

from __future__ import annotations

import json
from pathlib import Path

from bangfu.periods import Quarter

# the builds pass through=2026Q3: the grid extends past the data (2026Q2)
THROUGH = Quarter(2026, 3)

U1 = "91440101000000001A"
U2 = "91440101000000002B"
U3 = "91440101000000003C"
U4 = "91440101000000004D"

UNITS = [
    (U1, "广州市天河区某局", "区直单位", "天河区", True, "2020-01-01", None),
    (U2, "广州市某委员会", "市直单位", None, True, "2020-01-01", "2025-12-31"),
    (U2, "广州某某集团有限公司", "国企", None, True, "2026-01-01", None),
    (U3, "广州某某发展有限公司", "国企", None, False, "2020-01-01", "2025-06-30"),
    (U4, "广州市越秀区某中心", "区直单位", "越秀区", True, "2026-04-01", None),
]

REGIONS = [
    ("520502", "贵州省", "毕节市", "七星关区", True, "东西部协作"),
    ("522701", "贵州省", "黔南州", "都匀市", True, "东西部协作"),
    ("445302", "广东省", "云浮市", "云城区", False, None),
]

# order_id, ordered_at, updated_at, buyer, product, category, region, amount, refund,
# status, purchase_type, file_id
ORDERS = [
    (
        "o1",
        "2025-02-01 10:00",
        "2025-02-05 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "10000.00",
        "0",
        "已完成",
        "食堂食材",
        1,
    ),
    (
        "o2",
        "2025-03-01 10:00",
        "2025-03-09 10:00",
        U1,
        "P2",
        "粮油",
        "522701",
        "5000.00",
        "1000.00",
        "部分退款",
        "其他",
        1,
    ),
    (
        "o3",
        "2025-04-02 10:00",
        "2025-04-03 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "3000.00",
        "0",
        "已取消",
        "其他",
        1,
    ),
    (
        "o4",
        "2025-05-02 10:00",
        "2025-05-03 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "2000.00",
        "0",
        "待发货",
        "其他",
        1,
    ),
    (
        "o5",
        "2025-08-02 10:00",
        "2025-08-09 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "1500.00",
        "1500.00",
        "已退款",
        "其他",
        1,
    ),
    (
        "o6",
        "2026-01-20 10:00",
        "2026-02-01 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "8000.00",
        "0",
        "待收货",
        "食堂食材",
        2,
    ),
    (
        "o6",
        "2026-01-20 10:00",
        "2026-02-10 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "8000.00",
        "0",
        "已完成",
        "食堂食材",
        3,
    ),
    (
        "o7",
        "2026-05-20 10:00",
        "2026-06-01 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "6000.00",
        "0",
        "已完成",
        "食堂食材",
        2,
    ),
    (
        "o7",
        "2026-05-20 10:00",
        "2026-06-01 10:00",
        U1,
        "P1",
        "粮油",
        "520502",
        "6000.00",
        "500.00",
        "部分退款",
        "食堂食材",
        3,
    ),
    (
        "o8",
        "2025-01-15 09:00",
        "2025-01-20 09:00",
        U2,
        "P4",
        "茶叶",
        "445302",
        "20000.00",
        "0",
        "已完成",
        "工会慰问",
        1,
    ),
    (
        "o9",
        "2026-03-31 23:59",
        "2026-04-02 09:00",
        U2,
        "P1",
        "粮油",
        "520502",
        "30000.00",
        "0",
        "已完成",
        "其他",
        3,
    ),
    (
        "o10",
        "2025-03-10 09:00",
        "2025-03-12 09:00",
        U3,
        "P2",
        "粮油",
        "522701",
        "50000.00",
        "0",
        "已完成",
        "其他",
        1,
    ),
    (
        "o11",
        "2025-08-01 09:00",
        "2025-08-03 09:00",
        U3,
        "P2",
        "粮油",
        "522701",
        "7000.00",
        "0",
        "已完成",
        "其他",
        1,
    ),
    (
        "o12",
        "2026-05-05 09:00",
        "2026-05-06 09:00",
        U4,
        "P1",
        "粮油",
        "522701",
        "12000.00",
        "0",
        "已完成",
        "食堂食材",
        3,
    ),
    (
        "o13",
        "2026-03-15 09:00",
        "2026-03-16 09:00",
        U4,
        "P1",
        "粮油",
        "522701",
        "999.00",
        "0",
        "已完成",
        "其他",
        3,
    ),
]

# report_file_id, unit, year, quarter, submitted_on, lines [(channel, region, amount)]
REPORTS = [
    (
        10,
        U1,
        2025,
        1,
        "2025-04-10",
        [("专柜", "522701", "3000.00"), ("832平台", "520502", "14000.00")],
    ),
    (11, U1, 2025, 2, "2025-07-11", [("展销会", "520502", "2000.00")]),
    (
        12,
        U1,
        2026,
        1,
        "2026-04-08",
        [("专馆", "520502", "1000.00"), ("832平台", "520502", "9000.00")],
    ),
    (
        13,
        U1,
        2026,
        1,
        "2026-04-20",
        [("专馆", "520502", "2500.00"), ("832平台", "520502", "8000.00")],
    ),
    (
        14,
        U2,
        2025,
        1,
        "2025-04-11",
        [("直播电商", "445302", "7000.00"), ("832平台", "445302", "35000.00")],
    ),
    (15, U2, 2026, 2, "2026-07-10", [("832平台", "520502", "12000.00")]),
    (16, U4, 2026, 2, "2026-07-09", [("专区", "522701", "10000.00")]),
    (
        17,
        U3,
        2025,
        1,
        "2025-04-01",
        [("832平台", "522701", "60000.00"), ("其他线下", "522701", "5000.00")],
    ),
]

# unit, year, has_canteen, budget, ratio, reserved, file_id
CANTEEN = [
    (U1, 2025, True, "100000.00", "0.3", "30000.00", 20),
    (U1, 2026, True, "40000.00", "0.3", "12000.00", 20),
    (U1, 2026, True, "45000.00", "0.3", "13500.00", 21),
    (U2, 2025, False, None, None, None, 20),
    (U4, 2026, True, "80000.00", "0.3", "24000.00", 21),
]

# unit, year, period_year, period_quarter, total, special
UNION = [
    (U1, 2025, 2025, 2, "100000.00", "40000.00"),
    (U1, 2025, 2025, 4, "200000.00", "120000.00"),
    (U2, 2025, 2025, 3, "50000.00", "25000.00"),
    (U1, 2026, 2026, 1, "80000.00", "30000.00"),
]

# code, name, category, region, price, status, updated_on
CATALOGUE = [
    ("P1", "毕节大米", "粮油", "520502", "50.00", "在库", "2025-01-01"),
    ("P1", "毕节大米", "粮油", "520502", "55.00", "在库", "2025-06-01"),
    ("P2", "都匀菜籽油", "粮油", "522701", "40.00", "在库", "2025-01-01"),
    ("P3", "高价香油", "粮油", "522701", "400.00", "在库", "2026-03-01"),
    ("P4", "都匀毛尖", "茶叶", "522701", "100.00", "退出", "2025-09-01"),
]

# site, type, year, quarter, sales
SITES = [
    ("S1", "专柜", 2025, 3, "1000.00"),
    ("S1", "专柜", 2025, 4, "900.00"),
    ("S1", "专柜", 2026, 1, "800.00"),
    ("S1", "专柜", 2026, 2, "700.00"),
    ("S2", "专馆", 2026, 1, "500.00"),
    ("S2", "专馆", 2026, 2, "600.00"),
]

QUARANTINE_SUPPLIER = "坏数据供应商"


def write_raw_layer(path: Path) -> Path:
    """Create the raw layer with `bangfu.raw_schema.ddl()` and insert the rows above."""
    import duckdb

    from bangfu.raw_schema import ddl

    con = duckdb.connect(str(path))
    try:
        for stmt in ddl():
            con.execute(stmt)
        for fid in (0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 30, 40, 50):
            con.execute(
                "insert into ledger.files values (?, 'x', ?, ?, 1, null, null, 1, 1, 0, "
                "'loaded', null, timestamp '2026-07-01 00:00:00' + to_seconds(?))",
                [fid, f"f{fid}", f"sha{fid:04d}", fid],
            )
        for i, (code, name, typ, district, must, vf, vt) in enumerate(UNITS, start=2):
            con.execute(
                "insert into raw.units values (?, ?, ?, ?, ?, ?, ?, 40, ?)",
                [code, name, typ, district, must, vf, vt, i],
            )
        for i, row in enumerate(REGIONS, start=2):
            con.execute("insert into raw.regions values (?, ?, ?, ?, ?, ?, 0, ?)", [*row, i])
        for i, (oid, at, upd, buyer, prod, cat, reg, amt, ref, st, pt, fid) in enumerate(
            ORDERS, start=2
        ):
            con.execute(
                "insert into raw.platform_orders values "
                "(?, ?, ?, '买方', ?, '供应商甲', ?, '商品', ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                [oid, at, upd, buyer, prod, cat, reg, amt, amt, ref, st, pt, fid, i],
            )
        for fid, unit, year, quarter, submitted, lines in REPORTS:
            con.execute(
                "insert into raw.unit_reports values (?, '单位', ?, ?, ?, ?, '元', null, ?)",
                [fid, unit, year, quarter, submitted, fid],
            )
            for n, (channel, region, amount) in enumerate(lines, start=1):
                con.execute(
                    "insert into raw.unit_report_lines values "
                    "(?, ?, ?, ?, '地区', ?, ?, 1, null, ?, ?)",
                    [fid, n, channel, region, amount, f"V{fid}-{n}", fid, n + 5],
                )
        for i, (unit, year, has, budget, ratio, reserved, fid) in enumerate(CANTEEN, start=2):
            con.execute(
                "insert into raw.canteen_plans values ('单位', ?, ?, ?, ?, ?, ?, ?, ?)",
                [unit, year, has, budget, ratio, reserved, fid, i],
            )
        for i, (unit, year, py, pq, total, special) in enumerate(UNION, start=2):
            con.execute(
                "insert into raw.union_welfare values ('单位', ?, ?, ?, ?, ?, ?, 30, ?)",
                [unit, year, py, pq, total, special, i],
            )
        for i, (code, name, cat, reg, price, status, upd) in enumerate(CATALOGUE, start=2):
            con.execute(
                "insert into raw.catalogue values "
                "(?, ?, ?, ?, '供应商乙', ?, '斤', '1000吨', '全年', 10, ?, null, ?, 50, ?)",
                [code, name, cat, reg, price, status, upd, i],
            )
        for i, (site, typ, year, quarter, sales) in enumerate(SITES, start=2):
            con.execute(
                "insert into raw.sites values "
                "(?, ?, '站点', '天河区', '运营方', date '2024-01-01', '运营中', ?, ?, ?, 50, ?)",
                [site, typ, year, quarter, sales, i],
            )
        for n in (3, 4):
            raw = json.dumps({"订单编号": f"bad{n}", "供应商名称": QUARANTINE_SUPPLIER})
            con.execute(
                "insert into ledger.quarantine values "
                "('platform_orders', 1, 'sha0001', 'platform_orders/a.csv', ?, "
                "'产地区划代码“999999”不在帮扶地区名单中', ?)",
                [n, raw],
            )
        con.execute(
            "insert into ledger.quarantine values "
            "('unit_reports', 2, 'sha0002', 'unit_reports/b.xlsx', null, '文件无法读取', null)"
        )
    finally:
        con.close()
    return path


def analyst_queries() -> list[str]:
    """The example queries of docs/analysts.md (SELECT blocks only)."""
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "analysts.md").read_text("utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.S)
    return [b for b in blocks if b.lstrip().lower().startswith(("select", "with"))]
