"""The .xlsx report: one sheet per view, fit to print and publish, values only (never formulas).

Layout rules (SPEC §6): named CJK fonts (宋体 for text, 黑体 for titles and headers;
where they are missing, LibreOffice and WPS render with an installed CJK face), thin
borders, columns as wide as their content (CJK counted double; long text wraps, with
row heights set because neither Excel nor LibreOffice grows a row for text a program
wrote), frozen headers, the title and header rows repeated on every printed page, A4
landscape, page numbers. Nothing prints smaller than 9 pt: text is 11 pt, and a sheet
is scaled down to at most 82 % (9 pt). A sheet still too wide is split across pages
at column breaks — between column groups (县区明细's districts) where the view has
them — with its leading key columns repeated on each page, instead of being shrunk.

The first sheet starts with the publication masthead (title, issuing body, Beijing
date, 暂定结果); every sheet's title says 暂定结果 when anything is provisional;
hashes and paths appear only on 说明.

openpyxl is imported inside the functions so the CLI starts fast. Text is stored as
text: a unit name or 加减分 item typed as "=HYPERLINK(…)" or "-违规" is kept as a string
cell exactly as typed (openpyxl would otherwise store a string starting with "=" as a
formula), and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from hz_assess import __version__
from hz_assess.models import Assessment
from hz_assess.views import Document, Table, Text, matrix, show, width
from hz_assess.views_publish import (
    Masthead,
    about_table,
    beijing_time,
    city_detail_table,
    department_detail_table,
    department_ranking,
    district_table,
    masthead,
    published_issues,
    zh,
)

NUMBER_FORMATS = {"score": "0.00", "percent": "0.0%", "int": "0"}
NUMERIC_KINDS = ("int", "score", "value", "percent", "points")
GRADE_FILLS = {"grade0": "C6EFCE", "grade1": "DDEBF7", "grade2": "FFF2CC", "grade3": "FFC7CE"}
MARK_FILLS = {"below": "FFC7CE", "missing": "FFEB9C", "na": "EDEDED", "total": "F2F2F2", "provisional": "FFEB9C",
              **GRADE_FILLS}
HEAD_FILL = "D9E1F2"

TEXT_FONT, TITLE_FONT = "宋体", "黑体"
GB2312 = 134  # the font charset Excel and WPS record for Simplified Chinese fonts
BODY_PT, TITLE_PT, MASTHEAD_PT = 11, 14, 18
MIN_PRINTED_PT = 9
MIN_SCALE = math.ceil(100 * MIN_PRINTED_PT / BODY_PT)  # 82 %: 11 pt prints at 9.02 pt
LINE_PT = 16.0  # one line of 11 pt CJK text (Noto CJK's line gap is ~1.45 em)
# A4 landscape less 0.4" side margins is 784 pt; keep a margin for the estimate of column widths
PRINT_WIDTH_PT = 760.0
MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.5, 0.6
PAGE_HEIGHT_PT = 595.3 - 72 * (MARGIN_TOP_IN + MARGIN_BOTTOM_IN)  # A4 landscape less the margins: 516 pt
WRAP_UNITS = 28  # a text column wider than this wraps (display units: CJK = 2)
WRAP_UNITS_TIGHT = 16  # … or than this, when the sheet would not fit the page width otherwise


@dataclass
class Layout:
    widths: list[float]  # column widths in Excel units
    wrap: list[bool]
    key_columns: int  # leading columns repeated on every page when the sheet is split
    breaks: list[int]  # 1-based columns after which a new page starts
    scale: int


def _font(*, size: float = BODY_PT, bold: bool = False, title: bool = False, colour: str | None = None) -> Any:
    from openpyxl.styles import Font

    return Font(name=TITLE_FONT if title or bold else TEXT_FONT, size=size, bold=bold, charset=GB2312,
                color=colour)


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", start_color=colour, end_color=colour)


def _border() -> Any:
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="808080")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def put(ws: Any, row: int, col: int, value: object, kind: str = "text") -> Any:
    """Write one value; text stays text (never a formula), numbers get the format of their kind."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=…" typed by a person is text, not a formula to run
    elif isinstance(value, float) and kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]
    cell.font = _font()
    return cell


_TOKEN = re.compile(r"[!-~]+|\s|.")  # an ASCII word, a space, or one other character (CJK)


def units(text: str) -> float:
    """Excel width units a text needs in 11 pt 宋体: a CJK glyph (11 pt ≈ 14.7 px) is ~2.1 digit widths."""
    return width(text) * 1.05


