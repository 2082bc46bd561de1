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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hz_assess import __version__
from hz_assess.models import Assessment
from hz_assess.views import (
    Document,
    Table,
    Text,
    about,
    city_detail,
    department_detail,
    department_ranking,
    issues,
    matrix,
    show,
    width,
)
from hz_assess.views_publish import Masthead, beijing_time, district_table, masthead, zh

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


def plan_layout(t: Table, widths: dict[int, float] | None = None) -> Layout:
    """Column widths, wrapping, scale and page breaks for a table, from its texts and column groups.

    A sheet that does not fit one page width at 9 pt first wraps its text columns tighter;
    only if that is not enough is it split across pages."""
    for wrap_at in (WRAP_UNITS, WRAP_UNITS_TIGHT):
        ws, wrap = _widths(t, widths or {}, wrap_at)
        total = sum(column_pt(w) for w in ws)
        scale = min(100, math.floor(100 * PRINT_WIDTH_PT / total))
        if scale >= MIN_SCALE:
            return Layout(ws, wrap, 0, [], scale)
    ws, wrap = _widths(t, widths or {}, WRAP_UNITS)  # split anyway: keep the rows compact
    # too wide even at 9 pt: pages of whole column groups, the ungrouped leading columns on each
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


def _merged_text(ws: Any, row: int, columns: int, text: str, font: Any, *, align: str = "left") -> None:
    """A line across the table's width (a title, a note): merged, wrapped, its row as high as its lines."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    cell = put(ws, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    span = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, columns + 1))
    lines = max(1, math.ceil(units(text) * font.size / BODY_PT / max(span - 1, 1)))
    ws.row_dimensions[row].height = max(lines * LINE_PT * font.size / BODY_PT, LINE_PT) + 4


def write_sheet(wb: Any, name: str, t: Table, title: str, *, lead: Sequence[tuple[str, Any]] = (),
                widths: dict[int, float] | None = None) -> tuple[Any, int]:
    """A sheet: optional masthead lines, the title, a header (two rows when columns are grouped as
    组·列), the rows, notes. Returns the sheet and the row of its first data row."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    layout = plan_layout(t, widths)
    for i, w in enumerate(layout.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 1)
    # titles and notes span the table, or on a split sheet its first page
    span = layout.breaks[0] if layout.breaks else len(t.columns)
    row = 1
    for text, font in lead:
        _merged_text(ws, row, span, text, font, align="center")
        row += 1
    if lead:
        row += 1
    title_row = row
    _merged_text(ws, title_row, span, title, _font(size=TITLE_PT, bold=True))
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
    ws.row_dimensions[head + grouped].height = LINE_PT * 2 + 4 if any(
        units(_label(c.title)) > w for c, w in zip(t.columns, layout.widths, strict=True)) else LINE_PT + 4
    if grouped:
        _merge_header(ws, t, head)
    first = head + 1 + grouped
    texts = t.texts()
    for r, (values, shown, mark) in enumerate(zip(t.rows, texts, t.marks or [""] * len(t.rows), strict=True)):
        lines = 1
        for c, (value, col) in enumerate(zip(values, t.columns, strict=True)):
            cell = put(ws, first + r, c + 1, value, col.kind)
            cell.border = border
            colour = MARK_FILLS.get(t.cell_marks.get((r, c), "") or mark)
            if colour:
                cell.fill = _fill(colour)
            if mark == "total":
                cell.font = _font(bold=True)
            # a text column reads from the left even where it holds a number (说明's parameter values)
            horizontal = "left" if col.kind == "text" else None
            if layout.wrap[c]:
                cell.alignment = Alignment(horizontal=horizontal, wrap_text=True, vertical="top")
                lines = max(lines, math.ceil(units(shown[c]) / max(layout.widths[c] - 1.5, 1)))
            else:
                cell.alignment = Alignment(horizontal=horizontal, vertical="top")
        if lines > 1:
            ws.row_dimensions[first + r].height = lines * LINE_PT + 2
    for i, note in enumerate(t.notes):
        _merged_text(ws, first + len(t.rows) + 1 + i, span, note, _font(colour="404040"))
    _print_setup(ws, layout, title_row, first)
    if layout.breaks:
        header = ws.oddHeader.left
        header.text, header.size, header.font = title.replace("&", "&&"), BODY_PT, f"{TITLE_FONT},常规"
    return ws, first


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
    the key columns) repeated on each page; page numbers in the footer."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break, ColBreak

    ws.freeze_panes = ws.cell(row=first, column=max(2, min(3, layout.key_columns + 1)))
    # a split sheet's later pages would show a cut title: there the title is the page header
    ws.print_title_rows = f"{title_row + 1 if layout.breaks else title_row}:{first - 1}"
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
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.page_margins.header, ws.page_margins.footer = 0.2, 0.25
    ws.print_options.horizontalCentered = True
    footer = ws.oddFooter.center
    footer.text, footer.size, footer.font = "第 &P 页,共 &N 页", BODY_PT, f"{TEXT_FONT},常规"


def _total_chart(ws: Any, t: Table, first: int) -> None:
    """The native bar chart of totals, with each bar's value written on it."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    if not t.rows:
        return
    keys = [c.key for c in t.columns]
    last = first + len(t.rows) - 1
    chart = BarChart()
    chart.type, chart.title, chart.legend = "col", "县区总分", None
    chart.y_axis.title, chart.y_axis.scaling.min = "总分", 0
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
    chart.width, chart.height = 20, 6.5
    ws.add_chart(chart, f"B{last + len(t.notes) + 2}")


def write_xlsx(a: Assessment, path: Path, *, now: datetime | None = None,
               appendix: Document | None = None) -> None:
    """Write the report's sheets to `path` (the caller makes it atomic); `appendix`: the robustness analysis."""
    from openpyxl import Workbook

    moment = now or datetime.now(UTC)
    m = masthead(a, moment)
    wb = Workbook()
    wb.remove(wb.active)
    sheets: list[tuple[str, Table, dict[int, float]]] = [
        ("县区排名", district_table(a), {}),
        ("县区明细", matrix(a), {3: 22}),
        ("部门排名", department_ranking(a), {}),  # the three groups, each ranked on its own
        ("部门明细", department_detail(a), {}),
        ("全市进展", city_detail(a), {}),
        ("缺数据与警告", issues(a), {}),
        ("说明", about(a, version=__version__, generated=beijing_time(moment)), {1: 44, 2: 72}),
    ]
    for i, (name, table, widths) in enumerate(sheets):
        lead = _masthead_lines(m) if i == 0 else ()
        ws, first = write_sheet(wb, name, table, m.sheet_title(table.title), lead=lead, widths=widths)
        if table.name == "district_ranks":
            _total_chart(ws, table, first)
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
    write_sheet(wb, ROBUSTNESS_SHEET, sheet, m.sheet_title(f"排名稳健性分析:{units.title}"))


def _masthead_lines(m: Masthead) -> list[tuple[str, Any]]:
    title = m.title + (zh("({status})", status=m.status) if m.provisional else "")
    lines = [(title, _font(size=MASTHEAD_PT, bold=True, title=True)),
             (f"{m.issuer}    {m.date}", _font()), (m.basis, _font())]
    if m.provisional:
        lines.append((m.lines()[-1], _font(bold=True, colour="C00000")))
    return lines
