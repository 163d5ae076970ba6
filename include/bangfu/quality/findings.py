"""Findings of the quality gate: the shape shared by the gate, its report and the bulletin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Finding:
    """One failing check on one unit and period (SPEC §6)."""

    check: str  # e.g. voucher_reused_across_units (a key of quality.severities)
    severity: str  # error | warning
    unit_code: str  # empty when the finding is not about one unit
    period: str  # 2026Q3, or 2026 for a yearly check, or empty
    detail: str  # Chinese, readable by the data team: which rows, which values
    rows: str = ""  # where to look: table and _file_id/_row_number, or mart keys
    acknowledged: bool = False
    ack_note: str = ""
    ack_reviewed_by: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What an acknowledgement names."""
        return (self.check, self.unit_code, self.period)

    @property
    def blocks(self) -> bool:
        return self.severity == "error" and not self.acknowledged


@dataclass
class GateResult:
    quarter: str
    findings: list[Finding] = field(default_factory=list)
    report_dir: Path | None = None  # where report.html and findings.csv were written

    @property
    def passed(self) -> bool:
        return not any(f.blocks for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocks]
