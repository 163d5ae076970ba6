"""What each unit buys: a quarterly budget that grows (or not) year over year.

Every other generator reads this plan, so the sources agree with each other: platform
orders spend the budget, reports declare it (plus other channels), canteen plans are
sized from the canteen share of it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from bangfu.synth.registry import Unit

TODAY = date(2026, 11, 29)  # "today" of the synthetic landing: 2026Q4 is in progress
_SEASON = {1: 0.85, 2: 0.9, 3: 1.0, 4: 1.25}  # year-end purchasing push, spring gifts


@dataclass(frozen=True)
class Timeline:
    first_year: int
    last_year: int
    end: date  # last day with orders
    export_day: date  # the day of the last platform export

    @property
    def months(self) -> list[tuple[int, int]]:
        out = []
        for y in range(self.first_year, self.last_year + 1):
            for m in range(1, 13):
                if date(y, m, 1) <= self.end:
                    out.append((y, m))
        return out

    @property
    def report_quarters(self) -> list[tuple[int, int]]:
        """Quarters that ended before the last export: the ones units have reported."""
        out = []
        for y in range(self.first_year, self.last_year + 1):
            for q in range(1, 5):
                last = date(y, 3 * q, 31 if q in (1, 4) else 30)
                if last < self.export_day:
                    out.append((y, q))
        return out

    @property
    def quarters(self) -> list[tuple[int, int]]:
        return sorted({(y, (m - 1) // 3 + 1) for y, m in self.months})


def timeline(first_year: int, last_year: int) -> Timeline:
    if date(last_year, 12, 31) < TODAY:
        # a past range: the landing is as of mid-January after it
        return Timeline(first_year, last_year, date(last_year, 12, 31), date(last_year + 1, 1, 20))
    end = max(date(first_year, 1, 31), date(TODAY.year, TODAY.month, TODAY.day - 1))
    return Timeline(first_year, last_year, end, TODAY)


@dataclass
class UnitPlan:
    unit: Unit
    base: float  # platform budget of an average quarter in the first year, 元
    growth: float  # yearly multiplier
    canteen: bool
    p_canteen: float  # share of orders typed 食堂食材
    p_union: float  # share typed 工会慰问
    other_ratio: float  # other channels (专柜, 展销会 ...) against the platform amount
    quarter_budget: dict[tuple[int, int], float] = field(default_factory=dict)

    def month_budget(self, y: int, m: int) -> float:
        q = (m - 1) // 3 + 1
        b = self.quarter_budget.get((y, q), 0.0) / 3
        first, last = date(y, m, 1), date(y, m, 28)
        return b if self.unit.active_between(first, last) else 0.0


def make_plans(rng: random.Random, units: list[Unit], tl: Timeline) -> list[UnitPlan]:
    plans = []
    for u in units:
        size = math.exp(rng.gauss(math.log(120_000), 0.85))
        base = min(max(size, 15_000), 900_000)
        if u.valid_from > date(tl.first_year, 1, 1):
            # a newcomer has no trailing history: keep its quarters well under 1,000,000 元
            base = min(base, 200_000)
        r = rng.random()
        if r < 0.55:
            growth = rng.uniform(1.06, 1.25)  # 达标
        elif r < 0.72:
            growth = rng.uniform(1.005, 1.04)  # 持平
        else:
            growth = rng.uniform(0.78, 0.97)  # 未达标
        canteen = rng.random() < (0.85 if u.unit_type != "国企" else 0.7)
        if canteen:
            p_c = rng.uniform(0.5, 0.75)
            p_u = rng.uniform(0.15, 1 - p_c - 0.05)
        else:
            p_c, p_u = 0.0, rng.uniform(0.55, 0.8)
        plan = UnitPlan(u, base, growth, canteen, p_c, p_u, rng.uniform(0.15, 0.7))
        for y in range(tl.first_year, tl.last_year + 1):
            for q in range(1, 5):
                noise = rng.uniform(0.85, 1.15)
                plan.quarter_budget[(y, q)] = (
                    base * growth ** (y - tl.first_year) * _SEASON[q] * noise
                )
        plans.append(plan)
    return plans
