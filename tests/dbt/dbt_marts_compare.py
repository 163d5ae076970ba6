"""Read every mart from DuckDB or PostgreSQL and compare them row by row."""

from __future__ import annotations

import contextlib

MARTS = (
    "kpi_unit_quarter",
    "kpi_canteen",
    "kpi_union_welfare",
    "kpi_reporting",
    "reconciliation_832",
    "kpi_city_quarter",
    "catalogue_current",
    "site_quarter",
    "exit_candidates",
    "quarantine",
)


@contextlib.contextmanager
def scratch_database(pg_dsn: str, suffix: str):
    """A fresh PostgreSQL database beside `pg_dsn`'s (its DSN), dropped afterwards."""
    import psycopg

    server, _, base = pg_dsn.rpartition("/")
    name = f"{base}_{suffix}"
    admin = f"{server}/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_config(base, dsn, tmp_path):
    from bangfu import config

    p = tmp_path / "pg.yml"
    p.write_text(
        "warehouse:\n"
        f"  postgres_dsn: {dsn}\n"
        "exit_rules:\n"
        f"  supplier_quarantine_rows: {base.exit_rules['supplier_quarantine_rows']}\n",
        encoding="utf-8",
    )
    return config.load(p)


def duckdb_marts(path) -> dict[str, tuple[list[str], list[tuple]]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for t in MARTS:
            cur = con.execute(f"select * from marts.{t}")
            cols = [d[0] for d in cur.description]
            out[t] = (cols, sorted(cur.fetchall(), key=repr))
        return out
    finally:
        con.close()


def postgres_marts(dsn) -> dict[str, tuple[list[str], list[tuple]]]:
    import psycopg

    out = {}
    with psycopg.connect(dsn) as con:
        for t in MARTS:
            cur = con.execute(f"select * from marts.{t}")
            cols = [d.name for d in cur.description]
            out[t] = (cols, sorted(cur.fetchall(), key=repr))
    return out


def assert_same_marts(duck, pg):
    for t in MARTS:
        dcols, drows = duck[t]
        pcols, prows = pg[t]
        assert dcols == pcols, t
        assert len(drows) == len(prows), t
        for a, b in zip(drows, prows, strict=True):
            assert a == b, (t, a, b)
