"""The small tabular sources: canteen plans, union welfare, catalogue, 五专 sites (§3.3-3.6).

Each is a handful of files, csv and xlsx mixed, each file in its own style (encoding,
digits, separators, dates, header cells). Planted bad rows are extra rows (a typo'd
duplicate, a faulty line): the clean rows stay complete.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from bangfu.synth import ugly
from bangfu.synth.demand import Timeline, UnitPlan
from bangfu.synth.products import Product
from bangfu.synth.registry import DISTRICTS, wrong_check
from bangfu.synth.writer import CsvSink, csv_line, table_sheet, write_xlsx

BAD_SHARE = 0.005


@dataclass
class Table:
    source: str
    name: str
    header: list[str]
    rows: list[list]
    style: ugly.Style
    xlsx: bool
    bad: dict[int, tuple[str, str]]  # index into rows -> (reason, column)


def _cell(cents: int | None, st: ugly.Style, xlsx: bool):
    if cents is None:
        return ""
    if xlsx and st.numbers == "plain":
        return cents / 100
    return ugly.money(cents, st)


def write_table(out: Path, t: Table, rng: random.Random, manifest) -> None:
    folder = out / t.source
    folder.mkdir(parents=True, exist_ok=True)
    rel = f"{t.source}/{t.name}"
    header = ugly.header(t.header, t.style, rng)
    if t.xlsx:
        write_xlsx(folder / t.name, table_sheet(header, t.rows), bold_rows={1})
    else:
        with CsvSink(folder / t.name, t.style.encoding, t.style.newline) as sink:
            sink.line(csv_line(header))
            for r in t.rows:
                sink.line(csv_line(r))
    for i, (reason, column) in sorted(t.bad.items()):
        manifest.bad_row(t.source, rel, i + 2, reason, column)  # header = row 1
    manifest.file(t.source, rel, len(t.rows), len(t.bad), t.style.describe())


def _plant_rows(rows: list[list], make_bad, rng: random.Random) -> dict[int, tuple[str, str]]:
    n = max(1, round(len(rows) * BAD_SHARE))
    marks: list[tuple[list, str, str]] = []
    for _ in range(n):
        row, reason, column = make_bad(list(rows[rng.randrange(len(rows))]))
        rows.insert(rng.randrange(len(rows) + 1), row)
        marks.append((row, reason, column))
    ids = {id(r): i for i, r in enumerate(rows)}
    return {ids[id(row)]: (reason, column) for row, reason, column in marks}


def _year_active(plan: UnitPlan, y: int) -> bool:
    return plan.unit.active_between(date(y, 1, 1), date(y, 12, 31))


# -- canteen (§3.3) -------------------------------------------------------------------------
CANTEEN_HEADER = [
    "单位名称",
    "统一社会信用代码",
    "年度",
    "有无食堂",
    "年度食堂食材采购预算(元)",
    "预留比例",
    "预留份额(元)",
]


def _canteen_year(plan: UnitPlan, y: int, tl: Timeline, realized: dict) -> float:
    """The unit's canteen purchases of year y on the platform (元), projected to a full year
    for the year in progress; the plan's expectation where nothing was bought."""
    u = plan.unit
    active = [q for q in range(1, 5) if u.active_between(date(y, 3 * q - 2, 1), date(y, 3 * q, 28))]
    done = [q for q in active if (y, q) in set(tl.report_quarters)]
    bought = sum(realized.get((u.idx, y, q), 0) for q in done) / 100
    if done and bought > 0:
        weight = sum(plan.quarter_budget[(y, q)] for q in active)
        return bought * weight / sum(plan.quarter_budget[(y, q)] for q in done)
    return sum(plan.quarter_budget[(y, q)] * plan.p_canteen for q in active)


