"""The gate on the real chain: synthetic landing → ingestion → dbt build → gate."""

from __future__ import annotations

import pytest
from support.planting import reuse_voucher_in_new_workbook

from bangfu.periods import Quarter

QUARTER = Quarter(2026, 3)
pytestmark = pytest.mark.slow


def test_clean_synth_passes(synth_run):
    _, run = synth_run
    result = run.gate
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors == [], "\n".join(f"{f.check} {f.unit_code} {f.detail}" for f in errors)
    assert result.passed
    # the synthetic data carries its planted warnings (SPEC §3.3: some ratios under 30%)
    assert any(f.check == "canteen_ratio_below_minimum" for f in result.findings)
    assert (result.report_dir / "findings.csv").exists()
    print(f"gate on synth data: {run.timings['check']:.1f} s, {len(result.findings)} findings")


def test_planted_voucher_reuse_blocks(copy_run, cfg, tmp_path):
    from bangfu.ingest import ingest_landing
    from bangfu.quality.gate import run_gate
    from bangfu.transform import build

    landing, warehouse = copy_run.landing, copy_run.warehouse
    voucher, unit_a, unit_b = reuse_voucher_in_new_workbook(landing, warehouse)
    ingest_landing(landing, warehouse, cfg)
    build(warehouse, cfg, through=QUARTER)
    result = run_gate(warehouse, landing, cfg, QUARTER, tmp_path / "out")
    found = [f for f in result.findings if f.check == "voucher_reused_across_units"]
    assert {f.unit_code for f in found} == {unit_a, unit_b}
    assert all(voucher in f.detail and f.severity == "error" and f.period == "2026" for f in found)
    assert not result.passed
    assert {f.check for f in result.blocking} == {"voucher_reused_across_units"}
