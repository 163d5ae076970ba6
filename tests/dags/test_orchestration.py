"""The helpers the DAGs share: the quarterly schedule, the run's quarter, Settings,
the gate handed through XCom, and the failure e-mail through a real SMTP exchange."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from datetime import datetime
from types import SimpleNamespace
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def _core_timetable(dag):
    from airflow.serialization.serialized_objects import coerce_to_core_timetable

    return coerce_to_core_timetable(dag.timetable)


def _next_runs(dag, after: datetime, n: int) -> list[datetime]:
    import pendulum
    from airflow.timetables.base import DataInterval, TimeRestriction

    tt = _core_timetable(dag)
    restriction = TimeRestriction(
        earliest=pendulum.instance(dag.start_date), latest=None, catchup=True
    )
    last = DataInterval(pendulum.instance(after), pendulum.instance(after))
    out = []
    for _ in range(n):
        info = tt.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        out.append(info.run_after.in_timezone("Asia/Shanghai"))
        last = info.data_interval
    return out


def test_bulletin_runs_on_the_20th_after_each_quarter(dagbag):
    from bangfu.orchestration import quarter_before

    dag = dagbag.dags["bangfu_bulletin"]
    runs = _next_runs(dag, datetime(2026, 7, 20, 9, tzinfo=SH), 5)
    assert [(r.year, r.month, r.day, r.hour) for r in runs] == [
        (2026, 10, 20, 9),
        (2027, 1, 20, 9),
        (2027, 4, 20, 9),
        (2027, 7, 20, 9),
        (2027, 10, 20, 9),
    ]
    assert all(r.utcoffset().total_seconds() == 8 * 3600 for r in runs)
    # each run publishes the quarter that ended before it
    assert [str(quarter_before(r)) for r in runs] == [
        "2026Q3",
        "2026Q4",
        "2027Q1",
        "2027Q2",
        "2027Q3",
    ]


def test_bulletin_first_runs_from_start_date(dagbag):
    """Catchup/backfill from the start date runs every quarter of the programme."""
    dag = dagbag.dags["bangfu_bulletin"]
    restriction_first = _next_runs(dag, datetime(2025, 1, 1, tzinfo=SH), 2)
    assert [(r.year, r.month, r.day) for r in restriction_first] == [(2025, 1, 20), (2025, 4, 20)]


def test_ingest_and_build_schedules(dagbag):
    from bangfu import orchestration as orch

    for source, schedule in orch.INGEST_SCHEDULES.items():
        dag = dagbag.dags[f"bangfu_ingest_{source}"]
        runs = _next_runs(dag, datetime(2026, 11, 24, 12, tzinfo=SH), 2)  # a Tuesday
        first = (runs[0].month, runs[0].day, runs[0].hour, runs[0].utcoffset().total_seconds())
        assert (
            first == {orch.DAILY: (11, 25, 6, 28800.0), orch.WEEKLY: (11, 30, 6, 28800.0)}[schedule]
        ), source
        assert (runs[1] - runs[0]).days == {orch.DAILY: 1, orch.WEEKLY: 7}[schedule], source
    build = dagbag.dags["bangfu_build"]
    condition = build.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any one source's update triggers a build
    names = {a.name for a in condition.objects}
    assert names == {orch.raw_asset_name(s) for s in orch.INGEST_SCHEDULES}
    assert {o.name for o in build.get_task("dbt_build").outlets} == {orch.MARTS_ASSET}


@pytest.mark.parametrize(
    ("moment", "params", "expected"),
    [
        (datetime(2026, 10, 20, 9, tzinfo=SH), {}, "2026Q3"),
        (datetime(2026, 1, 20, 9, tzinfo=SH), {}, "2025Q4"),
        # 2026-03-31 23:30 in Shanghai is still Q1 there: the quarter before is 2025Q4
        (datetime(2026, 3, 31, 15, 30, tzinfo=ZoneInfo("UTC")), {}, "2025Q4"),
        (datetime(2026, 4, 1, 16, 30, tzinfo=ZoneInfo("UTC")), {}, "2026Q1"),
        (datetime(2026, 10, 20, 9, tzinfo=SH), {"quarter": "2025Q2"}, "2025Q2"),
        (datetime(2026, 10, 20, 9, tzinfo=SH), {"quarter": None}, "2026Q3"),
    ],
)
def test_run_quarter(moment, params, expected):
    from bangfu.orchestration import run_quarter

    assert str(run_quarter({"logical_date": moment, "params": params})) == expected


def test_run_quarter_of_a_manual_run_without_logical_date():
    from bangfu.orchestration import run_quarter

    dag_run = SimpleNamespace(run_after=datetime(2026, 11, 29, 4, tzinfo=ZoneInfo("UTC")))
    assert str(run_quarter({"logical_date": None, "dag_run": dag_run, "params": {}})) == "2026Q3"


def test_settings_from_env_and_params(monkeypatch, tmp_path):
    from bangfu.orchestration import settings

    cfg = tmp_path / "deploy.yml"
    cfg.write_text("rules:\n  growth_target_pct: 8\n", encoding="utf-8")
    monkeypatch.setenv("BANGFU_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("BANGFU_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("BANGFU_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("BANGFU_CONFIG", str(cfg))
    monkeypatch.delenv("BANGFU_TARGET", raising=False)
    s = settings({"quarter": "2026Q3"})
    assert s.landing == tmp_path / "landing"
    assert s.warehouse == tmp_path / "wh.duckdb"
    assert s.out == tmp_path / "out"
    assert s.config.rules["growth_target_pct"] == 8
    assert s.target == "duckdb"
    s2 = settings({"target": "postgres", "out": str(tmp_path / "o2"), "landing": ""})
    assert (s2.target, s2.out, s2.landing) == ("postgres", tmp_path / "o2", tmp_path / "landing")
    monkeypatch.delenv("BANGFU_LANDING")
    with pytest.raises(ValueError, match="BANGFU_LANDING"):
        settings({})


def test_gate_survives_xcom_and_blocked_message_names_the_report(tmp_path):
    from bangfu.orchestration import blocked_message, gate_from_xcom, gate_to_xcom
    from bangfu.quality.findings import Finding, GateResult

    gate = GateResult(
        "2026Q3",
        [
            Finding(
                "voucher_reused_across_units", "error", "91110000100017643K", "2026Q3", "凭证重复"
            ),
            Finding("unit_not_reported", "warning", "91110000100017643K", "2026Q3", "未报送"),
        ],
        report_dir=tmp_path / "report",
    )
    data = json.loads(json.dumps(gate_to_xcom(gate)))  # what XCom stores
    back = gate_from_xcom(data)
    assert back == gate
    assert not back.passed
    msg = blocked_message(back)
    assert "2026Q3" in msg and "1 blocking" in msg and str(tmp_path / "report") in msg
    assert "voucher_reused_across_units" in msg


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive one message."""

    received: ClassVar[list[dict]] = []

    def handle(self):
        mail: dict = {"rcpt": [], "data": ""}
        self.wfile.write(b"220 localhost test SMTP\r\n")
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            upper = cmd.upper()
            if upper.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 localhost\r\n")
            elif upper.startswith("MAIL FROM"):
                mail["from"] = cmd
                self.wfile.write(b"250 OK\r\n")
            elif upper.startswith("RCPT TO"):
                mail["rcpt"].append(cmd.split(":", 1)[1].strip(" <>"))
                self.wfile.write(b"250 OK\r\n")
            elif upper == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                chunks = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(data.decode("utf-8", "replace"))
                mail["data"] = "".join(chunks)
                self.received.append(mail)
                self.wfile.write(b"250 OK\r\n")
            elif upper == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