def write_canteen(out, seed, plans: list[UnitPlan], tl: Timeline, manifest, realized: dict) -> dict:
    rng = random.Random(f"{seed}/canteen")
    years = list(range(tl.first_year, tl.last_year + 1))
    n_rows = 0
    below = 0
    for k, y in enumerate(years):
        groups: dict[str, list[list]] = {"all": [], "区直": [], "市直国企": []}
        for plan in plans:
            u = plan.unit
            if not _year_active(plan, y) or rng.random() < 0.04:  # 4%: no plan filed
                continue
            group = "区直" if u.unit_type == "区直单位" else "市直国企"
            percent = k % 2 == 1 and group == "区直"
            if not plan.canteen:
                row = [u.name, u.code, y, "无食堂", "", "", ""]
            else:
                expected = _canteen_year(plan, y, tl, realized)
                factor = rng.uniform(1.05, 1.5) if rng.random() < 0.85 else rng.uniform(0.7, 1.0)
                ratio = rng.choice(("0.3", "0.3", "0.3", "0.35", "0.4", "0.5", "0.6"))
                if rng.random() < 0.04:
                    ratio = rng.choice(("0.2", "0.25"))  # below Guangdong's 30%: a warning
                    below += 1
                budget = max(100, round(expected / factor / float(ratio) / 100) * 100)
                reserved = (Decimal(budget) * Decimal(ratio)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
                ratio_text = f"{int(Decimal(ratio) * 100)}%" if percent else ratio
                row = [u.name, u.code, y, "有", budget * 100, ratio_text, int(reserved * 100)]
            groups["all" if k % 2 == 0 else group].append(row)
        for gname, rows in groups.items():
            if not rows:
                continue
            if gname == "all":
                st, xlsx = ugly.Style(brackets="full"), True
                name = f"{y}年度食堂食材采购预留份额汇总表.xlsx"
            elif gname == "区直":
                st, xlsx = ugly.Style(encoding="gbk", numbers="thousands", newline="\r\n"), False
                name = f"{y}年度食堂食材采购预留份额_区直单位.csv"
            else:
                st, xlsx = ugly.Style(numbers="fullwidth", blanks=True, brackets="mixed"), True
                name = f"{y}年度食堂食材采购预留份额_市直及国企.xlsx"
            out_rows = [
                [
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    _cell(r[4] or None, st, xlsx),
                    float(r[5]) if xlsx and r[5] and "%" not in r[5] else r[5],
                    _cell(r[6] if r[4] else None, st, xlsx),
                ]
                for r in rows
            ]

            def bad(row):
                row[1] = wrong_check(row[1])
                return row, "bad_unit_code", "统一社会信用代码"

            marks = _plant_rows(out_rows, bad, rng)
            write_table(
                out,
                Table("canteen", name, CANTEEN_HEADER, out_rows, st, xlsx, marks),
                rng,
                manifest,
            )
            n_rows += len(out_rows)
    return {"rows_below_min_ratio": below}


# -- union welfare (§3.4) -------------------------------------------------------------------
UNION_HEADER = [
    "单位名称",
    "统一社会信用代码",
    "年度",
    "报送期",
    "职工集体福利支出(元)",
    "其中专馆专区购买帮扶产品(元)",
]


def write_union(out, seed, plans: list[UnitPlan], tl: Timeline, manifest) -> dict:
    rng = random.Random(f"{seed}/union")
    members = [p for p in plans if rng.random() < 0.8]
    annual = {p.unit.idx: math.exp(rng.gauss(math.log(300_000), 0.7)) for p in members}
    share = {
        p.unit.idx: rng.uniform(0.5, 0.85) if rng.random() < 0.8 else rng.uniform(0.2, 0.49)
        for p in members
    }
    periods: list[tuple[int, int]] = []
    reported = set(tl.report_quarters)
    for y in range(tl.first_year, tl.last_year + 1):
        qs = [q for q in range(1, 5) if (y, q) in reported]
        if len(qs) == 4:
            qs = [2, 4]
        periods += [(y, q) for q in qs]
    styles = [
        ugly.Style(encoding="utf-8-sig"),
        ugly.Style(numbers="thousands"),
        ugly.Style(encoding="gbk", numbers="thousands", brackets="full"),
        ugly.Style(),
        ugly.Style(numbers="fullwidth", blanks=True),
    ]
    noncompliant = 0
    for i, (y, q) in enumerate(periods):
        st = styles[i % len(styles)]
        xlsx = i % 2 == 1
        rows = []
        for p in members:
            u = p.unit
            if not u.active_on(date(y, 3 * q, 28)):
                continue
            growth = p.growth ** (y - tl.first_year)
            total = annual[u.idx] * growth * q / 4 * rng.uniform(0.95, 1.05)
            special = total * share[u.idx] * rng.uniform(0.97, 1.03)
            special = min(special, total)
            noncompliant += special / total < 0.5
            rows.append(
                [
                    u.name,
                    u.code,
                    y,
                    ugly.quarter_label(y, q, rng),
                    _cell(int(total * 100), st, xlsx),
                    _cell(int(special * 100), st, xlsx),
                ]
            )

        def bad(row):
            row[4] = rng.choice(("—", "不详", "见附表"))
            return row, "bad_number", "职工集体福利支出(元)"

        marks = _plant_rows(rows, bad, rng)
        ext = "xlsx" if xlsx else "csv"
        name = f"工会集体福利采购帮扶产品统计_{y}年第{q}季度.{ext}"
        write_table(
            out, Table("union_welfare", name, UNION_HEADER, rows, st, xlsx, marks), rng, manifest
        )
    return {"periods": [f"{y}Q{q}" for y, q in periods], "rows_noncompliant": int(noncompliant)}


# -- catalogue (§3.5) -----------------------------------------------------------------------
CATALOGUE_HEADER = [
    "产品编号",
    "产品名称",
    "品类",
    "产地区划代码",
    "供应商名称",
    "参考价格(元)",
    "计量单位",
    "年供货能力",
    "上市周期",
    "带贫人数",
    "状态",
    "退出原因",
    "更新日期",
]
# catalogue-only products (never sold on the platform: exit candidates)
_EXTRA = [
    ("520525", "纳雍玛瑙红樱桃", "水果", "公斤", 3500),
    ("522729", "长顺绿壳鸡蛋", "禽蛋", "盒", 5800),
    ("522730", "龙里刺梨干", "休闲食品", "袋", 2800),
    ("522732", "三都水晶葡萄", "水果", "公斤", 1600),
    ("522702", "福泉梨", "水果", "公斤", 900),
]
_EXIT_REASONS = ("质量抽检不合格", "供货能力不足", "价格明显偏高", "连续四个季度无销售")
_SEASONS = ("全年", "全年", "6-8月", "9-11月", "11月-次年2月", "3-5月")


def write_catalogue(out, seed, products: list[Product], regions, tl: Timeline, manifest) -> dict:
    rng = random.Random(f"{seed}/catalogue")
    known = {r["region_code"]: r for r in regions}
    items = [
        [p.code, p.name, p.category, p.region_code, p.supplier, p.price_cents, p.measure]
        for p in products
    ]
    for j, (code, name, cat, measure, price) in enumerate(_EXTRA):
        if code in known:
            county = known[code]["county"][:2]
            items.append(
                [f"P{code}9{j:02d}", name, cat, code, f"{county}农业发展有限公司", price, measure]
            )
    info = {
        it[0]: [
            f"{rng.randint(1, 50) * 10}{rng.choice(('吨', '万箱', '万只', '万盒'))}",
            rng.choice(_SEASONS),
            rng.randint(20, 3000),
        ]
        for it in items
    }
    y1, y2 = tl.first_year, tl.last_year

    def row(it, price, status, reason, when, st, xlsx):
        cap, season, households = info[it[0]]
        return [
            it[0],
            it[1],
            it[2],
            it[3],
            it[4],
            _cell(price, st, xlsx),
            it[6],
            cap,
            season,
            households if xlsx else ugly.integer(households, st),
            status,
            reason,
            ugly.day(when, st),
        ]

    files = []
    st = ugly.Style(dates="cn")
    first = [row(it, it[5], "在库", "", date(y1, 3, 15), st, True) for it in items]
    files.append((f"{y1}年消费帮扶优质产品名库（第一批）.xlsx", first, st, True))

    st = ugly.Style(encoding="utf-8-sig", dates="slash")
    upd, exited = [], set()
    for it in rng.sample(items, max(2, len(items) // 6)):
        upd.append(
            row(
                it,
                int(it[5] * rng.uniform(0.95, 1.1)),
                "在库",
                "",
                date(y1, 9, rng.randint(1, 28)),
                st,
                False,
            )
        )
    for it in rng.sample(items[: len(products)], 2):
        exited.add(it[0])
        upd.append(
            row(it, it[5], "退出", _EXIT_REASONS[0], date(y1, 10, rng.randint(1, 28)), st, False)
        )
    files.append((f"{y1}年名库动态调整.csv", upd, st, False))

    if y2 > y1:
        st = ugly.Style(brackets="full", blanks=True)
        upd2 = []
        for it in items[len(products) :][:2]:
            upd2.append(row(it, it[5], "退出", "连续四个季度无销售", date(y2, 4, 20), st, True))
        for it in rng.sample([i for i in items if i[0] not in exited], max(2, len(items) // 8)):
            upd2.append(
                row(
                    it,
                    int(it[5] * rng.uniform(0.97, 1.08)),
                    "在库",
                    "",
                    date(y2, rng.randint(2, 8), rng.randint(1, 28)),
                    st,
                    True,
                )
            )
        tea = next((it for it in items if it[2] == "茶叶"), items[0])
        premium = [
            f"{tea[0][:7]}950",
            f"{tea[1]}（特级礼盒）",
            tea[2],
            tea[3],
            tea[4],
            268_000,
            "盒",
        ]
        info[premium[0]] = ["2万盒", "3-5月", 120]
        upd2.append(row(premium, premium[5], "在库", "", date(y2, 5, 8), st, True))
        files.append((f"{y2}年名库动态调整（第二批）.xlsx", upd2, st, True))

    for name, rows, st, xlsx in files:

        def bad(r):
            r[0] = r[0][:-3] + "888"
            r[3] = rng.choice(("440106", "999999"))
            return r, "unknown_region", "产地区划代码"

        marks = _plant_rows(rows, bad, rng)
        write_table(
            out, Table("catalogue", name, CATALOGUE_HEADER, rows, st, xlsx, marks), rng, manifest
        )
    return {"products": len(items) + (y2 > y1)}


# -- 五专 sites (§3.6) ------------------------------------------------------------------------
SITES_HEADER = [
    "站点编号",
    "类型",
    "站点名称",
    "所在区",
    "运营主体",
    "开设日期",
    "状态",
    "报送期",
    "本期销售额(元)",
]
_SUPERMARKETS = ("天虹", "永辉超市", "华润万家", "钱大妈", "百佳超市", "广百百货")
_SERVICE_AREAS = ("太和服务区", "广州北服务区", "沙湾服务区", "从化服务区", "火村服务区")
_OPERATORS = (
    "广州市供销合作总社",
    "广州轻工工贸集团有限公司",
    "广州地铁集团有限公司",
    "广州交通投资集团有限公司",
    "广州百货企业集团有限公司",
)


def write_sites(out, seed, plans: list[UnitPlan], tl: Timeline, manifest) -> dict:
    rng = random.Random(f"{seed}/sites")
    districts = list(DISTRICTS)
    kinds = ["专柜"] * 14 + ["专馆"] * 6 + ["专区"] * 10 + ["专列"] * 2 + ["专站"] * 4
    sites = []
    for n, kind in enumerate(kinds, start=1):
        district = rng.choice(districts)
        if kind == "专柜":
            host = rng.choice(plans).unit
            name, operator = f"{host.name}消费帮扶专柜", host.name
            district = host.district or district
        elif kind == "专馆":
            name = f"广州市东西部协作消费帮扶馆（{district}）"
            operator = rng.choice(_OPERATORS[:2])
        elif kind == "专区":
            shop = rng.choice(_SUPERMARKETS)
            name, operator = f"{shop}{district}店帮扶产品专区", f"{shop}（广州）有限公司"
        elif kind == "专列":
            name, operator = f"广州地铁{rng.randint(1, 22)}号线消费帮扶专列", _OPERATORS[2]
        else:
            name, operator = f"{rng.choice(_SERVICE_AREAS)}消费帮扶专站", _OPERATORS[3]
        opened = date(rng.randint(2020, tl.first_year), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.08 and tl.last_year > tl.first_year:
            opened = date(tl.last_year, rng.randint(1, 5), rng.randint(1, 28))
        prefix = {"专柜": "ZG", "专馆": "ZKG", "专区": "ZQ", "专列": "ZL", "专站": "ZZ"}[kind]
        sites.append(
            {
                "code": f"{prefix}{n:03d}",
                "kind": kind,
                "name": name,
                "district": district,
                "operator": operator,
                "opened": opened,
                "base": math.exp(rng.gauss(math.log(120_000), 0.6)),
                "trend": 0.75 if rng.random() < 0.08 else rng.uniform(0.98, 1.06),
                "closes": rng.random() < 0.05,
            }
        )
    quarters = tl.report_quarters
    styles = [
        ugly.Style(),
        ugly.Style(encoding="gb18030", dates="cn", numbers="thousands"),
        ugly.Style(dates="slash"),
        ugly.Style(encoding="utf-8-sig", numbers="fullwidth"),
        ugly.Style(brackets="full", blanks=True),
    ]
    declining = sum(s["trend"] < 0.9 for s in sites)
    for i, (y, q) in enumerate(quarters):
        st = styles[i % len(styles)]
        xlsx = i % 3 == 2
        rows = []
        for s in sites:
            q_end = date(y, 3 * q, 28)
            if s["opened"] > q_end:
                continue
            status = "运营中"
            if s["closes"] and i >= len(quarters) - 2:
                if i == len(quarters) - 1:
                    continue
                status = "已关闭"
            elif rng.random() < 0.03:
                status = "整改中"
            sales = s["base"] * s["trend"] ** i * rng.uniform(0.9, 1.1)
            rows.append(
                [
                    s["code"],
                    s["kind"],
                    s["name"],
                    s["district"],
                    s["operator"],
                    ugly.day(s["opened"], st),
                    status,
                    ugly.quarter_label(y, q, rng),
                    _cell(int(sales * 100), st, xlsx),
                ]
            )

        def bad(r):
            r[0] = r[0] + "X"
            r[1] = rng.choice(("专店", "帮扶点"))
            return r, "unknown_category", "类型"

        marks = _plant_rows(rows, bad, rng)
        name = f"五专站点销售情况_{y}Q{q}.{'xlsx' if xlsx else 'csv'}"
        write_table(out, Table("sites", name, SITES_HEADER, rows, st, xlsx, marks), rng, manifest)
    return {"sites": len(sites), "declining_sites": int(declining)}
