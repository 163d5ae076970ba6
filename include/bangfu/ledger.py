"""The ledger: landed files, their hashes and archive copies, outcomes and quarantine.

Each landed file version is identified by its SHA-256: the same bytes under any name
load once, a changed file under the same name is a new version. Tables are
`ledger.files` and `ledger.quarantine` (see `bangfu.raw_schema`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

OUTCOMES = ("loaded", "partial", "quarantined", "superseded")


def symlink_bytes(path: Path) -> bytes:
    """What a landed symbolic link is (it is never followed): its target, as text."""
    return b"symlink -> " + os.fsencode(os.readlink(path))


def sha256_file(path: Path) -> tuple[str, int]:
    """(hex SHA-256, size in bytes), read in chunks. A symlink is hashed as its link text:
    its target, possibly outside the landing, is never read."""
    if Path(path).is_symlink():
        data = symlink_bytes(Path(path))
        return hashlib.sha256(data).hexdigest(), len(data)
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def archive_file(path: Path, sha: str, archive_dir: Path) -> Path:
    """Copy the file to `<archive>/<sha[:2]>/<sha><ext>` (once; atomic rename)."""
    dst = archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
    if dst.exists():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    if Path(path).is_symlink():  # archive the link, never what it points to
        tmp.write_bytes(symlink_bytes(Path(path)))
    else:
        shutil.copyfile(path, tmp)
    os.replace(tmp, dst)
    return dst


def printable_path(path: str) -> str:
    """A file name as valid text: bytes that are not UTF-8 (a GBK name on a UTF-8 file
    system arrives as surrogates, which the database refuses) are shown as `\\xNN`."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def raw_json(row: dict[str, Any]) -> str:
    """A landed row as JSON (header -> cell), cells as text as far as possible."""
    return json.dumps(row, ensure_ascii=False, default=str)


@dataclass
class FileOutcome:
    """What became of one landed file (also the `ledger.files` row when it was new)."""

    source: str
    path: str  # relative to the landing root
    sha256: str
    size_bytes: int
    file_id: int | None = None  # None: skipped (already in the ledger)
    archived_path: str | None = None
    encoding: str | None = None
    rows_landed: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    outcome: str = "skipped"  # loaded | partial | quarantined | skipped | error
    message: str | None = None
    seconds: float = 0.0
    mtime_ns: int | None = None  # os.stat() of the landed file when it was hashed
    ctime_ns: int | None = None

    def __post_init__(self) -> None:
        self.path = printable_path(self.path)

    def settle(self) -> None:
        """Derive the outcome from the counts (a whole-file failure sets it itself)."""
        if not self.rows_quarantined:  # (a report with no lines still loads its header)
            self.outcome = "loaded"
        elif self.rows_loaded:
            self.outcome = "partial"
        else:
            self.outcome = "quarantined"


@dataclass
class QuarantineRow:
    row_number: int | None
    reason: str
    raw: str | None


