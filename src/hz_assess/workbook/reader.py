"""Read a filled actuals workbook into Actuals, collecting every problem with its cell.

Forgiving about what people and other programs produce (moved columns, aliases,
numbers typed as text, percent formats, saved formula values, merged headers) and
exact about what it cannot accept: each such cell becomes a Problem naming file,
sheet and cell, with what to do. A number is read as the spreadsheet shows it: a
format scales by 100 only for a real %, a date-formatted number is a date, and text
is a number only if nothing but surrounding spaces and thousands separators is dropped.
The cells come from `ooxml` (stdlib, bounded), never from openpyxl.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hz_assess.errors import Problem, UsageError, WorkbookError
from hz_assess.models import Actuals, Adjustment, Cell, DataWarning, Indicator, Plan, Remark, SourceFile
from hz_assess.scope import Scope, parse_scope_text
from hz_assess.workbook.guard import read_xlsx_bytes
from hz_assess.workbook.layout import (
    BLANK_MARKERS,
    EXCEL_ERRORS,
    INFO_FIELDS,
    PERIOD_LABEL,
    PERIOD_NAME,
    PLAN_LABEL,
    SCOPE_LABEL,
    SHEET_ADJ,
    SHEET_CITY,
    SHEET_DEPTS,
    SHEET_NOTES,
    SHEET_UNITS,
    TARGET_PREFIX,
    check_period,
    norm,
)
from hz_assess.workbook.numbers import CellValueError, hides_text, parse_number, shown
from hz_assess.workbook.ooxml import Book, Grid, column_letter

_Bad = CellValueError

HEADER_ROWS = 40  # a header row is looked for this far down; not finding it is an error, not a cut
NOTES_ROWS = 60  # the 期别 label on 说明 likewise
# Data sheets whose hidden copy must not be read in place of the one a person filled in.
DATA_SHEETS = (SHEET_UNITS, SHEET_CITY, SHEET_DEPTS, SHEET_ADJ)

# ---------------------------------------------------------------- reading


@dataclass
class Validation:
    """What `validate` reports: every error, every 数据审核 warning, how much was read or is missing."""

    path: str
    period: str | None
    problems: list[Problem] = field(default_factory=list)
    read: int = 0
    missing_cells: list[str] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    scope: str = ""  # what the file (or, collected, the files) were meant to hold: 全部, 县区:长兴县 …
    notes: list[str] = field(default_factory=list)  # facts worth saying that are not problems

    @property
    def missing(self) -> int:
        return len(self.missing_cells)

    @property
    def ok(self) -> bool:
        """No errors (warnings do not block scoring)."""
        return not self.problems


def read_actuals(plan: Plan, path: Path) -> Actuals:
    """Read a filled workbook; WorkbookError listing every problem if anything is wrong."""
    actuals, validation = read_workbook(plan, path)
    if validation.problems or actuals is None:
        raise WorkbookError(validation.problems)
    return actuals


def validate_workbook(plan: Plan, path: Path) -> Validation:
    """Every problem and warning at once. A file that cannot be opened at all raises WorkbookError.

    Warnings (数据审核, `hz_assess.audit`) cover the values that could be read even
    when other cells have errors; a missing or invalid period skips them. A return form
    is asked only for what it owes (SPEC §3.1).
    """
    from hz_assess.audit import audit
    from hz_assess.workbook.merge import missing_cells

    actuals, validation = read_workbook(plan, path, partial=True)
    if actuals is not None:
        validation.warnings = audit(plan, actuals)
        validation.missing_cells = missing_cells(plan, actuals)
    return validation


def _load(path: Path, data: bytes) -> Book:
    """The opened workbook, or WorkbookError naming the file."""
    # the guard has opened this zip and checked every member already
    return Book(zipfile.ZipFile(io.BytesIO(data)), path.name)


class _Sheet:
    """One sheet's cells that hold something, each named sheet!A1; merged header labels filled in."""

    def __init__(self, grid: Grid, file: str) -> None:
        self.grid, self.name, self.file = grid, grid.name, file
        self.max_row, self.max_col = grid.max_row, grid.max_col

    def ref(self, row: int, col: int) -> str:
        return f"{self.name}!{column_letter(col)}{row}"

    def where(self, row: int, col: int) -> str:
        return f"{self.file} {self.ref(row, col)}"

    def raw(self, row: int, col: int) -> Any:
        """The saved value as shown: None for a cell inside a merged range (only its first cell shows)."""
        if self.grid.covering(row, col) is not None:
            return None
        cell = self.grid.get(row, col)
        return None if cell is None else cell.value

    def label(self, row: int, col: int) -> str:
        merge = self.grid.covering(row, col)
        cell = self.grid.get(merge.min_row, merge.min_col) if merge else self.grid.get(row, col)
        v = None if cell is None else cell.value
        return "" if v is None else norm(v)

    def value(self, row: int, col: int) -> Any:
        """The saved value; CellValueError for Excel errors, unreadable values and uncalculated formulas."""
        merge = self.grid.covering(row, col)
        cell = self.grid.get(row, col)
        if merge is not None:
            if cell is not None:
                raise _Bad("merged_hidden_value", f"该单元格在合并单元格 {merge.ref} 之内,其中保存的内容"
                                                  f"「{shown(cell.value)}」在表格中看不到;请取消合并并核对后重新填写")
            return None
        if cell is None:
            return None
        v = cell.value
        if cell.formula and v is None:
            raise _Bad("formula_no_value", "公式没有保存计算结果(文件由程序生成、未经表格软件保存);"
                                           "请用 Excel/WPS/LibreOffice 打开该文件并保存后再试")
        if cell.kind == "e" or (isinstance(v, str) and v.strip() in EXCEL_ERRORS):
            raise _Bad("excel_error", f"单元格是 Excel 错误值 {str(v).strip()},请修正公式或改填数值")
        if cell.kind == "x":
            raise _Bad("unreadable_value", f"单元格中保存的值「{shown(v)}」无法识别(文件可能由其他程序生成);"
                                           "请在 Excel/WPS 中重新输入该值并保存")
        return v

    def data(self, row: int, col: int) -> Any:
        """value(), for a cell that holds a unit's data: inside a merged range it is an error, not a blank."""
        merge = self.grid.covering(row, col)
        if merge is not None:
            first = f"{column_letter(merge.min_col)}{merge.min_row}"
            raise _Bad("merged_cell", f"该单元格在合并单元格 {merge.ref} 之内,表中显示的内容属于 {first};"
                                      "请取消合并,每个单元格分别填写")
        v = self.value(row, col)
        cell = self.grid.get(row, col)
        if isinstance(v, str) and cell is not None and hides_text(cell.number_format):
            raise _Bad("hidden_by_format", f"单元格的数字格式「{cell.number_format}」使其中的文字「{shown(v)}」不显示;"
                                           "请把单元格格式改为“常规”并核对")
        return v

    def number(self, row: int, col: int) -> float | None:
        """data() as a number in the indicator's unit (see parse_number); None if blank."""
        v = self.data(row, col)
        cell = self.grid.get(row, col)
        if cell is not None and cell.kind == "d":
            raise _Bad("not_a_number", f"应为数字,实际为日期/时间 {v}(单元格格式为日期,输入的数字被当成了日期);"
                                       "请把单元格格式改为“常规”或“数值”后重新填写")
        return parse_number(v, cell.number_format if cell is not None else "General")

    def find_header(self, required: tuple[str, ...], alternatives: dict[str, set[str]]) -> tuple[int, dict[str, int]]:
        """The first row holding every required label (or an alternative); label -> column."""
        for row in range(1, min(self.max_row, HEADER_ROWS) + 1):
            found: dict[str, int] = {}
            for col in range(1, self.max_col + 1):
                text = self.label(row, col)
                for key in required:
                    if key not in found and text in alternatives.get(key, {key}):
                        found[key] = col
            if len(found) == len(required):
                return row, found
        raise _Bad("header_not_found", f"在前 {HEADER_ROWS} 行中找不到表头(需要含有 {'、'.join(required)} 的一行);"
                                       "请使用 hz-assess template 生成的模板,或补上表头")


