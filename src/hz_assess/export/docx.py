"""The Word 通报: a `Notice` laid out as a 公文-like draft an office edits and issues.

Layout only; every word and figure comes from the Notice (narrative.py). Conventions
(GB/T 9704-2012, as Chinese offices apply them): A4 portrait, margins 37/35/28/26 mm,
title in 方正小标宋简体 二号 (22 pt), level-1 headings in 黑体, level-2 in 楷体_GB2312,
body in 仿宋_GB2312 三号 (16 pt) on a fixed 28 pt line, page numbers "— 1 —" in the
footer. Fonts are named in w:eastAsia (python-docx's `font.name` sets only the Latin
slots); where a font is missing, Word and LibreOffice substitute an installed CJK face.
Tables use 10.5 pt (五号) or, when wide, 9 pt (小五) — never smaller. Text from files
(unit names, 加减分 items) goes into literal runs: it is never a field, link or markup.
python-docx is imported inside the functions so the CLI starts fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hz_assess.narrative import Notice, Section
from hz_assess.views import Table, width

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_PT, TITLE_PT, LINE_PT = 16, 22, 28
NUMERIC_KINDS = ("int", "score", "value", "percent", "points")
# XML 1.0 cannot hold these; a name typed with a control character must not break the file
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def set_fonts(element: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style: the Latin slots and w:eastAsia, with Chinese as its language."""
    from docx.oxml.ns import qn

    # a run or a style makes its w:rPr; the document defaults hold one already
    rpr = element.get_or_add_rPr() if hasattr(element, "get_or_add_rPr") else element.find(qn("w:rPr"))
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def run(paragraph: Any, text: str, font: str = BODY_FONT, size: float = BODY_PT, *, bold: bool = False) -> Any:
    from docx.shared import Pt

    r = paragraph.add_run(clean(text))
    r.font.size = Pt(size)
    r.bold = bold or None
    set_fonts(r._r, font)
    return r


def paragraph(doc: Any, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, align: str = "justify",
              indent: bool = True, line: float | None = LINE_PT, bold: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    fmt.first_line_indent = Pt(2 * size) if indent else Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line)
    if text:
        run(p, text, font, size, bold=bold)
    return p


def _page_setup(doc: Any) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    s.header_distance, s.footer_distance = Mm(15), Mm(20)


def _styles(doc: Any) -> None:
    """Normal in 仿宋_GB2312 16 pt, and the document defaults naming a Chinese East Asian font and language."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element, BODY_FONT)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            set_fonts(rpr_default, BODY_FONT)


def _page_number(doc: Any) -> None:
    """"— N —" centred in the footer: a PAGE field between two dashes (GB/T 9704 page numbers)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer = doc.sections[0].footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, "— ", PAGE_NUMBER_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run(p, "", PAGE_NUMBER_FONT, 14)
        if kind is not None:
            char = r._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
            r._r.append(char)
        elif text == " PAGE ":
            instr = r._r.makeelement(qn("w:instrText"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text
    run(p, " —", PAGE_NUMBER_FONT, 14)
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)


def _table_size(t: Table) -> float:
    return 10.5 if len(t.columns) <= 8 else 9.0


CELL_PAD_PT = 2 * 2.85  # 0.1 cm each side (the tblCellMar below), instead of Word's 0.19 cm


def _column_widths(t: Table, total_pt: float, size: float) -> list[float]:
    """Widths in pt: every column at least its longest cell on one line (numbers and names never wrap)
    and its header on at most two lines; what is left of the text width goes to the wider columns.
    One display unit (an ASCII digit; a CJK character is two) is about half an em."""
    texts = t.texts()
    unit = size * 0.5
    need = []
    for i, col in enumerate(t.columns):
        longest = max([0, *(width(row[i]) for row in texts)])
        head = -(-width(col.title) // 4) * 2  # half the header, rounded up to whole CJK characters
        need.append(max(longest, head, 4) * unit + CELL_PAD_PT + 1)
    spare = total_pt - sum(need)
    if spare >= 0:
        return [w + spare * w / sum(need) for w in need]
    # too wide: the widest columns give way first (they wrap), narrow ones keep their width
    level = max(need)
    while sum(min(w, level) for w in need) > total_pt:
        level -= 1
    return [min(w, level) for w in need]


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    shd = props.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): colour})
    props.append(shd)


