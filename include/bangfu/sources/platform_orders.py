"""`platform_orders/*.csv` (SPEC §3.1): 832 platform order exports.

Large files (a million rows), so rows are never parsed one by one in Python: the file
is transcoded to UTF-8 if it is GBK (a streaming pass), DuckDB reads it with every
column as text (malformed lines go to its rejects table), and one SQL statement
normalises and validates every row (unit and region codes by casts to ENUM types
holding the registry, so the scan keeps file order without a window and runs on
every thread).
Each cell pays only for the parsing it needs: the file's own datetime format (found
on a sample) is tried first, the format list and the full-width/Chinese normalisation
only for the cells it does not fit. Every physical CSV record ends in
raw.platform_orders or in ledger.quarantine.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bangfu import parsing as p
from bangfu.readers import (
    RetryWithCleanCopy,
    Table,
    UnreadableFile,
    detect_encoding_fast,
    has_control_bytes,
    mixed_line_endings,
    read_workbook_rows,
    sniff_kind,
    transcode_to_utf8,
)
from bangfu.sources.common import Col, Context, match_header

PURCHASE_TYPES = ("食堂食材", "工会慰问", "其他")

COLUMNS = [
    Col("订单编号", "order_id"),
    Col("下单时间", "ordered_at", "datetime"),
    Col("更新时间", "updated_at", "datetime"),
    Col("采购单位名称", "buyer_name", required=False, optional_column=True),
    Col("采购单位统一社会信用代码", "buyer_code", "unit_code"),
    Col("供应商名称", "supplier_name", required=False, optional_column=True),
    Col("商品编码", "product_code", required=False, optional_column=True),
    Col("商品名称", "product_name", required=False, optional_column=True),
    Col("商品类别", "product_category", required=False, optional_column=True),
    Col("产地区划代码", "region_code", "region"),
    Col("数量", "quantity", "decimal3", required=False, optional_column=True),
    Col("单价", "unit_price_yuan", "money", required=False, optional_column=True),
    Col("订单金额", "order_amount_yuan", "money"),
    Col("退款金额", "refund_amount_yuan", "money", required=False, optional_column=True),
    Col("订单状态", "order_status"),
    Col("采购类型", "purchase_type", "enum", values=PURCHASE_TYPES),
]

TS_FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d', "
    "'%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y%m%d']"
)
# the formats exports are written in; each file's own is tried first (see _ts)
FAST_TS_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
)
_FW_DIGITS = "０１２３４５６７８９"
_HW_UPPER = "0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy"
_FW_UPPER = "".join(chr(ord(ch) + 0xFEE0) for ch in _HW_UPPER) + "\u3000"
_HW_UPPER += " "
NOT_NUMBER = "无法识别为数字"
NOT_MONEY = "无法识别为金额"
# a CSV line may be 10 MB; DuckDB's read buffer (scanned by one thread each) would be
# 16x that by default, a whole file: 16 MB buffers let several threads share a file
MAX_LINE, BUFFER = 10_000_000, 16_000_000
# temporary ENUM types holding the registry codes (see `_load_csv`)
UNIT_T, REGION_T = "_po_unit_code", "_po_region_code"


def _ts(x: str, fast: str = FAST_TS_FORMATS[0]) -> str:
    """SQL: a text cell to TIMESTAMP (null when no format fits).

    `fast` (the file's own format, see `_fast_ts_format`) is tried first on the cell as
    it is; only cells it does not fit pay for trimming, the format list and the
    full-width/Chinese normalisation.
    """
    slow = (
        f"trim(regexp_replace(replace(replace(replace(replace(translate({x}, "
        f"'{_FW_DIGITS}：－／　', '0123456789:-/ '), '年', '-'), '月', '-'), '日', ' '), "
        f"'/', '-'), '\\s+', ' ', 'g'))"
    )
    return (
        f"coalesce(try_strptime({x}, {_sql_str(fast)}), try_strptime(trim({x}), {TS_FORMATS}), "
        f"try_strptime({slow}, {TS_FORMATS}))"
    )


def _fast_ts_format(con, csv_path: Path, delim: str, header, sample: int = 500) -> str:
    """The format of FAST_TS_FORMATS that the file's first rows are written in.

    Chosen on a sample, and only if it parses every sampled cell it fits to the same
    value as the full expression (so it changes no result, only the speed).
    """
    idx = [header.columns[f][0] for f in ("ordered_at", "updated_at") if f in header.columns]
    cells: list[str] = []
    try:
        with open(csv_path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            rows = csv.reader(fh, delimiter=delim)
            next(rows, None)
            for n, row in enumerate(rows):
                if n >= sample:
                    break
                cells += [row[i] for i in idx if i < len(row)]
    except csv.Error:
        pass
    if not cells:
        return FAST_TS_FORMATS[0]
    con.execute("CREATE OR REPLACE TEMP TABLE _po_ts_sample (v VARCHAR)")
    con.execute("INSERT INTO _po_ts_sample SELECT unnest(?::VARCHAR[])", [cells])
    # one statement for all formats (a statement per format cost more than the test)
    counts = []
    for fmt in FAST_TS_FORMATS:
        f = f"try_strptime(v, {_sql_str(fmt)})"
        full = _ts("v", fmt).replace(f"{f}, ", "", 1)
        counts.append(
            f"count(*) FILTER (WHERE {f} IS NOT NULL), "
            f"count(*) FILTER (WHERE {f} IS NOT NULL AND {f} IS DISTINCT FROM {full})"
        )
    got = con.execute(f"SELECT {', '.join(counts)} FROM _po_ts_sample").fetchone()
    best, best_n = FAST_TS_FORMATS[0], 0
    for i, fmt in enumerate(FAST_TS_FORMATS):
        fits, wrong = got[2 * i], got[2 * i + 1]
        if wrong == 0 and fits > best_n:
            best, best_n = fmt, fits
    con.execute("DROP TABLE _po_ts_sample")
    return best


def _num(x: str, scale: int, places: int = 2) -> str:
    """SQL: a text cell to DECIMAL(18,places) in 元 (× scale), null when unparseable."""
    slow = (
        f"replace(replace(replace(replace(translate(trim({x}), "
        f"'{_FW_DIGITS}．，－＋', '0123456789.,-+'), ',', ''), ' ', ''), '¥', ''), '￥', '')"
    )
    if scale == 1:
        return (
            f"coalesce(try_cast(trim({x}) AS DECIMAL(18,{places})), "
            f"try_cast({slow} AS DECIMAL(18,{places})))"
        )
    wide = f"try_cast({slow} AS DECIMAL(30,8))"
    return f"CAST({wide} * {scale} AS DECIMAL(18,{places}))"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def load(ctx: Context) -> None:
    path = ctx.path
    if path.stat().st_size == 0:
        raise UnreadableFile("文件为空（0字节）")
    kind = sniff_kind(path)
    csv_path = ctx.workdir / f"{ctx.file_id}.csv"
    if kind != "csv":
        _workbook_to_csv(path, kind, csv_path)
        ctx.outcome.encoding = None
    else:
        encoding = detect_encoding_fast(path)
        ctx.outcome.encoding = encoding
        if encoding == "gb18030" or ctx.clean_copy or mixed_line_endings(path):
            transcode_to_utf8(path, encoding, csv_path)
        else:
            csv_path = path
    try:
        _load_csv(ctx, csv_path)
    except duckdb_errors() as exc:
        if csv_path == path and "CSV" in str(exc):
            raise RetryWithCleanCopy(str(exc)) from exc
        raise
    finally:
        if csv_path != path:
            csv_path.unlink(missing_ok=True)


def duckdb_errors() -> tuple[type[Exception], ...]:
    import duckdb

    return (duckdb.InvalidInputException,)


def _workbook_to_csv(path: Path, kind: str, out: Path) -> None:
    table, _ = read_workbook_rows(path, kind)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        for _, cells in table.rows:
            w.writerow([p.cell_text(c) for c in cells])


def _read_header(csv_path: Path) -> tuple[list[str], str]:
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise UnreadableFile("文件第一行为空，找不到表头")
    delim = "\t" if "," not in first and first.count("\t") >= 2 else ","
    cells = next(csv.reader(io.StringIO(first), delimiter=delim))
    return cells, delim


def _load_csv(ctx: Context, csv_path: Path) -> None:
    """One scan of the CSV into the temporary table `_po_typed` (every row parsed and
    checked once; reasons and raw JSON only for failing rows), then valid rows into
    raw.platform_orders and the others into ledger.quarantine.

    The scan has no window and no join (registry lookups are casts to ENUM types), so
    it runs on every thread and DuckDB keeps the file's order in the table
    (`preserve_insertion_order`): a record's number among the accepted ones is its
    `rowid` + 1, shifted past the CSV records DuckDB rejected (malformed lines).
    """
    con = ctx.con
    header_cells, delim = _read_header(csv_path)
    header = match_header(Table(rows=[(1, header_cells)], encoding=None, kind="csv"), COLUMNS)
    fid = ctx.file_id
    rej, scan = f"_po_rej_{fid}", f"_po_scan_{fid}"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header_cells))) + "}"

    def reader(store: bool) -> str:
        rejects = (
            f"store_rejects=true, rejects_table='{rej}', rejects_scan='{scan}'"
            if store
            else "ignore_errors=true"
        )
        return (
            f"read_csv({_sql_str(str(csv_path))}, "
            f"header=false, skip=1, columns={columns}, delim={_sql_str(delim)}, quote='\"', "
            f"escape='\"', auto_detect=false, max_line_size={MAX_LINE}, "
            f"buffer_size={BUFFER}, {rejects})"
        )

    # the registries as ENUM types: a lookup is a cast (a hash probe), not a join, so the
    # scan below keeps the file's order without a window and runs on every thread
    for name, col, table in (
        (UNIT_T, "unit_code", "raw.units"),
        (REGION_T, "region_code", "raw.regions"),
    ):
        con.execute(f"DROP TYPE IF EXISTS {name}")
        con.execute(
            f"CREATE TEMP TYPE {name} AS ENUM "
            f"(SELECT DISTINCT {col} FROM {table} WHERE {col} IS NOT NULL ORDER BY 1)"
        )
    inner, valid, reason = _normalised_select(
        header,
        _fast_ts_format(con, csv_path, delim, header),
        # the per-cell regex is a third of the statement's cost: skipped when no byte of
        # the file is a control character (so no cell can hold one)
        may_hold_control=has_control_bytes(csv_path),
    )
    out = {
        "order_id": "t_order_id",
        "ordered_at": "p_ordered_at",
        "updated_at": "p_updated_at",
        "buyer_name": "t_buyer_name",
        "buyer_code": "buyer_code",
        "supplier_name": "t_supplier_name",
        "product_code": "t_product_code",
        "product_name": "t_product_name",
        "product_category": "t_product_category",
        "region_code": "region_code",
        "quantity": "p_quantity",
        "unit_price_yuan": "p_unit_price_yuan",
        "order_amount_yuan": "p_order_amount_yuan",
        "refund_amount_yuan": "coalesce(p_refund_amount_yuan, 0)",
        "order_status": "t_order_status",
        "purchase_type": "purchase_type",
    }
    fields = [c.field for c in COLUMNS]
    json_pairs = ", ".join(
        f"{_sql_str(name or f'列{i + 1}')}, c{i}" for i, name in enumerate(header_cells)
    )
    keep = "".join(f", s.c{i}" for i in range(len(header_cells)))
    # one scan: every row parsed once; reasons and raw JSON only for the failing rows.
    # The row numbers rest on the table keeping the file's order: say so explicitly
    con.execute("SET preserve_insertion_order = true")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _po_typed AS
        SELECT {", ".join(f"{out[f]} AS {f}" for f in fields)}, ok,
            CASE WHEN NOT ok THEN {reason} END AS reason,
            CASE WHEN NOT ok THEN CAST(json_object({json_pairs}) AS VARCHAR) END AS raw
        FROM (
            SELECT *, {valid} AS ok
            FROM ({inner.replace("{src}", reader(True)).replace("{keep}", keep)})
        )
        """
    )
    # physical row numbers: accepted rows (k = 1, 2, ...) shifted past rejected records
    reject_lines = [
        r[0] for r in con.execute(f"SELECT DISTINCT line FROM {rej} ORDER BY line").fetchall()
    ]
    if reject_lines:
        thresholds: dict[int, int] = {}
        for j, line in enumerate(reject_lines, start=1):
            thresholds[line - 1 - j] = j  # accepted rows k > t come after j rejected records
        con.execute("CREATE OR REPLACE TEMP TABLE _po_off (t BIGINT, n BIGINT)")
        con.executemany("INSERT INTO _po_off VALUES (?, ?)", list(thresholds.items()))
        line_expr = "n.k + 1 + coalesce(o.n, 0)"
        off_join = "ASOF LEFT JOIN _po_off o ON n.k > o.t"
    else:
        line_expr = "n.k + 1"
        off_join = ""
    # the typed table holds the accepted records in file order, so k = rowid + 1 - the
    # first rowid (rows appended in an open transaction are numbered from a large base)
    first, last, n = con.execute(
        "SELECT min(rowid), max(rowid), count(*) FROM _po_typed"
    ).fetchone()
    if n and last - first + 1 != n:
        raise RuntimeError(f"_po_typed: rowids {first}..{last} are not dense for {n} rows")
    typed = f"(SELECT rowid + {1 - (first or 0)} AS k, * FROM _po_typed)"
    # the row numbers are columns now: the inserts need not keep the rows' order, which
    # lets DuckDB append in parallel instead of collecting ordered batches
    con.execute("SET preserve_insertion_order = false")
    try:
        loaded, bad = _insert(con, ctx, fields, typed, line_expr, off_join, rej)
    finally:
        con.execute("RESET preserve_insertion_order")
    for t in (rej, scan, "_po_off", "_po_typed"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    for t in (UNIT_T, REGION_T):
        con.execute(f"DROP TYPE IF EXISTS {t}")
    landed = loaded + bad + len(reject_lines)
    if landed == 0:
        raise UnreadableFile("文件只有表头，没有数据行")
    ctx.outcome.rows_landed = landed
    ctx.outcome.rows_loaded = loaded
    ctx.outcome.rows_quarantined = bad + len(reject_lines)


def _insert(con, ctx: Context, fields, typed: str, line_expr: str, off_join: str, rej: str):
    """Valid rows into raw.platform_orders, the others into ledger.quarantine: (loaded, bad)."""
    fid = ctx.file_id
    (loaded,) = con.execute(
        f"""
        INSERT INTO raw.platform_orders ({", ".join(fields)}, _file_id, _row_number)
        SELECT {", ".join("n." + f for f in fields)}, {fid}, {line_expr}
        FROM {typed} n {off_join} WHERE n.ok
        """
    ).fetchone()
    (bad,) = con.execute(
        f"""
        INSERT INTO ledger.quarantine
        SELECT ?, ?, ?, ?, {line_expr}, n.reason, n.raw
        FROM {typed} n {off_join} WHERE NOT n.ok
        """,
        ["platform_orders", fid, ctx.outcome.sha256, ctx.outcome.path],
    ).fetchone()
    con.execute(
        f"""
        INSERT INTO ledger.quarantine
        SELECT ?, ?, ?, ?, line,
            'CSV行格式错误（' || string_agg(DISTINCT error_type, '、') || '）: '
                || first(error_message),
            CAST(json_object('_csv_line', first(csv_line)) AS VARCHAR)
        FROM {rej} GROUP BY line
        """,
        ["platform_orders", fid, ctx.outcome.sha256, ctx.outcome.path],
    )
    return loaded, bad


_CHARSET_RE = "[0-9A-HJ-NPQRTUW-Y]{18}"


def _uscc_ok_sql(code: str) -> str:
    """SQL: the GB 32100 check character of `code` (18 chars of the charset) is right."""
    terms = " + ".join(
        f"(strpos('{p.USCC_CHARSET}', substr({code}, {i + 1}, 1)) - 1) * {w}"
        for i, w in enumerate(p.USCC_WEIGHTS)
    )
    return (
        f"substr('{p.USCC_CHARSET}', ((31 - ({terms}) % 31) % 31) + 1, 1) = substr({code}, 18, 1)"
    )


# control characters other than tab, LF and CR (SPEC §3: a cell holding them is damage)
_CONTROL_CLASS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"


def _normalised_select(
    header, fast_ts: str = FAST_TS_FORMATS[0], may_hold_control: bool = True
) -> tuple[str, str, str]:
    """(inner SELECT over `{src}`, the SQL test of a valid row, the SQL reason of an invalid one).

    The inner select parses every cell once (`t_*` the trimmed text, `p_*` the parsed
    value); the valid test is cheap booleans, so the reason strings are only built for
    the rows that fail it. `{src}` is left for the caller; `{keep}` adds raw cells.
    """
    cols = {c.field: c for c in COLUMNS}

    def c(field: str) -> str:
        where = header.columns.get(field)
        return f"s.c{where[0]}" if where else "NULL"

    def scale(field: str) -> int:
        where = header.columns.get(field)
        return where[1] if where else 1

    def label(field: str) -> str:
        lab = cols[field].label
        if cols[field].kind == "money":
            return f"{lab}({'万元' if scale(field) == 10000 else '元'})"
        return lab

    def code_norm(field: str) -> str:
        x = c(field)
        slow = f"upper(replace(translate(trim({x}), '{_FW_UPPER}', '{_HW_UPPER}'), ' ', ''))"
        # translate() is slow on 1M rows: only for codes that are not plain ASCII already
        return f"CASE WHEN regexp_full_match({x}, '[0-9A-Z]+') THEN {x} ELSE {slow} END"

    parsers = {
        "ordered_at": _ts(c("ordered_at"), fast_ts),
        "updated_at": _ts(c("updated_at"), fast_ts),
        "quantity": _num(c("quantity"), 1, places=3),
        "unit_price_yuan": _num(c("unit_price_yuan"), scale("unit_price_yuan")),
        "order_amount_yuan": _num(c("order_amount_yuan"), scale("order_amount_yuan")),
        "refund_amount_yuan": _num(c("refund_amount_yuan"), scale("refund_amount_yuan")),
    }
    texts = [
        "order_id",
        "buyer_name",
        "supplier_name",
        "product_code",
        "product_name",
        "product_category",
        "order_status",
        *parsers,
    ]
    types = ", ".join(f"'{t}'" for t in PURCHASE_TYPES)
    inner = f"""
        SELECT
            {", ".join(f"nullif(trim({c(f)}), '') AS t_{f}" for f in texts)},
            {", ".join(f"{expr} AS p_{f}" for f, expr in parsers.items())},
            s.buyer_code, s.region_code, s.purchase_type,
            try_cast(s.buyer_code AS {UNIT_T}) IS NOT NULL AS unit_known,
            try_cast(s.region_code AS {REGION_T}) IS NOT NULL AS region_known
            {{keep}}
        FROM (
            SELECT *, {code_norm("buyer_code")} AS buyer_code,
                {code_norm("region_code")} AS region_code,
                trim({c("purchase_type")}) AS purchase_type
            FROM {{src}} s
        ) s
    """

    def parsed_ok(f: str, required: bool) -> str:
        if required:
            return f"p_{f} IS NOT NULL"
        return f"(t_{f} IS NULL OR p_{f} IS NOT NULL)"

    text_cols = ", ".join(f"t_{f}" for f in texts if f not in parsers)
    control_free = (
        f"NOT regexp_matches(concat_ws('', {text_cols}), '{_CONTROL_CLASS}')"
        if may_hold_control
        else "true"
    )
    years = f"BETWEEN {p.EARLIEST_YEAR} AND {p.LATEST_YEAR}"

    def in_range(f: str) -> str:
        return f"(p_{f} IS NULL OR year(p_{f}) {years})"

    def non_negative(f: str) -> str:
        return f"(p_{f} IS NULL OR p_{f} >= 0)"

    valid = " AND ".join(
        [
            "t_order_id IS NOT NULL",
            control_free,
            parsed_ok("ordered_at", True),
            parsed_ok("updated_at", True),
            in_range("ordered_at"),
            in_range("updated_at"),
            non_negative("order_amount_yuan"),
            non_negative("refund_amount_yuan"),
            "unit_known",
            "region_known",
            parsed_ok("quantity", False),
            parsed_ok("unit_price_yuan", False),
            parsed_ok("order_amount_yuan", True),
            parsed_ok("refund_amount_yuan", False),
            "t_order_status IS NOT NULL",
            f"coalesce(purchase_type IN ({types}), false)",
        ]
    )

    def bad(f: str, what: str, required: bool) -> str:
        lab = label(f)
        empty = (
            f"WHEN t_{f} IS NULL THEN '{lab}为空'" if required else f"WHEN t_{f} IS NULL THEN NULL"
        )
        return f"CASE {empty} WHEN p_{f} IS NULL THEN '{lab}{what}: ' || t_{f} END"

    lab_code = "采购单位统一社会信用代码"

    def out_of_range(f: str) -> str:
        return (
            f"CASE WHEN NOT {in_range(f)} THEN '{label(f)}日期超出合理范围"
            f"（{p.EARLIEST_YEAR}—{p.LATEST_YEAR}年）: ' || t_{f} END"
        )

    def negative(f: str) -> str:
        return f"CASE WHEN NOT {non_negative(f)} THEN '{label(f)}为负数: ' || t_{f} END"

    reason = f"""concat_ws('；',
        CASE WHEN t_order_id IS NULL THEN '订单编号为空' END,
        CASE WHEN NOT {control_free} THEN '含有控制字符' END,
        {bad("ordered_at", "无法识别", True)},
        {bad("updated_at", "无法识别", True)},
        {out_of_range("ordered_at")},
        {out_of_range("updated_at")},
        {negative("order_amount_yuan")},
        {negative("refund_amount_yuan")},
        CASE
            WHEN unit_known THEN NULL
            WHEN coalesce(buyer_code, '') = '' THEN '{lab_code}为空'
            WHEN NOT regexp_full_match(buyer_code, '{_CHARSET_RE}')
                THEN '{lab_code}格式错误（应为18位）: ' || buyer_code
            WHEN NOT ({_uscc_ok_sql("buyer_code")})
                THEN '{lab_code}校验位错误: ' || buyer_code
            ELSE '{lab_code} ' || buyer_code || ' 不在单位名录' END,
        CASE
            WHEN region_known THEN NULL
            WHEN coalesce(region_code, '') = '' THEN '产地区划代码为空'
            ELSE '产地区划代码 ' || region_code || ' 不在帮扶地区名录' END,
        {bad("quantity", NOT_NUMBER, False)},
        {bad("unit_price_yuan", NOT_MONEY, False)},
        {bad("order_amount_yuan", NOT_MONEY, True)},
        {bad("refund_amount_yuan", NOT_MONEY, False)},
        CASE WHEN t_order_status IS NULL THEN '订单状态为空' END,
        CASE WHEN coalesce(purchase_type, '') = '' THEN '采购类型为空'
             WHEN purchase_type NOT IN ({types})
             THEN '采购类型不在取值范围（{"/".join(PURCHASE_TYPES)}）: ' || purchase_type
        END)"""
    return inner, valid, reason
