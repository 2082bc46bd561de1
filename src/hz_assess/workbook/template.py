"""Write the blank actuals workbook (SPEC §3) that mirrors the seed's own tables.

Targets sit beside the cells to fill, cells that do not apply are grey and locked,
qualitative cells and ratings have drop-downs, and every sheet prints on A4 landscape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hz_assess.models import NO_BREAKDOWN, Plan
from hz_assess.output import check_destination, write_file
from hz_assess.workbook.layout import (
    NOT_ASSESSED,
    PERIOD_LABEL,
    PERIOD_NAME,
    SHEET_ADJ,
    SHEET_CITY,
    SHEET_DEPTS,
    SHEET_NOTES,
    SHEET_UNITS,
    TARGET_PREFIX,
    check_period,
    period_text,
    text_width,
)

# ---------------------------------------------------------------- the template


def write_template(plan: Plan, path: Path, period: str = "2017", *, force: bool = False) -> None:
    """Write the blank actuals workbook for `period`; refuse to overwrite without force."""
    period = check_period(plan, period)
    check_destination(path, suffixes=(".xlsx",), force=force)
    wb = build_template(plan, period)
    write_file(path, lambda tmp: wb.save(tmp), suffixes=(".xlsx",), force=force)


def build_template(plan: Plan, period: str) -> Any:
    """The template as an openpyxl Workbook (examples/make_example.py fills it in)."""
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    _Style.init()
    _units_sheet(wb.create_sheet(SHEET_UNITS), plan, period)
    _city_sheet(wb.create_sheet(SHEET_CITY), plan, period)
    _departments_sheet(wb.create_sheet(SHEET_DEPTS), plan, period)
    n_subjects = _notes_sheet(wb.create_sheet(SHEET_NOTES), plan, period)
    _adjustments_sheet(wb.create_sheet(SHEET_ADJ, index=4), plan, period, n_subjects)
    wb.remove(default)
    wb.active = 0
    return wb


class _Style:
    """openpyxl style objects, created once per template."""

    title: Any
    header: Any
    border: Any
    head_fill: Any
    input_fill: Any
    grey_fill: Any
    target_fill: Any
    grey_font: Any
    center: Any
    wrap: Any

    @classmethod
    def init(cls) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        cls.title = Font(name="宋体", size=14, bold=True)
        cls.header = Font(name="宋体", bold=True)
        cls.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cls.head_fill = PatternFill("solid", fgColor="DDEBF7")
        cls.input_fill = PatternFill("solid", fgColor="FFF2CC")
        cls.grey_fill = PatternFill("solid", fgColor="D9D9D9")
        cls.target_fill = PatternFill("solid", fgColor="F2F2F2")
        cls.grey_font = Font(name="宋体", color="808080")
        cls.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cls.wrap = Alignment(vertical="center", wrap_text=True)


def _put(ws: Any, row: int, col: int, value: object, *, kind: str = "text", left: bool = False) -> Any:
    """One styled cell. kind: text, head, input, grey, target; text and `left` cells align left."""
    from openpyxl.styles import Font, Protection

    c = ws.cell(row=row, column=col, value=value)
    c.border = _Style.border
    c.font = Font(name="宋体")
    c.alignment = _Style.wrap if kind == "text" or left else _Style.center
    if kind == "head":
        c.font, c.fill = _Style.header, _Style.head_fill
    elif kind == "input":
        c.fill = _Style.input_fill
        c.protection = Protection(locked=False)
    elif kind == "grey":
        c.fill, c.font = _Style.grey_fill, _Style.grey_font
    elif kind == "target":
        c.fill = _Style.target_fill
    return c


def _title(ws: Any, text: str, note: str, last_col: int) -> None:
    from openpyxl.styles import Alignment, Font

    ws.cell(row=1, column=1, value=text).font = _Style.title
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    c = ws.cell(row=2, column=1, value=note)
    c.font = Font(name="宋体", size=9, color="595959")
    c.alignment = Alignment(vertical="center", wrap_text=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    ws.row_dimensions[2].height = 30


def _finish(ws: Any, widths: list[float], header_rows: str, freeze: str) -> None:
    """Column widths, frozen headers, protection and A4-landscape print setup."""
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = freeze
    ws.print_title_rows = header_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    # no password: staff may unprotect to add a column; the lock only guards against slips
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False


def _fit_height(ws: Any, row: int, texts: list[tuple[str, float]]) -> None:
    lines = max([1] + [int(text_width(t) // max(w - 1.5, 1)) + 1 for t, w in texts])
    ws.row_dimensions[row].height = max(18, 15 * lines)


def _list_validation(ws: Any, options: str, prompt: str, *, strict: bool) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=options, allow_blank=True, showDropDown=False)
    dv.errorStyle = "stop" if strict else "warning"
    dv.errorTitle, dv.error = "输入无效", prompt
    dv.promptTitle, dv.prompt = "请选择", prompt
    dv.showErrorMessage = dv.showInputMessage = True
    ws.add_data_validation(dv)
    return dv


def _units_sheet(ws: Any, plan: Plan, period: str) -> None:
    units = plan.unit_names
    n = len(units)
    first_unit, note_col = 5, 5 + n
    first_target = note_col + 2
    last = first_target + n - 1
    _title(ws, f"{plan.info.title} 主要指标实绩({period_text(period)})",
           f"依据 {plan.info.doc_number} 附件1。黄色单元格填写实绩:数字按“单位”列填写(% 指标填 7.5 表示 7.5%),"
           "定性指标用下拉选择 完成/基本完成/未完成;灰色为该单位不考核;右侧灰底为对应目标,仅供对照。", last)
    _put(ws, 3, first_unit, "实绩(请填写)", kind="head")
    ws.merge_cells(start_row=3, start_column=first_unit, end_row=3, end_column=note_col - 1)
    _put(ws, 3, first_target, "目标(附件1,仅供对照)", kind="head")
    ws.merge_cells(start_row=3, start_column=first_target, end_row=3, end_column=last)
    headers = ["序号", "栏目", "主要指标", "单位", *units, "备注"]
    for col, text in enumerate(headers, start=1):
        _put(ws, 4, col, text, kind="head")
    for i, unit in enumerate(units):
        _put(ws, 4, first_target + i, f"{TARGET_PREFIX}·{unit}", kind="head")
    ws.row_dimensions[4].height = 30  # 目标·湖州开发区 wraps onto two lines
    levels = ",".join(plan.scoring.qualitative.levels)
    dv = _list_validation(ws, f'"{levels}"', f"请从下拉列表选择:{levels.replace(',', '/')}", strict=True)
    widths = [6.0, 10.0, 30.0, 11.0, *[10.0] * n, 16.0, 2.0, *[10.0] * n]
    row = 5
    cat_start: dict[str, int] = {}
    for ind in plan.indicators:
        _put(ws, row, 1, int(ind.id) if ind.id.isdigit() else ind.id, kind="head")
        _put(ws, row, 2, ind.category, kind="head")
        cat_start.setdefault(ind.category, row)
        _put(ws, row, 3, ind.name)
        _put(ws, row, 4, ind.display_unit or "", kind="target")
        for i, unit in enumerate(units):
            target = ind.target(unit)
            if ind.applies_to(unit):
                c = _put(ws, row, first_unit + i, None, kind="input")
                if ind.rule == "qualitative":
                    dv.add(c.coordinate)
                _put(ws, row, first_target + i, target, kind="target")
            else:
                mark = NO_BREAKDOWN if target == NO_BREAKDOWN else NOT_ASSESSED
                _put(ws, row, first_unit + i, mark, kind="grey")
                _put(ws, row, first_target + i, mark, kind="grey")
        _put(ws, row, note_col, None, kind="input", left=True)
        texts = [(ind.name, widths[2])] + [(str(ind.target(u)), 10.0) for u in units]
        _fit_height(ws, row, texts)
        row += 1
    # merge each category's 栏目 cells like the printed table
    ends = list(cat_start.values())[1:] + [row]
    for start, end in zip(cat_start.values(), ends, strict=True):
        if end - 1 > start:
            ws.merge_cells(start_row=start, start_column=2, end_row=end - 1, end_column=2)
    _finish(ws, widths, "1:4", "E5")


def _city_sheet(ws: Any, plan: Plan, period: str) -> None:
    _title(ws, f"{plan.info.title} 全市其他目标实绩({period_text(period)})",
           "计划正文(二、三部分)中附件1以外的全市量化目标。黄色单元格填写实绩,单位同“单位”列;"
           "“计划原文”为目标出处。", 7)
    headers = ["编号", "目标名称", "单位", "目标值", "实绩", "备注", "计划原文"]
    widths = [7.0, 34.0, 10.0, 10.0, 12.0, 16.0, 50.0]
    for col, text in enumerate(headers, start=1):
        _put(ws, 3, col, text, kind="head")
    levels = ",".join(plan.scoring.qualitative.levels)
    dv = _list_validation(ws, f'"{levels}"', f"请从下拉列表选择:{levels.replace(',', '/')}", strict=True)
    for row, ct in enumerate(plan.city_targets, start=4):
        _put(ws, row, 1, ct.id, kind="head")
        _put(ws, row, 2, ct.name)
        _put(ws, row, 3, ct.unit, kind="target")
        _put(ws, row, 4, ct.target, kind="target")
        cell = _put(ws, row, 5, None, kind="input")
        if ct.rule == "qualitative":
            dv.add(cell.coordinate)
        _put(ws, row, 6, None, kind="input", left=True)
        _put(ws, row, 7, ct.source)
        _fit_height(ws, row, [(ct.name, widths[1]), (ct.source, widths[6])])
    _finish(ws, widths, "1:3", "C4")


def _departments_sheet(ws: Any, plan: Plan, period: str) -> None:
    ratings = ",".join(plan.scoring.departments.ratings)
    _title(ws, f"{plan.info.title} 市级部门评价({period_text(period)})",
           f"依据 {plan.info.doc_number} 附件2。“评价”从下拉列表选择 {ratings.replace(',', '/')},"
           "或直接填写 0–100 的分数。", 5)
    headers = ["序号", "责任部门", "重点工作", "评价", "备注"]
    widths = [6.0, 16.0, 70.0, 10.0, 16.0]
    for col, text in enumerate(headers, start=1):
        _put(ws, 3, col, text, kind="head")
    dv = _list_validation(ws, f'"{ratings}"', f"请选择 {ratings.replace(',', '/')},或填写 0–100 的分数",
                          strict=False)
    for row, dep in enumerate(plan.departments, start=4):
        _put(ws, row, 1, int(dep.id) if dep.id.isdigit() else dep.id, kind="head")
        _put(ws, row, 2, dep.name)
        _put(ws, row, 3, dep.duty)
        dv.add(_put(ws, row, 4, None, kind="input").coordinate)
        _put(ws, row, 5, None, kind="input", left=True)
        _fit_height(ws, row, [(dep.duty, widths[2])])
    _finish(ws, widths, "1:3", "C4")


ADJ_ROWS = 40


def _adjustments_sheet(ws: Any, plan: Plan, period: str, n_subjects: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    _title(ws, f"{plan.info.title} 加减分事项({period_text(period)})",
           "每行一项:对象为县区或部门名称(下拉选择),分值加分填正数、扣分填负数(如 -1.5),依据写明文件或事实。"
           "空行不计。", 5)
    headers = ["对象", "事项", "分值", "依据", "备注"]
    widths = [16.0, 40.0, 8.0, 40.0, 16.0]
    for col, text in enumerate(headers, start=1):
        _put(ws, 3, col, text, kind="head")
    subjects = _list_validation(ws, f"'{SHEET_NOTES}'!$E$4:$E${3 + n_subjects}", "请从下拉列表选择县区或部门",
                                strict=False)
    points = DataValidation(type="decimal", operator="between", formula1="-100", formula2="100", allow_blank=True)
    points.errorStyle, points.error, points.showErrorMessage = "warning", "分值应为数字,扣分填负数", True
    ws.add_data_validation(points)
    for row in range(4, 4 + ADJ_ROWS):
        for col in range(1, 6):
            _put(ws, row, col, None, kind="input", left=col in (2, 4, 5))
        subjects.add(f"A{row}")
        points.add(f"C{row}")
    _finish(ws, widths, "1:3", "A4")


def _notes_sheet(ws: Any, plan: Plan, period: str) -> int:
    """The 说明 sheet: period (labelled, and as a defined name), how to fill in, subject list."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.workbook.defined_name import DefinedName

    ws.cell(row=1, column=1, value=f"{plan.info.title} 实绩填报说明").font = _Style.title
    facts = [("计划", plan.info.title), ("文号", plan.info.doc_number), (PERIOD_LABEL, period),
             ("期别说明", period_text(period))]
    for row, (label, value) in enumerate(facts, start=3):
        _put(ws, row, 1, label, kind="head")
        _put(ws, row, 2, value, kind="target")
    ws.parent.defined_names[PERIOD_NAME] = DefinedName(PERIOD_NAME, attr_text=f"'{SHEET_NOTES}'!$B$5")
    steps = [
        "填写方法:",
        "1. 在“县区实绩”表黄色单元格填写各单位实绩;灰色单元格为不考核,不要填写。",
        "2. 数字按“单位”列填写:% 指标填 7.5 表示 7.5%(单元格设为百分比格式时填 7.5% 也可以)。",
        "3. 下降率指标填下降幅度,如下降 5.2% 填 5.2;若不降反升填负数。",
        "4. 定性指标(完成省/市下达目标任务)用下拉选择:完成、基本完成、未完成。",
        "5. “全市目标”表填写全市其他量化目标的实绩;“部门评价”表为每个部门选择评价或填 0–100 分。",
        "6. “加减分”表每行一项,对象须为右侧列出的县区或部门名称,扣分填负数。",
        "7. 暂缺的数据留空:计算结果将标为“暂定”并列出缺数据的单元格。",
        "8. 请勿改动序号和指标名称;表格已保护(无密码),确需调整可“撤销工作表保护”。",
        "9. 填好后运行 hz-assess validate 本文件 检查,再运行 hz-assess score 本文件 计算得分。",
    ]
    for i, text in enumerate(steps, start=8):
        c = ws.cell(row=i, column=1, value=text)
        c.font = Font(name="宋体", bold=i == 8)
        c.alignment = Alignment(vertical="center", wrap_text=True)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=3)
    _put(ws, 3, 5, "可填写的对象", kind="head")
    subjects = plan.districts + [d.name for d in plan.departments]
    for row, name in enumerate(subjects, start=4):
        _put(ws, row, 5, name)
    _finish(ws, [12.0, 40.0, 52.0, 2.0, 18.0], "1:1", "A2")
    ws.protection.sheet = False
    ws.page_setup.orientation = "portrait"
    return len(subjects)


