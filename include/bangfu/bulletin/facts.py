"""Read the marts into plain facts for one quarter: the only module of the bulletin that runs SQL.

Everything the bulletin says comes from here: rows of `marts.*` (SPEC §5) read from the
warehouse opened read-only, the gate's findings, the ledger files, and the rules that
pick the units to commend (表扬) and to urge (督促). Money stays Decimal in 元; writers
convert to 万元 for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bangfu.config import Config
from bangfu.periods import Quarter
from bangfu.quality.findings import Finding, GateResult

UNIT_TYPES = ("区直单位", "市直单位", "国企")


class BulletinDataError(ValueError):
    """The warehouse has nothing (or not enough) to write a bulletin for the quarter."""


@dataclass(frozen=True)
class UnitKpi:
    unit_code: str
    unit_name: str
    unit_type: str
    district: str | None
    amount_platform: Decimal
    amount_other: Decimal
    amount_total: Decimal
    ytd: Decimal
    base: Decimal | None
    growth_pct: Decimal | None
    status: str
    rank: int = 0  # 1-based rank within its unit type


@dataclass(frozen=True)
class CityRow:
    dimension: str
    member: str
    amount: Decimal
    ytd: Decimal
    base: Decimal | None
    growth_pct: Decimal | None


@dataclass(frozen=True)
class TrendPoint:
    year: int
    quarter: int
    amount: Decimal
    ytd: Decimal


@dataclass(frozen=True)
class CanteenRow:
    unit_code: str
    unit_name: str
    reserved: Decimal | None
    reserve_ratio: Decimal | None
    purchased_ytd: Decimal | None
    completion_pct: Decimal | None
    status: str


@dataclass(frozen=True)
class UnionRow:
    unit_code: str
    unit_name: str
    welfare_total: Decimal | None
    special: Decimal | None
    share_pct: Decimal | None
    compliant: bool | None


@dataclass(frozen=True)
class ReportingRow:
    unit_code: str
    unit_name: str
    first_submitted_on: date | None
    status: str


@dataclass(frozen=True)
class ReconRow:
    unit_code: str
    unit_name: str
    reported_832: Decimal
    platform_832: Decimal
    diff_pct: Decimal | None
    flagged: bool


@dataclass(frozen=True)
class Mention:
    """A unit commended or urged, and why (Chinese)."""

    unit_code: str
    unit_name: str
    unit_type: str
    reasons: tuple[str, ...]


@dataclass
class Facts:
    quarter: Quarter
    deadline: date
    growth_target_pct: Decimal
    union_min_share_pct: Decimal
    units: dict[str, list[UnitKpi]]  # unit type -> ranked rows (types with no unit: [])
    city: dict[str, list[CityRow]]  # dimension -> rows (amount order, largest first)
    trend: list[TrendPoint]  # dimension total, Y-1 Q1..Q4 and Y Q1..Q (later ones unpublished)
    canteen: list[CanteenRow]
    union: list[UnionRow]
    reporting: list[ReportingRow]
    reconciliation: list[ReconRow]
    commended: list[Mention]
    urged: list[Mention]
    annex: list[Finding]  # warnings and acknowledged findings of the gate
    ledger_files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all_units(self) -> list[UnitKpi]:
        return [u for t in self.units.values() for u in t]

    @property
    def city_total(self) -> CityRow:
        return self.city["total"][0]


def _d(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _rows(con, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows as dicts; `?` placeholders (DuckDB) become `%s` on a psycopg connection."""
    if not hasattr(con, "fetchall"):  # psycopg
        sql = sql.replace("?", "%s")
    cur = con.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _growth_key(u: UnitKpi) -> tuple:
    """Ranking: growth (no base last), then YTD, then name for a stable order."""
    return (u.growth_pct is None, -(u.growth_pct or 0), -u.ytd, u.unit_name)


