"""Ingestion: every landed file into the raw layer or quarantine, nothing lost (SPEC §2, §3, §6).

`ingest_landing()` walks `<landing>/reference/` first (the other sources validate
against the registry and the region list), then each source folder in a fixed order,
files sorted by their path relative to the landing root. Each new file version (by
SHA-256) is archived and loaded in its own transaction: either all its rows are in
the raw tables and `ledger.quarantine`, with its `ledger.files` row, or none are.
A file is not even read when `ledger.file_times` says its path had the same size,
modification and change times when it was last hashed (a write changes both times).
Files at the landing root and under `acknowledgements/` are not ingested.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from bangfu.config import Config
from bangfu.ledger import (
    FileOutcome,
    Ledger,
    archive_file,
    file_times,
    printable_path,
    sha256_file,
)
from bangfu.readers import RetryWithCleanCopy, UnreadableFile
from bangfu.scratch import remove_stale, scratch_name

log = logging.getLogger(__name__)

DATA_SOURCES = ("platform_orders", "unit_reports", "canteen", "union_welfare", "catalogue", "sites")
REFERENCE_FILES = ("units.csv", "regions.csv")
DEFAULT_REGIONS_FILE_ID = 0


class IngestError(RuntimeError):
    """Some files failed for an unexpected reason (a bug, not bad data); they were rolled
    back, are not in the ledger and will be retried on the next run."""


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def new_files(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome not in ("skipped", "error")]

    @property
    def errors(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == "error"]

    @property
    def rows_landed(self) -> int:
        return sum(f.rows_landed for f in self.new_files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.new_files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.new_files)

    def by_source(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.files:
            s = out.setdefault(
                f.source,
                dict(new=0, skipped=0, files_quarantined=0, landed=0, loaded=0, quarantined=0),
            )
            if f.outcome == "skipped":
                s["skipped"] += 1
                continue
            s["new"] += 1
            s["files_quarantined"] += f.outcome in ("quarantined", "error")
            s["landed"] += f.rows_landed
            s["loaded"] += f.rows_loaded
            s["quarantined"] += f.rows_quarantined
        return out

    def summary(self) -> str:
        head = ("source", "new files", "skipped", "files rejected", "rows landed", "loaded",
                "quarantined")  # fmt: skip
        lines = [head]
        for source, s in self.by_source().items():
            lines.append(
                (source, *(str(s[k]) for k in ("new", "skipped", "files_quarantined", "landed",
                                               "loaded", "quarantined")))
            )  # fmt: skip
        lines.append(
            ("total", str(len(self.new_files)), str(len(self.files) - len(self.new_files)),
             str(sum(f.outcome in ("quarantined", "error") for f in self.new_files)),
             str(self.rows_landed), str(self.rows_loaded), str(self.rows_quarantined))
        )  # fmt: skip
        widths = [max(_width(r[i]) for r in lines) for i in range(len(head))]
        out = []
        for n, row in enumerate(lines):
            cells = [row[0] + " " * (widths[0] - _width(row[0]))]
            cells += [" " * (widths[i] - _width(v)) + v for i, v in enumerate(row) if i]
            out.append("  ".join(cells))
            if n == 0 or n == len(lines) - 2:
                out.append("  ".join("-" * w for w in widths))
        rejected = [f for f in self.new_files if f.outcome == "quarantined" and f.message]
        for f in rejected:
            out.append(f"rejected: {f.path}: {f.message}")
        for f in self.errors:
            out.append(f"ERROR (not ingested, will retry): {f.path}: {f.message}")
        out.append(f"ingested in {self.seconds:.1f} s")
        return "\n".join(out)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _discover(landing: Path, sources: Iterable[str] | None = None) -> list[tuple[str, Path]]:
    """(source, path) in ingestion order: reference first, then sources, by relative path.

    `sources` limits the data sources scanned; reference data is always scanned (the
    other sources are validated against it).
    """
    found: list[tuple[str, Path]] = []
    ref = landing / "reference"
    for name in REFERENCE_FILES:
        if (ref / name).is_file():
            found.append(("reference", ref / name))
    wanted = DATA_SOURCES if sources is None else [s for s in DATA_SOURCES if s in set(sources)]
    for source in wanted:
        folder = landing / source
        if not folder.is_dir():
            continue
        files = [
            f
            for f in folder.rglob("*")
            # a symlink (even a dangling one) reaches the loaders, which quarantine it unread
            if (f.is_file() or f.is_symlink())
            and not any(part.startswith(".") for part in f.relative_to(folder).parts)
        ]
        found += [
            (source, f) for f in sorted(files, key=lambda f: f.relative_to(landing).as_posix())
        ]
    return found


def ingest_landing(
    landing: Path, warehouse: Path, config: Config, sources: Iterable[str] | None = None
) -> IngestReport:
    """Ingest every new file of `landing` into the DuckDB warehouse at `warehouse`.

    `sources` (names of landing folders) limits the run to those sources, for the
    per-source DAGs; reference data is always ingested first.

    The caller holds the writer lock. Raises IngestError after the run when a file
    failed for an unexpected reason (that file is rolled back; the others are kept).
    """
    from bangfu import raw_schema
    from bangfu.warehouse import connect

    t0 = time.perf_counter()
    landing = Path(landing)
    warehouse = Path(warehouse)
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder not found: {landing}")
    unknown = sorted(set(sources or ()) - set(DATA_SOURCES) - {"reference"})
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; known: {', '.join(DATA_SOURCES)}")
    report = IngestReport()
    con = connect(warehouse, memory_limit=config.duckdb_memory_limit())
    try:
        for stmt in raw_schema.ddl() + raw_schema.ingest_ddl():
            con.execute(stmt)
        # transcoded copies live beside the warehouse, named after this process, so a
        # killed run's leftovers are found and removed by the next one
        remove_stale(warehouse.parent, SCRATCH_PREFIX)
        tmp = warehouse.parent / scratch_name(SCRATCH_PREFIX)
        tmp.mkdir()
        try:
            run = _Run(con, config, landing, warehouse.parent / "archive", tmp)
            report.files = run.all(_discover(landing, sources))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        con.close()
    report.seconds = time.perf_counter() - t0
    if report.errors:
        raise IngestError(
            "unexpected failures while ingesting (rolled back, will be retried): "
            + "; ".join(f"{f.path}: {f.message}" for f in report.errors)
        )
    return report


SCRATCH_PREFIX = ".ingest-scratch-"
# a file whose modification or change time is this recent when it is hashed is hashed
# again next run (its times are not kept): a rewrite in the same tick keeps the times
RECENT_NS = 1_000_000_000

# files of these sources are loaded by SQL straight into the tables (or replace a
# table), so each gets a transaction of its own; the small files of the other sources
# share one transaction per batch (fewer commits), never holding half a file.
OWN_TRANSACTION = ("reference", "platform_orders")
BATCH_FILES = 200
BIG_FILE_BYTES = 8 * 1024 * 1024  # archive copies of bigger files run beside the load


class _Run:
    def __init__(self, con, config: Config, landing: Path, archive_dir: Path, workdir: Path):
        from bangfu.ledger import Writer

        self.con, self.config, self.landing = con, config, landing
        self.archive_dir, self.workdir = archive_dir, workdir
        self.ledger = Ledger(con)
        self.writer = Writer()
        self._registry = None
        self._regions_ready = False

    def registry(self):
        from bangfu.sources.common import Registry

        if self._registry is None:
            self._registry = Registry(self.con)
        return self._registry

    def all(self, found: list[tuple[str, Path]]) -> list[FileOutcome]:
        outcomes: list[FileOutcome] = []
        batch: list[tuple[str, Path]] = []
        for source, path in found:
            if source != "reference":
                self._ensure_regions()
            if source in OWN_TRANSACTION:
                outcomes += self._batch(batch)
                batch = []
                outcomes += self._batch([(source, path)])
                if source == "reference":
                    self._registry = None
                continue
            batch.append((source, path))
            if len(batch) >= BATCH_FILES:
                outcomes += self._batch(batch)
                batch = []
        outcomes += self._batch(batch)
        self._ensure_regions()
        return outcomes

    def _batch(self, files: list[tuple[str, Path]]) -> list[FileOutcome]:
        """One transaction for `files`; on an unexpected failure, each file alone."""
        if not files:
            return []
        self.con.begin()
        try:
            outcomes = [self._one(source, path) for source, path in files]
            self.writer.flush(self.con)
            self.con.commit()
        except Exception:
            self.con.rollback()
            self.writer.clear()
            self.ledger.forget_cache()
            if len(files) == 1:
                return [self._failed(*files[0])]
            return [o for f in files for o in self._batch([f])]
        for o in outcomes:
            if o.file_id is not None:
                self.ledger.remember(o.sha256)
            _log_outcome(o)
        return outcomes

    def _failed(self, source: str, path: Path) -> FileOutcome:
        log.exception("%s: unexpected failure, rolled back", path)
        import sys

        exc = sys.exc_info()[1]
        sha, size = sha256_file(path)
        rel = path.relative_to(self.landing).as_posix()
        return FileOutcome(
            source, rel, sha, size, outcome="error", message=f"{type(exc).__name__}: {exc}"
        )

    def _one(self, source: str, path: Path) -> FileOutcome:
        from bangfu.sources.common import Context

        t0 = time.perf_counter()
        rel = path.relative_to(self.landing).as_posix()
        # times taken before hashing: a write after this point changes them for next run
        st, seen_ns = file_times(path), time.time_ns()
        if st is not None and (sha := self.ledger.unchanged(printable_path(rel), st)):
            log.info("%s: already ingested (same size and times), skipped unread", rel)
            return FileOutcome(source, rel, sha, st.st_size)
        sha, size = sha256_file(path)
        outcome = FileOutcome(source, rel, sha, size)
        if st is not None and seen_ns - max(st.st_mtime_ns, st.st_ctime_ns) > RECENT_NS:
            # (a file written just now may be written again within the same clock tick,
            # leaving its times as they are: its times are not kept, so it is hashed again)
            outcome.mtime_ns, outcome.ctime_ns = st.st_mtime_ns, st.st_ctime_ns
        if self.ledger.known(sha) or any(f.sha256 == sha for f in self.writer.files):
            log.info("%s: already ingested (same content), skipped", rel)
            if outcome.mtime_ns is not None:
                self.writer.restat.append(outcome)  # the next run skips it unread
            return outcome
        outcome.file_id = self.ledger.next_file_id()
        ctx = Context(
            self.con, self.config, self.ledger, self.registry(), outcome, path, self.workdir,
            writer=self.writer,
        )  # fmt: skip
        mark = self.writer.mark()
        if size > BIG_FILE_BYTES:
            with ThreadPoolExecutor(max_workers=1) as pool:
                archived = pool.submit(archive_file, path, sha, self.archive_dir)
                self._load(ctx, source, mark)
                outcome.archived_path = str(archived.result())
        else:
            outcome.archived_path = str(archive_file(path, sha, self.archive_dir))
            self._load(ctx, source, mark)
        if source == "reference" and outcome.outcome != "quarantined":
            self.ledger.supersede(source, rel, outcome.file_id)
        self.writer.add_file(outcome)
        outcome.seconds = time.perf_counter() - t0
        return outcome

    def _load(self, ctx, source: str, mark: tuple) -> None:
        from bangfu.ledger import QuarantineRow
        from bangfu.sources import (
            canteen,
            catalogue,
            platform_orders,
            reference,
            sites,
            union_welfare,
            unit_reports,
        )

        loaders = {
            "platform_orders": platform_orders.load,
            "unit_reports": unit_reports.load,
            "canteen": canteen.load,
            "union_welfare": union_welfare.load,
            "catalogue": catalogue.load,
            "sites": sites.load,
        }
        outcome = ctx.outcome
        try:
            try:
                if source == "reference":
                    reference.load(ctx, ctx.path.name)
                else:
                    loaders[source](ctx)
            except RetryWithCleanCopy as exc:
                # only the SQL path raises it, alone in its transaction: start it again
                log.info("%s: re-reading a normalised copy (%s)", outcome.path, exc)
                self.con.rollback()
                self.con.begin()
                self.writer.discard_to(mark)
                ctx.rejected = []
                ctx.clean_copy = True
                platform_orders.load(ctx)
            outcome.settle()
        except UnreadableFile as exc:
            # loaders raise it before writing anything but to the buffer: drop that
            self.writer.discard_to(mark)
            outcome.rows_landed = outcome.rows_loaded = outcome.rows_quarantined = 0
            outcome.outcome = "quarantined"
            outcome.message = exc.reason
            self.writer.add_quarantine(outcome, [QuarantineRow(None, exc.reason, None)])

    def _ensure_regions(self) -> None:
        """The packaged regions.csv (`_file_id` 0, no ledger row) when the landing has none."""
        if self._regions_ready:
            return
        (n,) = self.con.execute("SELECT count(*) FROM raw.regions").fetchone()
        if n == 0:
            from bangfu.ledger import Writer
            from bangfu.sources import reference
            from bangfu.sources.common import Context, Registry

            res = resources.files("bangfu.reference") / "regions.csv"
            with resources.as_file(res) as default:
                sha, size = sha256_file(default)
                outcome = FileOutcome("reference", "(default) regions.csv", sha, size)
                outcome.file_id = DEFAULT_REGIONS_FILE_ID
                writer = Writer()
                self.con.begin()
                try:
                    ctx = Context(
                        self.con, self.config, self.ledger, Registry(self.con), outcome,
                        default, self.workdir, writer=writer,
                    )  # fmt: skip
                    reference.load(ctx, "regions.csv")
                    writer.flush(self.con)
                    self.con.commit()
                except BaseException:
                    self.con.rollback()
                    raise
            log.info("reference: packaged default regions.csv: %d regions", outcome.rows_loaded)
            self._registry = None
        self._regions_ready = True


def _log_outcome(outcome: FileOutcome) -> None:
    if outcome.file_id is None:
        return
    if outcome.outcome == "quarantined" and outcome.rows_landed == 0:
        log.warning("%s: file quarantined: %s", outcome.path, outcome.message)
    else:
        log.info(
            "%s: %d rows, %d loaded, %d quarantined",
            outcome.path,
            outcome.rows_landed,
            outcome.rows_loaded,
            outcome.rows_quarantined,
        )
