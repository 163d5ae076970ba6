"""The Excel annex: every table of the bulletin, one sheet each.

Money in 万元 (number format `0.00`; the cell keeps the exact 元/10000 value so sums add
up to the marts), percentages as numbers with `0.00`, headers frozen, column widths that
fit Chinese text (a CJK character counts as two). Text that a spreadsheet would take for
a formula (starting with = + - @, tab or carriage return) is neutralised with a leading
apostrophe (OWASP CSV/formula injection).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from bangfu.bulletin.facts import UNIT_TYPES, Facts
from bangfu.bulletin.narrative import CHECK_LABELS, DIMENSION_LABELS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY = "money"
PCT = "pct"
TEXT = "text"
INT = "int"


def safe_text(value: Any) -> str:
    """Text for a cell: never read as a formula."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(FORMULA_START) else s


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _wan(yuan: Decimal | None) -> float | None:
    return None if yuan is None else float(Decimal(yuan) / 10000)


def sheets(facts: Facts) -> list[tuple[str, list[tuple[str, str]], list[list[Any]]]]:
    """(sheet name, [(header, kind)], rows) for every table, values in display units."""
    out = []
    unit_cols = [
        ("排名", INT),
        ("单位名称", TEXT),
        ("统一社会信用代码", TEXT),
        ("所在区", TEXT),
        ("本季度832平台（万元）", MONEY),
        ("本季度其他渠道（万元）", MONEY),
        ("本季度合计（万元）", MONEY),
        ("累计（万元）", MONEY),
        ("上年同期（万元）", MONEY),
        ("同比（%）", PCT),
        ("状态", TEXT),
    ]
    for t in UNIT_TYPES:
        rows = [
            [
                u.rank,
                u.unit_name,
                u.unit_code,
                u.district or "",
                _wan(u.amount_platform),
                _wan(u.amount_other),
                _wan(u.amount_total),
                _wan(u.ytd),
                _wan(u.base),
                u.growth_pct,
                u.status,
            ]
            for u in facts.units.get(t, [])
        ]
        out.append((t, unit_cols, rows))
    out.append(
        (
            "食堂食材",
            [
                ("单位名称", TEXT),
                ("统一社会信用代码", TEXT),
                ("预留份额（万元）", MONEY),
                ("预留比例（%）", PCT),
                ("累计采购（万元）", MONEY),
                ("完成率（%）", PCT),
                ("状态", TEXT),
            ],
            [
                [
                    c.unit_name,
                    c.unit_code,
                    _wan(c.reserved),
                    None if c.reserve_ratio is None else c.reserve_ratio * 100,
                    _wan(c.purchased_ytd),
                    c.completion_pct,
                    c.status,
                ]
                for c in facts.canteen
            ],
        )
    )
    out.append(
        (
            "工会福利",
            [
                ("单位名称", TEXT),
                ("统一社会信用代码", TEXT),
                ("职工集体福利支出（万元）", MONEY),
                ("其中专馆专区购买（万元）", MONEY),
                ("占比（%）", PCT),
                ("是否达标", TEXT),
            ],
            [
                [
                    w.unit_name,
                    w.unit_code,
                    _wan(w.welfare_total),
                    _wan(w.special),
                    w.share_pct,
                    {True: "达标", False: "未达标", None: ""}[w.compliant],
                ]
                for w in facts.union
            ],
        )
    )
    out.append(
        (
            "报送情况",
            [
                ("单位名称", TEXT),
                ("统一社会信用代码", TEXT),
                ("首次报送日期", TEXT),
                ("状态", TEXT),
            ],
            [
                [
                    r.unit_name,
                    r.unit_code,
                    r.first_submitted_on.isoformat() if r.first_submitted_on else "",
                    r.status,
                ]
                for r in facts.reporting
            ],
        )
    )
    out.append(
        (
            "832平台核对",
            [
                ("单位名称", TEXT),
                ("统一社会信用代码", TEXT),
                ("报送832平台金额（万元）", MONEY),
                ("平台数据（万元）", MONEY),
                ("差异（%）", PCT),
                ("是否标记", TEXT),
            ],
            [
                [
                    r.unit_name,
                    r.unit_code,
                    _wan(r.reported_832),
                    _wan(r.platform_832),
                    r.diff_pct,
                    "是" if r.flagged else "否",
                ]
                for r in facts.reconciliation
            ],
        )
    )
    out.append(
        (
            "全市汇总",
            [
                ("分类", TEXT),
                ("项目", TEXT),
                ("本季度（万元）", MONEY),
                ("累计（万元）", MONEY),
                ("上年同期（万元）", MONEY),
                ("同比（%）", PCT),
            ],
            [
                [
                    DIMENSION_LABELS.get(dim, dim),
                    c.member,
                    _wan(c.amount),
                    _wan(c.ytd),
                    _wan(c.base),
                    c.growth_pct,
                ]
                for dim in ("total", "unit_type", "district", "region", "channel")
                for c in facts.city.get(dim, [])
            ],
        )
    )
    out.append(
        (
            "季度走势",
            [
                ("年度", INT),
                ("季度", INT),
                ("全市本季度（万元）", MONEY),
                ("全市累计（万元）", MONEY),
            ],
            [[p.year, p.quarter, _wan(p.amount), _wan(p.ytd)] for p in facts.trend],
        )
    )
    out.append(
        (
            "表扬和督促",
            [("类别", TEXT), ("单位名称", TEXT), ("单位类型", TEXT), ("理由", TEXT)],
            [["表扬", m.unit_name, m.unit_type, "；".join(m.reasons)] for m in facts.commended]
            + [["督促", m.unit_name, m.unit_type, "；".join(m.reasons)] for m in facts.urged],
        )
    )
    out.append(
        (
            "数据质量",
            [
                ("检查项", TEXT),
                ("检查代码", TEXT),
                ("级别", TEXT),
                ("单位代码", TEXT),
                ("期间", TEXT),
                ("说明", TEXT),
                ("已复核", TEXT),
                ("复核说明", TEXT),
                ("复核人", TEXT),
            ],
            [
                [
                    CHECK_LABELS.get(f.check, f.check),
                    f.check,
                    f.severity,
                    f.unit_code,
                    f.period,
                    f.detail,
                    "是" if f.acknowledged else "否",
                    f.ack_note,
                    f.ack_reviewed_by,
                ]
                for f in facts.annex
            ],
        )
    )
    return out


