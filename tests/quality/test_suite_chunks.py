"""Suites validated by groups of files (`meta.chunk_by`) and their per-file cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from bangfu.config import Config
from bangfu.quality.suites import PROJECT_EXPECTATIONS, load_suite_files

ORDERS = "raw.platform_orders"


def _suites(tmp_path: Path, chunk_rows: int | None = 50, chunked: bool = True) -> Path:
    """A copy of the project's suites; the orders suite in chunks of `chunk_rows` rows
    (the fixture's files have 36 rows: two files a chunk) or not chunked at all."""
    folder = tmp_path / "expectations"
    shutil.copytree(PROJECT_EXPECTATIONS, folder)
    path = folder / f"{ORDERS}.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    if not chunked:
        del spec["meta"]["chunk_by"]
    elif chunk_rows:
        spec["meta"]["chunk_rows"] = chunk_rows
    path.write_text(json.dumps(spec, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def _config(cfg: Config, folder: Path) -> Config:
    return Config({**cfg.data, "quality": {**cfg.quality, "expectations_dir": str(folder)}})


def _plant(warehouse: Path) -> list[tuple[int, int]]:
    """Bad rows in three of the seven order files: an unknown status in 1 + 2 + 3 rows
    (rows 2, 4, 6), one negative amount. Returns the (file, row) changed."""
    with duckdb.connect(str(warehouse)) as con:
        sql = f"select distinct _file_id from {ORDERS} order by 1"
        files = [f for (f,) in con.execute(sql).fetchall()]
        changed = []
        for n, fid in enumerate(files[1:4], start=1):
            for row in (2, 4, 6)[:n]:
                con.execute(
                    f"update {ORDERS} set order_status = '已发货' "
                    "where _file_id = ? and _row_number = ?",
                    [fid, row],
                )
                changed.append((fid, row))
        con.execute(
            f"update {ORDERS} set order_amount_yuan = -1, refund_amount_yuan = 0 "
            "where _file_id = ? and _row_number = 3",
            [files[5]],
        )
    return changed


def _gx(result) -> dict:
    return json.loads((result.report_dir / "gx" / f"{ORDERS}.json").read_text(encoding="utf-8"))


def _csv(result) -> bytes:
    return (result.report_dir / "findings.csv").read_bytes()


def _structure(result) -> list[str]:
    return sorted(
        f"{f.detail} | {f.rows}" for f in result.findings if f.check == "source_structure"
    )


def test_second_run_reads_from_cache_with_identical_findings(gate, writable_copy, cfg, tmp_path):
    changed = _plant(writable_copy)
    config = _config(cfg, _suites(tmp_path))
    first = gate(writable_copy, config)
    second = gate(writable_copy, config)
    a, b = _gx(first), _gx(second)
    assert (a["meta"]["files"], a["meta"]["files_from_cache"]) == (7, 0)
    assert (b["meta"]["files"], b["meta"]["files_from_cache"]) == (7, 7)
    assert a["results"] == b["results"] and a["success"] is False
    assert _csv(first) == _csv(second)
    [status] = [f for f in second.findings if "order_status" in f.detail]
    assert "6 行不符合「订单状态须为已知取值」" in status.detail and "'已发货'" in status.detail
    refs = [f"{ORDERS}[_file_id={f},_row_number={r}," for f, r in changed]
    assert all(ref in status.rows for ref in refs)
    # file by file, row by row
    assert [status.rows.index(ref) for ref in refs] == sorted(status.rows.index(r) for r in refs)
    assert any("order_amount_yuan" in f.detail and "1 行" in f.detail for f in second.findings)
    by_type = {r["expectation_config"]["kwargs"].get("column"): r for r in b["results"]}
    assert by_type["order_status"]["result"]["unexpected_count"] == 6
    assert by_type["order_status"]["result"]["element_count"] == 7 * 36
    assert by_type["buyer_code"]["success"] is True


def test_chunked_and_whole_table_give_the_same_findings(gate, writable_copy, cfg, tmp_path):
    _plant(writable_copy)
    chunked = gate(writable_copy, _config(cfg, _suites(tmp_path / "a")))
    whole = gate(writable_copy, _config(cfg, _suites(tmp_path / "b", chunked=False)))
    assert _structure(chunked) == _structure(whole)
    assert len(_structure(chunked)) == 3  # status; negative amount; refund above amount
    assert "chunk_by" not in _gx(whole).get("meta", {})


def test_cache_invalidated_by_suite_file_file_hash_and_row_values(
    gate, writable_copy, cfg, tmp_path
):
    folder = _suites(tmp_path)
    config = _config(cfg, folder)
    assert _gx(gate(writable_copy, config))["meta"]["files_from_cache"] == 0
    # another suite file: nothing cached for it
    path = folder / f"{ORDERS}.json"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _gx(gate(writable_copy, config))["meta"]["files_from_cache"] == 0
    assert _gx(gate(writable_copy, config))["meta"]["files_from_cache"] == 7
    with duckdb.connect(str(writable_copy)) as con:
        fid, other = con.execute(f"select min(_file_id), max(_file_id) from {ORDERS}").fetchone()
        # the same path landed again with another content: a new sha256
        con.execute("update ledger.files set sha256 = repeat('e', 64) where file_id = ?", [fid])
        # rows of a file changed behind the ledger's back (same sha256, same row count)
        con.execute(
            f"update {ORDERS} set region_code = '5226' where _file_id = ? and _row_number = 2",
            [other],
        )
    result = gate(writable_copy, config)
    assert _gx(result)["meta"]["files_from_cache"] == 5
    [region] = [f for f in result.findings if "region_code" in f.detail and ORDERS in f.detail]
    assert f"_file_id={other},_row_number=2" in region.rows


def test_only_the_new_files_are_validated(gate, clean_warehouse, tmp_path, cfg):
    config = _config(cfg, _suites(tmp_path))
    earlier = tmp_path / "earlier.duckdb"
    shutil.copyfile(clean_warehouse, earlier)
    with duckdb.connect(str(earlier)) as con:
        (last,) = con.execute(f"select max(_file_id) from {ORDERS}").fetchone()
        con.execute(f"delete from {ORDERS} where _file_id = ?", [last])
    assert _gx(gate(earlier, config))["meta"]["files"] == 6
    later = _gx(gate(clean_warehouse, config))
    assert (later["meta"]["files"], later["meta"]["files_from_cache"]) == (7, 6)
    assert later["success"] is True


@pytest.mark.parametrize(
    ("expectation", "message"),
    [
        (
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "order_id"}},
            "expect_column_values_to_be_unique over ['order_id'] cannot be checked per file",
        ),
        (
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["order_id", "buyer_code"]},
            },
            "cannot be checked per file",
        ),
        (
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            "is not a row-wise expectation",
        ),
        (
            {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "quantity"}},
            "is not a row-wise expectation",
        ),
        (
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "order_id", "mostly": 0.9},
            },
            "mostly=0.9",
        ),
    ],
)
def test_chunked_suite_refuses_whole_table_expectations(tmp_path, expectation, message):
    folder = _suites(tmp_path)
    path = folder / f"{ORDERS}.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["expectations"].append(expectation)
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=r"cannot|row-wise|mostly") as err:
        load_suite_files(folder)
    assert str(path) in str(err.value) and message in str(err.value)


