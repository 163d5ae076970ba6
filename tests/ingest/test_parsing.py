"""The shared cell parsers (no database): numbers, dates, percentages, headers, codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from bangfu import parsing as p


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        ("1,234.5", 1, "1234.50"),
        ("１２，３４５．６７", 1, "12345.67"),
        (" ¥ 88 ", 1, "88.00"),
        (12.3456, 10000, "123456.00"),
        ("0.000051", 10000, "0.51"),
        (Decimal("2.005"), 1, "2.01"),
        (7, 10000, "70000.00"),
    ],
)
def test_parse_decimal_is_exact(value, scale, expected):
    got = p.parse_decimal(value, scale=scale)
    assert isinstance(got, Decimal) and got == Decimal(expected) and str(got) == expected


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "12元5", None])
def test_parse_decimal_rejects(bad):
    with pytest.raises(ValueError):
        p.parse_decimal(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-03", datetime(2026, 7, 3)),
        ("2026/7/3", datetime(2026, 7, 3)),
        ("2026年7月3日", datetime(2026, 7, 3)),
        ("2026年7月3日 14:05", datetime(2026, 7, 3, 14, 5)),
        ("2026-07-03 09:08:07", datetime(2026, 7, 3, 9, 8, 7)),
        ("２０２６/０７/０３T１０：００：００", datetime(2026, 7, 3, 10, 0, 0)),
        ("20260703", datetime(2026, 7, 3)),
    ],
)
def test_parse_datetime_formats(text, expected):
    assert p.parse_datetime(text) == expected


def test_parse_datetime_rejects_impossible_dates():
    with pytest.raises(ValueError):
        p.parse_datetime("2026-13-45")


def test_percent_header_and_codes():
    assert p.parse_percent("30%") == Decimal("0.3000")
    assert p.parse_percent("0.3") == Decimal("0.3000")
    assert p.parse_percent("３０％") == Decimal("0.3000")
    assert p.header_unit(" 金额（万元） ") == ("金额", 10000)
    assert p.header_unit("订单金额(元)") == ("订单金额", 1)
    assert p.header_unit("填报单位：") == ("填报单位", 1)
    assert p.normalize_code(" 91110000１０００１７６４３k ") == "91110000100017643K"
    assert p.uscc_problem("91110000100017643K") is None
    assert p.uscc_problem("91110000100017643J") == "统一社会信用代码校验位错误: 91110000100017643J"
