"""Re-ingestion: unchanged files are skipped unread, edited ones re-hashed; big files
keep their row numbers through the parallel scan."""

from __future__ import annotations

import logging
import os
import time

from ingest_helpers import order, write_csv
from support.spec_headers import ORDER_HEADER

UNREAD = "skipped unread"
RECENT_S = 1.1  # > bangfu.ingest.RECENT_NS


def test_a_file_written_just_now_is_hashed_again(landing, ingest, caplog):
    """Times less than a second old (here: in the future) are not kept."""
    a = write_csv(landing / "platform_orders" / "a.csv", ORDER_HEADER, [order("O1")])
    soon = time.time_ns() + 60 * 10**9
    os.utime(a, ns=(soon, soon))
    ingest(landing)
    caplog.set_level(logging.INFO, logger="bangfu.ingest")
    again = ingest(landing)
    assert len(again.new_files) == 0
    assert "platform_orders/a.csv" not in _unread(caplog)


def _unread(caplog) -> list[str]:
    return [r.getMessage().split(":")[0] for r in caplog.records if UNREAD in r.getMessage()]


def test_unchanged_files_skip_unread_edited_in_place_rehashed(landing, ingest, query, caplog):
    a = write_csv(landing / "platform_orders" / "a.csv", ORDER_HEADER, [order("O1"), order("O2")])
    time.sleep(RECENT_S)  # times of files written this very second are not kept
    first = ingest(landing)
    assert len(first.new_files) == 2  # units.csv and a.csv
    times = query("SELECT path, sha256, size_bytes, mtime_ns, ctime_ns FROM ledger.file_times")
    (sha,) = query("SELECT sha256 FROM ledger.files WHERE path = 'platform_orders/a.csv'")[0]
    st = os.stat(a)
    assert ("platform_orders/a.csv", sha, st.st_size, st.st_mtime_ns, st.st_ctime_ns) in times

    caplog.set_level(logging.INFO, logger="bangfu.ingest")
    second = ingest(landing)
    assert len(second.new_files) == 0 and len(second.files) == 2
    assert sorted(_unread(caplog)) == ["platform_orders/a.csv", "reference/units.csv"]

    # same size, mtime set back: the change time still differs, so the file is hashed
    data = a.read_bytes()
    a.write_bytes(data.replace(b"O2,", b"O9,"))
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(a).st_size == st.st_size and os.stat(a).st_mtime_ns == st.st_mtime_ns
    caplog.clear()
    third = ingest(landing)
    assert [f.path for f in third.new_files] == ["platform_orders/a.csv"]
    assert _unread(caplog) == ["reference/units.csv"]
    assert sorted(query("SELECT order_id FROM raw.platform_orders")) == [
        ("O1",),
        ("O1",),
        ("O2",),
        ("O9",),
    ]


def test_warehouse_without_file_times_hashes_once_then_skips(
    landing, ingest, query, warehouse, caplog
):
    """A warehouse ingested before `ledger.file_times` existed: the next run hashes every
    file once (loading nothing) and records their times; the run after reads none.
    A copy of landed content under a new name is also skipped unread from then on."""
    import shutil

    import duckdb

    write_csv(landing / "platform_orders" / "a.csv", ORDER_HEADER, [order("O1")])
    ingest(landing)
    con = duckdb.connect(str(warehouse))
    con.execute("DROP TABLE ledger.file_times")
    con.close()
    shutil.copy(landing / "platform_orders" / "a.csv", landing / "platform_orders" / "b.csv")
    time.sleep(RECENT_S)

    caplog.set_level(logging.INFO, logger="bangfu.ingest")
    again = ingest(landing)
    assert len(again.new_files) == 0 and _unread(caplog) == []
    assert query("SELECT count(*) FROM ledger.file_times") == [(3,)]
    caplog.clear()
    ingest(landing)
    assert len(_unread(caplog)) == 3
    assert query("SELECT count(*) FROM raw.platform_orders") == [(1,)]
    assert query("SELECT count(*) FROM ledger.files") == [(2,)]


def test_big_file_row_numbers_survive_the_parallel_scan(landing, ingest, query, tmp_path):
    """Over 60 MB (several scan batches on every thread): each order's row number is its
    physical line, for loaded and quarantined rows, with a malformed line in between."""
    from bangfu.bench_ingest import generate_orders

    gen = tmp_path / "gen"
    generate_orders(gen, 300_000, files=1)
    (landing / "reference" / "units.csv").write_bytes(
        (gen / "reference" / "units.csv").read_bytes()
    )
    lines = (gen / "platform_orders" / "orders_00.csv").read_bytes().split(b"\n")
    lines.insert(150_001, b"O_BROKEN,too,few,cells")  # before order 150000: shifts the rest
    dst = landing / "platform_orders" / "big.csv"
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(b"\n".join(lines))

    report = ingest(landing)
    (big,) = [f for f in report.files if f.source == "platform_orders"]
    assert (big.rows_landed, big.rows_loaded) == (300_001, 299_400)
    # O<g>: line g + 2 before the broken line, g + 3 after it
    expect = (
        "CAST(substr(order_id, 2) AS INTEGER) + CASE WHEN order_id < 'O000150000' THEN 2 ELSE 3 END"
    )
    assert query(
        f"SELECT count(*), count(*) FILTER (WHERE _row_number <> {expect}) FROM raw.platform_orders"
    ) == [(299_400, 0)]
    q = query(
        "SELECT row_number, json_extract_string(raw, '$.订单编号') FROM ledger.quarantine "
        "WHERE source = 'platform_orders' ORDER BY row_number"
    )
    assert len(q) == 601
    broken = [r for r in q if r[1] is None]
    assert [r[0] for r in broken] == [150_002]
    wrong = [
        (n, oid)
        for n, oid in q
        if oid is not None and n != int(oid[1:]) + (2 if oid < "O000150000" else 3)
    ]
    assert wrong == []