def file_times(path: Path) -> os.stat_result | None:
    """os.lstat() of a landed regular file; None for a symlink or a file that is gone."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


@dataclass
class Ledger:
    con: duckdb.DuckDBPyConnection
    _next_id: int | None = field(default=None, repr=False)
    _known: set[str] | None = field(default=None, repr=False)
    # path -> (size, mtime_ns, ctime_ns, sha256) from ledger.file_times
    _stats: dict[str, tuple] | None = field(default=None, repr=False)

    def _latest(self) -> dict[str, tuple]:
        if self._stats is None:
            rows = self.con.execute(
                "SELECT path, size_bytes, mtime_ns, ctime_ns, sha256 FROM ledger.file_times"
            ).fetchall()
            self._stats = {r[0]: tuple(r[1:]) for r in rows}
        return self._stats

    def unchanged(self, path: str, st: os.stat_result) -> str | None:
        """The SHA-256 `path` had when last hashed, if the file there still has the size and
        modification and change times it had then (else None: hash it). That content is in
        ledger.files (both rows are written in one transaction).

        A write to the file changes its mtime and ctime; setting the mtime back (touch,
        cp -p) changes the ctime, which no user can set, so an edited file is re-hashed.
        """
        got = self._latest().get(path)
        if got and got[:3] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns):
            return got[3]
        return None

    def known(self, sha: str) -> bool:
        if self._known is None:
            rows = self.con.execute("SELECT sha256 FROM ledger.files").fetchall()
            self._known = {r[0] for r in rows}
        return sha in self._known

    def remember(self, sha: str) -> None:
        if self._known is not None:
            self._known.add(sha)

    def forget_cache(self) -> None:
        """After a rollback: re-read ids and hashes from the database."""
        self._next_id = None
        self._known = None
        self._stats = None

    def next_file_id(self) -> int:
        """The ledger's ingestion sequence (1, 2, ...): a later file has a larger id."""
        if self._next_id is None:
            (mx,) = self.con.execute(
                "SELECT coalesce(max(file_id), 0) FROM ledger.files"
            ).fetchone()
            self._next_id = mx + 1
        fid = self._next_id
        self._next_id += 1
        return fid

    def supersede(self, source: str, path: str, newer_file_id: int) -> None:
        """Mark earlier versions of a reference file (same path) as superseded."""
        self.con.execute(
            "UPDATE ledger.files SET outcome = 'superseded' "
            "WHERE source = ? AND path = ? AND file_id < ? AND outcome IN ('loaded', 'partial')",
            [source, path, newer_file_id],
        )


class Writer:
    """Rows waiting for their transaction's commit: one INSERT per table at `flush()`.

    A loader adds a file's rows here only once the file has been read as a whole, and
    `mark()`/`discard_to()` drop a file's additions if it is rejected after all, so a
    batch of small files shares one transaction without ever holding half a file.
    """

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.quarantine: list[tuple] = []
        self.files: list[FileOutcome] = []
        self.restat: list[FileOutcome] = []  # known content, hashed: times to remember

    def add(self, target: str, records: list[dict[str, Any]]) -> None:
        if records:
            self.tables.setdefault(target, []).extend(records)

    def add_quarantine(self, f: FileOutcome, rows: list[QuarantineRow]) -> None:
        self.quarantine += [
            (f.source, f.file_id, f.sha256, f.path, r.row_number, r.reason, r.raw) for r in rows
        ]

    def add_file(self, f: FileOutcome) -> None:
        self.files.append(f)

    def mark(self) -> tuple:
        return ({t: len(v) for t, v in self.tables.items()}, len(self.quarantine), len(self.files))

    def discard_to(self, mark: tuple) -> None:
        sizes, nq, nf = mark
        for t in list(self.tables):
            del self.tables[t][sizes.get(t, 0) :]
        del self.quarantine[nq:]
        del self.files[nf:]

    def clear(self) -> None:
        self.tables, self.quarantine, self.files, self.restat = {}, [], [], []

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        from bangfu.sources.common import insert_records

        for target, records in self.tables.items():
            insert_records(con, target, records)
        if self.quarantine:
            cols = list(zip(*self.quarantine, strict=True))
            con.execute(
                "INSERT INTO ledger.quarantine SELECT unnest(?::VARCHAR[]), "
                "unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                "unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                [list(c) for c in cols],
            )
        if self.files:
            now = datetime.now().replace(microsecond=0)
            names = [
                "file_id", "source", "path", "sha256", "size_bytes", "archived_path", "encoding",
                "rows_landed", "rows_loaded", "rows_quarantined", "outcome", "message",
            ]  # fmt: skip
            records = [{n: getattr(f, n) for n in names} | {"ingested_at": now} for f in self.files]
            insert_records(con, "ledger.files", records)
        timed = [f for f in self.files + self.restat if f.mtime_ns is not None]
        if timed:
            con.execute(
                "INSERT OR REPLACE INTO ledger.file_times SELECT unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]), "
                "unnest(?::BIGINT[])",
                [[f.path for f in timed], [f.sha256 for f in timed],
                 [f.size_bytes for f in timed], [f.mtime_ns for f in timed],
                 [f.ctime_ns for f in timed]],
            )  # fmt: skip
        self.clear()
