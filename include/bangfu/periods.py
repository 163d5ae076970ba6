"""Quarters: parsing `2026Q3` / `2026年第3季度`, bounds and the reporting deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_PATTERNS = (
    re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$"),
    re.compile(r"^\s*(\d{4})\s*年?\s*第?\s*([1-4一二三四])\s*季度?\s*$"),
    re.compile(r"^\s*(\d{4})\s*[-/]\s*[Qq]?([1-4])\s*$"),
)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, got {self.quarter}")

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label_cn(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        nxt = self.next()
        return date.fromordinal(nxt.first_day.toordinal() - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + (self.quarter == 4), self.quarter % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    def deadline(self, day: int = 10) -> date:
        """SPEC 4.7: the `day`-th of the month after the quarter ends."""
        return self.next().first_day.replace(day=day)

    @classmethod
    def of(cls, d: date) -> Quarter:
        return cls(d.year, (d.month - 1) // 3 + 1)


def parse_quarter(text: str) -> Quarter:
    """`2026Q3`, `2026q3`, `2026年第3季度`, `2026年第三季度`, `2026-Q3`. Raises ValueError."""
    s = str(text).strip().translate(str.maketrans("０１２３４５６７８９ＱｑＹ", "0123456789QqY"))
    for pat in _PATTERNS:
        m = pat.match(s)
        if m:
            q = m.group(2)
            return Quarter(int(m.group(1)), _CN_DIGITS.get(q) or int(q))
    raise ValueError(f"'{text}' is not a quarter (expected like 2026Q3 or 2026年第3季度)")