@dataclass
class _Reader:
    plan: Plan
    path: Path
    book: Book
    scope: Scope = field(default_factory=Scope)
    problems: list[Problem] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    stats: Validation = field(default_factory=lambda: Validation(path="", period=None))
    unreadable: set[str] = field(default_factory=set)  # sheets already reported as unreadable

    def add(self, code: str, where: str, message: str) -> None:
        self.problems.append(Problem(code, where, message))

    def find(self, name: str) -> str | None:
        """The sheet called `name`: by exact name, then ignoring spaces and width; never by which is active."""
        names = self.book.sheetnames
        return next((n for n in names if n == name), None) or next((n for n in names if norm(n) == norm(name)), None)

    def sheet(self, name: str, *, required: bool = True) -> _Sheet | None:
        """The sheet, or None: missing (an error when `required`), or reported unreadable."""
        match = self.find(name)
        if match is None and not required:
            return None
        if match is None:
            self.add("missing_sheet", self.path.name, f"缺少工作表「{name}」;请使用 hz-assess template 生成的模板")
            return None
        if match in self.unreadable:
            return None
        entry = self.book.entry(match)
        where = f"{self.path.name} {match}"
        if entry.kind != "worksheet" or not entry.part:
            what = "图表工作表(只有图表,没有单元格)" if entry.kind == "chartsheet" else "不是普通工作表,或其内容缺失"
            self.add("not_a_worksheet", where, f"「{match}」{what},读不到数据;请使用 hz-assess template 生成的模板,"
                                               "把数据填在同名的普通工作表中")
            self.unreadable.add(match)
            return None
        if entry.hidden and name in DATA_SHEETS:
            # a hidden sheet with the expected name is most likely an old copy beside the one a person filled in
            self.add("hidden_sheet", where, f"工作表「{match}」被隐藏了,其中的数据无人核对过;"
                                            "请在 Excel/WPS 中取消隐藏,核对内容(并删除多余的副本)后再试")
            self.unreadable.add(match)
            return None
        try:
            return _Sheet(self.book.grid(match), self.path.name)
        except WorkbookError as exc:
            if self.book.exhausted:
                raise  # nothing more can be read from this file: one sentence, not one per sheet
            self.problems.extend(exc.problems)
            self.unreadable.add(match)
            return None

    def cell(self, sh: _Sheet, row: int, col: int, *, data: bool = False) -> tuple[bool, Any]:
        """(True, value) or (False, None) with the problem recorded; `data` for a cell holding a unit's data."""
        try:
            return True, sh.data(row, col) if data else sh.value(row, col)
        except _Bad as bad:
            self.add(bad.code, sh.where(row, col), bad.message)
            return False, None

    def number(self, sh: _Sheet, row: int, col: int) -> tuple[bool, float | None]:
        try:
            return True, sh.number(row, col)
        except _Bad as bad:
            self.add(bad.code, sh.where(row, col), bad.message)
            return False, None

    def remark(self, sh: _Sheet, row: int, col: int | None, key: str) -> None:
        """Keep the 备注 typed in (row, col), if any: collect carries it into the collected workbook."""
        if col is None:
            return
        ok, v = self.cell(sh, row, col)
        text = norm_text(v) if ok and v is not None else ""
        if text:
            sheet = next((s for s in DATA_SHEETS if norm(s) == norm(sh.name)), sh.name)  # as the template names it
            self.remarks.append(Remark(sheet=sheet, key=key, text=text, where=sh.ref(row, col)))

    def count(self, cell: Cell) -> Cell:
        if cell.value is not None:
            self.stats.read += 1
        return cell


