"""What the source modules share: the per-file context, the registry lookups, column
specifications, header matching, cell parsing with Chinese reasons, bulk inserts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bangfu import parsing as p
from bangfu.ledger import FileOutcome, Ledger, QuarantineRow, Writer, raw_json
from bangfu.periods import parse_quarter
from bangfu.readers import Table, UnreadableFile

if TYPE_CHECKING:
    import duckdb

    from bangfu.config import Config

HEADER_SCAN_ROWS = 20


class Registry:
    """The unit registry and the region list as loaded in raw.units / raw.regions."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.units = {
            r[0] for r in con.execute("SELECT DISTINCT unit_code FROM raw.units").fetchall()
        }
        self.regions = {
            r[0] for r in con.execute("SELECT DISTINCT region_code FROM raw.regions").fetchall()
        }

    def unit_problem(self, code: str, label: str = "统一社会信用代码") -> str | None:
        problem = p.uscc_problem(code)
        if problem:
            return problem.replace("统一社会信用代码", label, 1)
        if code not in self.units:
            return f"{label} {code} 不在单位名录"
        return None

    def region_problem(self, code: str, label: str = "产地区划代码") -> str | None:
        if not code:
            return f"{label}为空"
        if code not in self.regions:
            return f"{label} {code} 不在帮扶地区名录"
        return None


@dataclass
class Context:
    """One landed file being loaded (inside its own transaction)."""

    con: duckdb.DuckDBPyConnection
    config: Config
    ledger: Ledger
    registry: Registry
    outcome: FileOutcome
    path: Path  # absolute path of the landed file
    workdir: Path  # scratch space for this run
    writer: Writer = field(default_factory=Writer)
    rejected: list[QuarantineRow] = field(default_factory=list)
    clean_copy: bool = False  # set on a retry: read a normalised copy of the file

    @property
    def file_id(self) -> int:
        assert self.outcome.file_id is not None
        return self.outcome.file_id

    def reject(self, row_number: int | None, reason: str, raw: dict[str, Any] | None) -> None:
        self.rejected.append(QuarantineRow(row_number, reason, raw_json(raw) if raw else None))

    def flush_rejected(self) -> None:
        self.writer.add_quarantine(self.outcome, self.rejected)
        self.rejected = []


@dataclass(frozen=True)
class Col:
    """One expected column: its header label (money labels without `(元)`), target field,
    kind of value, whether the cell may be empty, and whether the column may be absent."""

    label: str
    field: str
    kind: str = "text"  # see parse_cell for the kinds
    required: bool = True
    values: tuple[str, ...] = ()  # enum values
    optional_column: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class HeaderMatch:
    row_index: int  # index into table.rows
    columns: dict[str, tuple[int, int]]  # field -> (cell index, money multiplier)
    names: list[str]  # the header cells as written (keys of the raw JSON)


