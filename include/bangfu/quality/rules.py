"""Business and anomaly checks of the gate (SPEC §6), one function per check.

Each function takes a `RuleContext` and returns findings for the run's quarter (or its
year, for yearly checks); `row_loss_between_layers` looks at everything. Thresholds come
from the config (`rules:` and `quality:`); severities from `quality.severities`.
Structural checks that Great Expectations can express live in `expectations/*.json`
(see `bangfu.quality.suites`); what needs joins, history or row-level unit/period is here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bangfu.parsing import is_valid_uscc
from bangfu.periods import Quarter
from bangfu.quality.findings import Finding

if TYPE_CHECKING:
    import pandas as pd

    from bangfu.config import Config
    from bangfu.quality.reader import WarehouseReader

MAX_ROWS_LISTED = 20
_FULL_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_FULL_WIDTH.update({0xFF21 + i: ord("A") + i for i in range(26)})
_FULL_WIDTH[0xFF0D] = ord("-")
_VOUCHER_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_VOUCHER_PLACEHOLDERS = {"无", "暂无", "没有", "见附件", "附件", "NA", "N/A", "NULL", "NONE", "空"}


@dataclass
class RuleContext:
    reader: WarehouseReader
    config: Config
    quarter: Quarter
    _cache: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        """The whole table (cached), or None when the warehouse does not have it."""
        if name not in self._cache:
            self._cache[name] = self.reader.read(name) if self.reader.exists(name) else None
        return self._cache[name]

    def finding(self, check: str, unit_code: str, period: str, detail: str, rows: str = ""):
        return Finding(check, self.config.severity(check), unit_code or "", period, detail, rows)

    def unit_names(self) -> dict[str, str]:
        if "_unit_names" not in self._cache:
            units = self.table("raw.units")
            names: dict[str, str] = {}
            if units is not None:
                for code, name in zip(units["unit_code"], units["unit_name"], strict=True):
                    names[str(code)] = str(name)
            self._cache["_unit_names"] = names
        return self._cache["_unit_names"]

    def unit_label(self, code: str) -> str:
        name = self.unit_names().get(code)
        return f"{code}（{name}）" if name else code

    def winning_reports(self) -> pd.DataFrame | None:
        """The report standing for each unit and period: latest 填报日期, then ingestion order."""
        if "_winning" not in self._cache:
            reports = self.table("raw.unit_reports")
            if reports is None:
                self._cache["_winning"] = None
            else:
                ordered = reports.sort_values(["submitted_on", "report_file_id"])
                keys = ["unit_code", "period_year", "period_quarter"]
                self._cache["_winning"] = ordered.drop_duplicates(keys, keep="last")
        return self._cache["_winning"]

    def winning_lines(self) -> pd.DataFrame | None:
        """Lines of the winning reports, with the report's unit and period."""
        reports, lines = self.winning_reports(), self.table("raw.unit_report_lines")
        if reports is None or lines is None:
            return None
        head = reports[["report_file_id", "unit_code", "period_year", "period_quarter"]]
        return lines.merge(head, on="report_file_id", how="inner")


# --- formatting helpers ------------------------------------------------------------


def yuan(value: float) -> str:
    return f"{value:,.2f}"


def period_of(year: Any, quarter: Any) -> str:
    return f"{int(year)}Q{int(quarter)}"


def period_cn(year: Any, quarter: Any) -> str:
    return f"{int(year)}年第{int(quarter)}季度"


def row_refs(table: str, df: pd.DataFrame, cols: tuple[str, ...] = ("_file_id", "_row_number")):
    """`table[_file_id=3,_row_number=17]; …` for at most MAX_ROWS_LISTED rows."""
    refs = []
    for rec in df[list(cols)].head(MAX_ROWS_LISTED).itertuples(index=False):
        inner = ",".join(f"{c}={_plain(v)}" for c, v in zip(cols, rec, strict=True))
        refs.append(f"{table}[{inner}]")
    if len(df) > MAX_ROWS_LISTED:
        refs.append(f"…共 {len(df)} 行")
    return "; ".join(refs)


