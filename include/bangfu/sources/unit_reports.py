"""`unit_reports/*.xlsx` (SPEC §3.2): one quarterly report per workbook, first sheet.

Layout: a title, a header block of label/value cells (`填报单位`, `统一社会信用代码`,
`报送期`, `填报日期`; the value in the next non-empty cell to the right, merged or not,
or in the same cell as `填报单位：xxx`), then the table, then optionally a `合计` row,
which is a check and not data: a 合计 that differs from the sum of the rows by more
than `report_total_tolerance_wan` 万元 rejects the whole file.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from bangfu import parsing as p
from bangfu.periods import Quarter, parse_quarter
from bangfu.readers import UnreadableFile, read_workbook_rows, sniff_kind
from bangfu.sources.common import Col, Context, match_header, parse_cell, raw_row

CHANNELS = (
    "832平台",
    "专柜",
    "专馆",
    "专区",
    "专列",
    "专站",
    "展销会",
    "直播电商",
    "其他线上",
    "其他线下",
)

HEADER_LABELS = {
    "填报单位": "unit_name",
    "统一社会信用代码": "unit_code",
    "报送期": "period",
    "填报日期": "submitted_on",
}

COLUMNS = [
    Col("序号", "line_no", "text", required=False, optional_column=True),
    Col("采购渠道", "channel", "enum", values=CHANNELS),
    Col("帮扶地区区划代码", "region_code", "region"),
    Col("帮扶地区", "region_name", required=False, optional_column=True),
    Col("金额", "amount_yuan", "money"),
    Col("凭证编号", "voucher_no", required=False, optional_column=True),
    Col("凭证张数", "voucher_count", "int", required=False, optional_column=True),
    Col("备注", "remark", required=False, optional_column=True),
]

TOTAL_LABELS = ("合计", "总计")


def _label_of(text: str) -> str | None:
    norm = p.normalize_header(text)
    for label in HEADER_LABELS:
        if norm.startswith(label):
            return label
    return None


def read_header_block(rows: list[tuple[int, list[Any]]]) -> dict[str, Any]:
    """Label -> value from the rows above the table (both layouts)."""
    found: dict[str, Any] = {}
    for _, cells in rows:
        for i, cell in enumerate(cells):
            text = p.cell_text(cell)
            label = _label_of(text)
            if label is None or label in found:
                continue
            # `填报单位：xxx` in one cell
            rest = p.to_halfwidth(text).split(":", 1)
            if len(rest) == 2 and rest[1].strip():
                found[label] = rest[1].strip()
                continue
            # else the next non-empty cell to the right (merged cells keep their value left)
            for right in cells[i + 1 :]:
                rt = p.cell_text(right)
                if rt:
                    if _label_of(rt) is None:
                        found[label] = right
                    break
    return found


def _fill_vertical_merges(rows: list[tuple[int, list[Any]]], merged: list, from_row: int) -> None:
    """Table cells merged down (a channel over several lines) repeat their value."""
    by_number = {n: cells for n, cells in rows}
    for (r0, c0), (r1, c1) in merged:
        if r1 <= r0 or r0 + 1 < from_row:
            continue
        top = by_number.get(r0 + 1)
        if top is None or c0 >= len(top):
            continue
        for r in range(r0 + 2, r1 + 2):
            cells = by_number.get(r)
            if cells is None:
                continue
            for c in range(c0, min(c1 + 1, len(cells))):
                if p.cell_text(cells[c]) == "":
                    cells[c] = top[c0] if c == c0 else cells[c]


def _header_values(ctx: Context, block: dict[str, Any]) -> dict[str, Any]:
    problems = []
    out: dict[str, Any] = {"unit_name": p.cell_text(block.get("填报单位")) or None}
    if out["unit_name"] and p.has_control_chars(out["unit_name"]):
        problems.append("填报单位含有控制字符")
    code = p.normalize_code(block.get("统一社会信用代码"))
    problem = ctx.registry.unit_problem(code) if code else "表头缺少统一社会信用代码"
    if problem:
        problems.append(problem)
    out["unit_code"] = code
    period_text = p.cell_text(block.get("报送期"))
    try:
        q: Quarter | None = parse_quarter(p.to_halfwidth(period_text))
    except ValueError:
        q = None
        problems.append(f"报送期无法识别: {period_text}" if period_text else "表头缺少报送期")
    if q is not None and not p.plausible_year(q.year):
        problems.append(f"报送期超出合理范围（{p.EARLIEST_YEAR}—{p.LATEST_YEAR}年）: {period_text}")
    out["period"] = q
    raw_date = block.get("填报日期")
    try:
        out["submitted_on"] = p.parse_date(raw_date)
    except ValueError:
        text = p.cell_text(raw_date)
        problems.append(f"填报日期无法识别: {text}" if text else "表头缺少填报日期")
    else:
        if q is not None and out["submitted_on"] < q.first_day:
            # a report on a quarter that had not begun when it was filed
            problems.append(
                f"填报日期 {out['submitted_on']} 早于报送期 {q.label_cn} 的开始（{q.first_day}）"
            )
    if problems:
        raise UnreadableFile("报表表头有误: " + "；".join(problems))
    return out


def load(ctx: Context) -> None:
    kind = sniff_kind(ctx.path)
    if ctx.path.stat().st_size == 0:
        raise UnreadableFile("文件为空（0字节）")
    if kind == "csv":
        with open(ctx.path, "rb") as fh:
            head = fh.read(200).lstrip().lower()
        what = "网页（HTML）" if head.startswith((b"<!doctype", b"<html")) else "文本"
        raise UnreadableFile(f"文件不是xlsx工作簿（不是zip压缩格式，内容是{what}）")
    table, merged = read_workbook_rows(ctx.path, kind)
    header = match_header(table, COLUMNS)
    head = _header_values(ctx, read_header_block(table.rows[: header.row_index]))
    data_rows = table.rows[header.row_index + 1 :]
    header_row_number = table.rows[header.row_index][0]
    _fill_vertical_merges(data_rows, merged, header_row_number + 1)

    amount_idx, scale = header.columns["amount_yuan"]
    unit = "万元" if scale == 10000 else "元"
    key_fields = ("channel", "region_code", "amount_yuan")
    key_idx = [header.columns[f][0] for f in key_fields]

    records: list[dict[str, Any]] = []
    landed = 0
    row_sum = Decimal(0)  # in the file's unit
    total: Decimal | None = None
    total_text = ""
    for row_number, cells in data_rows:
        first_cells = [p.normalize_header(c) for c in cells[: max(key_idx) + 1]]
        if any(t in TOTAL_LABELS for t in first_cells):
            total_text = p.cell_text(cells[amount_idx]) if amount_idx < len(cells) else ""
            try:
                total = p.parse_decimal(total_text, places=6)
            except ValueError as exc:
                raise UnreadableFile(f"合计行金额无法识别: {total_text}") from exc
            break  # what follows the 合计 row is a footer, not data
        if all(i >= len(cells) or p.cell_text(cells[i]) == "" for i in key_idx):
            continue  # blank or a footer line: not a data row
        landed += 1
        rec: dict[str, Any] = {}
        reasons = []
        for col in COLUMNS:
            where = header.columns.get(col.field)
            if where is None:
                rec[col.field] = None
                continue
            idx, sc = where
            value = cells[idx] if idx < len(cells) else None
            parsed, reason = parse_cell(col, value, sc, ctx.registry)
            rec[col.field] = parsed
            if reason:
                reasons.append(reason)
        with contextlib.suppress(ValueError, IndexError):
            row_sum += p.parse_decimal(cells[amount_idx], places=6)
        if reasons:
            ctx.reject(row_number, "；".join(reasons), raw_row(header.names, cells))
            continue
        try:
            rec["line_no"] = p.parse_int(rec["line_no"]) if rec["line_no"] else None
        except ValueError:
            rec["line_no"] = None
        rec["report_file_id"] = ctx.file_id
        rec["_file_id"] = ctx.file_id
        rec["_row_number"] = row_number
        records.append(rec)

    if total is not None:
        tolerance = Decimal(str(ctx.config.rules["report_total_tolerance_wan"]))
        diff_wan = abs(total - row_sum) / (1 if unit == "万元" else 10000)
        if diff_wan > tolerance:
            raise UnreadableFile(
                f"合计行 {_fmt(total)} {unit} 与明细之和 {_fmt(row_sum)} {unit} 不符"
                f"（相差超过 {tolerance} 万元），整份报表退回"
            )
    q = head["period"]
    ctx.writer.add(
        "raw.unit_reports",
        [
            {
                "report_file_id": ctx.file_id,
                "unit_name": head["unit_name"],
                "unit_code": head["unit_code"],
                "period_year": q.year,
                "period_quarter": q.quarter,
                "submitted_on": head["submitted_on"],
                "amount_unit": unit,
                "total_yuan": None if total is None else p.parse_decimal(total, scale=scale),
                "_file_id": ctx.file_id,
            }
        ],
    )
    ctx.writer.add("raw.unit_report_lines", records)
    ctx.outcome.rows_landed = landed
    ctx.outcome.rows_loaded = len(records)
    ctx.outcome.rows_quarantined = len(ctx.rejected)
    ctx.flush_rejected()


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}" if d == d.to_integral_value() else f"{d:f}".rstrip("0")
