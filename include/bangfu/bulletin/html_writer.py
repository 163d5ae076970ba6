"""The bulletin as one self-contained HTML page: inline CSS, charts as inline SVG.

No external URL of any kind (no fonts, scripts or images fetched): the page opens
offline. Every piece of data text is HTML-escaped. Charts: the city total by quarter
against last year, unit types (YTD vs base), paired regions, status mix by unit type.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path

from bangfu.bulletin.facts import UNIT_TYPES, Facts
from bangfu.bulletin.narrative import NOT_PAIRED, Block, Document, Table

COLORS = {"this": "#c0392b", "last": "#7f8c8d"}
STATUS_COLORS = {"达标": "#27ae60", "持平": "#f1c40f", "未达标": "#e74c3c", "无基期": "#95a5a6"}
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"

CSS = f"""
body {{ font-family: 'Noto Serif CJK SC','Source Han Serif SC','FangSong','SimSun',serif;
  max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.8; }}
.masthead {{ color: #d00; text-align: center; font-size: 1.9em; letter-spacing: .05em;
  border-bottom: 3px solid #d00; padding-bottom: .3em; }}
.docnum {{ text-align: center; margin: .3em 0 1.2em; }}
h1 {{ text-align: center; font-size: 1.6em; }}
h2 {{ font-family: {FONT}; font-size: 1.2em; margin-top: 1.5em; }}
h3 {{ font-size: 1.05em; font-style: normal; }}
p.body {{ text-indent: 2em; margin: .3em 0; }}
table {{ border-collapse: collapse; margin: .6em auto 1.2em; font-size: .9em; }}
caption {{ font-family: {FONT}; font-weight: bold; padding: .3em; }}
th, td {{ border: 1px solid #999; padding: .15em .5em; }}
th {{ background: #f3f3f3; font-family: {FONT}; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.charts {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: .5em; }}
figcaption {{ font-family: {FONT}; font-weight: bold; text-align: center; }}
svg text {{ font-family: {FONT}; font-size: 12px; }}
.sign {{ text-align: right; margin-right: 4em; }}
.annex {{ border-top: 1px dashed #999; margin-top: 2em; }}
"""


def _wan(yuan: Decimal | None) -> float:
    return float(Decimal(yuan or 0) / 10000)


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** (len(str(int(v))) - 1)
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if v <= m * mag:
            return m * mag
    return 10 * mag


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg width="100%" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}">{body}</svg>'
    )


def trend_chart(facts: Facts) -> str:
    """City total per quarter: this year and last year, Q1..Q4."""
    y = facts.quarter.year
    series = {
        yr: {p.quarter: _wan(p.amount) for p in facts.trend if p.year == yr} for yr in (y - 1, y)
    }
    w, h, left, top, bottom = 440, 270, 60, 42, 40
    top_v = _nice_max(max([v for s in series.values() for v in s.values()] or [0]))
    px = lambda q: left + (q - 1) * (w - left - 30) / 3  # noqa: E731
    py = lambda v: top + (h - top - bottom) * (1 - v / top_v)  # noqa: E731
    parts = []
    for i in range(5):
        v = top_v * i / 4
        parts.append(
            f'<line x1="{left}" x2="{w - 20}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>'
        )
    for q in range(1, 5):
        parts.append(
            f'<text x="{px(q):.1f}" y="{h - bottom + 18}" text-anchor="middle">Q{q}</text>'
        )
    for yr, key in ((y - 1, "last"), (y, "this")):
        pts = sorted(series[yr].items())
        if not pts:
            continue
        path = " ".join(f"{px(q):.1f},{py(v):.1f}" for q, v in pts)
        parts.append(
            f'<polyline fill="none" stroke="{COLORS[key]}" stroke-width="2.5" points="{path}"/>'
        )
        for q, v in pts:
            parts.append(
                f'<circle cx="{px(q):.1f}" cy="{py(v):.1f}" r="3.5" fill="{COLORS[key]}">'
                f"<title>{yr}年第{q}季度 {v:.2f}万元</title></circle>"
            )
    for i, (yr, key) in enumerate(((y, "this"), (y - 1, "last"))):
        x = left + 10 + i * 110
        parts.append(
            f'<rect x="{x}" y="8" width="14" height="4" fill="{COLORS[key]}"/>'
            f'<text x="{x + 18}" y="14">{yr}年</text>'
        )
    parts.append(f'<text x="{left - 6}" y="{top - 14}" text-anchor="end">万元</text>')
    return _svg(w, h, "".join(parts), "全市采购额季度走势")


def hbar_chart(items: list[tuple[str, float, float | None]], label: str, y_label: str) -> str:
    """Horizontal bars: (name, this year YTD, last year base or None)."""
    if not items:
        return _svg(440, 60, '<text x="10" y="30">暂无数据</text>', label)
    row_h, left, w = 34, 150, 440
    h = 30 + row_h * len(items)
    top_v = _nice_max(max(max(a, b or 0) for _, a, b in items))
    scale = (w - left - 70) / top_v
    parts = [
        f'<rect x="{left}" y="6" width="14" height="8" fill="{COLORS["this"]}"/>'
        f'<text x="{left + 18}" y="14">本年累计</text>'
        f'<rect x="{left + 90}" y="6" width="14" height="8" fill="{COLORS["last"]}"/>'
        f'<text x="{left + 108}" y="14">{escape(y_label)}</text>'
    ]
    for i, (name, a, b) in enumerate(items):
        y0 = 26 + i * row_h
        short = name if len(name) <= 11 else name[:10] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y0 + 16}" text-anchor="end">{escape(short)}'
            f"<title>{escape(name)}</title></text>"
            f'<rect x="{left}" y="{y0 + 2}" width="{a * scale:.1f}" height="12" '
            f'fill="{COLORS["this"]}"/><text x="{left + a * scale + 4:.1f}" y="{y0 + 12}">'
            f"{a:.2f}</text>"
        )
        if b is not None:
            parts.append(
                f'<rect x="{left}" y="{y0 + 16}" width="{b * scale:.1f}" height="10" '
                f'fill="{COLORS["last"]}"/>'
            )
    return _svg(w, h, "".join(parts), label)


def status_chart(facts: Facts) -> str:
    """Stacked bars: how many units of each type are 达标/持平/未达标/无基期."""
    w, left, row_h = 440, 80, 34
    types = [t for t in UNIT_TYPES if facts.units.get(t)]
    h = 40 + row_h * max(1, len(types))
    parts = []
    x = left
    for s, color in STATUS_COLORS.items():
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="10" fill="{color}"/>'
            f'<text x="{x + 16}" y="15">{s}</text>'
        )
        x += 70
    for i, t in enumerate(types):
        units = facts.units[t]
        y0 = 30 + i * row_h
        parts.append(f'<text x="{left - 6}" y="{y0 + 15}" text-anchor="end">{escape(t)}</text>')
        x = float(left)
        for s, color in STATUS_COLORS.items():
            n = sum(u.status == s for u in units)
            if not n:
                continue
            seg = (w - left - 20) * n / len(units)
            parts.append(
                f'<rect x="{x:.1f}" y="{y0}" width="{seg:.1f}" height="20" fill="{color}">'
                f"<title>{escape(t)} {s} {n}家</title></rect>"
                f'<text x="{x + seg / 2:.1f}" y="{y0 + 15}" text-anchor="middle" '
                f'fill="#fff">{n}</text>'
            )
            x += seg
    return _svg(w, h, "".join(parts), "各类单位达标情况")


def _table(t: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.headers)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(v)}</td>' if i in t.numeric else f"<td>{escape(v)}</td>"
            for i, v in enumerate(r)
        )
        + "</tr>"
        for r in t.rows
    )
    return (
        f"<table><caption>{escape(t.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _blocks(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif b.kind == "h2":
            out.append(f"<h3>{escape(b.text)}</h3>")
        elif b.kind == "para":
            out.append(f'<p class="body">{escape(b.text)}</p>')
        elif b.table is not None:
            out.append(_table(b.table))
    return "\n".join(out)


def charts(facts: Facts) -> str:
    types = [
        (c.member, _wan(c.ytd), None if c.base is None else _wan(c.base))
        for c in facts.city.get("unit_type", [])
    ]
    regions = [
        (c.member, _wan(c.ytd), None if c.base is None else _wan(c.base))
        for c in facts.city.get("region", [])
        if c.member not in NOT_PAIRED
    ][:10]
    figs = [
        ("全市采购额季度走势（万元）", trend_chart(facts)),
        ("各类单位累计采购（万元）", hbar_chart(types, "各类单位累计采购", "上年同期")),
        ("主要帮扶地区累计采购（万元）", hbar_chart(regions, "帮扶地区累计采购", "上年同期")),
        ("各类单位达标情况（家）", status_chart(facts)),
    ]
    return (
        '<div class="charts">'
        + "".join(f"<figure>{svg}<figcaption>{escape(c)}</figcaption></figure>" for c, svg in figs)
        + "</div>"
    )


def write_html(d: Document, facts: Facts, path: Path) -> Path:
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(d.title)}</title><style>{CSS}</style></head>
<body>
<div class="masthead">{escape(d.masthead)}</div>
<div class="docnum">{escape(d.doc_number)}</div>
<h1>{escape(d.title)}</h1>
<p>{escape(d.addressee)}</p>
{charts(facts)}
{_blocks(d.body)}
<p class="body">{escape(d.attachment_note)}</p>
<p class="sign">{escape(d.issuer)}<br>{escape(d.issue_date)}</p>
<section class="annex"><h2>{escape(d.annex_label)}　{escape(d.annex_title)}</h2>
{_blocks(d.annex)}</section>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
