"""Pruning of the gate's cache (`bangfu.quality.gate_cache`) at the end of real gate runs."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from bangfu.config import Config
from bangfu.quality.gate import CACHE_FOLDER
from bangfu.quality.gate_cache import KEEP_WHOLE, TMP_AGE, SuiteUse, prune
from bangfu.quality.suites import PROJECT_EXPECTATIONS

ORDERS = "raw.platform_orders"
UNITS = "raw.units"
DISTRICTS = ("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区")


def _suites(tmp_path: Path) -> Path:
    folder = tmp_path / "expectations"
    shutil.copytree(PROJECT_EXPECTATIONS, folder)
    return folder


def _config(cfg: Config, folder: Path) -> Config:
    return Config({**cfg.data, "quality": {**cfg.quality, "expectations_dir": str(folder)}})


def _gx(result, suite: str) -> dict:
    return json.loads((result.report_dir / "gx" / f"{suite}.json").read_text(encoding="utf-8"))


def _csv(result) -> bytes:
    return (result.report_dir / "findings.csv").read_bytes()


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _write(path: Path, text: str = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _key_folder(cache: Path, suite: str) -> Path:
    [folder] = [
        p for p in (cache / suite).iterdir() if p.name.startswith("duckdb-") and not p.is_symlink()
    ]
    return folder


def _set_district(warehouse: Path, state: int) -> None:
    """One state of the units table (of `len(DISTRICTS)`): one row's district."""
    with duckdb.connect(str(warehouse)) as con:
        sql = f"update {UNITS} set district = ? where rowid = (select min(rowid) from {UNITS})"
        con.execute(sql, [DISTRICTS[state]])


def test_old_suite_keys_and_gone_suites_removed_nothing_else(gate, writable_copy, cfg, tmp_path):
    with duckdb.connect(str(writable_copy)) as con:  # failing rows, chunked and whole
        con.execute(f"update {UNITS} set unit_type = '事业单位' where _row_number = 2")
        con.execute(f"update {ORDERS} set order_status = '已发货' where _row_number = 4")
    folder = _suites(tmp_path)
    config = _config(cfg, folder)
    first = gate(writable_copy, config)
    cache = gate.out / CACHE_FOLDER
    old = _key_folder(cache, ORDERS)
    assert len(list(old.glob("*.json"))) == 7
    assert (cache / "raw.regions" / "whole").is_dir()

    outside = tmp_path / "outside"
    planted = {
        # the other engine's key folder (a later run on it uses it): kept
        "other_engine": _write(cache / ORDERS / f"postgres-{'a' * 24}" / "e.json"),
        # not cache folders: kept
        "notes": _write(cache / "notes" / "readme.txt", "notes"),
        "root_file": _write(cache / "README.txt", "mine"),
        "odd_suite": _write(cache / "raw.odd" / "misc.txt", "mine"),
        "other_in_suite": _write(cache / ORDERS / "keep.txt", "mine"),
        # outside the cache: untouched
        "stray_out": _write(gate.out / "stray.json"),
        "stray_tmp": _write(tmp_path / "stray.json"),
        "outside_linked": _write(outside / "b" / "y.json"),
        "outside_suite": _write(outside / "c" / f"duckdb-{'c' * 24}" / "z.json"),
    }
    gone = {
        # a key folder without a target (the layout before): removed
        "legacy": _write(cache / ORDERS / ("b" * 24) / "f.json"),
        # a suite that no longer exists: removed
        "gone_suite": _write(cache / "raw.gone" / f"duckdb-{'d' * 24}" / "g.json"),
        "gone_whole": _write(cache / "raw.gone2" / "whole" / "h.json"),
    }
    # symbolic links are left alone, and not followed
    (cache / ORDERS / f"duckdb-{'e' * 24}").symlink_to(outside / "b", target_is_directory=True)
    (cache / "raw.linked").symlink_to(outside / "c", target_is_directory=True)

    # the orders suite changes, the regions suite is deleted
    path = folder / f"{ORDERS}.json"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (folder / "raw.regions.json").unlink()
    second = gate(writable_copy, config)

    new = _key_folder(cache, ORDERS)
    assert new != old and not old.exists()
    linked = f"duckdb-{'e' * 24}"
    assert _names(cache / ORDERS) == {new.name, f"postgres-{'a' * 24}", "keep.txt", linked}
    assert len(list(new.glob("*.json"))) == 7
    assert not (cache / "raw.regions").exists()
    for name, p in gone.items():
        assert not p.exists(), name
    assert not (cache / "raw.gone").exists() and not (cache / "raw.gone2").exists()
    for name, p in planted.items():
        assert p.exists(), name
    assert (cache / "raw.linked").is_symlink() and (cache / ORDERS / linked).is_symlink()
    # findings unchanged (the regions suite found nothing)
    assert _gx(second, ORDERS)["meta"]["files_from_cache"] == 0
    assert _gx(first, ORDERS)["results"] == _gx(second, ORDERS)["results"]
    assert _csv(first) == _csv(second) and "已发货".encode() in _csv(second)

    # what this run used is what the next one reads
    third = gate(writable_copy, config)
    assert _gx(third, ORDERS)["meta"]["files_from_cache"] == 7
    assert _gx(third, UNITS)["meta"]["from_cache"] is True
    assert _csv(third) == _csv(first)


