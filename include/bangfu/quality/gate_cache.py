"""Pruning of the quality gate's cache of suite results (`<out>/.gate-cache/`).

The cache, as `bangfu.quality.chunked` and `bangfu.quality.suites` write it:

    <cache>/<suite>/<target>-<key>/<sha256>-<rows>-<digest>.json   a file's outcome
    <cache>/<suite>/whole/<hash>.json                              a table's outcome

`<target>` is the engine kind (`duckdb`, `postgres`) and `<key>` hashes
`chunked.suite_key` (the suite file, the GX version, the target and the engine's version,
`chunked.FORMAT`, the rows a finding lists). `prune` runs at the end of
`suites.run_suites`, which knows what this run used, and removes:

- in the folder of each suite that ran, its key folders for this run's target other than
  the one it used (an earlier suite file, GX, engine version...), and key folders without
  a target in their name (written before it was); the other target's are kept, as a run
  on the other engine with the same `<out>` uses them next;
- in the key folder used, the entries of files no longer in the table (by their
  `ledger.files.sha256`: the entries of a file still in the table are kept, whatever
  their row count and digest) and temporary files of a write older than `TMP_AGE`;
- in `whole/` (shared by both targets), every entry but the one this run used and the
  `KEEP_WHOLE` most recently used ones (an entry's mtime is its last use: reading it
  touches it);
- the folders of suites that no longer exist (no suite file of that name), when they hold
  nothing but key folders and `whole/`.

A suite that did not run (its table missing) is left as it is. Pruning never raises: what
cannot be removed is logged and left. It removes only what it finds inside the cache
folder and follows no symbolic link. The layout itself is written here too (`key_folder`,
`whole_entry`), apart from `chunked` and `suites` because it covers both kinds of entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# whole-table entries kept besides the one a run used: a few earlier states of the table
# (a rebuild undone, a run on the other engine) stay cached; each is one small JSON file
KEEP_WHOLE = 4
# a temporary file this old is a killed run's leftover, not a write in progress
TMP_AGE = 3600.0
WHOLE = "whole"
KEY_HEX = 24  # hex digits of a key folder's name
# `<target>-<KEY_HEX hex>`; without the target: the layout before it was in the name
KEY_FOLDER = re.compile(rf"(?:([a-z]+)-)?[0-9a-f]{{{KEY_HEX}}}")
TMP_PREFIX = ".tmp-"


def key_folder(cache_dir: Path, suite: str, target: str, suite_key: str) -> Path:
    """Where the per-file entries of `suite` under `suite_key` (`chunked.suite_key`) go."""
    digest = hashlib.sha256(suite_key.encode()).hexdigest()[:KEY_HEX]
    return cache_dir / suite / f"{target}-{digest}"


def whole_entry(cache_dir: Path, suite: str, key: str) -> Path:
    """Where the whole-table outcome of `suite` under `key` (suite key + fingerprint) goes."""
    return cache_dir / suite / WHOLE / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


@dataclass
class SuiteUse:
    """What one suite's run used in the cache."""

    target: str
    folder: Path | None = None  # its key folder (a suite with `meta.chunk_by`)
    live: set[str] = field(default_factory=set)  # sha256 of the files in its table
    whole: Path | None = None  # its whole-table entry (any other suite)


def prune(cache_dir: Path, suites: set[str], used: dict[str, SuiteUse]) -> None:
    """Remove what no later run would use (see the module); `suites`: the names of every
    suite file, `used`: per suite that ran, what it used. Never raises."""
    try:
        if not _is_dir(cache_dir):
            return
        for folder in cache_dir.iterdir():
            if not _is_dir(folder):
                continue
            if folder.name in used:
                _prune_suite(folder, used[folder.name])
            elif folder.name not in suites and _looks_like_suite(folder):
                log.debug("gate cache: removing %s (no such suite)", folder)
                _remove(folder)
    except Exception as exc:  # a cache left unpruned only costs disk
        log.warning("gate cache: pruning %s stopped (%s)", cache_dir, exc)


def touch(path: Path) -> None:
    """Mark an entry used now (its mtime), so that pruning keeps the recently used."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _prune_suite(folder: Path, use: SuiteUse) -> None:
    for child in folder.iterdir():
        key = KEY_FOLDER.fullmatch(child.name)
        if key and child != use.folder and key[1] in (None, use.target) and _is_dir(child):
            log.debug("gate cache: removing %s (another suite key)", child)
            _remove(child)
    if use.folder is not None and use.folder.parent == folder and _is_dir(use.folder):
        for entry in use.folder.iterdir():
            if entry.name.startswith(TMP_PREFIX):
                if _age(entry) > TMP_AGE:
                    _remove(entry)
            elif entry.suffix == ".json" and entry.name.partition("-")[0] not in use.live:
                _remove(entry)
    whole = folder / WHOLE
    if _is_dir(whole):
        entries = []
        for entry in whole.iterdir():
            if entry.name.startswith(TMP_PREFIX):
                if _age(entry) > TMP_AGE:
                    _remove(entry)
            elif entry.suffix == ".json" and entry != use.whole:
                entries.append((_mtime(entry), entry))
        entries.sort(reverse=True)
        for _, entry in entries[KEEP_WHOLE:]:
            _remove(entry)


def _looks_like_suite(folder: Path) -> bool:
    """Only key folders and `whole/` inside (or nothing): a suite's cache folder."""
    return all(
        (c.name == WHOLE or KEY_FOLDER.fullmatch(c.name)) and _is_dir(c) for c in folder.iterdir()
    )


def _is_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _age(path: Path) -> float:
    return time.time() - _mtime(path)


def _remove(path: Path) -> None:
    """Remove a file or a folder (a symbolic link: the link itself); log a failure."""
    try:
        if _is_dir(path):
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:  # a concurrent run removed it first
        pass
    except OSError as exc:
        log.warning("gate cache: cannot remove %s (%s)", path, exc)
