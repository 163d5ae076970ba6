"""The quality gate on fixture warehouses: clean data passes, each planted anomaly is caught."""

from __future__ import annotations

import csv
import json
import socket
from pathlib import Path

import duckdb
import pytest
from warehouse_fixture import RUN_QUARTER, UNIT

from bangfu.quality.report import CSV_COLUMNS
from bangfu.quality.rules import yuan

Y, Q = RUN_QUARTER.year, RUN_QUARTER.quarter


def _of(result, check):
    return [f for f in result.findings if f.check == check]


def test_clean_warehouse_passes_with_report(gate, clean_warehouse):
    result = gate(clean_warehouse)
    assert result.passed
    assert [f for f in result.findings if f.severity == "error"] == []
    folder = result.report_dir
    assert folder.parent == gate.out / str(RUN_QUARTER) / "checks"
    assert (folder.parent / "latest").read_text(encoding="utf-8").strip() == folder.name
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "通过，可以发布" in html
    gx_files = sorted(p.name for p in (folder / "gx").glob("*.json"))
    assert "raw.platform_orders.json" in gx_files and "marts.kpi_unit_quarter.json" in gx_files
    payload = json.loads((folder / "gx" / "raw.platform_orders.json").read_text(encoding="utf-8"))
    assert payload["success"] is True
    assert len(payload["results"]) >= 10


@pytest.mark.parametrize(
    ("plant", "check", "severity", "units", "period"),
    [
        (
            "voucher_reuse",
            "voucher_reused_across_units",
            "error",
            ["voucher_a", "voucher_b"],
            "2026",
        ),
        ("wan_slip", "amount_outlier_vs_history", "error", ["slip"], "2026Q3"),
        ("canteen_mismatch", "canteen_reserved_mismatch", "error", ["canteen"], "2026"),
        ("lost_row", "row_loss_between_layers", "error", [""], ""),
        ("reconciliation", "reconciliation_flagged", "warning", ["recon"], "2026Q3"),
        ("unreported", "unit_not_reported", "warning", ["unreported"], "2026Q3"),
        ("no_voucher", "report_line_without_voucher", "warning", ["no_voucher"], "2026Q3"),
        ("canteen_low_ratio", "canteen_ratio_below_minimum", "warning", ["low_ratio"], "2026"),
        ("city_jump", "city_total_jump", "warning", [""], "2026Q3"),
        ("round_numbers", "round_number_report", "warning", ["round"], "2026Q3"),
    ],
)
def test_planted_anomaly_is_caught(gate_result, plant, check, severity, units, period):
    result = gate_result(plant)
    found = _of(result, check)
    expected_units = sorted(UNIT.get(u, "") for u in units)
    assert sorted({f.unit_code for f in found}) == expected_units
    assert {(f.severity, f.period) for f in found} == {(severity, period)}
    assert all(f.detail and f.rows for f in found)
    # errors block, warnings do not; nothing else is an error
    assert result.passed is (severity == "warning")
    assert {f.check for f in result.findings if f.severity == "error"} <= {check}


def test_voucher_reuse_names_voucher_units_and_rows(gate_result, planted_warehouse):
    wh = planted_warehouse("voucher_reuse")
    with duckdb.connect(str(wh), read_only=True) as con:
        (voucher,) = con.execute(
            "select l.voucher_no from raw.unit_report_lines l join raw.unit_reports r "
            "using (report_file_id) where r.unit_code = ? and r.period_year = ? "
            "and r.period_quarter = ? and l.line_no = 1",
            [UNIT["voucher_a"], Y, Q],
        ).fetchone()
    found = _of(gate_result("voucher_reuse"), "voucher_reused_across_units")
    [a, b] = sorted(found, key=lambda f: f.unit_code)
    assert voucher in a.detail and UNIT["voucher_a"] in a.detail and UNIT["voucher_b"] in a.detail
    assert a.detail == b.detail
    assert a.rows.count("raw.unit_report_lines[_file_id=") == 2
    assert a.blocks and b.blocks


def test_wan_slip_detail_names_amount_and_median(gate_result, planted_warehouse):
    wh = planted_warehouse("wan_slip")
    with duckdb.connect(str(wh), read_only=True) as con:
        amount, median = con.execute(
            "select max(amount_total_yuan) filter (where year = ? and quarter = ?), "
            "median(amount_total_yuan) filter (where year * 4 + quarter < ? * 4 + ? "
            "and year * 4 + quarter >= ? * 4 + ? - 4) "
            "from marts.kpi_unit_quarter where unit_code = ?",
            [Y, Q, Y, Q, Y, Q, UNIT["slip"]],
        ).fetchone()
    [f] = _of(gate_result("wan_slip"), "amount_outlier_vs_history")
    assert yuan(float(amount)) in f.detail and yuan(float(median)) in f.detail
    assert "raw.unit_reports[_file_id=" in f.rows


