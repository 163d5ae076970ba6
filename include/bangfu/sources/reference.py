"""`reference/units.csv` and `reference/regions.csv` (SPEC §2): the registry of reporting
units and the eligible origin counties. A new version replaces the rows of the table."""

from __future__ import annotations

from bangfu.readers import UnreadableFile, read_table
from bangfu.sources.common import Col, Context, load_rows

UNIT_TYPES = ("区直单位", "市直单位", "国企")

UNIT_COLUMNS = [
    Col("unit_code", "unit_code", "uscc", aliases=("统一社会信用代码",)),
    Col("unit_name", "unit_name", aliases=("单位名称",)),
    Col("unit_type", "unit_type", "enum", values=UNIT_TYPES, aliases=("单位类型",)),
    Col("district", "district", required=False, optional_column=True, aliases=("所在区",)),
    Col("must_report", "must_report", "bool", aliases=("是否须报送",)),
    Col("valid_from", "valid_from", "date", aliases=("生效日期",)),
    Col(
        "valid_to", "valid_to", "date", required=False, optional_column=True, aliases=("失效日期",)
    ),
]

REGION_COLUMNS = [
    Col("region_code", "region_code", "region_code", aliases=("区划代码",)),
    Col("province", "province", aliases=("省",)),
    Col("prefecture", "prefecture", aliases=("市州",)),
    Col("county", "county", aliases=("县区",)),
    Col("paired", "paired", "bool", aliases=("是否结对",)),
    Col("pairing", "pairing", required=False, optional_column=True, aliases=("帮扶类型",)),
]

KINDS = {"units.csv": ("raw.units", UNIT_COLUMNS), "regions.csv": ("raw.regions", REGION_COLUMNS)}


def _valid_period(rec: dict) -> list[str]:
    if rec["valid_to"] is not None and rec["valid_to"] < rec["valid_from"]:
        return [f"valid_to {rec['valid_to']} 早于 valid_from {rec['valid_from']}"]
    return []


def load(ctx: Context, name: str) -> None:
    """Replace raw.units or raw.regions (by `name`) with this file's valid rows."""
    target, cols = KINDS[name]
    table = read_table(ctx.path)
    ctx.outcome.encoding = table.encoding
    load_rows(ctx, table, cols, target, check=_valid_period if name == "units.csv" else None)
    if ctx.outcome.rows_loaded == 0:
        raise UnreadableFile(f"{name} 没有一行有效数据，继续使用上一版本")
    ctx.con.execute(f"DELETE FROM {target}")  # the buffered rows are inserted at commit
