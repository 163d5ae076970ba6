"""Lint is part of the tests: ruff on Python, sqlfluff on every dbt model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    exe = str(BIN / cmd[0]) if (BIN / cmd[0]).exists() else shutil.which(cmd[0])
    assert exe, f"{cmd[0]} is not installed"
    return subprocess.run([exe, *cmd[1:]], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check():
    r = _run("ruff", "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format():
    r = _run("ruff", "format", "--check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_sqlfluff_models():
    models = ROOT / "dbt_project" / "models"
    if not any(models.rglob("*.sql")):
        raise AssertionError("no dbt models to lint")
    r = _run("sqlfluff", "lint", "dbt_project", "--disable-progress-bar")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