def test_lost_row_names_file_and_counts(gate_result):
    found = _of(gate_result("lost_row"), "row_loss_between_layers")
    details = " ".join(f.detail for f in found)
    assert f"platform_orders/{RUN_QUARTER}.csv" in details and "账本记入库 36 行" in details
    assert "实有 35 行" in details
    assert "staging.stg_platform__orders" in details


def test_ledger_arithmetic_and_quarantine_count(gate, writable_copy):
    with duckdb.connect(str(writable_copy)) as con:
        fid = con.execute("select min(file_id) from ledger.files where source = 'sites'").fetchone()
        con.execute("update ledger.files set rows_landed = rows_landed + 4 where file_id = ?", fid)
        con.execute(
            "delete from ledger.quarantine where row_number = "
            "(select max(row_number) from ledger.quarantine where file_id = 2) and file_id = 2"
        )
    details = [f.detail for f in _of(gate(writable_copy), "row_loss_between_layers")]
    assert any("4 行去向不明" in d for d in details)
    assert any("登记隔离 2 行，隔离表 ledger.quarantine 中有 1 行" in d for d in details)


def test_source_structure_names_rows(gate, writable_copy):
    with duckdb.connect(str(writable_copy)) as con:
        fid, row = con.execute(
            "select _file_id, _row_number from raw.platform_orders order by all limit 1"
        ).fetchone()
        con.execute(
            "update raw.platform_orders set order_status = '已发货', region_code = '5226' "
            "where _file_id = ? and _row_number = ?",
            [fid, row],
        )
        con.execute(
            "update raw.canteen_plans set unit_code = '11440100000000001A' where _row_number = 2"
        )
    result = gate(writable_copy)
    assert not result.passed
    found = _of(result, "source_structure")
    assert {f.severity for f in found} == {"error"}
    status = [f for f in found if "order_status" in f.detail]
    assert len(status) == 1 and "'已发货'" in status[0].detail and "1 行" in status[0].detail
    assert f"raw.platform_orders[_file_id={fid},_row_number={row}" in status[0].rows
    assert any("region_code" in f.detail and "6 位数字" in f.detail for f in found)
    assert any("校验位" in f.detail and "11440100000000001A" in f.detail for f in found)
    gx = json.loads(
        (result.report_dir / "gx" / "raw.platform_orders.json").read_text(encoding="utf-8")
    )
    assert gx["success"] is False


def test_mart_structure_missing_table_and_duplicates(gate, writable_copy):
    with duckdb.connect(str(writable_copy)) as con:
        con.execute("drop table marts.kpi_reporting")
        con.execute(
            "insert into marts.kpi_canteen select * from marts.kpi_canteen "
            "where year = 2026 and quarter = 3 limit 1"
        )
    found = _of(gate(writable_copy), "mart_structure")
    assert {f.severity for f in found} == {"error"}
    assert any("marts.kpi_reporting 不存在" in f.detail for f in found)
    assert any(
        "marts.kpi_canteen" in f.detail and "unit_code+year+quarter" in f.detail for f in found
    )


def _write_ack(gate, name: str, text: str, encoding: str = "utf-8") -> None:
    folder = gate.landing / "acknowledgements"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))


