"""Every DAG file imports cleanly, is thin, and follows the project's policies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
DAG_FILES = sorted(p.name for p in DAGS.glob("*.py"))

HEAVY = ("pandas", "duckdb", "great_expectations", "dbt", "docx", "matplotlib", "numpy")
EXPECTED_DAGS = {
    "bangfu_ingest.py": {
        f"bangfu_ingest_{s}"
        for s in (
            "reference",
            "platform_orders",
            "unit_reports",
            "canteen",
            "union_welfare",
            "catalogue",
            "sites",
        )
    },
    "bangfu_build.py": {"bangfu_build"},
    "bangfu_bulletin.py": {"bangfu_bulletin"},
}


def test_every_dag_file_is_known():
    assert set(DAG_FILES) == set(EXPECTED_DAGS)


@pytest.mark.parametrize("filename", DAG_FILES)
def test_no_import_errors(dagbag, dags_by_file, filename):
    errors = {k: v for k, v in dagbag.import_errors.items() if k.endswith(filename)}
    assert errors == {}
    assert {d.dag_id for d in dags_by_file[filename]} == EXPECTED_DAGS[filename]


@pytest.mark.parametrize("filename", DAG_FILES)
def test_policies(dags_by_file, filename):
    from bangfu import orchestration as orch

    for dag in dags_by_file[filename]:
        assert dag.doc_md and len(dag.doc_md.strip()) > 100, dag.dag_id
        assert "bangfu" in dag.tags, dag.dag_id
        assert dag.max_active_runs == 1, dag.dag_id
        assert dag.start_date == orch.START_DATE, dag.dag_id
        assert dag.tasks, dag.dag_id
        for t in dag.tasks:
            where = f"{dag.dag_id}.{t.task_id}"
            assert t.owner == orch.OWNER, where
            assert t.retries >= 1, where
            assert t.retry_exponential_backoff > 1, where
            assert t.max_retry_delay is not None, where
            assert t.execution_timeout is not None, where
            assert timedelta(minutes=5) <= t.execution_timeout <= timedelta(hours=2), where
            assert t.on_failure_callback, where
            assert orch.notify_failure in list(t.on_failure_callback), where
            # every bangfu task writes the DuckDB warehouse: one writer at a time
            assert t.pool == orch.WAREHOUSE_POOL, where
            assert t.pool_slots == 1, where


@pytest.fixture(scope="session")
def modules_after_import() -> dict[str, list[str]]:
    """Import each DAG file in one fresh interpreter; heavy modules loaded after each."""
    script = (
        "import json, runpy, sys\n"
        f"heavy = {HEAVY!r}\n"
        "out = {}\n"
        f"for name in {DAG_FILES!r}:\n"
        f"    runpy.run_path({str(DAGS)!r} + '/' + name)\n"
        "    out[name] = sorted(m for m in heavy if m in sys.modules)\n"
        "print('RESULT' + json.dumps(out))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "include")}
    r = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(x for x in r.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


@pytest.mark.parametrize("filename", DAG_FILES)
def test_no_heavy_imports_at_parse_time(modules_after_import, filename):
    assert modules_after_import[filename] == []


@pytest.mark.parametrize("filename", DAG_FILES)
def test_no_work_at_import_time(filename):
    """Parse time reads no Variables, connections or BANGFU_* settings."""
    text = (DAGS / filename).read_text(encoding="utf-8")
    for forbidden in ("Variable.get", "BaseHook.get_connection", "os.environ", "getenv"):
        assert forbidden not in text, f"{filename}: {forbidden}"
