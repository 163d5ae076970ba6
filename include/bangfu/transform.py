"""The dbt build: raw layer → staging → intermediate → marts, on DuckDB or PostgreSQL.

`build()` runs `dbt build` (models, data tests and unit tests) on `dbt_project/` with
the config's parameters as dbt vars and the committed, environment-driven
`dbt_project/profiles.yml`. Nothing downloads: no `dbt deps`, telemetry off.

On PostgreSQL the raw layer still lives in the DuckDB file (ingestion writes there):
`mirror_raw_to_postgres()` copies schemas `ledger` and `raw` over first, then dbt
builds there, then `ensure_analyst_role()` grants the read-only role.

dbt runs in-process by default (`dbtRunner`; it saves the 2-3 s of a fresh dbt
import per build); `BANGFU_DBT_SUBPROCESS=1` runs it as a child process instead.
Either way no DuckDB connection stays open afterwards: the quality gate opens the
file next.

Each (target, warehouse, vars) has its own target folder (`target/duckdb-<key>`): dbt's
partial parse holds only for the same vars and connection (the DuckDB path is part of
it), so one shared folder reparsed the whole project (~4 s) whenever another warehouse
or quarter had built in between. The least recently used beyond KEEP_TARGETS go.

dbt unit tests check the SQL, not the data: a build runs them unless the project's
files and dbt's version are those of the last build in that folder whose unit tests
all passed. The order models are incremental (dbt_project/macros/orders_state.sql) and
rebuild themselves when the macros' hash (a var, `macros_checksum`) changes;
`build(full_refresh=True)` rebuilds them from scratch.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bangfu.config import Config
from bangfu.periods import Quarter

log = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
TARGETS = ("duckdb", "postgres")
ANALYST_ROLE = "bangfu_analyst"
KEEP_TARGETS = 8  # target folders kept per target (one per warehouse and vars)
# run_results.json of the last dbt command of this process (timings, tests that ran)
LAST_RUN: dict[str, Any] = {}


class BuildError(RuntimeError):
    """dbt build failed; the message names the failing nodes."""

    def __init__(self, message: str, failed_nodes: list[str] | None = None) -> None:
        super().__init__(message)
        self.failed_nodes = failed_nodes or []


def dbt_vars(config: Config, through: Quarter | None = None) -> dict[str, Any]:
    """The vars dbt reads: the config's rules and exit rules, the grid's end, and the
    hash of the project's macros (the incremental order models rebuild when it changes:
    dbt's own checksums cover a model's file, not the macros it calls)."""
    out = dict(config.dbt_vars())
    if through is not None:
        out["through_year"] = through.year
        out["through_quarter"] = through.quarter
    out["bangfu_macros_checksum"] = macros_checksum()
    return out


def _files_hash(h: Any, subs: tuple[str, ...]) -> None:
    for sub in subs:
        for f in sorted(f for f in (PROJECT_DIR / sub).rglob("*") if f.is_file()):
            h.update(f.relative_to(PROJECT_DIR).as_posix().encode() + b"\0" + f.read_bytes())


def macros_checksum() -> str:
    """A hash of every file under the dbt project's `macros/` (names and contents)."""
    import hashlib

    h = hashlib.sha1()
    _files_hash(h, ("macros",))
    return h.hexdigest()