def test_acknowledgement_unblocks_and_is_listed(gate, gate_result, planted_warehouse):
    wh = planted_warehouse("wan_slip")
    assert not gate_result("wan_slip").passed
    _write_ack(
        gate,
        "reviewed.csv",
        " check , unit_code , period , note , reviewed_by \n\n"
        f"amount_outlier_vs_history, {UNIT['slip']} ,2026年第3季度,已核实为年底集中采购,张三\n",
        encoding="gbk",
    )
    result = gate(wh)
    assert result.passed
    [f] = _of(result, "amount_outlier_vs_history")
    assert f.acknowledged and not f.blocks
    assert (f.ack_note, f.ack_reviewed_by) == ("已核实为年底集中采购", "张三")
    assert _of(result, "acknowledgement_malformed") == []
    with open(result.report_dir / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    [row] = [r for r in rows if r["check"] == "amount_outlier_vs_history"]
    assert (row["acknowledged"], row["reviewed_by"], row["unit_code"]) == (
        "true",
        "张三",
        UNIT["slip"],
    )
    html = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert "已核实为年底集中采购" in html and "通过，可以发布" in html


def test_malformed_acknowledgements_are_reported(gate, clean_warehouse):
    _write_ack(gate, "a_no_header.csv", "check,unit_code,note\nx,y,z\n")
    _write_ack(
        gate,
        "b_rows.csv",
        "check,unit_code,period,note,reviewed_by\n"
        "no_such_check,,2026Q3,x,李四\n"
        f"unit_not_reported,{UNIT['recon']},2026Q9,x,李四\n"
        f"unit_not_reported,{UNIT['recon']},2026Q3,x,\n",
    )
    (gate.landing / "acknowledgements" / "c_binary.csv").write_bytes(b"\xff\xfe\x00\x81\x00")
    result = gate(clean_warehouse)
    found = _of(result, "acknowledgement_malformed")
    assert {f.severity for f in found} == {"warning"}
    details = sorted(f.detail for f in found)
    assert any("a_no_header.csv" in d and "period" in d and "reviewed_by" in d for d in details)
    assert any("b_rows.csv 第 2 行" in d and "no_such_check" in d for d in details)
    assert any("b_rows.csv 第 3 行" in d and "2026Q9" in d for d in details)
    assert any("b_rows.csv 第 4 行" in d and "复核人" in d for d in details)
    assert any("c_binary.csv" in d for d in details)
    assert result.passed


def test_findings_csv_and_html_are_safe(gate, planted_warehouse):
    _write_ack(
        gate,
        "ack.csv",
        "check,unit_code,period,note,reviewed_by\n"
        f'unit_not_reported,{UNIT["unreported"]},2026Q3,"=HYPERLINK(""http://x"")",'
        "<script>alert(1)</script>\n",
    )
    result = gate(planted_warehouse("unreported"))
    with open(result.report_dir / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == CSV_COLUMNS
        rows = list(reader)
    assert len(rows) == len(result.findings)
    [row] = [r for r in rows if r["check"] == "unit_not_reported"]
    assert row["note"].startswith("'=HYPERLINK")
    assert row["severity"] == "warning" and row["period"] == "2026Q3"
    html = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_report_folders_and_latest_pointer_leave_bulletins_alone(gate, clean_warehouse):
    published = gate.out / str(RUN_QUARTER) / "v1"
    published.mkdir(parents=True)
    (published / "bulletin.docx").write_bytes(b"published")
    first = gate(clean_warehouse).report_dir
    second = gate(clean_warehouse).report_dir
    assert first != second and first.exists() and second.exists()
    latest = (gate.out / str(RUN_QUARTER) / "checks" / "latest").read_text(encoding="utf-8")
    assert latest.strip() == second.name
    assert [p.name for p in published.iterdir()] == ["bulletin.docx"]
    assert (published / "bulletin.docx").read_bytes() == b"published"


def test_gate_reads_read_only_and_offline(gate, clean_warehouse, monkeypatch):
    attempts = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family != socket.AF_UNIX:
            attempts.append(address)
            raise OSError("network disabled in this test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    with duckdb.connect(str(clean_warehouse), read_only=True) as other_reader:
        result = gate(clean_warehouse)  # a concurrent read-only reader is fine
        assert other_reader.execute("select count(*) from marts.kpi_unit_quarter").fetchone()
    assert result.passed
    assert attempts == []


@pytest.mark.postgres
def test_postgres_target_finds_the_same(gate, planted_warehouse, quality_pg_dsn, monkeypatch):
    from warehouse_fixture import copy_to_postgres

    wh = planted_warehouse("voucher_reuse", "reconciliation")
    copy_to_postgres(wh, quality_pg_dsn)
    monkeypatch.setenv("BANGFU_PG_DSN", quality_pg_dsn)
    on_duckdb = gate(wh)
    on_postgres = gate(wh, target="postgres")

    def keys(result):
        return sorted(
            (f.check, f.severity, f.unit_code, f.period, f.detail) for f in result.findings
        )

    assert keys(on_postgres) == keys(on_duckdb)
    assert {f.check for f in on_postgres.findings} == {
        "voucher_reused_across_units",
        "reconciliation_flagged",
    }
    assert not on_postgres.passed


@pytest.mark.postgres
def test_postgres_reader_is_read_only(cfg, quality_pg_dsn, monkeypatch):
    import psycopg

    from bangfu.quality.reader import WarehouseReader

    monkeypatch.setenv("BANGFU_PG_DSN", quality_pg_dsn)
    with WarehouseReader(Path("unused.duckdb"), cfg, target="postgres") as reader:
        assert reader.rows("select 1") == [(1,)]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            reader.rows("create table gate_must_not_write (x int)")
