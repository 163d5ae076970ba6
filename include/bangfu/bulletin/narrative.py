"""The bulletin's Chinese text, written from the facts.

`compose(facts, config)` returns a `Document`: the parts of an official document
(版头, title, 主送, body sections with their tables, 附件, signature, 版记) as plain
strings. The DOCX and HTML writers lay the same Document out; nothing here knows about
files. Sentences follow the data: growth or decline, all compliant or N not, no late
reports said as such; money in 万元 with two decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bangfu.bulletin.facts import UNIT_TYPES, CityRow, Facts, UnitKpi
from bangfu.config import Config

CN_NUM = "一二三四五六七八九十"
WAN = Decimal(10000)
CENT = Decimal("0.01")

CHECK_LABELS = {
    "voucher_reused_across_units": "同一凭证编号被多个单位使用",
    "amount_outlier_vs_history": "单位季度金额异常偏高",
    "row_loss_between_layers": "数据层间行数不一致",
    "canteen_reserved_mismatch": "食堂预留份额与预算×比例不符",
    "report_total_mismatch": "季度报表合计与明细不符",
    "reconciliation_flagged": "报送832平台金额与平台数据差异较大",
    "unit_not_reported": "应报单位未报送",
    "report_line_without_voucher": "报表明细缺少凭证编号",
    "canteen_ratio_below_minimum": "食堂食材预留比例低于要求",
    "city_total_jump": "全市合计环比变动异常",
    "round_number_report": "报表金额均为整数，疑为估报",
    "source_structure": "源文件结构异常",
}
# members of the region dimension that are not a paired prefecture (kpi_city_quarter)
NOT_PAIRED = ("非结对地区", "未知地区")
DIMENSION_LABELS = {
    "total": "全市合计",
    "unit_type": "按单位类型",
    "district": "按区",
    "region": "按帮扶地区",
    "channel": "按采购渠道",
}


def wan(yuan: Decimal | None) -> str:
    """元 → 万元 text with two decimals (half up); '—' when unknown."""
    if yuan is None:
        return "—"
    return f"{(Decimal(yuan) / WAN).quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def pct(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(q, rounding=ROUND_HALF_UP):.{places}f}%"


def cn_date(d: date) -> str:
    """GB/T 9704-2012 7.3.5.3: the date in Arabic numerals, year in full, no leading zeros."""
    return f"{d.year}年{d.month}月{d.day}日"


def join_names(names: list[str], limit: int = 0) -> str:
    """'甲、乙和丙' — with `limit`, the first ones and '等N家'."""
    if limit and len(names) > limit:
        return "、".join(names[:limit]) + f"等{len(names)}家单位"
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def change_phrase(ytd: Decimal, base: Decimal | None, growth: Decimal | None) -> str:
    """'比上年同期（X万元）增长Y%' with the right verb, or why there is no comparison."""
    if base is None or base == 0:
        return "上年同期无可比数据"
    g = growth if growth is not None else (ytd - base) / base * 100
    g = Decimal(g).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if g > 0:
        return f"比上年同期（{wan(base)}万元）增长{g}%"
    if g < 0:
        return f"比上年同期（{wan(base)}万元）下降{abs(g)}%"
    return f"与上年同期（{wan(base)}万元）基本持平"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    widths: list[float] | None = None  # relative widths for the DOCX


@dataclass
class Block:
    kind: str  # h1 | h2 | para | table
    text: str = ""
    table: Table | None = None


@dataclass
class Document:
    masthead: str
    doc_number: str
    title: str
    addressee: str
    body: list[Block]
    attachment_note: str
    issuer: str
    issue_date: str
    annex_label: str
    annex_title: str
    annex: list[Block]
    imprint_left: str
    imprint_right: str

    def plain_text(self) -> str:
        parts = [self.masthead, self.doc_number, self.title, self.addressee]
        for b in [*self.body, *self.annex]:
            parts.append(b.text)
            if b.table:
                parts.append(b.table.caption)
                parts += ["\t".join(r) for r in [b.table.headers, *b.table.rows]]
        parts += [self.attachment_note, self.issuer, self.issue_date]
        return "\n".join(p for p in parts if p)


def _periods(facts: Facts) -> str:
    q = facts.quarter
    return f"{q.year}年第1季度" if q.quarter == 1 else f"{q.year}年1—{q.quarter}季度"


def compose(facts: Facts, config: Config, issued: date) -> Document:
    b = config.bulletin
    q = facts.quarter
    number = b.get("document_number") or q.quarter
    body: list[Block] = [
        Block(
            "para",
            f"为贯彻落实广州市消费帮扶“18条措施”关于建立评价通报制度的要求，"
            f"市协作办对{q.label_cn}各区直单位、市直单位和市属国有企业采购帮扶产品、"
            f"食堂食材预留份额、工会福利采购及数据报送情况进行了统计分析。"
            f"现将有关情况通报如下：",
        )
    ]
    sections = [
        ("总体情况", _overall(facts)),
        ("各类单位采购情况", _by_type(facts)),
        ("食堂食材预留份额落实情况", _canteen(facts)),
        ("工会福利采购帮扶产品情况", _union(facts)),
        ("数据报送及核对情况", _reporting(facts)),
        ("表扬和督促", _mentions(facts)),
        ("下一步工作要求", _next_steps(facts)),
    ]
    for i, (heading, blocks) in enumerate(sections):
        body.append(Block("h1", f"{CN_NUM[i]}、{heading}"))
        body.extend(blocks)
    annex_title = "数据质量说明"
    return Document(
        masthead=b["masthead"],
        doc_number=f"{b['document_number_prefix']}〔{q.year}〕{number}号",
        title=f"关于{q.label_cn}消费帮扶工作情况的通报",
        addressee=b["addressee"],
        body=body,
        attachment_note=f"附件：{annex_title}",
        issuer=b["issuer"],
        issue_date=cn_date(issued),
        annex_label="附件",
        annex_title=annex_title,
        annex=_annex(facts),
        imprint_left=b["printing_office"],
        imprint_right=f"{cn_date(issued)}印发",
    )


def _overall(facts: Facts) -> list[Block]:
    q = facts.quarter
    total = facts.city_total
    status_counts = {s: 0 for s in ("达标", "持平", "未达标", "无基期")}
    for u in facts.all_units:
        status_counts[u.status] = status_counts.get(u.status, 0) + 1
    n = len(facts.all_units)
    text = (
        f"{_periods(facts)}，全市各单位累计采购帮扶产品{wan(total.ytd)}万元，"
        f"{change_phrase(total.ytd, total.base, total.growth_pct)}"
    )
    if q.quarter > 1:
        text += f"，其中第{q.quarter}季度采购{wan(total.amount)}万元"
        prev = next(
            (
                p
                for p in facts.trend
                if (p.year, p.quarter) == (q.previous().year, q.previous().quarter)
            ),
            None,
        )
        if prev is not None and prev.amount:
            d = (total.amount - prev.amount) / prev.amount * 100
            d = d.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            text += (
                f"，环比{'增长' if d > 0 else '下降'}{abs(d)}%" if d != 0 else "，与上季度基本持平"
            )
    text += "。"
    blocks = [Block("para", text)]

    g = f"{facts.growth_target_pct:g}%"
    if status_counts["无基期"] == n:
        blocks.append(
            Block("para", f"纳入统计的{n}家单位上年同期均无采购数据，本期暂不评价增长情况。")
        )
    else:
        good, below = status_counts["达标"], status_counts["未达标"]
        parts = [
            f"纳入统计的{n}家单位中，{good}家实现适度增长（同比增长{g}以上）"
            if good
            else f"纳入统计的{n}家单位中，没有单位实现{g}以上的适度增长"
        ]
        if status_counts["持平"]:
            parts.append(f"{status_counts['持平']}家与上年同期持平或增幅不足{g}")
        if status_counts["无基期"]:
            parts.append(f"{status_counts['无基期']}家上年同期无采购数据")
        verdict = (
            f"{below}家低于上年同期，需加大采购力度" if below else "没有单位累计采购额低于上年同期"
        )
        blocks.append(Block("para", "，".join(parts) + f"；{verdict}。"))

    channel = facts.city.get("channel", [])
    region = facts.city.get("region", [])
    sentences = []
    if channel and total.ytd:
        top = [c for c in channel if c.ytd > 0][:3]
        share = "，".join(
            f"{c.member}{wan(c.ytd)}万元、占{pct(c.ytd / total.ytd * 100, 1)}" for c in top
        )
        if top:
            sentences.append(f"从采购渠道看，{share}")
    if region and total.ytd:
        top = [c for c in region if c.ytd > 0 and c.member not in NOT_PAIRED][:3]
        if top:
            lead = top[0]
            sentences.append(
                f"从帮扶地区看，采购主要流向{join_names([c.member for c in top])}，"
                f"其中{lead.member}累计{wan(lead.ytd)}万元，"
                f"{change_phrase(lead.ytd, lead.base, lead.growth_pct)}"
            )
    if sentences:
        blocks.append(Block("para", "；".join(sentences) + "。"))
    blocks.append(Block("table", table=_city_table(facts)))
    return blocks


def _city_table(facts: Facts) -> Table:
    rows = []
    for dim in ("total", "unit_type", "region", "channel", "district"):
        for c in facts.city.get(dim, []):
            member = "全市" if dim == "total" else c.member
            rows.append(
                [
                    DIMENSION_LABELS[dim],
                    member,
                    wan(c.amount),
                    wan(c.ytd),
                    wan(c.base),
                    pct(c.growth_pct),
                ]
            )
    return Table(
        caption=f"表1  {_periods(facts)}全市采购帮扶产品分类汇总（万元）",
        headers=["分类", "项目", "本季度", "累计", "上年同期", "同比"],
        rows=rows,
        numeric={2, 3, 4, 5},
        widths=[1.4, 2.6, 1.3, 1.3, 1.3, 1.4],
    )


def _type_sentence(t: str, units: list[UnitKpi], facts: Facts) -> str:
    if not units:
        return f"本期无{t}数据。"
    # the type's totals come from the city rollup: it also counts units that left the
    # registry during the year, which have no row in this quarter's unit table
    city = city_member(facts, "unit_type", t)
    if city is not None:
        ytd, base, growth = city.ytd, city.base, city.growth_pct
    else:
        ytd = sum((u.ytd for u in units), Decimal(0))
        base_known = [u.base for u in units if u.base is not None]
        base = sum(base_known, Decimal(0)) if base_known else None
        growth = (ytd - base) / base * 100 if base else None
    s = f"{t}共{len(units)}家，累计采购{wan(ytd)}万元，{change_phrase(ytd, base, growth)}。"
    ok = [u for u in units if u.status == "达标"]
    flat = [u for u in units if u.status == "持平"]
    below = [u for u in units if u.status == "未达标"]
    nobase = [u for u in units if u.status == "无基期"]
    if len(nobase) == len(units):
        return s + "各单位上年同期均无采购数据，暂不评价增长情况。"
    g = f"{facts.growth_target_pct:g}%"
    parts = []
    if len(ok) == len(units):
        parts.append(f"{t}全部实现适度增长")
    elif ok:
        parts.append(f"{len(ok)}家实现适度增长")
    else:
        parts.append(f"没有单位实现{g}以上的适度增长")
    if ok:
        best = ok[0]
        parts[-1] += f"，{best.unit_name}增幅最高（{pct(best.growth_pct, 1)}）"
    if flat:
        parts.append(f"{len(flat)}家与上年同期持平或增幅不足{g}")
    if below:
        names = join_names([u.unit_name for u in below], limit=5)
        text = f"{len(below)}家累计采购额低于上年同期：{names}"
        worst = below[-1]
        if len(below) > 1 and worst.growth_pct is not None:
            text += f"，其中{worst.unit_name}降幅最大（{pct(abs(worst.growth_pct), 1)}）"
        parts.append(text)
    elif len(ok) < len(units):
        parts.append("没有单位低于上年同期")
    if nobase:
        parts.append(f"{len(nobase)}家上年同期无采购数据")
    return s + "；".join(parts) + "。"


def _by_type(facts: Facts) -> list[Block]:
    blocks: list[Block] = []
    for i, t in enumerate(UNIT_TYPES):
        units = facts.units.get(t, [])
        blocks.append(Block("h2", f"（{CN_NUM[i]}）{t}"))
        blocks.append(Block("para", _type_sentence(t, units, facts)))
        if units:
            blocks.append(
                Block(
                    "table",
                    table=Table(
                        caption=f"表{i + 2}  {t}采购帮扶产品情况（按累计同比增幅排序，万元）",
                        headers=["排名", "单位名称", "本季度", "累计", "上年同期", "同比", "状态"],
                        rows=[
                            [
                                str(u.rank),
                                u.unit_name,
                                wan(u.amount_total),
                                wan(u.ytd),
                                wan(u.base),
                                pct(u.growth_pct),
                                u.status,
                            ]
                            for u in units
                        ],
                        numeric={2, 3, 4, 5},
                        widths=[0.8, 3.0, 1.3, 1.3, 1.3, 1.6, 1.1],
                    ),
                )
            )
    return blocks


def _canteen(facts: Facts) -> list[Block]:
    q = facts.quarter
    rows = facts.canteen
    if not rows:
        return [Block("para", f"本期暂无{q.year}年度食堂食材采购预留计划数据。")]
    planned = [c for c in rows if c.status not in ("无食堂", "未报计划")]
    by = {s: [c for c in rows if c.status == s] for s in ("已完成", "进度正常", "进度滞后")}
    no_plan = [c for c in rows if c.status == "未报计划"]
    no_canteen = [c for c in rows if c.status == "无食堂"]
    reserved = sum((c.reserved or Decimal(0) for c in planned), Decimal(0))
    bought = sum((c.purchased_ytd or Decimal(0) for c in planned), Decimal(0))
    expected = f"{q.quarter * 25}%"
    s = f"{q.year}年，{len(planned)}家有食堂单位共预留食堂食材采购份额{wan(reserved)}万元"
    if reserved:
        done = pct(bought / reserved * 100, 1)
        s += f"，截至第{q.quarter}季度末通过832平台累计采购{wan(bought)}万元，整体完成{done}"
        s += "，高于时序进度" if bought / reserved * 100 >= q.quarter * 25 else "，低于时序进度"
        s += f"（{expected}）"
    s += "。"
    if by["已完成"]:
        s += f"{len(by['已完成'])}家已完成全年预留份额，"
    if by["进度滞后"]:
        s += (
            f"{len(by['进度正常'])}家进度正常，{len(by['进度滞后'])}家进度滞后："
            f"{join_names([c.unit_name for c in by['进度滞后']], limit=8)}。"
        )
    else:
        s += "其余单位均达到时序进度，无进度滞后单位。" if planned else ""
    if no_plan:
        s += f"{join_names([c.unit_name for c in no_plan], limit=8)}尚未报送年度预留计划。"
    if no_canteen:
        s += f"另有{len(no_canteen)}家单位无食堂，不纳入统计。"
    blocks = [Block("para", s)]
    low = [c for c in rows if c.status in ("进度滞后", "未报计划")]
    if low:
        blocks.append(
            Block(
                "table",
                table=Table(
                    caption="表5  食堂食材预留份额进度滞后及未报计划单位（万元）",
                    headers=["单位名称", "预留份额", "预留比例", "累计采购", "完成率", "状态"],
                    rows=[
                        [
                            c.unit_name,
                            wan(c.reserved),
                            pct(c.reserve_ratio * 100, 0) if c.reserve_ratio is not None else "—",
                            wan(c.purchased_ytd),
                            pct(c.completion_pct),
                            c.status,
                        ]
                        for c in low
                    ],
                    numeric={1, 2, 3, 4},
                    widths=[3.6, 1.3, 1.1, 1.3, 1.4, 1.4],
                ),
            )
        )
    return blocks


def _union(facts: Facts) -> list[Block]:
    rows = [u for u in facts.union if u.welfare_total]
    y = facts.quarter.year
    minimum = f"{facts.union_min_share_pct:g}%"
    if not rows:
        return [Block("para", f"本期暂无{y}年度工会福利采购数据。")]
    total = sum((u.welfare_total or Decimal(0) for u in rows), Decimal(0))
    special = sum((u.special or Decimal(0) for u in rows), Decimal(0))
    bad = [u for u in rows if u.compliant is False]
    s = (
        f"{y}年已报送工会福利数据的{len(rows)}家单位，职工集体福利支出合计{wan(total)}万元，"
        f"其中在专馆、专区购买帮扶产品{wan(special)}万元，占{pct(special / total * 100, 1)}。"
    )
    if not bad:
        s += f"各单位均达到不低于{minimum}的要求。"
    else:
        detail = "、".join(f"{u.unit_name}（{pct(u.share_pct, 1)}）" for u in bad[:8])
        s += (
            f"{len(rows) - len(bad)}家达到不低于{minimum}的要求，"
            f"{len(bad)}家未达到：{detail}{'等' if len(bad) > 8 else ''}。"
        )
    return [Block("para", s)]


def _reporting(facts: Facts) -> list[Block]:
    q = facts.quarter
    rows = facts.reporting
    deadline = cn_date(facts.deadline)
    if not rows:
        return [Block("para", f"本期无应报送单位的报送记录。报送截止日期为{deadline}。")]
    late = [r for r in rows if r.status == "逾期"]
    missing = [r for r in rows if r.status == "未报"]
    ontime = [r for r in rows if r.status == "按时"]
    s = f"{q.label_cn}报表报送截止日期为{deadline}，应报送单位{len(rows)}家"
    if not late and not missing:
        s += "，均已按时报送，无逾期、未报单位。"
    else:
        s += f"，按时报送{len(ontime)}家"
        if late:
            detail = "、".join(
                f"{r.unit_name}（{r.first_submitted_on.month}月{r.first_submitted_on.day}日报送）"
                if r.first_submitted_on
                else r.unit_name
                for r in late
            )
            s += f"；逾期报送{len(late)}家：{detail}"
        else:
            s += "，无逾期报送单位"
        if missing:
            names = join_names([r.unit_name for r in missing])
            s += f"；截至通报时仍未报送{len(missing)}家：{names}"
        else:
            s += "；已无未报送单位"
        s += "。"
    blocks = [Block("para", s)]

    flagged = [r for r in facts.reconciliation if r.flagged]
    if not facts.reconciliation:
        blocks.append(Block("para", "本期无832平台采购数据需要核对。"))
    elif not flagged:
        blocks.append(
            Block(
                "para",
                f"经核对，{len(facts.reconciliation)}家单位报送的832平台采购金额"
                "与平台导出数据基本一致。",
            )
        )
    else:
        detail = "、".join(
            f"{r.unit_name}（报送{wan(r.reported_832)}万元，平台{wan(r.platform_832)}万元）"
            for r in flagged[:6]
        )
        blocks.append(
            Block(
                "para",
                f"经核对，{len(flagged)}家单位报送的832平台采购金额与平台导出数据差异较大："
                f"{detail}{'等' if len(flagged) > 6 else ''}。统计以平台数据为准，"
                "请相关单位核实报送数据。",
            )
        )
    return blocks


def _mentions(facts: Facts) -> list[Block]:
    blocks = [Block("h2", "（一）予以表扬的单位")]
    if facts.commended:
        by_type = []
        for t in UNIT_TYPES:
            names = [m.unit_name for m in facts.commended if m.unit_type == t]
            if names:
                by_type.append(f"{t}：{'、'.join(names)}")
        blocks.append(
            Block(
                "para",
                "以下单位累计采购额实现适度增长、增幅位居同类单位前列，予以通报表扬："
                + "；".join(by_type)
                + "。",
            )
        )
    else:
        why = (
            "上年同期无可比数据，本期不评选表扬单位。"
            if all(u.status == "无基期" for u in facts.all_units)
            else "本期没有单位累计采购额实现适度增长，暂无表扬单位。"
        )
        blocks.append(Block("para", why))
    blocks.append(Block("h2", "（二）需要督促的单位"))
    if facts.urged:
        blocks.append(
            Block(
                "para",
                f"以下{len(facts.urged)}家单位存在采购进度、数据报送或份额落实等方面的问题，"
                "请认真分析原因，限期整改：",
            )
        )
        blocks.append(
            Block(
                "table",
                table=Table(
                    caption="表6  需要督促的单位",
                    headers=["序号", "单位名称", "单位类型", "存在问题"],
                    rows=[
                        [str(i + 1), m.unit_name, m.unit_type or "—", "；".join(m.reasons)]
                        for i, m in enumerate(facts.urged)
                    ],
                    widths=[0.8, 3.6, 1.4, 5.0],
                ),
            )
        )
    else:
        blocks.append(Block("para", "本期各单位采购、报送和份额落实情况良好，没有需要督促的单位。"))
    return blocks


def _next_steps(facts: Facts) -> list[Block]:
    q = facts.quarter
    total = facts.city_total
    left = 4 - q.quarter
    timing = f"距年度结束还有{left}个季度，" if left else "本年度已结束，"
    if total.base and total.ytd < total.base:
        push = (
            "全市累计采购额低于上年同期，各单位要切实压实责任，加快采购进度，"
            "确保全年采购额不低于上年实际。"
        )
    else:
        push = "各单位要保持采购力度，确保全年采购额在上年实际基础上实现适度增长。"
    return [
        Block("para", timing + push),
        Block(
            "para",
            "各单位要按时、完整报送季度采购数据，凭证编号与采购明细逐项对应；"
            "832平台采购以平台导出数据为准，报表中的832平台金额仅用于核对。",
        ),
    ]


def _annex(facts: Facts) -> list[Block]:
    if not facts.annex:
        return [Block("para", "本期数据质量检查未发现需要说明的问题，所有检查项均已通过。")]
    acked = [f for f in facts.annex if f.acknowledged]
    warn = [f for f in facts.annex if not f.acknowledged]
    intro = f"本期数据质量检查共列出{len(facts.annex)}项需要说明的情况"
    if warn:
        intro += f"，其中提示性问题{len(warn)}项（不影响通报发布）"
    if acked:
        intro += f"，经数据管理人员复核确认的问题{len(acked)}项"
    blocks = [Block("para", intro + "。具体如下：")]
    counts: dict[str, int] = {}
    for f in facts.annex:
        counts[f.check] = counts.get(f.check, 0) + 1
    blocks.append(
        Block(
            "para",
            "按检查项统计："
            + "；".join(f"{CHECK_LABELS.get(c, c)}{n}项" for c, n in counts.items())
            + "。",
        )
    )
    blocks.append(
        Block(
            "table",
            table=Table(
                caption="数据质量问题清单",
                headers=["序号", "检查项", "单位代码", "期间", "说明", "处理"],
                rows=[
                    [
                        str(i + 1),
                        CHECK_LABELS.get(f.check, f.check),
                        f.unit_code or "—",
                        f.period or "—",
                        f.detail,
                        (
                            f"已复核：{f.ack_note}（{f.ack_reviewed_by}）"
                            if f.acknowledged
                            else "提示"
                        ),
                    ]
                    for i, f in enumerate(facts.annex)
                ],
                widths=[0.7, 2.2, 2.6, 1.5, 3.6, 1.8],
            ),
        )
    )
    return blocks


def city_member(facts: Facts, dimension: str, member: str) -> CityRow | None:
    return next((c for c in facts.city.get(dimension, []) if c.member == member), None)
