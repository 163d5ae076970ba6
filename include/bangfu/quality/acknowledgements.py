"""Acknowledgements of reviewed findings: `<landing>/acknowledgements/*.csv` (SPEC §6).

Columns `check, unit_code, period, note, reviewed_by` (Chinese headers 检查项, 单位代码,
期间, 说明, 复核人 are accepted too); UTF-8 (with or without BOM) or GBK/GB18030;
surrounding blanks and blank lines are tolerated. `period` is `2026Q3`, `2026年第3季度`
or a year (`2026`); blank matches findings without a period. A row matching a finding's
(check, unit_code, period) acknowledges it: it no longer blocks and is listed as such.
A file or row that cannot be used is itself a finding (`acknowledgement_malformed`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from bangfu.parsing import is_valid_uscc
from bangfu.periods import parse_quarter
from bangfu.quality.findings import Finding

CHECK = "acknowledgement_malformed"
COLUMNS = ("check", "unit_code", "period", "note", "reviewed_by")
REQUIRED = ("check", "unit_code", "period", "reviewed_by")
HEADER_ALIASES = {
    "检查项": "check",
    "检查": "check",
    "单位代码": "unit_code",
    "统一社会信用代码": "unit_code",
    "期间": "period",
    "报送期": "period",
    "说明": "note",
    "备注": "note",
    "复核人": "reviewed_by",
}


@dataclass(frozen=True)
class Acknowledgement:
    check: str
    unit_code: str
    period: str
    note: str
    reviewed_by: str
    source: str  # file name and row, for the report

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.unit_code, self.period)


def normalise_period(text: str) -> str:
    """`2026Q3`/`2026年第3季度` → `2026Q3`; `2026`/`2026年` → `2026`; blank → ``."""
    s = text.strip()
    if not s:
        return ""
    m = re.fullmatch(r"(\d{4})\s*年?(度)?", s)
    if m:
        return m.group(1)
    return str(parse_quarter(s))


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8/gb18030", raw, 0, 1, "neither UTF-8 nor GBK")


def read_acknowledgements(
    landing: Path, known_checks: set[str], severity: str
) -> tuple[list[Acknowledgement], list[Finding]]:
    """Every usable acknowledgement, and a finding per malformed file or row."""
    folder = Path(landing) / "acknowledgements"
    acks: list[Acknowledgement] = []
    problems: list[Finding] = []

    def bad(where: str, why: str) -> None:
        problems.append(Finding(CHECK, severity, "", "", f"确认文件 {where}：{why}", where))

    if not folder.is_dir():
        return acks, problems
    for path in sorted(folder.glob("*.csv")):
        name = f"acknowledgements/{path.name}"
        try:
            text = _decode(path.read_bytes())
        except (OSError, UnicodeDecodeError) as exc:
            bad(name, f"无法读取（须为 UTF-8 或 GBK 编码的 CSV）：{exc}")
            continue
        reader = csv.reader(io.StringIO(text))
        header = None
        for line_no, cells in enumerate(reader, start=1):
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if header is None:
                header = [HEADER_ALIASES.get(c, c.lower()) for c in cells]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    bad(
                        name,
                        f"第 {line_no} 行表头缺少列 {', '.join(missing)}"
                        f"（应为 {', '.join(COLUMNS)}）",
                    )
                    break
                continue
            where = f"{name} 第 {line_no} 行"
            if len(cells) > len(header) and any(cells[len(header) :]):
                bad(where, f"列数 {len(cells)} 多于表头的 {len(header)} 列")
                continue
            row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
            check, unit = row.get("check", ""), row.get("unit_code", "").upper()
            if not check:
                bad(where, "未填写 check（检查项）")
                continue
            if check not in known_checks:
                bad(where, f"检查项 {check!r} 不是已知的检查（{', '.join(sorted(known_checks))}）")
                continue
            if unit and not is_valid_uscc(unit):
                bad(where, f"单位代码 {unit!r} 不是有效的统一社会信用代码")
                continue
            try:
                period = normalise_period(row.get("period", ""))
            except ValueError:
                bad(
                    where,
                    f"期间 {row.get('period')!r} 无法识别（应如 2026Q3、2026年第3季度 或 2026）",
                )
                continue
            if not row.get("reviewed_by"):
                bad(where, "未填写 reviewed_by（复核人）")
                continue
            acks.append(
                Acknowledgement(check, unit, period, row.get("note", ""), row["reviewed_by"], where)
            )
        if header is None:
            bad(name, "文件为空，没有表头")
    return acks, problems


def apply_acknowledgements(
    findings: list[Finding], acks: list[Acknowledgement]
) -> list[Acknowledgement]:
    """Mark matching findings acknowledged (in place); return acknowledgements that matched none."""
    by_key: dict[tuple[str, str, str], Acknowledgement] = {}
    for ack in acks:
        by_key[ack.key] = ack  # a later row for the same key wins
    used: set[tuple[str, str, str]] = set()
    for f in findings:
        ack = by_key.get(f.key)
        if ack is not None and f.check != CHECK:
            f.acknowledged, f.ack_note, f.ack_reviewed_by = True, ack.note, ack.reviewed_by
            used.add(ack.key)
    return [a for a in by_key.values() if a.key not in used]