def test_uniqueness_over_the_file_column_is_allowed():
    suites = {s["name"]: s for s in load_suite_files(PROJECT_EXPECTATIONS)}
    assert suites[ORDERS]["meta"]["chunk_by"] == "_file_id"
    assert suites["ledger.quarantine"]["meta"]["chunk_by"] == "file_id"
    assert len(suites[ORDERS]["_sha256"]) == 64


@pytest.mark.postgres
def test_postgres_chunked_cache_same_findings(
    gate, writable_copy, cfg, tmp_path, quality_pg_dsn, monkeypatch
):
    from warehouse_fixture import copy_to_postgres

    _plant(writable_copy)
    copy_to_postgres(writable_copy, quality_pg_dsn)
    monkeypatch.setenv("BANGFU_PG_DSN", quality_pg_dsn)
    config = _config(cfg, _suites(tmp_path))
    on_duckdb = gate(writable_copy, config)
    first = gate(writable_copy, config, target="postgres")
    second = gate(writable_copy, config, target="postgres")
    assert _gx(first)["meta"]["files_from_cache"] == 0  # not the DuckDB run's entries
    assert _gx(second)["meta"]["files_from_cache"] == 7
    assert _csv(first) == _csv(second)
    assert _structure(first) == _structure(on_duckdb)
