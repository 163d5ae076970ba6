"""The bad-input corpus: small builders that write one hostile landed file (or folder entry)
each, with what ingestion must make of it.

Every case writes into a landing folder that already holds `reference/units.csv` (the
registry below) and a clean canteen file (`canteen/clean.csv`, 2 valid rows), so each
test also proves that the bad input neither crashed the run nor cost another file its rows.

Expectations:
- `FileQ(path, reason)`: the file is in the ledger as quarantined, with one file-level
  quarantine row whose reason contains `reason`, and no rows loaded;
- `RowQ(path, row, reason)`: row `row` (physical, 1-based) of the file is quarantined with a
  reason containing `reason`;
- `Counts(path, landed, loaded, quarantined)`: the ledger's counts for the file;
- `Value(path, table, column, row, value)`: the loaded value of `column` in `table` for the
  file's row `row` (compared as text);
- `Absent(path)`: the entry is not in the ledger (never read), and nothing was archived
  from outside the landing.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from support.spec_headers import (
    CANTEEN_HEADER,
    CATALOGUE_HEADER,
    ORDER_HEADER,
    REPORT_HEADER,
    SITES_HEADER,
    UNION_HEADER,
)

from bangfu.parsing import uscc_check_char


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


UNIT_A = uscc("91440101MA5AAAAA0")
UNIT_B = uscc("11440100MB0BBBBB1")
BAD_CHECK = UNIT_A[:17] + ("0" if UNIT_A[17] != "0" else "1")
REGION = "520502"  # in the packaged regions.csv

UNITS_HEADER = ["unit_code", "unit_name", "unit_type", "district", "must_report", "valid_from"]
UNITS = [
    [UNIT_A, "广州某某集团有限公司", "国企", "", "true", "2020-01-01"],
    [UNIT_B, "广州市某某局", "市直单位", "", "true", "2020-01-01"],
]


def canteen_row(code=UNIT_A, year="2026", budget="1000", ratio="30%", reserved="300", name="甲"):
    return [name, code, year, "有", budget, ratio, reserved]


def site_row(code="S001", period="2026Q3", sales="1000.00", opened="2024-01-01", kind="专柜"):
    return [code, kind, "天河专柜", "天河区", "某公司", opened, "运营中", period, sales]


def catalogue_row(code="P001", updated="2026-07-01", region=REGION, price="12.50"):
    return [
        code,
        "大方天麻",
        "农副产品",
        region,
        "毕节某某公司",
        price,
        "斤",
        "1000吨",
        "全年",
        "12",
        "在库",
        "",
        updated,
    ]


def union_row(code=UNIT_A, period="2026Q3", total="100000", special="60000"):
    return ["甲", code, "2026", period, total, special]


def order_row(oid="O1", ordered="2026-07-03 10:00:00", code=UNIT_A, amount="100.00", region=REGION):
    return [
        oid,
        ordered,
        ordered,
        "广州某某集团有限公司",
        code,
        "毕节某某农业公司",
        "P001",
        "大方天麻",
        "农副产品",
        region,
        "2",
        "50.00",
        amount,
        "",
        "已完成",
        "食堂食材",
    ]


def csv_text(header, rows, newline="\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def put(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def xlsx_bytes(rows, formulas=(), errors=()) -> bytes:
    """A workbook (first sheet from A1); formulas: (row, col, formula, cached value)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, datetime):
                ws.write_datetime(r, c, v, date_format)
            elif v is not None and v != "":
                ws.write(r, c, v)
    for r, c, formula, cached in formulas:
        ws.write_formula(r, c, formula, None, cached)
    wb.close()
    return buf.getvalue()


def report_rows(lines, period="2026年第3季度", submitted="2026-10-08", code=UNIT_A, total=None):
    rows = [
        ["广州某某集团有限公司消费帮扶情况季报"],
        ["填报单位", "广州某某集团有限公司", "", "统一社会信用代码", code],
        ["报送期", period, "", "填报日期", submitted],
        REPORT_HEADER,
        *lines,
    ]
    if total is not None:
        rows.append(["合计", "", "", "", total])
    return rows


def report_line(n=1, amount=1.5, channel="专柜", region=REGION):
    return [n, channel, region, "七星关区", amount, f"PZ-{n:04d}", 1, ""]


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xlsx_members(rows) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows))) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def size_bomb() -> bytes:
    """A real workbook whose central directory claims a 10 GB sheet (a lying zip bomb)."""
    data = bytearray(_zip(_xlsx_members([CANTEEN_HEADER, canteen_row()])))
    sig = b"PK\x01\x02"
    pos = data.find(sig)
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        name = bytes(data[pos + 46 : pos + 46 + name_len])
        if name == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, pos + 24, 0xFFFFFFF0)  # uncompressed size
        pos = data.find(sig, pos + 4)
    return bytes(data)