def read_workbook(plan: Plan, path: Path, *, partial: bool = False) -> tuple[Actuals | None, Validation]:
    """(Actuals, Validation). Actuals is None on any problem, unless `partial` (then only without a period).

    Partial Actuals hold every value that could be read; `validate` audits them.
    """
    data = read_xlsx_bytes(path)
    r = _Reader(plan, path, _load(path, data))
    r.stats.path = str(path)
    notes = _read_notes(r)
    period = _read_period(r, notes.get(PERIOD_LABEL))
    _check_plan(r, notes.get(PLAN_LABEL))
    explicit = _read_scope(r, notes.get(SCOPE_LABEL))
    r.stats.period = period
    units = _read_units(r, explicit)
    r.stats.scope = r.scope.text
    city = _read_city_targets(r)
    ratings = _read_ratings(r)
    adjustments = _read_adjustments(r)
    r.stats.problems = r.problems
    if period is None or (r.problems and not partial):
        return None, r.stats
    info = {k: norm_text(v[0]) for k, v in notes.items() if k in INFO_FIELDS and v[0] is not None}
    source = SourceFile(path=str(path), sha256=hashlib.sha256(data).hexdigest(), scope=str(r.scope), info=info)
    actuals = Actuals(path=source.path, sha256=source.sha256, period=period, files=[source], units=units,
                      city_targets=city, ratings=ratings, adjustments=adjustments, remarks=r.remarks)
    stamp(actuals, path.name)
    return actuals, r.stats


