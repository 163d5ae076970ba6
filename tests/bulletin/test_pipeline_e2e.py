"""Synthetic landing → bangfu.pipeline.run → the bulletin, checked against the real marts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bangfu.periods import Quarter

from .conftest import docx_text

Q = Quarter(2026, 3)


@pytest.fixture(scope="module")
def run_result(synth_run):
    """The session's shared pipeline run on the synthetic landing (PDF off)."""
    return synth_run


@pytest.mark.slow
def test_pipeline_publishes_a_bulletin_that_matches_the_marts(run_result):
    import duckdb
    import openpyxl

    s, result = run_result
    assert result.exit_code == 0, [f.key for f in result.gate.blocking]
    v1 = result.published
    assert v1 == s.out / "2026Q3" / "v1"
    m = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert set(m["files"]) == {"docx", "xlsx", "html"} and m["pdf"]["made"] is False
    warnings = sum(f.severity == "warning" and not f.acknowledged for f in result.gate.findings)
    assert m["gate"]["findings"].get("warning", 0) == warnings
    assert len(m["ledger"]["files"]) > 0
    assert {f["source"] for f in m["ledger"]["files"]} >= {"platform_orders", "unit_reports"}

    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        ytd, base = con.execute(
            "select ytd_yuan, ytd_base_yuan from marts.kpi_city_quarter "
            "where dimension = 'total' and year = 2026 and quarter = 3"
        ).fetchone()
        unit_ytd, n_units = con.execute(
            "select sum(ytd_total_yuan), count(*) from marts.kpi_unit_quarter "
            "where year = 2026 and quarter = 3"
        ).fetchone()
        late = con.execute(
            "select r.status, u.unit_name from marts.kpi_reporting r "
            "join marts.kpi_unit_quarter u on u.unit_code = r.unit_code "
            "and u.year = r.year and u.quarter = r.quarter "
            "where r.year = 2026 and r.quarter = 3 and r.status in ('逾期', '未报')"
        ).fetchall()
        types = con.execute(
            "select c.member, c.ytd_yuan, count(u.unit_code) from marts.kpi_city_quarter c "
            "join marts.kpi_unit_quarter u on u.unit_type = c.member "
            "and u.year = c.year and u.quarter = c.quarter "
            "where c.dimension = 'unit_type' and c.year = 2026 and c.quarter = 3 "
            "group by all"
        ).fetchall()
    finally:
        con.close()

    text = docx_text(v1 / "通报-2026Q3.docx")
    wan = (Decimal(ytd) / 10000).quantize(Decimal("0.01"))
    assert f"累计采购帮扶产品{wan:.2f}万元" in text
    assert f"纳入统计的{n_units}家单位中" in text
    assert types
    for member, type_ytd, n in types:
        type_wan = (Decimal(type_ytd) / 10000).quantize(Decimal("0.01"))
        assert f"{member}共{n}家，累计采购{type_wan:.2f}万元" in text
    para = next(line for line in text.splitlines() if "报送截止日期为2026年10月10日" in line)
    for status, name in late:
        assert name in para, (status, name)
    if not late:
        assert "无逾期、未报单位" in para

    wb = openpyxl.load_workbook(v1 / "附件-2026Q3.xlsx")
    total = 0.0
    rows = 0
    for t in ("区直单位", "市直单位", "国企"):
        ws = wb[t]
        col = [c.value for c in ws[1]].index("累计（万元）") + 1
        for r in range(2, ws.max_row + 1):
            total += ws.cell(r, col).value
            rows += 1
    assert rows == n_units
    assert abs(total - float(unit_ytd) / 10000) < 1e-4
    assert wb["数据质量"].max_row - 1 == len(
        [f for f in result.gate.findings if f.severity == "warning" or f.acknowledged]
    )
    html = (v1 / "通报-2026Q3.html").read_text(encoding="utf-8")
    assert "http" not in html and html.count("<svg") == 4
    assert base is not None
