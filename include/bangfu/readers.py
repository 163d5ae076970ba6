"""Reading landed files as a whole: encodings, CSV text, workbooks, and their guards.

Everything here either returns rows (each with its 1-based physical row number) or
raises `UnreadableFile` with a Chinese reason; the caller quarantines the file.
File names carry no meaning: the format is told by the content (zip = xlsx,
OLE2 = xls, anything else is read as delimited text).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a workbook that unpacks to more is refused
MAX_COMPRESSION_RATIO = 200  # per member: a zip bomb compresses far better than a sheet
MAX_TEXT_BYTES = 2 * 1024 * 1024 * 1024  # a CSV larger than this is refused
CHUNK = 4 * 1024 * 1024
MAX_FIELD_CHARS = 16 * 1024 * 1024  # a CSV cell longer than this rejects the file

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class RetryWithCleanCopy(Exception):
    """The fast path could not read the file as it is; retry on a normalised copy."""


class UnreadableFile(Exception):
    """The file cannot be read as a whole; `reason` is the Chinese quarantine reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Table:
    """A sheet or a CSV: rows of cells, each row with its 1-based physical row number."""

    rows: list[tuple[int, list[Any]]]
    encoding: str | None  # None for workbooks
    kind: str  # csv | xlsx | xls


def refuse_symlink(path: Path) -> None:
    """A landed symbolic link is never followed: it could point anywhere on the machine."""
    if path.is_symlink():
        raise UnreadableFile(
            f"文件是符号链接（指向 {os.readlink(path)}），出于安全不跟随读取；请放入文件本身"
        )


