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


KEEP_TOGETHER_ROWS = 20  # about what a portrait page holds under a heading
TABLE_SIZES = (10.5, 9.0)  # 五号, or 小五 when a table needs it — never smaller
CELL_PAD_PT = 2 * 2.85  # 0.1 cm each side (the tblCellMar below), instead of Word's 0.19 cm
SLACK_PT = 2.0  # fonts substituted for 仿宋_GB2312 and Times New Roman are not exactly 1 em and 0.5 em wide
LONG_TOKEN = 16  # a piece wider than this (display units; 8 CJK characters) is running text: it may break anywhere
# where a line may break: after a 顿号, comma, semicolon, colon, slash or space; before an opening bracket
_BREAK = re.compile(r"(?<=[、,，;；:：/\s])|(?=[(（])")


def tokens(text: str) -> list[str]:
    """The pieces of a cell a line must not break inside: a unit name (湖州开发区), a status (落后进度), a
    number, a header word (基本分). Running text (a path, a sentence) is one long piece that may break anywhere."""
    return [t for t in _BREAK.split(text) if t.strip()]


def _unbreakable(text: str) -> int:
    """The display width of the widest piece of `text` that must stay on one line (running text: none)."""
    return max([0, *(width(t.strip()) for t in tokens(text) if width(t.strip()) <= LONG_TOKEN)])


def _column_widths(t: Table, total_pt: float, size: float) -> list[float] | None:
    """Widths in pt, or None when the table's names, status words and headers cannot each keep one line
    at this size. Every column gets at least its widest unbreakable piece (header included); what is left
    goes to the columns whose texts are longer than that, in proportion to what they would need on one
    line — so numbers and names never wrap and running text wraps last. One display unit (an ASCII
    digit; a CJK character is two) is half an em."""
    texts = t.texts()
    unit = size * 0.5
    pad = CELL_PAD_PT + SLACK_PT
    least, most = [], []
    for i, col in enumerate(t.columns):
        cells = [row[i] for row in texts]
        floor = max(_unbreakable(col.title), *(_unbreakable(c) for c in cells), 2)
        least.append(floor * unit + pad)
        most.append(max(floor, *(width(c) for c in cells), 0) * unit + pad)
    if sum(least) > total_pt:
        return None
    if sum(most) <= total_pt:
        spare = total_pt - sum(most)
        return [w + spare * w / sum(most) for w in most]
    share = (total_pt - sum(least)) / (sum(most) - sum(least))
    return [lo + share * (hi - lo) for lo, hi in zip(least, most, strict=True)]


def _layout(t: Table, total_pt: float) -> tuple[float, list[float]]:
    """The table's font size and column widths: 五号 if it fits, else 小五; a table too wide even then keeps
    小五 and shares the width in proportion to what each column needs (a view should not get here)."""
    for size in TABLE_SIZES:
        widths = _column_widths(t, total_pt, size)
        if widths is not None:
            return size, widths
    size = TABLE_SIZES[-1]
    need = [max(_unbreakable(c.title), 2) * size * 0.5 + CELL_PAD_PT for c in t.columns]
    return size, [w * total_pt / sum(need) for w in need]


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

    section = doc.sections[0]
    total = (section.page_width - section.left_margin - section.right_margin) / 12700  # EMU -> pt
    size, widths = _layout(t, total)
    caption = paragraph(doc, f"表{number}  {t.title}", font=HEADING_FONT, size=12, align="center", indent=False,
                        line=None)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    grid = doc.add_table(rows=1 + len(t.rows), cols=len(t.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _cell_margins(grid)
    texts = t.texts()
    centred = [all(width(row[i]) <= 12 for row in texts) for i in range(len(t.columns))]
    for i, w in enumerate(widths):
        grid.columns[i].width = Pt(w)
    # a table that fits a page is kept on one (each row keeps with the next); a longer one keeps its
    # header with its first rows, so a page never ends on a header alone
    together = len(texts) if len(texts) <= KEEP_TOGETHER_ROWS else 2
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
            fmt.keep_with_next = r < together
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


def _chinese_settings(doc: Any) -> None:
    """Chinese as the document's East Asian language: python-docx's template says ja-JP in settings.xml
    (w:themeFontLang) and en-US in stylesWithEffects.xml, so Word would pick Japanese glyphs and rules."""
    from docx.oxml.ns import qn

    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = settings.makeelement(qn("w:themeFontLang"), {})
        settings.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    for rel in doc.part.rels.values():
        part = rel.target_part
        if rel.reltype.endswith("/stylesWithEffects") and isinstance(getattr(part, "_blob", None), bytes):
            part._blob = re.sub(rb'w:eastAsia="[A-Za-z-]+"', b'w:eastAsia="zh-CN"', part._blob)


def write_docx(n: Notice, path: Path) -> None:
    """Write the 通报 draft to `path` (the caller makes it atomic)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _chinese_settings(doc)
    _page_number(doc)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.comments = clean(n.title), n.masthead.issuer, "", ""
    props.language = "zh-CN"
    paragraph(doc, n.doc_number, align="center", indent=False)
    paragraph(doc, "", indent=False)
    paragraph(doc, n.title, font=TITLE_FONT, size=TITLE_PT, align="center", indent=False, line=36)
    paragraph(doc, "", indent=False)
    paragraph(doc, n.addressees, indent=False)
    paragraph(doc, n.opening)
    counter = [0]
    _blocks(doc, list(n.sections), counter)
    # the signature never stands alone on a page: the last paragraph of the body comes with it
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(2):
        paragraph(doc, "").paragraph_format.keep_with_next = True
    # 公文: the date four characters in from the right, the issuer centred above it
    date_w = width(n.signature[-1])
    for i, line in enumerate(n.signature):
        p = paragraph(doc, line, align="right", indent=False)
        p.paragraph_format.right_indent = Pt(max(0.0, 4 * BODY_PT - (width(line) - date_w) * BODY_PT / 4))
        p.paragraph_format.keep_with_next = i < len(n.signature) - 1
    # the appendix starts a page of its own
    attachment = paragraph(doc, "附件", font=HEADING_FONT, indent=False)
    attachment.paragraph_format.page_break_before = True
    paragraph(doc, "", indent=False)
    paragraph(doc, n.appendix_title, font=TITLE_FONT, size=TITLE_PT, align="center", indent=False, line=36)
    paragraph(doc, "", indent=False)
    _blocks(doc, list(n.appendix), counter)
    doc.save(str(path))
