"""The data-quality gate (SPEC §6): suites, business checks, acknowledgements, report.

`run_gate` is called by `bangfu.pipeline.check` after the dbt build and before
publication. It reads the warehouse read-only and never writes it; besides the report it
writes only its cache of suite results, `<out>/.gate-cache/` (`bangfu.quality.suites`).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from bangfu.config import Config
from bangfu.periods import Quarter
from bangfu.quality.findings import Finding, GateResult

log = logging.getLogger(__name__)

SEVERITY_ORDER = {"error": 0, "warning": 1}
# suite outcomes by file (chunked suites) or by table fingerprint; pruned at the end of
# each run (`bangfu.quality.gate_cache`); safe to delete any time
CACHE_FOLDER = ".gate-cache"


def run_gate(
    warehouse: Path,
    landing: Path,
    config: Config,
    quarter: Quarter,
    out: Path,
    target: str = "duckdb",
) -> GateResult:
    """Check the warehouse for `quarter`; write the report; return the findings."""
    from bangfu.quality import acknowledgements, report
    from bangfu.quality.reader import WarehouseReader
    from bangfu.quality.rules import RULES, RuleContext
    from bangfu.quality.suites import run_suites

    t0 = time.perf_counter()
    now = datetime.now()
    report_dir = report.new_report_dir(Path(out), str(quarter), now)
    severities = dict(config.quality["severities"])
    findings: list[Finding] = []
    with WarehouseReader(Path(warehouse), config, target) as reader:
        suite_findings, suites = run_suites(
            reader, config, report_dir / "gx", cache_dir=Path(out) / CACHE_FOLDER
        )
        findings += suite_findings
        ctx = RuleContext(reader, config, quarter)
        for name, rule in RULES.items():
            t = time.perf_counter()
            findings += rule(ctx)
            log.debug("check %s: %.2f s", name, time.perf_counter() - t)
    acks, problems = acknowledgements.read_acknowledgements(
        Path(landing), set(severities), config.severity(acknowledgements.CHECK)
    )
    findings += problems
    unused = acknowledgements.apply_acknowledgements(findings, acks)
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.check, f.unit_code, f.period))
    result = GateResult(str(quarter), findings, report_dir)
    report.write_findings_csv(report_dir / "findings.csv", findings)
    report.write_html(
        report_dir / "report.html",
        result,
        severities,
        suites,
        unused,
        now.strftime("%Y-%m-%d %H:%M:%S"),
    )
    report.point_latest(report_dir)
    log.info(
        "[%s] quality gate %s in %.1f s: %d error(s) (%d blocking), %d warning(s); report %s",
        quarter,
        "passed" if result.passed else "BLOCKED",
        time.perf_counter() - t0,
        sum(f.severity == "error" for f in findings),
        len(result.blocking),
        sum(f.severity == "warning" for f in findings),
        report_dir,
    )
    return result
