"""A small warehouse with the SPEC §5 marts filled by hand, for the bulletin's tests.

The marts are built by dbt elsewhere; here the same tables (same names, same columns,
same types) are filled with realistic rows for 15 units over 2025Q1..2026Q3, with the
KPIs computed by the SPEC §4 definitions in plain Python, so the bulletin can be tested
on its own. `build_marts(path)` writes the DuckDB file and returns what it wrote.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from bangfu.raw_schema import ddl

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

FORMULA_NAME = '=HYPERLINK("x")'

# (name, type, district, must_report)
UNITS: tuple[tuple[str, str, str | None], ...] = (
    ("广州市天河区农业农村局", "区直单位", "天河区"),
    ("广州市海珠区教育局", "区直单位", "海珠区"),
    ("广州市白云区卫生健康局", "区直单位", "白云区"),
    ("广州市番禺区机关事务管理局", "区直单位", "番禺区"),
    ("广州市黄埔区商务局", "区直单位", "黄埔区"),
    ("广州市发展和改革委员会", "市直单位", None),
    ("广州市教育局", "市直单位", None),
    ("广州市农业农村局", "市直单位", None),
    ("广州市商务局", "市直单位", None),
    ("广州市机关事务管理局", "市直单位", None),
    ("广州地铁集团有限公司", "国企", None),
    ("广州市城市建设投资集团有限公司", "国企", None),
    ("广州医药集团有限公司", "国企", None),
    ("广州越秀集团股份有限公司", "国企", None),
    (FORMULA_NAME, "国企", None),
)
REGIONS = ("毕节市", "黔南布依族苗族自治州", "梅州市", "疏附县")
CHANNELS_OTHER = ("专柜", "专馆", "专区", "展销会", "直播电商")
QUARTERS = [(2025, q) for q in (1, 2, 3, 4)] + [(2026, q) for q in (1, 2, 3)]
CENT = Decimal("0.01")


def unit_code(seq: int) -> str:
    """A GB 32100 code with a valid check character."""
    body = f"11440100{seq:09d}"
    total = sum(CHARSET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + CHARSET[(31 - total % 31) % 31]


def money(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def _pct(num: Decimal, den: Decimal | None) -> Decimal | None:
    if den is None or den == 0:
        return None
    return ((num - den) / den * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _status(ytd: Decimal, base: Decimal | None, g: Decimal = Decimal("0.05")) -> str:
    if base is None or base == 0:
        return "无基期"
    if ytd >= base * (1 + g):
        return "达标"
    if ytd >= base:
        return "持平"
    return "未达标"


@dataclass
class Marts:
    """What `build_marts` wrote, for the tests' expectations."""

    path: Path
    units: list[dict] = field(default_factory=list)  # code, name, type, district
    kpi_unit_quarter: list[tuple] = field(default_factory=list)
    reporting: list[tuple] = field(default_factory=list)
    city: list[tuple] = field(default_factory=list)

    def unit_rows(self, year: int, quarter: int) -> list[tuple]:
        return [r for r in self.kpi_unit_quarter if r[4] == year and r[5] == quarter]

    def city_total(self, year: int, quarter: int) -> tuple:
        return next(r for r in self.city if r[:3] == (year, quarter, "total"))

    def names_with_reporting(self, year: int, quarter: int, status: str) -> list[str]:
        names = {u["code"]: u["name"] for u in self.units}
        return [names[r[0]] for r in self.reporting if r[1:3] == (year, quarter) and r[4] == status]


MART_DDL = {
    "kpi_unit_quarter": """unit_code VARCHAR, unit_name VARCHAR, unit_type VARCHAR,
        district VARCHAR, year INTEGER, quarter INTEGER, amount_platform_yuan DECIMAL(18,2),
        amount_reported_other_yuan DECIMAL(18,2), amount_total_yuan DECIMAL(18,2),
        ytd_total_yuan DECIMAL(18,2), ytd_base_yuan DECIMAL(18,2), growth_ytd_pct DECIMAL(12,2),
        growth_status VARCHAR""",
    "kpi_canteen": """unit_code VARCHAR, year INTEGER, quarter INTEGER,
        reserved_yuan DECIMAL(18,2), reserve_ratio DECIMAL(9,4),
        purchased_ytd_yuan DECIMAL(18,2), completion_pct DECIMAL(12,2), status VARCHAR""",
    "kpi_union_welfare": """unit_code VARCHAR, year INTEGER, welfare_total_yuan DECIMAL(18,2),
        special_yuan DECIMAL(18,2), share_pct DECIMAL(12,2), compliant BOOLEAN""",
    "kpi_reporting": """unit_code VARCHAR, year INTEGER, quarter INTEGER,
        first_submitted_on DATE, status VARCHAR""",
    "reconciliation_832": """unit_code VARCHAR, year INTEGER, quarter INTEGER,
        reported_832_yuan DECIMAL(18,2), platform_832_yuan DECIMAL(18,2),
        diff_pct DECIMAL(12,2), flagged BOOLEAN""",
    "kpi_city_quarter": """year INTEGER, quarter INTEGER, dimension VARCHAR, member VARCHAR,
        amount_yuan DECIMAL(18,2), ytd_yuan DECIMAL(18,2), ytd_base_yuan DECIMAL(18,2),
        growth_ytd_pct DECIMAL(12,2)""",
}