def test_entries_of_files_no_longer_in_the_table_removed(gate, clean_warehouse, cfg, tmp_path):
    config = _config(cfg, _suites(tmp_path))
    gate(clean_warehouse, config)
    cache = gate.out / CACHE_FOLDER
    key = _key_folder(cache, ORDERS)
    entries = sorted(p.name for p in key.glob("*.json"))
    assert len(entries) == 7
    # the same file with other rows (kept: its file is still in the table); temporary files
    # of a write: a killed run's (old) removed, one in progress kept
    shutil.copyfile(key / entries[0], key / f"{entries[0].partition('-')[0]}-1-0.json")
    stale = _write(key / f".tmp-1-{entries[1]}")
    os.utime(stale, (time.time() - 2 * TMP_AGE,) * 2)
    fresh = _write(key / f".tmp-2-{entries[2]}")

    earlier = tmp_path / "earlier.duckdb"
    shutil.copyfile(clean_warehouse, earlier)
    with duckdb.connect(str(earlier)) as con:
        (last,) = con.execute(f"select max(_file_id) from {ORDERS}").fetchone()
        con.execute(f"delete from {ORDERS} where _file_id = ?", [last])
        (sha,) = con.execute("select sha256 from ledger.files where file_id = ?", [last]).fetchone()
    result = gate(earlier, config)
    assert _gx(result, ORDERS)["meta"]["files_from_cache"] == 6
    left = sorted(p.name for p in key.glob("*.json") if not p.name.startswith("."))
    assert len(left) == 7 and not any(n.startswith(f"{sha}-") for n in left)
    assert f"{entries[0].partition('-')[0]}-1-0.json" in left
    assert not stale.exists() and fresh.exists()
    later = gate(clean_warehouse, config)
    assert _gx(later, ORDERS)["meta"]["files_from_cache"] == 6
    assert _gx(later, ORDERS)["success"] is True


def test_whole_entries_the_used_one_and_the_most_recently_used(gate, writable_copy, cfg, tmp_path):
    config = _config(cfg, _suites(tmp_path))
    whole = gate.out / CACHE_FOLDER / UNITS / "whole"
    states = [*range(KEEP_WHOLE), 0, KEEP_WHOLE, KEEP_WHOLE + 1]
    seen: dict[int, dict] = {}
    for n, state in enumerate(states):
        _set_district(writable_copy, state)
        payload = _gx(gate(writable_copy, config), UNITS)
        # a state seen before is read from the cache (and its entry touched), same outcome
        assert payload["meta"].get("from_cache", False) is (state in seen), (n, state)
        if state in seen:
            assert payload["results"] == seen[state]["results"]
        seen.setdefault(state, payload)
        assert len(list(whole.glob("*.json"))) == min(len(seen), KEEP_WHOLE + 1)
    # state 1 is the least recently used (state 0 was used again): gone; state 0 kept
    for state, cached in ((0, True), (1, False)):
        _set_district(writable_copy, state)
        payload = _gx(gate(writable_copy, config), UNITS)
        assert payload["meta"].get("from_cache", False) is cached, state


def test_without_a_cache_nothing_is_pruned(writable_copy, cfg, tmp_path):
    from bangfu.quality.reader import WarehouseReader
    from bangfu.quality.suites import run_suites

    folder = tmp_path / "expectations"
    folder.mkdir()
    shutil.copyfile(PROJECT_EXPECTATIONS / f"{UNITS}.json", folder / f"{UNITS}.json")
    cache = tmp_path / "out" / CACHE_FOLDER
    kept = [
        _write(cache / UNITS / "whole" / "old.json"),
        _write(cache / UNITS / f"duckdb-{'a' * 24}" / "old.json"),
        _write(cache / "raw.gone" / "whole" / "old.json"),
    ]
    for p in kept:
        os.utime(p, (0, 0))
    with WarehouseReader(writable_copy, cfg, "duckdb") as reader:
        findings, outcome = run_suites(reader, _config(cfg, folder), tmp_path / "gx", None)
    assert outcome == {UNITS: True} and findings == []
    assert all(p.exists() for p in kept)


def test_prune_never_raises(tmp_path, caplog):
    not_a_folder = _write(tmp_path / "file")
    prune(not_a_folder, set(), {})
    prune(tmp_path / "missing", set(), {})
    cache = tmp_path / "cache"
    entry = _write(cache / UNITS / "whole" / "x.json")
    with caplog.at_level(logging.WARNING, logger="bangfu.quality.gate_cache"):
        prune(cache, {UNITS}, {UNITS: None})  # a bug inside
    assert "pruning" in caplog.text and entry.exists() and not_a_folder.exists()
    # a used key folder that is a link is not entered
    outside = _write(tmp_path / "outside" / "entry.json")
    link = cache / UNITS / f"duckdb-{'f' * 24}"
    link.symlink_to(outside.parent, target_is_directory=True)
    prune(cache, {UNITS}, {UNITS: SuiteUse("duckdb", folder=link)})
    assert outside.exists() and link.is_symlink()


@pytest.mark.postgres
def test_both_engines_share_the_cache(
    gate, writable_copy, cfg, tmp_path, quality_pg_dsn, monkeypatch
):
    from warehouse_fixture import copy_to_postgres

    with duckdb.connect(str(writable_copy)) as con:
        con.execute(f"update {UNITS} set unit_type = '事业单位' where _row_number = 2")
    copy_to_postgres(writable_copy, quality_pg_dsn)
    monkeypatch.setenv("BANGFU_PG_DSN", quality_pg_dsn)
    config = _config(cfg, _suites(tmp_path))
    runs = [gate(writable_copy, config, target=t) for t in ("duckdb", "postgres") * 2]
    for result in runs[2:]:  # each engine's second run reads everything from the cache
        assert _gx(result, ORDERS)["meta"]["files_from_cache"] == 7
        assert _gx(result, UNITS)["meta"]["from_cache"] is True
    assert _csv(runs[0]) == _csv(runs[2]) and _csv(runs[1]) == _csv(runs[3])
    folders = _names(gate.out / CACHE_FOLDER / ORDERS)
    assert sorted(n.partition("-")[0] for n in folders) == ["duckdb", "postgres"]
