"""platform_orders/*.csv: overlapping monthly exports of the 832 platform (SPEC §3.1).

Each monthly export covers the orders placed in the last 2-3 months, in the state
they had when the export was taken; an order therefore appears in several files,
with a later 更新时间 and a changed 订单状态/退款金额 as it ships, completes or is
refunded. Orders are generated month by month (only the window of the last three
months is in memory) and written line by line, so 10 million rows stream.

Planted bad rows are separate orders (their own 订单编号, in one file only), so
quarantining them changes no other number.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from bangfu.synth import ugly
from bangfu.synth.demand import Timeline, UnitPlan
from bangfu.synth.products import Product
from bangfu.synth.registry import wrong_check
from bangfu.synth.writer import CsvSink, csv_field

SOURCE = "platform_orders"
HEADER = [
    "订单编号",
    "下单时间",
    "更新时间",
    "采购单位名称",
    "采购单位统一社会信用代码",
    "供应商名称",
    "商品编码",
    "商品名称",
    "商品类别",
    "产地区划代码",
    "数量",
    "单价(元)",
    "订单金额(元)",
    "退款金额(元)",
    "订单状态",
    "采购类型",
]
COUNTED = ("已完成", "部分退款")
DEFAULT_DISTINCT = 20_000
BAD_SHARE = 0.005
MAX_ORDER_CENTS = 15_000_000  # one order of at most 150,000 元
_HOURS = [8, 9, 9, 10, 10, 10, 11, 11, 14, 14, 15, 15, 16, 16, 17, 19, 21]
_BAD_REGIONS = ("440106", "440305", "110101", "999999")
_BAD_DATES = ("{y}-02-30 10:15:00", "{y}/13/05 09:20", "{y}年14月3日", "待确认")
_BAD_NUMBERS = ("约{a}元", "—", "1.234.56", "N/A")
_BAD_TYPES = ("办公用品", "个人消费", "福利发放")
REASONS = ("bad_unit_code", "unknown_region", "bad_date", "bad_number", "unknown_category")


@dataclass
class Export:
    idx: int
    year: int
    month: int
    taken_at: datetime
    months: list[int]  # month indexes covered
    style: ugly.Style
    name: str


@dataclass(slots=True)
class Order:
    oid: str
    placed: datetime
    plan: UnitPlan
    product: Product
    qty: int
    price: int  # cents
    amount: int  # cents
    ptype: str
    events: list  # (time, status, refund cents)
    mid: str  # the plain-style middle of the line (buyer .. amount)


@dataclass
class OrderTotals:
    """What the exports say once the latest row of every order wins (cents)."""

    net: dict = field(default_factory=lambda: defaultdict(int))  # (unit idx, y, q)
    by_region: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    canteen: dict = field(default_factory=lambda: defaultdict(int))  # (unit idx, y, q)
    product_sales: dict = field(default_factory=lambda: defaultdict(int))  # (code, y, q)
    distinct: int = 0
    by_status: dict = field(default_factory=lambda: defaultdict(int))


def _month_bounds(y: int, m: int) -> tuple[date, date]:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date(y, m, 1), nxt - timedelta(days=1)


def plan_exports(tl: Timeline, rng: random.Random) -> list[Export]:
    months = tl.months
    styles = (
        ugly.styles_covering(len(months), rng, extra_plain=0.9)
        if len(months) >= 6
        else [ugly.PLAIN] * len(months)
    )
    out = []
    for e, (y, m) in enumerate(months):
        if e == len(months) - 1:
            taken = datetime.combine(tl.export_day, datetime.min.time()).replace(hour=8)
        else:
            _, last = _month_bounds(y, m)
            taken = datetime.combine(last + timedelta(days=rng.randint(1, 4)), datetime.min.time())
            taken = taken.replace(hour=rng.randint(8, 11), minute=rng.randrange(60))
        w = 3 if m % 3 == 0 else rng.choice((2, 3))
        covered = list(range(max(0, e - w + 1), e + 1))
        token = rng.getrandbits(24)
        name = rng.choice(
            (
                f"832平台订单明细_{taken:%Y%m%d}_{token:06x}.csv",
                f"orders_export_{taken:%Y%m%d}_{token:06x}.csv",
                f"脱贫地区农副产品网络销售平台_采购订单_{y}{m:02d}_{token:06x}.csv",
            )
        )
        out.append(Export(e, y, m, taken, covered, styles[e], name))
    return out


def _month_weights(plans: list[UnitPlan], tl: Timeline) -> list[float]:
    out = []
    for y, m in tl.months:
        first, last = _month_bounds(y, m)
        frac = 1.0
        if last > tl.end:
            frac = (tl.end - first).days / (last - first).days
        out.append(sum(p.month_budget(y, m) for p in plans) * frac)
    return out


def distinct_for_rows(rows: int, weights: list[float], exports: list[Export]) -> int:
    """How many distinct orders give about `rows` rows across the overlapping exports."""
    cover = [0] * len(weights)
    for ex in exports:
        for mi in ex.months:
            cover[mi] += 1
    total = sum(weights)
    per_order = sum(w * c for w, c in zip(weights, cover, strict=True)) / total
    return max(1, round(rows / (per_order * (1 + BAD_SHARE))))


class _Picker:
    """Weighted choice by bisect on cumulative weights (faster than random.choices per call)."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cum = []
        acc = 0.0
        for w in weights:
            acc += w
            self.cum.append(acc)
        self.total = acc

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


