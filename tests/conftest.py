"""Shared fixtures: a synthetic landing folder, a PostgreSQL database, the config.

Fixtures that build things are session-scoped and cached under pytest's tmp dir so
the whole suite synthesises and builds the common data once.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session")
def cfg():
    from bangfu import config

    return config.load()


@pytest.fixture(scope="session")
def synth_landing(tmp_path_factory) -> Path:
    """A small but complete synthetic landing folder (seed 7), made once per session."""
    from bangfu.synth import generate

    out = tmp_path_factory.mktemp("synth") / "landing"
    generate(out, seed=7, years=(2025, 2026), orders=6000)
    return out


PG_ADMIN_DSN = os.environ.get("BANGFU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_dsn():
    """A fresh PostgreSQL database on the machine's server, dropped after the session."""
    import psycopg

    name = f"bangfu_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
