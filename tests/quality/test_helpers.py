"""The gate's small pure helpers: voucher numbers, periods, CSV neutralisation."""

from __future__ import annotations

import pytest

from bangfu.quality.acknowledgements import normalise_period
from bangfu.quality.report import neutralise
from bangfu.quality.rules import normalise_voucher


@pytest.mark.parametrize(
    ("cell", "vouchers"),
    [
        ("PZ-2026-0012", ["PZ-2026-0012"]),
        (" ｐｚ－２０２６－００１２ ".upper(), ["PZ-2026-0012"]),
        ("PZ-1、PZ-2；PZ-3", ["PZ-1", "PZ-2", "PZ-3"]),
        ("无", []),
        ("见附件", []),
        ("n/a", []),
        ("-", []),
        ("/", []),
        ("", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_normalise_voucher(cell, vouchers):
    assert normalise_voucher(cell) == vouchers


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026Q3", "2026Q3"),
        (" 2026年第三季度 ", "2026Q3"),
        ("2026", "2026"),
        ("2026年", "2026"),
        ("2026年度", "2026"),
        ("", ""),
    ],
)
def test_normalise_period(text, period):
    assert normalise_period(text) == period


def test_normalise_period_rejects_garbage():
    with pytest.raises(ValueError):
        normalise_period("2026Q5")


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("凭证编号 PZ-1", "凭证编号 PZ-1"),
        ("", ""),
    ],
)
def test_neutralise(cell, safe):
    assert neutralise(cell) == safe