def test_failure_callback_sends_mail_through_the_configured_connection(monkeypatch, caplog):
    from bangfu.orchestration import notify_failure

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        conn = {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "bangfu@example.org"},
        }
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_BANGFU_TEST", json.dumps(conn))
        monkeypatch.setenv("BANGFU_SMTP_CONN_ID", "smtp_bangfu_test")
        monkeypatch.setenv("BANGFU_ALERT_EMAILS", "data-team@example.org, ops@example.org")
        ti = SimpleNamespace(
            dag_id="bangfu_bulletin", task_id="quality_gate", run_id="r1", try_number=1
        )
        _SMTP.received.clear()
        with caplog.at_level("INFO"):
            notify_failure({"task_instance": ti, "exception": RuntimeError("report in /x/y")})
    finally:
        server.shutdown()
        server.server_close()
    assert len(_SMTP.received) == 1
    mail = _SMTP.received[0]
    assert sorted(mail["rcpt"]) == ["data-team@example.org", "ops@example.org"]
    msg = email.message_from_string(mail["data"], policy=email.policy.default)
    assert msg["Subject"] == "[bangfu] 任务失败 bangfu_bulletin.quality_gate"
    html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
    assert "RuntimeError: report in /x/y" in html
    assert "bangfu task failed: dag=bangfu_bulletin task=quality_gate" in caplog.text


def test_failure_callback_without_recipients_only_logs(monkeypatch, caplog):
    from bangfu.orchestration import notify_failure

    monkeypatch.delenv("BANGFU_ALERT_EMAILS", raising=False)
    ti = SimpleNamespace(dag_id="d", task_id="t", run_id="r", try_number=2)
    with caplog.at_level("INFO"):
        notify_failure({"task_instance": ti, "exception": ValueError("boom")})
    assert "ValueError: boom" in caplog.text
    assert "no failure e-mail sent" in caplog.text


def test_raw_assets_are_named():
    from bangfu import orchestration as orch

    names = [a.name for a in orch.raw_assets()]
    assert names == [f"bangfu_raw_{s}" for s in orch.INGEST_SCHEDULES]
    assert len({a.uri for a in orch.raw_assets()}) == len(names)


def test_assets_are_emitted_only_for_sources_with_new_files():
    from bangfu.ingest import IngestReport
    from bangfu.ledger import FileOutcome
    from bangfu.orchestration import new_files_by_source

    def outcome(source: str, name: str, state: str) -> FileOutcome:
        return FileOutcome(source, f"{source}/{name}", name * 8, 10, outcome=state)

    report = IngestReport(
        [
            outcome("platform_orders", "a", "loaded"),
            outcome("platform_orders", "b", "partial"),
            outcome("platform_orders", "c", "skipped"),
            outcome("unit_reports", "d", "quarantined"),  # a rejected file changes quarantine
            outcome("canteen", "e", "skipped"),
        ]
    )
    assert new_files_by_source(report) == {"platform_orders": 2, "unit_reports": 1}
