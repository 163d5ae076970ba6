"""A small but realistic warehouse for the gate's tests, built without dbt or ingestion.

`build_warehouse(path, plants)` writes a DuckDB file with the ledger and raw layers
(`bangfu.raw_schema.ddl()`), staging copies of the raw tables and the marts of SPEC §5
computed from the raw rows by the SPEC §4 definitions. 12 units (4 of each type),
quarters 2025Q1..2026Q3, three orders and one report (three lines) per unit and quarter.
`plants` names anomalies to plant (see PLANTS); each touches one unit named in `UNIT`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bangfu.parsing import uscc_check_char
from bangfu.periods import Quarter

RUN_QUARTER = Quarter(2026, 3)
QUARTERS = [Quarter(2025, q) for q in range(1, 5)] + [Quarter(2026, q) for q in range(1, 4)]
UNIT_TYPES = ("区直单位", "市直单位", "国企")
DISTRICTS = ("天河区", "越秀区", "海珠区", "白云区")
REGIONS = (
    ("522601", "贵州省", "黔东南苗族侗族自治州", "凯里市", True, "东西部协作"),
    ("522622", "贵州省", "黔东南苗族侗族自治州", "黄平县", True, "东西部协作"),
    ("520201", "贵州省", "六盘水市", "钟山区", False, ""),
    ("451002", "广西壮族自治区", "百色市", "右江区", False, ""),
    ("653101", "新疆维吾尔自治区", "喀什地区", "喀什市", True, "对口支援"),
)
PLANTS = (
    "voucher_reuse",  # UNIT["voucher_a"]'s 2026Q3 report reuses a voucher of UNIT["voucher_b"]
    "wan_slip",  # UNIT["slip"] reports 2026Q3 专柜 in 元 × 10,000 (a 万元/元 slip)
    "lost_row",  # one raw.platform_orders row deleted after the ledger and staging were written
    "canteen_mismatch",  # UNIT["canteen"]'s 2026 预留份额 differs from 预算 × 比例
    "canteen_low_ratio",  # UNIT["low_ratio"]'s 2026 ratio is 20% (consistent amounts)
    "reconciliation",  # UNIT["recon"] reports 832平台 2026Q3 far above its platform orders
    "unreported",  # UNIT["unreported"] has no 2026Q3 report
    "no_voucher",  # one line of UNIT["no_voucher"]'s 2026Q3 report has no 凭证编号
    "city_jump",  # every unit's 2026Q3 purchases are 1.9 × usual
    "round_numbers",  # UNIT["round"]'s 2026Q3 report amounts are all multiples of 100,000
)


def unit_code(n: int, kind: int) -> str:
    prefix = ("11440100", "11440000", "91440101")[kind]
    first17 = f"{prefix}{n:09d}"
    return first17 + uscc_check_char(first17)


UNITS = [
    {
        "unit_code": unit_code(i + 1, i // 4),
        "unit_name": (
            f"广州市{DISTRICTS[i % 4]}第{i + 1}局"
            if i < 4
            else f"广州市第{i + 1}委员会"
            if i < 8
            else f"广州第{i + 1}集团有限公司"
        ),
        "unit_type": UNIT_TYPES[i // 4],
        "district": DISTRICTS[i % 4] if i < 4 else None,
    }
    for i in range(12)
]
CODES = [u["unit_code"] for u in UNITS]
UNIT = {
    "voucher_a": CODES[0],
    "voucher_b": CODES[1],
    "slip": CODES[2],
    "canteen": CODES[3],
    "low_ratio": CODES[4],
    "recon": CODES[5],
    "unreported": CODES[6],
    "no_voucher": CODES[7],
    "round": CODES[8],
    "no_canteen": CODES[11],
}


@dataclass
class _Builder:
    rng: random.Random
    plants: set[str]
    files: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def new_file(self, source: str, path: str, landed: int, loaded: int, quarantined: int) -> int:
        fid = len(self.files) + 1
        self.files.append(
            {
                "file_id": fid,
                "source": source,
                "path": path,
                "sha256": f"{fid:064x}",
                "size_bytes": 1000 + landed * 80,
                "archived_path": f"archive/{fid:02x}/{fid:064x}",
                "encoding": "utf-8" if path.endswith(".csv") else None,
                "rows_landed": landed,
                "rows_loaded": loaded,
                "rows_quarantined": quarantined,
                "outcome": "loaded" if not quarantined else "partial",
                "message": None,
                "ingested_at": datetime(2026, 10, 12, 9, 0) + timedelta(seconds=fid),
            }
        )
        return fid

    def add(self, table: str, row: dict) -> None:
        self.rows.setdefault(table, []).append(row)


def _money(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _generate(plants: set[str], seed: int) -> _Builder:
    b = _Builder(random.Random(seed), plants)
    rng = b.rng
    # reference
    fid = b.new_file("reference", "reference/units.csv", 12, 12, 0)
    for i, u in enumerate(UNITS):
        b.add(
            "raw.units",
            {
                **u,
                "must_report": True,
                "valid_from": date(2020, 1, 1),
                "valid_to": None,
                "_file_id": fid,
                "_row_number": i + 2,
            },
        )
    for i, r in enumerate(REGIONS):
        keys = ("region_code", "province", "prefecture", "county", "paired", "pairing")
        b.add(
            "raw.regions", {**dict(zip(keys, r, strict=True)), "_file_id": 0, "_row_number": i + 2}
        )
    base = {c: rng.uniform(150_000, 600_000) for c in CODES}
    platform_net: dict[tuple[str, Quarter], float] = {}
    for q in QUARTERS:
        boost = 1.9 if ("city_jump" in plants and q == RUN_QUARTER) else 1.0
        # one platform export per quarter: 3 orders per unit, 2 rows quarantined per file
        n_orders = 3 * len(CODES)
        fid = b.new_file("platform_orders", f"platform_orders/{q}.csv", n_orders + 2, n_orders, 2)
        row_no = 1
        for k, code in enumerate(CODES):
            net_sum = 0.0
            for j in range(3):
                row_no += 1
                amount = round(base[code] * boost * rng.uniform(0.08, 0.14), 2)
                status = "部分退款" if j == 2 and k % 3 == 0 else "已完成"
                refund = round(amount * 0.1, 2) if status == "部分退款" else 0.0
                day = q.first_day + timedelta(days=10 + 20 * j + k)
                ordered = datetime(day.year, day.month, day.day, 10, 30)
                ptype = "食堂食材" if j == 0 else ("工会慰问" if j == 1 else "其他")
                b.add(
                    "raw.platform_orders",
                    {
                        "order_id": f"DD{q.year}{q.quarter}{k:02d}{j}",
                        "ordered_at": ordered,
                        "updated_at": ordered + timedelta(days=3),
                        "buyer_name": UNITS[k]["unit_name"],
                        "buyer_code": code,
                        "supplier_name": f"黔东南农特产品供应商{j}",
                        "product_code": f"P{j:04d}",
                        "product_name": ("凯里酸汤", "黄平米", "喀什红枣")[j],
                        "product_category": "农副产品",
                        "region_code": REGIONS[j][0],
                        "quantity": Decimal("10.000"),
                        "unit_price_yuan": _money(amount / 10),
                        "order_amount_yuan": _money(amount),
                        "refund_amount_yuan": _money(refund),
                        "order_status": status,
                        "purchase_type": ptype,
                        "_file_id": fid,
                        "_row_number": row_no,
                    },
                )
                net_sum += round(amount - refund, 2)
            platform_net[(code, q)] = round(net_sum, 2)
        for r in (row_no + 1, row_no + 2):
            b.quarantine.append(
                {
                    "source": "platform_orders",
                    "file_id": fid,
                    "file_sha256": f"{fid:064x}",
                    "file_path": f"platform_orders/{q}.csv",
                    "row_number": r,
                    "reason": "采购单位统一社会信用代码 校验位错误",
                    "raw": json.dumps({"订单编号": f"BAD{r}"}, ensure_ascii=False),
                }
            )
        # reports: one workbook per unit, three lines (专柜, 专馆, 832平台)
        for k, code in enumerate(CODES):
            if "unreported" in plants and code == UNIT["unreported"] and q == RUN_QUARTER:
                continue
            amounts = [
                round(base[code] * boost * rng.uniform(0.25, 0.35), 2),
                round(base[code] * boost * rng.uniform(0.15, 0.25), 2),
                platform_net[(code, q)],
            ]
            vouchers = [f"PZ-{q.year}-{k:02d}{q.quarter}{n}" for n in range(1, 4)]
            current = q == RUN_QUARTER
            if current and "wan_slip" in plants and code == UNIT["slip"]:
                amounts[0] = round(amounts[0] * 10_000, 2)
            if current and "reconciliation" in plants and code == UNIT["recon"]:
                amounts[2] = round(amounts[2] * 1.5 + 20_000, 2)
            if current and "round_numbers" in plants and code == UNIT["round"]:
                amounts = [300_000.0, 200_000.0, 100_000.0]
            if current and "no_voucher" in plants and code == UNIT["no_voucher"]:
                vouchers[1] = None
            if current and "voucher_reuse" in plants and code == UNIT["voucher_a"]:
                vouchers[0] = f"PZ-{q.year}-{CODES.index(UNIT['voucher_b']):02d}22"
            fid = b.new_file("unit_reports", f"unit_reports/{code}_{q}.xlsx", 3, 3, 0)
            b.add(
                "raw.unit_reports",
                {
                    "report_file_id": fid,
                    "unit_name": UNITS[k]["unit_name"],
                    "unit_code": code,
                    "period_year": q.year,
                    "period_quarter": q.quarter,
                    "submitted_on": q.deadline() - timedelta(days=3 + k % 5),
                    "amount_unit": "元",
                    "total_yuan": _money(sum(amounts)),
                    "_file_id": fid,
                },
            )
            for n, (channel, amount, voucher) in enumerate(
                zip(("专柜", "专馆", "832平台"), amounts, vouchers, strict=True), start=1
            ):
                b.add(
                    "raw.unit_report_lines",
                    {
                        "report_file_id": fid,
                        "line_no": n,
                        "channel": channel,
                        "region_code": REGIONS[n - 1][0],
                        "region_name": REGIONS[n - 1][3],
                        "amount_yuan": _money(amount),
                        "voucher_no": voucher,
                        "voucher_count": 2 if voucher else None,
                        "remark": None,
                        "_file_id": fid,
                        "_row_number": 5 + n,
                    },
                )
    # canteen plans, one file per year
    for year in (2025, 2026):
        fid = b.new_file("canteen", f"canteen/plans_{year}.csv", 12, 12, 0)
        for k, code in enumerate(CODES):
            has = code != UNIT["no_canteen"]
            budget = round(base[code] * 2, 2) if has else None
            ratio = 0.3 if has else None
            if year == 2026 and "canteen_low_ratio" in plants and code == UNIT["low_ratio"]:
                ratio = 0.2
            reserved = round(budget * ratio, 2) if has else None
            if year == 2026 and "canteen_mismatch" in plants and code == UNIT["canteen"]:
                reserved = round(reserved - 5_000, 2)
            b.add(
                "raw.canteen_plans",
                {
                    "unit_name": UNITS[k]["unit_name"],
                    "unit_code": code,
                    "year": year,
                    "has_canteen": has,
                    "budget_yuan": _money(budget) if has else None,
                    "reserve_ratio": Decimal(f"{ratio:.4f}") if has else None,
                    "reserved_yuan": _money(reserved) if has else None,
                    "_file_id": fid,
                    "_row_number": k + 2,
                },
            )
    # union welfare: the latest 报送期 of each year
    fid = b.new_file("union_welfare", "union_welfare/2026Q3.csv", 24, 24, 0)
    for k, code in enumerate(CODES):
        for j, (year, quarter) in enumerate(((2025, 4), (2026, 3))):
            total = round(base[code] * 0.4, 2)
            b.add(
                "raw.union_welfare",
                {
                    "unit_name": UNITS[k]["unit_name"],
                    "unit_code": code,
                    "year": year,
                    "period_year": year,
                    "period_quarter": quarter,
                    "welfare_total_yuan": _money(total),
                    "special_yuan": _money(total * (0.55 if k % 4 else 0.4)),
                    "_file_id": fid,
                    "_row_number": 2 * k + j + 2,
                },
            )
    fid = b.new_file("catalogue", "catalogue/名库.xlsx", 3, 3, 0)
    for j in range(3):
        b.add(
            "raw.catalogue",
            {
                "product_code": f"P{j:04d}",
                "product_name": ("凯里酸汤", "黄平米", "喀什红枣")[j],
                "category": "农副产品",
                "region_code": REGIONS[j][0],
                "supplier_name": f"黔东南农特产品供应商{j}",
                "ref_price_yuan": _money(20 + j * 15),
                "measure_unit": "箱",
                "annual_capacity": "5000箱",
                "listing_period": "全年",
                "households_helped": 120 + j,
                "status": "在库",
                "exit_reason": None,
                "updated_on": date(2026, 1, 5),
                "_file_id": fid,
                "_row_number": j + 2,
            },
        )
    fid = b.new_file("sites", "sites/五专.csv", 2 * len(QUARTERS), 2 * len(QUARTERS), 0)
    for i, q in enumerate(QUARTERS):
        for s, (kind, district) in enumerate((("专馆", "天河区"), ("专柜", "海珠区"))):
            b.add(
                "raw.sites",
                {
                    "site_code": f"ZX{s + 1:03d}",
                    "site_type": kind,
                    "site_name": f"广州消费帮扶{kind}{s + 1}",
                    "district": district,
                    "operator": "广州市供销集团",
                    "opened_on": date(2023, 6, 1),
                    "status": "运营",
                    "period_year": q.year,
                    "period_quarter": q.quarter,
                    "sales_yuan": _money(800_000 + 10_000 * i + s),
                    "_file_id": fid,
                    "_row_number": 2 * i + s + 2,
                },
            )
    return b


def _insert(con, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    con.executemany(
        f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
        [[r[c] for c in cols] for r in rows],
    )


MARTS_SQL = """
create schema if not exists staging;
create schema if not exists marts;
create table staging.stg_ledger__files as select * from ledger.files;
create table staging.stg_ledger__quarantine as select * from ledger.quarantine;
create table staging.stg_reference__units as select * from raw.units;
create table staging.stg_reference__regions as select * from raw.regions;
create table staging.stg_platform__orders as select * from raw.platform_orders;
create table staging.stg_unit_reports__reports as select * from raw.unit_reports;
create table staging.stg_unit_reports__lines as select * from raw.unit_report_lines;
create table staging.stg_canteen__plans as select * from raw.canteen_plans;
create table staging.stg_union_welfare__reports as select * from raw.union_welfare;
create table staging.stg_catalogue__products as select * from raw.catalogue;
create table staging.stg_sites__sales as select * from raw.sites;
create temp table quarters as
  select distinct period_year as year, period_quarter as quarter from raw.unit_reports;