def stamp(actuals: Actuals, name: str) -> None:
    """Name `name` as the file of every value and 加减分 item in `actuals` (they came from one workbook)."""
    for cells in (*actuals.units.values(), actuals.city_targets, actuals.ratings):
        for cell in cells.values():
            cell.file = name
    for adj in actuals.adjustments:
        adj.file = name
    for remark in actuals.remarks:
        remark.file = name


def norm_text(value: object) -> str:
    """A label's value as text: 2017.0 -> "2017", surrounding spaces dropped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


DEFINED_CELL = re.compile(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


NOTE_LABELS = {PERIOD_LABEL: PERIOD_LABEL, "考核期别": PERIOD_LABEL, PLAN_LABEL: PLAN_LABEL,
               SCOPE_LABEL: SCOPE_LABEL, **{k: k for k in INFO_FIELDS}}


def _read_notes(r: _Reader) -> dict[str, tuple[object, str]]:
    """The facts on 说明, each found by its label wherever it is: label -> (value right of it, where)."""
    found: dict[str, tuple[object, str]] = {}
    sh = r.sheet(SHEET_NOTES) if r.find(SHEET_NOTES) else None
    if sh is None:
        return found
    for row in range(1, min(sh.max_row, NOTES_ROWS) + 1):
        for col in range(1, sh.max_col):
            key = NOTE_LABELS.get(sh.label(row, col))
            if key is not None and found.get(key, (None,))[0] is None:
                found[key] = (sh.raw(row, col + 1), sh.where(row, col + 1))
    return found


def _check_plan(r: _Reader, found: tuple[object, str] | None) -> None:
    """A workbook made for another plan is refused (SPEC §3.4); one without the label is taken as it is."""
    if found is None or found[0] is None:
        return
    raw, where = found
    if norm(raw) != norm(r.plan.info.id):
        r.add("plan_mismatch", where, f"该文件是为另一份计划(计划编号「{norm_text(raw)}」)制作的,"
                                      f"与当前计划「{r.plan.info.title}」(计划编号 {r.plan.info.id})不符;"
                                      "请改用本计划的模板(hz-assess template)重新填报")


def _read_scope(r: _Reader, found: tuple[object, str] | None) -> bool:
    """r.scope from 填报范围; True when the file says it, False when it is to be inferred from its columns."""
    if found is None or found[0] is None or not norm(found[0]):
        return False
    raw, where = found
    parsed = parse_scope_text(str(raw))
    districts = {norm(a): u.name for u in r.plan.info.units if not u.city for a in (u.name, *u.aliases)}
    departments = {norm(a): d.name for d in r.plan.departments for a in (d.name, *d.aliases)}
    if parsed is not None and parsed[0] == "district" and parsed[1] in districts:
        r.scope = Scope("district", districts[parsed[1]])
    elif parsed is not None and parsed[0] == "department" and parsed[1] in departments:
        r.scope = Scope("department", departments[parsed[1]])
    elif parsed is not None and parsed[0] in ("all", "city"):
        r.scope = Scope("all") if parsed[0] == "all" else Scope("city")
    else:
        r.add("scope_invalid", where, f"填报范围「{norm_text(raw)}」无法识别,应为 全部、全市、县区:县区名称 或 "
                                      "部门:部门名称;请核对(或用 hz-assess template 重新生成填报表)")
    return True


def _read_period(r: _Reader, found: tuple[object, str] | None) -> str | None:
    """The period by its label on 说明 (the defined name is a fallback for edited sheets)."""
    raw, where = found if found is not None else (None, f"{r.path.name} {SHEET_NOTES}")
    m = DEFINED_CELL.fullmatch(r.book.defined_names.get(PERIOD_NAME, "").strip())
    if raw is None and m:
        title = (m.group(1) or "").replace("''", "'") or m.group(2)
        if r.find(title) == title:
            target = r.sheet(title)
            if target is not None:
                row, col = int(m.group(4)), _column(m.group(3))
                raw, where = target.raw(row, col), target.where(row, col)
    if raw is None and r.unreadable:
        return None  # the sheet holding it could not be read, and that is reported already
    if raw is None:
        r.add("period_missing", where, f"找不到期别:请在“说明”表写一行「{PERIOD_LABEL}」,右侧单元格填 "
                                       f"{r.plan.info.year} 或 {r.plan.info.year}Q1…Q4")
        return None
    text = norm(raw).upper()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    try:
        return check_period(r.plan, text)
    except UsageError as exc:
        r.add("period_invalid", where, exc.problems[0].message)
        return None


def _column(letters: str) -> int:
    from hz_assess.workbook.ooxml import column_index

    return column_index(letters)


INDICATOR_HEADERS = {"id": {"序号", "编号"}, "name": {"主要指标", "指标", "指标名称"}}
IGNORED_HEADERS = {"栏目", "单位", "计量单位", "备注", "说明", "序号", "主要指标"}


def _id_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else norm(value)


def _unit_columns(r: _Reader, sh: _Sheet, row: int, explicit: bool) -> dict[str, int]:
    """Unit name -> column, from the header row; unknown unit-like labels are errors.

    A file may hold only some units' columns: the others come from other files. A
    return form must hold its own. A file that does not say what it is for, with one
    unit's column only, is taken as that unit's return form.
    """
    names = {norm(a): u.name for u in r.plan.info.units for a in (u.name, *u.aliases)}
    found: dict[str, int] = {}
    for col in range(1, sh.max_col + 1):
        label = sh.label(row, col)
        if not label or label.startswith(TARGET_PREFIX) or label in IGNORED_HEADERS:
            continue
        unit = names.get(label)
        if unit is None:
            # a label shaped like a place name is a unit we do not know; anything else is a notes column
            if re.fullmatch(r".{1,8}(区|县|市|开发区)", label):
                r.add("unknown_unit", sh.where(row, col),
                      f"未知的单位「{label}」,可用:{'、'.join(r.plan.unit_names)}(或其简称)")
            continue
        if unit in found:
            r.add("duplicate_unit", sh.where(row, col), f"「{unit}」列重复出现(另见 {sh.ref(row, found[unit])}),"
                                                        "请删除多余的一列")
            continue
        found[unit] = col
    if not found:
        r.add("missing_unit_column", sh.where(row, 1),
              f"表头中找不到任何单位的列(应有 {'、'.join(r.plan.unit_names)} 之一);"
              "请使用 hz-assess template 生成的模板")
        return found
    own = r.plan.city if r.scope.kind == "city" else r.scope.name if r.scope.kind == "district" else None
    if own is not None and own not in found:
        r.add("missing_unit_column", sh.where(row, 1),
              f"这是{r.scope.title(r.plan)}的填报表,表头中却找不到「{own}」列;请补上该列")
    absent = [u for u in r.plan.unit_names if u not in found]
    if not explicit and len(found) == 1:
        unit = next(iter(found))
        r.scope = Scope("city") if unit == r.plan.city else Scope("district", unit)
        r.stats.notes.append(f"文件未注明填报范围,只有「{unit}」一列,按{unit}的填报表读取")
    elif absent and r.scope.kind == "all":
        r.stats.notes.append(f"文件中没有 {'、'.join(absent)} 的列,这些单位的实绩须由其他文件提供")
    return found


def _match_row(r: _Reader, sh: _Sheet, row: int, id_col: int, name_col: int,
               by_id: dict[str, Indicator], by_name: dict[str, Indicator]) -> Indicator | None:
    ok_id, raw_id = r.cell(sh, row, id_col)
    ok_name, raw_name = r.cell(sh, row, name_col)
    if not (ok_id and ok_name):
        return None
    ind_id, name = _id_text(raw_id), "" if raw_name is None else norm(raw_name)
    named = by_name.get(name)
    if ind_id in by_id:
        ind = by_id[ind_id]
        if name == norm(ind.name):
            return ind
        hint = f"该名称属于第 {named.id} 项" if named else f"计划中第 {ind.id} 项为「{ind.name}」"
        r.add("row_mismatch", sh.where(row, name_col),
              f"序号 {ind.id} 与指标名称「{raw_name or '(空)'}」不一致({hint});行可能错位或用了别的计划,请核对")
        return None
    if not ind_id and named:
        return named  # 序号 left blank but the name is unambiguous
    if named:
        r.add("row_mismatch", sh.where(row, id_col),
              f"序号「{raw_id}」与指标「{named.name}」(应为 {named.id})不一致,请核对序号")
        return None
    if ind_id or name:
        r.add("unknown_indicator", sh.where(row, id_col if ind_id else name_col),
              f"计划中没有序号「{raw_id or ''}」、名称「{raw_name or ''}」的指标;请核对或删除该行")
    return None


def _read_units(r: _Reader, explicit: bool) -> dict[str, dict[str, Cell]]:
    """Each unit's actuals. Blank cells the file does not owe are left out: another file may fill them."""
    out: dict[str, dict[str, Cell]] = {u: {} for u in r.plan.unit_names}
    sh = r.sheet(SHEET_UNITS)
    if sh is None:
        return out
    try:
        head, cols = sh.find_header(("id", "name"), INDICATOR_HEADERS)
    except _Bad as bad:
        r.add(bad.code, f"{r.path.name} {sh.name}", bad.message)
        return out
    # a two-row header (序号 merged down, units under a merged 实绩 banner) has the units one row lower
    aliases = {norm(a) for u in r.plan.info.units for a in (u.name, *u.aliases)}
    in_row = [sum(sh.label(row, c) in aliases for c in range(1, sh.max_col + 1)) for row in (head, head + 1)]
    if in_row[0] == 0 and in_row[1] > 0:
        head += 1
    units = _unit_columns(r, sh, head, explicit)
    note_col = _note_column(sh, head)
    by_id = {i.id: i for i in r.plan.indicators}
    by_name = {norm(i.name): i for i in r.plan.indicators}
    seen: dict[str, int] = {}
    levels = {norm(k): k for k in r.plan.scoring.qualitative.levels}
    for row in range(head + 1, sh.max_row + 1):
        if _is_note_row(sh, row, cols["id"], cols["name"]):
            continue
        ind = _match_row(r, sh, row, cols["id"], cols["name"], by_id, by_name)
        if ind is None:
            continue
        if ind.id in seen:
            r.add("duplicate_indicator", sh.where(row, cols["id"]),
                  f"第 {ind.id} 项指标重复出现(另见第 {seen[ind.id]} 行),请删除其中一行")
            continue
        seen[ind.id] = row
        r.remark(sh, row, note_col, ind.id)
        for unit, col in units.items():
            cell = _unit_cell(r, sh, row, col, ind, unit, levels)
            if cell is not None and (cell.value is not None or r.scope.owes_unit_cell(r.plan, unit, ind.id)):
                out[unit][ind.id] = r.count(cell)
    for ind in r.plan.indicators:
        if ind.id not in seen:
            r.add("missing_indicator_row", f"{r.path.name} {sh.name}",
                  f"缺少第 {ind.id} 项指标「{ind.name}」这一行,请补上(数据暂缺可留空)")
    return out


