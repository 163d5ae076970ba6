"""Warehouse connections, the single-writer guard and the analysts' read-only copy.

DuckDB allows one writer process per file. Everything that writes the warehouse
(ingestion, dbt, the gate's result tables) holds `writer_lock()`; analysts and the
bulletin read the published copy (`analyst_copy_path`), swapped in atomically after
a build, so a reader never sees a half-built table and never blocks the writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)


class WarehouseBusy(RuntimeError):
    """Another process holds the writer lock for longer than we were willing to wait."""


def connect(
    path: str | os.PathLike[str], read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; `memory_limit` (e.g. `2GB`) caps DuckDB's memory."""
    import duckdb

    p = Path(path)
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    settings = {"memory_limit": memory_limit} if memory_limit else {}
    return duckdb.connect(str(p), read_only=read_only, config=settings)


@contextlib.contextmanager
def writer_lock(path: str | os.PathLike[str], timeout_s: float = 600.0) -> Iterator[None]:
    """Hold the warehouse's writer lock (`<file>.lock`, an flock) for the block."""
    lock_path = Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WarehouseBusy(
                        f"the warehouse {path} is being written by another process "
                        f"(lock {lock_path}); try again when it has finished"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def analyst_copy_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p.with_name(f"{p.stem}.analyst{p.suffix or '.duckdb'}")


def publish_analyst_copy(path: str | os.PathLike[str]) -> Path:
    """Copy the warehouse to its analysts' file: write a temporary copy, then rename.

    Must be called while holding the writer lock and with no open write connection,
    so the copy is a consistent snapshot. Readers that already have the old copy open
    keep reading it (the rename does not touch their inode).
    """
    from bangfu.scratch import remove_stale, scratch_name

    src = Path(path)
    dst = analyst_copy_path(src)
    prefix = f".{dst.name}.tmp-"
    remove_stale(dst.parent, prefix)
    tmp = dst.with_name(scratch_name(prefix))
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    log.info("published analysts' copy %s", dst)
    return dst
