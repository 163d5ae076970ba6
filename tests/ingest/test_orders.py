"""platform_orders: real CSV files through the SQL path into a real DuckDB file."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal

from ingest_helpers import BAD_CHECK, UNIT_A, UNIT_B, UNIT_UNKNOWN, order, write_csv
from support.spec_headers import ORDER_HEADER


def test_orders_gbk_every_row_accounted(landing, ingest, query, accounting):
    rows = [
        order("O1"),
        order("O2", code=BAD_CHECK),
        order("O3", region="520999"),
        order("O4", ordered="2026-13-45"),
        order("O5", amount="１,２３４.５"),
        order("O6", ordered="2026年7月3日"),
        order("O7", ordered="2026/7/3 9:05"),
        order("O8", ptype="团购"),
        order("O9", code=UNIT_UNKNOWN),
        order("O10", amount=""),
        order("O11", code=UNIT_B.lower(), refund="12.30"),
    ]
    path = write_csv(landing / "platform_orders" / "x" / "export.csv", ORDER_HEADER, rows, "gbk")
    with open(path, "ab") as fh:  # a malformed line, then a good one after it
        fh.write("坏行,只有三列,x\r\n".encode("gbk"))
        fh.write((",".join(order("O12")) + "\r\n").encode("gbk"))

    report = ingest(landing)
    assert report.rows_landed == 3 + 13  # units + orders
    totals = accounting()
    assert totals["platform_orders"] == (13, 6, 7)

    loaded = dict(query("SELECT order_id, _row_number FROM raw.platform_orders"))
    assert loaded == {"O1": 2, "O5": 6, "O6": 7, "O7": 8, "O11": 12, "O12": 14}
    reasons = dict(query("SELECT row_number, reason FROM ledger.quarantine WHERE row_number > 0"))
    assert reasons[3] == f"采购单位统一社会信用代码校验位错误: {BAD_CHECK}"
    assert reasons[4] == "产地区划代码 520999 不在帮扶地区名录"
    assert reasons[5].startswith("下单时间无法识别: 2026-13-45")
    assert reasons[9] == "采购类型不在取值范围（食堂食材/工会慰问/其他）: 团购"
    assert reasons[10] == f"采购单位统一社会信用代码 {UNIT_UNKNOWN} 不在单位名录"
    assert reasons[11] == "订单金额(元)为空"
    assert reasons[13].startswith("CSV行格式错误")
    raw = json.loads(query("SELECT raw FROM ledger.quarantine WHERE row_number = 9")[0][0])
    assert raw["采购类型"] == "团购" and raw["订单编号"] == "O8"

    got = {
        r[0]: r[1:]
        for r in query(
            "SELECT order_id, ordered_at, order_amount_yuan, refund_amount_yuan, buyer_code, "
            "buyer_name FROM raw.platform_orders"
        )
    }
    assert got["O5"][1] == Decimal("1234.50")  # full-width digits and a separator
    assert got["O6"][0] == datetime(2026, 7, 3)
    assert got["O7"][0] == datetime(2026, 7, 3, 9, 5)
    assert got["O1"][2] == Decimal("0.00")  # empty refund
    assert got["O11"][2] == Decimal("12.30")
    assert got["O11"][3] == UNIT_B  # lower case normalised
    assert got["O1"][4] == "广州某某集团有限公司"  # GBK round trip
    (enc,) = query("SELECT encoding FROM ledger.files WHERE source = 'platform_orders'")[0]
    assert enc == "gb18030"


def test_reingest_is_noop_and_same_bytes_load_once(landing, ingest, query, accounting):
    write_csv(landing / "platform_orders" / "a.csv", ORDER_HEADER, [order("O1"), order("O2")])
    first = ingest(landing)
    assert first.rows_loaded == 3 + 2
    before = query("SELECT count(*) FROM raw.platform_orders")[0][0]
    # same bytes under another name: skipped
    shutil.copy(landing / "platform_orders" / "a.csv", landing / "platform_orders" / "copy.csv")
    second = ingest(landing)
    assert second.rows_landed == 0 and len(second.new_files) == 0
    assert all(f.outcome == "skipped" for f in second.files)
    assert query("SELECT count(*) FROM raw.platform_orders")[0][0] == before
    assert query("SELECT count(*) FROM ledger.files")[0][0] == 2
    assert "skipped" in second.summary()
    # a changed file under the same name is a new version
    write_csv(landing / "platform_orders" / "a.csv", ORDER_HEADER, [order("O1", amount="99.00")])
    third = ingest(landing)
    assert [f.path for f in third.new_files] == ["platform_orders/a.csv"]
    assert query("SELECT count(*) FROM ledger.files")[0][0] == 3
    assert query("SELECT count(*) FROM raw.platform_orders")[0][0] == 3
    accounting()
    archived = query("SELECT archived_path, sha256 FROM ledger.files")
    for path, sha in archived:
        assert path.endswith(f"archive/{sha[:2]}/{sha}.csv")


def test_wan_yuan_header_and_utf8_bom_and_mixed_line_ends(landing, ingest, query, accounting):
    header = [h.replace("订单金额(元)", " 订单金额（万元） ") for h in ORDER_HEADER]
    path = write_csv(
        landing / "platform_orders" / "w.csv",
        header,
        [order("W1", amount="1.2345"), order("W2", amount="0.5")],
        encoding="utf-8-sig",
    )
    with open(path, "ab") as fh:  # bare LF after CRLF lines
        fh.write((",".join(order("W3", amount="2")) + "\n").encode())
    ingest(landing)
    accounting()
    got = dict(query("SELECT order_id, order_amount_yuan FROM raw.platform_orders"))
    assert got == {"W1": Decimal("12345.00"), "W2": Decimal("5000.00"), "W3": Decimal("20000.00")}
    assert query("SELECT encoding FROM ledger.files WHERE file_id = 2")[0][0] == "utf-8-sig"


def test_header_only_empty_and_missing_column_files(landing, ingest, query, accounting):
    write_csv(landing / "platform_orders" / "header_only.csv", ORDER_HEADER, [])
    (landing / "platform_orders" / "empty.csv").write_bytes(b"")
    cut = [h for h in ORDER_HEADER if h != "采购类型"]
    write_csv(landing / "platform_orders" / "missing.csv", cut, [order("M1")[:-1]])
    write_csv(landing / "platform_orders" / "zgood.csv", ORDER_HEADER, [order("G1")])
    report = ingest(landing)
    accounting()
    reasons = dict(
        query(
            "SELECT f.path, q.reason FROM ledger.quarantine q JOIN ledger.files f USING (file_id) "
            "WHERE q.row_number IS NULL"
        )
    )
    assert reasons["platform_orders/empty.csv"] == "文件为空（0字节）"
    assert reasons["platform_orders/header_only.csv"] == "文件只有表头，没有数据行"
    assert reasons["platform_orders/missing.csv"] == "缺少必需列: 采购类型"
    assert query("SELECT order_id FROM raw.platform_orders") == [("G1",)]
    assert "rejected: platform_orders/missing.csv" in report.summary()
    assert {f.outcome for f in report.new_files if f.source == "platform_orders"} == {
        "quarantined",
        "loaded",
    }
    assert UNIT_A  # the registry unit used by order()


def test_orders_control_characters_quarantined_others_load(landing, ingest, query, tmp_path):
    """A file holding a control byte takes the per-cell check (a clean file skips it)."""
    from bangfu.readers import has_control_bytes

    rows = [order("O1"), order("O\x07二"), order("O3"), order("O4\t")]
    path = write_csv(landing / "platform_orders" / "ctl.csv", ORDER_HEADER, rows)
    clean = write_csv(tmp_path / "clean.csv", ORDER_HEADER, [order("O1"), order("O4\t")])
    assert has_control_bytes(path) and not has_control_bytes(clean)  # tab is allowed

    ingest(landing)
    loaded = dict(query("SELECT order_id, _row_number FROM raw.platform_orders"))
    assert loaded == {"O1": 2, "O3": 4, "O4\t": 5}  # (trim() keeps a tab)
    ((row, reason, raw),) = query(
        "SELECT row_number, reason, raw FROM ledger.quarantine WHERE source = 'platform_orders'"
    )
    assert (row, reason) == (3, "含有控制字符")
    assert json.loads(raw)["订单编号"] == "O\x07二"
