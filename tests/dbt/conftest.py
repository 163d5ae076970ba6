"""Fixtures of the dbt area: the hand-made raw layer built once per session."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from dbt_raw_layer import THROUGH, write_raw_layer


@pytest.fixture(scope="session")
def dbt_cfg(tmp_path_factory):
    """The default config with a low supplier threshold so the rule fires on 2 rows."""
    from bangfu import config

    p = tmp_path_factory.mktemp("cfg") / "bangfu.yml"
    p.write_text("exit_rules:\n  supplier_quarantine_rows: 2\n", encoding="utf-8")
    return config.load(p)


@pytest.fixture(scope="session")
def raw_warehouse(tmp_path_factory) -> Path:
    """A DuckDB file holding only the hand-made raw layer (copy it before building)."""
    return write_raw_layer(tmp_path_factory.mktemp("raw") / "raw_layer.duckdb")


@pytest.fixture(scope="session")
def built_duckdb(raw_warehouse, dbt_cfg, tmp_path_factory) -> dict:
    from bangfu.transform import LAST_RUN, build

    wh = tmp_path_factory.mktemp("wh") / "bangfu.duckdb"
    shutil.copyfile(raw_warehouse, wh)
    t0 = time.perf_counter()
    build(wh, dbt_cfg, target="duckdb", through=THROUGH)
    return {"warehouse": wh, "seconds": time.perf_counter() - t0, "run_results": dict(LAST_RUN)}
