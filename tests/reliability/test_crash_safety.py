"""Crash safety and concurrent readers, with real `bangfu run` child processes.

One synthetic landing; two warehouses. `ref` runs uninterrupted. `crash` is killed with
SIGKILL (its whole process group) three times, each at a marker of its own log:
A during ingestion, B while dbt creates a mart table, C while the bulletin is being
written (after the analysts' copy was published); then run D goes to the end while
analysts query the published copy. D must converge to `ref`: same marts (row counts and
sums of every DECIMAL column), same raw layer, no duplicated or orphaned rows, no ledger
row without its data, the same bulletin content and no half-published version.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pipeline_runs import (
    CONFIG_TEXT,
    EVIL_NAME,
    QUARTER,
    bulletin_content,
    finish,
    kill_at,
    ledger_without_data,
    mart_fingerprint,
    raw_state,
    run_args,
    start,
)

pytestmark = pytest.mark.slow

EVIL_NAMES = [EVIL_NAME, "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3&<b>粗</b>"]


@dataclass
class Outcome:
    base: Path
    ref_rc: int = -1
    ref_log: str = ""
    killed: dict[str, str] = field(default_factory=dict)  # phase -> marker line
    rcs: dict[str, int] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    after: dict[str, dict] = field(default_factory=dict)  # phase -> raw_state
    orphans: dict[str, list[str]] = field(default_factory=dict)  # phase -> ledger w/o data
    out_after_c: list[str] = field(default_factory=list)
    reads: list[tuple[float, tuple]] = field(default_factory=list)
    read_errors: list[str] = field(default_factory=list)
    held_read: tuple | None = None
    analyst_before: dict | None = None


def _plant_evil_names(landing: Path) -> None:
    path = landing / "reference" / "units.csv"
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    rows = list(csv.reader(io.StringIO(raw.decode(encoding), newline="")))
    name_col = rows[0].index("unit_name")
    for row, name in zip(rows[1:], EVIL_NAMES, strict=False):
        row[name_col] = name
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _analyst_reader(db: Path, stop: threading.Event, out: Outcome) -> None:
    import duckdb

    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            con = duckdb.connect(str(db), read_only=True)
            try:
                got = con.execute(
                    "SELECT (SELECT count(*) FROM marts.kpi_unit_quarter), "
                    "(SELECT sum(amount_total_yuan) FROM marts.kpi_unit_quarter), "
                    "(SELECT count(*) FROM marts.kpi_city_quarter), "
                    "(SELECT sum(amount_yuan) FROM marts.kpi_city_quarter)"
                ).fetchone()
            finally:
                con.close()
            out.reads.append((time.perf_counter() - t0, tuple(got)))
        except Exception as exc:  # recorded, asserted on by the test
            out.read_errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Outcome:
    import duckdb

    from bangfu.synth import generate
    from bangfu.warehouse import analyst_copy_path

    base = tmp_path_factory.mktemp("crash")
    generate(base / "landing", seed=11, years=(2025, 2026), orders=3000, units=60)
    _plant_evil_names(base / "landing")
    (base / "bangfu.yml").write_text(CONFIG_TEXT, encoding="utf-8")
    ref, crash = base / "ref", base / "crash"
    ref.mkdir()
    crash.mkdir()
    res = Outcome(base)
    db = crash / "wh" / "bangfu.duckdb"

    reference = start(ref, run_args(ref))  # uninterrupted, beside the crashing runs

    phases = {
        "A ingest": (r"bangfu\.ingest: platform_orders/\S+: \d+ rows", 0.0),
        "B dbt build": (r"\d+ of \d+ START sql \w+ model marts\.", 0.0),
        "C publish": (r"bangfu\.warehouse: published analysts' copy", 1.0),
    }
    for phase, (marker, delay) in phases.items():
        child = start(crash, run_args(crash), marker=marker)
        kill_at(child, delay_s=delay)
        res.killed[phase] = child.killed_at or ""
        res.rcs[phase] = child.proc.returncode
        res.logs[phase] = child.log()
        res.after[phase] = raw_state(db)
        res.orphans[phase] = ledger_without_data(db)
    qdir = crash / "out" / QUARTER
    res.out_after_c = sorted(p.name for p in qdir.iterdir()) if qdir.is_dir() else []

    # D: to the end, while analysts query the published copy (and one session stays open)
    analyst = analyst_copy_path(db)
    held = duckdb.connect(str(analyst), read_only=True)
    res.analyst_before = mart_fingerprint(analyst)
    stop = threading.Event()
    reader = threading.Thread(target=_analyst_reader, args=(analyst, stop, res), daemon=True)
    reader.start()
    final = start(crash, run_args(crash))
    res.rcs["D"] = finish(final)
    res.logs["D"] = final.log()
    stop.set()
    reader.join(timeout=30)
    res.held_read = tuple(held.execute("SELECT count(*) FROM marts.kpi_unit_quarter").fetchone())
    held.close()

    res.ref_rc = finish(reference)
    res.ref_log = reference.log()
    return res


def test_each_kill_happened_in_its_phase(outcome: Outcome):
    for phase, line in outcome.killed.items():
        assert line, phase
        assert outcome.rcs[phase] == -9, (phase, outcome.logs[phase][-2000:])
    a, b, c = (outcome.logs[p] for p in ("A ingest", "B dbt build", "C publish"))
    assert "ingest done" not in a
    assert "ingest done" in b and "build done" not in b
    assert "build done" in c and "publish done" not in c
    # A really stopped half-way through the landing
    assert len(outcome.after["A ingest"]["ledger paths"]) < len(
        outcome.after["C publish"]["ledger paths"]
    )


def test_no_state_after_any_kill_breaks_the_raw_layer(outcome: Outcome):
    for phase, state in outcome.after.items():
        bad = {k: v for k, v in state.items() if k.endswith(("duplicates", "orphans")) and v}
        assert bad == {}, phase
        assert state["ledger sha256 repeated"] == 0, phase
        assert outcome.orphans[phase] == [], phase


def test_rerun_converges_to_the_uninterrupted_run(outcome: Outcome):
    assert outcome.ref_rc == 0, outcome.ref_log[-3000:]
    assert outcome.rcs["D"] == 0, outcome.logs["D"][-3000:]
    ref_db = outcome.base / "ref" / "wh" / "bangfu.duckdb"
    crash_db = outcome.base / "crash" / "wh" / "bangfu.duckdb"
    ref_marts = mart_fingerprint(ref_db)
    assert len(ref_marts) >= 9
    assert ref_marts["kpi_unit_quarter"][0] > 0
    assert mart_fingerprint(crash_db) == ref_marts
    ref_raw, crash_raw = raw_state(ref_db), raw_state(crash_db)
    assert crash_raw == ref_raw
    assert ledger_without_data(crash_db) == []


def _check_version(vdir: Path) -> dict:
    manifest = json.loads((vdir / "manifest.json").read_text(encoding="utf-8"))
    for kind, f in manifest["files"].items():
        p = vdir / f["name"]
        assert p.is_file(), (vdir, kind)
        assert hashlib.sha256(p.read_bytes()).hexdigest() == f["sha256"], (vdir, kind)
    for kind in ("docx", "xlsx", "html"):
        assert kind in manifest["files"], (vdir, kind)
    return manifest


def test_no_half_published_version_and_same_bulletin(outcome: Outcome):
    from bangfu.bulletin.publish import versions

    # C was killed while writing: no version became visible
    assert not [n for n in outcome.out_after_c if n.startswith("v")], outcome.out_after_c
    ref_q = outcome.base / "ref" / "out" / QUARTER
    crash_q = outcome.base / "crash" / "out" / QUARTER
    assert versions(ref_q) == [1]
    assert versions(crash_q) == [1]
    for entry in crash_q.iterdir():  # leftovers of the kill are hidden temp folders only
        assert entry.name in ("v1", "checks") or entry.name.startswith(".tmp-"), entry
    ref_manifest = _check_version(ref_q / "v1")
    crash_manifest = _check_version(crash_q / "v1")
    assert crash_manifest["summary"] == ref_manifest["summary"]
    assert crash_manifest["gate"]["findings"] == ref_manifest["gate"]["findings"]
    assert bulletin_content(crash_q / "v1") == bulletin_content(ref_q / "v1")


def test_analyst_queries_during_the_run_succeed_and_see_whole_tables(outcome: Outcome):
    assert outcome.rcs["D"] == 0
    assert outcome.read_errors == []
    assert len(outcome.reads) >= 5, "the readers barely ran"
    ref_marts = mart_fingerprint(outcome.base / "ref" / "wh" / "bangfu.duckdb")
    want = (
        ref_marts["kpi_unit_quarter"][0],
        None,
        ref_marts["kpi_city_quarter"][0],
        None,
    )
    for _, got in outcome.reads:
        assert (got[0], None, got[2], None) == want
    # every snapshot is one whole build: the same totals in each
    assert len({got for _, got in outcome.reads}) == 1
    assert max(seconds for seconds, _ in outcome.reads) < 10
    assert outcome.analyst_before == ref_marts
    assert outcome.held_read == (ref_marts["kpi_unit_quarter"][0],)


def test_bulletin_cells_never_formulas_and_html_escaped(outcome: Outcome):
    import openpyxl

    vdir = outcome.base / "ref" / "out" / QUARTER / "v1"
    wb = openpyxl.load_workbook(next(vdir.glob("*.xlsx")))
    seen_evil = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                v = cell.value
                if isinstance(v, str):
                    assert not v.startswith(("=", "+", "@")), (ws.title, cell.coordinate, v)
                    assert not (v.startswith("-") and not _is_number(v)), (ws.title, v)
                    seen_evil += any(v == "'" + n for n in EVIL_NAMES)
    assert seen_evil > 0, "the planted names never reached the annex: the test proves nothing"
    html = next(vdir.glob("*.html")).read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>粗</b>" not in html


def test_findings_csv_of_the_gate_is_neutralised(outcome: Outcome):
    reports = list((outcome.base / "ref" / "out" / QUARTER / "checks").rglob("findings.csv"))
    assert reports
    for path in reports:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