create temp table grid as select u.*, q.year, q.quarter from raw.units u cross join quarters q;
create temp table plat as
  select buyer_code as unit_code, year(ordered_at) as year, quarter(ordered_at) as quarter,
         sum(case when order_status in ('已完成', '部分退款')
             then order_amount_yuan - refund_amount_yuan else 0 end) as amount,
         sum(case when order_status in ('已完成', '部分退款') and purchase_type = '食堂食材'
             then order_amount_yuan - refund_amount_yuan else 0 end) as canteen
  from raw.platform_orders group by all;
create temp table win as
  select * from raw.unit_reports qualify row_number() over (
    partition by unit_code, period_year, period_quarter
    order by submitted_on desc, report_file_id desc) = 1;
create temp table rep as
  select w.unit_code, w.period_year as year, w.period_quarter as quarter,
         sum(case when l.channel <> '832平台' then l.amount_yuan else 0 end) as other,
         sum(case when l.channel = '832平台' then l.amount_yuan else 0 end) as r832
  from win w join raw.unit_report_lines l using (report_file_id) group by all;
create temp table uq as
  select g.unit_code, g.unit_name, g.unit_type, g.district, g.year, g.quarter,
         coalesce(p.amount, 0)::decimal(18,2) as amount_platform_yuan,
         coalesce(r.other, 0)::decimal(18,2) as amount_reported_other_yuan,
         (coalesce(p.amount, 0) + coalesce(r.other, 0))::decimal(18,2) as amount_total_yuan,
         coalesce(p.canteen, 0) as canteen, coalesce(r.r832, 0) as r832
  from grid g left join plat p using (unit_code, year, quarter)
  left join rep r using (unit_code, year, quarter);
