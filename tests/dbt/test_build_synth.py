"""The synthetic landing folder, ingested, builds on both targets with identical marts."""

from __future__ import annotations

import shutil
import time

import pytest
from dbt_marts_compare import (
    assert_same_marts,
    duckdb_marts,
    pg_config,
    postgres_marts,
    scratch_database,
)

from bangfu.transform import build

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_synth_marts_identical_on_duckdb_and_postgres(synth_run, cfg, pg_dsn, tmp_path, capsys):
    """The session's pipeline run built DuckDB; build PostgreSQL from the same raw layer."""
    settings, run = synth_run
    through = run.quarter
    duck = settings.warehouse
    t_duck = run.timings["build"]

    # a second, separate database: the hand-made data owns pg_dsn's marts
    with scratch_database(pg_dsn, "synth") as dsn:
        pg_wh = tmp_path / "pg.duckdb"
        shutil.copyfile(duck, pg_wh)
        t0 = time.perf_counter()
        build(pg_wh, pg_config(cfg, dsn, tmp_path), target="postgres", through=through)
        t_pg = time.perf_counter() - t0
        duck_marts = duckdb_marts(duck)
        assert len(duck_marts["kpi_unit_quarter"][1]) > 1000
        assert len(duck_marts["reconciliation_832"][1]) > 100
        assert len(duck_marts["quarantine"][1]) > 10
        assert_same_marts(duck_marts, postgres_marts(dsn))
    with capsys.disabled():
        print(f"\nsynth dbt build: DuckDB {t_duck:.1f} s, PostgreSQL (with mirror) {t_pg:.1f} s")
