"""The data-quality report: `out/<quarter>/checks/<YYYYmmddTHHMMSS>/` (SPEC §6).

`report.html` (a readable Chinese page), `findings.csv` (UTF-8 with BOM so Excel opens
it; formula-like cells neutralised), the GX results under `gx/`, and
`out/<quarter>/checks/latest` naming the newest folder. Published bulletins
(`out/<quarter>/v*/`) are never touched.
"""

from __future__ import annotations

import csv
import html
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bangfu.quality.findings import Finding

if TYPE_CHECKING:
    from bangfu.quality.acknowledgements import Acknowledgement
    from bangfu.quality.findings import GateResult

CSV_COLUMNS = (
    "check",
    "severity",
    "unit_code",
    "period",
    "detail",
    "acknowledged",
    "note",
    "reviewed_by",
    "rows",
)
CHECK_TITLES = {
    "voucher_reused_across_units": "凭证编号跨单位重复",
    "amount_outlier_vs_history": "金额较历史异常偏高",
    "row_loss_between_layers": "各层之间行数丢失",
    "canteen_reserved_mismatch": "食堂预留份额与预算×比例不符",
    "report_total_mismatch": "报告合计与明细不符",
    "source_structure": "源数据结构（代码、取值范围、报送期）",
    "mart_structure": "发布表结构",
    "reconciliation_flagged": "832平台报告金额与平台订单差异较大",
    "unit_not_reported": "单位未报送",
    "report_line_without_voucher": "报告明细未填凭证编号",
    "canteen_ratio_below_minimum": "食堂预留比例低于要求",
    "city_total_jump": "全市总额环比大幅波动",
    "round_number_report": "报告金额均为整数（疑为估算）",
    "acknowledgement_malformed": "确认文件格式有误",
}
SEVERITY_CN = {"error": "错误（阻断发布）", "warning": "警告"}


def new_report_dir(out: Path, quarter: str, now: datetime | None = None) -> Path:
    """A fresh `out/<quarter>/checks/<timestamp>` folder (suffix -2, -3… within one second)."""
    stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S")
    base = Path(out) / quarter / "checks"
    base.mkdir(parents=True, exist_ok=True)
    folder, n = base / stamp, 1
    while True:
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            n += 1
            folder = base / f"{stamp}-{n}"


def neutralise(cell: str) -> str:
    """Stop spreadsheet formula injection: a cell starting with = + - @ (or tab/CR) gets a '."""
    return "'" + cell if cell and cell[0] in "=+-@\t\r" else cell


