"""Output safety: spreadsheet formula injection, HTML escaping, SQL built from strings,
secrets in the repository. (The bulletin's annex and page from a real run are checked in
test_crash_safety.py, on units whose registry names are injection probes.)"""

from __future__ import annotations

import ast
import csv
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "include" / "bangfu"
PROBES = [
    '=HYPERLINK("http://evil.example","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
]


def _findings():
    from bangfu.quality.findings import Finding

    return [
        Finding(
            check=probe if i % 2 else "report_rows_without_voucher",
            severity="error" if i % 2 else "warning",
            unit_code=probe,
            period="2026Q3",
            detail=f"{probe}",
            rows=probe,
            ack_note=probe,
            ack_reviewed_by=probe,
        )
        for i, probe in enumerate(PROBES)
    ]


def test_findings_csv_cells_are_neutralised(tmp_path):
    from bangfu.quality.report import write_findings_csv

    path = tmp_path / "findings.csv"
    write_findings_csv(path, _findings())
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + len(PROBES)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    details = [r[rows[0].index("detail")] for r in rows[1:]]
    assert details == [("'" + p if p[0] in "=+-@\t\r" else p) for p in PROBES]


def test_quality_report_html_is_escaped(tmp_path):
    from bangfu.quality.findings import GateResult
    from bangfu.quality.report import write_html

    path = tmp_path / "report.html"
    write_html(path, GateResult("2026Q3", _findings()), {}, {}, [], "20261020T000000")
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@settings(deadline=None, database=None)
@given(st.text(min_size=1, max_size=30))
def test_annex_text_is_never_a_formula(text):
    from bangfu.bulletin.xlsx_writer import safe_text

    got = safe_text(text)
    assert not got.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert got in (text, "'" + text)


def test_bulletin_html_escapes_data_text():
    from bangfu.bulletin.html_writer import _table
    from bangfu.bulletin.narrative import Table

    t = Table(
        caption="<b>表</b>", headers=["单位"], rows=[["<script>alert(1)</script>"]], numeric=set()
    )
    html = _table(t)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


# --- SQL built by formatting strings -------------------------------------------------

# (module, function) pairs reviewed: every formatted piece is a code constant, a column or
# table name from the raw-layer contract, an integer file id, or a value escaped by
# `platform_orders._sql_str` (header cells and file paths: quotes doubled). Values read
# from files travel as bound parameters. A new formatted statement must be reviewed and
# added here.
REVIEWED = {
    ("bench_ingest.py", "generate_orders"),
    ("bench_ingest.py", "load_seconds"),  # code constants only; file paths as a parameter
    ("quality/reader.py", "read"),
    ("quality/reader.py", "count_by_file"),
    ("quality/reader.py", "read_files"),  # quoted identifiers, file ids as `?` parameters
    ("quality/reader.py", "file_fingerprints"),  # quoted identifiers from the suite files
    ("quality/reader.py", "table_fingerprint"),  # quoted identifiers from the suite files
    ("quality/rules.py", "row_loss_between_layers"),
    ("quality/rules.py", "source_codes"),  # table/column names and `?` placeholders only
    ("sources/common.py", "insert_records"),
    ("sources/platform_orders.py", "_fast_ts_format"),
    ("sources/platform_orders.py", "_load_csv"),
    ("sources/platform_orders.py", "_insert"),
    ("sources/platform_orders.py", "insert_valid"),
    ("sources/reference.py", "load"),
    ("transform.py", "mirror_raw_to_postgres"),
    ("transform.py", "ensure_analyst_role"),
}
SQL_CALLS = {"execute", "executemany", "sql", "query", "rows", "copy"}


def formatted_sql_calls() -> set[tuple[str, str]]:
    found = set()
    for f in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(fn):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in SQL_CALLS
                    and call.args
                    and isinstance(call.args[0], ast.JoinedStr | ast.BinOp)
                ):
                    found.add((f.relative_to(PACKAGE).as_posix(), fn.name))
    return found


def test_sql_built_by_formatting_is_only_where_reviewed():
    new = formatted_sql_calls() - REVIEWED
    assert new == set(), f"review these formatted SQL statements for file contents: {new}"


# --- secrets ----------------------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"(?i)postgres(?:ql)?(?:\+\w+)?://[^:/@\s]+:(?!\$\{)[^@\s/]{3,}@"),
    re.compile(
        r"(?i)\b(password|passwd|secret|api_?key|access_?key|token)\b[\"']?\s*[:=]\s*"
        r"[\"']?(?!CHANGE-ME|\$\{|\{\{|<|os\.environ|env_var|None|\"|'|$)[A-Za-z0-9+/_\-]{8,}"
    ),
]


def _repo_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [ROOT / p for p in out.decode().split("\0") if p]


def test_no_secret_in_the_repository():
    files = _repo_files()
    assert len(files) > 50
    hits = []
    for path in files:
        if path == Path(__file__) or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for pat in SECRET_PATTERNS:
            hits += [f"{path.relative_to(ROOT)}: {m.group(0)[:40]}" for m in pat.finditer(text)]
    assert hits == []


@pytest.mark.parametrize(
    "line",
    [
        "password = 'hunter2hunter2'",
        "DSN=postgresql://bangfu:s3cretpass@db:5432/bangfu",
        "-----BEGIN RSA PRIVATE KEY-----",
        "aws_key: AKIAABCDEFGHIJKLMNOP",
    ],
)
def test_the_secret_scan_can_fail(line):
    assert any(p.search(line) for p in SECRET_PATTERNS)
