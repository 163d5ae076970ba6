"""`bangfu run` end to end through the command line: exit codes 0, 3 and 2 (SPEC §8).

Clean synthetic data publishes; a planted double-claimed voucher blocks with a report and
leaves the published bulletin untouched; an acknowledgement lets the next run publish v2
with the finding listed as acknowledged.
"""

from __future__ import annotations

import csv

import openpyxl
import pytest
from support.planting import reuse_voucher_in_new_workbook

from bangfu.cli import main

pytestmark = pytest.mark.slow


def _args(s, *extra: str) -> list[str]:
    return [
        "run", "--landing", str(s.landing), "--quarter", "2026Q3",
        "--warehouse", str(s.warehouse), "--out", str(s.out), *extra,
    ]  # fmt: skip


def test_blocked_then_acknowledged(copy_run, tmp_path):
    s = copy_run
    cfg_file = tmp_path / "bangfu.yml"
    cfg_file.write_text("bulletin:\n  pdf: false\n", encoding="utf-8")

    assert main(_args(s, "--config", str(cfg_file))) == 0
    assert sorted(p.name for p in (s.out / "2026Q3").glob("v*")) == ["v1"]

    voucher, unit_a, unit_b = reuse_voucher_in_new_workbook(s.landing, s.warehouse)
    assert main(_args(s, "--config", str(cfg_file))) == 3
    assert sorted(p.name for p in (s.out / "2026Q3").glob("v*")) == ["v1"]  # untouched
    latest = (s.out / "2026Q3" / "checks" / "latest").read_text(encoding="utf-8").strip()
    report = s.out / "2026Q3" / "checks" / latest
    with open(report / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["check"] == "voucher_reused_across_units"]
    assert {r["unit_code"] for r in rows} == {unit_a, unit_b}
    assert all(r["severity"] == "error" and r["period"] == "2026" for r in rows)
    assert voucher in (report / "report.html").read_text(encoding="utf-8")

    acks = s.landing / "acknowledgements"
    acks.mkdir(exist_ok=True)
    with open(acks / "2026Q3.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["check", "unit_code", "period", "note", "reviewed_by"])
        for unit in (unit_a, unit_b):
            w.writerow(["voucher_reused_across_units", unit, "2026", "已核实为更正报告", "李工"])
    assert main(_args(s, "--config", str(cfg_file))) == 0
    v2 = s.out / "2026Q3" / "v2"
    wb = openpyxl.load_workbook(v2 / "附件-2026Q3.xlsx", read_only=True)
    header, *annex = wb["数据质量"].iter_rows(values_only=True)
    rows = [dict(zip(header, r, strict=True)) for r in annex]
    acked = [r for r in rows if r["检查代码"] == "voucher_reused_across_units"]
    assert {r["单位代码"] for r in acked} == {unit_a, unit_b}
    assert all(r["已复核"] == "是" and r["复核人"] == "李工" for r in acked)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--landing", "{tmp}", "--quarter", "2026Q5"], "not a quarter"),
        (["run", "--landing", "{tmp}/missing", "--quarter", "2026Q3"], "does not exist"),
        (["run", "--landing", "{tmp}", "--quarter", "2026Q3", "--config", "{tmp}/no.yml"],
         "not found"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2(argv, message, tmp_path, capsys):
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    assert message in capsys.readouterr().err
