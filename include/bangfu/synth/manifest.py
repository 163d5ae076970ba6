"""`_synth_manifest.json`: what was written, and which rows and files must be quarantined."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

MANIFEST_NAME = "_synth_manifest.json"


class Manifest:
    def __init__(self, seed: int, years: tuple[int, int], orders: int | None):
        self.seed = seed
        self.years = list(years)
        self.orders = orders
        self.files: list[dict] = []
        self.bad_rows: list[dict] = []
        self.bad_files: list[dict] = []
        self.counts: dict[str, dict] = {}
        self.truth: dict = {}

    def file(self, source: str, path: str, rows: int, bad_rows: int, style: dict | None = None):
        """One written file: `rows` data rows (bad ones included, headers and 合计 excluded)."""
        entry = {"source": source, "path": path, "rows": rows, "bad_rows": bad_rows}
        if style:
            entry["style"] = style
        self.files.append(entry)

    def bad_row(self, source: str, path: str, row: int, reason: str, column: str = "") -> None:
        self.bad_rows.append(
            {"source": source, "file": path, "row": row, "reason": reason, "column": column}
        )

    def bad_file(self, source: str, path: str, reason: str, detail: str = "") -> None:
        self.bad_files.append({"source": source, "file": path, "reason": reason, "detail": detail})

    def as_dict(self) -> dict:
        per_source: dict[str, dict] = defaultdict(lambda: {"files": 0, "rows": 0, "bad_rows": 0})
        for f in self.files:
            c = per_source[f["source"]]
            c["files"] += 1
            c["rows"] += f["rows"]
            c["bad_rows"] += f["bad_rows"]
        for bf in self.bad_files:
            per_source[bf["source"]]["bad_files"] = per_source[bf["source"]].get("bad_files", 0) + 1
        counts = {}
        for source, c in sorted(per_source.items()):
            counts[source] = {**c, **self.counts.get(source, {})}
        by_reason: dict[str, int] = defaultdict(int)
        for b in self.bad_rows:
            by_reason[f"{b['source']}:{b['reason']}"] += 1
        return {
            "generator": "bangfu.synth",
            "format": 1,
            "seed": self.seed,
            "years": self.years,
            "orders_requested": self.orders,
            "counts": counts,
            "files": sorted(self.files, key=lambda f: f["path"]),
            "quarantine": {
                "rows": len(self.bad_rows),
                "files": len(self.bad_files),
                "rows_by_reason": dict(sorted(by_reason.items())),
                "bad_rows": self.bad_rows,
                "bad_files": self.bad_files,
            },
            "truth": self.truth,
        }

    def write(self, out: Path) -> dict:
        data = self.as_dict()
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
        (out / MANIFEST_NAME).write_bytes((text + "\n").encode("utf-8"))
        return data