def _note_column(sh: _Sheet, head: int) -> int | None:
    """The 备注 column: on the header row, or the row above it for a two-row header."""
    rows = (head, head - 1) if head > 1 else (head,)
    return next((c for row in rows for c in range(1, sh.max_col + 1) if sh.label(row, c) == "备注"), None)


def _is_note_row(sh: _Sheet, row: int, id_col: int, name_col: int) -> bool:
    """Blank rows, category banners and footnotes: nothing in 序号 that looks like an id, no name."""
    ident = sh.raw(row, id_col)
    name = sh.raw(row, name_col)
    cell = sh.grid.get(row, name_col)
    if name not in (None, "") or (cell is not None and cell.formula):
        return False
    return ident is None or (isinstance(ident, str) and not re.fullmatch(r"[0-9]+", norm(ident)))


def _unit_cell(r: _Reader, sh: _Sheet, row: int, col: int, ind: Indicator, unit: str,
               levels: dict[str, str]) -> Cell | None:
    where = sh.ref(row, col)
    applies = ind.applies_to(unit)
    ok, v = r.cell(sh, row, col, data=applies)
    if not ok:
        return None
    if not applies:
        if v is not None and norm(v) not in BLANK_MARKERS:
            r.add("not_applicable_filled", sh.where(row, col),
                  f"{unit} 不考核第 {ind.id} 项「{ind.name}」,此处不应填写「{v}」,请清空")
        return None
    if ind.rule == "qualitative":
        if v is None or (isinstance(v, str) and not v.strip()):
            return Cell(value=None, where=where)
        level = levels.get(norm(v)) if isinstance(v, str) else None
        if level is None:
            r.add("invalid_level", sh.where(row, col),
                  f"第 {ind.id} 项为定性指标,应填 {'/'.join(levels.values())},实际为「{v}」")
            return None
        return Cell(value=level, where=where)
    try:
        return Cell(value=sh.number(row, col), where=where)
    except _Bad as bad:
        r.add(bad.code, sh.where(row, col), f"{unit} 第 {ind.id} 项:{bad.message}")
        return None


