"""One quarter's run: ingest → build → check → publish. The DAGs call the same steps.

Write-audit-publish: the build writes the warehouse, the gate audits it, and only a
passing gate publishes the bulletin and the analysts' copy. Every step that writes the
warehouse holds the writer lock (DuckDB allows one writer process).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bangfu.config import Config
from bangfu.periods import Quarter
from bangfu.quality.findings import GateResult

log = logging.getLogger(__name__)

EXIT_PUBLISHED = 0
EXIT_BAD_ARGUMENTS = 2
EXIT_BLOCKED = 3


@dataclass(frozen=True)
class Settings:
    """Where things are for one run."""

    landing: Path
    warehouse: Path
    out: Path
    config: Config
    target: str = "duckdb"  # duckdb | postgres


@dataclass
class RunResult:
    quarter: Quarter
    exit_code: int
    gate: GateResult | None = None
    published: Path | None = None  # the bulletin version folder
    timings: dict[str, float] | None = None
    # this process's peak RSS in MB as each stage ended (a running maximum: the stage whose
    # figure jumps is the one that raised the peak)
    peak_mb: dict[str, int] | None = None


def ingest(s: Settings, sources: list[str] | None = None):
    """Land every new file of every source (or of `sources`) into the raw layer or quarantine."""
    from bangfu.ingest import ingest_landing
    from bangfu.warehouse import writer_lock

    with writer_lock(s.warehouse):
        return ingest_landing(s.landing, s.warehouse, s.config, sources=sources)


def build(s: Settings, through: Quarter | None = None, full_refresh: bool = False) -> None:
    """dbt build (models and dbt tests) on the configured target; the order models are
    incremental unless `full_refresh`."""
    from bangfu.transform import build as dbt_build
    from bangfu.warehouse import writer_lock

    with writer_lock(s.warehouse):
        dbt_build(
            s.warehouse, s.config, target=s.target, through=through, full_refresh=full_refresh
        )


def check(s: Settings, quarter: Quarter) -> GateResult:
    """The quality gate: suites on the raw layer and the marts, acknowledgements applied."""
    from bangfu.quality.gate import run_gate

    return run_gate(s.warehouse, s.landing, s.config, quarter, s.out, target=s.target)


def publish(s: Settings, quarter: Quarter, gate: GateResult) -> Path:
    """Write the bulletin's next version and refresh the analysts' copy."""
    from bangfu.bulletin.publish import publish as publish_bulletin
    from bangfu.warehouse import publish_analyst_copy, writer_lock

    if not gate.passed:
        raise RuntimeError("refusing to publish: the quality gate has blocking findings")
    with writer_lock(s.warehouse):
        publish_analyst_copy(s.warehouse)
    return publish_bulletin(s.warehouse, s.config, quarter, gate, s.out, target=s.target)


def run(s: Settings, quarter: Quarter) -> RunResult:
    """The whole chain for one quarter. Exit 0 published, 3 blocked by the gate."""
    import resource

    timings: dict[str, float] = {}
    peaks: dict[str, int] = {}

    def timed(name, fn, *args, **kwargs):
        t0 = time.perf_counter()
        log.info("[%s] %s ...", quarter, name)
        value = fn(*args, **kwargs)
        timings[name] = time.perf_counter() - t0
        peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KB on Linux
        log.info(
            "[%s] %s done in %.1f s (peak memory so far %d MB)",
            quarter,
            name,
            timings[name],
            peaks[name],
        )
        return value

    timed("ingest", ingest, s)
    timed("build", build, s, quarter)
    gate = timed("check", check, s, quarter)
    if not gate.passed:
        log.error(
            "[%s] blocked by the quality gate: %d blocking finding(s); report in %s",
            quarter,
            len(gate.blocking),
            gate.report_dir,
        )
        return RunResult(quarter, EXIT_BLOCKED, gate=gate, timings=timings, peak_mb=peaks)
    version = timed("publish", publish, s, quarter, gate)
    log.info("[%s] published %s", quarter, version)
    return RunResult(
        quarter, EXIT_PUBLISHED, gate=gate, published=version, timings=timings, peak_mb=peaks
    )