create temp table uq_ytd as
  select a.*, (select sum(b.amount_total_yuan) from uq b where b.unit_code = a.unit_code
     and b.year = a.year and b.quarter <= a.quarter) as ytd_total_yuan,
   (select sum(b.amount_total_yuan) from uq b where b.unit_code = a.unit_code
     and b.year = a.year - 1 and b.quarter <= a.quarter) as ytd_base_yuan,
   (select sum(b.canteen) from uq b where b.unit_code = a.unit_code
     and b.year = a.year and b.quarter <= a.quarter) as canteen_ytd
  from uq a;
create table marts.kpi_unit_quarter as
  select unit_code, unit_name, unit_type, district, year, quarter, amount_platform_yuan,
         amount_reported_other_yuan, amount_total_yuan, ytd_total_yuan::decimal(18,2)
         as ytd_total_yuan, ytd_base_yuan::decimal(18,2) as ytd_base_yuan,
         round((ytd_total_yuan - ytd_base_yuan) / nullif(ytd_base_yuan, 0) * 100, 2)
           as growth_ytd_pct,
         case when coalesce(ytd_base_yuan, 0) = 0 then '无基期'
              when ytd_total_yuan >= ytd_base_yuan * 1.05 then '达标'
              when ytd_total_yuan >= ytd_base_yuan then '持平' else '未达标' end
           as growth_status
  from uq_ytd;
