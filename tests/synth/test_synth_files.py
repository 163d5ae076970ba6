"""The landing folder: reproducible bytes, layout, encodings, manifest counts, the CLI."""

from __future__ import annotations

import json
import zipfile
from datetime import date

from bangfu.cli import main
from bangfu.parsing import is_valid_uscc
from bangfu.synth import MANIFEST_NAME, generate
from bangfu.synth.registry import DISTRICTS

from .conftest import file_hashes, read_csv, read_sheet

SOURCES = (
    "reference",
    "platform_orders",
    "unit_reports",
    "canteen",
    "union_welfare",
    "catalogue",
    "sites",
)


def test_same_seed_gives_identical_bytes(landing, landing_again):
    a, b = file_hashes(landing), file_hashes(landing_again)
    assert len(a) > 1000
    assert a == b


def test_other_seed_gives_other_files(landing, landing_other_seed):
    a, b = file_hashes(landing), file_hashes(landing_other_seed)
    assert a["reference/units.csv"] != b["reference/units.csv"]
    assert a["reference/regions.csv"] == b["reference/regions.csv"]  # the project's copy
    shared = set(a.values()) & set(b.values())
    assert len(shared) <= 2  # regions.csv and the corrupt "xlsx" (a fixed HTML page)


def test_every_source_folder_and_the_manifest_at_the_root(landing, manifest):
    for s in SOURCES:
        assert (landing / s).is_dir(), s
        assert any((landing / s).iterdir()), s
    root_files = [p.name for p in landing.iterdir() if p.is_file()]
    assert root_files == [MANIFEST_NAME]
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()}
    assert listed == on_disk - {MANIFEST_NAME}
    assert {f["source"] for f in manifest["files"]} == set(SOURCES)
    assert manifest["seed"] == 7 and manifest["years"] == [2025, 2026]


def test_units_registry(landing):
    rows = read_csv(landing / "reference" / "units.csv", "utf-8")
    assert rows[0] == [
        "unit_code",
        "unit_name",
        "unit_type",
        "district",
        "must_report",
        "valid_from",
        "valid_to",
    ]
    units = rows[1:]
    assert 250 <= len(units) <= 350
    assert all(is_valid_uscc(u[0]) for u in units)
    assert len({u[0] for u in units}) == len(units)
    types = {u[2] for u in units}
    assert types == {"区直单位", "市直单位", "国企"}
    for u in units:
        if u[2] == "区直单位":
            assert u[3] in DISTRICTS
        else:
            assert u[3] == ""
    assert {u[3] for u in units if u[3]} == set(DISTRICTS)
    must = [u[4] for u in units]
    assert set(must) == {"true", "false"} and must.count("true") > 0.8 * len(units)
    joins = [u for u in units if date.fromisoformat(u[5]) >= date(2026, 1, 1)]
    leaves = [u for u in units if u[6]]
    assert joins and leaves


def test_encodings_are_what_the_manifest_says(landing, manifest):
    seen = set()
    for f in manifest["files"]:
        enc = (f.get("style") or {}).get("encoding")
        if not f["path"].endswith(".csv") or not enc:
            continue
        data = (landing / f["path"]).read_bytes()
        seen.add(enc)
        if enc == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")
        elif enc == "utf-8":
            assert not data.startswith(b"\xef\xbb\xbf")
            data.decode("utf-8")
        else:  # gbk / gb18030: really not UTF-8
            data.decode("gbk")
            try:
                data.decode("utf-8")
                raise AssertionError(f"{f['path']} decodes as UTF-8")
            except UnicodeDecodeError:
                pass
    assert {"utf-8", "utf-8-sig", "gbk", "gb18030"} <= seen


def _data_rows(landing, f) -> int:
    path = landing / f["path"]
    if path.suffix == ".csv":
        return len(read_csv(path, f["style"]["encoding"])) - 1
    return len([r for r in read_sheet(path)[1:] if any(v is not None for v in r)])