def write_xlsx(facts: Facts, path: Path, title: str) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "language": "zh-CN"})
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    fmt_head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                              "text_wrap": True, "align": "center"})  # fmt: skip
    fmt_text = wb.add_format({**base, "border": 1})
    fmt_num = wb.add_format({**base, "border": 1, "num_format": "0.00"})
    fmt_int = wb.add_format({**base, "border": 1, "num_format": "0"})
    for name, cols, rows in sheets(facts):
        ws = wb.add_worksheet(name)
        widths = [display_width(h) + 2 for h, _ in cols]
        for c, (header, _) in enumerate(cols):
            ws.write_string(0, c, header, fmt_head)
        for r, row in enumerate(rows, start=1):
            for c, ((_, kind), value) in enumerate(zip(cols, row, strict=True)):
                if value is None or value == "":
                    ws.write_blank(r, c, None, fmt_text)
                elif kind in (MONEY, PCT):
                    ws.write_number(r, c, float(value), fmt_num)
                    widths[c] = max(widths[c], len(f"{float(value):.2f}") + 2)
                elif kind == INT:
                    ws.write_number(r, c, int(value), fmt_int)
                else:
                    text = safe_text(value)
                    ws.write_string(r, c, text, fmt_text)
                    widths[c] = max(widths[c], display_width(text) + 2)
        for c, w in enumerate(widths):
            ws.set_column(c, c, min(w, 80))
        ws.freeze_panes(1, 0)
        if rows:
            ws.autofilter(0, 0, len(rows), len(cols) - 1)
    wb.close()
    return path