create table marts.kpi_canteen as
  select a.unit_code, a.year, a.quarter, c.reserved_yuan, c.reserve_ratio,
         a.canteen_ytd::decimal(18,2) as purchased_ytd_yuan,
         round(a.canteen_ytd / nullif(c.reserved_yuan, 0) * 100, 2) as completion_pct,
         case when c.unit_code is null then '未报计划' when not c.has_canteen then '无食堂'
              when a.canteen_ytd >= c.reserved_yuan then '已完成'
              when a.canteen_ytd / c.reserved_yuan * 100 >= a.quarter * 25 then '进度正常'
              else '进度滞后' end as status
  from uq_ytd a left join raw.canteen_plans c on c.unit_code = a.unit_code and c.year = a.year;
create table marts.kpi_union_welfare as
  select unit_code, year, welfare_total_yuan, special_yuan,
         round(special_yuan / nullif(welfare_total_yuan, 0) * 100, 2) as share_pct,
         special_yuan * 2 >= welfare_total_yuan as compliant
  from raw.union_welfare;
create table marts.kpi_reporting as
  select g.unit_code, g.year, g.quarter, f.first_submitted_on,
         case when f.first_submitted_on is null then '未报'
              when f.first_submitted_on <= make_date(
                  g.year + (g.quarter = 4)::int, (g.quarter % 4) * 3 + 1, 10) then '按时'
              else '逾期' end as status
  from grid g left join (
    select unit_code, period_year as year, period_quarter as quarter,
           min(submitted_on) as first_submitted_on
    from raw.unit_reports group by all) f using (unit_code, year, quarter)
  where g.must_report;
