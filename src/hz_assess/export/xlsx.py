"""The .xlsx report: one sheet per view, print-ready, values only (never formulas).

openpyxl is imported inside the functions so the CLI starts fast. Text is stored as
text: a unit name or 加减分 item typed as "=HYPERLINK(…)" is kept as a string cell
(openpyxl would otherwise store any string starting with "=" as a formula), and
characters XML cannot hold are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hz_assess import __version__
from hz_assess.models import Assessment
from hz_assess.views import (
    Table,
    about,
    city_detail,
    department_detail,
    department_ranks,
    district_ranks,
    heading,
    issues,
    matrix,
    method_line,
    width,
)

NUMBER_FORMATS = {"score": "0.00", "percent": "0.0%", "int": "0"}
GRADE_FILLS = {"grade0": "C6EFCE", "grade1": "DDEBF7", "grade2": "FFF2CC", "grade3": "FFC7CE"}
MARK_FILLS = {"below": "FFC7CE", "missing": "FFEB9C", "na": "EDEDED", "total": "F2F2F2", **GRADE_FILLS}
HEAD_FILL = "D9E1F2"


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", start_color=colour, end_color=colour)


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
    return cell


def _cell_width(value: object, kind: str) -> int:
    if value is None:
        return 0
    if isinstance(value, float) and kind == "score":
        return len(f"{value:.2f}")
    return width(str(value))


def write_sheet(wb: Any, name: str, t: Table, title: str, subtitle: str, *, widths: dict[int, int] | None = None,
                one_page: bool = False) -> Any:
    """A sheet: title, subtitle, a header (two rows when titles are grouped as 组·列), the rows, notes."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(name)
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    put(ws, 2, 1, subtitle).font = Font(size=9, color="595959")
    grouped = any("·" in c.title for c in t.columns)
    head = 3
    for number, column in enumerate(t.columns, 1):
        group, _, label = column.title.partition("·") if "·" in column.title else ("", "", column.title)
        cell = put(ws, head + grouped, number, label)
        cell.font, cell.fill = Font(bold=True), _fill(HEAD_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if grouped:
            top = put(ws, head, number, group or label)
            top.font, top.fill, top.alignment = Font(bold=True), _fill(HEAD_FILL), Alignment(horizontal="center")
    if grouped:
        _merge_header(ws, t, head)
    first = head + 1 + grouped
    for r, (values, mark) in enumerate(zip(t.rows, t.marks or [""] * len(t.rows), strict=True)):
        for c, (value, col) in enumerate(zip(values, t.columns, strict=True)):
            cell = put(ws, first + r, c + 1, value, col.kind)
            colour = MARK_FILLS.get(t.cell_marks.get((r, c), "") or mark)
            if colour:
                cell.fill = _fill(colour)
            if mark == "total":
                cell.font = Font(bold=True)
    for i, note in enumerate(t.notes):
        put(ws, first + len(t.rows) + 1 + i, 1, note).font = Font(size=9, color="595959")
    _finish(ws, t, first, widths or {}, one_page=one_page)
    return ws


def _merge_header(ws: Any, t: Table, head: int) -> None:
    """Merge the group cells above their columns, and single columns down both header rows."""
    col = 1
    while col <= len(t.columns):
        title = t.columns[col - 1].title
        if "·" not in title:
            ws.merge_cells(start_row=head, start_column=col, end_row=head + 1, end_column=col)
            col += 1
            continue
        group = title.partition("·")[0]
        end = col
        while end < len(t.columns) and t.columns[end].title.partition("·")[0] == group and "·" in t.columns[end].title:
            end += 1
        if end > col:
            ws.merge_cells(start_row=head, start_column=col, end_row=head, end_column=end)
        col = end + 1


def _finish(ws: Any, t: Table, first: int, widths: dict[int, int], *, one_page: bool) -> None:
    """Column widths from content, frozen headers, A4 landscape fitted to the page width."""
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(t.columns, 1):
        longest = max([width(col.title.partition("·")[2] or col.title),
                       *(_cell_width(row[i - 1], col.kind) for row in t.rows)])
        ws.column_dimensions[get_column_letter(i)].width = min(max(widths.get(i, longest) + 2, 6), 60)
    ws.freeze_panes = ws.cell(row=first, column=min(3, len(t.columns)))
    ws.print_title_rows = f"1:{first - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"


def _total_chart(ws: Any, t: Table) -> None:
    from openpyxl.chart import BarChart, Reference

    if not t.rows:
        return
    keys = [c.key for c in t.columns]
    first, last = 4, 3 + len(t.rows)
    chart = BarChart()
    chart.type, chart.title, chart.legend = "col", "县区总分", None
    chart.y_axis.title, chart.y_axis.scaling.min = "总分", 0
    chart.y_axis.delete = chart.x_axis.delete = False  # openpyxl ≥3.1 hides axes unless told
    score_col = keys.index("score") + 1
    chart.add_data(Reference(ws, min_col=score_col, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=keys.index("name") + 1, min_row=first, max_row=last))
    chart.width, chart.height = 22, 9
    ws.add_chart(chart, f"B{last + 3}")


def write_xlsx(a: Assessment, path: Path, *, now: datetime | None = None) -> None:
    """Write the seven-sheet report to `path` (the caller makes it atomic)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    sub = method_line(a)
    head = heading(a)
    sheets: Sequence[tuple[str, Table, dict[int, int], bool]] = (
        ("县区排名", district_ranks(a), {}, True),
        ("县区明细", matrix(a), {3: 30}, False),
        ("部门排名", department_ranks(a), {}, True),
        ("部门明细", department_detail(a), {}, False),
        ("全市进展", city_detail(a), {3: 36}, False),
        ("缺数据与警告", issues(a), {3: 60, 5: 30}, False),
        ("说明", about(a, version=__version__, generated=datetime.now().astimezone().isoformat(timespec="seconds")),
         {2: 90}, False),
    )
    for name, table, widths, one_page in sheets:
        ws = write_sheet(wb, name, table, f"{head} {table.title}", sub, widths=widths, one_page=one_page)
        if table.name == "district_ranks":
            _total_chart(ws, table)
        if table.name in ("issues", "about"):
            _wrap_long_text(ws, table, widths)
    wb.save(path)


def _wrap_long_text(ws: Any, t: Table, widths: dict[int, int]) -> None:
    """Wrap long text and size rows: neither Excel nor LibreOffice grows a row for wrapped text a program wrote."""
    from openpyxl.styles import Alignment

    first = 4
    for r, row in enumerate(t.rows):
        lines = 1
        for c, value in enumerate(row, 1):
            if value is None:
                continue
            ws.cell(row=first + r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
            if c in widths:
                lines = max(lines, -(-width(str(value)) // widths[c]))
        ws.row_dimensions[first + r].height = 15 * lines