def column_pt(w: float) -> float:
    """Printed width of a column of `w` Excel units, on the wide side.

    The unit is the digit width of the workbook's default font: 5.25 pt in Excel (Calibri),
    but 7 pt in a LibreOffice that substitutes DejaVu Sans for Calibri. Planning pages with
    the wider one keeps every planned page on its sheet of paper in both."""
    return w * 7.0 + 4


def _label(title: str) -> str:
    return title.partition("·")[2] or title


def _group(title: str) -> str:
    return title.partition("·")[0] if "·" in title else ""


def _widths(t: Table, widths: dict[int, float], wrap_at: float) -> tuple[list[float], list[bool]]:
    texts = t.texts()
    ws, wrap = [], []
    for i, col in enumerate(t.columns):
        label = _label(col.title)
        head = units(label) if width(label) <= 8 else units(label) / 2 + 1  # a long header wraps to two lines
        cells = max([0.0, *(units(row[i]) for row in texts)])
        want = max(head, cells, 3.0) + 1.5
        # a column may wrap if it holds text (a qualitative target in a column of numbers, too)
        has_text = col.kind not in NUMERIC_KINDS or any(isinstance(row[i], str) for row in t.rows)
        if i + 1 in widths:
            wrap.append(want > widths[i + 1])
            ws.append(widths[i + 1])
        else:
            wraps = has_text and want > wrap_at
            wrap.append(wraps)
            ws.append(max(wrap_at, head + 1.5) if wraps else want)
    return ws, wrap


def _level(wants: list[float], least: list[float], flexible: list[bool], room: float) -> float | None:
    """The width (Excel units) up to which the flexible (text) columns may grow so that the whole table
    takes at most `room` pt: each gets min(what it wants, the level), never less than its least. None
    when even their least widths do not fit."""

    def total(level: float) -> float:
        return sum(column_pt(max(lo, min(w, level)) if flex else w)
                   for w, lo, flex in zip(wants, least, flexible, strict=True))

    if total(0.0) > room:
        return None
    if total(max(wants)) <= room:
        return max(wants)
    low, high = 0.0, max(wants)
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if total(mid) <= room else (low, mid)
    return low


def plan_layout(t: Table, widths: dict[int, float] | None = None) -> Layout:
    """Column widths, wrapping, scale and page breaks for a table, from its texts and column groups.

    Numbers, names and short texts keep one line; the text columns share what is left of the page width
    at the largest scale that still gives each at least 28 units (or all it wants), the narrower ones
    first, so a long indicator name wraps before a target does. A sheet that does not fit even at 9 pt
    (82 %) with its text columns down to 16 units is split across pages instead."""
    fixed = widths or {}
    texts = t.texts()
    wants, least, flexible = [], [], []
    for i, col in enumerate(t.columns):
        label = _label(col.title)
        head = units(label) if width(label) <= 8 else units(label) / 2 + 1  # a long header wraps to two lines
        want = max(head, *(units(row[i]) for row in texts), 3.0) + 1.5
        # a column may wrap if it holds text (a qualitative target in a column of numbers, too)
        has_text = col.kind not in NUMERIC_KINDS or any(isinstance(row[i], str) for row in t.rows)
        wants.append(fixed.get(i + 1, want))
        least.append(min(want, head + 1.5, fixed.get(i + 1, want)))
        flexible.append(has_text and i + 1 not in fixed)
    real = [max([0.0, *(units(row[i]) for row in texts)]) + 1.5 for i in range(len(t.columns))]
    widest = max([w for w, flex in zip(wants, flexible, strict=True) if flex] or [0.0])

    def at(scale: int, level: float) -> Layout:
        ws = [max(lo, min(w, level)) if flex else w for w, lo, flex in zip(wants, least, flexible, strict=True)]
        return Layout(ws, [need > w + 0.01 for need, w in zip(real, ws, strict=True)], 0, [], scale)

    for scale in range(100, MIN_SCALE - 1, -1):
        level = _level(wants, least, flexible, PRINT_WIDTH_PT * 100 / scale)
        enough = WRAP_UNITS if scale > MIN_SCALE else WRAP_UNITS_TIGHT
        if level is not None and level >= min(enough, widest):
            return at(scale, level)
    # at 9 pt the text columns would be narrow: one page width with tall rows, or strips of pages with
    # the key columns on each — whichever prints on fewer pages
    split = _split_layout(t, fixed)
    if level is None:
        return split
    single = at(MIN_SCALE, level)
    return single if _pages(t, single) <= _pages(t, split) else split


