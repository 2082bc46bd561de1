"""Write the workbook a user fills in (SPEC §3.1), mirroring the seed's own tables.

One layout for every kind: the whole workbook, and return forms for one district, one
department or the city (`Scope`). A form's own cells are yellow and unlocked, with a
drop-down or a decimal validation so Excel/WPS refuse a typo; everything else is grey
and locked. Each cell's target for the period sits beside it (时间进度 in a quarter),
as the seed prints it (24.0 stays 24.0); rows judged only at year end are greyed in a
quarter. 说明 tells people without this tool how to fill in, and holds the period, the
plan's id, the form's scope and a 填报信息 block. Every sheet prints on A4.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hz_assess.models import NO_BREAKDOWN, CityTarget, Indicator, Plan, TargetCell
from hz_assess.output import check_destination, write_file
from hz_assess.scope import Scope
from hz_assess.workbook.layout import (
    CITY_ACTUAL_COL,
    CITY_NOTE_COL,
    FIRST_ROW,
    FIRST_UNIT_COL,
    INFO_FIELDS,
    LIST_FIRST_ROW,
    NOT_ASSESSED,
    PERIOD_LABEL,
    PERIOD_NAME,
    PLAN_LABEL,
    RATING_COL,
    RATING_NOTE_COL,
    SCOPE_LABEL,
    SHEET_ADJ,
    SHEET_CITY,
    SHEET_DEPTS,
    SHEET_NOTES,
    SHEET_UNITS,
    TARGET_PREFIX,
    YEAR_END,
    check_period,
    period_text,
    text_width,
)

ADJ_ROWS = 40


def write_template(plan: Plan, path: Path, period: str = "2017", *, force: bool = False,
                   scope: Scope | None = None) -> None:
    """Write the workbook (or one unit's return form) for `period`; refuse to overwrite without force."""
    period = check_period(plan, period)
    check_destination(path, suffixes=(".xlsx",), force=force)
    wb = build_template(plan, period, scope or Scope())
    write_file(path, lambda tmp: wb.save(tmp), suffixes=(".xlsx",), force=force)


def build_template(plan: Plan, period: str, scope: Scope | None = None) -> Any:
    """The workbook as an openpyxl Workbook (examples/make_example.py and collect fill it in)."""
    from openpyxl import Workbook

    scope = scope or Scope()
    wb = Workbook()
    default = wb.active
    _Style.init()
    _units_sheet(wb.create_sheet(SHEET_UNITS), plan, period, scope)
    _city_sheet(wb.create_sheet(SHEET_CITY), plan, period, scope)
    _departments_sheet(wb.create_sheet(SHEET_DEPTS), plan, period, scope)
    n_subjects = _notes_sheet(wb.create_sheet(SHEET_NOTES), plan, period, scope)
    _adjustments_sheet(wb.create_sheet(SHEET_ADJ, index=4), plan, period, scope, n_subjects)
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
    other_fill: Any
    target_fill: Any
    grey_font: Any
    center: Any
    wrap: Any

    @classmethod
    def init(cls) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        cls.title = Font(name="宋体", size=14, bold=True)
        cls.header = Font(name="宋体", size=11, bold=True)
        cls.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cls.head_fill = PatternFill("solid", fgColor="DDEBF7")
        cls.input_fill = PatternFill("solid", fgColor="FFF2CC")
        cls.grey_fill = PatternFill("solid", fgColor="D9D9D9")
        cls.other_fill = PatternFill("solid", fgColor="EDEDED")
        cls.target_fill = PatternFill("solid", fgColor="F2F2F2")
        cls.grey_font = Font(name="宋体", size=11, color="808080")
        cls.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cls.wrap = Alignment(vertical="center", wrap_text=True)


def put(ws: Any, row: int, col: int, value: object, *, kind: str = "text", left: bool = False) -> Any:
    """One styled cell. kind: text, head, input, grey (does not apply), other (another unit's), target."""
    from openpyxl.styles import Font, Protection

    c = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # text stays text, even a plan's text starting with "="
    c.border = _Style.border
    c.font = Font(name="宋体", size=11)
    c.alignment = _Style.wrap if kind == "text" or left else _Style.center
    if kind == "head":
        c.font, c.fill = _Style.header, _Style.head_fill
    elif kind == "input":
        c.fill = _Style.input_fill
        c.protection = Protection(locked=False)
    elif kind == "grey":
        c.fill, c.font = _Style.grey_fill, _Style.grey_font
    elif kind == "other":
        c.fill, c.font = _Style.other_fill, _Style.grey_font
    elif kind == "target":
        c.fill = _Style.target_fill
    return c


def _as_printed(cell: Any, value: TargetCell) -> None:
    """A target as the seed prints it: 24.0 keeps its decimal (Excel would show 24)."""
    if isinstance(value, float) and value.is_integer():
        cell.number_format = "0.0"


def _title(ws: Any, text: str, note: str, last_col: int) -> None:
    from openpyxl.styles import Alignment, Font

    ws.cell(row=1, column=1, value=text).font = _Style.title
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    c = ws.cell(row=2, column=1, value=note)
    c.font = Font(name="宋体", size=10, color="595959")
    c.alignment = Alignment(vertical="center", wrap_text=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    ws.row_dimensions[2].height = 42


def _heading(plan: Plan, what: str, period: str, scope: Scope) -> str:
    who = f" — {scope.title(plan)}填报表" if not scope.whole else ""
    return f"{plan.info.title} {what}({period_text(period)}){who}"


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
    """A row tall enough for its wrapped texts, with room to spare: fonts differ between Excel, WPS and
    LibreOffice (宋体 is not everywhere), and a clipped duty text is worse than a little white space."""
    lines = max([1] + [math.ceil(text_width(t) * 1.15 / max(w - 1.5, 1)) for t, w in texts])
    ws.row_dimensions[row].height = max(18, 15 * lines + 3)


def _list_validation(ws: Any, options: str, prompt: str, *, strict: bool) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=options, allow_blank=True, showDropDown=False)
    dv.errorStyle = "stop" if strict else "warning"
    dv.errorTitle, dv.error = "输入无效", prompt
    dv.promptTitle, dv.prompt = "请选择", prompt
    dv.showErrorMessage = dv.showInputMessage = True
    ws.add_data_validation(dv)
    return dv


def _decimal_validation(ws: Any) -> Any:
    """A number, or nothing: Excel/WPS refuse "7 5" or "约8" before anyone saves it."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="decimal", operator="between", formula1="-1000000000000", formula2="1000000000000",
                        allow_blank=True)
    dv.errorStyle, dv.errorTitle = "stop", "请填写数字"
    dv.error = "这里只能填写数字(可带小数,负数前加 -);百分比指标填 7.5 表示 7.5%;暂缺可留空。"
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    return dv


def _period_target(item: Indicator | CityTarget, annual: TargetCell, quarter: int | None) -> TargetCell:
    """The target a cell is judged against in the period (SPEC §4.7); 年底评定 for a row judged at year end."""
    if quarter is None:
        return annual
    if item.when == "year_end":
        return YEAR_END
    if not isinstance(annual, int | float):
        return annual
    return float(annual) * quarter / 4 if item.when == "prorate" else annual


def _put_target(ws: Any, row: int, col: int, annual: TargetCell, target: TargetCell) -> None:
    """A target cell: as the seed prints it (24.0 keeps its decimal); a prorated one as it comes."""
    cell = put(ws, row, col, target, kind="target")
    if target is annual:
        _as_printed(cell, target)


def _quarter(period: str) -> int | None:
    return int(period[-1]) if "Q" in period else None


def _units_sheet(ws: Any, plan: Plan, period: str, scope: Scope) -> None:
    units = plan.unit_names
    n = len(units)
    first_unit, note_col = FIRST_UNIT_COL, FIRST_UNIT_COL + n
    first_target = note_col + 2
    last = first_target + n - 1
    quarter = _quarter(period)
    own = {"all": "各单位", "district": "本县区", "city": "全市",
           "department": "本部门牵头或配合的指标的全市"}[scope.kind]
    _title(ws, _heading(plan, "主要指标实绩", period, scope),
           f"依据 {plan.info.doc_number} 附件1。请在黄色单元格填写{own}实绩:数字按“单位”列填写(% 指标填 7.5 表示 7.5%,"
           "下降率填下降幅度),定性指标用下拉选择 完成/基本完成/未完成;"
           f"深灰为不考核({NO_BREAKDOWN} 表示计划未分解到该单位),浅灰为不由本表填写或年底评定的项目,不要填写;"
           "右侧为本期目标,仅供对照。", last)
    shown = [i for i, u in enumerate(units) if scope.whole or u in _own_units(plan, scope)]
    if scope.whole:
        put(ws, 3, first_unit, "实绩(请填写)", kind="head")
        ws.merge_cells(start_row=3, start_column=first_unit, end_row=3, end_column=note_col - 1)
        banner = ("目标(附件1,仅供对照)" if quarter is None
                  else f"本期目标(累计类按时间进度:全年目标 × {quarter}/4;比率、水平类为全年目标)")
        put(ws, 3, first_target, banner, kind="head")
        ws.merge_cells(start_row=3, start_column=first_target, end_row=3, end_column=last)
    else:  # one column each: a banner merged over hidden columns would show only in part
        for i in shown:
            put(ws, 3, first_unit + i, "实绩(请填写)", kind="head")
            put(ws, 3, first_target + i, "目标(仅供对照)" if quarter is None else f"本期目标(×{quarter}/4)",
                kind="head")
    headers = ["栏目", "序号", "主要指标", "单位", *units, "备注"]
    for col, text in enumerate(headers, start=1):
        put(ws, 4, col, text, kind="head")
    for i, unit in enumerate(units):
        put(ws, 4, first_target + i, f"{TARGET_PREFIX}·{unit}", kind="head")
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[4].height = 30  # 目标·湖州开发区 wraps onto two lines
    levels = ",".join(plan.scoring.qualitative.levels)
    dv = _list_validation(ws, f'"{levels}"', f"请从下拉列表选择:{levels.replace(',', '/')}", strict=True)
    numbers = _decimal_validation(ws)
    widths = [10.0, 6.0, 30.0, 11.0, *[10.0] * n, 16.0, 2.0, *[10.0] * n]
    row = FIRST_ROW
    cat_start: dict[str, int] = {}
    for ind in plan.indicators:
        put(ws, row, 1, ind.category, kind="head")
        cat_start.setdefault(ind.category, row)
        put(ws, row, 2, int(ind.id) if ind.id.isdigit() else ind.id, kind="head")
        put(ws, row, 3, ind.name)
        put(ws, row, 4, ind.display_unit or "", kind="target")
        pending = quarter is not None and ind.when == "year_end"
        for i, unit in enumerate(units):
            annual = ind.target(unit)
            if not ind.applies_to(unit):
                mark = NO_BREAKDOWN if annual == NO_BREAKDOWN else NOT_ASSESSED
                put(ws, row, first_unit + i, mark, kind="grey")
                put(ws, row, first_target + i, mark, kind="grey")
                continue
            if pending or not scope.owes_unit_cell(plan, unit, ind.id):
                put(ws, row, first_unit + i, None, kind="other")
            else:
                c = put(ws, row, first_unit + i, None, kind="input")
                (dv if ind.rule == "qualitative" else numbers).add(c.coordinate)
            _put_target(ws, row, first_target + i, annual, _period_target(ind, annual, quarter))
        put(ws, row, note_col, None, kind="input", left=True)
        quarter_targets = [_period_target(ind, ind.target(units[i]), quarter) for i in shown]
        _fit_height(ws, row, [(ind.name, widths[2])] + [(str(t), 10.0) for t in quarter_targets])
        row += 1
    # merge each category's 栏目 cells like the printed table
    ends = list(cat_start.values())[1:] + [row]
    for start, end in zip(cat_start.values(), ends, strict=True):
        if end - 1 > start:
            ws.merge_cells(start_row=start, start_column=1, end_row=end - 1, end_column=1)
    _finish(ws, widths, "1:4", "E5")
    if not scope.whole:
        # a return form shows its own column beside its own target; the others stay (hidden) so every
        # form has the one layout the reader knows
        from openpyxl.utils import get_column_letter

        for i in range(n):
            if i not in shown:
                for col in (first_unit + i, first_target + i):
                    ws.column_dimensions[get_column_letter(col)].hidden = True
        ws.page_setup.orientation = "portrait"


def _own_units(plan: Plan, scope: Scope) -> set[str]:
    """The units whose columns a return form shows: its district's, or the city's."""
    return {scope.name} if scope.kind == "district" else {plan.city}


def _city_sheet(ws: Any, plan: Plan, period: str, scope: Scope) -> None:
    quarter = _quarter(period)
    owed = any(scope.owes_city_target(plan, ct.id) for ct in plan.city_targets)
    who = "" if owed else "全市目标由全市(统计部门)填报,本表不填。"
    mine = "本部门的目标" if scope.kind == "department" else "实绩"
    _title(ws, _heading(plan, "全市其他目标实绩", period, scope),
           f"{who}计划正文(二、三部分)中附件1以外的全市量化目标。黄色单元格填写{mine},单位同“单位”列;"
           "浅灰为不由本表填写或年底评定的目标;“计划原文”为目标出处。", 7)
    headers = ["编号", "目标名称", "单位", "本期目标" if quarter else "目标值", "实绩", "备注", "计划原文"]
    widths = [7.0, 34.0, 10.0, 12.0, 12.0, 16.0, 50.0]
    for col, text in enumerate(headers, start=1):
        put(ws, 3, col, text, kind="head")
    levels = ",".join(plan.scoring.qualitative.levels)
    dv = _list_validation(ws, f'"{levels}"', f"请从下拉列表选择:{levels.replace(',', '/')}", strict=True)
    numbers = _decimal_validation(ws)
    for row, ct in enumerate(plan.city_targets, start=LIST_FIRST_ROW):
        put(ws, row, 1, ct.id, kind="head")
        put(ws, row, 2, ct.name)
        put(ws, row, 3, ct.unit, kind="target")
        target = _period_target(ct, ct.target, quarter)
        _put_target(ws, row, 4, ct.target, target)
        if target == YEAR_END or not scope.owes_city_target(plan, ct.id):
            put(ws, row, CITY_ACTUAL_COL, None, kind="other")
        else:
            cell = put(ws, row, CITY_ACTUAL_COL, None, kind="input")
            (dv if ct.rule == "qualitative" else numbers).add(cell.coordinate)
        put(ws, row, CITY_NOTE_COL, None, kind="input" if owed else "other", left=True)
        put(ws, row, 7, ct.source)
        _fit_height(ws, row, [(ct.name, widths[1]), (ct.source, widths[6])])
    _finish(ws, widths, "1:3", "C4")


def _departments_sheet(ws: Any, plan: Plan, period: str, scope: Scope) -> None:
    ratings = ",".join(plan.scoring.departments.ratings)
    who = "" if scope.owes_ratings else "部门评价由考核办填写,本表不填。"
    _title(ws, _heading(plan, "市级部门评价", period, scope),
           f"{who}依据 {plan.info.doc_number} 附件2。“评价”从下拉列表选择 {ratings.replace(',', '/')},"
           "或直接填写 0–100 的分数。", 5)
    headers = ["序号", "责任部门", "重点工作", "评价", "备注"]
    widths = [6.0, 16.0, 70.0, 10.0, 16.0]
    for col, text in enumerate(headers, start=1):
        put(ws, 3, col, text, kind="head")
    dv = _list_validation(ws, f'"{ratings}"', f"请选择 {ratings.replace(',', '/')},或填写 0–100 的分数",
                          strict=False)
    for row, dep in enumerate(plan.departments, start=LIST_FIRST_ROW):
        put(ws, row, 1, int(dep.id) if dep.id.isdigit() else dep.id, kind="head")
        put(ws, row, 2, dep.name)
        put(ws, row, 3, dep.duty)
        if scope.owes_ratings:
            dv.add(put(ws, row, RATING_COL, None, kind="input").coordinate)
            put(ws, row, RATING_NOTE_COL, None, kind="input", left=True)
        else:
            put(ws, row, RATING_COL, None, kind="other")
            put(ws, row, RATING_NOTE_COL, None, kind="other")
        _fit_height(ws, row, [(dep.duty, widths[2])])
    _finish(ws, widths, "1:3", "C4")


def _adjustments_sheet(ws: Any, plan: Plan, period: str, scope: Scope, n_subjects: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    who = "" if scope.owes_ratings else "加减分事项由考核办汇总填写,本表不填。"
    _title(ws, _heading(plan, "加减分事项", period, scope),
           f"{who}每行一项:对象为县区或部门名称(下拉选择);分值加分填正数、扣分填负数(如 -1.5);"
           "否决填“是”表示该事项使对象不得评为优秀(如发生重特大安全、环境事故);依据写明文件或事实。空行不计。", 6)
    headers = ["对象", "事项", "分值", "否决", "依据", "备注"]
    widths = [16.0, 40.0, 8.0, 8.0, 40.0, 16.0]
    for col, text in enumerate(headers, start=1):
        put(ws, 3, col, text, kind="head")
    subjects = _list_validation(ws, f"'{SHEET_NOTES}'!$E$4:$E${3 + n_subjects}", "请从下拉列表选择县区或部门",
                                strict=False)
    vetoes = _list_validation(ws, '"是"', "该事项使对象不得评为优秀时选“是”,否则留空", strict=True)
    points = DataValidation(type="decimal", operator="between", formula1="-100", formula2="100", allow_blank=True)
    points.errorStyle, points.error, points.showErrorMessage = "stop", "分值应为数字,扣分填负数", True
    ws.add_data_validation(points)
    kind = "input" if scope.owes_ratings else "other"
    for row in range(LIST_FIRST_ROW, LIST_FIRST_ROW + ADJ_ROWS):
        for col in range(1, 7):
            put(ws, row, col, None, kind=kind, left=col in (2, 5, 6))
        if scope.owes_ratings:
            subjects.add(f"A{row}")
            points.add(f"C{row}")
            vetoes.add(f"D{row}")
    _finish(ws, widths, "1:3", "A4")
    if scope.owes_ratings:
        ws.protection.insertRows = False  # more than ADJ_ROWS items: insert rows (they keep the yellow cells)
        ws.protection.deleteRows = False


def _notes_sheet(ws: Any, plan: Plan, period: str, scope: Scope) -> int:
    """说明: the facts the reader checks, a 填报信息 block, how to fill in, the list of 加减分 subjects."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.workbook.defined_name import DefinedName

    who = f" — {scope.title(plan)}填报表" if not scope.whole else ""
    ws.cell(row=1, column=1, value=f"{plan.info.title} 实绩填报说明{who}").font = _Style.title
    facts = [("计划", plan.info.title), ("文号", plan.info.doc_number), (PERIOD_LABEL, period),
             ("期别说明", period_text(period)), (PLAN_LABEL, plan.info.id),
             (SCOPE_LABEL, scope.text)]
    for row, (label, value) in enumerate(facts, start=3):
        put(ws, row, 1, label, kind="head")
        put(ws, row, 2, value, kind="target")
    ws.parent.defined_names[PERIOD_NAME] = DefinedName(PERIOD_NAME, attr_text=f"'{SHEET_NOTES}'!$B$5")
    info_row = 3 + len(facts) + 1
    put(ws, info_row, 1, "填报信息", kind="head")
    ws.merge_cells(start_row=info_row, start_column=1, end_row=info_row, end_column=2)
    for i, label in enumerate(INFO_FIELDS, start=info_row + 1):
        put(ws, i, 1, label, kind="head")
        put(ws, i, 2, scope.name if label == "填报单位" and scope.name else None, kind="input", left=True)
    first_step = {
        "all": "1. 在“县区实绩”表黄色单元格填写各单位实绩",
        "district": f"1. 在“县区实绩”表黄色单元格(“{scope.name}”一列)填写本县区实绩",
        "city": "1. 在“县区实绩”表黄色单元格(“全市”一列)填写全市实绩",
        "department": "1. 在“县区实绩”表黄色单元格填写本部门牵头或配合的指标的全市实绩",
    }[scope.kind]
    other_sheets = {
        "all": "5. “全市目标”表填写全市其他量化目标的实绩;“部门评价”“加减分”由考核办填写。",
        "district": "5. “全市目标”“部门评价”“加减分”三张表不由县区填写,请勿改动。",
        "city": "5. “全市目标”表填写全市其他量化目标的实绩;“部门评价”“加减分”由考核办填写,请勿改动。",
        "department": "5. “全市目标”表黄色单元格填写本部门牵头或配合的目标的实绩;“部门评价”“加减分”由考核办填写。",
    }[scope.kind]
    info = "填报人、联系电话、审核人、填报日期" if scope.name else "填报单位、填报人、联系电话、审核人、填报日期"
    steps = [
        "填写方法(用 Excel 或 WPS 打开即可填写,不需要其他软件):",
        f"{first_step};深灰为不考核、浅灰为不由本表填写的单元格,请勿填写。",
        "2. 数字按“单位”列填写:% 指标填 7.5 表示 7.5%(单元格设为百分比格式时填 7.5% 也可以);"
        "只能填数字,不要加文字或空格。",
        "3. 下降率指标填下降幅度,如下降 5.2% 填 5.2;若不降反升填负数。",
        "4. 定性指标(完成省/市下达目标任务)用下拉选择:完成、基本完成、未完成。",
        other_sheets,
        "6. 暂缺的数据留空,不要填 0:留空的会列为缺数据,结果标为“暂定”;填 0 则按 0 计分。",
        "7. 请勿改动序号、指标名称和表格结构;表格已保护(无密码),只能在黄色单元格填写。",
        f"8. 填好后在本表填写填报信息({info}),保存为 .xlsx 格式报送考核办。",
    ]
    first = info_row + len(INFO_FIELDS) + 2
    for i, text in enumerate(steps, start=first):
        c = ws.cell(row=i, column=1, value=text)
        c.font = Font(name="宋体", size=11, bold=i == first)
        c.alignment = Alignment(vertical="center", wrap_text=True)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=3)
        _fit_height(ws, i, [(text, 104.0)])
    put(ws, 3, 5, "加减分对象(下拉列表)", kind="head")
    subjects = plan.districts + [d.name for d in plan.departments]
    for row, name in enumerate(subjects, start=4):
        put(ws, row, 5, name)
    _finish(ws, [12.0, 40.0, 52.0, 2.0, 18.0], "1:1", "A2")
    ws.page_setup.orientation = "portrait"
    # the 加减分 drop-down's source: out of the way of the instructions and off the printed page
    ws.column_dimensions["D"].hidden = ws.column_dimensions["E"].hidden = True
    return len(subjects)
