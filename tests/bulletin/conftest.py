"""Fixtures of the bulletin's tests: a hand-filled marts warehouse and one published version."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bangfu.periods import Quarter
from bangfu.quality.findings import Finding, GateResult

Q = Quarter(2026, 3)


@pytest.fixture(scope="session")
def marts(tmp_path_factory):
    from .marts_fixture import build_marts

    return build_marts(tmp_path_factory.mktemp("bulletin-wh") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def gate() -> GateResult:
    return GateResult(
        str(Q),
        [
            Finding(
                "reconciliation_flagged",
                "warning",
                "114401000000000070",
                str(Q),
                "报送832平台金额13.05万元，平台数据8.15万元，差异60.0%",
            ),
            Finding(
                "amount_outlier_vs_history",
                "error",
                "114401000000000011",
                str(Q),
                "本季度金额为近四季度中位数的12倍",
                acknowledged=True,
                ack_note="年末集中采购，已核实凭证",
                ack_reviewed_by="数据组张工",
            ),
        ],
    )


@pytest.fixture(scope="session")
def published(marts, gate, cfg, tmp_path_factory):
    """The first version, PDF included; (version folder, seconds it took)."""
    from bangfu.bulletin.publish import publish

    out = tmp_path_factory.mktemp("bulletin-out")
    t0 = time.perf_counter()
    v1 = publish(marts.path, cfg, Q, gate, out)
    return v1, time.perf_counter() - t0


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a DOCX, one per line."""
    from docx import Document

    d = Document(str(path))
    lines = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            lines.append("\t".join(c.text for c in row.cells))
    return "\n".join(lines)