def read_facts(
    warehouse: Path, config: Config, quarter: Quarter, gate: GateResult, target: str = "duckdb"
) -> Facts:
    """Everything the bulletin for `quarter` says, read from `warehouse` (read-only), or
    from the PostgreSQL marts when `target` is postgres."""
    import duckdb

    if target == "postgres":
        return _read_postgres(config, quarter, gate)
    if not Path(warehouse).exists():
        raise BulletinDataError(f"数据仓库文件不存在：{warehouse}")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:
        # a writer holds the file: read the analysts' copy the pipeline refreshed before us
        from bangfu.warehouse import analyst_copy_path

        copy = analyst_copy_path(warehouse)
        if not copy.exists():
            raise
        con = duckdb.connect(str(copy), read_only=True)
    try:
        return _read(con, config, quarter, gate)
    except duckdb.CatalogException as exc:
        raise BulletinDataError(
            f"数据仓库缺少发布通报所需的 marts 表（{exc}）；请先完成数据构建"
        ) from exc
    finally:
        con.close()


def _read_postgres(config: Config, quarter: Quarter, gate: GateResult) -> Facts:
    import psycopg

    with psycopg.connect(
        config.postgres_dsn(), autocommit=True, options="-c default_transaction_read_only=on"
    ) as con:
        try:
            return _read(con, config, quarter, gate)
        except psycopg.errors.UndefinedTable as exc:
            raise BulletinDataError(
                f"PostgreSQL 中缺少发布通报所需的 marts 表（{exc}）；请先完成数据构建"
            ) from exc