class _Row(dict):
    """A dataframe row with attribute access (itertuples renames `_file_id`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def records(df: pd.DataFrame):
    return (_Row(r) for r in df.to_dict("records"))


def _plain(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def normalise_voucher(text: Any) -> list[str]:
    """Voucher numbers in one cell: trimmed, half-width, upper case; several may share a cell.

    Placeholders (`无`, `暂无`, `见附件`, `N/A`, a lone dash…) are no voucher at all, so two
    units writing `无` do not share a voucher and the line counts as without one.
    """
    if text is None or (isinstance(text, float) and text != text):
        return []
    s = str(text).translate(_FULL_WIDTH).strip().upper()
    if s in _VOUCHER_PLACEHOLDERS:
        return []
    return [
        v
        for v in _VOUCHER_SEPARATORS.split(s)
        if v and v not in _VOUCHER_PLACEHOLDERS and any(c.isalnum() for c in v) and v != "0"
    ]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or not str(v).strip()


def _qindex(year: Any, quarter: Any) -> int:
    return int(year) * 4 + int(quarter) - 1


# --- errors ------------------------------------------------------------------------


def voucher_reused_across_units(ctx: RuleContext) -> list[Finding]:
    """One 凭证编号 claimed by two different units in the same year (winning reports, Q1..Q)."""
    lines = ctx.winning_lines()
    if lines is None:
        return []
    y, q = ctx.quarter.year, ctx.quarter.quarter
    lines = lines[(lines["period_year"] == y) & (lines["period_quarter"] <= q)]
    claims: dict[str, list[tuple[str, int, int, int]]] = {}
    for rec in records(lines):
        for v in normalise_voucher(rec.voucher_no):
            claims.setdefault(v, []).append(
                (str(rec.unit_code), int(rec.period_quarter), int(rec._file_id), rec._row_number)
            )
    out = []
    for voucher, claimants in sorted(claims.items()):
        units = sorted({c[0] for c in claimants})
        if len(units) < 2:
            continue
        where = "、".join(
            f"{u}（{ctx.unit_names().get(u, '未登记单位')}，"
            f"{'/'.join(sorted({f'第{c[1]}季度' for c in claimants if c[0] == u}))}报告）"
            for u in units
        )
        detail = f"凭证编号 {voucher} 同时出现在 {where}的报告中，{y}年度内重复计入"
        refs = "; ".join(
            f"raw.unit_report_lines[_file_id={f},_row_number={r}]"
            for _, _, f, r in claimants[:MAX_ROWS_LISTED]
        )
        for u in units:
            out.append(ctx.finding("voucher_reused_across_units", u, str(y), detail, refs))
    return out


def amount_outlier_vs_history(ctx: RuleContext) -> list[Finding]:
    """A unit-quarter total above N × its trailing four-quarter median and above a floor."""
    kpi = ctx.table("marts.kpi_unit_quarter")
    if kpi is None or kpi.empty:
        return []
    multiple = float(ctx.config.quality["outlier_multiple_of_median"])
    floor = float(ctx.config.quality["outlier_min_yuan"])
    now = _qindex(ctx.quarter.year, ctx.quarter.quarter)
    idx = kpi["year"].astype(int) * 4 + kpi["quarter"].astype(int) - 1
    current = kpi[idx == now]
    history = kpi[(idx >= now - 4) & (idx < now)]
    medians = history.groupby("unit_code")["amount_total_yuan"].median()
    counts = history.groupby("unit_code")["amount_total_yuan"].count()
    reports = ctx.winning_reports()
    out = []
    for rec in records(current):
        code = str(rec.unit_code)
        amount = float(rec.amount_total_yuan or 0)
        if code not in medians.index:
            continue  # no history: nothing to compare with
        median = float(medians[code])
        if not (amount > floor and amount > multiple * median):
            continue
        times = f"为其 {amount / median:,.1f} 倍" if median > 0 else "而前期中位数为 0"
        detail = (
            f"{ctx.unit_label(code)} {ctx.quarter.label_cn}帮扶金额 {yuan(amount)} 元，"
            f"前 {int(counts[code])} 个季度中位数 {yuan(median)} 元，{times}"
            f"（阈值：中位数的 {multiple:g} 倍且超过 {yuan(floor)} 元），疑为万元/元换算错误或虚报"
        )
        refs = [
            f"marts.kpi_unit_quarter[unit_code={code},year={ctx.quarter.year},"
            f"quarter={ctx.quarter.quarter}]"
        ]
        if reports is not None:
            mine = reports[
                (reports["unit_code"] == code)
                & (reports["period_year"] == ctx.quarter.year)
                & (reports["period_quarter"] == ctx.quarter.quarter)
            ]
            refs += [f"raw.unit_reports[_file_id={int(f)}]" for f in mine["report_file_id"]]
        out.append(
            ctx.finding(
                "amount_outlier_vs_history", code, str(ctx.quarter), detail, "; ".join(refs)
            )
        )
    return out


def row_loss_between_layers(ctx: RuleContext) -> list[Finding]:
    """Every landed row is loaded or quarantined, and every layer keeps every row."""
    from bangfu.raw_schema import SOURCES

    check = "row_loss_between_layers"
    files = ctx.table("ledger.files")
    if files is None:
        return [ctx.finding(check, "", "", "账本表 ledger.files 不存在，无法核对各层行数")]
    out = []
    # 1. ledger: landed = loaded + quarantined, and the quarantine holds the quarantined rows
    quarantine_rows: dict[int, int] = {}
    whole_file: set[int] = set()
    if ctx.reader.exists("ledger.quarantine"):
        for fid, n_rows, n_whole in ctx.reader.rows(
            "select file_id, count(row_number), count(*) - count(row_number)"
            " from ledger.quarantine group by file_id"
        ):
            quarantine_rows[int(fid)] = int(n_rows)
            if n_whole:
                whole_file.add(int(fid))
    for rec in records(files):
        fid, landed = int(rec.file_id), int(rec.rows_landed)
        loaded, quarantined = int(rec.rows_loaded), int(rec.rows_quarantined)
        where = f"文件 {rec.path}（{rec.source}，_file_id={fid}）"
        ref = f"ledger.files[file_id={fid}]"
        if landed != loaded + quarantined:
            out.append(
                ctx.finding(
                    check,
                    "",
                    "",
                    f"{where}落地 {landed} 行，但入库 {loaded} 行 + 隔离 {quarantined} 行 = "
                    f"{loaded + quarantined} 行，{abs(landed - loaded - quarantined)} 行去向不明",
                    ref,
                )
            )
        if fid not in whole_file and quarantine_rows.get(fid, 0) != quarantined:
            out.append(
                ctx.finding(
                    check,
                    "",
                    "",
                    f"{where}登记隔离 {quarantined} 行，隔离表 ledger.quarantine 中有 "
                    f"{quarantine_rows.get(fid, 0)} 行",
                    ref,
                )
            )
    # 2. raw: the rows of each file = the ledger's loaded count
    loaded_in_raw: dict[int, dict[str, int]] = {}
    for tables in SOURCES.values():
        for table in tables:
            if table == "raw.unit_reports" or not ctx.reader.exists(table):
                continue  # a report's loaded rows are its lines; the header is one per file
            for fid, n in ctx.reader.count_by_file(table).items():
                loaded_in_raw.setdefault(fid, {})[table] = n
    for rec in records(files):
        fid = int(rec.file_id)
        if rec.outcome == "superseded":
            continue
        in_raw = loaded_in_raw.get(fid, {})
        if rec.source == "reference" and not in_raw:
            continue  # an older version of a reference file: raw holds the latest only
        n_raw = sum(in_raw.values())
        if n_raw != int(rec.rows_loaded):
            tables = "、".join(sorted(in_raw)) or "原始层"
            out.append(
                ctx.finding(
                    check,
                    "",
                    "",
                    f"文件 {rec.path}（{rec.source}，_file_id={fid}）账本记入库 "
                    f"{int(rec.rows_loaded)} 行，{tables} 中实有 {n_raw} 行",
                    f"ledger.files[file_id={fid}]",
                )
            )
    known = set(files["file_id"].astype(int)) | {0}
    for fid in sorted(set(loaded_in_raw) - known):
        out.append(
            ctx.finding(
                check,
                "",
                "",
                f"原始层有 _file_id={fid} 的行（{'、'.join(sorted(loaded_in_raw[fid]))}），"
                "但账本 ledger.files 中没有该文件",
                f"ledger.files[file_id={fid}]",
            )
        )
    # 3. staging and the published quarantine keep every row of the layer below
    for pair in ctx.config.quality.get("layer_row_counts") or []:
        lower, upper = str(pair[0]), str(pair[1])
        at_least = len(pair) > 2 and str(pair[2]) == ">="
        if not ctx.reader.exists(lower):
            continue
        if not ctx.reader.exists(upper):
            out.append(
                ctx.finding(check, "", "", f"表 {upper} 不存在，无法与 {lower} 核对行数", upper)
            )
            continue
        n_lower = int(ctx.reader.rows(f"select count(*) from {lower}")[0][0])
        n_upper = int(ctx.reader.rows(f"select count(*) from {upper}")[0][0])
        if n_upper < n_lower or (n_upper != n_lower and not at_least):
            out.append(
                ctx.finding(
                    check,
                    "",
                    "",
                    f"{lower} 有 {n_lower} 行，{upper} 有 {n_upper} 行，"
                    f"{'少了' if n_upper < n_lower else '多了'} {abs(n_lower - n_upper)} 行",
                    f"{lower}; {upper}",
                )
            )
    return out


def _current_plans(ctx: RuleContext) -> pd.DataFrame | None:
    """The latest canteen plan of each unit for the run's year, units with a canteen."""
    plans = ctx.table("raw.canteen_plans")
    if plans is None:
        return None
    plans = plans[plans["year"] == ctx.quarter.year].sort_values(["_file_id", "_row_number"])
    plans = plans.drop_duplicates(["unit_code", "year"], keep="last")
    return plans[plans["has_canteen"].astype(bool)]


