"""`canteen/*.xlsx|csv` (SPEC §3.3): canteen food procurement plans (食堂食材采购预留份额)."""

from __future__ import annotations

from typing import Any

from bangfu.readers import read_table
from bangfu.sources.common import Col, Context, load_rows

COLUMNS = [
    Col("单位名称", "unit_name", required=False),
    Col("统一社会信用代码", "unit_code", "unit_code"),
    Col("年度", "year", "year"),
    Col("有无食堂", "has_canteen", "enum", values=("有", "无食堂")),
    Col("年度食堂食材采购预算", "budget_yuan", "money", required=False),
    Col("预留比例", "reserve_ratio", "percent", required=False),
    Col("预留份额", "reserved_yuan", "money", required=False),
]


def _check(rec: dict[str, Any]) -> list[str]:
    no_inputs = rec["budget_yuan"] is None or rec["reserve_ratio"] is None
    if rec["has_canteen"] == "有" and rec["reserved_yuan"] is None and no_inputs:
        return ["有食堂但预留份额为空，且年度食堂食材采购预算或预留比例为空"]
    return []


def _transform(rec: dict[str, Any]) -> dict[str, Any]:
    rec["has_canteen"] = rec["has_canteen"] == "有"
    return rec


def load(ctx: Context) -> None:
    table = read_table(ctx.path)
    ctx.outcome.encoding = table.encoding
    load_rows(ctx, table, COLUMNS, "raw.canteen_plans", check=_check, transform=_transform)
