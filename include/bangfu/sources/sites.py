"""`sites/*.xlsx|csv` (SPEC §3.6): 五专 sites (专柜、专馆、专区、专列、专站) and their sales."""

from __future__ import annotations

from bangfu.readers import read_table
from bangfu.sources.common import Col, Context, load_rows, split_period

SITE_TYPES = ("专柜", "专馆", "专区", "专列", "专站")

COLUMNS = [
    Col("站点编号", "site_code"),
    Col("类型", "site_type", "enum", values=SITE_TYPES),
    Col("站点名称", "site_name", required=False),
    Col("所在区", "district", required=False),
    Col("运营主体", "operator", required=False),
    Col("开设日期", "opened_on", "date", required=False),
    Col("状态", "status", required=False),
    Col("报送期", "period", "quarter"),
    Col("本期销售额", "sales_yuan", "money"),
]


def load(ctx: Context) -> None:
    table = read_table(ctx.path)
    ctx.outcome.encoding = table.encoding
    load_rows(ctx, table, COLUMNS, "raw.sites", transform=split_period)
