"""The raw layer: what ingestion writes and dbt reads (schemas `ledger` and `raw`).

This module is the contract between `bangfu.ingest` and `dbt_project/models/staging`.
Column names are English; values are parsed and typed (money in 元 as DECIMAL(18,2),
dates as DATE, times as naive TIMESTAMP in Asia/Shanghai) but not yet interpreted:
statuses, channels and names stay as the source wrote them (trimmed).

Every data table carries its lineage: `_file_id` (the ledger's ingestion sequence,
so "ingested last" is the larger id), `_row_number` (1-based row of the sheet or
line of the CSV the value came from, header rows counted).
Reference tables (`raw.units`, `raw.regions`) hold the rows of the latest version of
the file; all versions stay in the ledger.
The DDL is plain SQL that runs on DuckDB and PostgreSQL alike.
"""

from __future__ import annotations

SCHEMAS = ("ledger", "raw")

TABLES: dict[str, str] = {
    # one row per landed file version (a file landing twice with the same hash: one row)
    "ledger.files": """
        file_id            INTEGER PRIMARY KEY,
        source             VARCHAR NOT NULL,      -- platform_orders, unit_reports, ..., reference
        path               VARCHAR NOT NULL,      -- relative to the landing root
        sha256             VARCHAR NOT NULL UNIQUE,
        size_bytes         BIGINT NOT NULL,
        archived_path      VARCHAR,               -- <archive>/<sha256[:2]>/<sha256><suffix>
        encoding           VARCHAR,               -- utf-8, utf-8-sig, gb18030; null for xlsx
        rows_landed        INTEGER NOT NULL,      -- data rows found (a whole-file failure: 0)
        rows_loaded        INTEGER NOT NULL,
        rows_quarantined   INTEGER NOT NULL,
        outcome            VARCHAR NOT NULL,      -- loaded | partial | quarantined | superseded
        message            VARCHAR,
        ingested_at        TIMESTAMP NOT NULL
    """,
    # every row or file that was not loaded (SPEC §5 `quarantine`)
    "ledger.quarantine": """
        source             VARCHAR NOT NULL,
        file_id            INTEGER NOT NULL,
        file_sha256        VARCHAR NOT NULL,
        file_path          VARCHAR NOT NULL,
        row_number         INTEGER,               -- null: the whole file was quarantined
        reason             VARCHAR NOT NULL,      -- Chinese, names the column and the value
        raw                VARCHAR                -- the row as landed (JSON: header -> cell)
    """,
    "raw.units": """
        unit_code          VARCHAR NOT NULL,
        unit_name          VARCHAR NOT NULL,
        unit_type          VARCHAR NOT NULL,      -- 区直单位 | 市直单位 | 国企
        district           VARCHAR,               -- null for city-level units
        must_report        BOOLEAN NOT NULL,
        valid_from         DATE NOT NULL,
        valid_to           DATE,                  -- null: still active
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
    "raw.regions": """
        region_code        VARCHAR NOT NULL,
        province           VARCHAR NOT NULL,
        prefecture         VARCHAR NOT NULL,
        county             VARCHAR NOT NULL,
        paired             BOOLEAN NOT NULL,
        pairing            VARCHAR,
        _file_id           INTEGER NOT NULL,      -- 0: the project's default regions.csv
        _row_number        INTEGER NOT NULL
    """,
    "raw.platform_orders": """
        order_id           VARCHAR NOT NULL,
        ordered_at         TIMESTAMP NOT NULL,
        updated_at         TIMESTAMP NOT NULL,
        buyer_name         VARCHAR,
        buyer_code         VARCHAR NOT NULL,
        supplier_name      VARCHAR,
        product_code       VARCHAR,
        product_name       VARCHAR,
        product_category   VARCHAR,
        region_code        VARCHAR NOT NULL,
        quantity           DECIMAL(18,3),
        unit_price_yuan    DECIMAL(18,2),
        order_amount_yuan  DECIMAL(18,2) NOT NULL,
        refund_amount_yuan DECIMAL(18,2) NOT NULL,  -- empty cell: 0
        order_status       VARCHAR NOT NULL,
        purchase_type      VARCHAR NOT NULL,      -- 食堂食材 | 工会慰问 | 其他
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
    # one row per report workbook (the header block)
    "raw.unit_reports": """
        report_file_id     INTEGER PRIMARY KEY,   -- = _file_id of the workbook
        unit_name          VARCHAR,
        unit_code          VARCHAR NOT NULL,
        period_year        INTEGER NOT NULL,
        period_quarter     INTEGER NOT NULL,
        submitted_on       DATE NOT NULL,
        amount_unit        VARCHAR NOT NULL,      -- 万元 | 元 (as the header said)
        total_yuan         DECIMAL(18,2),         -- the 合计 row, if any (already checked)
        _file_id           INTEGER NOT NULL
    """,
    "raw.unit_report_lines": """
        report_file_id     INTEGER NOT NULL,
        line_no            INTEGER,               -- 序号
        channel            VARCHAR NOT NULL,      -- 832平台 | 专柜 | ... | 其他线下
        region_code        VARCHAR NOT NULL,
        region_name        VARCHAR,
        amount_yuan        DECIMAL(18,2) NOT NULL, -- 万元 already multiplied by 10,000
        voucher_no         VARCHAR,
        voucher_count      INTEGER,
        remark             VARCHAR,
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
    "raw.canteen_plans": """
        unit_name          VARCHAR,
        unit_code          VARCHAR NOT NULL,
        year               INTEGER NOT NULL,
        has_canteen        BOOLEAN NOT NULL,      -- 有 -> true, 无食堂 -> false
        budget_yuan        DECIMAL(18,2),
        reserve_ratio      DECIMAL(9,4),          -- a fraction: 30% -> 0.3000
        reserved_yuan      DECIMAL(18,2),
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
    "raw.union_welfare": """
        unit_name          VARCHAR,
        unit_code          VARCHAR NOT NULL,
        year               INTEGER NOT NULL,
        period_year        INTEGER NOT NULL,
        period_quarter     INTEGER NOT NULL,
        welfare_total_yuan DECIMAL(18,2) NOT NULL,
        special_yuan       DECIMAL(18,2) NOT NULL,
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
    "raw.catalogue": """
        product_code       VARCHAR NOT NULL,
        product_name       VARCHAR NOT NULL,
        category           VARCHAR,
        region_code        VARCHAR NOT NULL,
        supplier_name      VARCHAR,
        ref_price_yuan     DECIMAL(18,2),
        measure_unit       VARCHAR,
        annual_capacity    VARCHAR,
        listing_period     VARCHAR,
        households_helped  INTEGER,
        status             VARCHAR NOT NULL,      -- 在库 | 退出
        exit_reason        VARCHAR,
        updated_on         DATE NOT NULL,
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
    "raw.sites": """
        site_code          VARCHAR NOT NULL,
        site_type          VARCHAR NOT NULL,      -- 专柜 | 专馆 | 专区 | 专列 | 专站
        site_name          VARCHAR,
        district           VARCHAR,
        operator           VARCHAR,
        opened_on          DATE,
        status             VARCHAR,
        period_year        INTEGER NOT NULL,
        period_quarter     INTEGER NOT NULL,
        sales_yuan         DECIMAL(18,2) NOT NULL,
        _file_id           INTEGER NOT NULL,
        _row_number        INTEGER NOT NULL
    """,
}

