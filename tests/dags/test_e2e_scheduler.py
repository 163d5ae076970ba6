"""End to end under a real scheduler: LocalExecutor, PostgreSQL metadata database.

api-server + scheduler + dag-processor run as subprocesses (AIRFLOW_HOME in tmp,
PARALLELISM=4) on a fresh PostgreSQL database. On the session's synthetic landing the
platform-orders ingest DAG is triggered; while it runs, the dbt build DAG and the
quarterly bulletin DAG for 2026Q3 are triggered too, so all three compete for the
one-slot writer pool. Everything must succeed, no two warehouse writers may overlap in
time, the ingest must emit the raw-layer asset events (by name) and the build the marts
event, and the bulletin's version folder must appear with its documents.

The scheduler's own cron runs are switched off (`use_job_schedule=False`): with
`catchup=False`, unpausing a DAG runs its most recent missed interval, which would make
the test depend on today's date (and run the chain twice). The scheduling itself is
tested on the timetables in test_orchestration.py.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from pathlib import Path

import pytest
from airflow_cluster import AirflowCluster

QUARTER = "2026Q3"
DAG_IDS = ["bangfu_ingest_platform_orders", "bangfu_build", "bangfu_bulletin"]

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _task_log(home: Path, dag_id: str) -> str:
    logs = sorted((home / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)
    mine = [p for p in logs if f"dag_id={dag_id}" in str(p)]
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in mine[-2:])


def test_chain_under_a_real_scheduler(tmp_path, pg_dsn, synth_landing):
    t0 = time.monotonic()
    home = tmp_path / "airflow-home"
    home.mkdir()
    out = tmp_path / "out"
    warehouse = tmp_path / "warehouse" / "bangfu.duckdb"
    cluster = AirflowCluster(
        home,
        pg_dsn.replace("postgresql://", "postgresql+psycopg://", 1),
        {
            "BANGFU_LANDING": str(synth_landing),
            "BANGFU_WAREHOUSE": str(warehouse),
            "BANGFU_OUT": str(out),
            "BANGFU_TARGET": "duckdb",
            "BANGFU_ALERT_EMAILS": "",
        },
    )
    cluster.cli("db", "migrate")
    timings = {"migrate": time.monotonic() - t0}
    cluster.start()
    try:
        cluster.wait_ready(DAG_IDS, timeout=180)
        cluster.set_pool("bangfu_warehouse", 1, "DuckDB single writer")
        timings["ready"] = time.monotonic() - t0
        for dag_id in DAG_IDS:
            cluster.unpause(dag_id)

        ingest_run = cluster.trigger("bangfu_ingest_platform_orders")
        cluster.wait_for(
            "the ingest task to start",
            lambda: (
                cluster.task_states(DAG_IDS[0], ingest_run).get("ingest")
                in ("running", "success", "failed")
            ),
            timeout=120,
        )
        build_run = cluster.trigger("bangfu_build")
        bulletin_run = cluster.trigger("bangfu_bulletin", {"quarter": QUARTER})

        run = cluster.wait_run("bangfu_ingest_platform_orders", ingest_run, timeout=300)
        assert run["state"] == "success", _task_log(home, "bangfu_ingest_platform_orders")
        timings["ingest"] = time.monotonic() - t0
        build = cluster.wait_run("bangfu_build", build_run, timeout=300)
        assert build["state"] == "success", _task_log(home, "bangfu_build")

        run = cluster.wait_run("bangfu_bulletin", bulletin_run, timeout=400)
        timings["bulletin"] = time.monotonic() - t0
        states = cluster.task_states("bangfu_bulletin", bulletin_run)
        assert run["state"] == "success", f"{states}\n{_task_log(home, 'bangfu_bulletin')}"
        assert states == {
            "ingest": "success",
            "build": "success",
            "quality_gate": "success",
            "publish": "success",
        }

        # the asset events that scheduled the build came from the ingest run
        events = cluster.api("GET", "/assets/events?limit=100")["asset_events"]
        by_name = {e["asset_id"]: e for e in events}
        assets = {a["id"]: a["name"] for a in cluster.api("GET", "/assets?limit=100")["assets"]}
        emitted = {assets[i]: e for i, e in by_name.items()}
        assert emitted["bangfu_raw_platform_orders"]["source_dag_id"] == DAG_IDS[0]
        assert emitted["bangfu_raw_platform_orders"]["extra"]["new_files"] > 0
        assert emitted["bangfu_marts"]["source_dag_id"] == "bangfu_build"

        # the one-slot pool: no two warehouse writers ran at the same time
        intervals = []
        for dag_id, run_id in (
            (DAG_IDS[0], ingest_run),
            ("bangfu_build", build_run),
            ("bangfu_bulletin", bulletin_run),
        ):
            path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
            for ti in cluster.api("GET", path)["task_instances"]:
                assert ti["pool"] == "bangfu_warehouse"
                intervals.append((_ts(ti["start_date"]), _ts(ti["end_date"]), ti["task_id"]))
        intervals.sort()
        assert len(intervals) == 6
        for (_, end, a), (start, _, b) in itertools.pairwise(intervals):
            assert end <= start, f"writers overlapped: {a} ended {end}, {b} started {start}"
    finally:
        cluster.stop()
    timings["total"] = time.monotonic() - t0
    print("e2e timings (s since start):", {k: round(v, 1) for k, v in timings.items()})

    versions = sorted((out / QUARTER).glob("v*"))
    assert [v.name for v in versions] == ["v1"]
    names = {p.name for p in versions[0].iterdir()}
    assert {f"通报-{QUARTER}.docx", f"附件-{QUARTER}.xlsx", f"通报-{QUARTER}.html"} <= names
    assert (versions[0] / f"通报-{QUARTER}.docx").stat().st_size > 10_000
    assert warehouse.with_name("bangfu.analyst.duckdb").is_file()
