"""unit_reports: both header-block layouts, merged cells, 万元, the 合计 check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ingest_helpers import UNIT_A, UNIT_B, write_xlsx

TABLE_HEADER = ["序号", "采购渠道", "帮扶地区区划代码", "帮扶地区", "金额（万元）", "凭证编号",
                "凭证张数", "备注"]  # fmt: skip


def _lines():
    return [
        [1, "专柜", "520502", "七星关区", 12.3456, "PZ-001", 3, ""],
        [2, "832平台", "520521", "大方县", "1,000.5", "PZ-002", 1, ""],
        [3, "展销会", "520999", "某县", 2, "PZ-003", 1, "地区不在名录"],
    ]


def test_merged_cell_header_and_wan_yuan(landing, ingest, query, accounting):
    rows = [
        ["2026年第3季度消费帮扶采购情况表"],
        ["填报单位", None, None, "统一社会信用代码", UNIT_A],
        ["报送期", "2026年第3季度", None, "填报日期", "2026年10月8日"],
        [],
        TABLE_HEADER,
        *_lines(),
        ["合计", None, None, None, 1014.8456],
        ["填报人：张三"],
    ]
    # the unit name sits in a merged B2:C2, as the cooperation office's template has it
    write_xlsx(
        landing / "unit_reports" / "r1.xlsx", rows, merges=[("B2:C2", "广州某某集团有限公司")]
    )
    ingest(landing)
    totals = accounting()
    assert totals["unit_reports"] == (3, 2, 1)
    head = query(
        "SELECT unit_name, unit_code, period_year, period_quarter, submitted_on, amount_unit, "
        "total_yuan FROM raw.unit_reports"
    )
    assert head == [
        ("广州某某集团有限公司", UNIT_A, 2026, 3, date(2026, 10, 8), "万元", Decimal("10148456.00"))
    ]
    lines = query(
        "SELECT line_no, channel, region_code, amount_yuan, voucher_no, voucher_count, "
        "_row_number FROM raw.unit_report_lines ORDER BY line_no"
    )
    assert lines == [
        (1, "专柜", "520502", Decimal("123456.00"), "PZ-001", 3, 6),
        (2, "832平台", "520521", Decimal("10005000.00"), "PZ-002", 1, 7),
    ]
    (row, reason) = query("SELECT row_number, reason FROM ledger.quarantine")[0]
    assert (row, reason) == (8, "帮扶地区区划代码 520999 不在帮扶地区名录")


def test_one_cell_layout_in_yuan_without_total(landing, ingest, query, accounting):
    rows = [
        ["消费帮扶季度报表"],
        ["填报单位：广州市某某局"],
        [f"统一社会信用代码：{UNIT_B}"],
        ["报送期: 2026Q2", None, "填报日期：2026/7/5"],
        [h.replace("（万元）", "(元)") for h in TABLE_HEADER],
        [1, "专馆", "520502", "七星关区", "２３,４５６.７８", "V1", 1, None],
    ]
    write_xlsx(landing / "unit_reports" / "r2.xlsx", rows)
    ingest(landing)
    accounting()
    assert query("SELECT unit_name, unit_code, period_quarter, submitted_on, amount_unit, "
                 "total_yuan FROM raw.unit_reports") == [
        ("广州市某某局", UNIT_B, 2, date(2026, 7, 5), "元", None)
    ]  # fmt: skip
    assert query("SELECT amount_yuan FROM raw.unit_report_lines") == [(Decimal("23456.78"),)]


def test_total_mismatch_rejects_the_whole_file(landing, ingest, query, accounting):
    rows = [
        ["报表"],
        ["填报单位：广州某某集团有限公司"],
        [f"统一社会信用代码：{UNIT_A}"],
        ["报送期：2026年第三季度", "填报日期：2026-10-09"],
        TABLE_HEADER,
        [1, "专柜", "520502", "七星关区", 10, "PZ-9", 1, ""],
        [2, "专区", "520521", "大方县", 5, "PZ-10", 1, ""],
        ["合计", None, None, None, 15.5],
    ]
    write_xlsx(landing / "unit_reports" / "bad_total.xlsx", rows)
    report = ingest(landing)
    accounting()
    assert query("SELECT count(*) FROM raw.unit_reports")[0][0] == 0
    assert query("SELECT count(*) FROM raw.unit_report_lines")[0][0] == 0
    (reason,) = query("SELECT reason FROM ledger.quarantine WHERE row_number IS NULL")[0]
    assert "15.5 万元" in reason and "15 万元" in reason
    assert report.files[-1].outcome == "quarantined"


def test_bad_header_code_rejects_the_file(landing, ingest, query, accounting):
    bad = UNIT_A[:17] + ("0" if UNIT_A[17] != "0" else "1")
    rows = [
        ["填报单位：某单位", None, f"统一社会信用代码：{bad}"],
        ["报送期：2026Q3", None, "填报日期：2026-10-09"],
        TABLE_HEADER,
        [1, "专柜", "520502", "七星关区", 10, "PZ-9", 1, ""],
    ]
    write_xlsx(landing / "unit_reports" / "bad_code.xlsx", rows)
    ingest(landing)
    accounting()
    (reason,) = query("SELECT reason FROM ledger.quarantine")[0]
    assert reason == f"报表表头有误: 统一社会信用代码校验位错误: {bad}"
