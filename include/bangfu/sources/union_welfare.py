"""`union_welfare/*.xlsx|csv` (SPEC §3.4): trade-union welfare purchases (工会)."""

from __future__ import annotations

from bangfu.readers import read_table
from bangfu.sources.common import Col, Context, load_rows, split_period

COLUMNS = [
    Col("单位名称", "unit_name", required=False),
    Col("统一社会信用代码", "unit_code", "unit_code"),
    Col("年度", "year", "year"),
    Col("报送期", "period", "quarter"),
    Col("职工集体福利支出", "welfare_total_yuan", "money"),
    Col("其中专馆专区购买帮扶产品", "special_yuan", "money"),
]


def load(ctx: Context) -> None:
    table = read_table(ctx.path)
    ctx.outcome.encoding = table.encoding
    load_rows(ctx, table, COLUMNS, "raw.union_welfare", transform=split_period)
