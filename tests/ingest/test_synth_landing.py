"""The synthetic landing folder: every planted bad row and file lands in quarantine,
every other row is loaded, per file as the generator's manifest says."""

from __future__ import annotations

import json


def test_synth_landing_accounting(synth_landing, ingest, query, accounting):
    manifest = json.loads((synth_landing / "_synth_manifest.json").read_text(encoding="utf-8"))
    report = ingest(synth_landing)
    accounting()
    files = {
        r[0]: r[1:]
        for r in query(
            "SELECT path, rows_landed, rows_loaded, rows_quarantined, outcome FROM ledger.files"
        )
    }
    bad_files = {b["file"] for b in manifest["quarantine"]["bad_files"]}
    for f in manifest["files"]:
        landed, _loaded, quarantined, outcome = files[f["path"]]
        if f["path"] in bad_files:
            assert outcome == "quarantined" and landed == 0, f
        else:
            assert (landed, quarantined) == (f["rows"], f["bad_rows"]), f
    planted = {(b["file"], b["row"]) for b in manifest["quarantine"]["bad_rows"]}
    got = set(query("SELECT file_path, row_number FROM ledger.quarantine WHERE row_number > 0"))
    assert got == planted
    whole = {
        r[0] for r in query("SELECT file_path FROM ledger.quarantine WHERE row_number IS NULL")
    }
    assert whole == bad_files
    assert report.rows_quarantined == len(planted)

    second = ingest(synth_landing)
    assert second.new_files == [] and second.rows_landed == 0
