"""Fixtures of the synth area: a second landing with the conftest's seed, one with another
seed, and small readers for what the generator writes (the tests' own, not ingestion's)."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bangfu.synth import MANIFEST_NAME, generate

_FW = str.maketrans("０１２３４５６７８９", "0123456789")
_DATE = re.compile(
    r"^\s*(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)


@pytest.fixture(scope="session")
def landing(synth_landing) -> Path:
    """The suite's shared landing (seed 7, orders=6000), from tests/conftest.py."""
    return synth_landing


@pytest.fixture(scope="session")
def landing_again(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_again") / "landing"
    generate(out, seed=7, years=(2025, 2026), orders=6000)
    return out


@pytest.fixture(scope="session")
def landing_other_seed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_other") / "landing"
    generate(out, seed=8, years=(2025, 2026), orders=6000)
    return out


@pytest.fixture(scope="session")
def manifest(landing) -> dict:
    return json.loads((landing / MANIFEST_NAME).read_text(encoding="utf-8"))


def file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def number(text) -> Decimal:
    """A cell as the generator writes it: float, or text with full-width digits / commas."""
    if isinstance(text, int | float):
        return Decimal(repr(text))
    return Decimal(str(text).translate(_FW).replace(",", "").strip())


def moment(text: str) -> tuple[int, ...]:
    m = _DATE.match(str(text))
    if not m:
        raise ValueError(f"not a date: {text!r}")
    return tuple(int(x) if x else 0 for x in m.groups())


def read_csv(path: Path, encoding: str) -> list[list[str]]:
    import csv
    import io

    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text)))


def read_sheet(path: Path) -> list[list]:
    """The first sheet's values (calamine: fast; empty cells as None)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [[None if v == "" else v for v in r] for r in rows]
