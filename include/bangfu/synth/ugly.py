"""The ugly variations SPEC §3 allows: encodings, digits, separators, dates, header cells.

A `Style` is chosen per file; every formatter takes plain values (money in cents,
datetimes) and returns the text a file in that style would carry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")


@dataclass(frozen=True)
class Style:
    encoding: str = "utf-8"
    dates: str = "iso"  # iso | slash | cn
    seconds: bool = True  # datetimes with seconds
    numbers: str = "plain"  # plain | thousands | fullwidth
    brackets: str = "half"  # half `(元)` | full `（元）` | mixed
    blanks: bool = False  # header cells with surrounding blanks
    newline: str = "\n"

    def describe(self) -> dict:
        return {
            "encoding": self.encoding,
            "dates": self.dates,
            "seconds": self.seconds,
            "numbers": self.numbers,
            "brackets": self.brackets,
            "header_blanks": self.blanks,
        }


PLAIN = Style()


def fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def money(cents: int, style: Style = PLAIN) -> str:
    """Cents as a decimal text with 2 decimals in the file's number style."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if style.numbers == "plain":
        return f"{sign}{whole}.{frac:02d}"
    if style.numbers == "thousands":
        return f"{sign}{whole:,}.{frac:02d}"
    return fullwidth(f"{sign}{whole}.{frac:02d}")


def integer(n: int, style: Style = PLAIN) -> str:
    if style.numbers == "thousands":
        return f"{n:,}"
    if style.numbers == "fullwidth":
        return fullwidth(str(n))
    return str(n)


def day(d: date, style: Style = PLAIN) -> str:
    if style.dates == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style.dates == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}-{d.month:02d}-{d.day:02d}"


def moment(t: datetime, style: Style = PLAIN) -> str:
    clock = (
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        if style.seconds
        else (f"{t.hour:02d}:{t.minute:02d}")
    )
    if style.dates == "iso":
        return f"{t.year}-{t.month:02d}-{t.day:02d} {clock}"
    return f"{day(t, style)} {clock}"


def header(names: list[str], style: Style, rng: random.Random) -> list[str]:
    """Header cells with the file's bracket style and, maybe, surrounding blanks."""
    out = []
    for name in names:
        h = name
        if style.brackets == "full" or (style.brackets == "mixed" and rng.random() < 0.5):
            h = h.replace("(", "（").replace(")", "）")
        else:
            h = h.replace("（", "(").replace("）", ")")
        if style.blanks and rng.random() < 0.4:
            h = rng.choice((" ", "  ", "\u3000")) + h + rng.choice(("", " ", "  "))
        out.append(h)
    return out


def quarter_label(year: int, quarter: int, rng: random.Random) -> str:
    return rng.choice((f"{year}年第{quarter}季度", f"{year}Q{quarter}"))


def styles_covering(n: int, rng: random.Random, extra_plain: float = 0.5) -> list[Style]:
    """`n` styles (n >= 6) in which every variation occurs at least once, shuffled."""
    must = [
        Style(encoding="utf-8-sig", brackets="full"),
        Style(encoding="gbk", dates="slash", seconds=False, newline="\r\n"),
        Style(encoding="gb18030", dates="cn", numbers="thousands", blanks=True),
        Style(encoding="utf-8", numbers="fullwidth", brackets="mixed"),
        Style(encoding="utf-8", dates="slash", numbers="thousands", blanks=True),
        Style(encoding="utf-8-sig", dates="cn", seconds=False),
    ]
    out = list(must[:n])
    while len(out) < n:
        if rng.random() < extra_plain:
            out.append(PLAIN)
        else:
            out.append(
                Style(
                    encoding=rng.choice(("utf-8", "utf-8", "utf-8-sig", "gbk")),
                    dates=rng.choice(("iso", "iso", "slash", "cn")),
                    seconds=rng.random() < 0.7,
                    numbers=rng.choice(("plain", "plain", "thousands")),
                    brackets=rng.choice(("half", "full", "mixed")),
                    blanks=rng.random() < 0.3,
                )
            )
    rng.shuffle(out)
    return out