def _read_city_targets(r: _Reader) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    owed = [ct.id for ct in r.plan.city_targets if r.scope.owes_city_target(r.plan, ct.id)]
    sh = r.sheet(SHEET_CITY, required=bool(owed))
    if sh is None:
        return out
    try:
        head, cols = sh.find_header(("id", "name", "actual"),
                                    {"id": {"编号", "序号"}, "name": {"目标名称", "名称", "目标"},
                                     "actual": {"实绩", "实际", "完成"}})
    except _Bad as bad:
        r.add(bad.code, f"{r.path.name} {sh.name}", bad.message)
        return out
    known = {c.id: c for c in r.plan.city_targets}
    note_col = _note_column(sh, head)
    seen: set[str] = set()
    for row in range(head + 1, sh.max_row + 1):
        ok, raw_id = r.cell(sh, row, cols["id"])
        ident = _id_text(raw_id).upper() if ok else ""
        if not ident or not re.fullmatch(r"C\d+", ident):
            if ident and ident not in ("注", "说明"):
                r.add("unknown_city_target", sh.where(row, cols["id"]),
                      f"编号「{raw_id}」不是全市目标编号(C01…);请核对或删除该行")
            continue
        ct = known.get(ident)
        if ct is None:
            r.add("unknown_city_target", sh.where(row, cols["id"]), f"计划中没有编号为 {ident} 的全市目标")
            continue
        if ct.id in seen:
            r.add("duplicate_city_target", sh.where(row, cols["id"]), f"{ct.id} 重复出现,请删除其中一行")
            continue
        seen.add(ct.id)
        r.remark(sh, row, note_col, ct.id)
        ok, name = r.cell(sh, row, cols["name"])
        if ok and name is not None and norm(name) != norm(ct.name):
            r.add("row_mismatch", sh.where(row, cols["name"]),
                  f"编号 {ct.id} 与名称「{name}」不一致(计划中为「{ct.name}」),请核对")
            continue
        if ct.rule == "qualitative":
            ok, raw = r.cell(sh, row, cols["actual"])
            if not ok:
                continue
            levels = {norm(k): k for k in r.plan.scoring.qualitative.levels}
            level = levels.get(norm(raw)) if isinstance(raw, str) and raw.strip() else None
            if raw is not None and not (isinstance(raw, str) and not raw.strip()) and level is None:
                r.add("invalid_level", sh.where(row, cols["actual"]),
                      f"{ct.id} 为定性目标,应填 {'/'.join(levels.values())},实际为「{raw}」")
                continue
            value: float | str | None = level
        else:
            good, value = r.number(sh, row, cols["actual"])
            if not good:
                continue
        if value is not None or ct.id in owed:
            out[ct.id] = r.count(Cell(value=value, where=sh.ref(row, cols["actual"])))
    for ct in r.plan.city_targets:
        if ct.id not in seen and ct.id in owed:
            r.add("missing_city_target", f"{r.path.name} {sh.name}", f"缺少 {ct.id}「{ct.name}」这一行,请补上")
    return out