def sniff_kind(path: Path) -> str:
    """`xlsx`, `xls` or `csv`, told by the content (and never through a symlink)."""
    refuse_symlink(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    return "csv"


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8` or `gb18030` (GBK is a subset), checked over the whole file."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise UnreadableFile(f"文件过大（{size} 字节），超过 {MAX_TEXT_BYTES} 字节上限")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    _refuse_utf16(head)
    if head.startswith(codecs.BOM_UTF8):
        if _decodes(path, "utf-8", skip=3):
            return "utf-8-sig"
        raise UnreadableFile("文件以UTF-8 BOM开头，但内容不是有效的UTF-8编码")
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gb18030"):
        return "gb18030"
    raise UnreadableFile("文件编码无法识别（既不是UTF-8，也不是GBK/GB18030）")


def detect_encoding_fast(path: Path, head_bytes: int = 1024 * 1024) -> str:
    """Like `detect_encoding`, judged on the first MB (for big CSVs read by DuckDB, which
    rejects any later line that is not valid UTF-8, so nothing is lost)."""
    with open(path, "rb") as fh:
        head = fh.read(head_bytes)
    _refuse_utf16(head)
    if head.startswith(codecs.BOM_UTF8):
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head[3:], final=False)
        except UnicodeDecodeError:
            raise UnreadableFile("文件以UTF-8 BOM开头，但内容不是有效的UTF-8编码") from None
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise UnreadableFile("文件编码无法识别（既不是UTF-8，也不是GBK/GB18030）") from None


def _refuse_utf16(head: bytes) -> None:
    """UTF-16 (a BOM, or the NUL byte of every other byte of ASCII text) is not supported."""
    sample = head[:4096]
    bom = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    nul_share = sample.count(0) / len(sample) if sample else 0
    if bom or nul_share > 0.2:
        raise UnreadableFile(
            "文件是UTF-16编码（Excel“Unicode文本”），不受支持；请另存为UTF-8或GBK编码的CSV"
        )


def _decodes(path: Path, encoding: str, skip: int = 0) -> bool:
    dec = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            fh.seek(skip)
            while chunk := fh.read(CHUNK):
                dec.decode(chunk)
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def mixed_line_endings(path: Path, head_bytes: int = 1024 * 1024) -> bool:
    """True when the file's first MB mixes CRLF and bare LF line ends (DuckDB's CSV reader
    refuses those; a mix further down is caught when DuckDB fails, see RetryWithCleanCopy)."""
    with open(path, "rb") as fh:
        head = fh.read(head_bytes)
    crlf = head.count(b"\r\n")
    return 0 < crlf < head.count(b"\n")


# C0 control bytes but tab, LF and CR, and DEL: in UTF-8 they never occur inside a
# multi-byte character, so a file without them has no cell holding a control character
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def has_control_bytes(path: Path) -> bool:
    """True when the (UTF-8) file holds a control byte anywhere (one streaming pass)."""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if len(chunk.translate(None, CONTROL_BYTES)) != len(chunk):
                return True
    return False


def transcode_to_utf8(path: Path, encoding: str, out: Path) -> None:
    """Streaming re-encoding to plain UTF-8 (no BOM) with LF line ends."""
    dec = codecs.getincrementaldecoder(encoding)()
    try:
        _transcode(dec, path, out)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"文件编码无法识别（{encoding} 解码失败: {exc.reason}）") from exc


def _transcode(dec, path: Path, out: Path) -> None:
    held = ""
    with open(path, "rb") as src, open(out, "wb") as dst:
        while True:
            chunk = src.read(CHUNK)
            text = held + dec.decode(chunk, final=not chunk)
            held = ""
            if text.endswith("\r") and chunk:
                text, held = text[:-1], "\r"
            text = text.replace("\r\n", "\n")
            if text.startswith("\ufeff"):
                text = text[1:]
            dst.write(text.encode("utf-8"))
            if not chunk:
                break


def _delimiter(first_line: str) -> str:
    if "," not in first_line and first_line.count("\t") >= 2:
        return "\t"
    return ","


def read_csv_rows(path: Path) -> Table:
    """A whole CSV as rows of strings; row numbers count CSV records, header = 1."""
    encoding = detect_encoding(path)
    text = path.read_text(encoding=encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    delim = _delimiter(text.split("\n", 1)[0])
    rows: list[tuple[int, list[Any]]] = []
    # cells up to MAX_FIELD_CHARS are read (a longer one is refused row by row by the
    # loaders); the csv module's default limit of 128 KiB would reject the whole file
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        for n, row in enumerate(reader, start=1):
            rows.append((n, row))
    except csv.Error as exc:
        raise UnreadableFile(f"CSV格式错误（第{reader.line_num}行附近）: {exc}") from exc
    return Table(rows=rows, encoding=encoding, kind="csv")


def check_zip(path: Path) -> None:
    """Refuse what is not a zip, or unpacks to absurd sizes (zip bombs), before opening it."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"文件不是有效的xlsx工作簿（zip结构损坏）: {exc}") from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"工作簿解压后大小 {total} 字节超过上限 {MAX_UNCOMPRESSED_BYTES} 字节，拒绝打开"
        )
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_COMPRESSION_RATIO * max(
            i.compress_size, 1
        ):
            raise UnreadableFile(f"工作簿成员 {i.filename} 压缩比异常（疑似压缩炸弹），拒绝打开")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("文件是zip压缩包，但不是xlsx工作簿（缺少 xl/workbook.xml）")


def read_workbook_rows(path: Path, kind: str) -> tuple[Table, list]:
    """First sheet's rows (row numbers are sheet rows) and its merged ranges."""
    import python_calamine as pc

    if kind == "xlsx":
        check_zip(path)
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        sheet = wb.get_sheet_by_index(0)
        # skip_empty_area=False: the list starts at A1, so index + 1 is the sheet row
        values = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
    except Exception as exc:  # calamine raises several unrelated types for a bad file
        raise UnreadableFile(f"工作簿无法读取: {type(exc).__name__}: {exc}") from exc
    rows = [(i + 1, list(r)) for i, r in enumerate(values)]
    return Table(rows=rows, encoding=None, kind=kind), merged


def read_table(path: Path) -> Table:
    """Any tabular landed file: CSV (any supported encoding) or the first sheet of a workbook."""
    refuse_symlink(path)
    if path.stat().st_size == 0:
        raise UnreadableFile("文件为空（0字节）")
    kind = sniff_kind(path)
    if kind == "csv":
        return read_csv_rows(path)
    table, _ = read_workbook_rows(path, kind)
    return table
