"""Airflow fixtures: AIRFLOW_HOME in a temporary folder (never ~/airflow), one DagBag.

The environment is set when this conftest is imported, before any test of this area
imports airflow (airflow reads AIRFLOW_HOME once, at its own import).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"

if not os.environ.get("AIRFLOW_HOME"):
    _home = tempfile.mkdtemp(prefix="bangfu-airflow-home-")
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
    os.environ["AIRFLOW_HOME"] = _home
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("SCARF_ANALYTICS", "false")

DAG_FILES = sorted(p.name for p in DAGS.glob("*.py"))


@pytest.fixture(scope="session")
def dagbag():
    """Every DAG file parsed once for the session (the pool must be a known one)."""
    from airflow.dag_processing.dagbag import DagBag

    from bangfu import orchestration

    return DagBag(dag_folder=str(DAGS), known_pools={orchestration.WAREHOUSE_POOL})


@pytest.fixture(scope="session")
def dags_by_file(dagbag) -> dict[str, list]:
    out: dict[str, list] = {name: [] for name in DAG_FILES}
    for dag in dagbag.dags.values():
        out.setdefault(Path(dag.fileloc).name, []).append(dag)
    return out