def _read(con, config: Config, quarter: Quarter, gate: GateResult) -> Facts:
    y, q = quarter.year, quarter.quarter
    rules = config.rules
    bcfg = config.bulletin

    unit_rows = _rows(
        con,
        """select unit_code, unit_name, unit_type, district, amount_platform_yuan,
                  amount_reported_other_yuan, amount_total_yuan, ytd_total_yuan,
                  ytd_base_yuan, growth_ytd_pct, growth_status
           from marts.kpi_unit_quarter where year = ? and quarter = ?""",
        [y, q],
    )
    city_rows = _rows(
        con,
        """select dimension, member, amount_yuan, ytd_yuan, ytd_base_yuan, growth_ytd_pct
           from marts.kpi_city_quarter where year = ? and quarter = ?""",
        [y, q],
    )
    if not unit_rows or not any(r["dimension"] == "total" for r in city_rows):
        raise BulletinDataError(
            f"数据仓库中没有{quarter.label_cn}（{quarter}）的单位或全市汇总数据，无法生成通报："
            f"marts.kpi_unit_quarter 有 {len(unit_rows)} 行，"
            f"marts.kpi_city_quarter 的全市合计有 "
            f"{sum(r['dimension'] == 'total' for r in city_rows)} 行"
        )

    units: dict[str, list[UnitKpi]] = {t: [] for t in UNIT_TYPES}
    names: dict[str, str] = {}
    types: dict[str, str] = {}
    for r in unit_rows:
        u = UnitKpi(
            unit_code=r["unit_code"],
            unit_name=r["unit_name"] or r["unit_code"],
            unit_type=r["unit_type"],
            district=r["district"],
            amount_platform=_d(r["amount_platform_yuan"]) or Decimal(0),
            amount_other=_d(r["amount_reported_other_yuan"]) or Decimal(0),
            amount_total=_d(r["amount_total_yuan"]) or Decimal(0),
            ytd=_d(r["ytd_total_yuan"]) or Decimal(0),
            base=_d(r["ytd_base_yuan"]),
            growth_pct=_d(r["growth_ytd_pct"]),
            status=r["growth_status"],
        )
        units.setdefault(u.unit_type, []).append(u)
        names[u.unit_code] = u.unit_name
        types[u.unit_code] = u.unit_type
    for t, lst in units.items():
        lst.sort(key=_growth_key)
        units[t] = [_with_rank(u, i + 1) for i, u in enumerate(lst)]

    # names of units that appear in other marts but not in this quarter's unit rows
    for r in _rows(
        con,
        """select unit_code, unit_name, unit_type from (
               select unit_code, unit_name, unit_type, row_number() over (
                   partition by unit_code order by year desc, quarter desc) as latest
               from marts.kpi_unit_quarter) as k
           where latest = 1""",
        [],
    ):
        names.setdefault(r["unit_code"], r["unit_name"] or r["unit_code"])
        types.setdefault(r["unit_code"], r["unit_type"])

    def name(code: str) -> str:
        return names.get(code, code)

    city: dict[str, list[CityRow]] = {}
    for r in city_rows:
        city.setdefault(r["dimension"], []).append(
            CityRow(
                dimension=r["dimension"],
                member=str(r["member"]) if r["member"] is not None else "（未注明）",
                amount=_d(r["amount_yuan"]) or Decimal(0),
                ytd=_d(r["ytd_yuan"]) or Decimal(0),
                base=_d(r["ytd_base_yuan"]),
                growth_pct=_d(r["growth_ytd_pct"]),
            )
        )
    for lst in city.values():
        lst.sort(key=lambda c: (-c.ytd, -c.amount, c.member))

    trend = [
        TrendPoint(r["year"], r["quarter"], _d(r["amount_yuan"]) or Decimal(0), _d(r["ytd_yuan"]))
        for r in _rows(
            con,
            """select year, quarter, sum(amount_yuan) as amount_yuan, sum(ytd_yuan) as ytd_yuan
               from marts.kpi_city_quarter
               where dimension = 'total'
                 and (year = ? or (year = ? and quarter <= ?))
               group by year, quarter order by year, quarter""",
            [y - 1, y, q],
        )
    ]

    canteen = [
        CanteenRow(
            unit_code=r["unit_code"],
            unit_name=name(r["unit_code"]),
            reserved=_d(r["reserved_yuan"]),
            reserve_ratio=_d(r["reserve_ratio"]),
            purchased_ytd=_d(r["purchased_ytd_yuan"]),
            completion_pct=_d(r["completion_pct"]),
            status=r["status"],
        )
        for r in _rows(
            con,
            """select unit_code, reserved_yuan, reserve_ratio, purchased_ytd_yuan,
                      completion_pct, status
               from marts.kpi_canteen where year = ? and quarter = ?""",
            [y, q],
        )
    ]
    canteen.sort(key=lambda c: (c.completion_pct is None, c.completion_pct or 0, c.unit_name))

    union = [
        UnionRow(
            unit_code=r["unit_code"],
            unit_name=name(r["unit_code"]),
            welfare_total=_d(r["welfare_total_yuan"]),
            special=_d(r["special_yuan"]),
            share_pct=_d(r["share_pct"]),
            compliant=r["compliant"],
        )
        for r in _rows(
            con,
            """select unit_code, welfare_total_yuan, special_yuan, share_pct, compliant
               from marts.kpi_union_welfare where year = ?""",
            [y],
        )
    ]
    union.sort(key=lambda u: (u.share_pct is None, -(u.share_pct or 0), u.unit_name))

    reporting = [
        ReportingRow(r["unit_code"], name(r["unit_code"]), r["first_submitted_on"], r["status"])
        for r in _rows(
            con,
            """select unit_code, first_submitted_on, status
               from marts.kpi_reporting where year = ? and quarter = ?""",
            [y, q],
        )
    ]
    order = {"未报": 0, "逾期": 1, "按时": 2}
    reporting.sort(key=lambda r: (order.get(r.status, 3), r.unit_name))

    recon = [
        ReconRow(
            unit_code=r["unit_code"],
            unit_name=name(r["unit_code"]),
            reported_832=_d(r["reported_832_yuan"]) or Decimal(0),
            platform_832=_d(r["platform_832_yuan"]) or Decimal(0),
            diff_pct=_d(r["diff_pct"]),
            flagged=bool(r["flagged"]),
        )
        for r in _rows(
            con,
            """select unit_code, reported_832_yuan, platform_832_yuan, diff_pct, flagged
               from marts.reconciliation_832 where year = ? and quarter = ?""",
            [y, q],
        )
    ]
    recon.sort(key=lambda r: (not r.flagged, -abs(r.reported_832 - r.platform_832), r.unit_name))

    try:
        ledger = _rows(
            con,
            """select file_id, source, path, sha256, outcome
               from ledger.files order by file_id""",
            [],
        )
    except Exception:  # the ledger lives beside the marts; a marts-only copy has none
        ledger = []

    annex = [f for f in gate.findings if f.severity == "warning" or f.acknowledged]
    annex.sort(key=lambda f: (not f.acknowledged, f.severity, f.check, f.unit_code, f.period))

    facts = Facts(
        quarter=quarter,
        deadline=quarter.deadline(int(rules["report_deadline_day"])),
        growth_target_pct=Decimal(str(rules["growth_target_pct"])),
        union_min_share_pct=Decimal(str(rules["union_min_special_share_pct"])),
        units=units,
        city=city,
        trend=trend,
        canteen=canteen,
        union=union,
        reporting=reporting,
        reconciliation=recon,
        commended=[],
        urged=[],
        annex=annex,
        ledger_files=ledger,
    )
    facts.commended = commendations(facts, int(bcfg["commend_top_n"]))
    facts.urged = urgings(facts, bcfg, types)
    return facts


