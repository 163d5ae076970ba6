"""Publish the bulletin's next version: `<out>/<2026Q3>/v<N>/` with every file and a manifest.

The version is written into a hidden temporary folder beside the versions and renamed
into place at the end, so a half-written version is never visible; earlier versions
are never touched (a republished quarter gets v2, v3, ...).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bangfu.config import Config
from bangfu.periods import Quarter
from bangfu.quality.findings import GateResult
from bangfu.scratch import remove_stale, scratch_name

log = logging.getLogger(__name__)

SHANGHAI = timezone(timedelta(hours=8))
_VERSION = re.compile(r"^v(\d+)$")


def file_names(quarter: Quarter) -> dict[str, str]:
    q = str(quarter)
    return {
        "docx": f"通报-{q}.docx",
        "xlsx": f"附件-{q}.xlsx",
        "html": f"通报-{q}.html",
        "pdf": f"通报-{q}.pdf",
        "manifest": "manifest.json",
    }


def versions(quarter_dir: Path) -> list[int]:
    if not quarter_dir.is_dir():
        return []
    return sorted(int(m.group(1)) for p in quarter_dir.iterdir() if (m := _VERSION.match(p.name)))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _issue_date(config: Config) -> date:
    chosen = config.bulletin.get("issue_date")
    if chosen:
        return chosen if isinstance(chosen, date) else date.fromisoformat(str(chosen))
    return datetime.now(SHANGHAI).date()


def publish(
    warehouse: Path,
    config: Config,
    quarter: Quarter,
    gate: GateResult,
    out: Path,
    target: str = "duckdb",
) -> Path:
    """Write the next version of the bulletin for `quarter` under `out/<quarter>/`.

    Reads the marts from `warehouse` (read-only). Raises BulletinDataError when the
    warehouse has no data for the quarter, RuntimeError when the gate has not passed.
    Returns the version folder.
    """
    from bangfu.bulletin.docx_writer import write_docx
    from bangfu.bulletin.facts import read_facts
    from bangfu.bulletin.html_writer import write_html
    from bangfu.bulletin.narrative import compose
    from bangfu.bulletin.pdf import docx_to_pdf
    from bangfu.bulletin.xlsx_writer import write_xlsx

    if not gate.passed:
        raise RuntimeError(
            f"refusing to publish {quarter}: the quality gate has "
            f"{len(gate.blocking)} blocking finding(s)"
        )
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    facts = read_facts(Path(warehouse), config, quarter, gate, target=target)
    t = lap("facts", t0)
    doc = compose(facts, config, _issue_date(config))
    names = file_names(quarter)
    qdir = Path(out) / str(quarter)
    qdir.mkdir(parents=True, exist_ok=True)
    remove_stale(qdir, ".tmp-")  # a version folder half-written by a killed run
    tmp = qdir / scratch_name(".tmp-")
    tmp.mkdir()
    try:
        write_docx(doc, tmp / names["docx"])
        t = lap("docx", t)
        write_xlsx(facts, tmp / names["xlsx"], doc.title)
        t = lap("xlsx", t)
        write_html(doc, facts, tmp / names["html"])
        t = lap("html", t)
        pdf_note = ""
        if config.bulletin.get("pdf", True):
            res = docx_to_pdf(
                tmp / names["docx"], tmp, timeout_s=float(config.bulletin["pdf_timeout_s"])
            )
            pdf_note = res.skipped_reason
        else:
            pdf_note = "配置 bulletin.pdf 为 false，未生成 PDF"
        t = lap("pdf", t)
        timings["total"] = round(time.perf_counter() - t0, 3)

        files = {}
        for kind in ("docx", "xlsx", "html", "pdf"):
            p = tmp / names[kind]
            if p.exists():
                files[kind] = {"name": p.name, "sha256": _sha256(p), "size": p.stat().st_size}
        counts: dict[str, int] = {}
        for f in gate.findings:
            key = "acknowledged" if f.acknowledged else f.severity
            counts[key] = counts.get(key, 0) + 1
        manifest = {
            "title": doc.title,
            "quarter": str(quarter),
            "document_number": doc.doc_number,
            "issue_date": _issue_date(config).isoformat(),
            "version": 0,  # set below, once the number is taken
            "created_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
            "files": files,
            "pdf": {"made": "pdf" in files, "skipped_reason": pdf_note},
            "config": {"source": config.source, "values": config.data},
            "ledger": {"files": [_jsonable(r) for r in facts.ledger_files]},
            "gate": {
                "quarter": gate.quarter,
                "passed": gate.passed,
                "findings": counts,
                "report_dir": str(gate.report_dir) if gate.report_dir else None,
                "annex": [asdict(f) for f in facts.annex],
            },
            "summary": {
                "units": len(facts.all_units),
                "city_ytd_yuan": str(facts.city_total.ytd),
                "city_base_yuan": str(facts.city_total.base)
                if facts.city_total.base is not None
                else None,
                "commended": len(facts.commended),
                "urged": len(facts.urged),
            },
            "timings_s": timings,
        }
        final = _rename_into_place(tmp, qdir, manifest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info(
        "published %s bulletin %s in %.1f s (pdf %.1f s)",
        quarter,
        final,
        time.perf_counter() - t0,
        timings.get("pdf", 0.0),
    )
    return final


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _rename_into_place(tmp: Path, qdir: Path, manifest: dict) -> Path:
    """Take the next free version number: write the manifest, then rename the folder.
    A concurrent publisher that took the number first makes us try the next one."""
    for _ in range(100):
        n = (versions(qdir) or [0])[-1] + 1
        manifest["version"] = n
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        final = qdir / f"v{n}"
        try:
            os.rename(tmp, final)  # fails if `final` exists and is not empty
        except OSError:
            if final.exists():
                continue
            raise
        return final
    raise RuntimeError(f"could not take a version number under {qdir}")
