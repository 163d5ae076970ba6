"""The bulletin as a Word document laid out per GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (text block 156 × 225 mm);
a document grid of 22 lines × 28 characters (line pitch 28.95 pt); 版头 with the red
masthead, the document number and the red rule; title in 2号 方正小标宋简体 (22 pt),
body in 3号 仿宋_GB2312 (16 pt), first-level headings in 黑体, second-level in
楷体_GB2312; page numbers `— 1 —` in 4号 宋体, odd pages right, even pages left, one
character in from the edge; issuer and date (Arabic numerals) at the end; the annex on
a new page; 版记 last.

East-asian font names are the ones the standard names (w:eastAsia); machines without
them substitute (the PDF step maps them to the installed Noto CJK fonts).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

from bangfu.bulletin.narrative import Block, Document, Table

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE = "宋体"
FONT_LATIN = "Times New Roman"
# Word: when the named font is missing, try these (fontTable w:altName)
ALT_NAMES = {FONT_TITLE: "宋体", FONT_BODY: "仿宋", FONT_H2: "楷体", FONT_H1: "SimHei"}

SIZE_2 = 22.0  # 2号
SIZE_3 = 16.0  # 3号
SIZE_4 = 14.0  # 4号
SIZE_TABLE = 10.5  # 5号, for tables
LINE_PITCH_PT = 28.95  # 225 mm / 22 lines
TEXT_WIDTH_MM = 156.0
RED = "FF0000"
# character spacing of body text, in twentieths of a point: 16 pt - 0.25 pt = 15.75 pt,
# 28 × 15.75 = 441 pt ≤ 442.2 pt (156 mm)
CONDENSE_TWIPS = -5


def _font(run, east: str, size: float, latin: str = FONT_LATIN, bold: bool = False, color=None):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")
    if size == SIZE_3:
        # 28 characters per 156 mm line: condense 16 pt characters to a 15.75 pt pitch
        sp = OxmlElement("w:spacing")
        sp.set(qn("w:val"), str(CONDENSE_TWIPS))
        rpr.append(sp)


def _spacing(p, line_pt: float | None = LINE_PITCH_PT, before: float = 0, after: float = 0):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    pf = p.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line_pt:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)


def _no_grid(p) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._element.get_or_add_pPr()
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    ppr.append(el)


def _border(p, side: str, color: str, size_eighths: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._element.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), color)
    bdr.append(el)


def _para(doc, text: str, east: str = FONT_BODY, size: float = SIZE_3, *, align=None,
          indent_chars: float = 2, bold: bool = False, line_pt: float | None = LINE_PITCH_PT,
          before: float = 0, after: float = 0, color=None, latin: str = FONT_LATIN):  # fmt: skip
    from docx.shared import Pt

    p = doc.add_paragraph()
    _spacing(p, line_pt, before, after)
    if align is not None:
        p.alignment = align
    if indent_chars:
        p.paragraph_format.first_line_indent = Pt(size * indent_chars)
    if text:
        _font(p.add_run(text), east, size, latin=latin, bold=bold, color=color)
    return p


def _page_footer(footer, align_right: bool) -> None:
    """`— N —` in 4号 宋体, one character in from the outer edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align_right else WD_ALIGN_PARAGRAPH.LEFT
    if align_right:
        p.paragraph_format.right_indent = Pt(SIZE_4)
    else:
        p.paragraph_format.left_indent = Pt(SIZE_4)
    _font(p.add_run("— "), FONT_PAGE, SIZE_4, latin=FONT_PAGE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):  # fmt: skip
        run = p.add_run()
        _font(run, FONT_PAGE, SIZE_4, latin=FONT_PAGE)
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._element.append(fc)
        elif text == " PAGE ":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._element.append(it)
        else:
            run.text = text
    _font(p.add_run(" —"), FONT_PAGE, SIZE_4, latin=FONT_PAGE)


