"""Whole-table suite outcomes cached by table fingerprint; GX imported only when needed.

The gate runs in a subprocess, so whether it imported great_expectations is seen in a
fresh interpreter (this one has imported it long ago).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
CHUNKED = {"raw.platform_orders", "ledger.quarantine"}
SCRIPT = """
import json, sys
from pathlib import Path
from bangfu import config
from bangfu.periods import Quarter
from bangfu.quality.gate import run_gate

warehouse, landing, out = map(Path, sys.argv[1:4])
result = run_gate(warehouse, landing, config.load(), Quarter(2026, 3), out)
print(json.dumps({"gx": "great_expectations" in sys.modules,
                  "report": str(result.report_dir)}))
"""


def _run(warehouse: Path, tmp_path: Path) -> tuple[bool, Path]:
    """The gate in a fresh interpreter: (whether it imported GX, its report folder)."""
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    args = [sys.executable, "-c", SCRIPT, str(warehouse), str(landing), str(tmp_path / "out")]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    return reply["gx"], Path(reply["report"])


def _gx(report: Path) -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((report / "gx").glob("*.json"))
        if not p.stem.endswith(".failures")
    }


def _cached(payload: dict) -> bool:
    meta = payload.get("meta") or {}
    if "chunk_by" in meta:
        return meta["files_from_cache"] == meta["files"]
    return meta.get("from_cache") is True


def test_unchanged_warehouse_is_not_validated_again(writable_copy, tmp_path):
    with duckdb.connect(str(writable_copy)) as con:
        # a failing whole-table suite (its located rows come from the cache next time)
        con.execute("update raw.units set unit_type = '事业单位' where _row_number = 2")
    first_gx, first = _run(writable_copy, tmp_path)
    second_gx, second = _run(writable_copy, tmp_path)
    assert (first_gx, second_gx) == (True, False)
    csv = (first / "findings.csv").read_bytes()
    assert csv == (second / "findings.csv").read_bytes()
    assert "事业单位".encode() in csv and b"raw.units[_file_id=" in csv
    a, b = _gx(first), _gx(second)
    assert sorted(a) == sorted(b) and len(a) == 21
    assert not any(_cached(p) for p in a.values())
    assert all(_cached(p) for p in b.values())
    for name in a:
        assert a[name]["results"] == b[name]["results"], name
        assert a[name]["success"] == b[name]["success"], name
    assert a["raw.units"]["success"] is False
    failures = "raw.units.failures.json"
    assert (first / "gx" / failures).read_bytes() == (second / "gx" / failures).read_bytes()
    html = [(r / "report.html").read_text(encoding="utf-8") for r in (first, second)]
    assert [h.count("raw.units") for h in html] == [html[0].count("raw.units")] * 2

    # one mart row changed: that suite alone is validated again (GX imported for it)
    with duckdb.connect(str(writable_copy)) as con:
        (n,) = con.execute(
            "update marts.kpi_unit_quarter set growth_status = '倒退'"
            " where rowid = (select min(rowid) from marts.kpi_unit_quarter)"
        ).fetchone()
    assert n == 1
    third_gx, third = _run(writable_copy, tmp_path)
    c = _gx(third)
    assert third_gx is True
    assert [name for name, p in c.items() if not _cached(p)] == ["marts.kpi_unit_quarter"]
    assert c["marts.kpi_unit_quarter"]["success"] is False
    assert "倒退" in (third / "findings.csv").read_text(encoding="utf-8")
