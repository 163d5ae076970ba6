"""Scratch files and folders named after their process, and the removal of stale ones.

Everything that is written then renamed into place (the bulletin's version folder, the
analysts' copy, the ingestion's transcoded copies) is first written under a name
`<prefix><pid>-<ns>`. A process killed half-way leaves it behind; the next run removes
those whose process is gone, so nothing half-written lingers and nothing live is touched.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)


def scratch_name(prefix: str) -> str:
    """A name unique to this process and moment: `<prefix><pid>-<ns>`."""
    return f"{prefix}{os.getpid()}-{time.time_ns()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove entries of `folder` named `<prefix><pid>...` whose process no longer runs."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        log.info("removed %s, left behind by a run that was interrupted", entry)
        removed.append(entry)
    return removed