def build_marts(path: Path, seed: int = 11, with_data: bool = True) -> Marts:
    """Write a DuckDB file with `ledger.*`, `raw.*` (empty but for the ledger) and `marts.*`."""
    import duckdb

    rng = random.Random(seed)
    out = Marts(path=path)
    con = duckdb.connect(str(path))
    for stmt in ddl():
        con.execute(stmt)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name, cols in MART_DDL.items():
        con.execute(f"CREATE TABLE marts.{name} ({cols})")
    ledger = [
        (1, "reference", "reference/units.csv"),
        (2, "platform_orders", "platform_orders/export-2026-10-05.csv"),
        (3, "unit_reports", "unit_reports/天河区农业农村局-2026Q3.xlsx"),
        (4, "canteen", "canteen/2026年食堂预留份额.xlsx"),
        (5, "union_welfare", "union_welfare/工会福利2026.csv"),
    ]
    for fid, source, p in ledger:
        con.execute(
            "INSERT INTO ledger.files VALUES (?, ?, ?, ?, 1000, NULL, 'utf-8', 10, 10, 0,"
            " 'loaded', NULL, ?)",
            [fid, source, p, f"{fid:02d}" * 32, datetime(2026, 10, 12, 9, fid)],
        )
    if not with_data:
        con.close()
        return out

    for i, (name, utype, district) in enumerate(UNITS):
        out.units.append(
            {"code": unit_code(i + 1), "name": name, "type": utype, "district": district}
        )

    # quarterly amounts: platform + reported other channels, with a per-unit trend
    amounts: dict[tuple[str, int, int], tuple[Decimal, Decimal]] = {}
    for k, u in enumerate(out.units):
        level = rng.uniform(80_000, 600_000)
        trend = (-0.25, -0.02, 0.03, 0.10, 0.25, 0.40)[k % 6]
        for y, q in QUARTERS:
            f = (1 + trend) if y == 2026 else 1.0
            total = level * f * rng.uniform(0.85, 1.15)
            plat = money(total * rng.uniform(0.4, 0.7))
            other = money(total) - plat
            amounts[(u["code"], y, q)] = (plat, other)

    for u in out.units:
        for y, q in QUARTERS:
            plat, other = amounts[(u["code"], y, q)]
            ytd = sum((sum(amounts[(u["code"], y, j)]) for j in range(1, q + 1)), Decimal(0))
            base = None
            if (u["code"], y - 1, q) in amounts:
                base = sum(
                    (sum(amounts[(u["code"], y - 1, j)]) for j in range(1, q + 1)), Decimal(0)
                )
            out.kpi_unit_quarter.append(
                (
                    u["code"],
                    u["name"],
                    u["type"],
                    u["district"],
                    y,
                    q,
                    plat,
                    other,
                    plat + other,
                    ytd,
                    base,
                    _pct(ytd, base) if base else None,
                    _status(ytd, base),
                )
            )
    con.executemany(
        "INSERT INTO marts.kpi_unit_quarter VALUES (" + ",".join("?" * 13) + ")",
        out.kpi_unit_quarter,
    )

    # city rollups: total, unit_type, district, region, channel — all from the unit rows
    def city_rows(dimension: str, member_of) -> None:
        sums: dict[tuple[str, int, int], Decimal] = {}
        for r in out.kpi_unit_quarter:
            for m in range(4):
                member = member_of(r, m)
                if member is not None:
                    key = (member, r[4], r[5])
                    sums[key] = sums.get(key, Decimal(0)) + _share(r, m, dimension)
        for member in sorted({k[0] for k in sums}):

            def amt(yy: int, qq: int, member=member) -> Decimal:
                return sums.get((member, yy, qq), Decimal(0))

            for y, q in QUARTERS:
                a = amt(y, q)
                ytd = sum((amt(y, j) for j in range(1, q + 1)), Decimal(0))
                base = (
                    sum((amt(y - 1, j) for j in range(1, q + 1)), Decimal(0)) if y > 2025 else None
                )
                out.city.append((y, q, dimension, member, a, ytd, base, _pct(ytd, base)))

    def _share(r: tuple, m: int, dimension: str) -> Decimal:
        """Split a unit-quarter's amount in 4 parts for the region/channel dimensions."""
        plat, other = r[6], r[7]
        if dimension == "region":
            parts = [money(r[8] * Decimal(p)) for p in ("0.4", "0.3", "0.2")]
            parts.append(r[8] - sum(parts))
            return parts[m]
        if dimension == "channel":
            parts = [plat, money(other * Decimal("0.5")), money(other * Decimal("0.3"))]
            parts.append(other - parts[1] - parts[2])
            return parts[m]
        return r[8] if m == 0 else Decimal(0)

    city_rows("total", lambda r, m: "全市" if m == 0 else None)
    city_rows("unit_type", lambda r, m: r[2] if m == 0 else None)
    city_rows("district", lambda r, m: r[3] if m == 0 else None)
    city_rows("region", lambda r, m: REGIONS[m])
    city_rows("channel", lambda r, m: ("832平台", "专柜", "专馆", "直播电商")[m])
    con.executemany("INSERT INTO marts.kpi_city_quarter VALUES (?,?,?,?,?,?,?,?)", out.city)

    # canteen: 12 units with a plan (two lagging), 2 without a canteen, 1 without a plan
    canteen = []
    for k, u in enumerate(out.units):
        for y, q in QUARTERS:
            if k == 13:
                canteen.append((u["code"], y, q, None, None, None, None, "无食堂"))
                continue
            if k == 14:
                canteen.append((u["code"], y, q, None, None, None, None, "未报计划"))
                continue
            reserved = money(rng.uniform(200_000, 900_000))
            ratio = Decimal("0.30") if k % 5 else Decimal("0.25")
            pace = 0.5 if k in (2, 7) else rng.uniform(0.9, 1.4)
            purchased = money(float(reserved) * q / 4 * pace)
            pct = (purchased / reserved * 100).quantize(CENT)
            status = "已完成" if pct >= 100 else "进度正常" if pct >= q * 25 else "进度滞后"
            canteen.append((u["code"], y, q, reserved, ratio, purchased, pct, status))
    con.executemany("INSERT INTO marts.kpi_canteen VALUES (?,?,?,?,?,?,?,?)", canteen)

    union = []
    for k, u in enumerate(out.units):
        for y in (2025, 2026):
            total = money(rng.uniform(300_000, 1_200_000))
            share = Decimal("0.42") if k in (4, 9) else Decimal(str(rng.uniform(0.5, 0.8)))
            special = money(total * share)
            pct = (special / total * 100).quantize(CENT)
            union.append((u["code"], y, total, special, pct, pct >= 50))
    con.executemany("INSERT INTO marts.kpi_union_welfare VALUES (?,?,?,?,?,?)", union)

    for k, u in enumerate(out.units):
        for y, q in QUARTERS:
            end = date(y + (q == 4), q % 4 * 3 + 1, 1)
            if (y, q) == (2026, 3) and k == 3:
                out.reporting.append((u["code"], y, q, date(2026, 10, 18), "逾期"))
            elif (y, q) == (2026, 3) and k == 8:
                out.reporting.append((u["code"], y, q, None, "未报"))
            else:
                out.reporting.append((u["code"], y, q, end.replace(day=1 + k % 9), "按时"))
    con.executemany("INSERT INTO marts.kpi_reporting VALUES (?,?,?,?,?)", out.reporting)

    recon = []
    for k, u in enumerate(out.units):
        for y, q in QUARTERS:
            plat = amounts[(u["code"], y, q)][0]
            reported = money(plat * Decimal("1.6")) if k == 6 else plat
            diff = _pct(reported, plat)
            flagged = abs(reported - plat) > 10_000 and diff is not None and abs(diff) > 10
            recon.append((u["code"], y, q, reported, plat, diff, flagged))
    con.executemany("INSERT INTO marts.reconciliation_832 VALUES (?,?,?,?,?,?,?)", recon)
    con.close()
    return out
