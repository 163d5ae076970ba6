"""Every hostile input of the corpus through the real ingestion into a real DuckDB file.

Each case lands beside the registry and a clean canteen file: the run must not raise,
the clean file must be fully loaded, every ledger file must account for its rows
(landed = loaded + quarantined, matching the raw tables and the quarantine), and the
case's own expectations must hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import (
    CANTEEN_HEADER,
    CASES,
    UNIT_B,
    UNITS,
    UNITS_HEADER,
    Absent,
    Case,
    Counts,
    FileQ,
    RowQ,
    Value,
    canteen_row,
    csv_text,
    put,
)

LINE_TABLE = {
    "platform_orders": "raw.platform_orders",
    "unit_reports": "raw.unit_report_lines",
    "canteen": "raw.canteen_plans",
    "union_welfare": "raw.union_welfare",
    "catalogue": "raw.catalogue",
    "sites": "raw.sites",
}
CLEAN = "canteen/clean.csv"


def test_corpus_is_big_enough():
    assert len(CASES) >= 50
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({c.category for c in CASES}) >= 14


def _landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    put(root / "reference/units.csv", csv_text(UNITS_HEADER, UNITS))
    rows = [canteen_row(name="清洁甲"), canteen_row(code=UNIT_B, name="清洁乙", year="2025")]
    put(root / CLEAN, csv_text(CANTEEN_HEADER, rows))
    return root


def _ledger(con) -> dict[str, dict]:
    cols = ["file_id", "source", "path", "rows_landed", "rows_loaded", "rows_quarantined",
            "outcome", "archived_path"]  # fmt: skip
    rows = con.execute(f"SELECT {', '.join(cols)} FROM ledger.files").fetchall()
    return {r[2]: dict(zip(cols, r, strict=True)) for r in rows}


def _check_accounting(con, files: dict[str, dict]) -> None:
    for path, f in files.items():
        fid = f["file_id"]
        assert f["rows_landed"] == f["rows_loaded"] + f["rows_quarantined"], path
        (q_rows,) = con.execute(
            "SELECT count(*) FROM ledger.quarantine WHERE file_id = ? AND row_number IS NOT NULL",
            [fid],
        ).fetchone()
        (q_file,) = con.execute(
            "SELECT count(*) FROM ledger.quarantine WHERE file_id = ? AND row_number IS NULL",
            [fid],
        ).fetchone()
        assert q_rows == f["rows_quarantined"], path
        assert q_file == (1 if f["outcome"] == "quarantined" and f["rows_landed"] == 0 else 0)
        if f["source"] in LINE_TABLE:
            (n,) = con.execute(
                f"SELECT count(*) FROM {LINE_TABLE[f['source']]} WHERE _file_id = ?", [fid]
            ).fetchone()
            assert n == f["rows_loaded"], path


PARAMS = [
    pytest.param(
        c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.needs)] if c.needs else []
    )
    for c in CASES
]


@pytest.mark.parametrize("case", PARAMS)
def test_hostile_input(case: Case, tmp_path, cfg):
    import duckdb

    from bangfu.ingest import ingest_landing

    landing = _landing(tmp_path)
    case.build(landing)
    warehouse = tmp_path / "wh" / "bangfu.duckdb"
    report = ingest_landing(landing, warehouse, cfg)  # must not raise
    assert report.errors == []

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = _ledger(con)
        clean = files[CLEAN]
        assert (clean["rows_landed"], clean["rows_loaded"], clean["outcome"]) == (2, 2, "loaded")
        assert files["reference/units.csv"]["rows_loaded"] == len(UNITS)
        assert con.execute("SELECT count(*) FROM raw.units").fetchone() == (len(UNITS),)
        _check_accounting(con, files)
        for e in case.expect:
            _check(con, files, e)
    finally:
        con.close()
    # nothing from outside the landing was read into the archive
    for archived in (warehouse.parent / "archive").rglob("*"):
        if archived.is_file():
            assert "机密".encode() not in archived.read_bytes(), archived


def _check(con, files: dict[str, dict], e) -> None:
    if isinstance(e, Absent):
        assert e.path not in files, f"{e.path} should not have been ingested"
        return
    assert e.path in files, f"{e.path} not in the ledger: {sorted(files)}"
    f = files[e.path]
    fid = f["file_id"]
    if isinstance(e, FileQ):
        assert (f["outcome"], f["rows_landed"], f["rows_loaded"]) == ("quarantined", 0, 0)
        reasons = [
            r[0]
            for r in con.execute(
                "SELECT reason FROM ledger.quarantine WHERE file_id = ? AND row_number IS NULL",
                [fid],
            ).fetchall()
        ]
        assert len(reasons) == 1 and e.reason in reasons[0], reasons
    elif isinstance(e, RowQ):
        reasons = [
            r[0]
            for r in con.execute(
                "SELECT reason FROM ledger.quarantine WHERE file_id = ? AND row_number = ?",
                [fid, e.row],
            ).fetchall()
        ]
        assert len(reasons) == 1 and e.reason in reasons[0], (e.row, reasons)
    elif isinstance(e, Counts):
        got = (f["rows_landed"], f["rows_loaded"], f["rows_quarantined"])
        assert got == (e.landed, e.loaded, e.quarantined), got
    elif isinstance(e, Value):
        where = "_file_id = ?" + ("" if e.row is None else " AND _row_number = ?")
        params = [fid] if e.row is None else [fid, e.row]
        got = con.execute(
            f"SELECT CAST({e.column} AS VARCHAR) FROM {e.table} WHERE {where}", params
        ).fetchall()
        assert got == [(e.value,)], got
    else:  # pragma: no cover
        raise AssertionError(f"unknown expectation {e!r}")
