"""canteen, union_welfare, catalogue, sites, reference files and the ugly fixtures."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from ingest_helpers import (
    BAD_CHECK,
    UNIT_A,
    UNIT_B,
    UNIT_C,
    UNITS,
    UNITS_HEADER,
    write_csv,
    write_xlsx,
)
from support.spec_headers import CATALOGUE_HEADER, UNION_HEADER

UGLY = Path(__file__).resolve().parents[1] / "fixtures" / "ugly"


def test_canteen_percentages_and_enumerations(landing, ingest, query, accounting):
    header = [
        "单位名称",
        "统一社会信用代码",
        "年度",
        "有无食堂",
        "年度食堂食材采购预算（万元）",
        "预留比例",
        "预留份额(万元)",
    ]
    rows = [
        ["甲", UNIT_A, "2026年", "有", "120", "30%", "36"],
        ["乙", UNIT_B, 2026, "有", 80.5, 0.25, 20.125],
        ["丙", UNIT_C, 2026, "无食堂", None, None, None],
        ["丁", BAD_CHECK, 2026, "有", 10, "30%", 3],
        ["戊", UNIT_A, 2026, "没有", 10, "30%", 3],
    ]
    write_xlsx(
        landing / "canteen" / "plans.xlsx", [["2026年度食堂食材采购预留份额"], header, *rows]
    )
    ingest(landing)
    assert accounting()["canteen"] == (5, 3, 2)
    got = query(
        "SELECT unit_code, year, has_canteen, budget_yuan, reserve_ratio, reserved_yuan, "
        "_row_number FROM raw.canteen_plans ORDER BY _row_number"
    )
    assert got == [
        (UNIT_A, 2026, True, Decimal("1200000.00"), Decimal("0.3000"), Decimal("360000.00"), 3),
        (UNIT_B, 2026, True, Decimal("805000.00"), Decimal("0.2500"), Decimal("201250.00"), 4),
        (UNIT_C, 2026, False, None, None, None, 5),
    ]
    reasons = dict(query("SELECT row_number, reason FROM ledger.quarantine"))
    assert reasons == {
        6: f"统一社会信用代码校验位错误: {BAD_CHECK}",
        7: "有无食堂不在取值范围（有/无食堂）: 没有",
    }


def test_union_catalogue_sites_csv(landing, ingest, query, accounting):
    write_csv(
        landing / "union_welfare" / "u.csv",
        UNION_HEADER,
        [
            ["甲", UNIT_A, "2026", "2026年第2季度", "100,000", "60000"],
            ["乙", UNIT_B, "2026", "2026Q5", "1", "1"],
        ],
        encoding="gbk",
    )
    write_csv(
        landing / "catalogue" / "c.csv",
        CATALOGUE_HEADER,
        [
            [
                "CP1",
                "天麻",
                "药材",
                "520521",
                "某公司",
                "88.8",
                "斤",
                "10吨",
                "全年",
                "12",
                "在库",
                "",
                "2026/3/1",
            ],
            [
                "CP2",
                "茶叶",
                "茶",
                "520999",
                "某公司",
                "10",
                "斤",
                "",
                "",
                "",
                "在库",
                "",
                "2026-03-01",
            ],
        ],
    )
    write_csv(
        landing / "sites" / "s.csv",
        [
            "站点编号",
            "类型",
            "站点名称",
            "所在区",
            "运营主体",
            "开设日期",
            "状态",
            "报送期",
            "本期销售额（元）",
        ],
        [
            [
                "S1",
                "专馆",
                "天河专馆",
                "天河区",
                "某公司",
                "2024年5月1日",
                "运营",
                "2026Q2",
                "１２３４５",
            ],
            ["S2", "专店", "x", "", "", "", "", "2026Q2", "1"],
        ],
    )
    ingest(landing)
    totals = accounting()
    assert totals["union_welfare"] == (2, 1, 1)
    assert totals["catalogue"] == (2, 1, 1)
    assert totals["sites"] == (2, 1, 1)
    assert query(
        "SELECT unit_name, period_year, period_quarter, welfare_total_yuan, special_yuan "
        "FROM raw.union_welfare"
    ) == [("甲", 2026, 2, Decimal("100000.00"), Decimal("60000.00"))]
    assert query(
        "SELECT product_code, ref_price_yuan, households_helped, updated_on FROM raw.catalogue"
    ) == [("CP1", Decimal("88.80"), 12, date(2026, 3, 1))]
    assert query("SELECT site_code, opened_on, sales_yuan FROM raw.sites") == [
        ("S1", date(2024, 5, 1), Decimal("12345.00"))
    ]
    reasons = {r[0] for r in query("SELECT reason FROM ledger.quarantine")}
    assert reasons == {
        "报送期无法识别为季度: 2026Q5",
        "产地区划代码 520999 不在帮扶地区名录",
        "类型不在取值范围（专柜/专馆/专区/专列/专站）: 专店",
    }


def test_ugly_files_are_quarantined_whole_and_others_still_load(landing, ingest, query, accounting):
    (landing / "unit_reports").mkdir()
    shutil.copy(UGLY / "corrupt_report.xlsx", landing / "unit_reports" / "a.xlsx")
    shutil.copy(UGLY / "truncated.xlsx", landing / "unit_reports" / "b.xlsx")
    (landing / "canteen").mkdir()
    shutil.copy(UGLY / "empty.csv", landing / "canteen" / "empty.csv")
    # a zip bomb: one member that claims to unpack to 300 MB
    bomb = landing / "sites" / "bomb.xlsx"
    bomb.parent.mkdir()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    write_csv(
        landing / "sites" / "header_only.csv", ["站点编号", "类型", "报送期", "本期销售额"], []
    )
    write_csv(
        landing / "sites" / "ok.csv",
        ["站点编号", "类型", "报送期", "本期销售额"],
        [["S9", "专柜", "2026Q1", "5"]],
    )
    report = ingest(landing)
    accounting()
    reasons = dict(
        query("SELECT file_path, reason FROM ledger.quarantine WHERE row_number IS NULL")
    )
    assert (
        reasons["unit_reports/a.xlsx"]
        == "文件不是xlsx工作簿（不是zip压缩格式，内容是网页（HTML））"
    )
    assert reasons["unit_reports/b.xlsx"].startswith("文件不是有效的xlsx工作簿")
    assert reasons["canteen/empty.csv"] == "文件为空（0字节）"
    assert "超过上限" in reasons["sites/bomb.xlsx"]
    assert reasons["sites/header_only.csv"] == "文件只有表头，没有数据行"
    assert query("SELECT site_code FROM raw.sites") == [("S9",)]
    assert len([f for f in report.new_files if f.outcome == "quarantined"]) == 5


def test_new_units_version_replaces_registry_and_supersedes(landing, ingest, query, accounting):
    ingest(landing)
    assert query("SELECT count(*) FROM raw.units")[0][0] == 3
    write_csv(landing / "reference" / "units.csv", UNITS_HEADER, UNITS[:2])
    write_csv(
        landing / "reference" / "regions.csv",
        ["region_code", "province", "prefecture", "county", "paired", "pairing"],
        [["520502", "贵州省", "毕节市", "七星关区", "true", "东西部协作"]],
    )
    ingest(landing)
    accounting()
    assert query("SELECT count(*) FROM raw.units")[0][0] == 2
    assert query("SELECT region_code, _file_id FROM raw.regions") == [("520502", 3)]
    outcomes = query("SELECT path, outcome FROM ledger.files ORDER BY file_id")
    assert outcomes == [
        ("reference/units.csv", "superseded"),
        ("reference/units.csv", "loaded"),
        ("reference/regions.csv", "loaded"),
    ]