def ratio_bomb() -> bytes:
    """A workbook with a 40 MB member of blanks that deflates to ~40 KB."""
    members = _xlsx_members([CANTEEN_HEADER, canteen_row()])
    members["xl/sharedStrings.xml"] = b"<sst>" + b" " * (40 * 1024 * 1024) + b"</sst>"
    return _zip(members)


def corrupt_sheet_xml() -> bytes:
    members = _xlsx_members([CANTEEN_HEADER, canteen_row()])
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'>"
    return _zip(members)


# --- expectations -----------------------------------------------------------------


@dataclass(frozen=True)
class FileQ:
    path: str
    reason: str


@dataclass(frozen=True)
class RowQ:
    path: str
    row: int
    reason: str


@dataclass(frozen=True)
class Counts:
    path: str
    landed: int
    loaded: int
    quarantined: int


@dataclass(frozen=True)
class Value:
    path: str
    table: str
    column: str
    row: int
    value: str | None


@dataclass(frozen=True)
class Absent:
    path: str


@dataclass
class Case:
    id: str
    category: str
    build: Callable[[Path], None]
    expect: list = field(default_factory=list)
    needs: str | None = None  # a fix outside this area that the case waits for (xfail)


CASES: list[Case] = []


def case(id: str, category: str, *expect, needs: str | None = None):
    def deco(fn: Callable[[Path], None]):
        CASES.append(Case(id, category, fn, list(expect), needs))
        return fn

    return deco


UGLY = Path(__file__).resolve().parents[1] / "fixtures" / "ugly"

# --- truncated and corrupt workbooks --------------------------------------------------