def _setup(doc) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance = Mm(15)
    sec.footer_distance = Mm(21)  # the number's line sits ~7 mm under the text block

    sect = sec._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    # a line grid of 22 lines (28.95 pt); the 28 characters a line come from the body's
    # character spacing (CONDENSE_TWIPS) rather than a character grid: LibreOffice puts a
    # 16 pt character wider than a 15.79 pt grid cell on two cells, doubling the spacing.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))  # 579 twips

    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_3)
    normal.font.name = FONT_LATIN
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT_BODY)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)

    doc.settings.odd_and_even_pages_header_footer = True
    _page_footer(sec.footer, align_right=True)
    _page_footer(sec.even_page_footer, align_right=False)
    _font_table(doc)


def _font_table(doc) -> None:
    """Declare the standard's fonts with alternatives Word may use when they are missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in ALT_NAMES.items():
        f = OxmlElement("w:font")
        f.set(qn("w:name"), name)
        a = OxmlElement("w:altName")
        a.set(qn("w:val"), alt)
        f.append(a)
        cs = OxmlElement("w:charset")
        cs.set(qn("w:val"), "86")  # GB2312
        f.append(cs)
        fam = OxmlElement("w:family")
        fam.set(qn("w:val"), "modern" if name == FONT_H1 else "roman")
        f.append(fam)
        root.append(f)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _masthead(doc, d: Document) -> None:
    """版头: the red issuer mark (scaled to one line), the number, the red rule."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    size = 30.0
    width_pt = TEXT_WIDTH_MM / 25.4 * 72 - 6
    scale = min(100, math.floor(width_pt / (len(d.masthead) * size) * 100))
    # the masthead starts 35 mm from the top edge (the margin is 37 mm): no extra space
    p = _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0, line_pt=None, after=12)
    _no_grid(p)
    run = p.add_run(d.masthead)
    _font(run, FONT_TITLE, size, latin=FONT_TITLE, color=RED)
    w = OxmlElement("w:w")
    w.set(qn("w:val"), str(scale))
    run._element.get_or_add_rPr().append(w)
    # two blank lines, then the number centred, the red rule 4 mm under it
    _para(doc, "", indent_chars=0)
    p = _para(doc, d.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0)
    _border(p, "bottom", RED, 12)  # 1.5 pt red rule


