"""The text follows the facts: other facts, other sentences (not one template with numbers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bangfu.bulletin.facts import commendations, read_facts
from bangfu.bulletin.narrative import change_phrase, compose, join_names, wan

from .conftest import Q

ISSUED = date(2026, 10, 20)


@pytest.fixture(scope="module")
def facts(marts, cfg, gate):
    return read_facts(marts.path, cfg, Q, gate)


def text_of(facts, cfg) -> str:
    return compose(facts, cfg, ISSUED).plain_text()


def test_money_and_phrases():
    assert wan(Decimal("15619886.00")) == "1561.99"
    assert wan(Decimal("5")) == "0.00" and wan(Decimal("50")) == "0.01"
    assert wan(None) == "—"
    assert change_phrase(Decimal(110), Decimal(100), None) == "比上年同期（0.01万元）增长10.0%"
    assert change_phrase(Decimal(90), Decimal(100), None) == "比上年同期（0.01万元）下降10.0%"
    assert "基本持平" in change_phrase(Decimal(100), Decimal(100), Decimal(0))
    assert change_phrase(Decimal(100), None, None) == "上年同期无可比数据"
    assert join_names(["甲", "乙", "丙"]) == "甲、乙和丙"
    assert join_names(["甲", "乙", "丙"], limit=2) == "甲、乙等3家单位"


def test_reporting_sentence_varies(facts, cfg):
    text = text_of(facts, cfg)
    assert "逾期报送1家" in text and "仍未报送1家" in text
    all_on_time = replace(
        facts,
        reporting=[replace(r, status="按时") for r in facts.reporting],
        urged=[],
    )
    text = text_of(all_on_time, cfg)
    assert "均已按时报送，无逾期、未报单位" in text
    assert "逾期报送" not in text.split("三、")[0]
    only_late = replace(
        facts,
        reporting=[replace(r, status="按时") if r.status == "未报" else r for r in facts.reporting],
    )
    t = text_of(only_late, cfg)
    assert "已无未报送单位" in t and "逾期报送1家" in t


def test_growth_and_status_sentences_vary(facts, cfg):
    base = text_of(facts, cfg)
    assert "比上年同期（1476.89万元）增长5.8%" in base
    assert "9家低于上年同期" in base
    # every unit at target: no unit named as below last year, all types 全部
    good = replace(
        facts,
        units={
            t: [replace(u, status="达标", growth_pct=Decimal("12.50")) for u in us]
            for t, us in facts.units.items()
        },
    )
    text = text_of(good, cfg)
    assert "没有单位累计采购额低于上年同期" in text
    assert "区直单位全部实现适度增长" in text and "国企全部实现适度增长" in text
    # a city total below last year: 下降, and the next steps say so
    total = facts.city_total
    worse = replace(
        facts,
        city={**facts.city, "total": [replace(total, base=total.ytd * 2, growth_pct=Decimal(-50))]},
    )
    text = text_of(worse, cfg)
    assert "下降50.0%" in text and "低于上年同期，各单位要切实压实责任" in text


def test_union_and_canteen_sentences_vary(facts, cfg):
    text = text_of(facts, cfg)
    assert "2家未达到" in text and "3家进度滞后" in text
    ok = replace(
        facts,
        union=[replace(u, compliant=True, share_pct=Decimal(60)) for u in facts.union],
        canteen=[c for c in facts.canteen if c.status not in ("进度滞后", "未报计划")],
    )
    text = text_of(ok, cfg)
    assert "各单位均达到不低于50%的要求" in text
    assert "无进度滞后单位" in text and "尚未报送年度预留计划" not in text


def test_empty_annex_says_so(facts, cfg):
    text = text_of(replace(facts, annex=[]), cfg)
    assert "本期数据质量检查未发现需要说明的问题" in text


def test_commend_and_urge_rules_follow_the_config(facts, cfg):
    top1 = commendations(facts, 1)
    assert len(top1) == 3  # one per unit type, each 达标
    for m in top1:
        best = next(u for u in facts.units[m.unit_type] if u.status == "达标")
        assert m.unit_code == best.unit_code
    assert commendations(facts, 0) == []
    # urge: with the N lowest growths set to 0 and the switches off, nobody is urged
    from bangfu.bulletin.facts import urgings

    quiet = {"urge_bottom_n": 0, "urge_reporting": False, "urge_canteen": False,
             "urge_union": False}  # fmt: skip
    assert urgings(facts, quiet, {}) == []
    two = urgings(facts, {**quiet, "urge_bottom_n": 2}, {})
    below = sorted((u for u in facts.all_units if u.status == "未达标"), key=lambda u: u.growth_pct)
    assert {m.unit_code for m in two} == {u.unit_code for u in below[:2]}
    reporting_only = urgings(facts, {**quiet, "urge_reporting": True}, {})
    assert {m.unit_name for m in reporting_only} == {
        r.unit_name for r in facts.reporting if r.status in ("逾期", "未报")
    }


def test_an_earlier_quarter_sees_nothing_after_it(marts, cfg, gate):
    from bangfu.periods import Quarter

    f = read_facts(marts.path, cfg, Quarter(2026, 1), gate)
    assert [(p.year, p.quarter) for p in f.trend] == [(2025, 1), (2025, 2), (2025, 3), (2025, 4),
                                                      (2026, 1)]  # fmt: skip
    text = text_of(f, cfg)
    assert "2026年第1季度，全市各单位累计采购帮扶产品" in text and "环比" not in text
    total = marts.city_total(2026, 1)
    assert f"累计采购帮扶产品{wan(total[5])}万元" in text
    # the first year of data has no base: said so, never a 0% growth
    f25 = read_facts(marts.path, cfg, Quarter(2025, 2), gate)
    text = text_of(f25, cfg)
    assert "上年同期无可比数据" in text and "增长0.0%" not in text
    assert "15家单位上年同期均无采购数据，本期暂不评价增长情况" in text
    assert "国企共5家" in text and "各单位上年同期均无采购数据，暂不评价增长情况" in text
    assert "上年同期无可比数据，本期不评选表扬单位" in text