@case("xlsx-truncated-half", "corrupt xlsx", FileQ("canteen/t.xlsx", "zip结构损坏"))
def _(root: Path):
    data = xlsx_bytes([CANTEEN_HEADER, canteen_row()])
    put(root / "canteen/t.xlsx", data[: len(data) // 2])


@case("xlsx-truncated-fixture", "corrupt xlsx", FileQ("unit_reports/t.xlsx", "不是有效的xlsx"))
def _(root: Path):
    put(root / "unit_reports/t.xlsx", (UGLY / "truncated.xlsx").read_bytes())


@case("xlsx-corrupt-fixture", "corrupt xlsx", FileQ("unit_reports/c.xlsx", "xlsx"))
def _(root: Path):
    put(root / "unit_reports/c.xlsx", (UGLY / "corrupt_report.xlsx").read_bytes())


@case("xlsx-zip-magic-then-garbage", "corrupt xlsx", FileQ("sites/g.xlsx", "zip结构损坏"))
def _(root: Path):
    put(root / "sites/g.xlsx", b"PK\x03\x04" + os.urandom(0) + b"\x00\x01garbage" * 50)


@case("xlsx-zip-without-workbook", "corrupt xlsx", FileQ("catalogue/z.xlsx", "xl/workbook.xml"))
def _(root: Path):
    put(root / "catalogue/z.xlsx", _zip({"readme.txt": b"not a workbook"}))


@case("xlsx-broken-sheet-xml", "corrupt xlsx", FileQ("canteen/b.xlsx", "工作簿无法读取"))
def _(root: Path):
    put(root / "canteen/b.xlsx", corrupt_sheet_xml())


@case("xls-ole-magic-garbage", "corrupt xlsx", FileQ("canteen/o.xls", "工作簿无法读取"))
def _(root: Path):
    put(root / "canteen/o.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


@case("report-html-saved-as-xlsx", "corrupt xlsx", FileQ("unit_reports/h.xlsx", "网页（HTML）"))
def _(root: Path):
    put(root / "unit_reports/h.xlsx", "<!DOCTYPE html><html><body>报表</body></html>")


@case("orders-xlsx-truncated", "corrupt xlsx", FileQ("platform_orders/o.xlsx", "zip结构损坏"))
def _(root: Path):
    data = xlsx_bytes([ORDER_HEADER, order_row()])
    put(root / "platform_orders/o.xlsx", data[: len(data) - 300])


# --- zip bombs --------------------------------------------------------------------


@case("xlsx-bomb-declared-10GB", "zip bomb", FileQ("canteen/bomb.xlsx", "超过上限"))
def _(root: Path):
    put(root / "canteen/bomb.xlsx", size_bomb())


@case("xlsx-bomb-ratio", "zip bomb", FileQ("unit_reports/bomb.xlsx", "压缩比异常"))
def _(root: Path):
    put(root / "unit_reports/bomb.xlsx", ratio_bomb())


@case("orders-xlsx-bomb", "zip bomb", FileQ("platform_orders/bomb.xlsx", "压缩比异常"))
def _(root: Path):
    put(root / "platform_orders/bomb.xlsx", ratio_bomb())


# --- encodings --------------------------------------------------------------------


@case("csv-utf16le-bom", "encoding", FileQ("canteen/u16.csv", "UTF-16"))
def _(root: Path):
    put(root / "canteen/u16.csv", csv_text(CANTEEN_HEADER, [canteen_row()]), "utf-16")


@case("csv-utf16be-no-bom", "encoding", FileQ("sites/u16.csv", "UTF-16"))
def _(root: Path):
    put(root / "sites/u16.csv", csv_text(SITES_HEADER, [site_row()]), "utf-16-be")


@case("orders-utf16", "encoding", FileQ("platform_orders/u16.csv", "UTF-16"))
def _(root: Path):
    put(root / "platform_orders/u16.csv", csv_text(ORDER_HEADER, [order_row()]), "utf-16")


@case("csv-latin1-mojibake-header", "encoding", FileQ("canteen/moji.csv", "表头"))
def _(root: Path):
    text = csv_text(CANTEEN_HEADER, [canteen_row()])
    put(root / "canteen/moji.csv", text.encode("utf-8").decode("latin-1"))


@case("csv-mixed-utf8-and-gbk-rows", "encoding", FileQ("canteen/mixed.csv", "编码无法识别"))
def _(root: Path):
    head = csv_text(CANTEEN_HEADER, [canteen_row()]).encode("utf-8")
    tail = csv_text(None, [canteen_row(code=UNIT_B, name="乙单位")]).encode("gbk")
    put(root / "canteen/mixed.csv", head + tail)


@case("csv-bom-then-gbk", "encoding", FileQ("sites/bomgbk.csv", "BOM"))
def _(root: Path):
    put(
        root / "sites/bomgbk.csv",
        b"\xef\xbb\xbf" + csv_text(SITES_HEADER, [site_row()]).encode("gbk"),
    )


@case("orders-bom-then-gbk", "encoding", FileQ("platform_orders/bomgbk.csv", "BOM"))
def _(root: Path):
    data = csv_text(ORDER_HEADER, [order_row()]).encode("gbk")
    put(root / "platform_orders/bomgbk.csv", b"\xef\xbb\xbf" + data)


@case(
    "csv-gbk-clean",
    "encoding",
    Counts("union_welfare/gbk.csv", 1, 1, 0),
    Value("union_welfare/gbk.csv", "raw.union_welfare", "unit_name", 2, "甲"),
)
def _(root: Path):
    put(root / "union_welfare/gbk.csv", csv_text(UNION_HEADER, [union_row()]), "gbk")


@case("csv-utf8-bom-clean", "encoding", Counts("sites/bom.csv", 1, 1, 0))
def _(root: Path):
    put(root / "sites/bom.csv", csv_text(SITES_HEADER, [site_row()]), "utf-8-sig")


# --- empty and header-only --------------------------------------------------------


@case("csv-zero-bytes", "empty", FileQ("canteen/empty.csv", "文件为空"))
def _(root: Path):
    put(root / "canteen/empty.csv", (UGLY / "empty.csv").read_bytes())


@case("xlsx-zero-bytes", "empty", FileQ("unit_reports/empty.xlsx", "文件为空"))
def _(root: Path):
    put(root / "unit_reports/empty.xlsx", b"")


@case("orders-zero-bytes", "empty", FileQ("platform_orders/empty.csv", "文件为空"))
def _(root: Path):
    put(root / "platform_orders/empty.csv", b"")


@case("csv-header-only", "empty", FileQ("catalogue/h.csv", "只有表头"))
def _(root: Path):
    put(root / "catalogue/h.csv", csv_text(CATALOGUE_HEADER, []))


@case("orders-header-only", "empty", FileQ("platform_orders/h.csv", "只有表头"))
def _(root: Path):
    put(root / "platform_orders/h.csv", csv_text(ORDER_HEADER, []))


@case("csv-blank-lines-only", "empty", FileQ("canteen/blank.csv", "找不到表头"))
def _(root: Path):
    put(root / "canteen/blank.csv", "\n\n   \n,,,\n")


@case("csv-bom-only", "empty", FileQ("sites/bomonly.csv", "找不到表头"))
def _(root: Path):
    put(root / "sites/bomonly.csv", b"\xef\xbb\xbf")


@case("xlsx-empty-sheet", "empty", FileQ("canteen/empty.xlsx", "找不到表头"))
def _(root: Path):
    put(root / "canteen/empty.xlsx", xlsx_bytes([]))


@case(
    "report-header-only",
    "empty",
    Counts("unit_reports/r.xlsx", 0, 0, 0),
    Value("unit_reports/r.xlsx", "raw.unit_reports", "period_quarter", None, "3"),
)
def _(root: Path):
    put(root / "unit_reports/r.xlsx", xlsx_bytes(report_rows([])))


# --- duplicated, missing, misplaced columns ----------------------------------------


@case("csv-duplicated-column", "columns", FileQ("canteen/dup.csv", "列名重复"))
def _(root: Path):
    header = [*CANTEEN_HEADER, "年度"]
    put(root / "canteen/dup.csv", csv_text(header, [[*canteen_row(), "2025"]]))


@case("orders-duplicated-column", "columns", FileQ("platform_orders/dup.csv", "列名重复"))
def _(root: Path):
    header = [*ORDER_HEADER, "订单金额（元）"]
    put(root / "platform_orders/dup.csv", csv_text(header, [[*order_row(), "999.00"]]))


@case("csv-missing-required-column", "columns", FileQ("sites/miss.csv", "缺少必需列: 报送期"))
def _(root: Path):
    header = [h for h in SITES_HEADER if h != "报送期"]
    row = [v for h, v in zip(SITES_HEADER, site_row(), strict=True) if h != "报送期"]
    put(root / "sites/miss.csv", csv_text(header, [row]))


@case("report-missing-amount-column", "columns", FileQ("unit_reports/m.xlsx", "缺少必需列: 金额"))
def _(root: Path):
    rows = report_rows([report_line()])
    rows[3] = [h if not h.startswith("金额") else "数额" for h in rows[3]]
    put(root / "unit_reports/m.xlsx", xlsx_bytes(rows))


@case(
    "csv-extra-and-reordered-columns",
    "columns",
    Counts("canteen/extra.csv", 1, 1, 0),
    Value("canteen/extra.csv", "raw.canteen_plans", "reserved_yuan", 2, "300.00"),
)
def _(root: Path):
    header = ["备注", *reversed(CANTEEN_HEADER), "联系人"]
    put(root / "canteen/extra.csv", csv_text(header, [["x", *reversed(canteen_row()), "张三"]]))


@case("csv-header-below-scan-window", "columns", FileQ("canteen/deep.csv", "找不到表头"))
def _(root: Path):
    put(root / "canteen/deep.csv", "说明\n" * 25 + csv_text(CANTEEN_HEADER, [canteen_row()]))


@case(
    "csv-fullwidth-headers-wan",
    "columns",
    Value("canteen/fw.csv", "raw.canteen_plans", "budget_yuan", 2, "12000000.00"),
)
def _(root: Path):
    header = [
        " 单位名称 ",
        "统一社会信用代码",
        "年度",
        "有无食堂",
        "年度食堂食材采购预算（万元）",
        "预留比例",
        "预留份额（万元）",
    ]
    put(root / "canteen/fw.csv", csv_text(header, [canteen_row(budget="1,200", reserved="360")]))


# --- formulas and error cells -------------------------------------------------------


@case(
    "xlsx-div0-in-amount",
    "formulas",
    RowQ("unit_reports/div0.xlsx", 6, "金额为空"),
    Counts("unit_reports/div0.xlsx", 2, 1, 1),
)
def _(root: Path):
    rows = report_rows([report_line(1, 1.5), report_line(2, None)])
    put(root / "unit_reports/div0.xlsx", xlsx_bytes(rows, formulas=[(5, 4, "=1/0", "#DIV/0!")]))


@case(
    "xlsx-ref-error-in-code",
    "formulas",
    RowQ("canteen/ref.xlsx", 3, "统一社会信用代码"),
    Counts("canteen/ref.xlsx", 2, 1, 1),
)
def _(root: Path):
    rows = [CANTEEN_HEADER, canteen_row(), canteen_row(code=None)]
    put(root / "canteen/ref.xlsx", xlsx_bytes(rows, formulas=[(2, 1, "=#REF!", "#REF!")]))


@case(
    "xlsx-formula-cached-value",
    "formulas",
    Value("sites/f.xlsx", "raw.sites", "sales_yuan", 2, "300.00"),
)
def _(root: Path):
    rows = [SITES_HEADER, site_row(sales=None)]
    put(root / "sites/f.xlsx", xlsx_bytes(rows, formulas=[(1, 8, "=100+200", 300)]))


@case(
    "csv-formula-text-kept-as-text",
    "formulas",
    Value("canteen/inj.csv", "raw.canteen_plans", "unit_name", 2, '=HYPERLINK("http://x","y")'),
)
def _(root: Path):
    put(
        root / "canteen/inj.csv",
        csv_text(CANTEEN_HEADER, [canteen_row(name='=HYPERLINK("http://x","y")')]),
    )


# --- control characters and NUL bytes ------------------------------------------------


@case(
    "csv-nul-byte-in-cell",
    "control chars",
    Counts("canteen/nul.csv", 2, 1, 1),
    RowQ("canteen/nul.csv", 3, "控制字符"),
)
def _(root: Path):
    put(
        root / "canteen/nul.csv",
        csv_text(CANTEEN_HEADER, [canteen_row(), canteen_row(name="甲\x00乙", code=UNIT_B)]),
    )


@case(
    "csv-control-chars-in-text",
    "control chars",
    Counts("canteen/ctl.csv", 1, 0, 1),
    RowQ("canteen/ctl.csv", 2, "控制字符"),
)
def _(root: Path):
    put(root / "canteen/ctl.csv", csv_text(CANTEEN_HEADER, [canteen_row(name="甲\x1b[31m\x07")]))


@case(
    "orders-nul-byte",
    "control chars",
    Counts("platform_orders/nul.csv", 2, 1, 1),
    RowQ("platform_orders/nul.csv", 3, "控制字符"),
)
def _(root: Path):
    rows = [order_row("O1"), order_row("O2\x00X")]
    put(root / "platform_orders/nul.csv", csv_text(ORDER_HEADER, rows))


@case(
    "csv-zero-width-space-in-code",
    "control chars",
    RowQ("canteen/zw.csv", 2, "统一社会信用代码格式错误"),
)
def _(root: Path):
    put(
        root / "canteen/zw.csv",
        csv_text(CANTEEN_HEADER, [canteen_row(code=UNIT_A[:5] + "\u200b" + UNIT_A[5:])]),
    )


# --- enormous cells and rows ---------------------------------------------------------


@case(
    "csv-1MB-cell",
    "enormous",
    Counts("catalogue/big.csv", 1, 0, 1),
    RowQ("catalogue/big.csv", 2, "内容过长"),
)
def _(root: Path):
    row = catalogue_row()
    row[1] = "天" * (1024 * 1024)
    put(root / "catalogue/big.csv", csv_text(CATALOGUE_HEADER, [row]))


@case("orders-1MB-cell", "enormous", Counts("platform_orders/big.csv", 2, 2, 0))
def _(root: Path):
    row = order_row("O2")
    row[7] = "麻" * (1024 * 1024)
    put(root / "platform_orders/big.csv", csv_text(ORDER_HEADER, [order_row("O1"), row]))


@case(
    "csv-10000-columns",
    "enormous",
    Counts("canteen/wide.csv", 2, 1, 1),
    RowQ("canteen/wide.csv", 3, "校验位错误"),
)
def _(root: Path):
    extra = [f"x{i}" for i in range(10_000)]
    rows = [[*canteen_row(), *extra], [*canteen_row(code=BAD_CHECK), *extra]]
    put(root / "canteen/wide.csv", csv_text([*CANTEEN_HEADER, *extra], rows))


@case("xlsx-10000-columns", "enormous", Counts("sites/wide.xlsx", 1, 1, 0))
def _(root: Path):
    extra = [f"c{i}" for i in range(10_000)]
    put(root / "sites/wide.xlsx", xlsx_bytes([[*SITES_HEADER, *extra], [*site_row(), *extra]]))


@case("csv-5MB-single-line", "enormous", FileQ("canteen/line.csv", "找不到表头"))
def _(root: Path):
    put(root / "canteen/line.csv", b"a" * (5 * 1024 * 1024))


# --- odd file names --------------------------------------------------------------


@case("name-backslash-and-quotes", "names", Counts("canteen/a\\b'\";--.csv", 1, 1, 0))
def _(root: Path):
    put(root / "canteen/a\\b'\";--.csv", csv_text(CANTEEN_HEADER, [canteen_row(year="2025")]))


@case("name-newline-and-dash", "names", Counts("sites/-rf\n.csv", 1, 1, 0))
def _(root: Path):
    put(root / "sites/-rf\n.csv", csv_text(SITES_HEADER, [site_row()]))


@case("name-not-utf8", "names", Counts("canteen/\\xb2\\xe2.csv", 1, 1, 0))
def _(root: Path):
    name = os.fsdecode(b"\xb2\xe2.csv")  # GBK bytes of 测 in a name: not UTF-8
    put(root / "canteen" / name, csv_text(CANTEEN_HEADER, [canteen_row(year="2024")]))


@case("name-dotdot-and-long", "names", Counts("sites/a..%2F.." + "站" * 70 + ".CSV", 1, 1, 0))
def _(root: Path):
    put(root / "sites" / ("a..%2F.." + "站" * 70 + ".CSV"), csv_text(SITES_HEADER, [site_row()]))


@case("name-no-extension", "names", Counts("union_welfare/report", 1, 1, 0))
def _(root: Path):
    put(root / "union_welfare/report", csv_text(UNION_HEADER, [union_row()]))


@case("same-bytes-twice", "names", Counts("sites/a.csv", 1, 1, 0), Absent("sites/b.csv"))
def _(root: Path):
    put(root / "sites/a.csv", csv_text(SITES_HEADER, [site_row()]))
    put(root / "sites/b.csv", csv_text(SITES_HEADER, [site_row()]))


# --- symlinks and directories ------------------------------------------------------


SECRET = "机密,不可读取\n" * 3


@case("symlink-to-file-outside", "symlinks", FileQ("canteen/link.csv", "符号链接"))
def _(root: Path):
    outside = put(
        root.parent / "outside" / "secret.csv", csv_text(CANTEEN_HEADER, [canteen_row(name=SECRET)])
    )
    (root / "canteen").mkdir(parents=True, exist_ok=True)
    (root / "canteen/link.csv").symlink_to(outside)


@case(
    "symlink-to-file-inside",
    "symlinks",
    FileQ("sites/link.csv", "符号链接"),
    Counts("sites/real.csv", 1, 1, 0),
)
def _(root: Path):
    real = put(root / "sites/real.csv", csv_text(SITES_HEADER, [site_row()]))
    (root / "sites/link.csv").symlink_to(real)


@case("symlink-to-dir-outside", "symlinks", Absent("catalogue/linked/secret.csv"))
def _(root: Path):
    outside = root.parent / "outside_dir"
    put(outside / "secret.csv", csv_text(CATALOGUE_HEADER, [catalogue_row()]))
    (root / "catalogue").mkdir(parents=True, exist_ok=True)
    (root / "catalogue/linked").symlink_to(outside, target_is_directory=True)


@case("symlink-dangling", "symlinks", FileQ("sites/dangling.csv", "符号链接"))
def _(root: Path):
    (root / "sites").mkdir(parents=True, exist_ok=True)
    (root / "sites/dangling.csv").symlink_to(root.parent / "does-not-exist.csv")


@case("symlink-orders-to-outside", "symlinks", FileQ("platform_orders/link.csv", "符号链接"))
def _(root: Path):
    outside = put(root.parent / "outside" / "o.csv", csv_text(ORDER_HEADER, [order_row()]))
    (root / "platform_orders").mkdir(parents=True, exist_ok=True)
    (root / "platform_orders/link.csv").symlink_to(outside)


@case("directory-named-like-xlsx", "directories", Absent("unit_reports/report.xlsx"))
def _(root: Path):
    (root / "unit_reports/report.xlsx").mkdir(parents=True)


@case(
    "directory-named-like-csv-with-file",
    "directories",
    Counts("platform_orders/x.csv/inner.csv", 1, 1, 0),
)
def _(root: Path):
    put(root / "platform_orders/x.csv/inner.csv", csv_text(ORDER_HEADER, [order_row()]))


# --- dates from the wrong period ---------------------------------------------------


@case(
    "date-year-1900",
    "dates",
    RowQ("catalogue/d1900.csv", 2, "日期超出合理范围"),
    Counts("catalogue/d1900.csv", 2, 1, 1),
)
def _(root: Path):
    rows = [catalogue_row(updated="1900-01-01"), catalogue_row("P2")]
    put(root / "catalogue/d1900.csv", csv_text(CATALOGUE_HEADER, rows))


@case("date-year-2099", "dates", RowQ("sites/d2099.csv", 2, "日期超出合理范围"))
def _(root: Path):
    put(root / "sites/d2099.csv", csv_text(SITES_HEADER, [site_row(opened="2099-01-01")]))


@case("xlsx-date-cell-1901", "dates", RowQ("catalogue/d0.xlsx", 2, "日期超出合理范围"))
def _(root: Path):
    row: list = catalogue_row()
    row[-1] = datetime(1901, 6, 30)
    put(root / "catalogue/d0.xlsx", xlsx_bytes([CATALOGUE_HEADER, row]))


@case("period-quarter-5", "dates", RowQ("union_welfare/q5.csv", 2, "报送期无法识别为季度"))
def _(root: Path):
    put(root / "union_welfare/q5.csv", csv_text(UNION_HEADER, [union_row(period="2026Q5")]))


@case("period-year-2099", "dates", RowQ("sites/p2099.csv", 2, "报送期"))
def _(root: Path):
    put(root / "sites/p2099.csv", csv_text(SITES_HEADER, [site_row(period="2099年第1季度")]))


@case("report-for-quarter-not-yet-begun", "dates", FileQ("unit_reports/future.xlsx", "早于"))
def _(root: Path):
    rows = report_rows([report_line()], period="2027年第2季度", submitted="2026-10-08")
    put(root / "unit_reports/future.xlsx", xlsx_bytes(rows))


@case(
    "orders-date-1900-and-2099",
    "dates",
    Counts("platform_orders/d.csv", 3, 1, 2),
    RowQ("platform_orders/d.csv", 3, "超出合理范围"),
)
def _(root: Path):
    rows = [
        order_row("O1"),
        order_row("O2", ordered="1900-01-01 00:00:00"),
        order_row("O3", ordered="2099-12-31 10:00:00"),
    ]
    put(root / "platform_orders/d.csv", csv_text(ORDER_HEADER, rows))


# --- codes with bad check characters ------------------------------------------------


@case("code-bad-check-char", "codes", RowQ("canteen/chk.csv", 2, "校验位错误"))
def _(root: Path):
    put(root / "canteen/chk.csv", csv_text(CANTEEN_HEADER, [canteen_row(code=BAD_CHECK)]))


@case("code-forbidden-letters", "codes", RowQ("canteen/iozsv.csv", 2, "格式错误"))
def _(root: Path):
    put(
        root / "canteen/iozsv.csv",
        csv_text(CANTEEN_HEADER, [canteen_row(code="91440101MA5IOZSV0X")]),
    )


@case(
    "code-fullwidth-lowercase",
    "codes",
    Value("union_welfare/fw.csv", "raw.union_welfare", "unit_code", 2, UNIT_A),
)
def _(root: Path):
    fw = "".join(chr(ord(c) + 0xFEE0) for c in UNIT_A.lower())
    put(root / "union_welfare/fw.csv", csv_text(UNION_HEADER, [union_row(code=f" {fw} ")]))


@case(
    "orders-bad-check-char",
    "codes",
    RowQ("platform_orders/chk.csv", 3, "校验位错误"),
    Counts("platform_orders/chk.csv", 2, 1, 1),
)
def _(root: Path):
    rows = [order_row("O1"), order_row("O2", code=BAD_CHECK)]
    put(root / "platform_orders/chk.csv", csv_text(ORDER_HEADER, rows))


@case("report-header-code-bad-check", "codes", FileQ("unit_reports/chk.xlsx", "校验位错误"))
def _(root: Path):
    put(root / "unit_reports/chk.xlsx", xlsx_bytes(report_rows([report_line()], code=BAD_CHECK)))


@case("region-code-not-eligible", "codes", RowQ("catalogue/reg.csv", 2, "不在帮扶地区名录"))
def _(root: Path):
    put(root / "catalogue/reg.csv", csv_text(CATALOGUE_HEADER, [catalogue_row(region="440106")]))


# --- negative and absurd amounts ----------------------------------------------------


@case("amount-negative", "amounts", RowQ("sites/neg.csv", 2, "本期销售额为负数"))
def _(root: Path):
    put(root / "sites/neg.csv", csv_text(SITES_HEADER, [site_row(sales="-500.00")]))


@case(
    "amount-beyond-decimal-range",
    "amounts",
    RowQ("sites/huge.csv", 3, "超出合理范围"),
    Counts("sites/huge.csv", 2, 1, 1),
)
def _(root: Path):
    rows = [site_row(), site_row("S2", sales="99999999999999999999")]
    put(root / "sites/huge.csv", csv_text(SITES_HEADER, rows))


@case("amount-wan-overflow", "amounts", RowQ("canteen/wan.csv", 2, "超出合理范围"))
def _(root: Path):
    header = [h.replace("(元)", "(万元)") for h in CANTEEN_HEADER]
    row = canteen_row(budget="9999999999999999", reserved="1")
    put(root / "canteen/wan.csv", csv_text(header, [row]))


@case(
    "amount-scientific-and-nan",
    "amounts",
    Counts("union_welfare/sci.csv", 2, 0, 2),
    RowQ("union_welfare/sci.csv", 2, "无法识别为金额"),
)
def _(root: Path):
    rows = [union_row(total="1e5"), union_row(total="NaN", period="2026Q2")]
    put(root / "union_welfare/sci.csv", csv_text(UNION_HEADER, rows))


@case(
    "amount-fullwidth-thousands",
    "amounts",
    Value("sites/fw.csv", "raw.sites", "sales_yuan", 2, "12345.60"),
)
def _(root: Path):
    put(root / "sites/fw.csv", csv_text(SITES_HEADER, [site_row(sales="１２，３４５．６")]))


@case("orders-amount-beyond-range", "amounts", Counts("platform_orders/huge.csv", 2, 1, 1))
def _(root: Path):
    rows = [order_row("O1"), order_row("O2", amount="99999999999999999999")]
    put(root / "platform_orders/huge.csv", csv_text(ORDER_HEADER, rows))


@case("report-amount-beyond-range", "amounts", RowQ("unit_reports/huge.xlsx", 6, "超出合理范围"))
def _(root: Path):
    rows = report_rows([report_line(1), report_line(2, "99999999999999")])
    put(root / "unit_reports/huge.xlsx", xlsx_bytes(rows))


# --- line ends, trailing blanks, delimiters ------------------------------------------


@case("csv-crlf-lf-mix", "line ends", Counts("canteen/mix.csv", 3, 3, 0))
def _(root: Path):
    text = csv_text(CANTEEN_HEADER, [canteen_row(), canteen_row(code=UNIT_B)], newline="\r\n")
    put(root / "canteen/mix.csv", text + csv_text(None, [canteen_row(year="2025")]))


@case("orders-crlf-lf-mix", "line ends", Counts("platform_orders/mix.csv", 3, 3, 0))
def _(root: Path):
    text = csv_text(ORDER_HEADER, [order_row("O1"), order_row("O2")], newline="\r\n")
    put(root / "platform_orders/mix.csv", text + csv_text(None, [order_row("O3")]))


@case("csv-cr-only", "line ends", Counts("sites/cr.csv", 2, 2, 0))
def _(root: Path):
    put(root / "sites/cr.csv", csv_text(SITES_HEADER, [site_row(), site_row("S2")], newline="\r"))


@case("csv-trailing-blank-lines", "line ends", Counts("union_welfare/trail.csv", 1, 1, 0))
def _(root: Path):
    text = csv_text(UNION_HEADER, [union_row()]) + "\n\n,,,,,\n  \n\n"
    put(root / "union_welfare/trail.csv", text)


@case("orders-trailing-blank-lines", "line ends", Counts("platform_orders/trail.csv", 1, 1, 0))
def _(root: Path):
    put(root / "platform_orders/trail.csv", csv_text(ORDER_HEADER, [order_row()]) + "\n\n\n")


@case("csv-semicolon-delimited", "line ends", FileQ("canteen/semi.csv", "表头"))
def _(root: Path):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerows([CANTEEN_HEADER, canteen_row()])
    put(root / "canteen/semi.csv", buf.getvalue())


@case("csv-unterminated-quote", "line ends", Counts("catalogue/q.csv", 1, 0, 1))
def _(root: Path):
    put(root / "catalogue/q.csv", csv_text(CATALOGUE_HEADER, []) + 'P1,"大方天麻,农副产品\n')


# --- SQL built from file contents ------------------------------------------------------

INJECTION = "x'); DROP TABLE raw.units; --"


@case(
    "orders-sql-injection-in-header-and-name",
    "sql injection",
    Counts("platform_orders/o'); DROP TABLE raw.units; --.csv", 2, 1, 1),
    RowQ("platform_orders/o'); DROP TABLE raw.units; --.csv", 3, "订单金额"),
)
def _(root: Path):
    header = [*ORDER_HEADER, INJECTION]
    rows = [[*order_row("O1"), "a"], [*order_row("O2", amount="x'||'"), "b"]]
    put(root / f"platform_orders/o{INJECTION[1:]}.csv", csv_text(header, rows))


@case(
    "csv-sql-injection-in-cells",
    "sql injection",
    Value("catalogue/inj.csv", "raw.catalogue", "product_name", 2, INJECTION),
)
def _(root: Path):
    row = catalogue_row()
    row[1] = INJECTION
    put(root / "catalogue/inj.csv", csv_text(CATALOGUE_HEADER, [row]))


@case("fifo-named-like-csv", "directories", Absent("sites/pipe.csv"))
def _(root: Path):
    (root / "sites").mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / "sites/pipe.csv")  # opening it would block the run forever


@case(
    "orders-negative-amount",
    "amounts",
    Counts("platform_orders/neg.csv", 2, 1, 1),
    RowQ("platform_orders/neg.csv", 3, "为负数"),
)
def _(root: Path):
    rows = [order_row("O1"), order_row("O2", amount="-100.00")]
    put(root / "platform_orders/neg.csv", csv_text(ORDER_HEADER, rows))
