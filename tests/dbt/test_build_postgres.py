"""The same raw layer built on PostgreSQL gives the same marts, to the cent; the analyst role."""

from __future__ import annotations

import shutil
import uuid

import pytest
from dbt_marts_compare import assert_same_marts, duckdb_marts, pg_config, postgres_marts
from dbt_raw_layer import THROUGH, analyst_queries

from bangfu.transform import ANALYST_ROLE, build

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def built_postgres(built_duckdb, raw_warehouse, dbt_cfg, pg_dsn, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pg")
    wh = tmp / "bangfu.duckdb"
    shutil.copyfile(raw_warehouse, wh)
    build(wh, pg_config(dbt_cfg, pg_dsn, tmp), target="postgres", through=THROUGH)
    return pg_dsn


def test_marts_identical_on_both_targets(built_duckdb, built_postgres):
    duck = duckdb_marts(built_duckdb["warehouse"])
    assert len(duck["kpi_unit_quarter"][1]) == 18  # not comparing two empty tables
    assert_same_marts(duck, postgres_marts(built_postgres))


def test_postgres_column_types(built_postgres):
    import psycopg

    with psycopg.connect(built_postgres) as con:
        types = dict(
            con.execute(
                "select column_name, data_type || coalesce('(' || numeric_precision || ','"
                " || numeric_scale || ')', '') from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'kpi_unit_quarter'"
            ).fetchall()
        )
    assert types["amount_total_yuan"] == "numeric(18,2)"
    assert types["growth_ytd_pct"] == "numeric(18,2)"
    assert types["year"].startswith("integer")


def test_analyst_role_reads_marts_only(built_postgres):
    import psycopg

    login = f"bangfu_test_analyst_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(built_postgres, autocommit=True) as admin:
        assert admin.execute(
            "select rolcanlogin from pg_roles where rolname = %s", [ANALYST_ROLE]
        ).fetchone() == (False,)
        admin.execute(f"CREATE ROLE {login} LOGIN IN ROLE {ANALYST_ROLE}")
    try:
        base = built_postgres.rsplit("/", 1)
        dsn = base[0].replace("postgres@", f"{login}@") + "/" + base[1]
        with psycopg.connect(dsn, autocommit=True) as con:
            n = con.execute("select count(*) from marts.kpi_unit_quarter").fetchone()[0]
            assert n == 18
            for sql in (
                "select count(*) from raw.units",
                "select count(*) from ledger.quarantine",
                "select count(*) from intermediate.int_orders__counted",
                "delete from marts.kpi_unit_quarter",
                "insert into marts.quarantine (source) values ('x')",
                "create table marts.mine (x int)",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    con.execute(sql)
    finally:
        with psycopg.connect(built_postgres, autocommit=True) as admin:
            admin.execute(f"DROP ROLE IF EXISTS {login}")


def test_analyst_examples_run_on_postgres(built_postgres):
    import psycopg

    with psycopg.connect(built_postgres) as con:
        counts = [len(con.execute(q).fetchall()) for q in analyst_queries()]
    assert counts[:4] == [1, 3, 2, 3]