def _pg_env(dsn: str) -> dict[str, str]:
    """The profile's BANGFU_PG_* variables from a postgresql:// DSN."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise BuildError(f"not a PostgreSQL DSN (postgresql://user@host:port/db): {dsn}")
    return {
        "BANGFU_PG_HOST": parts.hostname or "127.0.0.1",
        "BANGFU_PG_PORT": str(parts.port or 5432),
        "BANGFU_PG_USER": unquote(parts.username or "postgres"),
        "BANGFU_PG_PASSWORD": unquote(parts.password or ""),
        "BANGFU_PG_DBNAME": parts.path.lstrip("/") or "postgres",
    }


def profile_env(warehouse: Path, config: Config, target: str) -> dict[str, str]:
    """Environment variables that `dbt_project/profiles.yml` reads."""
    env = {
        "BANGFU_DBT_TARGET": target,
        "BANGFU_WAREHOUSE": str(Path(warehouse).resolve()),
        "BANGFU_DUCKDB_MEMORY_LIMIT": config.duckdb_memory_limit(),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if target == "postgres":
        env.update(_pg_env(config.postgres_dsn()))
    return env


@contextmanager
def _environ(extra: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def target_dir(target: str, env: dict[str, str], variables: dict[str, Any]) -> Path:
    """The target folder of one (target, connection, vars): its partial parse stays valid."""
    import hashlib

    conn = {k: v for k, v in env.items() if k.startswith("BANGFU_") and "PASSWORD" not in k}
    key = json.dumps([conn, variables], sort_keys=True, ensure_ascii=False)
    return PROJECT_DIR / "target" / f"{target}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def _prune_targets(target: str, keep: Path) -> None:
    """Remove the least recently used target folders beyond KEEP_TARGETS (unlocked only)."""
    import fcntl
    import shutil

    folders = sorted(
        (d for d in (PROJECT_DIR / "target").glob(f"{target}-*") if d.is_dir() and d != keep),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for d in folders[KEEP_TARGETS - 1 :]:
        lock = d.parent / f".{d.name}.lock"
        with open(lock, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # in use
            shutil.rmtree(d, ignore_errors=True)
            lock.unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)


def code_hash() -> str:
    """A hash of everything the unit tests depend on: the project's files and dbt's version."""
    import hashlib

    from dbt.version import __version__

    h = hashlib.sha1(__version__.encode())
    h.update(b"dbt_project.yml\0" + (PROJECT_DIR / "dbt_project.yml").read_bytes())
    _files_hash(h, ("models", "macros", "tests"))
    return h.hexdigest()


def _unit_tests_passed(data: dict[str, Any]) -> bool:
    unit = [r for r in data.get("results", []) if r["unique_id"].startswith("unit_test.")]
    return bool(unit) and all(r.get("status") == "pass" for r in unit)


def _dbt_args(command: str, target: str, variables: dict[str, Any], target_path: Path) -> list[str]:
    return [
        *command.split(),
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target",
        target,
        "--target-path",
        str(target_path),
        "--log-path",
        str(PROJECT_DIR / "logs"),
        "--vars",
        json.dumps(variables, ensure_ascii=False),
        "--no-use-colors",
    ]


def _close_duckdb() -> None:
    """dbt-duckdb keeps its database open in a class attribute: close it."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            try:
                env.close()
            finally:
                DuckDBConnectionManager._ENV = None


@contextmanager
def _target_lock(target_path: Path) -> Iterator[None]:
    """One dbt run per target folder at a time (same warehouse and vars)."""
    import fcntl

    lock = target_path.parent / f".{target_path.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_results(results_path: Path) -> dict[str, Any]:
    if not results_path.exists():
        return {}
    return json.loads(results_path.read_text(encoding="utf-8"))