def canteen_reserved_mismatch(ctx: RuleContext) -> list[Finding]:
    """预留份额 differs from 预算 × 比例 by more than the tolerance."""
    plans = _current_plans(ctx)
    if plans is None:
        return []
    tol = float(ctx.config.rules["canteen_reserved_tolerance_yuan"])
    out = []
    for rec in records(plans):
        if _blank(rec.budget_yuan) or _blank(rec.reserve_ratio) or _blank(rec.reserved_yuan):
            continue
        expected = round(float(rec.budget_yuan) * float(rec.reserve_ratio), 2)
        diff = float(rec.reserved_yuan) - expected
        if abs(diff) > tol + 0.005:
            out.append(
                ctx.finding(
                    "canteen_reserved_mismatch",
                    str(rec.unit_code),
                    str(ctx.quarter.year),
                    f"{ctx.unit_label(str(rec.unit_code))} {ctx.quarter.year}年食堂食材预留份额 "
                    f"{yuan(float(rec.reserved_yuan))} 元，与预算 {yuan(float(rec.budget_yuan))} 元"
                    f" × 预留比例 {float(rec.reserve_ratio):.2%} = {yuan(expected)} 元相差 "
                    f"{yuan(abs(diff))} 元（容差 {yuan(tol)} 元）",
                    f"raw.canteen_plans[_file_id={int(rec._file_id)},_row_number={rec._row_number}]",
                )
            )
    return out


