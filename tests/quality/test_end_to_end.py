"""The gate on the real chain: synthetic landing → ingestion → dbt build → gate."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest

from bangfu.periods import Quarter

QUARTER = Quarter(2026, 3)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def synth_built(synth_landing, cfg, tmp_path_factory):
    """A private copy of the session's synthetic landing, ingested and built once."""
    from bangfu.ingest import ingest_landing
    from bangfu.transform import build

    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    shutil.copytree(synth_landing, landing)
    warehouse = root / "warehouse.duckdb"
    ingest_landing(landing, warehouse, cfg)
    build(warehouse, cfg, through=QUARTER)
    return landing, warehouse


def test_clean_synth_passes(synth_built, cfg, tmp_path):
    from bangfu.quality.gate import run_gate

    landing, warehouse = synth_built
    t0 = time.perf_counter()
    result = run_gate(warehouse, landing, cfg, QUARTER, tmp_path / "out")
    seconds = time.perf_counter() - t0
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors == [], "\n".join(f"{f.check} {f.unit_code} {f.detail}" for f in errors)
    assert result.passed
    # the synthetic data carries its planted warnings (SPEC §3.3: some ratios under 30%)
    assert any(f.check == "canteen_ratio_below_minimum" for f in result.findings)
    assert (result.report_dir / "findings.csv").exists()
    print(f"gate on synth data: {seconds:.1f} s, {len(result.findings)} findings")


def _reuse_voucher_in_new_workbook(landing: Path, warehouse: Path) -> tuple[str, str, str]:
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


def test_planted_voucher_reuse_blocks(synth_built, cfg, tmp_path):
    from bangfu.ingest import ingest_landing
    from bangfu.quality.gate import run_gate
    from bangfu.transform import build

    landing0, warehouse0 = synth_built
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    shutil.copytree(landing0, landing)
    shutil.copyfile(warehouse0, warehouse)
    voucher, unit_a, unit_b = _reuse_voucher_in_new_workbook(landing, warehouse)
    ingest_landing(landing, warehouse, cfg)
    build(warehouse, cfg, through=QUARTER)
    result = run_gate(warehouse, landing, cfg, QUARTER, tmp_path / "out")
    found = [f for f in result.findings if f.check == "voucher_reused_across_units"]
    assert {f.unit_code for f in found} == {unit_a, unit_b}
    assert all(voucher in f.detail and f.severity == "error" and f.period == "2026" for f in found)
    assert not result.passed
    assert {f.check for f in result.blocking} == {"voucher_reused_across_units"}
