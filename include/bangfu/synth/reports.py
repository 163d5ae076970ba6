"""unit_reports/*.xlsx: one quarterly report per workbook (SPEC §3.2).

国企 report through the 广州国企消费帮扶数据统计中心 template (label, value in the
cell to its right, merged; amounts in 万元). Districts and city departments use the
cooperation office's template: `填报单位：…` in one merged cell (current version) or
label/value pairs down column A (older version); amounts mostly in 元.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bangfu.synth import ugly
from bangfu.synth.demand import Timeline, UnitPlan
from bangfu.synth.orders import OrderTotals
from bangfu.synth.writer import Sheet, write_xlsx

SOURCE = "unit_reports"
CHANNELS = ("专柜", "专馆", "专区", "专列", "专站", "展销会", "直播电商", "其他线上", "其他线下")
_CHANNEL_WEIGHTS = (20, 15, 15, 3, 5, 15, 10, 7, 10)
_REMARKS = ("", "", "", "食堂采购", "工会慰问品", "节日慰问", "对口帮扶展销", "职工福利")
_BAD_CHANNELS = ("线下团购", "食堂直采")
_BAD_AMOUNTS = ("见附件", "—", "待核")
HEADER_START = ("序号", "采购渠道", "帮扶地区区划代码", "帮扶地区")
HEADER_END = ("凭证编号", "凭证张数", "备注")
CORRUPT_BYTES = (
    "<html><head><meta charset='utf-8'><title>下载失败</title></head>"
    "<body>文件下载失败，请重新登录后再试。</body></html>\n"
).encode()


@dataclass
class Line:
    channel: str
    region_code: str
    region_name: str
    cents: int
    voucher: str
    voucher_count: int
    remark: str
    bad: str = ""  # planted reason
    bad_text: str = ""  # the faulty amount text, for bad_number


@dataclass
class Report:
    plan: UnitPlan
    year: int
    quarter: int
    submitted: date
    lines: list[Line]
    template: str  # soe | office | office_old
    wan: bool  # amounts in 万元
    wan_decimals: int
    text_numbers: ugly.Style | None
    total_row: bool
    excel_date: bool


def _quarter_last(y: int, q: int) -> date:
    return date(y, 3 * q, 31 if q in (1, 4) else 30)


class ReportWriter:
    def __init__(
        self, out, seed, plans, products, regions, tl: Timeline, totals: OrderTotals, manifest
    ):
        self.dir: Path = out / SOURCE
        self.rng = random.Random(f"{seed}/reports")
        self.plans = plans
        self.tl = tl
        self.totals = totals
        self.manifest = manifest
        self.region_names = {r["region_code"]: r["prefecture"] + r["county"] for r in regions}
        self.paired_regions = sorted({p.region_code for p in products if p.paired})
        self.voucher_seq: dict[int, int] = defaultdict(int)
        self.voucher_style = {p.unit.idx: self.rng.randrange(3) for p in plans}
        self.names: set[str] = set()
        self.truth: dict[str, dict] = {}

    # -- content --------------------------------------------------------------------------
    def _voucher(self, plan: UnitPlan, y: int, q: int) -> str:
        idx = plan.unit.idx
        self.voucher_seq[idx] += 1
        k = self.voucher_seq[idx]
        style = self.voucher_style[idx]
        if style == 0:  # 全电发票号码, 20 digits
            return f"{y % 100:02d}44{1000 + idx:04d}{k:04d}{self.rng.randrange(10**8):08d}"
        if style == 1:
            return f"PZ{y}{q}-{idx:03d}-{k:04d}"
        return f"记{y}{3 * q:02d}-{idx:03d}{k:03d}"

    def _lines(self, plan: UnitPlan, y: int, q: int) -> list[Line]:
        rng = self.rng
        key = (plan.unit.idx, y, q)
        lines: list[Line] = []
        net = self.totals.net.get(key, 0)
        r = rng.random()
        if net > 0 and r > 0.03:  # 3%: the unit forgets its 832 row
            if r < 0.07:
                reported = int(net * rng.uniform(1.2, 1.6))  # over-reported: flagged
            elif r < 0.10:
                reported = net
            else:
                reported = int(net * rng.uniform(0.97, 1.03))
            regions = sorted(self.totals.by_region[key].items(), key=lambda kv: (-kv[1], kv[0]))
            top = [c for c, _ in regions[:2]]
            shares = [1.0] if len(top) == 1 else [0.65, 0.35]
            left = reported
            for i, code in enumerate(top):
                cents = left if i == len(top) - 1 else int(reported * shares[i])
                left -= cents
                lines.append(
                    Line(
                        "832平台",
                        code,
                        self.region_names.get(code, ""),
                        cents,
                        self._voucher(plan, y, q),
                        rng.randint(1, 30),
                        "832平台采购",
                    )
                )
        other = plan.quarter_budget[(y, q)] * plan.other_ratio * rng.uniform(0.8, 1.2) * 100
        n = rng.choice((1, 2, 2, 3, 3, 4))
        weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
        channels = rng.choices(CHANNELS, _CHANNEL_WEIGHTS, k=n)
        for ch, w in zip(channels, weights, strict=True):
            code = rng.choice(self.paired_regions)
            cents = int(other * w / sum(weights))
            voucher = self._voucher(plan, y, q) if rng.random() > 0.01 else ""
            lines.append(
                Line(
                    ch,
                    code,
                    self.region_names.get(code, ""),
                    cents,
                    voucher,
                    rng.randint(1, 12) if voucher else 0,
                    rng.choice(_REMARKS),
                )
            )
        return lines

    def _plant_bad(self, plan: UnitPlan, y: int, q: int, lines: list[Line]) -> None:
        rng = self.rng
        reason = rng.choice(("unknown_category", "unknown_region", "bad_number"))
        code = rng.choice(self.paired_regions)
        line = Line(
            rng.choice(CHANNELS),
            code,
            self.region_names.get(code, ""),
            int(rng.uniform(5_000, 50_000)) * 100,
            self._voucher(plan, y, q),
            rng.randint(1, 5),
            "",
            bad=reason,
        )
        if reason == "unknown_category":
            line.channel = rng.choice(_BAD_CHANNELS)
        elif reason == "unknown_region":
            line.region_code, line.region_name = "440106", "广州市天河区"
        else:
            line.bad_text = rng.choice(_BAD_AMOUNTS)
        lines.insert(rng.randrange(len(lines) + 1), line)

    def _submitted(self, y: int, q: int, late: bool, last_quarter: bool) -> date:
        deadline = _quarter_last(y, q) + timedelta(days=10)
        if late:
            d = deadline + timedelta(days=self.rng.randint(1, 5 if last_quarter else 35))
        else:
            d = deadline - timedelta(days=self.rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9)))
        return min(d, self.tl.export_day - timedelta(days=1))

    # -- layout ---------------------------------------------------------------------------
    def _amount_cell(self, rep: Report, cents: int):
        if rep.wan:
            unit = 100 if rep.wan_decimals == 4 else 10_000  # cents per displayed step
            steps = round(cents / unit)
            value = steps / (10**rep.wan_decimals)
            text = f"{value:.{rep.wan_decimals}f}"
        else:
            steps = cents
            value = cents / 100
            text = f"{cents // 100}.{cents % 100:02d}"
        if rep.text_numbers is not None:
            st = rep.text_numbers
            if st.numbers == "thousands":
                whole, _, frac = text.partition(".")
                text = f"{int(whole):,}.{frac}"
            elif st.numbers == "fullwidth":
                text = ugly.fullwidth(text)
            return steps, text
        return steps, value

    def _date_value(self, rep: Report):
        if rep.excel_date:
            return rep.submitted
        return ugly.day(rep.submitted, ugly.Style(dates=self.rng.choice(("iso", "slash", "cn"))))

    def render(self, rep: Report) -> tuple[Sheet, set[int], dict[int, Line]]:
        rng = self.rng
        u = rep.plan.unit
        period = ugly.quarter_label(rep.year, rep.quarter, rng)
        sh = Sheet(name=rng.choice(("Sheet1", "季报", "消费帮扶情况表")))
        bold = {1}
        if rep.template == "soe":
            sh.set(1, 1, f"广州市市属国有企业消费帮扶情况统计表（{rep.year}年第{rep.quarter}季度）")
            sh.merge(1, 1, 1, 8)
            sh.row(2, ["填报单位", u.name])
            sh.merge(2, 2, 2, 4)
            sh.row(2, ["统一社会信用代码", u.code], start_col=5)
            sh.merge(2, 6, 2, 8)
            sh.row(3, ["报送期", period])
            sh.merge(3, 2, 3, 4)
            sh.row(3, ["填报日期", self._date_value(rep)], start_col=5)
            sh.merge(3, 6, 3, 8)
            sh.row(4, ["数据报送渠道", "广州国企消费帮扶数据统计中心"])
            sh.merge(4, 2, 4, 8)
            head = 6
        elif rep.template == "office":
            title = "广州市消费帮扶工作情况季度报表"
            sh.set(1, 1, title if rng.random() < 0.5 else f"{title}（{period}）")
            sh.merge(1, 1, 1, 8)
            date_text = ugly.day(
                rep.submitted, ugly.Style(dates=rng.choice(("iso", "slash", "cn")))
            )
            sh.set(2, 1, f"填报单位：{u.name}")
            sh.merge(2, 1, 2, 4)
            sh.set(2, 5, f"统一社会信用代码：{u.code}")
            sh.merge(2, 5, 2, 8)
            sh.set(3, 1, f"报送期：{period}")
            sh.merge(3, 1, 3, 4)
            sh.set(3, 5, f"填报日期：{date_text}")
            sh.merge(3, 5, 3, 8)
            head = 4
        else:  # the office's older template: label / value down column A and B
            sh.set(1, 1, "消费帮扶情况季度报表")
            sh.merge(1, 1, 1, 8)
            sh.row(2, ["填报单位", u.name])
            sh.row(3, ["统一社会信用代码", u.code])
            sh.row(4, ["报送期", period])
            sh.row(5, ["填报日期", self._date_value(rep)])
            head = 7
        amount_head = "金额（万元）" if rep.wan else "金额（元）"
        names = [*HEADER_START, amount_head, *HEADER_END]
        hstyle = ugly.Style(
            brackets=rng.choice(("full", "full", "half", "mixed")), blanks=rng.random() < 0.25
        )
        sh.row(head, ugly.header(names, hstyle, rng))
        bold.add(head)
        total_steps = 0
        line_rows: dict[int, Line] = {}
        r = head
        for i, line in enumerate(rep.lines, start=1):
            r += 1
            steps, cell = self._amount_cell(rep, line.cents)
            if line.bad == "bad_number":
                cell = line.bad_text
            else:
                total_steps += steps
            sh.row(
                r,
                [
                    i,
                    line.channel,
                    line.region_code,
                    line.region_name,
                    cell,
                    line.voucher,
                    line.voucher_count or None,
                    line.remark,
                ],
            )
            line_rows[r] = line
        if rep.total_row:
            r += 1
            if rep.wan:
                value = total_steps / 10**rep.wan_decimals
                total_cell = round(value, rep.wan_decimals)
            else:
                total_cell = total_steps / 100
            if rep.text_numbers is not None:
                total_cell = f"{total_cell:,.{rep.wan_decimals if rep.wan else 2}f}"
                if rep.text_numbers.numbers == "fullwidth":
                    total_cell = ugly.fullwidth(total_cell.replace(",", ""))
            if rng.random() < 0.5:
                sh.set(r, 1, "合计")
                sh.merge(r, 1, r, 4)
            else:
                sh.set(r, 2, "合计")
            sh.set(r, 5, total_cell)
            bold.add(r)
        sh.widths = {1: 8, 2: 12, 3: 16, 4: 22, 5: 16, 6: 24, 7: 10, 8: 16}
        return sh, bold, line_rows

    # -- files ----------------------------------------------------------------------------
    def _name(self, rep: Report, suffix: str = "") -> str:
        u = rep.plan.unit
        while True:
            token = self.rng.getrandbits(24)
            name = self.rng.choice(
                (
                    f"{rep.year}Q{rep.quarter}_{u.name}_消费帮扶季报{suffix}_{token:06x}.xlsx",
                    f"{u.name}{rep.year}年第{rep.quarter}季度消费帮扶情况表{suffix}_{token:06x}.xlsx",
                    f"report_{u.idx:04d}_{rep.year}{rep.quarter}{suffix}_{token:06x}.xlsx",
                )
            )
            if name not in self.names:
                self.names.add(name)
                return name

    def _write(self, rep: Report, suffix: str = "") -> tuple[str, int]:
        sh, bold, line_rows = self.render(rep)
        name = self._name(rep, suffix)
        rel = f"{SOURCE}/{name}"
        write_xlsx(
            self.dir / name,
            sh,
            title=f"{rep.plan.unit.name} {rep.year}Q{rep.quarter}",
            bold_rows=bold,
        )
        n_bad = 0
        for row, line in line_rows.items():
            if line.bad:
                n_bad += 1
                column = {
                    "unknown_category": "采购渠道",
                    "unknown_region": "帮扶地区区划代码",
                    "bad_number": "金额",
                }[line.bad]
                self.manifest.bad_row(SOURCE, rel, row, line.bad, column)
        self.manifest.file(SOURCE, rel, len(line_rows), n_bad)
        return rel, len(line_rows)

    def write(self) -> dict:
        self.dir.mkdir(parents=True, exist_ok=True)
        rng = self.rng
        quarters = self.tl.report_quarters
        stats = defaultdict(int)
        reporting: dict[str, dict[str, int]] = {}
        written: list[Report] = []
        for y, q in quarters:
            first, last = date(y, 3 * q - 2, 1), _quarter_last(y, q)
            last_quarter = (y, q) == quarters[-1]
            status = {"按时": 0, "逾期": 0, "未报": 0}
            for plan in self.plans:
                u = plan.unit
                if not (u.active_on(first) and u.active_on(last)):
                    continue
                if u.must_report:
                    if rng.random() < 0.05:
                        status["未报"] += 1
                        stats["missing"] += 1
                        continue
                elif rng.random() > 0.3:
                    continue
                late = rng.random() < 0.08
                if u.must_report:
                    status["逾期" if late else "按时"] += 1
                template = (
                    "soe"
                    if u.unit_type == "国企"
                    else ("office_old" if rng.random() < 0.3 else "office")
                )
                wan = template == "soe" or rng.random() < 0.15
                lines = self._lines(plan, y, q)
                bad = rng.random() < 0.025
                if bad:
                    self._plant_bad(plan, y, q, lines)
                text_numbers = None
                if rng.random() < 0.15:
                    text_numbers = ugly.Style(numbers=rng.choice(("thousands", "fullwidth")))
                rep = Report(
                    plan,
                    y,
                    q,
                    self._submitted(y, q, late, last_quarter),
                    lines,
                    template,
                    wan,
                    4 if rng.random() < 0.7 else 2,
                    text_numbers,
                    total_row=not bad and rng.random() < 0.6,
                    excel_date=rng.random() < 0.1,
                )
                self._write(rep)
                written.append(rep)
                stats["reports"] += 1
                stats["late"] += late
                stats["lines"] += len(lines)
                if rng.random() < 0.06 and rep.submitted + timedelta(days=3) < self.tl.export_day:
                    self._resubmit(rep)
                    stats["resubmissions"] += 1
            reporting[f"{y}Q{q}"] = status
        self._bad_files(written)
        self.truth = {"reporting_must_report": reporting}
        return {k: int(v) for k, v in stats.items()}

    def _resubmit(self, rep: Report) -> None:
        """A corrected report, dated later: it replaces the first one entirely."""
        rng = self.rng
        new_lines = []
        for line in rep.lines:
            nl = Line(**line.__dict__)
            if line.channel != "832平台" and not line.bad and rng.random() < 0.4:
                nl.cents = int(line.cents * rng.uniform(0.8, 1.2))
            new_lines.append(nl)
        later = rep.submitted + timedelta(days=rng.randint(3, 20))
        later = min(later, self.tl.export_day - timedelta(days=1))
        new = Report(**{**rep.__dict__, "submitted": later, "lines": new_lines})
        self._write(new, suffix=rng.choice(("（更正）", "_修订版", "(2)")))

    def _bad_files(self, written: list[Report]) -> None:
        """A report whose 合计 is wrong (filed before its valid version) and a corrupt file."""
        rng = self.rng
        candidates = [
            r
            for r in written
            if not any(ln.bad for ln in r.lines)
            and _quarter_last(r.year, r.quarter) + timedelta(days=1) < r.submitted
            and r.submitted <= _quarter_last(r.year, r.quarter) + timedelta(days=10)
        ]
        if not candidates:
            return
        rep = rng.choice(candidates)
        early = Report(
            **{
                **rep.__dict__,
                "submitted": rep.submitted - timedelta(days=1),
                "total_row": True,
                "text_numbers": None,
            }
        )
        sh, bold, line_rows = self.render(early)
        total_row = max(line_rows) + 1
        good = sh.cells[(total_row, 5)]
        off = 2.5 if early.wan else 25_000.0
        sh.cells[(total_row, 5)] = round(float(good) + off, 4)
        name = self._name(early, "_初报")
        rel = f"{SOURCE}/{name}"
        write_xlsx(self.dir / name, sh, bold_rows=bold)
        self.manifest.file(SOURCE, rel, len(line_rows), 0)
        self.manifest.bad_file(
            SOURCE,
            rel,
            "total_mismatch",
            f"合计 exceeds the rows by {off} {'万元' if early.wan else '元'}",
        )

        rep = rng.choice(written)
        name = self._name(rep, "_上传")
        rel = f"{SOURCE}/{name}"
        (self.dir / name).write_bytes(CORRUPT_BYTES)
        self.manifest.file(SOURCE, rel, 0, 0)
        self.manifest.bad_file(SOURCE, rel, "corrupt_file", "not a zip: an HTML error page")
