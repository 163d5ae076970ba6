"""Deterministic file writing: CSV in any encoding, and a minimal xlsx writer.

The xlsx writer builds the OOXML parts by hand (a few hundred bytes of XML per part)
instead of going through openpyxl or xlsxwriter: thousands of small report workbooks
are written per run, and every byte must depend only on the content (fixed zip
timestamps, fixed docProps dates), so the same seed gives the same files.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

# Every timestamp inside a generated file (zip entries, docProps) is this one.
FIXED_TIME = datetime(2026, 11, 29, 8, 0, 0)
_ZIP_TIME = (2026, 11, 29, 8, 0, 0)
_EXCEL_EPOCH = date(1899, 12, 30)


class CsvSink:
    """Streams text lines into a file in the given encoding; counts data lines."""

    def __init__(self, path: Path, encoding: str, newline: str = "\n", chunk: int = 4000):
        self.path = path
        self.encoding = encoding
        self.newline = newline
        self._fh = path.open("wb")
        self._buf: list[str] = []
        self._chunk = chunk
        self.lines = 0  # lines written so far, the header included

    def line(self, text: str) -> int:
        """Write one line (no newline in `text`); return its 1-based line number."""
        self._buf.append(text)
        self.lines += 1
        if len(self._buf) >= self._chunk:
            self._flush()
        return self.lines

    def _flush(self) -> None:
        if self._buf:
            data = self.newline.join(self._buf) + self.newline
            self._fh.write(data.encode(self.encoding))
            self._buf.clear()

    def close(self) -> None:
        self._flush()
        self._fh.close()

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def csv_field(value: object) -> str:
    """One CSV field, quoted only where needed (commas, quotes)."""
    s = "" if value is None else str(value)
    if "," in s or '"' in s or "\n" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_line(values) -> str:
    return ",".join(csv_field(v) for v in values)


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str, newline="\n") -> int:
    """Write a whole small CSV; return the number of data rows."""
    with CsvSink(path, encoding, newline) as sink:
        sink.line(csv_line(header))
        for r in rows:
            sink.line(csv_line(r))
    return len(rows)


@dataclass
class Sheet:
    """One worksheet: cells by (row, col), both 1-based; values are str, int, float or date."""

    name: str = "Sheet1"
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    widths: dict[int, float] = field(default_factory=dict)

    def set(self, row: int, col: int, value: object) -> None:
        if value is not None and value != "":
            self.cells[(row, col)] = value

    def row(self, row: int, values: list, start_col: int = 1) -> None:
        for i, v in enumerate(values):
            self.set(row, start_col + i, v)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        self.merges.append((r1, c1, r2, c2))


def col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
# style 0: default; style 1: a date (built-in format 14); style 2: bold (titles, headers)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _core(title: str) -> str:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>bangfu synth</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>"
)


def _num(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def _sheet_xml(sheet: Sheet, strings: dict[str, int], bold_rows: set[int]) -> str:
    rows: dict[int, list[tuple[int, object]]] = {}
    for (r, c), v in sheet.cells.items():
        rows.setdefault(r, []).append((c, v))
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    ]
    if sheet.widths:
        parts.append("<cols>")
        for c in sorted(sheet.widths):
            parts.append(f'<col min="{c}" max="{c}" width="{sheet.widths[c]}" customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    for r in sorted(rows):
        parts.append(f'<row r="{r}">')
        for c, v in sorted(rows[r], key=lambda x: x[0]):
            ref = _ref(r, c)
            style = ' s="2"' if r in bold_rows else ""
            if isinstance(v, bool):
                parts.append(f'<c r="{ref}" t="b"{style}><v>{int(v)}</v></c>')
            elif isinstance(v, int | float):
                parts.append(f'<c r="{ref}"{style}><v>{_num(v)}</v></c>')
            elif isinstance(v, date):
                serial = (v - _EXCEL_EPOCH).days
                parts.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
            else:
                s = str(v)
                idx = strings.setdefault(s, len(strings))
                parts.append(f'<c r="{ref}" t="s"{style}><v>{idx}</v></c>')
        parts.append("</row>")
    parts.append("</sheetData>")
    if sheet.merges:
        parts.append(f'<mergeCells count="{len(sheet.merges)}">')
        for r1, c1, r2, c2 in sheet.merges:
            parts.append(f'<mergeCell ref="{_ref(r1, c1)}:{_ref(r2, c2)}"/>')
        parts.append("</mergeCells>")
    parts.append("</worksheet>")
    return "".join(parts)


def _shared_strings(strings: dict[str, int]) -> str:
    items = "".join(
        f'<si><t xml:space="preserve">{escape(s)}</t></si>'
        for s, _ in sorted(strings.items(), key=lambda kv: kv[1])
    )
    n = len(strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{n}" uniqueCount="{n}">{items}</sst>'
    )


def write_xlsx(path: Path, sheet: Sheet, title: str = "", bold_rows: set[int] | None = None):
    """Write a one-sheet workbook whose bytes depend only on the arguments."""
    strings: dict[str, int] = {}
    sheet_xml = _sheet_xml(sheet, strings, bold_rows or set())
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet.name)}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _core(title or sheet.name)),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", _WB_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", _shared_strings(strings)),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            # the fixed parts are tiny: deflate only the sheet and its strings
            big = name in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml")
            info.compress_type = zipfile.ZIP_DEFLATED if big else zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def table_sheet(header: list[str], rows: list[list], name: str = "Sheet1") -> Sheet:
    """A plain sheet: the header on row 1, data from row 2 (data row i is sheet row i + 2)."""
    sh = Sheet(name=name)
    sh.row(1, header)
    for i, r in enumerate(rows):
        sh.row(i + 2, r)
    return sh