def _failures(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for r in data.get("results", []):
        if r.get("status") in ("error", "fail", "runtime error"):
            msg = (r.get("message") or "").strip().splitlines()
            out.append((r["unique_id"], r["status"], msg[0] if msg else ""))
    return out


def run_dbt(
    command: str,
    warehouse: Path,
    config: Config,
    target: str,
    variables: dict[str, Any],
    extra_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run one dbt command (build, docs generate, ...); its run_results, or BuildError."""
    if target not in TARGETS:
        raise BuildError(f"unknown target '{target}' (expected one of {', '.join(TARGETS)})")
    env = profile_env(warehouse, config, target)
    target_path = target_dir(target, env, variables)
    args = _dbt_args(command, target, variables, target_path) + list(extra_args)
    results_path = target_path / "run_results.json"
    t0 = time.perf_counter()
    output = ""
    exc: BaseException | None = None
    with _target_lock(target_path):
        _prune_targets(target, target_path)
        results_path.unlink(missing_ok=True)
        passed = target_path / "unit_tests_passed"
        code = code_hash() if command == "build" else ""
        if code and passed.exists() and passed.read_text(encoding="utf-8") == code:
            args += ["--exclude-resource-type", "unit_test"]
            log.info("dbt unit tests skipped: the code is the one they passed on")
        if os.environ.get("BANGFU_DBT_SUBPROCESS") == "1":
            proc = subprocess.run(
                [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=False,
            )
            ok, output = proc.returncode == 0, proc.stdout + proc.stderr
        else:
            from dbt.cli.main import dbtRunner

            with _environ(env):
                try:
                    res = dbtRunner().invoke(args)
                finally:
                    _close_duckdb()
            ok, exc = res.success, res.exception
        results = _read_results(results_path)
        if code and ok and _unit_tests_passed(results):
            passed.write_text(code, encoding="utf-8")
    LAST_RUN.clear()
    LAST_RUN.update(results)
    seconds = time.perf_counter() - t0
    log.info("dbt %s on %s: %s in %.1f s", command, target, "ok" if ok else "FAILED", seconds)
    if ok:
        return results
    failures = _failures(results)
    if failures:
        detail = "; ".join(f"{uid} ({status}): {msg}" for uid, status, msg in failures)
        raise BuildError(
            f"dbt {command} failed on {target}: {detail}", [uid for uid, _, _ in failures]
        )
    tail = str(exc) if exc else output[-2000:]
    raise BuildError(f"dbt {command} failed on {target} before running any node: {tail}")


def build(
    warehouse: Path,
    config: Config,
    target: str = "duckdb",
    through: Quarter | None = None,
    full_refresh: bool = False,
) -> None:
    """`dbt build` on the target (SPEC §4, §5). Raises BuildError naming the failing node.

    The order models fold in only the files landed since the last build (and counted the
    orders of units whose registry rows changed); they rebuild from scratch by themselves
    when an earlier order file changed or is gone or their SQL or the macros changed, and
    with `full_refresh=True`.
    """
    warehouse = Path(warehouse)
    if target == "postgres":
        mirror_raw_to_postgres(warehouse, config.postgres_dsn())
    extra = ("--full-refresh",) if full_refresh else ()
    run_dbt("build", warehouse, config, target, dbt_vars(config, through), extra)
    if target == "postgres":
        ensure_analyst_role(config.postgres_dsn())


def docs_generate(
    warehouse: Path, config: Config, target: str = "duckdb", through: Quarter | None = None
) -> Path:
    """`dbt docs generate` (offline); returns the folder holding index.html.

    Pass the same `through` as the last build to reuse its parse (vars are part of it).
    """
    variables = dbt_vars(config, through)
    run_dbt("docs generate", Path(warehouse), config, target, variables)
    return target_dir(target, profile_env(Path(warehouse), config, target), variables)


def mirror_raw_to_postgres(warehouse: Path, dsn: str) -> dict[str, int]:
    """Copy schemas `ledger` and `raw` from the DuckDB file into PostgreSQL.

    Tables are created with `bangfu.raw_schema.ddl()`, truncated, then filled by COPY;
    DECIMAL values travel as Python Decimals, so they stay exact. Returns rows per table.
    """
    import duckdb
    import psycopg

    from bangfu.raw_schema import TABLES, ddl

    counts: dict[str, int] = {}
    src = duckdb.connect(str(warehouse), read_only=True)
    try:
        with psycopg.connect(dsn) as pg:
            for stmt in ddl():
                pg.execute(stmt)
            pg.execute("TRUNCATE " + ", ".join(TABLES))
            for table in TABLES:
                schema, name = table.split(".")
                exists = src.execute(
                    "select count(*) from information_schema.tables "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchone()[0]
                if not exists:
                    counts[table] = 0
                    continue
                cols = [
                    r[0]
                    for r in src.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = ? and table_name = ? order by ordinal_position",
                        [schema, name],
                    ).fetchall()
                ]
                col_list = ", ".join(cols)
                cur = src.execute(f"select {col_list} from {table}")
                n = 0
                with pg.cursor() as pcur, pcur.copy(f"COPY {table} ({col_list}) FROM STDIN") as cp:
                    while batch := cur.fetchmany(10_000):
                        for row in batch:
                            cp.write_row(row)
                        n += len(batch)
                counts[table] = n
            pg.commit()
    finally:
        src.close()
    log.info("mirrored raw layer to PostgreSQL: %s", counts)
    return counts


def ensure_analyst_role(dsn: str) -> None:
    """A NOLOGIN group role `bangfu_analyst` that may read schema `marts` and nothing else.

    Give a person access with (as a superuser):
    `CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE bangfu_analyst;`
    """
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ANALYST_ROLE}') THEN "
            f"CREATE ROLE {ANALYST_ROLE} NOLOGIN; END IF; END $$"
        )
        pg.execute("CREATE SCHEMA IF NOT EXISTS marts")
        pg.execute(f"GRANT USAGE ON SCHEMA marts TO {ANALYST_ROLE}")
        pg.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA marts TO {ANALYST_ROLE}")
        pg.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA marts GRANT SELECT ON TABLES TO {ANALYST_ROLE}"
        )
        for schema in ("ledger", "raw", "staging", "intermediate", "public"):
            pg.execute(
                f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{schema}') "
                f"THEN EXECUTE 'REVOKE ALL ON SCHEMA {schema} FROM {ANALYST_ROLE}'; END IF; END $$"
            )
