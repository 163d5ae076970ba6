"""What every source shares: unit codes, header matching, numbers, percentages, dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a unit code."""
    if len(first17) != 17:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = 0
    for ch, w in zip(first17, USCC_WEIGHTS, strict=True):
        idx = USCC_CHARSET.find(ch)
        if idx < 0:
            raise ValueError(f"character {ch!r} is not allowed in a unit code")
        total += idx * w
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when `code` is 18 characters of the charset with a correct check character."""
    if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


# --- text, headers ----------------------------------------------------------------

# full-width ASCII (！..～) to half-width, the ideographic space to a space
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters, brackets, colons ... to their ASCII forms."""
    return text.translate(_HALFWIDTH)


def cell_text(value: object) -> str:
    """A cell as trimmed text ('' for empty); whole floats lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\ufeff", "").strip()


def normalize_header(text: object) -> str:
    """Header cell for matching: half-width, no blanks, no trailing colon."""
    s = to_halfwidth(cell_text(text))
    s = "".join(s.split())
    return s.rstrip(":")


def header_unit(text: object) -> tuple[str, int]:
    """(`label without its money unit`, multiplier): `金额（万元）` -> (`金额`, 10000)."""
    s = normalize_header(text)
    m = re.fullmatch(r"(.*?)\((万元|元)\)", s) or re.fullmatch(r"(.*?)(万元|元)", s)
    if m and m.group(1):
        return m.group(1), 10000 if m.group(2) == "万元" else 1
    return s, 1


# --- numbers ----------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _number_text(value: object) -> str:
    s = to_halfwidth(cell_text(value))
    for junk in (",", " ", "¥", "￥"):
        s = s.replace(junk, "")
    return s.removesuffix("元")


def parse_decimal(value: object, scale: int = 1, places: int = 2) -> Decimal:
    """Exact decimal: `1,234.50`, `１２３４.５`, a float cell; × `scale` (10000 for 万元).

    Raises ValueError for empty or unparseable values.
    """
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int) and not isinstance(value, bool):
        d = Decimal(value)
    elif isinstance(value, float):  # a workbook's number cell: its shortest exact text
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a number: {value!r}")
        d = Decimal(repr(value))
    else:
        s = _number_text(value)
        if not s:
            raise ValueError("empty")
        if not _NUMBER_RE.match(s):
            raise ValueError(f"not a number: {value!r}")
        d = Decimal(s)
    q = Decimal(1).scaleb(-places)
    return (d * scale).quantize(q, rounding=ROUND_HALF_UP)


def parse_int(value: object) -> int:
    """`12`, `１２`, `1,200`, `12.0`; raises ValueError."""
    d = parse_decimal(value, places=6)
    if d != d.to_integral_value():
        raise ValueError(f"not an integer: {value!r}")
    return int(d)


# the plausible years of any date, year or period in the data (a 1900 date is an empty
# Excel date cell, a 2099 one a typo); fixed, so that ingestion never depends on the clock
EARLIEST_YEAR = 1990
LATEST_YEAR = 2050
# no single amount in any source comes near a trillion 元 (DECIMAL(18,2) would overflow
# at 10^16): a larger value is a unit slip or garbage, never a purchase
MAX_AMOUNT_YUAN = Decimal(10) ** 12
# the longest text an Excel cell can hold; a longer CSV cell did not come from a sheet
MAX_CELL_CHARS = 32767
# C0 control characters but tab, LF and CR, and DEL: never in a legitimate cell, and not
# allowed in the XML of the bulletin's Word and Excel files
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def plausible_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def parse_year(value: object) -> int:
    """`2026`, `2026年`, `２０２６` (EARLIEST_YEAR..LATEST_YEAR); raises ValueError."""
    s = to_halfwidth(cell_text(value)).removesuffix("年").removesuffix("年度").strip()
    y = parse_int(s)
    if not plausible_year(y):
        raise ValueError(f"not a year: {value!r}")
    return y


def parse_percent(value: object) -> Decimal:
    """A fraction with 4 decimals: `30%` -> 0.3000, `0.3` -> 0.3000, `30` -> 0.3000."""
    s = _number_text(value)
    if s.endswith("%"):
        return (parse_decimal(s[:-1], places=6) / 100).quantize(Decimal("0.0001"))
    d = parse_decimal(s, places=6)
    if d > 1:
        d = d / 100
    return d.quantize(Decimal("0.0001"))


_TRUE = {"true", "t", "1", "yes", "y", "是", "有", "真"}
_FALSE = {"false", "f", "0", "no", "n", "否", "无", "假"}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    s = to_halfwidth(cell_text(value)).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


# --- dates ------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?)?秒?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_datetime(value: object) -> datetime:
    """`2026-07-03`, `2026/7/3`, `2026年7月3日`, each with or without a time; a date cell.

    Raises ValueError.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    s = to_halfwidth(cell_text(value))
    m = _DATE_RE.match(s)
    if m:
        y, mo, d, hh, mi, ss = (int(g) if g else 0 for g in m.groups())
        return datetime(y, mo, d, hh, mi, ss)
    m = _COMPACT_DATE_RE.match(s)
    if m:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"not a date: {value!r}")


def parse_date(value: object) -> date:
    return parse_datetime(value).date()


def normalize_code(value: object) -> str:
    """A unit or region code as written: half-width, upper case, no blanks."""
    return "".join(to_halfwidth(cell_text(value)).upper().split())


def uscc_problem(code: str) -> str | None:
    """Chinese reason when `code` is not a well-formed unit code, else None."""
    if not code:
        return "统一社会信用代码为空"
    if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
        return f"统一社会信用代码格式错误（应为18位）: {code}"
    if not is_valid_uscc(code):
        return f"统一社会信用代码校验位错误: {code}"
    return None
