"""Ingestion test helpers: valid unit codes, a registry, order rows, CSV and xlsx writers."""

from __future__ import annotations

import csv
from pathlib import Path

from bangfu.parsing import uscc_check_char


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


UNIT_A = uscc("91440101MA5AAAAA0")  # 国企
UNIT_B = uscc("11440100MB0BBBBB1")  # 市直单位
UNIT_C = uscc("11440103MB0CCCCC2")  # 区直单位
UNIT_UNKNOWN = uscc("91440101MA5YYYYY9")  # valid check char, not in the registry
BAD_CHECK = UNIT_A[:17] + ("0" if UNIT_A[17] != "0" else "1")

UNITS_HEADER = [
    "unit_code",
    "unit_name",
    "unit_type",
    "district",
    "must_report",
    "valid_from",
    "valid_to",
]
UNITS = [
    [UNIT_A, "广州某某集团有限公司", "国企", "", "true", "2020-01-01", ""],
    [UNIT_B, "广州市某某局", "市直单位", "", "true", "2020-01-01", ""],
    [UNIT_C, "广州市天河区某某局", "区直单位", "天河区", "false", "2020-01-01", "2026-06-30"],
]


def order(oid, code=UNIT_A, amount="100.00", ordered="2026-07-03 10:00:00", region="520502",
          ptype="食堂食材", refund="", updated=None, status="已完成"):  # fmt: skip
    return [
        oid,
        ordered,
        updated or ordered,
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
        refund,
        status,
        ptype,
    ]


def write_csv(path: Path, header, rows, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        if header is not None:
            w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows, merges=()) -> Path:
    """rows: list of lists written from A1; merges: ('B2:D2', value) written merged."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None and v != "":
                ws.write(r, c, v)
    for rng, value in merges:
        ws.merge_range(rng, value)
    wb.close()
    return path
