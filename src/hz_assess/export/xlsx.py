"""The .xlsx report: seven print-ready sheets of values (never formulas).

openpyxl is imported inside the functions so the CLI starts fast. Every text cell
goes through `tables.neutralise`: a unit name or 加减分 item typed as "=HYPERLINK(…)"
must stay text, and openpyxl would store any string starting with "=" as a formula.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hz_assess import __version__
from hz_assess.export.text import period_label, provenance_lines
from hz_assess.models import Assessment, DepartmentResult, IndicatorResult, Plan, UnitResult
from hz_assess.tables import STATUS_TEXT, flags, neutralise

SCORE_FMT, PCT_FMT = "0.00", "0.0%"
GRADE_FILLS = ("C6EFCE", "DDEBF7", "FFF2CC", "FFC7CE")  # best grade first; the last repeats
BELOW_FILL, MISSING_FILL, NA_FILL, HEAD_FILL = "FFC7CE", "FFEB9C", "EDEDED", "D9E1F2"
HEADER_ROW = 3  # row 1 title, row 2 provenance, row 3 headers: repeated on every printed page


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", start_color=colour, end_color=colour)


def text_width(value: object) -> int:
    """Display width: CJK and full-width characters take two columns."""
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def put(ws: Any, row: int, col: int, value: object, fmt: str | None = None) -> Any:
    """Write one value; text that a spreadsheet would run as a formula is neutralised."""
    cell = ws.cell(row=row, column=col, value=neutralise(value))
    if fmt and isinstance(value, float):  # ranks and counts stay integers
        cell.number_format = fmt
    return cell


def _sheet(wb: Any, name: str, title: str, a: Assessment, headers: Sequence[str]) -> Any:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(name)
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    put(ws, 2, 1, f"{a.method.label};计划 sha256 {a.plan.sha256[:16]}…;输入 {a.input.path}").font = Font(
        size=9, color="595959")
    for col, head in enumerate(headers, 1):
        cell = put(ws, HEADER_ROW, col, head)
        cell.font, cell.fill = Font(bold=True), _fill(HEAD_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return ws


def _finish(ws: Any, freeze: str, widths: dict[int, int] | None = None, *, one_page: bool = False) -> None:
    """Column widths from content, frozen headers, A4 landscape fitted to the page width."""
    from openpyxl.utils import get_column_letter

    best: dict[int, int] = {}
    for row in ws.iter_rows(min_row=HEADER_ROW):
        for cell in row:
            if cell.value is not None:
                best[cell.column] = max(best.get(cell.column, 0), text_width(cell.value))
    for col, width in {**best, **(widths or {})}.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 6), 60)
    ws.freeze_panes = freeze
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"


def _grade_fill(a: Assessment, grade: str) -> Any:
    names = [g.name for g in a.method.params.grades]
    index = names.index(grade) if grade in names else len(GRADE_FILLS) - 1
    return _fill(GRADE_FILLS[min(index, len(GRADE_FILLS) - 1)])


def _ranked(ws: Any, a: Assessment, rows: Sequence[Sequence[object]], grade_col: int) -> None:
    from openpyxl.styles import Alignment

    for r, values in enumerate(rows, HEADER_ROW + 1):
        fill = _grade_fill(a, str(values[grade_col - 1]))
        for c, value in enumerate(values, 1):
            cell = put(ws, r, c, value, SCORE_FMT)
            cell.fill = fill
            if c in (1, grade_col):
                cell.alignment = Alignment(horizontal="center")


def _district_sheet(wb: Any, a: Assessment) -> None:
    from openpyxl.chart import BarChart, Reference

    cats = list(a.districts[0].categories) if a.districts else []
    headers = ["排名", "县区", "总分", *cats, "加分", "扣分", "等次", "标记"]
    ws = _sheet(wb, "县区排名", f"{a.plan.title} {period_label(a.input.period)} 县区排名", a, headers)
    rows = [[d.rank, d.name, d.score, *[d.categories.get(c) for c in cats], d.bonus, d.deductions, d.grade,
             flags(d.provisional, d.vetoed)] for d in a.districts]
    _ranked(ws, a, rows, len(headers) - 1)
    _finish(ws, f"C{HEADER_ROW + 1}", one_page=True)
    if not rows:
        return
    last = HEADER_ROW + len(rows)
    chart = BarChart()
    chart.type, chart.title, chart.legend = "col", "县区总分", None
    chart.y_axis.title, chart.y_axis.scaling.min = "总分", 0
    chart.y_axis.delete = chart.x_axis.delete = False  # openpyxl ≥3.1 hides axes unless told
    chart.add_data(Reference(ws, min_col=3, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=HEADER_ROW + 1, max_row=last))
    chart.width, chart.height = 22, 9
    ws.add_chart(chart, f"B{last + 3}")


def _matrix_cell(ws: Any, row: int, col: int, r: IndicatorResult) -> None:
    """actual / target / score of one indicator for one district, coloured by status."""
    if r.status == "not_applicable":
        for i in range(3):
            put(ws, row, col + i, "—").fill = _fill(NA_FILL)
        return
    actual: object = {"missing": "缺数据", "pending": "待评定"}.get(r.status, r.actual)
    target = r.target.removeprefix("完成").removesuffix("目标任务") if isinstance(r.target, str) else r.target
    cells = [put(ws, row, col, actual), put(ws, row, col + 1, target), put(ws, row, col + 2, r.score, SCORE_FMT)]
    colour = {"below": BELOW_FILL, "missing": MISSING_FILL}.get(r.status)
    if colour:
        cells[0].fill = cells[2].fill = _fill(colour)


def _detail_sheet(wb: Any, a: Assessment, plan: Plan | None) -> None:
    from openpyxl.styles import Alignment, Font

    category = {i.id: i.category for i in plan.indicators} if plan else {}
    fixed = ["序号", "栏目", "主要指标", "计量单位", "分值"]
    ws = _sheet(wb, "县区明细", f"{a.plan.title} {period_label(a.input.period)} 县区指标明细", a, fixed)
    ws["A2"] = ("红色 = 未达标,黄色 = 缺数据(按 0 分计,结果暂定),灰色 — = 该县区不考核此项;"
                "定性指标目标「省下达」「市下达」= 完成省(市)下达目标任务。" + ws["A2"].value)
    for c in range(1, len(fixed) + 1):  # two header rows: district names above 实绩/目标/得分
        ws.merge_cells(start_row=HEADER_ROW, start_column=c, end_row=HEADER_ROW + 1, end_column=c)
    for k, d in enumerate(a.districts):
        col = len(fixed) + 1 + 3 * k
        ws.merge_cells(start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW, end_column=col + 2)
        head = put(ws, HEADER_ROW, col, d.name)
        head.font, head.fill, head.alignment = Font(bold=True), _fill(HEAD_FILL), Alignment(horizontal="center")
        for i, label in enumerate(("实绩", "目标", "得分")):
            cell = put(ws, HEADER_ROW + 1, col + i, label)
            cell.font, cell.fill, cell.alignment = Font(bold=True), _fill(HEAD_FILL), Alignment(horizontal="center")
    first = HEADER_ROW + 2
    base = a.districts[0].indicators if a.districts else []
    for n, ind in enumerate(base):
        row = first + n
        for c, value in enumerate((ind.id, category.get(ind.id, ""), ind.name, ind.unit, ind.points), 1):
            put(ws, row, c, value)
        for k, d in enumerate(a.districts):
            _matrix_cell(ws, row, len(fixed) + 1 + 3 * k, d.indicators[n])
    total_row = first + len(base)
    put(ws, total_row, 3, "总分(含加减分)").font = Font(bold=True)
    for k, d in enumerate(a.districts):
        put(ws, total_row, len(fixed) + 3 + 3 * k, d.score, SCORE_FMT).font = Font(bold=True)
    _finish(ws, f"F{first}", {3: 30})
    ws.print_title_rows = f"1:{HEADER_ROW + 1}"


def _department_sheets(wb: Any, a: Assessment) -> None:
    headers = ["排名", "部门", "总分", "指标得分", "评价得分", "评价", "加分", "扣分", "等次", "标记"]
    ws = _sheet(wb, "部门排名", f"{a.plan.title} {period_label(a.input.period)} 部门排名", a, headers)
    rows = [[d.rank, d.name, d.score, d.indicator_part, d.rating_part, d.rating, d.bonus, d.deductions, d.grade,
             flags(d.provisional)] for d in a.departments]
    _ranked(ws, a, rows, len(headers) - 1)
    _finish(ws, f"C{HEADER_ROW + 1}", one_page=True)
    headers = ["部门", "评价", "部门总分", "角色", "编号", "指标或目标", "计量单位", "目标", "实绩", "完成率", "分值",
               "得分", "状态"]
    ws = _sheet(wb, "部门明细", f"{a.plan.title} {period_label(a.input.period)} 部门指标明细", a, headers)
    row = HEADER_ROW + 1
    for d in a.departments:
        row = _department_rows(ws, row, d)
    _finish(ws, f"B{HEADER_ROW + 1}")


def _department_rows(ws: Any, row: int, d: DepartmentResult) -> int:
    put(ws, row, 1, d.name)
    put(ws, row, 2, d.rating if d.rating is not None else "缺评价")
    put(ws, row, 3, d.score, SCORE_FMT)
    if not d.indicators:
        put(ws, row, 6, "(无牵头或配合指标,按评价计分)")
        return row + 1
    for r in d.indicators:
        _result_row(ws, row, 4, r, "牵头" if r.role == "lead" else "配合")
        row += 1
    return row


def _result_row(ws: Any, row: int, col: int, r: IndicatorResult, label: str) -> None:
    actual: object = "缺数据" if r.status == "missing" else r.actual
    values: list[tuple[object, str | None]] = [
        (label, None), (r.id, None), (r.name, None), (r.unit, None), (r.target, None), (actual, None),
        (r.completion, PCT_FMT), (r.points, None), (r.score, SCORE_FMT), (STATUS_TEXT[r.status], None)]
    colour = {"below": BELOW_FILL, "missing": MISSING_FILL}.get(r.status)
    for i, (value, fmt) in enumerate(values):
        cell = put(ws, row, col + i, value, fmt)
        if colour:
            cell.fill = _fill(colour)


def _city_sheet(wb: Any, a: Assessment) -> None:
    c = a.city
    headers = ["类别", "编号", "指标或目标", "计量单位", "目标", "实绩", "完成率", "分值", "得分", "状态"]
    cats = ",".join(f"{k} {v:.2f}" for k, v in c.categories.items())
    title = f"全市进展(不参与排名):附件1得分 {c.score:.2f}{'(暂定)' if c.provisional else ''};{cats}"
    ws = _sheet(wb, "全市进展", title, a, headers)
    row = HEADER_ROW + 1
    for r in c.indicators:
        _result_row(ws, row, 1, r, "附件1")
        row += 1
    for r in c.city_targets:
        _result_row(ws, row, 1, r, "其他目标")
        row += 1
    _finish(ws, f"D{HEADER_ROW + 1}", {3: 36})


def _notes_sheet(wb: Any, a: Assessment) -> None:
    from openpyxl.styles import Alignment

    headers = ["类型", "对象", "内容", "分值", "依据", "位置"]
    ws = _sheet(wb, "缺数据与警告", f"缺数据与警告({a.input.period})", a, headers)
    rows: list[list[object]] = []
    units: list[UnitResult | DepartmentResult] = [*a.districts, *a.departments]
    for u in units:
        rows += [["缺数据", u.name, item, None, None, None] for item in u.missing]
    rows += [["缺数据", a.city.name, item, None, None, None] for item in a.city.missing]
    rows += [["警告", None, w, None, None, None] for w in a.warnings]
    for u in units:
        rows += [["加分" if x.points > 0 else "扣分", x.subject, x.item, x.points, x.basis, x.where]
                 for x in u.adjustments]
    if not rows:
        rows.append(["—", None, "没有缺数据、警告或加减分事项", None, None, None])
    widths = {3: 60, 5: 30}
    for r, values in enumerate(rows, HEADER_ROW + 1):
        for c, value in enumerate(values, 1):
            put(ws, r, c, value).alignment = Alignment(wrap_text=True, vertical="top",
                                                       horizontal="center" if c == 4 else None)
        # neither Excel nor LibreOffice grows a row for wrapped text written by a program
        lines = max(-(-text_width(v) // widths.get(c, 1000)) for c, v in enumerate(values, 1) if v is not None)
        ws.row_dimensions[r].height = 15 * max(lines, 1)
    _finish(ws, f"A{HEADER_ROW + 1}", widths)


def _flat(prefix: str, value: Any, out: list[tuple[str, object]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}.{k}", v, out)
    elif isinstance(value, list):
        out.append((prefix, "、".join(str(_flat_item(v)) for v in value)))
    else:
        out.append((prefix, value))


def _flat_item(v: Any) -> object:
    return f"{v['name']} ≥ {v['min']:g}" if isinstance(v, dict) and {"name", "min"} <= set(v) else v


def _about_sheet(wb: Any, a: Assessment) -> None:
    from openpyxl.styles import Alignment

    ws = _sheet(wb, "说明", "报告说明", a, ["项目", "内容"])
    items: list[tuple[str, object]] = [("报告", f"{a.plan.title} {period_label(a.input.period)}")]
    items += [(line.split(":", 1)[0], line.split(":", 1)[1]) for line in provenance_lines(a)]
    items += [("计划编号", a.plan.id), ("计划文件", a.plan.path), ("计划 sha256", a.plan.sha256),
              ("部门文件 sha256", a.plan.departments_sha256), ("输入文件", a.input.path),
              ("输入 sha256", a.input.sha256), ("期别", a.input.period),
              ("是否默认方法", "是" if a.method.default else "否")]
    params: list[tuple[str, object]] = []
    _flat("scoring", a.method.params.model_dump(mode="json"), params)
    items += [(f"参数 {k}", v) for k, v in params]
    items += [("工具版本", f"hz-assess {__version__}"),
              ("生成时间", datetime.now().astimezone().isoformat(timespec="seconds")),
              ("精度", "得分保留全部精度,显示为两位小数;表中均为数值,不含公式")]
    for r, (key, value) in enumerate(items, HEADER_ROW + 1):
        put(ws, r, 1, key)
        put(ws, r, 2, value).alignment = Alignment(horizontal="left", wrap_text=True)
    _finish(ws, f"A{HEADER_ROW + 1}", {2: 90})


def write_xlsx(a: Assessment, path: Path, plan: Plan | None = None) -> None:
    """Write the seven-sheet report to `path` (the caller makes it atomic)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _district_sheet(wb, a)
    _detail_sheet(wb, a, plan)
    _department_sheets(wb, a)
    _city_sheet(wb, a)
    _notes_sheet(wb, a)
    _about_sheet(wb, a)
    wb.save(path)