create table marts.reconciliation_832 as
  select unit_code, year, quarter, r832::decimal(18,2) as reported_832_yuan,
         amount_platform_yuan as platform_832_yuan,
         round((r832 - amount_platform_yuan) / nullif(amount_platform_yuan, 0) * 100, 2)
           as diff_pct,
         case when amount_platform_yuan = 0 then r832 > 10000
              else abs(r832 - amount_platform_yuan) / amount_platform_yuan > 0.1
                   and abs(r832 - amount_platform_yuan) > 10000 end as flagged
  from uq where r832 <> 0 or amount_platform_yuan <> 0;
create table marts.kpi_city_quarter as
  with m as (
    select year, quarter, 'unit_type' as dimension, unit_type as member,
           sum(amount_total_yuan) as amount_yuan from uq group by all
    union all
    select year, quarter, 'total', '全市', sum(amount_total_yuan) from uq group by all)
  select m.*,
    (select sum(b.amount_yuan) from m b where b.dimension = m.dimension
       and b.member = m.member and b.year = m.year and b.quarter <= m.quarter) as ytd_yuan,
    (select sum(b.amount_yuan) from m b where b.dimension = m.dimension
       and b.member = m.member and b.year = m.year - 1 and b.quarter <= m.quarter)
       as ytd_base_yuan,
              null::decimal(9,2) as growth_ytd_pct
  from m;