def write_findings_csv(path: Path, findings: list[Finding]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for f in findings:
            cells = (
                f.check,
                f.severity,
                f.unit_code,
                f.period,
                f.detail,
                "true" if f.acknowledged else "false",
                f.ack_note,
                f.ack_reviewed_by,
                f.rows,
            )
            w.writerow([neutralise(str(c)) for c in cells])


def write_html(
    path: Path,
    result: GateResult,
    severities: dict[str, str],
    suites: dict[str, bool],
    unused_acks: list[Acknowledgement],
    run_stamp: str,
) -> None:
    e = html.escape
    findings = result.findings
    n_err = sum(f.severity == "error" for f in findings)
    n_warn = sum(f.severity == "warning" for f in findings)
    n_ack = sum(f.acknowledged for f in findings)
    status = "通过，可以发布" if result.passed else "未通过，阻断发布"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>数据质量报告 {e(result.quarter)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em}"
        "table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top;font-size:14px}"
        "th{background:#eee}.error{color:#b00}.warning{color:#a60}.ok{color:#070}"
        ".ack{color:#666}.rows{font-family:monospace;font-size:12px;max-width:40em;"
        "word-break:break-all}</style></head><body>",
        f"<h1>消费帮扶数据质量报告（{e(result.quarter)}）</h1>",
        f"<p>检查时间：{e(run_stamp)}</p>",
        f'<p>结论：<strong class="{"ok" if result.passed else "error"}">{e(status)}</strong></p>',
        "<table><tr><th>级别</th><th>问题数</th><th>其中已确认</th><th>阻断发布</th></tr>",
    ]
    for sev, n in (("error", n_err), ("warning", n_warn)):
        acked = sum(f.acknowledged for f in findings if f.severity == sev)
        blocking = sum(f.blocks for f in findings if f.severity == sev)
        parts.append(
            f'<tr><td class="{sev}">{e(SEVERITY_CN[sev])}</td><td>{n}</td>'
            f"<td>{acked}</td><td>{blocking}</td></tr>"
        )
    parts.append(f"<tr><td>合计</td><td>{len(findings)}</td><td>{n_ack}</td>")
    parts.append(f"<td>{len(result.blocking)}</td></tr></table>")

    parts.append("<h2>各项检查</h2><table><tr><th>检查</th><th>说明</th><th>级别</th>")
    parts.append("<th>问题数</th><th>结果</th></tr>")
    by_check: dict[str, list[Finding]] = {}
    for f in findings:
        by_check.setdefault(f.check, []).append(f)
    for check in sorted(set(severities) | set(by_check)):
        items = by_check.get(check, [])
        sev = severities.get(check, items[0].severity if items else "")
        verdict = "通过"
        if items:
            verdict = "已全部确认" if all(f.acknowledged for f in items) else "未通过"
        parts.append(
            f"<tr><td>{e(check)}</td><td>{e(CHECK_TITLES.get(check, ''))}</td>"
            f'<td class="{e(sev)}">{e(SEVERITY_CN.get(sev, sev))}</td><td>{len(items)}</td>'
            f"<td>{e(verdict)}</td></tr>"
        )
    parts.append("</table>")

    for check, items in sorted(by_check.items(), key=lambda kv: (kv[1][0].severity, kv[0])):
        sev = items[0].severity
        parts.append(
            f'<h2 class="{e(sev)}">{e(CHECK_TITLES.get(check, check))}'
            f"（{e(check)}，{e(SEVERITY_CN.get(sev, sev))}，{len(items)} 项）</h2>"
        )
        parts.append(
            "<table><tr><th>单位代码</th><th>期间</th><th>详情</th><th>行定位</th>"
            "<th>已确认</th><th>确认说明</th><th>复核人</th></tr>"
        )
        for f in items:
            cls = ' class="ack"' if f.acknowledged else ""
            parts.append(
                f"<tr{cls}><td>{e(f.unit_code)}</td><td>{e(f.period)}</td><td>{e(f.detail)}</td>"
                f'<td class="rows">{e(f.rows)}</td><td>{"是" if f.acknowledged else "否"}</td>'
                f"<td>{e(f.ack_note)}</td><td>{e(f.ack_reviewed_by)}</td></tr>"
            )
        parts.append("</table>")

    if unused_acks:
        parts.append("<h2>未匹配任何问题的确认记录</h2><table>")
        parts.append("<tr><th>检查</th><th>单位代码</th><th>期间</th><th>来源</th></tr>")
        for a in unused_acks:
            parts.append(
                f"<tr><td>{e(a.check)}</td><td>{e(a.unit_code)}</td><td>{e(a.period)}</td>"
                f"<td>{e(a.source)}</td></tr>"
            )
        parts.append("</table>")

    parts.append("<h2>Great Expectations 校验套件</h2><table><tr><th>套件</th><th>结果</th></tr>")
    for name, ok in sorted(suites.items()):
        parts.append(
            f'<tr><td><a href="gx/{e(name)}.json">{e(name)}</a></td>'
            f'<td class="{"ok" if ok else "error"}">{"通过" if ok else "未通过"}</td></tr>'
        )
    parts.append("</table>")
    parts.append(
        "<p>确认已复核的问题：在落地目录 <code>acknowledgements/</code> 下放置 CSV 文件"
        "（UTF-8 或 GBK），列为 <code>check, unit_code, period, note, reviewed_by</code>，"
        "取值与本报告及 findings.csv 中的 check、unit_code、period 一致；确认后的错误不再阻断发布，"
        "仍列入本报告和通报的数据质量附件。</p></body></html>"
    )
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def point_latest(report_dir: Path) -> None:
    """`out/<quarter>/checks/latest`: a text file naming the newest report folder."""
    latest = report_dir.parent / "latest"
    tmp = report_dir.parent / f".latest.tmp-{os.getpid()}"
    tmp.write_text(report_dir.name + "\n", encoding="utf-8")
    os.replace(tmp, latest)