def _read_ratings(r: _Reader) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    sh = r.sheet(SHEET_DEPTS, required=r.scope.owes_ratings)
    if sh is None:
        return out
    try:
        head, cols = sh.find_header(("name", "rating"), {"name": {"责任部门", "部门"}, "rating": {"评价", "评价等次"}})
    except _Bad as bad:
        r.add(bad.code, f"{r.path.name} {sh.name}", bad.message)
        return out
    ratings = {norm(k): k for k in r.plan.scoring.departments.ratings}
    allowed = "/".join(ratings.values())
    names = {norm(a): d for d in r.plan.departments for a in (d.name, *d.aliases)}
    id_col = next((c for c in range(1, sh.max_col + 1) if sh.label(head, c) in ("序号", "编号")), None)
    note_col = _note_column(sh, head)
    seen: set[str] = set()
    for row in range(head + 1, sh.max_row + 1):
        ok, raw = r.cell(sh, row, cols["name"])
        if not ok or raw is None or not norm(raw):
            continue
        dep = names.get(norm(raw))
        if dep is None:
            r.add("unknown_department", sh.where(row, cols["name"]),
                  f"未知的部门「{raw}」,请使用附件2中的部门名称(如 市经信委)")
            continue
        if dep.name in seen:
            r.add("duplicate_department", sh.where(row, cols["name"]), f"「{dep.name}」重复出现,请删除其中一行")
            continue
        seen.add(dep.name)
        r.remark(sh, row, note_col, dep.name)
        if id_col is not None:
            ok_id, raw_id = r.cell(sh, row, id_col)
            if ok_id and raw_id is not None and _id_text(raw_id) != dep.id:
                r.add("row_mismatch", sh.where(row, id_col),
                      f"序号「{raw_id}」与部门「{dep.name}」(附件2序号 {dep.id})不一致,请核对")
                continue
        ok, v = r.cell(sh, row, cols["rating"], data=True)
        if not ok:
            continue
        where = sh.ref(row, cols["rating"])
        value: float | str | None = None
        if isinstance(v, str) and norm(v) in ratings:
            value = ratings[norm(v)]
        elif v is not None and not (isinstance(v, str) and not v.strip()):
            try:
                value = sh.number(row, cols["rating"])
            except _Bad:
                value = -1.0
            if value is None or not 0 <= value <= 100:
                r.add("invalid_rating", sh.where(row, cols["rating"]),
                      f"评价「{v}」无效,应为 {allowed} 或 0–100 的分数")
                continue
        if value is not None or r.scope.owes_ratings:
            out[dep.name] = r.count(Cell(value=value, where=where))
    for dep in r.plan.departments:
        if dep.name not in seen and r.scope.owes_ratings:
            r.add("missing_department", f"{r.path.name} {sh.name}", f"缺少部门「{dep.name}」这一行,请补上")
    return out


