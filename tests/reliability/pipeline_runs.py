"""Drive `bangfu run` in child processes: kill one with SIGKILL at a marker of its log,
read what a warehouse and a bulletin folder hold, for comparisons between runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

QUARTER = "2026Q3"
# the analysts' formula-injection and markup probe, planted as a unit's registry name
EVIL_NAME = '=HYPERLINK("http://evil.example","点我")<script>alert(1)</script>'
# a fixed issue date (the bulletins of two runs must match); no PDF: LibreOffice costs ~5 s a
# run, and the kill during publication comes while the DOCX/XLSX/HTML are written
# the PDF stays on: its LibreOffice conversion (seconds) is what keeps the publication
# phase long enough for the kill in phase C to land before the version is renamed in
CONFIG_TEXT = "bulletin:\n  issue_date: 2026-10-20\n  pdf: true\n"


@dataclass
class Child:
    """One `bangfu` child process and everything it logged."""

    args: list[str]
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    seen: threading.Event = field(default_factory=threading.Event)
    marker: re.Pattern | None = None
    killed_at: str | None = None  # the marker line when it was killed

    def drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if self.marker is not None and self.marker.search(line):
                self.seen.set()
        self.seen.set()  # the process ended: stop waiting

    def log(self) -> str:
        return "".join(self.lines)


def start(cwd: Path, args: list[str], marker: str | None = None) -> Child:
    env = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bangfu.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: a kill takes dbt/soffice children too
    )
    child = Child(args, proc, marker=re.compile(marker) if marker else None)
    threading.Thread(target=child.drain, daemon=True).start()
    return child


def kill_at(child: Child, delay_s: float = 0.0, timeout_s: float = 300.0) -> None:
    """SIGKILL the child's process group `delay_s` after its log matched the marker."""
    assert child.seen.wait(timeout_s), f"marker never seen:\n{child.log()[-3000:]}"
    if child.proc.poll() is not None:
        raise AssertionError(f"the run ended before the kill point:\n{child.log()[-3000:]}")
    match = next((ln for ln in child.lines if child.marker and child.marker.search(ln)), None)
    child.killed_at = match
    if delay_s:
        time.sleep(delay_s)
    os.killpg(child.proc.pid, signal.SIGKILL)
    child.proc.wait(timeout=60)


def finish(child: Child, timeout_s: float = 600.0) -> int:
    rc = child.proc.wait(timeout=timeout_s)
    time.sleep(0.05)
    return rc


def run_args(root: Path) -> list[str]:
    return [
        "run",
        "--landing",
        str(root.parent / "landing"),
        "--quarter",
        QUARTER,
        "--warehouse",
        str(root / "wh" / "bangfu.duckdb"),
        "--out",
        str(root / "out"),
        "--config",
        str(root.parent / "bangfu.yml"),
    ]


def mart_fingerprint(db: Path) -> dict[str, tuple]:
    """Per mart table: row count and the sum of every DECIMAL column."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "ORDER BY 1"
            ).fetchall()
        ]
        out = {}
        for t in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'marts' AND table_name = ? AND data_type LIKE 'DECIMAL%' "
                    "ORDER BY ordinal_position",
                    [t],
                ).fetchall()
            ]
            sums = ", ".join(f'sum("{c}")' for c in cols)
            row = con.execute(f"SELECT count(*){', ' + sums if sums else ''} FROM marts.{t}")
            out[t] = tuple(row.fetchone())
        return out
    finally:
        con.close()


def raw_state(db: Path) -> dict[str, object]:
    """Row counts of the raw layer and the ledger, and the integrity facts a crash could break."""
    import duckdb

    from bangfu.raw_schema import TABLES

    con = duckdb.connect(str(db), read_only=True)
    try:
        state: dict[str, object] = {}
        for t in TABLES:
            state[t] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            cols = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema || '.' || table_name = ?",
                    [t],
                ).fetchall()
            }
            if {"_file_id", "_row_number"} <= cols:
                # a row loaded twice (a file ingested twice after a crash) would repeat here
                state[f"{t} duplicates"] = con.execute(
                    f"SELECT count(*) - count(DISTINCT (_file_id, _row_number)) FROM {t}"
                ).fetchone()[0]
            if "_file_id" in cols:
                # data whose file has no ledger row (file_id 0: the packaged regions.csv)
                state[f"{t} orphans"] = con.execute(
                    f"SELECT count(*) FROM {t} WHERE _file_id <> 0 AND _file_id NOT IN "
                    "(SELECT file_id FROM ledger.files)"
                ).fetchone()[0]
        state["ledger sha256 repeated"] = con.execute(
            "SELECT count(*) - count(DISTINCT sha256) FROM ledger.files"
        ).fetchone()[0]
        state["ledger paths"] = sorted(
            r[0] for r in con.execute("SELECT path FROM ledger.files").fetchall()
        )
        return state
    finally:
        con.close()


def ledger_without_data(db: Path) -> list[str]:
    """Ledger rows whose loaded or quarantined counts are not matched by rows in the tables."""
    import duckdb

    line_tables = {
        "platform_orders": "raw.platform_orders",
        "unit_reports": "raw.unit_report_lines",
        "canteen": "raw.canteen_plans",
        "union_welfare": "raw.union_welfare",
        "catalogue": "raw.catalogue",
        "sites": "raw.sites",
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        bad = []
        for fid, source, path, loaded, quarantined, outcome in con.execute(
            "SELECT file_id, source, path, rows_loaded, rows_quarantined, outcome FROM ledger.files"
        ).fetchall():
            q = con.execute(
                "SELECT count(*) FROM ledger.quarantine "
                "WHERE file_id = ? AND row_number IS NOT NULL",
                [fid],
            ).fetchone()[0]
            n = loaded
            if source in line_tables:
                n = con.execute(
                    f"SELECT count(*) FROM {line_tables[source]} WHERE _file_id = ?", [fid]
                ).fetchone()[0]
            if q != quarantined or n != loaded:
                bad.append(
                    f"{path} ({outcome}): loaded {loaded}/{n}, quarantined {quarantined}/{q}"
                )
        return bad
    finally:
        con.close()


def bulletin_content(version_dir: Path) -> dict[str, object]:
    """What a reader of the bulletin sees: the DOCX text, every XLSX cell, the HTML page."""
    import openpyxl
    from docx import Document

    docx = next(version_dir.glob("*.docx"))
    doc = Document(str(docx))
    text = [p.text for p in doc.paragraphs]
    text += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    wb = openpyxl.load_workbook(next(version_dir.glob("*.xlsx")), read_only=True)
    cells = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    html = next(version_dir.glob("*.html")).read_text(encoding="utf-8")
    return {"docx": text, "xlsx": cells, "html": html}