def test_manifest_counts_match_the_files(landing, manifest):
    for f in manifest["files"]:
        if f["source"] in ("unit_reports", "reference"):
            continue
        assert _data_rows(landing, f) == f["rows"], f["path"]
    per_source = {}
    for f in manifest["files"]:
        per_source[f["source"]] = per_source.get(f["source"], 0) + f["rows"]
    for source, n in per_source.items():
        assert manifest["counts"][source]["rows"] == n
    bad = manifest["quarantine"]
    assert (
        bad["rows"]
        == len(bad["bad_rows"])
        == sum(c["bad_rows"] for c in manifest["counts"].values())
    )
    assert {b["reason"] for b in bad["bad_rows"]} == {
        "bad_unit_code",
        "unknown_region",
        "bad_date",
        "bad_number",
        "unknown_category",
    }
    assert sorted(b["reason"] for b in bad["bad_files"]) == ["corrupt_file", "total_mismatch"]
    total_rows = sum(c["rows"] for c in manifest["counts"].values())
    assert 0.002 < bad["rows"] / total_rows < 0.01


def test_planted_rows_are_where_the_manifest_says(landing, manifest):
    regions = {r[0] for r in read_csv(landing / "reference" / "regions.csv", "utf-8")[1:]}
    styles = {f["path"]: f.get("style") for f in manifest["files"]}
    cache: dict[str, list] = {}
    for b in manifest["quarantine"]["bad_rows"]:
        path = landing / b["file"]
        if b["file"] not in cache:
            cache[b["file"]] = (
                read_csv(path, styles[b["file"]]["encoding"])
                if path.suffix == ".csv"
                else read_sheet(path)
            )
        rows = cache[b["file"]]
        row = rows[b["row"] - 1]
        text = [str(v).strip() if v is not None else "" for v in row]
        if b["reason"] == "bad_unit_code":
            assert any(len(t) == 18 and not is_valid_uscc(t) for t in text), row
        elif b["reason"] == "unknown_region":
            assert any(len(t) == 6 and t.isdigit() and t not in regions for t in text), row


def test_orders_overlap_and_change_state(landing, manifest):
    files = [f for f in manifest["files"] if f["source"] == "platform_orders"]
    assert len(files) >= 20
    seen: dict[str, set] = {}
    for f in files:
        rows = read_csv(landing / f["path"], f["style"]["encoding"])
        assert [h.strip().replace("（", "(").replace("）", ")") for h in rows[0]][11] == "单价(元)"
        for r in rows[1:]:
            seen.setdefault(r[0], set()).add((r[14], r[13]))
    distinct = manifest["counts"]["platform_orders"]["distinct_orders"]
    assert len(seen) == distinct + manifest["counts"]["platform_orders"]["bad_rows"]
    multi = [s for s in seen.values() if len(s) > 1]
    assert len(multi) > 0.3 * distinct  # the same order in other states in other files
    statuses = {st for s in seen.values() for st, _ in s}
    assert {"已完成", "部分退款", "已取消", "已退款", "待发货", "待收货", "待评价"} <= statuses


def test_bad_files(landing, manifest):
    for b in manifest["quarantine"]["bad_files"]:
        path = landing / b["file"]
        if b["reason"] == "corrupt_file":
            assert not zipfile.is_zipfile(path)
        else:
            assert zipfile.is_zipfile(path)


def test_orders_scale_with_the_argument(tmp_path):
    out = tmp_path / "landing"
    m = generate(out, seed=5, years=(2026, 2026), orders=30_000)
    rows = m["counts"]["platform_orders"]["rows"]
    assert abs(rows - 30_000) / 30_000 < 0.05
    assert m["truth"]["orders_through"] == "2026-11-28"
    assert m["truth"]["report_quarters"] == ["2026Q1", "2026Q2", "2026Q3"]


def test_cli_synth(tmp_path):
    out = tmp_path / "cli"
    assert main(["synth", "--out", str(out), "--seed", "1", "--orders", "4000"]) == 0
    m = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert m["seed"] == 1 and m["orders_requested"] == 4000
    assert (out / "reference" / "units.csv").exists()