def _with_rank(u: UnitKpi, rank: int) -> UnitKpi:
    from dataclasses import replace

    return replace(u, rank=rank)


def commendations(facts: Facts, top_n: int) -> list[Mention]:
    """表扬: per unit type, the top `top_n` by YTD growth among units whose status is 达标."""
    out: list[Mention] = []
    for t in UNIT_TYPES:
        ok = [u for u in facts.units.get(t, []) if u.status == "达标"]
        for u in ok[:top_n]:
            out.append(
                Mention(
                    u.unit_code,
                    u.unit_name,
                    t,
                    (f"累计采购同比增长{u.growth_pct:.1f}%",),
                )
            )
    return out


def urgings(facts: Facts, bcfg: dict[str, Any], types: dict[str, str]) -> list[Mention]:
    """督促: the `urge_bottom_n` lowest growths among 未达标 units, plus late or missing
    reports, plus (when configured) canteen plans behind schedule and union shares under
    the minimum. One entry per unit, its reasons joined."""
    reasons: dict[str, list[str]] = {}
    unit_names: dict[str, str] = {}
    below = [u for u in facts.all_units if u.status == "未达标"]
    below.sort(key=lambda u: (u.growth_pct or 0, u.unit_name))
    for u in below[: int(bcfg["urge_bottom_n"])]:
        reasons.setdefault(u.unit_code, []).append(
            f"累计采购同比下降{abs(u.growth_pct or 0):.1f}%，低于上年同期"
        )
        unit_names[u.unit_code] = u.unit_name
    if bcfg.get("urge_reporting", True):
        for r in facts.reporting:
            if r.status in ("未报", "逾期"):
                why = "未报送季度报表" if r.status == "未报" else "逾期报送季度报表"
                reasons.setdefault(r.unit_code, []).append(why)
                unit_names[r.unit_code] = r.unit_name
    if bcfg.get("urge_canteen", True):
        for c in facts.canteen:
            if c.status in ("进度滞后", "未报计划"):
                why = (
                    f"食堂食材预留份额完成率仅{c.completion_pct or 0:.1f}%"
                    if c.status == "进度滞后"
                    else "未报送食堂食材采购预留计划"
                )
                reasons.setdefault(c.unit_code, []).append(why)
                unit_names[c.unit_code] = c.unit_name
    if bcfg.get("urge_union", True):
        for w in facts.union:
            if w.compliant is False:
                reasons.setdefault(w.unit_code, []).append(
                    f"工会福利专馆专区采购占比{w.share_pct or 0:.1f}%，低于"
                    f"{facts.union_min_share_pct:g}%"
                )
                unit_names[w.unit_code] = w.unit_name
    type_order = {t: i for i, t in enumerate(UNIT_TYPES)}
    out = [
        Mention(code, unit_names[code], types.get(code, ""), tuple(why))
        for code, why in reasons.items()
    ]
    out.sort(key=lambda m: (-len(m.reasons), type_order.get(m.unit_type, 9), m.unit_name))
    return out