def _lifecycle(rng: random.Random, t0: datetime, amount: int) -> list:
    rnd = rng.random

    def after(t: datetime, lo_h: int, hi_h: int) -> datetime:
        return t + timedelta(seconds=int(lo_h * 3600 + rnd() * (hi_h - lo_h) * 3600))

    ev = [(t0, "待发货", 0)]
    if rng.random() < 0.03:
        ev.append((after(t0, 1, 36), "已取消", 0))
        return ev
    t1 = after(t0, 20, 96)
    ev.append((t1, "待收货", 0))
    t2 = after(t1, 24, 150)
    ev.append((t2, "待评价", 0))
    r = rng.random()
    if r < 0.02:
        ev.append((after(t2, 24, 240), "已退款", amount))
    elif r < 0.03:
        pass  # never reviewed: stays 待评价
    else:
        t3 = after(t2, 2, 240)
        ev.append((t3, "已完成", 0))
        if rng.random() < 0.05:
            refund = max(1, int(amount * rng.uniform(0.05, 0.4)))
            t4 = after(t3, 24, 480)
            ev.append((t4, "部分退款", refund))
    return ev


def _state(events: list, at: datetime):
    for ev in reversed(events):
        if ev[0] <= at:
            return ev
    return None


class OrderWriter:
    """Generates the orders month by month and writes every export."""

    def __init__(
        self,
        out: Path,
        seed: int,
        plans: list[UnitPlan],
        products: list[Product],
        tl: Timeline,
        rows: int | None,
        manifest,
    ):
        self.dir = out / SOURCE
        self.seed = seed
        self.plans = plans
        self.tl = tl
        self.manifest = manifest
        rng = random.Random(f"{seed}/exports")
        self.exports = plan_exports(tl, rng)
        self.weights = _month_weights(plans, tl)
        distinct = (
            DEFAULT_DISTINCT
            if rows is None
            else distinct_for_rows(rows, self.weights, self.exports)
        )
        total_w = sum(self.weights)
        self.per_month = [round(distinct * w / total_w) for w in self.weights]
        self.last_export = {}
        for ex in self.exports:
            for mi in ex.months:
                self.last_export[mi] = ex.idx
        self.totals = OrderTotals()
        self.seq = 0
        self.bad_seq = 0
        self.first_year = tl.first_year

        def weight(p: Product, use: str) -> float:
            if use not in ("c", "g", "") or (use and p.use not in (use, "b")):
                return 0.0
            return 1.0 if p.paired else 0.12

        self.pick_product = {
            "食堂食材": _Picker(products, [weight(p, "c") for p in products]),
            "工会慰问": _Picker(products, [weight(p, "g") for p in products]),
            "其他": _Picker(products, [weight(p, "") for p in products]),
        }
        self.prices = {
            y: {p.code: int(p.price_cents * (1 + 0.03 * (y - tl.first_year))) for p in products}
            for y in range(tl.first_year, tl.last_year + 1)
        }

    # -- generation -------------------------------------------------------------------
    def month_orders(self, mi: int) -> list[Order]:
        y, m = self.tl.months[mi]
        rng = random.Random(f"{self.seed}/orders/{y}-{m:02d}")
        n = self.per_month[mi]
        first, last = _month_bounds(y, m)
        last = min(last, self.tl.end)
        plans = [p for p in self.plans if p.month_budget(y, m) > 0]
        if not plans or n <= 0:
            return []
        # order frequency and order size both grow with the square root of the budget, so
        # the expected spend is the budget and small units get small, regular orders
        roots = [math.sqrt(p.month_budget(y, m)) for p in plans]
        unit_pick = _Picker(list(zip(plans, roots, strict=True)), roots)
        per_root = sum(roots) / n * 100  # cents of one order per unit of sqrt(budget)
        days = (last - first).days + 1
        base = datetime.combine(first, datetime.min.time())
        rnd, nh = rng.random, len(_HOURS)
        stamps = sorted(
            base
            + timedelta(
                seconds=int(rnd() * days) * 86400
                + _HOURS[int(rnd() * nh)] * 3600
                + int(rnd() * 3600)
            )
            for _ in range(n)
        )
        prices = self.prices[y]
        orders = []
        for t0 in stamps:
            plan, root = unit_pick.pick(rng)
            r = rng.random()
            ptype = (
                "食堂食材"
                if r < plan.p_canteen
                else ("工会慰问" if r < plan.p_canteen + plan.p_union else "其他")
            )
            prod = self.pick_product[ptype].pick(rng)
            price = prices[prod.code]
            target = per_root * root * min(math.exp(rng.gauss(0, 0.5) - 0.125), 2.5)
            target = min(target, MAX_ORDER_CENTS)
            qty = max(1, round(target / price))
            amount = qty * price
            self.seq += 1
            oid = f"{t0:%Y%m%d}{self.seq:09d}"
            u = plan.unit
            mid = (
                f"{u.name},{u.code},{prod.supplier},{prod.code},{prod.name},{prod.category},"
                f"{prod.region_code},{qty},{price // 100}.{price % 100:02d},"
                f"{amount // 100}.{amount % 100:02d}"
            )
            events = _lifecycle(rng, t0, amount)
            orders.append(Order(oid, t0, plan, prod, qty, price, amount, ptype, events, mid))
            self._count(orders[-1], mi)
        return orders

    def _count(self, o: Order, mi: int) -> None:
        """Add the order's visible final state (its row in the last export showing it)."""
        at = self.exports[self.last_export[mi]].taken_at
        ev = _state(o.events, at)
        if ev is None:
            return
        t = self.totals
        t.distinct += 1
        t.by_status[ev[1]] += 1
        if ev[1] not in COUNTED:
            return
        net = o.amount - ev[2]
        y, q = o.placed.year, (o.placed.month - 1) // 3 + 1
        key = (o.plan.unit.idx, y, q)
        t.net[key] += net
        t.by_region[key][o.product.region_code] += net
        t.product_sales[(o.product.code, y, q)] += net
        if o.ptype == "食堂食材":
            t.canteen[key] += net

    # -- writing ----------------------------------------------------------------------
    def _line(self, o: Order, ev, st: ugly.Style) -> str:
        t, status, refund = ev
        if st.numbers == "plain" and st.dates == "iso" and st.seconds:
            p, u = o.placed, t
            return (
                f"{o.oid},{p.year}-{p.month:02d}-{p.day:02d} {p.hour:02d}:{p.minute:02d}:"
                f"{p.second:02d},{u.year}-{u.month:02d}-{u.day:02d} {u.hour:02d}:"
                f"{u.minute:02d}:{u.second:02d},{o.mid},"
                f"{refund // 100}.{refund % 100:02d},{status},{o.ptype}"
            )
        return self._ugly_line(
            o,
            o.placed,
            t,
            o.plan.unit.code,
            o.product.region_code,
            ugly.money(o.amount, st),
            refund,
            status,
            o.ptype,
            st,
        )

    def _ugly_line(
        self, o, placed, updated, code, region, amount_text, refund, status, ptype, st
    ) -> str:
        u, p = o.plan.unit, o.product
        placed_text = placed if isinstance(placed, str) else ugly.moment(placed, st)
        refund_text = ugly.money(refund, st) if refund or st.numbers == "plain" else ""
        fields = [
            o.oid,
            placed_text,
            ugly.moment(updated, st),
            u.name,
            code,
            p.supplier,
            p.code,
            p.name,
            p.category,
            region,
            ugly.integer(o.qty, st),
            ugly.money(o.price, st),
            amount_text,
            refund_text,
            status,
            ptype,
        ]
        if st.numbers == "thousands":  # the only fields that can hold a comma
            for i in (10, 11, 12, 13):
                if "," in fields[i]:
                    fields[i] = f'"{fields[i]}"'
        return ",".join(fields)

    def _bad_line(self, o: Order, rng: random.Random, st: ugly.Style) -> tuple[str, str, str]:
        """A separate, faulty order modelled on `o`: (line, reason, column)."""
        reason = rng.choice(REASONS)
        self.bad_seq += 1
        bad = Order(
            f"{o.placed:%Y%m%d}{900_000_000 + self.bad_seq:09d}",
            o.placed,
            o.plan,
            o.product,
            o.qty,
            o.price,
            o.amount,
            o.ptype,
            [],
            "",
        )
        updated = o.placed + timedelta(days=6, hours=3)
        placed: datetime | str = o.placed
        code, region, amount_text, ptype = (
            o.plan.unit.code,
            o.product.region_code,
            ugly.money(o.amount, st),
            o.ptype,
        )
        column = ""
        if reason == "bad_unit_code":
            code, column = wrong_check(code), "采购单位统一社会信用代码"
        elif reason == "unknown_region":
            region, column = rng.choice(_BAD_REGIONS), "产地区划代码"
        elif reason == "bad_date":
            placed, column = rng.choice(_BAD_DATES).format(y=o.placed.year), "下单时间"
        elif reason == "bad_number":
            amount_text = rng.choice(_BAD_NUMBERS).format(a=o.amount // 100)
            column = "订单金额(元)"
        else:
            ptype, column = rng.choice(_BAD_TYPES), "采购类型"
        line = self._ugly_line(
            bad, placed, updated, code, region, amount_text, 0, "已完成", ptype, st
        )
        return line, reason, column

    def write(self) -> dict:
        self.dir.mkdir(parents=True, exist_ok=True)
        window: dict[int, list[Order]] = {}
        files = rows = bad = 0
        for ex in self.exports:
            for mi in ex.months:
                if mi not in window:
                    window[mi] = self.month_orders(mi)
            for mi in list(window):
                if mi < ex.months[0]:
                    del window[mi]
            rng = random.Random(f"{self.seed}/orders/bad/{ex.idx}")
            st = ex.style
            rel = f"{SOURCE}/{ex.name}"
            n_rows = n_bad = 0
            with CsvSink(self.dir / ex.name, st.encoding, st.newline) as sink:
                sink.line(",".join(csv_field(h) for h in ugly.header(HEADER, st, rng)))
                taken = ex.taken_at
                for mi in ex.months:
                    for o in window[mi]:
                        if o.placed >= taken:
                            break
                        ev = _state(o.events, taken)
                        sink.line(self._line(o, ev, st))
                        n_rows += 1
                        if rng.random() < BAD_SHARE:
                            line, reason, column = self._bad_line(o, rng, st)
                            row = sink.line(line)
                            n_bad += 1
                            self.manifest.bad_row(SOURCE, rel, row, reason, column)
            self.manifest.file(SOURCE, rel, n_rows + n_bad, n_bad, st.describe())
            files += 1
            rows += n_rows + n_bad
            bad += n_bad
        return {
            "files": files,
            "rows": rows,
            "bad_rows": bad,
            "distinct_orders": self.totals.distinct,
        }