create table marts.catalogue_current as select * exclude (_file_id, _row_number) from raw.catalogue;
create table marts.site_quarter as
  select site_code, site_type, period_year as year, period_quarter as quarter, sales_yuan
  from raw.sites;
create table marts.exit_candidates as
  select 'product' as kind, product_code as code, 'none' as rule from raw.catalogue where false;
create table marts.quarantine as
  select source, file_sha256, row_number, reason, raw from ledger.quarantine;
"""


def build_warehouse(path: Path, plants: tuple[str, ...] | set[str] = (), seed: int = 11) -> Path:
    """Write the fixture warehouse to `path` (a new DuckDB file) with `plants` planted."""
    from bangfu.raw_schema import ddl
    from bangfu.warehouse import connect

    unknown = set(plants) - set(PLANTS)
    if unknown:
        raise ValueError(f"unknown plants: {sorted(unknown)}")
    b = _generate(set(plants), seed)
    con = connect(path)
    try:
        for stmt in ddl():
            con.execute(stmt)
        _insert(con, "ledger.files", b.files)
        _insert(con, "ledger.quarantine", b.quarantine)
        for table, rows in b.rows.items():
            _insert(con, table, rows)
        for stmt in MARTS_SQL.split(";"):
            if stmt.strip():
                con.execute(stmt)
        if "lost_row" in plants:
            con.execute(
                "delete from raw.platform_orders where (_file_id, _row_number) in "
                "(select _file_id, max(_row_number) from raw.platform_orders "
                " where _file_id = (select max(_file_id) from raw.platform_orders) group by 1)"
            )
    finally:
        con.close()
    return path


def copy_to_postgres(path: Path, dsn: str) -> None:
    """Copy every table of the fixture warehouse into PostgreSQL (same schemas and names)."""
    import psycopg

    from bangfu.warehouse import connect

    src = connect(path, read_only=True)
    try:
        tables = src.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('ledger', 'raw', 'staging', 'marts') order by all"
        ).fetchall()
        with psycopg.connect(dsn) as pg:
            for schema, name in tables:
                cols = src.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                pg.execute(f"create schema if not exists {schema}")
                pg.execute(f"drop table if exists {schema}.{name}")
                spec = ", ".join(f"{c} {_pg_type(t)}" for c, t in cols)
                pg.execute(f"create table {schema}.{name} ({spec})")
                col_list = ", ".join(c for c, _ in cols)
                rows = src.execute(f"select {col_list} from {schema}.{name}").fetchall()
                with (
                    pg.cursor() as cur,
                    cur.copy(f"copy {schema}.{name} ({col_list}) from stdin") as cp,
                ):
                    for row in rows:
                        cp.write_row(row)
            pg.commit()
    finally:
        src.close()


def _pg_type(duck: str) -> str:
    t = duck.upper()
    if t.startswith("DECIMAL") or t in ("BOOLEAN", "DATE", "TIMESTAMP", "INTEGER", "BIGINT"):
        return t
    if t == "HUGEINT":
        return "NUMERIC"
    if t in ("DOUBLE", "FLOAT"):
        return "DOUBLE PRECISION"
    return "VARCHAR"