def _mark_size(p: Any, size: float) -> None:
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = ppr.makeelement(qn("w:rPr"), {})
        ppr.append(rpr)
    half_points = str(round(size * 2))
    for tag in ("w:sz", "w:szCs"):
        rpr.append(rpr.makeelement(qn(tag), {qn("w:val"): half_points}))


def _cell_margins(grid: Any) -> None:
    from docx.oxml.ns import qn

    tbl_pr = grid._tbl.tblPr
    margins = tbl_pr.makeelement(qn("w:tblCellMar"), {})
    for side in ("left", "right"):
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): "57", qn("w:type"): "dxa"}))
    tbl_pr.append(margins)


def table(doc: Any, t: Table, number: int) -> None:
    """A view table: caption 表N, a header row repeated on each page, rows that never split, notes below.

    A column whose cells are all short (numbers, grades, names) is centred; one holding longer text is
    left-aligned, so it reads as text."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    size = _table_size(t)
    caption = paragraph(doc, f"表{number}  {t.title}", font=HEADING_FONT, size=12, align="center", indent=False,
                        line=None)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    grid = doc.add_table(rows=1 + len(t.rows), cols=len(t.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _cell_margins(grid)
    section = doc.sections[0]
    total = (section.page_width - section.left_margin - section.right_margin) / 12700  # EMU -> pt
    widths = _column_widths(t, total, size)
    texts = t.texts()
    centred = [all(width(row[i]) <= 12 for row in texts) for i in range(len(t.columns))]
    for i, w in enumerate(widths):
        grid.columns[i].width = Pt(w)
    for r, values in enumerate([[c.title for c in t.columns], *texts]):
        row = grid.rows[r]
        trpr = row._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
        if r == 0:
            trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
        for c, text in enumerate(values):
            cell = row.cells[c]
            cell.width = Pt(widths[c])
            p = cell.paragraphs[0]
            fmt = p.paragraph_format
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or centred[c] else WD_ALIGN_PARAGRAPH.LEFT
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing = 1.0
            fmt.space_before = fmt.space_after = Pt(1)
            run(p, text, HEADING_FONT if r == 0 else TABLE_FONT, size)
            _mark_size(p, size)  # an empty cell's line is as high as its paragraph mark: not 16 pt
            if r == 0:
                _shade(cell, "D9D9D9")
    for note in t.notes:
        paragraph(doc, note, size=12, line=None, indent=True)


def _blocks(doc: Any, blocks: list[str | Table | Section], counter: list[int]) -> None:
    for b in blocks:
        if isinstance(b, Section):
            font = HEADING_FONT if b.level == 1 else SUBHEADING_FONT
            paragraph(doc, b.heading, font=font).paragraph_format.keep_with_next = True
            _blocks(doc, b.blocks, counter)
        elif isinstance(b, Table):
            counter[0] += 1
            table(doc, b, counter[0])
        else:
            paragraph(doc, b)


def write_docx(n: Notice, path: Path) -> None:
    """Write the 通报 draft to `path` (the caller makes it atomic)."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _page_number(doc)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.comments = clean(n.title), n.masthead.issuer, "", ""
    paragraph(doc, n.doc_number, align="center", indent=False)
    paragraph(doc, "", indent=False)
    paragraph(doc, n.title, font=TITLE_FONT, size=TITLE_PT, align="center", indent=False, line=36)
    paragraph(doc, "", indent=False)
    paragraph(doc, n.addressees, indent=False)
    paragraph(doc, n.opening)
    counter = [0]
    _blocks(doc, list(n.sections), counter)
    paragraph(doc, "")
    paragraph(doc, "")
    # 公文: the date four characters in from the right, the issuer centred above it
    date_w = width(n.signature[-1])
    for line in n.signature:
        p = paragraph(doc, line, align="right", indent=False)
        p.paragraph_format.right_indent = Pt(max(0.0, 4 * BODY_PT - (width(line) - date_w) * BODY_PT / 4))
    # the appendix starts a page of its own
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    paragraph(doc, "附件", font=HEADING_FONT, indent=False)
    paragraph(doc, "", indent=False)
    paragraph(doc, n.appendix_title, font=TITLE_FONT, size=TITLE_PT, align="center", indent=False, line=36)
    paragraph(doc, "", indent=False)
    _blocks(doc, list(n.appendix), counter)
    doc.save(str(path))
