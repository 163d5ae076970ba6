"""The bulletin DAG's gate task on real warehouses: a blocked gate fails the task at
once (no retries) naming the data-quality report; a passing gate hands its result on.

The warehouses come from the quality area's fixture builder (ledger, raw and marts
written directly, with planted anomalies), so no ingestion or dbt is needed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "quality"))

from warehouse_fixture import RUN_QUARTER, build_warehouse  # noqa: E402


def _gate_task(dagbag):
    return dagbag.dags["bangfu_bulletin"].get_task("quality_gate")


def _params(tmp_path: Path, warehouse: Path) -> dict:
    (tmp_path / "landing").mkdir(exist_ok=True)
    return {
        "landing": str(tmp_path / "landing"),
        "warehouse": str(warehouse),
        "out": str(tmp_path / "out"),
        "quarter": str(RUN_QUARTER),
    }


def test_blocked_gate_fails_the_task_with_the_report_path(dagbag, tmp_path, monkeypatch):
    from bangfu import orchestration as orch

    monkeypatch.delenv("BANGFU_CONFIG", raising=False)
    wh = build_warehouse(tmp_path / "planted.duckdb", ("voucher_reuse",))
    task = _gate_task(dagbag)
    with pytest.raises(orch.GateBlocked) as info:
        task.python_callable(str(RUN_QUARTER), params=_params(tmp_path, wh))
    from airflow.sdk.exceptions import AirflowFailException

    assert isinstance(info.value, AirflowFailException)  # failed at once, never retried
    message = str(info.value)
    assert message.startswith(f"{RUN_QUARTER}: the quality gate blocked publication")
    assert "voucher_reused_across_units" in message
    report_dir = Path(message.rsplit("data-quality report: ", 1)[1])
    assert report_dir.is_dir() and report_dir.is_relative_to(tmp_path / "out")
    assert (report_dir / "findings.csv").is_file()
    assert "voucher_reused_across_units" in (report_dir / "findings.csv").read_text("utf-8")
    assert not (tmp_path / "out" / str(RUN_QUARTER) / "v1").exists()


def test_passing_gate_returns_its_result_for_publish(dagbag, tmp_path, monkeypatch):
    from bangfu import orchestration as orch

    monkeypatch.delenv("BANGFU_CONFIG", raising=False)
    wh = build_warehouse(tmp_path / "clean.duckdb")
    data = _gate_task(dagbag).python_callable(str(RUN_QUARTER), params=_params(tmp_path, wh))
    gate = orch.gate_from_xcom(data)
    assert gate.passed
    assert gate.quarter == str(RUN_QUARTER)
    assert gate.report_dir is not None and (gate.report_dir / "findings.csv").is_file()
