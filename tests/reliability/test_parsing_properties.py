"""Property-based tests of the number, date and code parsers (`bangfu.parsing`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu import parsing as p

# per test, not a global profile: other areas keep their own settings
SETTINGS = settings(max_examples=150, deadline=None, database=None)

FW = str.maketrans("0123456789.,-+", "０１２３４５６７８９．，－＋")


def fullwidth(text: str) -> str:
    return text.translate(FW)


money = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@SETTINGS
@given(money)
def test_decimal_round_trip_plain_and_thousands(d):
    for text in (f"{d:f}", f"{d:,.2f}", f" {d:,.2f} 元", f"¥{d:f}"):
        got = p.parse_decimal(text)
        assert isinstance(got, Decimal) and not isinstance(got, float)
        assert got == d, text


@SETTINGS
@given(money)
def test_decimal_fullwidth_equals_halfwidth(d):
    half = f"{d:,.2f}"
    assert p.parse_decimal(fullwidth(half)) == p.parse_decimal(half) == d


@SETTINGS
@given(money, st.sampled_from([1, 10000]))
def test_decimal_scale_is_exact(d, scale):
    got = p.parse_decimal(f"{d:f}", scale=scale)
    assert got == d * scale
    assert got.as_tuple().exponent == -2


@SETTINGS
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False))
def test_decimal_rounds_half_up_to_cents_never_via_float(d):
    got = p.parse_decimal(f"{d:f}")
    assert isinstance(got, Decimal)
    assert abs(got - d) <= Decimal("0.005")


@SETTINGS
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_float_cells_become_decimals(x):
    got = p.parse_decimal(x)
    assert isinstance(got, Decimal)
    assert abs(float(got) - x) <= 0.005 + abs(x) * 1e-12


@SETTINGS
@given(st.text(alphabet="0123456789.,-+eE ％%abc元", max_size=12))
def test_decimal_never_crashes_otherwise(text):
    try:
        got = p.parse_decimal(text)
    except ValueError:
        return
    assert isinstance(got, Decimal)


@SETTINGS
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_int_round_trip(n):
    assert p.parse_int(str(n)) == n
    assert p.parse_int(f"{n:,}") == n
    assert p.parse_int(fullwidth(f"{n:,}")) == n


@SETTINGS
@given(st.integers(min_value=0, max_value=100))
def test_percent_forms_agree(pct):
    frac = Decimal(pct) / 100
    assert p.parse_percent(f"{pct}%") == frac
    assert p.parse_percent(fullwidth(f"{pct}") + "%") == frac
    if pct > 1:  # `1` alone means 100% (a fraction); above 1 it is a percentage
        assert p.parse_percent(str(pct)) == frac
    assert p.parse_percent(f"{frac:f}") == frac


datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2050, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@SETTINGS
@given(datetimes)
def test_datetime_round_trip_every_layout(dt):
    day = dt.replace(hour=0, minute=0, second=0)
    layouts = {
        f"{dt:%Y-%m-%d %H:%M:%S}": dt,
        f"{dt.year}/{dt.month}/{dt.day} {dt:%H:%M:%S}": dt,
        f"{dt.year}年{dt.month}月{dt.day}日 {dt:%H:%M:%S}": dt,
        f"{dt:%Y-%m-%dT%H:%M:%S}": dt,
        f"{dt:%Y-%m-%d %H:%M}": dt.replace(second=0),
        f"{dt:%Y-%m-%d}": day,
        f"{dt.year}/{dt.month}/{dt.day}": day,
        f"{dt.year}年{dt.month}月{dt.day}日": day,
        f"{dt:%Y%m%d}": day,
    }
    for text, want in layouts.items():
        assert p.parse_datetime(text) == want, text
        assert p.parse_datetime(fullwidth(text)) == want, text
    assert p.parse_datetime(dt) == dt
    assert p.parse_date(dt.date()) == dt.date()


@SETTINGS
@given(datetimes, st.sampled_from(["-", "/", "年"]))
def test_impossible_dates_are_refused(dt, sep):
    import pytest

    with pytest.raises(ValueError):
        p.parse_datetime(f"{dt.year}{sep}13{sep}01")
    with pytest.raises(ValueError):
        p.parse_datetime(f"{dt.year}{sep}02{sep}30")


body17 = st.text(alphabet=p.USCC_CHARSET, min_size=17, max_size=17)


@SETTINGS
@given(body17)
def test_uscc_check_char_valid_iff_computed(body):
    right = p.uscc_check_char(body)
    assert right in p.USCC_CHARSET
    for ch in p.USCC_CHARSET:
        assert p.is_valid_uscc(body + ch) == (ch == right)
    assert p.uscc_problem(body + right) is None
    wrong = next(c for c in p.USCC_CHARSET if c != right)
    assert "校验位错误" in p.uscc_problem(body + wrong)


@SETTINGS
@given(body17)
def test_uscc_check_matches_the_spec_formula(body):
    total = sum(p.USCC_CHARSET.index(c) * w for c, w in zip(body, p.USCC_WEIGHTS, strict=True))
    assert p.uscc_check_char(body) == p.USCC_CHARSET[(31 - total % 31) % 31]


@SETTINGS
@given(body17)
def test_uscc_fullwidth_and_case_normalise_to_the_same_code(body):
    code = body + p.uscc_check_char(body)
    written = " " + "".join(chr(ord(c) + 0xFEE0) for c in code.lower()) + "\u3000"
    assert p.normalize_code(written) == code
    assert p.is_valid_uscc(p.normalize_code(written))


@SETTINGS
@given(st.text(max_size=20))
def test_uscc_validity_is_exactly_the_definition(s):
    ok = len(s) == 18 and all(c in p.USCC_CHARSET for c in s) and p.uscc_check_char(s[:17]) == s[17]
    assert p.is_valid_uscc(s) == ok


def test_spec_example_code():
    assert p.is_valid_uscc("91110000100017643K")