# landing folder -> raw tables it feeds
SOURCES: dict[str, tuple[str, ...]] = {
    "reference": ("raw.units", "raw.regions"),
    "platform_orders": ("raw.platform_orders",),
    "unit_reports": ("raw.unit_reports", "raw.unit_report_lines"),
    "canteen": ("raw.canteen_plans",),
    "union_welfare": ("raw.union_welfare",),
    "catalogue": ("raw.catalogue",),
    "sites": ("raw.sites",),
}


# ingestion's own bookkeeping, not part of the contract (dbt and the mirror ignore it)
INGEST_TABLES: dict[str, str] = {
    # the os.stat() of each landed path when its content (sha256, in ledger.files) was
    # last hashed: a run skips, unread, a file whose size and both times still match
    "ledger.file_times": """
        path               VARCHAR PRIMARY KEY,   -- relative to the landing root
        sha256             VARCHAR NOT NULL,
        size_bytes         BIGINT NOT NULL,
        mtime_ns           BIGINT NOT NULL,
        ctime_ns           BIGINT NOT NULL
    """,
}


def ingest_ddl() -> list[str]:
    """CREATE statements for ingestion's own tables, idempotent."""
    return [f"CREATE TABLE IF NOT EXISTS {n} ({cols})" for n, cols in INGEST_TABLES.items()]


def ddl() -> list[str]:
    """CREATE statements for every schema and table, idempotent."""
    stmts = [f"CREATE SCHEMA IF NOT EXISTS {s}" for s in SCHEMAS]
    stmts += [f"CREATE TABLE IF NOT EXISTS {name} ({cols})" for name, cols in TABLES.items()]
    return stmts