def _read_adjustments(r: _Reader) -> list[Adjustment]:
    out: list[Adjustment] = []
    sh = r.sheet(SHEET_ADJ, required=r.scope.owes_ratings)
    if sh is None:
        return out
    try:
        head, cols = sh.find_header(("subject", "item", "points"),
                                    {"subject": {"对象", "单位", "县区或部门"}, "item": {"事项", "加减分事项"},
                                     "points": {"分值", "分数", "加减分"}})
    except _Bad as bad:
        r.add(bad.code, f"{r.path.name} {sh.name}", bad.message)
        return out
    basis_col = next((c for c in range(1, sh.max_col + 1) if sh.label(head, c) == "依据"), None)
    veto_col = next((c for c in range(1, sh.max_col + 1) if sh.label(head, c) in ("否决", "一票否决")), None)
    note_col = _note_column(sh, head)
    # the city is a progress report, not ranked: 加减分 apply to districts and departments only
    units = {norm(a): u.name for u in r.plan.info.units if not u.city for a in (u.name, *u.aliases)}
    deps = {norm(a): d.name for d in r.plan.departments for a in (d.name, *d.aliases)}
    for row in range(head + 1, sh.max_row + 1):
        got = [r.cell(sh, row, c) for c in (cols["subject"], cols["item"], cols["points"])]
        basis = r.cell(sh, row, basis_col) if basis_col else (True, None)
        veto_cell = r.cell(sh, row, veto_col) if veto_col else (True, None)
        note = r.cell(sh, row, note_col) if note_col else (True, None)
        if not all(ok for ok, _ in [*got, basis, veto_cell, note]):
            continue
        subject, item, raw_points = (v for _, v in got)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (subject, item, raw_points, veto_cell[1])):
            continue
        veto_text = "" if veto_cell[1] is None else norm(veto_cell[1])
        if veto_text not in ("", "是", "否") and veto_col is not None:
            r.add("invalid_veto", sh.where(row, veto_col),
                  f"否决栏应填“是”(该事项使对象不得评为优秀)或留空,实际为「{veto_cell[1]}」;请从下拉列表选择")
            continue
        veto = veto_text == "是"
        name = units.get(norm(subject or "")) or deps.get(norm(subject or ""))
        if name is None:
            r.add("unknown_subject", sh.where(row, cols["subject"]),
                  f"对象「{subject or ''}」不是县区或部门名称;请从下拉列表选择(名单见“说明”表)")
            continue
        try:
            points = sh.number(row, cols["points"])
        except _Bad as bad:
            r.add(bad.code, sh.where(row, cols["points"]), f"分值:{bad.message}")
            continue
        if points is None and not veto:
            r.add("adjustment_incomplete", sh.where(row, cols["points"]),
                  "缺少分值:加分填正数,扣分填负数(只否决、不扣分的事项填 0)")
            continue
        if item is None or not str(item).strip():
            r.add("adjustment_incomplete", sh.where(row, cols["item"]), "缺少事项:请写明加减分的事由")
            continue
        out.append(Adjustment(subject=name, item=str(item).strip(), points=points or 0.0, veto=veto,
                              basis="" if basis[1] is None else str(basis[1]).strip(),
                              note="" if note[1] is None else norm_text(note[1]),
                              where=sh.ref(row, cols["points"])))
    return out

