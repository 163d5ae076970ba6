"""Plant anomalies into a copy of a landing folder (the quality gate must catch them)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def reuse_voucher_in_new_workbook(landing: Path, warehouse: Path) -> tuple[str, str, str]:
    """Copy unit B's 2026Q3 report workbook with one voucher replaced by one of unit A's.

    Returns (voucher, unit A, unit B). The copy is a later file, so it replaces B's report.
    """
    from openpyxl import load_workbook

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            with win as (
                select * from raw.unit_reports
                where period_year = 2026 and period_quarter = 3
                qualify row_number() over (
                    partition by unit_code order by submitted_on desc, report_file_id desc) = 1)
            select w.unit_code, f.path, l.voucher_no
            from win w join raw.unit_report_lines l using (report_file_id)
            join ledger.files f on f.file_id = w.report_file_id
            where l.voucher_no is not null and f.path like '%.xlsx'
            order by w.unit_code, l._row_number
            """
        ).fetchall()
    (unit_a, _, voucher_a) = rows[0]
    unit_b, path_b, voucher_b = next(r for r in rows if r[0] != unit_a)
    wb = load_workbook(landing / path_b)
    ws = wb.worksheets[0]
    hits = [c for row in ws.iter_rows() for c in row if str(c.value).strip() == voucher_b]
    assert hits, f"voucher {voucher_b} not found in {path_b}"
    hits[0].value = voucher_a
    wb.save(landing / "unit_reports" / "zz_更正报告.xlsx")
    return voucher_a, unit_a, unit_b
