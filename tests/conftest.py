"""Shared fixtures: a synthetic landing folder, a PostgreSQL database, the config.

Fixtures that build things are session-scoped and cached under pytest's tmp dir so
the whole suite synthesises and builds the common data once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"

os.environ.setdefault("DO_NOT_TRACK", "1")
# never let an import of airflow create ~/airflow or load the example DAGs
if not os.environ.get("AIRFLOW_HOME"):
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="bangfu-airflow-home-")
    atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session")
def cfg():
    from bangfu import config

    return config.load()


@pytest.fixture(scope="session")
def synth_landing(tmp_path_factory) -> Path:
    """A small but complete synthetic landing folder (seed 7), made once per session."""
    from bangfu.synth import generate

    out = tmp_path_factory.mktemp("synth") / "landing"
    generate(out, seed=7, years=(2025, 2026), orders=6000)
    return out


PG_ADMIN_DSN = os.environ.get("BANGFU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _fresh_database(prefix: str):
    """Create a database on the machine's server; yield its DSN; drop it afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_dsn():
    """A fresh PostgreSQL database on the machine's server, shared by the session."""
    yield from _fresh_database("bangfu_test")


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database for one test."""
    yield from _fresh_database("bangfu_one")


@pytest.fixture(scope="session")
def synth_run(synth_landing, tmp_path_factory):
    """The shared synthetic landing through the whole pipeline once, for 2026Q3.

    Returns (Settings, RunResult). Tests read it; a test that changes the landing or the
    warehouse works on its own copy (see `copy_run`). The PDF is left to the bulletin
    area's own tests, so the config turns it off here.
    """
    from bangfu import config
    from bangfu.periods import Quarter
    from bangfu.pipeline import Settings, run

    root = tmp_path_factory.mktemp("synth-run")
    cfg_file = root / "bangfu.yml"
    cfg_file.write_text("bulletin:\n  pdf: false\n", encoding="utf-8")
    s = Settings(
        landing=synth_landing,
        warehouse=root / "warehouse" / "bangfu.duckdb",
        out=root / "out",
        config=config.load(cfg_file),
    )
    result = run(s, Quarter(2026, 3))
    assert result.exit_code == 0, f"the clean synthetic landing must publish: {result.gate}"
    return s, result


@pytest.fixture
def copy_run(synth_run, tmp_path):
    """A private copy of `synth_run`'s landing and warehouse: Settings pointing at the copy."""
    import dataclasses
    import shutil

    s, _ = synth_run
    landing = tmp_path / "landing"
    shutil.copytree(s.landing, landing)
    warehouse = tmp_path / "warehouse" / "bangfu.duckdb"
    shutil.copytree(s.warehouse.parent, warehouse.parent)
    return dataclasses.replace(s, landing=landing, warehouse=warehouse, out=tmp_path / "out")