def match_header(table: Table, cols: Iterable[Col]) -> HeaderMatch:
    """Find the header row among the first rows; raise UnreadableFile naming missing columns."""
    cols = list(cols)
    best: tuple[int, dict[str, tuple[int, int]]] | None = None
    for idx, (_, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        found = _match_row(cells, cols)
        if best is None or len(found) > len(best[1]):
            best = (idx, found)
        required = [c for c in cols if c.required and not c.optional_column]
        if all(c.field in found for c in required):
            _refuse_duplicates(cells, cols)
            names = [p.cell_text(c) or f"列{i + 1}" for i, c in enumerate(cells)]
            return HeaderMatch(idx, found, names)
    if best is None or not best[1]:
        raise UnreadableFile("找不到表头（前20行中没有可识别的列名）")
    missing = [
        c.label for c in cols if c.required and not c.optional_column and c.field not in best[1]
    ]
    raise UnreadableFile("缺少必需列: " + "、".join(missing))


def _refuse_duplicates(cells: list[Any], cols: list[Col]) -> None:
    """Two header cells naming the same expected column make the file ambiguous."""
    wanted = {p.header_unit(label)[0]: c for c in cols for label in (c.label, *c.aliases)}
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        col = wanted.get(p.header_unit(cell)[0])
        if col is None:
            continue
        if col.field in seen:
            raise UnreadableFile(
                f"表头列名重复: {col.label}（第{seen[col.field] + 1}列和第{i + 1}列），"
                "无法确定取哪一列"
            )
        seen[col.field] = i


def _match_row(cells: list[Any], cols: list[Col]) -> dict[str, tuple[int, int]]:
    wanted: dict[str, Col] = {}
    for c in cols:
        for label in (c.label, *c.aliases):
            wanted[p.header_unit(label)[0]] = c
    found: dict[str, tuple[int, int]] = {}
    for i, cell in enumerate(cells):
        base, scale = p.header_unit(cell)
        col = wanted.get(base)
        if col is not None and col.field not in found:
            found[col.field] = (i, scale)
    return found


def is_blank(cells: list[Any]) -> bool:
    return all(p.cell_text(c) == "" for c in cells)


RAW_CELL_CHARS = 2000  # longer cells are cut in the quarantine's JSON (the archive keeps all)


def raw_row(names: list[str], cells: list[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, cell in enumerate(cells):
        key = names[i] if i < len(names) else f"列{i + 1}"
        text = p.cell_text(cell)
        if len(text) > RAW_CELL_CHARS:
            text = f"{text[:RAW_CELL_CHARS]}…（截断，共{len(text)}字符）"
        out[key] = text
    return out


def parse_cell(col: Col, value: Any, scale: int, registry: Registry) -> tuple[Any, str | None]:
    """(parsed value, None) or (None, Chinese reason naming the column and the value)."""
    text = p.cell_text(value)
    if text == "":
        if col.required:
            return None, f"{col.label}为空"
        return None, None
    if len(text) > p.MAX_CELL_CHARS:
        return None, f"{col.label}内容过长（{len(text)}字符，上限{p.MAX_CELL_CHARS}）"
    if p.has_control_chars(text):
        return None, f"{col.label}含有控制字符: {_visible(text)}"
    try:
        parsed = _parse_kind(col, value, text, scale, registry)
    except ValueError:
        parsed = None
    if parsed is not None:
        problem = _implausible(col, parsed[0], text)
        return parsed if problem is None else (None, problem)
    what = {
        "money": "无法识别为金额",
        "decimal3": "无法识别为数字",
        "percent": "无法识别为比例",
        "int": "不是整数",
        "year": "不是有效年度",
        "quarter": "无法识别为季度",
        "bool": "无法识别为是/否",
    }.get(col.kind, "无法识别")
    return None, f"{col.label}{what}: {text}"


def _visible(text: str, limit: int = 60) -> str:
    """The text with control characters shown as \\xNN (for a quarantine reason)."""
    shown = "".join(f"\\x{ord(ch):02x}" if p.has_control_chars(ch) else ch for ch in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _implausible(col: Col, value: Any, text: str) -> str | None:
    """Chinese reason when a parsed value cannot be real (amount, date or period)."""
    if value is None:
        return None
    if col.kind == "money":
        if value < 0:
            return f"{col.label}为负数: {text}"
        if value >= p.MAX_AMOUNT_YUAN:
            return f"{col.label}超出合理范围（应小于1万亿元）: {text}"
    if col.kind in ("date", "datetime", "quarter"):
        year = value.year
        if not p.plausible_year(year):
            return f"{col.label}日期超出合理范围（{p.EARLIEST_YEAR}—{p.LATEST_YEAR}年）: {text}"
    return None


def _parse_kind(
    col: Col, value: Any, text: str, scale: int, registry: Registry
) -> tuple[Any, str | None] | None:
    """(value, reason) for the column's kind; None (or ValueError) when unparseable."""
    match col.kind:
        case "text":
            return text, None
        case "unit_code":
            code = p.normalize_code(text)
            return code, registry.unit_problem(code, col.label)
        case "uscc":
            code = p.normalize_code(text)
            return code, p.uscc_problem(code)
        case "region_code":
            code = p.normalize_code(text)
            ok = len(code) == 6 and code.isdigit()
            return code, None if ok else f"{col.label}不是6位行政区划代码: {text}"
        case "region":
            code = p.normalize_code(text)
            return code, registry.region_problem(code, col.label)
        case "money":
            return p.parse_decimal(value, scale=scale), None
        case "decimal3":
            return p.parse_decimal(value, places=3), None
        case "percent":
            return p.parse_percent(value), None
        case "int":
            return p.parse_int(value), None
        case "year":
            return p.parse_year(value), None
        case "date":
            return p.parse_date(value), None
        case "datetime":
            return p.parse_datetime(value), None
        case "quarter":
            return parse_quarter(p.to_halfwidth(text)), None
        case "enum":
            v = p.to_halfwidth(text).strip()
            if v not in col.values:
                return None, f"{col.label}不在取值范围（{'/'.join(col.values)}）: {text}"
            return v, None
        case "bool":
            return p.parse_bool(value), None
    return None


RowCheck = Callable[[dict[str, Any]], list[str]]


def split_period(rec: dict[str, Any]) -> dict[str, Any]:
    """A parsed 报送期 (`period`, a Quarter) as the raw layer's period_year/period_quarter."""
    q = rec.pop("period")
    rec["period_year"], rec["period_quarter"] = q.year, q.quarter
    return rec


def load_rows(
    ctx: Context,
    table: Table,
    cols: list[Col],
    target: str,
    check: RowCheck | None = None,
    transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Header, then every non-blank row: loaded into `target` or quarantined with reasons."""
    header = match_header(table, cols)
    records: list[dict[str, Any]] = []
    landed = 0
    for row_number, cells in table.rows[header.row_index + 1 :]:
        if is_blank(cells):
            continue
        landed += 1
        rec: dict[str, Any] = {}
        reasons: list[str] = []
        for col in cols:
            where = header.columns.get(col.field)
            if where is None:
                rec[col.field] = None
                continue
            idx, scale = where
            value = cells[idx] if idx < len(cells) else None
            parsed, reason = parse_cell(col, value, scale, ctx.registry)
            rec[col.field] = parsed
            if reason:
                reasons.append(reason)
        if not reasons and check is not None:
            reasons = check(rec)
        if reasons:
            ctx.reject(row_number, "；".join(reasons), raw_row(header.names, cells))
            continue
        if transform is not None:
            rec = transform(rec)
        rec["_file_id"] = ctx.file_id
        rec["_row_number"] = row_number
        records.append(rec)
    if landed == 0:
        raise UnreadableFile("文件只有表头，没有数据行")
    ctx.writer.add(target, records)
    ctx.outcome.rows_landed = landed
    ctx.outcome.rows_loaded = len(records)
    ctx.outcome.rows_quarantined = len(ctx.rejected)
    ctx.flush_rejected()


def insert_records(con: duckdb.DuckDBPyConnection, target: str, records: list[dict[str, Any]]):
    """Insert dicts (same keys) into `target` in one statement.

    Values travel as text lists (Decimal and dates print exactly) and are cast by the
    INSERT to the column types, so money never passes through a float.
    """
    if not records:
        return
    names = list(records[0])
    lists = [[_as_text(r[n]) for r in records] for n in names]
    cols = ", ".join(names)
    select = ", ".join("unnest(?::VARCHAR[])" for _ in names)
    con.execute(f"INSERT INTO {target} ({cols}) SELECT {select}", lists)


def _as_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return f"{v:f}"
    if isinstance(v, date | datetime):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    return str(v)
