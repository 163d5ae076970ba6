"""Fixtures of the quality gate's tests: fixture warehouses and a gate runner."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ["GX_ANALYTICS_ENABLED"] = "false"

from warehouse_fixture import RUN_QUARTER, build_warehouse


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory) -> Path:
    """The clean fixture warehouse, built once; copy it before changing it."""
    return build_warehouse(tmp_path_factory.mktemp("wh") / "clean.duckdb")


@pytest.fixture(scope="session")
def planted_warehouse(tmp_path_factory):
    """`planted_warehouse("wan_slip", ...)`: a fixture warehouse with anomalies, cached."""
    cache: dict[tuple[str, ...], Path] = {}

    def make(*plants: str) -> Path:
        key = tuple(sorted(plants))
        if key not in cache:
            folder = tmp_path_factory.mktemp("planted")
            cache[key] = build_warehouse(folder / f"{'_'.join(key)}.duckdb", set(plants))
        return cache[key]

    return make


@pytest.fixture
def writable_copy(clean_warehouse, tmp_path) -> Path:
    """A private copy of the clean warehouse that a test may change."""
    dst = tmp_path / "copy.duckdb"
    shutil.copyfile(clean_warehouse, dst)
    return dst


@pytest.fixture
def gate(cfg, tmp_path):
    """Run the gate on a warehouse for the fixture's quarter; landing and out in tmp."""
    from bangfu.quality.gate import run_gate

    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    out = tmp_path / "out"

    def run(warehouse: Path, config=None, target: str = "duckdb"):
        return run_gate(warehouse, landing, config or cfg, RUN_QUARTER, out, target=target)

    run.landing = landing
    run.out = out
    return run


@pytest.fixture(scope="session")
def gate_result(cfg, planted_warehouse, tmp_path_factory):
    """`gate_result("wan_slip")`: the gate's result on a planted warehouse, run once."""
    from bangfu.quality.gate import run_gate

    cache: dict[tuple[str, ...], object] = {}

    def result(*plants: str):
        key = tuple(sorted(plants))
        if key not in cache:
            root = tmp_path_factory.mktemp("gate")
            (root / "landing").mkdir()
            wh = planted_warehouse(*plants)
            cache[key] = run_gate(wh, root / "landing", cfg, RUN_QUARTER, root / "out")
        return cache[key]

    return result


@pytest.fixture
def quality_pg_dsn():
    """A private PostgreSQL database (the session's `pg_dsn` is shared with other areas,
    and the gate reads fixed schema names)."""
    import psycopg

    admin = os.environ.get("BANGFU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bangfu_quality_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield f"{admin.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
