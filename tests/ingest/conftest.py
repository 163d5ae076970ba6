"""Ingestion fixtures: a small hand-written landing folder, the warehouse, row accounting."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import UNITS, UNITS_HEADER, write_csv


@pytest.fixture
def landing(tmp_path) -> Path:
    root = tmp_path / "landing"
    write_csv(root / "reference" / "units.csv", UNITS_HEADER, UNITS)
    return root


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "wh" / "bangfu.duckdb"


@pytest.fixture
def ingest(cfg, warehouse):
    from bangfu.ingest import ingest_landing

    def run(landing: Path):
        return ingest_landing(landing, warehouse, cfg)

    return run


@pytest.fixture
def query(warehouse):
    import duckdb

    def q(sql, params=None):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return q


LINE_TABLE = {
    "platform_orders": "raw.platform_orders",
    "unit_reports": "raw.unit_report_lines",
    "canteen": "raw.canteen_plans",
    "union_welfare": "raw.union_welfare",
    "catalogue": "raw.catalogue",
    "sites": "raw.sites",
}


@pytest.fixture
def accounting(query):
    """Assert landed = loaded + quarantined per file, in the ledger and by counting rows."""

    def check() -> dict[str, tuple[int, int, int]]:
        loaded_counts = " UNION ALL ".join(
            f"SELECT _file_id AS file_id, count(*) AS n FROM {t} GROUP BY 1"
            for t in LINE_TABLE.values()
        )
        files = query(
            f"""
            SELECT f.file_id, f.source, f.path, f.rows_landed, f.rows_loaded,
                f.rows_quarantined, f.outcome,
                (SELECT count(*) FROM ledger.quarantine q
                 WHERE q.file_id = f.file_id AND q.row_number IS NOT NULL) AS q_rows,
                (SELECT count(*) FROM ledger.quarantine q
                 WHERE q.file_id = f.file_id AND q.row_number IS NULL) AS q_file,
                coalesce((SELECT sum(n) FROM ({loaded_counts}) c
                          WHERE c.file_id = f.file_id), 0) AS n_loaded
            FROM ledger.files f ORDER BY f.file_id
            """
        )
        totals: dict[str, tuple[int, int, int]] = {}
        for _fid, source, path, landed, loaded, quarantined, outcome, q_rows, q_file, n in files:
            assert landed == loaded + quarantined, path
            assert q_rows == quarantined, path
            assert q_file == (1 if outcome == "quarantined" and landed == 0 else 0), path
            if source in LINE_TABLE:
                assert n == loaded, path
            t = totals.get(source, (0, 0, 0))
            totals[source] = (t[0] + landed, t[1] + loaded, t[2] + quarantined)
        return totals

    return check