def report_total_mismatch(ctx: RuleContext) -> list[Finding]:
    """A report's 合计 differs from the sum of its rows (ingestion rejects these; re-verified)."""
    reports, lines = ctx.winning_reports(), ctx.table("raw.unit_report_lines")
    if reports is None or lines is None:
        return []
    tol = float(ctx.config.rules["report_total_tolerance_wan"]) * 10000 + 0.005
    mine = reports[
        (reports["period_year"] == ctx.quarter.year)
        & (reports["period_quarter"] == ctx.quarter.quarter)
        & reports["total_yuan"].notna()
    ]
    sums = lines.groupby("report_file_id")["amount_yuan"].sum()
    out = []
    for rec in records(mine):
        total, summed = float(rec.total_yuan), float(sums.get(rec.report_file_id, 0.0))
        if abs(total - summed) > tol:
            out.append(
                ctx.finding(
                    "report_total_mismatch",
                    str(rec.unit_code),
                    str(ctx.quarter),
                    f"{ctx.unit_label(str(rec.unit_code))} 报告合计 {yuan(total)} 元，"
                    f"明细行之和 {yuan(summed)} 元，相差 {yuan(abs(total - summed))} 元",
                    f"raw.unit_reports[_file_id={int(rec.report_file_id)}]",
                )
            )
    return out


