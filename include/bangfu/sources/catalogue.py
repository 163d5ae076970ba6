"""`catalogue/*.xlsx|csv` (SPEC §3.5): 优质产品名库 submissions and updates."""

from __future__ import annotations

from bangfu.readers import read_table
from bangfu.sources.common import Col, Context, load_rows

STATUSES = ("在库", "退出")

COLUMNS = [
    Col("产品编号", "product_code"),
    Col("产品名称", "product_name"),
    Col("品类", "category", required=False),
    Col("产地区划代码", "region_code", "region"),
    Col("供应商名称", "supplier_name", required=False),
    Col("参考价格", "ref_price_yuan", "money", required=False),
    Col("计量单位", "measure_unit", required=False),
    Col("年供货能力", "annual_capacity", required=False),
    Col("上市周期", "listing_period", required=False),
    Col("带贫人数", "households_helped", "int", required=False),
    Col("状态", "status", "enum", values=STATUSES),
    Col("退出原因", "exit_reason", required=False),
    Col("更新日期", "updated_on", "date"),
]


def load(ctx: Context) -> None:
    table = read_table(ctx.path)
    ctx.outcome.encoding = table.encoding
    load_rows(ctx, table, COLUMNS, "raw.catalogue")
