"""The bulletin end to end on a hand-filled marts warehouse: files, layout, numbers, versions."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from bangfu.bulletin.facts import BulletinDataError
from bangfu.bulletin.publish import publish
from bangfu.bulletin.xlsx_writer import display_width
from bangfu.quality.findings import Finding, GateResult

from .conftest import Q, docx_text
from .marts_fixture import FORMULA_NAME, build_marts

NAMES = {
    "docx": "通报-2026Q3.docx",
    "xlsx": "附件-2026Q3.xlsx",
    "html": "通报-2026Q3.html",
    "pdf": "通报-2026Q3.pdf",
}
TITLE = "关于2026年第3季度消费帮扶工作情况的通报"


def wan(yuan: Decimal) -> str:
    return f"{(Decimal(yuan) / 10000).quantize(Decimal('0.01')):.2f}"


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def nospace(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_v1_has_every_file_and_a_true_manifest(published, marts, gate, cfg):
    v1, _seconds = published
    assert v1.name == "v1" and v1.parent.name == "2026Q3"
    for name in NAMES.values():
        assert (v1 / name).stat().st_size > 1000, name
    m = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert m["quarter"] == "2026Q3" and m["version"] == 1
    assert m["document_number"] == "穗协作通〔2026〕3号"
    for kind, name in NAMES.items():
        entry = m["files"][kind]
        assert entry["name"] == name
        assert entry["sha256"] == sha(v1 / name)
        assert entry["size"] == (v1 / name).stat().st_size
    assert m["pdf"] == {"made": True, "skipped_reason": ""}
    assert m["config"]["source"] == "defaults"
    assert m["config"]["values"]["bulletin"]["commend_top_n"] == cfg.bulletin["commend_top_n"]
    assert [f["file_id"] for f in m["ledger"]["files"]] == [1, 2, 3, 4, 5]
    assert m["ledger"]["files"][1]["sha256"] == "02" * 32
    assert m["gate"]["findings"] == {"warning": 1, "acknowledged": 1}
    assert Decimal(m["summary"]["city_ytd_yuan"]) == marts.city_total(2026, 3)[5]
    assert m["timings_s"]["total"] < 60
    # nothing half-written left beside the versions
    assert sorted(p.name for p in v1.parent.iterdir()) == ["v1"]


def test_republish_makes_v2_and_leaves_v1_alone(published, marts, gate, tmp_path):
    from bangfu import config

    v1, _ = published
    out = tmp_path / "out"
    shutil.copytree(v1.parent, out / "2026Q3")
    before = {p.name: (sha(p), p.stat().st_mtime_ns) for p in (out / "2026Q3" / "v1").iterdir()}
    cfg_file = tmp_path / "c.yml"
    cfg_file.write_text("bulletin:\n  pdf: false\n  document_number: 17\n", encoding="utf-8")
    v2 = publish(marts.path, config.load(cfg_file), Q, gate, out)
    assert v2 == out / "2026Q3" / "v2"
    after = {p.name: (sha(p), p.stat().st_mtime_ns) for p in (out / "2026Q3" / "v1").iterdir()}
    assert after == before
    m = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    assert m["version"] == 2 and m["document_number"] == "穗协作通〔2026〕17号"
    assert m["pdf"]["made"] is False and "pdf" in m["pdf"]["skipped_reason"]
    assert m["config"]["source"] == str(cfg_file)
    assert not (v2 / NAMES["pdf"]).exists()
    assert "穗协作通〔2026〕17号" in docx_text(v2 / NAMES["docx"])
    assert sorted(p.name for p in (out / "2026Q3").iterdir()) == ["v1", "v2"]


def test_docx_layout_follows_gb_t_9704(published):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    d = Document(str(published[0] / NAMES["docx"]))
    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.5) and abs(sec.page_height - Mm(297)) < Mm(0.5)
    assert abs(sec.top_margin - Mm(37)) < Mm(0.5)
    assert abs(sec.left_margin - Mm(28)) < Mm(0.5)
    assert abs(sec.right_margin - Mm(26)) < Mm(0.5)
    assert abs(sec.bottom_margin - Mm(35)) < Mm(0.5)
    # text block 156 x 225 mm
    assert abs(sec.page_width - sec.left_margin - sec.right_margin - Mm(156)) < Mm(0.5)
    assert abs(sec.page_height - sec.top_margin - sec.bottom_margin - Mm(225)) < Mm(0.5)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines

    def east(run) -> str:
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    title_runs = [r for p in d.paragraphs for r in p.runs if r.text in ("关于2026年第3季度",)]
    assert title_runs, "title line not found"
    assert title_runs[0].font.size.pt == 22 and east(title_runs[0]) == "方正小标宋简体"
    assert d.paragraphs[[p.text for p in d.paragraphs].index("关于2026年第3季度")].alignment == 1

    body = next(p for p in d.paragraphs if p.text.startswith("为贯彻落实"))
    assert body.runs[0].font.size.pt == 16 and east(body.runs[0]) == "仿宋_GB2312"
    h1 = next(p for p in d.paragraphs if p.text == "一、总体情况")
    assert east(h1.runs[0]) == "黑体" and h1.runs[0].font.size.pt == 16
    h2 = next(p for p in d.paragraphs if p.text == "（一）区直单位")
    assert east(h2.runs[0]) == "楷体_GB2312"
    # 28 characters a line: 16 pt characters condensed to a pitch of at most 156 mm / 28
    spacing = body.runs[0]._element.rPr.find(qn("w:spacing"))
    pitch_pt = 16 + int(spacing.get(qn("w:val"))) / 20
    assert pitch_pt * 28 <= 156 / 25.4 * 72
    # footer: — PAGE — in 4号 宋体, odd and even pages
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in footer.paragraphs[0].text
        assert footer.paragraphs[0].runs[0].font.size.pt == 14
        assert east(footer.paragraphs[0].runs[0]) == "宋体"
    text = docx_text(published[0] / NAMES["docx"])
    assert "穗协作通〔2026〕3号" in text
    assert re.search(r"\n20\d\d年\d{1,2}月\d{1,2}日\n", text), "Arabic-numeral date at the end"
    assert "广州市对口支援协作和帮扶合作工作领导小组办公室" in text


def test_docx_numbers_are_the_marts(published, marts):
    text = docx_text(published[0] / NAMES["docx"])
    y, q = 2026, 3
    total = marts.city_total(y, q)
    assert f"累计采购帮扶产品{wan(total[5])}万元" in text
    assert f"比上年同期（{wan(total[6])}万元）增长" in text
    for r in marts.unit_rows(y, q):
        row = [line for line in text.splitlines() if f"\t{r[1]}\t" in line and line[0].isdigit()]
        assert row, r[1]
        cells = row[0].split("\t")
        assert cells[2:5] == [wan(r[8]), wan(r[9]), wan(r[10])], r[1]
        assert cells[6] == r[12]
    # ranked by growth within each type
    for t in ("区直单位", "市直单位", "国企"):
        rows = sorted((r for r in marts.unit_rows(y, q) if r[2] == t), key=lambda r: -r[11])
        names = [r[1] for r in rows]
        found = [line.split("\t")[1] for line in text.splitlines() if line.split("\t")[1:2]
                 and line.split("\t")[1] in names and line[0].isdigit()]  # fmt: skip
        assert found[: len(names)] == names


def test_late_and_missing_units_are_named(published, marts):
    text = docx_text(published[0] / NAMES["docx"])
    late = marts.names_with_reporting(2026, 3, "逾期")
    missing = marts.names_with_reporting(2026, 3, "未报")
    assert late and missing
    para = next(line for line in text.splitlines() if "报送截止日期为2026年10月10日" in line)
    assert f"逾期报送{len(late)}家" in para and all(n in para for n in late)
    assert f"仍未报送{len(missing)}家" in para and all(n in para for n in missing)
    # and both are urged
    urged = [line for line in text.splitlines() if line.split("\t")[0:1] and "\t" in line]
    assert any(late[0] in line and "逾期报送" in line for line in urged)
    assert any(missing[0] in line and "未报送季度报表" in line for line in urged)
    # the annex lists the warning and the acknowledged finding
    assert "已复核：年末集中采购，已核实凭证（数据组张工）" in text
    assert "报送832平台金额与平台数据差异较大" in text


def test_pdf_has_cjk_glyphs(published, tmp_path):
    pdf = published[0] / NAMES["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages >= 1
    assert "A4" in info.stdout
    txt = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = nospace(txt)
    assert nospace(TITLE) in flat
    assert "广州市黄埔区商务局" in flat and "穗协作通〔2026〕3号" in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 10_000


def test_html_is_offline_escaped_and_renders(published, tmp_path):
    page = published[0] / NAMES["html"]
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[a-z]|src=|url\(|@import", html)
    assert html.count("<svg") == 4
    assert FORMULA_NAME not in html
    assert "=HYPERLINK(&quot;x&quot;)" in html
    assert TITLE in html
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed (scripts/install-system-packages.sh)"
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 50_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_xlsx_tables_equal_the_marts_and_are_safe(published, marts):
    import openpyxl

    wb = openpyxl.load_workbook(published[0] / NAMES["xlsx"])
    assert {"区直单位", "市直单位", "国企", "食堂食材", "工会福利", "报送情况", "832平台核对",
            "全市汇总", "数据质量"} <= set(wb.sheetnames)  # fmt: skip
    total_ytd = 0.0
    n_units = 0
    for t in ("区直单位", "市直单位", "国企"):
        ws = wb[t]
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1]]
        col = headers.index("累计（万元）") + 1
        name_col = headers.index("单位名称") + 1
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row, col)
            assert cell.number_format == "0.00"
            total_ytd += cell.value
            n_units += 1
        letter = openpyxl.utils.get_column_letter(name_col)
        longest = max(
            display_width(str(ws.cell(r, name_col).value)) for r in range(2, ws.max_row + 1)
        )
        assert ws.column_dimensions[letter].width >= longest
    assert n_units == len(marts.unit_rows(2026, 3))
    assert abs(total_ytd - float(marts.city_total(2026, 3)[5]) / 10000) < 1e-6
    # no formula anywhere; the unit named like a formula is neutralised
    found = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if c.value == "'" + FORMULA_NAME:
                    found = True
    assert found
    ws = wb["数据质量"]
    assert ws.max_row == 3 and ws.freeze_panes == "A2"


def test_no_data_for_the_quarter_is_a_clear_error(tmp_path, cfg, gate):
    empty = build_marts(tmp_path / "empty.duckdb", with_data=False)
    with pytest.raises(BulletinDataError, match=r"没有2026年第3季度（2026Q3）的单位或全市汇总数据"):
        publish(empty.path, cfg, Q, gate, tmp_path / "out")
    assert not (tmp_path / "out" / "2026Q3").exists() or not any(
        (tmp_path / "out" / "2026Q3").iterdir()
    )


def test_a_quarter_outside_the_marts_is_refused(marts, cfg, gate, tmp_path):
    from bangfu.periods import Quarter

    with pytest.raises(BulletinDataError, match="2027Q1"):
        publish(marts.path, cfg, Quarter(2027, 1), gate, tmp_path / "out")


def test_a_blocked_gate_is_refused(marts, cfg, tmp_path):
    blocked = GateResult(str(Q), [Finding("voucher_reused_across_units", "error", "X", "2026", "")])
    with pytest.raises(RuntimeError, match="blocking"):
        publish(marts.path, cfg, Q, blocked, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))


def test_type_totals_in_the_text_are_the_city_rollup(published, marts):
    text = docx_text(published[0] / NAMES["docx"])
    for r in marts.city:
        if r[:3] == (2026, 3, "unit_type"):
            n = sum(1 for u in marts.unit_rows(2026, 3) if u[2] == r[3])
            assert f"{r[3]}共{n}家，累计采购{wan(r[5])}万元" in text