def source_codes(ctx: RuleContext) -> list[Finding]:
    """Unit codes in the raw layer carry a valid GB 32100-2015 check character."""
    columns = {
        "raw.units": "unit_code",
        "raw.platform_orders": "buyer_code",
        "raw.unit_reports": "unit_code",
        "raw.canteen_plans": "unit_code",
        "raw.union_welfare": "unit_code",
    }
    out = []
    for table, col in columns.items():
        if not ctx.reader.exists(table):
            continue
        codes = ctx.reader.rows(f"select distinct {col} from {table}")
        bad = sorted(str(c) for (c,) in codes if c is not None and not is_valid_uscc(str(c)))
        if not bad:
            continue
        listed = "、".join(bad[:MAX_ROWS_LISTED]) + ("…" if len(bad) > MAX_ROWS_LISTED else "")
        keys = bad[:MAX_ROWS_LISTED]
        refs = ctx.reader.query(
            f"select _file_id, {'report_file_id' if table == 'raw.unit_reports' else '_row_number'}"
            f" as _row_number from {table} where {col} in ({', '.join('?' for _ in keys)})",
            keys,
        )
        out.append(
            ctx.finding(
                "source_structure",
                "",
                "",
                f"{table} 列 {col}：{len(bad)} 个统一社会信用代码校验位不符"
                f"（GB 32100-2015）：{listed}",
                row_refs(table, refs),
            )
        )
    return out


# --- warnings ----------------------------------------------------------------------


def reconciliation_flagged(ctx: RuleContext) -> list[Finding]:
    """Reported 832 amounts that disagree with the platform export (SPEC 4.6)."""
    rec_df = ctx.table("marts.reconciliation_832")
    if rec_df is None:
        return []
    y, q = ctx.quarter.year, ctx.quarter.quarter
    rows = rec_df[(rec_df["year"] == y) & (rec_df["quarter"] == q) & rec_df["flagged"].astype(bool)]
    out = []
    for rec in records(rows):
        pct = "—" if _blank(rec.diff_pct) else f"{float(rec.diff_pct):+.1f}%"
        out.append(
            ctx.finding(
                "reconciliation_flagged",
                str(rec.unit_code),
                str(ctx.quarter),
                f"{ctx.unit_label(str(rec.unit_code))} {ctx.quarter.label_cn}报告 832平台 金额 "
                f"{yuan(float(rec.reported_832_yuan or 0))} 元，平台订单 "
                f"{yuan(float(rec.platform_832_yuan or 0))} 元，差异 {pct}",
                f"marts.reconciliation_832[unit_code={rec.unit_code},year={y},quarter={q}]",
            )
        )
    return out


def unit_not_reported(ctx: RuleContext) -> list[Finding]:
    """Units that must report and have no report for the quarter (SPEC 4.7)."""
    rep = ctx.table("marts.kpi_reporting")
    if rep is None:
        return []
    y, q = ctx.quarter.year, ctx.quarter.quarter
    deadline = ctx.quarter.deadline(int(ctx.config.rules["report_deadline_day"]))
    rows = rep[(rep["year"] == y) & (rep["quarter"] == q) & (rep["status"] == "未报")]
    return [
        ctx.finding(
            "unit_not_reported",
            str(rec.unit_code),
            str(ctx.quarter),
            f"{ctx.unit_label(str(rec.unit_code))} 未报送{ctx.quarter.label_cn}消费帮扶情况"
            f"（截止日期 {deadline.isoformat()}）",
            f"marts.kpi_reporting[unit_code={rec.unit_code},year={y},quarter={q}]",
        )
        for rec in records(rows)
    ]


def report_line_without_voucher(ctx: RuleContext) -> list[Finding]:
    """Lines of the quarter's standing reports with no 凭证编号."""
    lines = ctx.winning_lines()
    if lines is None:
        return []
    y, q = ctx.quarter.year, ctx.quarter.quarter
    lines = lines[(lines["period_year"] == y) & (lines["period_quarter"] == q)]
    lines = lines[[not normalise_voucher(v) for v in lines["voucher_no"]]]
    out = []
    for code, group in lines.groupby("unit_code", sort=True):
        group = group.sort_values(["_file_id", "_row_number"])
        numbers = "、".join(
            f"第{_plain(n)}行" if not _blank(n) else f"表格第{r}行"
            for n, r in zip(group["line_no"], group["_row_number"], strict=True)
        )
        total = float(group["amount_yuan"].sum())
        out.append(
            ctx.finding(
                "report_line_without_voucher",
                str(code),
                str(ctx.quarter),
                f"{ctx.unit_label(str(code))} {ctx.quarter.label_cn}报告有 {len(group)} 行未填"
                f"凭证编号（{numbers}），金额合计 {yuan(total)} 元",
                row_refs("raw.unit_report_lines", group),
            )
        )
    return out


