"""Incremental order models: a quarter landing later gives the same marts as all at once.

The synthetic landing without its last quarter of order exports is ingested and built,
then those exports land, are ingested and the build folds in only them. Every mart must
equal (a) a from-scratch build of the same raw layer, to the row, and (b) the build of
the whole landing ingested at once (the quarantine mart's file ids aside: ingestion
numbers the files in another order). The models also rebuild by themselves when the raw
layer lost a file or a macro was edited, and counted follows a registry change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dbt_marts_compare import MARTS, duckdb_marts

from bangfu.transform import LAST_RUN, build

pytestmark = pytest.mark.slow


def _held_back(landing):
    from bangfu.bench import _held_back as held

    return held(landing)


def _sql(wh, *statements):
    import duckdb

    con = duckdb.connect(str(wh))
    try:
        return [con.execute(s).fetchall() for s in statements]
    finally:
        con.close()


def _compiled(name: str) -> str:
    node = f"model.bangfu.{name}"
    return next(r for r in LAST_RUN["results"] if r["unique_id"] == node)["compiled_code"]


def _scratch_marts(wh, cfg, tmp):
    """The marts of a from-scratch (--full-refresh) build of a copy of `wh`."""
    copy = tmp / "scratch.duckdb"
    shutil.copyfile(wh, copy)
    build(copy, cfg, full_refresh=True)
    assert "file_id >" not in _compiled("int_orders__latest")
    return duckdb_marts(copy)


def _without_file_id(marts):
    cols, rows = marts["quarantine"]
    i = cols.index("file_id")
    return sorted((r[:i] + r[i + 1 :] for r in rows), key=repr)


@pytest.fixture(scope="module")
def incremental(synth_landing, cfg, tmp_path_factory):
    """(warehouse built incrementally, last file id before the held-back exports, a copy
    of its raw layer before them)."""
    from bangfu.ingest import ingest_landing

    tmp = tmp_path_factory.mktemp("incremental")
    part = tmp / "landing-part"
    shutil.copytree(synth_landing, part)
    held = _held_back(part)
    assert len(held) == 3
    for f in held:
        f.unlink()
    wh = tmp / "bangfu.duckdb"
    ingest_landing(part, wh, cfg)
    raw_part = tmp / "raw-part.duckdb"
    shutil.copyfile(wh, raw_part)
    build(wh, cfg)
    [[(mark,)]] = _sql(wh, "select max(file_id) from intermediate.int_orders__state")
    report = ingest_landing(synth_landing, wh, cfg)  # only the held-back exports are new
    assert sorted(Path(f.path).name for f in report.new_files) == sorted(f.name for f in held)
    build(wh, cfg)
    return wh, mark, raw_part


def test_incremental_build_folds_in_only_the_new_files(incremental):
    wh, mark, _ = incremental
    assert f"where file_id > {mark}" in _compiled("int_orders__latest")
    counted = " ".join(_compiled("int_orders__counted").split())
    assert f"where file_id > {mark} or buyer_code in" in counted
    [[(new,)], [(files,)], [(state_files,)]] = _sql(
        wh,
        f"select count(*) from raw.platform_orders where _file_id > {mark}",
        "select count(distinct _file_id) from raw.platform_orders",
        "select count(*) from intermediate.int_orders__state",
    )
    assert new > 100
    assert state_files == files


def test_marts_equal_a_build_from_scratch(incremental, cfg, tmp_path):
    wh, _, _ = incremental
    got, want = duckdb_marts(wh), _scratch_marts(wh, cfg, tmp_path)
    assert len(got["kpi_unit_quarter"][1]) > 1000
    for t in MARTS:
        assert got[t] == want[t], t


def test_marts_equal_all_files_ingested_at_once(incremental, synth_landing, cfg, tmp_path):
    from bangfu.ingest import ingest_landing

    wh, _, _ = incremental
    whole = tmp_path / "whole.duckdb"
    ingest_landing(synth_landing, whole, cfg)
    build(whole, cfg)
    got, want = duckdb_marts(wh), duckdb_marts(whole)
    for t in MARTS:
        if t != "quarantine":
            assert got[t] == want[t], t
    assert _without_file_id(got) == _without_file_id(want)


def test_lost_order_file_rebuilds_from_scratch(incremental, cfg, tmp_path):
    wh = tmp_path / "lost.duckdb"
    shutil.copyfile(incremental[0], wh)
    # the warehouse lost an early export (as if rebuilt without it): its orders must go
    [[(fid,)]] = _sql(wh, "select min(_file_id) from raw.platform_orders")
    _sql(wh, f"delete from raw.platform_orders where _file_id = {fid}")
    build(wh, cfg)
    assert "file_id >" not in _compiled("int_orders__latest")
    got = duckdb_marts(wh)
    [[(orphans,)]] = _sql(
        wh,
        "select count(*) from intermediate.int_orders__latest where order_id not in "
        "(select trim(order_id) from raw.platform_orders)",
    )
    assert orphans == 0
    want = _scratch_marts(wh, cfg, tmp_path)
    for t in MARTS:
        assert got[t] == want[t], t


def test_registry_change_recomputes_that_units_orders(incremental, cfg, tmp_path):
    wh = tmp_path / "registry.duckdb"
    shutil.copyfile(incremental[0], wh)
    # a unit leaves the registry early: its later orders are no longer its own
    [[(code, n_before)]] = _sql(
        wh,
        "select unit_code, count(*) from intermediate.int_orders__counted "
        "where unit_code is not null group by 1 order by 2 desc, 1 limit 1",
    )
    _sql(
        wh,
        "update raw.units set valid_to = date '2025-06-30' where upper(trim(unit_code)) = "
        f"'{code}' and valid_to is null and valid_from < date '2025-06-30'",
    )
    build(wh, cfg)
    # still incremental: only the orders of the unit whose registry rows changed
    assert "file_id >" in _compiled("int_orders__latest")
    assert "changed_units" in _compiled("int_orders__counted")
    [[(n_after,)]] = _sql(
        wh, f"select count(*) from intermediate.int_orders__counted where unit_code = '{code}'"
    )
    assert 0 < n_after < n_before
    got, want = duckdb_marts(wh), _scratch_marts(wh, cfg, tmp_path)
    for t in MARTS:
        assert got[t] == want[t], t


def test_macro_edit_rebuilds_from_scratch(incremental, cfg, tmp_path, monkeypatch):
    from bangfu import transform

    # a copy of the dbt project, so a macro can be edited without touching the repository
    project = tmp_path / "dbt_project"
    shutil.copytree(transform.PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setattr(transform, "PROJECT_DIR", project)
    wh = tmp_path / "macro.duckdb"
    shutil.copyfile(incremental[0], wh)
    build(wh, cfg)  # the same files elsewhere: still incremental, nothing new to fold in
    assert "where file_id >" in _compiled("int_orders__latest")
    # an edit to a macro file (not to the models' own SQL): the models build from scratch
    macro = project / "macros" / "numbers.sql"
    macro.write_text(macro.read_text(encoding="utf-8") + "\n{#- edited -#}\n", encoding="utf-8")
    build(wh, cfg)
    assert "file_id >" not in _compiled("int_orders__latest")
    assert "changed_units" not in _compiled("int_orders__counted")
    got, want = duckdb_marts(wh), _scratch_marts(wh, cfg, tmp_path)
    for t in MARTS:
        assert got[t] == want[t], t


@pytest.mark.postgres
def test_postgres_incremental_build_equals_duckdb(
    incremental, synth_landing, cfg, pg_dsn, tmp_path
):
    """The same two builds on PostgreSQL (delete+insert there too) give the same marts."""
    from dbt_marts_compare import assert_same_marts, pg_config, postgres_marts, scratch_database

    from bangfu.ingest import ingest_landing

    wh, mark, raw_part = incremental
    with scratch_database(pg_dsn, "incr") as dsn:
        pg_cfg = pg_config(cfg, dsn, tmp_path)
        pg_wh = tmp_path / "pg.duckdb"
        shutil.copyfile(raw_part, pg_wh)
        build(pg_wh, pg_cfg, target="postgres")
        ingest_landing(synth_landing, pg_wh, cfg)
        build(pg_wh, pg_cfg, target="postgres")
        assert f"where file_id > {mark}" in _compiled("int_orders__latest")
        assert_same_marts(duckdb_marts(wh), postgres_marts(dsn))
