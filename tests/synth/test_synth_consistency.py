"""The clean part passes SPEC §6 and the sources agree with each other (and with the manifest)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

import pytest

from .conftest import moment, number, read_csv, read_sheet

LABELS = ("填报单位", "统一社会信用代码", "报送期", "填报日期")


def _norm(v) -> str:
    return str(v).strip().replace("（", "(").replace("）", ")") if v is not None else ""


def parse_report(path) -> dict:
    rows = read_sheet(path)
    head: dict[str, object] = {}
    header_row = None
    for i, r in enumerate(rows):
        cells = [_norm(v) for v in r]
        if cells and cells[0] == "序号":
            header_row = i
            break
        for j, c in enumerate(cells):
            for label in LABELS:
                if c == label:
                    head[label] = r[j + 1]
                elif c.startswith(label + "："):
                    head[label] = c.split("：", 1)[1]
    assert header_row is not None, path
    names = [_norm(v) for v in rows[header_row]]
    wan = "金额(万元)" in names
    lines, total = [], None
    for r in rows[header_row + 1 :]:
        if "合计" in (_norm(r[0]), _norm(r[1])):
            total = number(r[4])
            break
        lines.append(r)
    scale = Decimal(10000) if wan else Decimal(1)
    return {
        "head": head,
        "lines": lines,
        "total": total,
        "wan": wan,
        "scale": scale,
        "layout": "one_cell"
        if head and any(_norm(v).startswith("填报单位：") for r in rows[:6] for v in r)
        else "right",
    }


@pytest.fixture(scope="session")
def reports(landing, manifest):
    bad_files = {b["file"] for b in manifest["quarantine"]["bad_files"]}
    bad_rows = {(b["file"], b["row"]) for b in manifest["quarantine"]["bad_rows"]}
    out = []
    for f in manifest["files"]:
        if f["source"] != "unit_reports" or f["path"] in bad_files:
            continue
        rep = parse_report(landing / f["path"])
        rep["path"] = f["path"]
        rep["has_bad"] = any(p == f["path"] for p, _ in bad_rows)
        out.append(rep)
    return out


def test_report_layouts_and_totals(reports, manifest, landing):
    assert len(reports) > 1000
    assert {r["layout"] for r in reports} == {"one_cell", "right"}
    assert {r["wan"] for r in reports} == {True, False}
    periods = {str(r["head"]["报送期"]) for r in reports}
    assert any("年第" in p for p in periods) and any("Q" in p for p in periods)
    with_total = [r for r in reports if r["total"] is not None]
    assert len(with_total) > 0.4 * len(reports)
    for r in with_total:
        s = sum(number(line[4]) for line in r["lines"])
        assert abs(s - r["total"]) * r["scale"] <= 100, r["path"]  # 0.01 万元
    bad = next(b for b in manifest["quarantine"]["bad_files"] if b["reason"] == "total_mismatch")
    r = parse_report(landing / bad["file"])
    s = sum(number(line[4]) for line in r["lines"])
    assert abs(s - r["total"]) * r["scale"] > 100


def _unit_of(rep) -> str:
    return str(rep["head"]["统一社会信用代码"]).strip()


def test_vouchers_never_shared_by_two_units(reports):
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    empty = 0
    for r in reports:
        year = str(r["head"]["报送期"])[:4]
        for line in r["lines"]:
            if line[5] in (None, ""):
                empty += 1
                continue
            owners[(year, str(line[5]))].add(_unit_of(r))
    assert all(len(u) == 1 for u in owners.values())
    assert 0 < empty < 0.03 * sum(len(r["lines"]) for r in reports)  # a few: a warning


def _platform_net(landing, manifest) -> dict[tuple[str, int, int], Decimal]:
    """Latest row of every order wins (by 更新时间, then file order); counted statuses only."""
    latest: dict[str, tuple] = {}
    bad = {(b["file"], b["row"]) for b in manifest["quarantine"]["bad_rows"]}
    files = sorted(
        (f for f in manifest["files"] if f["source"] == "platform_orders"),
        key=lambda f: f["path"],
    )
    for f in files:
        rows = read_csv(landing / f["path"], f["style"]["encoding"])
        for i, r in enumerate(rows[1:], start=2):
            if (f["path"], i) in bad:
                continue
            upd = moment(r[2])
            prev = latest.get(r[0])
            if prev is None or upd >= prev[0]:
                latest[r[0]] = (upd, r)
    net: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    for _, r in latest.values():
        if r[14] in ("已完成", "部分退款"):
            y, m = moment(r[1])[:2]
            refund = number(r[13]) if r[13].strip() else Decimal(0)
            net[(r[4], y, (m - 1) // 3 + 1)] += number(r[12]) - refund
    return net


@pytest.fixture(scope="session")
def platform_net(landing, manifest):
    return _platform_net(landing, manifest)


def test_platform_truth_matches_the_files(platform_net, manifest):
    by_q: dict[str, Decimal] = defaultdict(Decimal)
    for (_, y, q), v in platform_net.items():
        by_q[f"{y}Q{q}"] += v
    truth = {k: Decimal(v) for k, v in manifest["truth"]["platform_net_yuan_by_quarter"].items()}
    assert dict(by_q) == truth


def _latest_reports(reports):
    latest = {}
    for r in reports:
        if r["has_bad"]:
            continue
        v = r["head"]["填报日期"]
        sub = (v.year, v.month, v.day) if hasattr(v, "year") else moment(str(v))[:3]
        p = str(r["head"]["报送期"]).replace("年第", "Q").replace("季度", "")
        key = (_unit_of(r), int(p[:4]), int(p[-1]))
        if key not in latest or sub >= latest[key][0]:
            latest[key] = (sub, r)
    return {k: v[1] for k, v in latest.items()}


def test_reported_832_close_to_the_platform(reports, platform_net):
    latest = _latest_reports(reports)
    close = far = 0
    for key, r in latest.items():
        reported = sum(number(ln[4]) * r["scale"] for ln in r["lines"] if ln[1] == "832平台")
        platform = platform_net.get(key, Decimal(0))
        if platform <= 0:
            continue
        if abs(reported - platform) <= Decimal("0.05") * platform:
            close += 1
        else:
            far += 1
    assert close > 0.85 * (close + far)
    assert far > 0  # some reconciliation flags: realistic


def test_no_amount_outliers_and_year_over_year_growth(reports, platform_net):
    latest = _latest_reports(reports)
    total: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal, platform_net)
    for key, r in latest.items():
        total[key] += sum(number(ln[4]) * r["scale"] for ln in r["lines"] if ln[1] != "832平台")
    by_unit: dict[str, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for (u, y, q), v in total.items():
        by_unit[u][(y, q)] = v
    quarters = [(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)]
    for series in by_unit.values():
        vals = [series.get(k, Decimal(0)) for k in quarters]
        for i in range(4, len(vals)):
            median = statistics.median(vals[i - 4 : i])
            assert not (vals[i] > 10 * median and vals[i] > 1_000_000), series
    up = down = 0
    for series in by_unit.values():
        a = sum(series.get((2025, q), Decimal(0)) for q in (1, 2, 3))
        b = sum(series.get((2026, q), Decimal(0)) for q in (1, 2, 3))
        if a > 0:
            up += b >= a * Decimal("1.05")
            down += b < a
    # at orders=6000 a unit has about one order a quarter: per unit, growth is noisy;
    # all outcomes occur and the city as a whole buys more in the later year
    assert up > 0.3 * len(by_unit) and down > 0
    ytd = {y: sum(v for (_, yy, q), v in total.items() if yy == y and q <= 3) for y in (2025, 2026)}
    assert ytd[2026] > ytd[2025]
    amounts = sorted(v for v in total.values() if v > 0)
    assert 10_000 <= amounts[len(amounts) // 2] <= 1_000_000


def test_canteen_plans_are_consistent_and_mostly_met(landing, manifest, platform_net):
    bad = {(b["file"], b["row"]) for b in manifest["quarantine"]["bad_rows"]}
    reserved: dict[str, Decimal] = {}
    ratios = []
    for f in (f for f in manifest["files"] if f["source"] == "canteen"):
        path = landing / f["path"]
        rows = read_csv(path, f["style"]["encoding"]) if path.suffix == ".csv" else read_sheet(path)
        for i, r in enumerate(rows[1:], start=2):
            if (f["path"], i) in bad or r[3] != "有":
                continue
            budget, share = number(r[4]), number(r[6])
            ratio = str(r[5])
            ratio = number(ratio[:-1]) / 100 if ratio.endswith("%") else number(r[5])
            ratios.append(ratio)
            assert abs(budget * ratio - share) <= 1, r
            if int(r[2]) == 2025:
                reserved[r[1]] = share
    assert 0 < sum(r < Decimal("0.3") for r in ratios) < 0.1 * len(ratios)
    # full year 2025: canteen purchases on the platform against the reserved share
    canteen = _canteen_net(landing, manifest)
    done = [canteen.get(u, Decimal(0)) / s for u, s in reserved.items() if s > 0]
    assert sum(c >= 1 for c in done) > 0.6 * len(done)
    assert (
        Decimal("1.05")
        < sum(canteen.get(u, 0) for u in reserved) / sum(reserved.values())
        < Decimal("1.5")
    )


def _canteen_net(landing, manifest) -> dict[str, Decimal]:
    latest: dict[str, tuple] = {}
    bad = {(b["file"], b["row"]) for b in manifest["quarantine"]["bad_rows"]}
    for f in sorted(
        (f for f in manifest["files"] if f["source"] == "platform_orders"), key=lambda f: f["path"]
    ):
        rows = read_csv(landing / f["path"], f["style"]["encoding"])
        for i, r in enumerate(rows[1:], start=2):
            if (f["path"], i) not in bad and r[15] == "食堂食材":
                upd = moment(r[2])
                if r[0] not in latest or upd >= latest[r[0]][0]:
                    latest[r[0]] = (upd, r)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for _, r in latest.values():
        if r[14] in ("已完成", "部分退款") and moment(r[1])[0] == 2025:
            refund = number(r[13]) if r[13].strip() else Decimal(0)
            out[r[4]] += number(r[12]) - refund
    return out


def test_reports_open_in_openpyxl_with_both_layouts(landing, manifest):
    import openpyxl

    bad_files = {b["file"] for b in manifest["quarantine"]["bad_files"]}
    files = [
        f["path"]
        for f in manifest["files"]
        if f["source"] == "unit_reports" and f["path"] not in bad_files
    ]
    layouts = set()
    for path in files[::40]:
        ws = openpyxl.load_workbook(landing / path).worksheets[0]
        assert ws.merged_cells.ranges  # title (and label/value cells) are merged
        cells = [str(c.value).strip() for row in ws.iter_rows() for c in row if c.value]
        if "填报单位" in cells:
            layouts.add("right")
        if any(c.startswith("填报单位：") for c in cells):
            layouts.add("one_cell")
        header = next(
            row for row in ws.iter_rows(values_only=True) if str(row[0]).strip() == "序号"
        )
        assert [str(h).strip().replace("(", "（").replace(")", "）") for h in header][:5] in (
            ["序号", "采购渠道", "帮扶地区区划代码", "帮扶地区", "金额（万元）"],
            ["序号", "采购渠道", "帮扶地区区划代码", "帮扶地区", "金额（元）"],
        )
    assert layouts == {"right", "one_cell"}