def canteen_ratio_below_minimum(ctx: RuleContext) -> list[Finding]:
    """A canteen plan reserving less than the required minimum share (default 30%)."""
    plans = _current_plans(ctx)
    if plans is None:
        return []
    minimum = float(ctx.config.rules["canteen_min_reserve_ratio"])
    out = []
    for rec in records(plans):
        if _blank(rec.reserve_ratio) or float(rec.reserve_ratio) >= minimum - 1e-9:
            continue
        out.append(
            ctx.finding(
                "canteen_ratio_below_minimum",
                str(rec.unit_code),
                str(ctx.quarter.year),
                f"{ctx.unit_label(str(rec.unit_code))} {ctx.quarter.year}年食堂食材预留比例 "
                f"{float(rec.reserve_ratio):.0%}，低于要求的 {minimum:.0%}",
                f"raw.canteen_plans[_file_id={int(rec._file_id)},_row_number={rec._row_number}]",
            )
        )
    return out


def city_total_jump(ctx: RuleContext) -> list[Finding]:
    """The city total changing by more than X% from the previous quarter."""
    city = ctx.table("marts.kpi_city_quarter")
    if city is None or city.empty:
        return []
    dims = set(city["dimension"].astype(str))
    preferred = [ctx.config.quality["city_total_dimension"], "total", "全市", "unit_type"]
    dim = next((d for d in preferred if d in dims), None)
    if dim is None:
        return []
    rows = city[city["dimension"].astype(str) == dim]
    totals = rows.groupby(["year", "quarter"])["amount_yuan"].sum()
    cur_q, prev_q = ctx.quarter, ctx.quarter.previous()
    cur = float(totals.get((cur_q.year, cur_q.quarter), 0.0))
    prev = float(totals.get((prev_q.year, prev_q.quarter), 0.0))
    limit = float(ctx.config.quality["city_total_jump_pct"])
    if prev <= 0:
        return []
    change = (cur - prev) / prev * 100
    if abs(change) <= limit:
        return []
    return [
        ctx.finding(
            "city_total_jump",
            "",
            str(cur_q),
            f"全市{cur_q.label_cn}帮扶总额 {yuan(cur)} 元，上季度 {yuan(prev)} 元，"
            f"环比 {change:+.1f}%（阈值 ±{limit:g}%）",
            f"marts.kpi_city_quarter[dimension={dim},year={cur_q.year},quarter={cur_q.quarter}]",
        )
    ]


def round_number_report(ctx: RuleContext) -> list[Finding]:
    """A report whose every amount is a multiple of a round number (likely estimated)."""
    lines = ctx.winning_lines()
    if lines is None:
        return []
    step = float(ctx.config.quality["round_number_yuan"])
    min_lines = int(ctx.config.quality["round_number_min_lines"])
    y, q = ctx.quarter.year, ctx.quarter.quarter
    lines = lines[(lines["period_year"] == y) & (lines["period_quarter"] == q)]
    out = []
    for (code, fid), group in lines.groupby(["unit_code", "report_file_id"], sort=True):
        amounts = [round(float(a), 2) for a in group["amount_yuan"] if float(a) != 0]
        if len(amounts) < min_lines:
            continue
        if all(abs(a / step - round(a / step)) < 1e-9 for a in amounts):
            out.append(
                ctx.finding(
                    "round_number_report",
                    str(code),
                    str(ctx.quarter),
                    f"{ctx.unit_label(str(code))} {ctx.quarter.label_cn}报告 {len(amounts)} 行金额"
                    f"均为 {yuan(step)} 元的整数倍（{'、'.join(yuan(a) for a in amounts[:8])}"
                    f"{'…' if len(amounts) > 8 else ''} 元），疑为估算填报",
                    f"raw.unit_reports[_file_id={int(fid)}]",
                )
            )
    return out


RULES: dict[str, Callable[[RuleContext], list[Finding]]] = {
    "voucher_reused_across_units": voucher_reused_across_units,
    "amount_outlier_vs_history": amount_outlier_vs_history,
    "row_loss_between_layers": row_loss_between_layers,
    "canteen_reserved_mismatch": canteen_reserved_mismatch,
    "report_total_mismatch": report_total_mismatch,
    "source_structure": source_codes,
    "reconciliation_flagged": reconciliation_flagged,
    "unit_not_reported": unit_not_reported,
    "report_line_without_voucher": report_line_without_voucher,
    "canteen_ratio_below_minimum": canteen_ratio_below_minimum,
    "city_total_jump": city_total_jump,
    "round_number_report": round_number_report,
}