def _pages(t: Table, layout: Layout) -> int:
    """About how many pages a table prints on: its rows' height over a page, times its strips."""
    height = sum(row_height(max([wrapped_lines(text, w) if wrap else 1
                                 for text, w, wrap in zip(row, layout.widths, layout.wrap, strict=True)] or [1]))
                 for row in t.texts())
    return (len(layout.breaks) + 1) * math.ceil(height / (PAGE_HEIGHT_PT * 100 / layout.scale - 3 * LINE_PT))


def _split_layout(t: Table, widths: dict[int, float]) -> Layout:
    """Pages of whole column groups (县区明细's districts), the leading columns on each."""
    ws, wrap = _widths(t, widths, WRAP_UNITS)  # split: keep the rows compact
    groups = [_group(c.title) for c in t.columns]
    key = next((i for i, g in enumerate(groups) if g), min(3, len(groups)))
    room = PRINT_WIDTH_PT * 100 / MIN_SCALE - sum(column_pt(w) for w in ws[:key])
    spans: list[tuple[int, int]] = []  # [start, end) column indexes of each unbreakable span
    i = key
    while i < len(ws):
        j = i + 1
        while groups[i] and j < len(ws) and groups[j] == groups[i]:
            j += 1
        spans.append((i, j))
        i = j
    pages: list[list[tuple[int, int]]] = [[]]
    for span in spans:
        need = sum(column_pt(w) for w in ws[span[0]:span[1]])
        used = sum(column_pt(w) for s in pages[-1] for w in ws[s[0]:s[1]])
        if pages[-1] and used + need > room:
            pages.append([])
        pages[-1].append(span)
    # balance: as many spans on each page as the fullest needs, spread evenly (3 + 3, not 4 + 2)
    per_page = math.ceil(len(spans) / len(pages))
    pages = [spans[k:k + per_page] for k in range(0, len(spans), per_page)]
    breaks = [page[-1][1] for page in pages[:-1]]
    widest = max(sum(column_pt(w) for w in ws[:key]) + sum(column_pt(w) for s in page for w in ws[s[0]:s[1]])
                 for page in pages)
    scale = max(MIN_SCALE, min(100, math.floor(100 * PRINT_WIDTH_PT / widest)))
    return Layout(ws, wrap, key, breaks, scale)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` Excel units wide: CJK breaks between any two
    characters, an ASCII word only at a space (or, longer than a line, anywhere), as Excel and LibreOffice
    wrap; explicit line breaks start new lines."""
    room = max(width - 1.5, 1.0)  # the cell's own padding
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for token in _TOKEN.findall(part):
            w = units(token)
            if used + w <= room:
                used += w
            elif token.isspace():
                continue
            elif w <= room:
                lines, used = lines + 1, w
            else:
                for ch in token:
                    if used + units(ch) > room:
                        lines, used = lines + 1, 0.0
                    used += units(ch)
    return lines


def row_height(lines: int, size: float = BODY_PT) -> float:
    return max(lines, 1) * LINE_PT * size / BODY_PT + 4


def _span_width(ws: Any, columns: int) -> float:
    from openpyxl.utils import get_column_letter

    return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, columns + 1))


def _merged_text(ws: Any, row: int, columns: int, text: str, font: Any, *, align: str = "left") -> float:
    """A line across the table's width (a title, a note): merged, wrapped, its row as high as its lines.
    Returns the row's height."""
    from openpyxl.styles import Alignment

    cell = put(ws, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    # a bigger font takes proportionally more of the width
    height = row_height(wrapped_lines(text, _span_width(ws, columns) * BODY_PT / font.size), font.size)
    ws.row_dimensions[row].height = height
    return height


def _pieces(text: str, width: float, lines: int) -> list[str]:
    """`text` cut into pieces of at most `lines` lines each in a column `width` units wide, at 、 or , where
    it can (a list of missing cells), else at any character."""
    out, current = [], ""
    for token in re.findall(r"[^、,，;；\s]+[、,，;；\s]*|[、,，;；\s]+", text):
        if current and wrapped_lines(current + token, width) > lines:
            out.append(current)
            current = ""
        while wrapped_lines(token, width) > lines:  # a single piece longer than a page: cut it anywhere
            cut = max(k for k in range(1, len(token) + 1) if wrapped_lines(token[:k], width) <= lines)
            out.append(token[:cut])
            token = token[cut:]
        current += token
    return [*out, current] if current else out


def write_sheet(wb: Any, name: str, t: Table, title: str, *, lead: Sequence[tuple[str, Any]] = (),
                widths: dict[int, float] | None = None, reserve: float = 0.0) -> Written:
    """A sheet: optional masthead lines, the title, a header (two rows when columns are grouped as
    组·列), the rows, `reserve` pt of room for a chart right below them, the notes.

    Every row is as high as its tallest wrapped cell; a cell too tall for a page (a long list) goes on in
    the rows below it, so no printed cell is cut and no row runs into the page footer."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    layout = plan_layout(t, widths)
    for i, w in enumerate(layout.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 1)
    # the title and notes span the table or, on a sheet split into strips, the key columns every strip repeats
    span = layout.key_columns if layout.breaks else len(t.columns)
    pages = Pages(scale=layout.scale)
    row = 1
    for text, font in lead:
        pages.add(row, _merged_text(ws, row, span, text, font, align="center"))
        row += 1
    if lead:
        ws.row_dimensions[row].height = LINE_PT / 2
        pages.add(row, LINE_PT / 2)
        row += 1
    title_row = row
    pages.add(title_row, _merged_text(ws, title_row, span, title,
                                      _font(size=TITLE_PT, bold=True)), repeated=True)
    grouped = any("·" in c.title for c in t.columns)
    head = title_row + 1
    border = _border()
    for number, column in enumerate(t.columns, 1):
        cells = [put(ws, head + grouped, number, _label(column.title))]
        if grouped:
            cells.append(put(ws, head, number, _group(column.title) or _label(column.title)))
        for cell in cells:
            cell.font, cell.fill, cell.border = _font(bold=True), _fill(HEAD_FILL), border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if grouped:
        ws.row_dimensions[head].height = row_height(1)
        pages.add(head, row_height(1), repeated=True)
        _merge_header(ws, t, head)
    label_lines = max([wrapped_lines(_label(c.title), w) for c, w in zip(t.columns, layout.widths, strict=True)]
                      or [1])
    ws.row_dimensions[head + grouped].height = row_height(label_lines)
    pages.add(head + grouped, row_height(label_lines), repeated=True)
    first = head + 1 + grouped
    room = pages.room()  # the most one row may take: a page less its repeated rows
    texts = t.texts()
    r = first
    for index, (values, shown, mark) in enumerate(zip(t.rows, texts, t.marks or [""] * len(t.rows), strict=True)):
        lines = [wrapped_lines(text, w) if wrap else 1
                 for text, w, wrap in zip(shown, layout.widths, layout.wrap, strict=True)]
        most = max(int((room - 4) // LINE_PT), 1)
        pieces: list[list[object]] = [list(values)]
        if row_height(max(lines)) > room:  # too tall for a page: the tall cells go on in the rows below
            split = {c: _pieces(shown[c], layout.widths[c], most) for c, n in enumerate(lines) if n > most}
            count = max(len(v) for v in split.values())
            pieces = [[split[c][k] if c in split and k < len(split[c]) else (values[c] if k == 0 and c not in split
                                                                              else None)
                       for c in range(len(values))] for k in range(count)]
        for piece in pieces:
            height = 1
            for c, (value, col) in enumerate(zip(piece, t.columns, strict=True)):
                cell = put(ws, r, c + 1, value, col.kind)
                cell.border = border
                colour = MARK_FILLS.get(t.cell_marks.get((index, c), "") or mark)
                if colour:
                    cell.fill = _fill(colour)
                if mark == "total":
                    cell.font = _font(bold=True)
                # a text column reads from the left even where it holds a number (说明's parameter values)
                horizontal = "left" if col.kind == "text" else None
                cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=layout.wrap[c])
                if layout.wrap[c] and isinstance(value, str):
                    height = max(height, wrapped_lines(value, layout.widths[c]))
            ws.row_dimensions[r].height = row_height(height)
            pages.add(r, row_height(height))
            r += 1
    slot = r + 1  # a blank row, then the room for a chart
    ws.row_dimensions[slot].height = reserve or None
    if reserve:
        pages.add(slot, reserve, block=True)
    for i, note in enumerate(t.notes):
        pages.add(slot + 1 + i, _merged_text(ws, slot + 1 + i, span, note, _font(colour="404040")))
    _print_setup(ws, layout, title_row, first)
    return Written(ws, first, pages, slot)


class Written(NamedTuple):
    ws: Any
    first: int  # the first data row
    pages: Pages
    slot: int  # the row of the room reserved for a chart




@dataclass
class Pages:
    """Rows and their heights in pt, to plan printed pages: which rows repeat on each page (the title and
    header rows) and what a page holds at a scale."""

    scale: int
    rows: list[tuple[int, float, bool]] = field(default_factory=list)  # row, height, a block to keep whole
    repeated: float = 0.0

    def add(self, row: int, height: float, *, repeated: bool = False, block: bool = False) -> None:
        self.rows.append((row, height, block))
        if repeated:
            self.repeated += height

    def capacity(self, scale: int | None = None) -> float:
        return PAGE_HEIGHT_PT * 100 / (scale or self.scale)

    def room(self) -> float:
        return self.capacity() - self.repeated - 2

    def count(self, scale: int) -> tuple[int, list[int]]:
        """Pages at `scale`, and the rows that start a page by hand: a block (the room of a chart) that
        would cross a page's end starts the next page."""
        cap = self.capacity(scale)
        pages, used, breaks = 1, 0.0, []
        for row, height, block in sorted(self.rows):
            if used + height > cap and used > self.repeated:
                pages += 1
                used = self.repeated
                if block:
                    breaks.append(row)
            used += height
        return pages, breaks


def _merge_header(ws: Any, t: Table, head: int) -> None:
    """Merge the group cells above their columns, and single columns down both header rows."""
    col = 1
    while col <= len(t.columns):
        title = t.columns[col - 1].title
        if "·" not in title:
            ws.merge_cells(start_row=head, start_column=col, end_row=head + 1, end_column=col)
            col += 1
            continue
        group = _group(title)
        end = col
        while end < len(t.columns) and _group(t.columns[end].title) == group:
            end += 1
        if end > col:
            ws.merge_cells(start_row=head, start_column=col, end_row=head, end_column=end)
        col = end + 1


def _print_setup(ws: Any, layout: Layout, title_row: int, first: int) -> None:
    """Frozen headers; A4 landscape at a scale that keeps 9 pt; title and header rows (and, when split,
    the key columns, which the title spans) repeated on each page; page numbers in the footer."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break, ColBreak

    ws.freeze_panes = ws.cell(row=first, column=max(2, min(3, layout.key_columns + 1)))
    ws.print_title_rows = f"{title_row}:{first - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = layout.scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    if layout.breaks:
        ws.print_title_cols = f"A:{get_column_letter(layout.key_columns)}"
        ws.col_breaks = ColBreak()
        for after in layout.breaks:
            ws.col_breaks.append(Break(id=after))
        ws.page_setup.pageOrder = "downThenOver"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = MARGIN_TOP_IN, MARGIN_BOTTOM_IN
    ws.page_margins.header, ws.page_margins.footer = 0.2, 0.25
    ws.print_options.horizontalCentered = True
    footer = ws.oddFooter.center
    footer.text, footer.size, footer.font = "第 &P 页,共 &N 页", BODY_PT, f"{TEXT_FONT},常规"


CHART_CM = (20, 6.5)  # width, height


def fit_pages(ws: Any, pages: Pages) -> None:
    """Print at the largest scale (from the layout's, down to 82 %: still 9 pt) that needs the fewest
    pages, so a few last rows do not take a page of their own; a block (the chart) that would still
    cross a page's end starts the next page."""
    from openpyxl.worksheet.pagebreak import Break, RowBreak

    fewest = min(pages.count(s)[0] for s in range(MIN_SCALE, pages.scale + 1))
    scale = max(s for s in range(MIN_SCALE, pages.scale + 1) if pages.count(s)[0] == fewest)
    ws.page_setup.scale = scale
    breaks = pages.count(scale)[1]
    if breaks:
        ws.row_breaks = RowBreak()
        for row in breaks:
            ws.row_breaks.append(Break(id=row - 1))


CHART_PT = CHART_CM[1] * 72 / 2.54 + 8  # the room a chart takes, with a margin


def _total_chart(ws: Any, t: Table, first: int, row: int, title: str) -> None:
    """The native bar chart of totals at `row`, with each bar's value written on it."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    keys = [c.key for c in t.columns]
    last = first + len(t.rows) - 1
    chart = BarChart()
    chart.type, chart.title, chart.legend = "col", title, None
    chart.y_axis.title, chart.y_axis.scaling.min = t.columns[[c.key for c in t.columns].index("score")].title, 0
    chart.y_axis.number_format = "0"
    chart.y_axis.delete = chart.x_axis.delete = False  # openpyxl ≥3.1 hides axes unless told
    score_col = keys.index("score") + 1
    chart.add_data(Reference(ws, min_col=score_col, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=keys.index("name") + 1, min_row=first, max_row=last))
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False, showLeaderLines=False)
    chart.dataLabels.numFmt = "0.00"

    def text(size: int) -> RichText:
        props = CharacterProperties(sz=size * 100, latin=Font(typeface=TEXT_FONT), ea=Font(typeface=TEXT_FONT))
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])

    chart.x_axis.txPr = chart.y_axis.txPr = chart.dataLabels.txPr = text(BODY_PT)
    chart.width, chart.height = CHART_CM
    ws.add_chart(chart, f"B{row}")


def _default_font(wb: Any) -> None:
    """宋体 11 pt as the workbook's default font (Normal), the font its cells are written in: a column's
    width unit is the default font's digit width, so Excel, WPS and LibreOffice then agree better on how
    much Chinese text a column holds (with Calibri it is 5.25 pt in Excel but 7 pt where LibreOffice
    substitutes DejaVu Sans, and rows planned for Excel stand half empty)."""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=TEXT_FONT, sz=BODY_PT, charset=GB2312, family=3)
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


def write_xlsx(a: Assessment, path: Path, *, now: datetime | None = None,
               appendix: Document | None = None) -> None:
    """Write the report's sheets to `path` (the caller makes it atomic); `appendix`: the robustness analysis."""
    from openpyxl import Workbook

    moment = now or datetime.now(UTC)
    m = masthead(a, moment)
    wb = Workbook()
    _default_font(wb)
    wb.remove(wb.active)
    sheets: list[tuple[str, Table, dict[int, float]]] = [
        ("县区排名", district_table(a), {}),
        ("县区明细", matrix(a), {3: 22}),
        ("部门排名", department_ranking(a), {}),  # the three groups, each ranked on its own
        ("部门明细", department_detail_table(a), {}),
        ("全市进展", city_detail_table(a), {}),
        ("缺数据与警告", published_issues(a), {}),
        ("说明", about_table(a, version=__version__, generated=beijing_time(moment), keys=True), {1: 44, 2: 72}),
    ]
    for i, (name, table, widths) in enumerate(sheets):
        lead = _masthead_lines(m) if i == 0 else ()
        chart = table.name == "district_ranks" and bool(table.rows)
        sheet = write_sheet(wb, name, table, m.sheet_title(table.title), lead=lead, widths=widths,
                            reserve=CHART_PT if chart else 0.0)
        if chart:  # right below the table, before its notes: on the first page whatever the notes' length
            title = zh("县区得分(按时间进度)") if a.quarterly else "县区总分"
            _total_chart(sheet.ws, table, sheet.first, sheet.slot, title)
        fit_pages(sheet.ws, sheet.pages)
    if appendix is not None:
        write_robustness_sheet(wb, appendix, m)
    wb.properties.title, wb.properties.creator = m.title, m.issuer
    wb.save(path)


ROBUSTNESS_SHEET = "稳健性分析"


def write_robustness_sheet(wb: Any, doc: Document, m: Masthead) -> None:
    """The sheet 稳健性分析: the units' rank intervals and grade chances, then, as notes below the table,
    the fragile pairs, the design and what the analysis does not claim (the interval chart is html's)."""
    units = doc.table("units")
    assert units is not None
    sheet = Table(units.name, units.title, units.columns, list(units.rows), list(units.marks), dict(units.cell_marks),
                  list(units.notes))
    pairs = doc.table("fragile_pairs")
    if pairs is not None:
        lines = [f"{row[0]}:{row[1]} 与 {row[2]},{show(row[3], 'percent')} 的情景先后不同" for row in pairs.rows]
        sheet.notes.append(pairs.title + ":" + ("; ".join(lines) if lines else "没有"))
    for block in doc.blocks:
        if isinstance(block, Text):
            sheet.notes += [f"{block.title}:{line}" if block.title else line for line in block.lines]
    written = write_sheet(wb, ROBUSTNESS_SHEET, sheet, m.sheet_title(zh("排名稳健性分析:{title}", title=units.title)))
    fit_pages(written.ws, written.pages)


def _masthead_lines(m: Masthead) -> list[tuple[str, Any]]:
    title = m.title + (zh("({status})", status=m.status) if m.provisional else "")
    lines = [(title, _font(size=MASTHEAD_PT, bold=True, title=True)),
             (f"{m.issuer}    {m.date}", _font()), (m.basis, _font())]
    if m.provisional:
        lines.append((m.lines()[-1], _font(bold=True, colour="C00000")))
    return lines