def _table(doc, t: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    cap = _para(doc, t.caption, FONT_H1, SIZE_TABLE + 2, align=WD_ALIGN_PARAGRAPH.CENTER,
                indent_chars=0, line_pt=22, before=6, after=3)  # fmt: skip
    _no_grid(cap)
    cap.paragraph_format.keep_with_next = True
    # the header and one prototype data row through python-docx; the other rows are
    # copies of the prototype with their texts replaced (python-docx per cell is slow:
    # ~20 s for 300 units, against well under a second this way)
    table = doc.add_table(rows=2 if t.rows else 1, cols=len(t.headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    rel = t.widths or [1.0] * len(t.headers)
    widths = [Mm(TEXT_WIDTH_MM * w / sum(rel)) for w in rel]
    # repeat the header row on every page
    trpr = table.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    hdr.set(qn("w:val"), "true")
    trpr.append(hdr)
    for r, values in enumerate([t.headers, *t.rows[:1]]):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            cell = cells[c]
            cell.width = widths[c]
            p = cell.paragraphs[0]
            _spacing(p, 15)
            _no_grid(p)
            if r == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(p.add_run(value), FONT_H1, SIZE_TABLE)
            else:
                p.alignment = (
                    WD_ALIGN_PARAGRAPH.RIGHT if c in t.numeric else WD_ALIGN_PARAGRAPH.LEFT
                )
                _font(p.add_run(value), FONT_BODY, SIZE_TABLE)
    if t.rows:
        proto = table.rows[1]._tr
        tbl = table._tbl
        w_t = qn("w:t")
        for values in t.rows[1:]:
            tr = copy.deepcopy(proto)
            for tc, value in zip(tr.iter(qn("w:tc")), values, strict=True):
                el = next(tc.iter(w_t))
                el.text = value
                el.set(qn("xml:space"), "preserve")
            tbl.append(tr)
    for c, w in enumerate(widths):
        table.columns[c].width = w
    # a blank line after the table, on the grid
    _para(doc, "", indent_chars=0, line_pt=12)


def _blocks(doc, blocks: list[Block]) -> None:
    for b in blocks:
        if b.kind in ("h1", "h2"):
            p = _para(doc, b.text, FONT_H1 if b.kind == "h1" else FONT_H2)
            p.paragraph_format.keep_with_next = True  # never a heading alone at a page's foot
        elif b.kind == "para":
            _para(doc, b.text)
        elif b.kind == "table" and b.table is not None:
            _table(doc, b.table)
        else:
            raise ValueError(f"unknown block kind {b.kind!r}")


def title_lines(title: str, per_line: int = 18) -> list[str]:
    """Break a long title into lines, the upper shorter (梯形), at most `per_line` each."""
    if len(title) <= per_line:
        return [title]
    for sep in ("消费帮扶", "工作情况"):
        i = title.find(sep)
        if i > 0 and len(title) - i <= per_line and i <= per_line:
            return [title[:i], title[i:]]
    half = len(title) // 2
    return [title[:half], title[half:]]


def write_docx(d: Document, path: Path) -> Path:
    from docx import Document as new_docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    doc = new_docx()
    _setup(doc)
    _masthead(doc, d)
    # title: two blank lines under the red rule, 2号小标宋, centred
    _para(doc, "", indent_chars=0)
    for line in title_lines(d.title):
        p = _para(doc, line, FONT_TITLE, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER,
                  indent_chars=0, line_pt=LINE_PITCH_PT + 6, latin=FONT_TITLE)  # fmt: skip
        p.paragraph_format.keep_with_next = True
    _para(doc, "", indent_chars=0)
    _para(doc, d.addressee, indent_chars=0)
    _blocks(doc, d.body)

    # 附件说明: one blank line under the body, two characters in
    _para(doc, "", indent_chars=0)
    _para(doc, d.attachment_note)
    # signature: issuer centred over the date, the date four characters in from the right
    _para(doc, "", indent_chars=0)
    _para(doc, "", indent_chars=0)
    date_right = Pt(SIZE_3 * 4)
    p = _para(doc, d.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent_chars=0)
    issuer_pad = max(0.0, (len(d.issuer) - len(d.issue_date) * 0.75) / 2)
    p.paragraph_format.right_indent = Pt(max(SIZE_3 * 2, SIZE_3 * (4 - issuer_pad)))
    p = _para(doc, d.issue_date, align=WD_ALIGN_PARAGRAPH.RIGHT, indent_chars=0)
    p.paragraph_format.right_indent = date_right

    # the annex on a new page: 附件 in 黑体 top left, its title centred
    p = _para(doc, "", indent_chars=0)
    p.add_run().add_break(WD_BREAK.PAGE)
    _para(doc, d.annex_label, FONT_H1, indent_chars=0)
    _para(doc, "", indent_chars=0)
    _para(doc, d.annex_title, FONT_TITLE, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER,
          indent_chars=0, latin=FONT_TITLE)  # fmt: skip
    _para(doc, "", indent_chars=0)
    _blocks(doc, d.annex)

    # 版记: the printing office and date between two rules, 4号仿宋
    _para(doc, "", indent_chars=0)
    p = _para(doc, "", SIZE_4, indent_chars=0)
    _border(p, "top", "000000", 8)
    _border(p, "bottom", "000000", 8)
    p.paragraph_format.left_indent = Pt(SIZE_4)
    p.paragraph_format.right_indent = Pt(SIZE_4)
    _font(p.add_run(d.imprint_left), FONT_BODY, SIZE_4)
    tab_pos = Pt(TEXT_WIDTH_MM / 25.4 * 72 - 2 * SIZE_4)
    from docx.enum.text import WD_TAB_ALIGNMENT

    p.paragraph_format.tab_stops.add_tab_stop(tab_pos, WD_TAB_ALIGNMENT.RIGHT)
    _font(p.add_run("\t" + d.imprint_right), FONT_BODY, SIZE_4)

    doc.core_properties.title = d.title
    doc.core_properties.author = d.issuer
    doc.core_properties.language = "zh-CN"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
