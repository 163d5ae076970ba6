from __future__ import annotations

import pytest

from bangfu import config
from bangfu.periods import Quarter, parse_quarter


def test_defaults_have_every_rule(cfg):
    assert cfg.rules["growth_target_pct"] == 5
    assert cfg.rules["report_deadline_day"] == 10
    assert cfg.rules["canteen_min_reserve_ratio"] == 0.30
    assert cfg.severity("voucher_reused_across_units") == "error"
    assert cfg.severity("reconciliation_flagged") == "warning"


def test_overlay_and_unknown_key(tmp_path):
    p = tmp_path / "c.yml"
    p.write_text("rules:\n  growth_target_pct: 8\n", encoding="utf-8")
    assert config.load(p).rules["growth_target_pct"] == 8
    assert config.load(p).rules["report_deadline_day"] == 10
    p.write_text("rules:\n  growth_target: 8\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"rules\.growth_target"):
        config.load(p)
    with pytest.raises(config.ConfigError, match="not found"):
        config.load(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q3", (2026, 3)),
        ("2026年第3季度", (2026, 3)),
        ("2026年第三季度", (2026, 3)),
        (" 2025q1 ", (2025, 1)),
        ("２０２６Ｑ４", (2026, 4)),
    ],
)
def test_parse_quarter(text, expected):
    q = parse_quarter(text)
    assert (q.year, q.quarter) == expected


def test_quarter_arithmetic():
    q = Quarter(2026, 4)
    assert str(q.next()) == "2027Q1"
    assert str(Quarter(2026, 1).previous()) == "2025Q4"
    assert q.deadline(10).isoformat() == "2027-01-10"
    assert Quarter(2026, 3).last_day.isoformat() == "2026-09-30"
    with pytest.raises(ValueError):
        parse_quarter("2026Q5")
