"""Read a filled actuals workbook into Actuals, collecting every problem with its cell.

Forgiving about what people and other programs produce (moved columns, aliases,
numbers typed as text, percent formats, saved formula values, merged headers) and
exact about what it cannot accept: each such cell becomes a Problem naming file,
sheet and cell, with what to do.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hz_assess.errors import Problem, UsageError, WorkbookError
from hz_assess.models import Actuals, Adjustment, Cell, Indicator, Plan
from hz_assess.workbook.guard import read_xlsx_bytes
from hz_assess.workbook.layout import (
    BLANK_MARKERS,
    EXCEL_ERRORS,
    MAX_COLS,
    MAX_ROWS,
    PERIOD_LABEL,
    PERIOD_NAME,
    SHEET_ADJ,
    SHEET_CITY,
    SHEET_DEPTS,
    SHEET_NOTES,
    SHEET_UNITS,
    TARGET_PREFIX,
    check_period,
    norm,
)

# ---------------------------------------------------------------- reading


@dataclass
class Validation:
    """What `validate` reports: every problem, and how much was read or is missing."""

    path: str
    period: str | None
    problems: list[Problem] = field(default_factory=list)
    read: int = 0
    missing: int = 0
    missing_cells: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_actuals(plan: Plan, path: Path) -> Actuals:
    """Read a filled workbook; WorkbookError listing every problem if anything is wrong."""
    actuals, validation = _read(plan, path)
    if validation.problems or actuals is None:
        raise WorkbookError(validation.problems)
    return actuals


def validate_workbook(plan: Plan, path: Path) -> Validation:
    """Every problem at once. A file that cannot be opened at all raises WorkbookError."""
    return _read(plan, path)[1]


class _Bad(Exception):
    """A cell value we cannot accept; the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _load(path: Path, data: bytes) -> tuple[Any, Any]:
    """(values workbook, formulas workbook), or WorkbookError naming the file."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, slicers); reading values is unaffected
            warnings.simplefilter("ignore")
            values = load_workbook(io.BytesIO(data), data_only=True)
            # the second, formula-keeping parse is only needed to tell an uncalculated
            # formula from a blank; most filled workbooks hold no formula at all
            formulas = load_workbook(io.BytesIO(data), data_only=False) if _has_formulas(data) else values
    except Exception as exc:  # openpyxl raises anything from KeyError to lxml errors on bad files
        raise WorkbookError(Problem("corrupt", path.name, "工作簿已损坏或格式不规范,无法读取;"
                                                          "请在 Excel/WPS 中打开后另存为 .xlsx 再试")) from exc
    return values, formulas


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet part holds an <f> element (the guard has already vetted the zip)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            _FORMULA_TAG.search(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


class _Sheet:
    """One sheet, with merged header cells filled and every cell named sheet!A1."""

    def __init__(self, name: str, values: Any, formulas: Any, file: str) -> None:
        self.name, self.ws, self.fws, self.file = name, values, formulas, file
        self.max_row = min(values.max_row, MAX_ROWS)
        self.max_col = min(values.max_column, MAX_COLS)
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in values.merged_cells.ranges:
            for r in range(rng.min_row, min(rng.max_row, self.max_row) + 1):
                for c in range(rng.min_col, min(rng.max_col, self.max_col) + 1):
                    self.merged[(r, c)] = (rng.min_row, rng.min_col)

    def ref(self, row: int, col: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.name}!{get_column_letter(col)}{row}"

    def where(self, row: int, col: int) -> str:
        return f"{self.file} {self.ref(row, col)}"

    def label(self, row: int, col: int) -> str:
        r, c = self.merged.get((row, col), (row, col))
        v = self.ws.cell(row=r, column=c).value
        return "" if v is None else norm(v)

    def value(self, row: int, col: int) -> Any:
        """The saved value; _Bad for Excel errors and formulas nobody has calculated."""
        c = self.ws.cell(row=row, column=col)
        v = c.value
        if c.data_type == "e" or (isinstance(v, str) and v.strip() in EXCEL_ERRORS):
            raise _Bad("excel_error", f"单元格是 Excel 错误值 {str(v).strip()},请修正公式或改填数值")
        if v is None:
            f = self.fws.cell(row=row, column=col)
            if f.data_type == "f":
                raise _Bad("formula_no_value", "公式没有保存计算结果(文件由程序生成、未经表格软件保存);"
                                               "请用 Excel/WPS/LibreOffice 打开该文件并保存后再试")
        return v

    def number_format(self, row: int, col: int) -> str:
        return str(self.ws.cell(row=row, column=col).number_format or "")

    def find_header(self, required: tuple[str, ...], alternatives: dict[str, set[str]]) -> tuple[int, dict[str, int]]:
        """The first row holding every required label (or an alternative); label -> column."""
        for row in range(1, min(self.max_row, 40) + 1):
            found: dict[str, int] = {}
            for col in range(1, self.max_col + 1):
                text = self.label(row, col)
                for key in required:
                    if key not in found and text in alternatives.get(key, {key}):
                        found[key] = col
            if len(found) == len(required):
                return row, found
        raise _Bad("header_not_found", f"找不到表头(需要含有 {'、'.join(required)} 的一行);"
                                       "请使用 hz-assess template 生成的模板,或补上表头")


NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
GROUPED_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_number(value: object, number_format: str = "General") -> float | None:
    """A cell as a number in the indicator's unit; None if blank; _Bad if not a number.

    A numeric cell formatted as percent holds a fraction (0.075 shown as 7.5%), so it
    is scaled to 7.5; text "7.5%" likewise means 7.5.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad("not_a_number", f"应为数字,实际为逻辑值 {'TRUE' if value else 'FALSE'}")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Bad("not_a_number", "应为有限的数字")
        if "%" in number_format:
            return float(Decimal(repr(float(value))) * 100)
        return float(value)
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise _Bad("not_a_number", f"应为数字,实际为日期/时间 {value};请把单元格格式改为“常规”或“数值”后重新填写")
    if not isinstance(value, str):
        raise _Bad("not_a_number", f"应为数字,实际为「{value}」,请改填数字")
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-")
    text = re.sub(r"\s+", "", text)
    if text in ("", "-", "--"):
        return None
    percent = text.endswith("%")
    body = text[:-1] if percent else text
    if GROUPED_RE.fullmatch(body):
        body = body.replace(",", "")
    if not NUMBER_RE.fullmatch(body):
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise _Bad("not_a_number", f"「{shown}」不是数字,请填写数字(如 7.5 或 1840)")
    try:
        return float(Decimal(body))
    except InvalidOperation as exc:  # pragma: no cover - NUMBER_RE admits only decimals
        raise _Bad("not_a_number", f"「{value}」不是数字") from exc


@dataclass
class _Reader:
    plan: Plan
    path: Path
    values: Any
    formulas: Any
    problems: list[Problem] = field(default_factory=list)
    stats: Validation = field(default_factory=lambda: Validation(path="", period=None))

    def add(self, code: str, where: str, message: str) -> None:
        self.problems.append(Problem(code, where, message))

    def sheet(self, name: str) -> _Sheet | None:
        # by exact name, then ignoring spaces and width: never by which sheet is active
        match = next((n for n in self.values.sheetnames if n == name), None) or next(
            (n for n in self.values.sheetnames if norm(n) == norm(name)), None)
        if match is None:
            self.add("missing_sheet", self.path.name, f"缺少工作表「{name}」;请使用 hz-assess template 生成的模板")
            return None
        return _Sheet(match, self.values[match], self.formulas[match], self.path.name)

    def cell(self, sh: _Sheet, row: int, col: int) -> tuple[bool, Any]:
        try:
            return True, sh.value(row, col)
        except _Bad as bad:
            self.add(bad.code, sh.where(row, col), bad.message)
            return False, None

    def number(self, sh: _Sheet, row: int, col: int) -> tuple[bool, float | None]:
        ok, v = self.cell(sh, row, col)
        if not ok:
            return False, None
        try:
            return True, parse_number(v, sh.number_format(row, col))
        except _Bad as bad:
            self.add(bad.code, sh.where(row, col), bad.message)
            return False, None

    def count(self, cell: Cell, what: str, pending: bool = False) -> Cell:
        if cell.value is not None:
            self.stats.read += 1
        elif not pending:
            self.stats.missing += 1
            self.stats.missing_cells.append(f"{cell.where}({what})")
        return cell


def _read(plan: Plan, path: Path) -> tuple[Actuals | None, Validation]:
    data = read_xlsx_bytes(path)
    values, formulas = _load(path, data)
    r = _Reader(plan, path, values, formulas)
    r.stats.path = str(path)
    period = _read_period(r)
    r.stats.period = period
    quarterly = period is not None and "Q" in period
    units = _read_units(r, quarterly)
    city = _read_city_targets(r)
    ratings = _read_ratings(r)
    adjustments = _read_adjustments(r)
    r.stats.problems = r.problems
    if r.problems or period is None:
        return None, r.stats
    return Actuals(path=str(path), sha256=hashlib.sha256(data).hexdigest(), period=period, units=units,
                   city_targets=city, ratings=ratings, adjustments=adjustments), r.stats


def _read_period(r: _Reader) -> str | None:
    """The period by its label on 说明 (the defined name is a fallback for edited sheets)."""
    raw: object = None
    where = f"{r.path.name} {SHEET_NOTES}"
    if any(norm(n) == SHEET_NOTES for n in r.values.sheetnames):
        sh = r.sheet(SHEET_NOTES)
        assert sh is not None
        for row in range(1, min(sh.max_row, 60) + 1):
            for col in range(1, sh.max_col):
                if sh.label(row, col) in (PERIOD_LABEL, "考核期别"):
                    raw, where = sh.ws.cell(row=row, column=col + 1).value, sh.where(row, col + 1)
                    break
            if raw is not None:
                break
    if raw is None and PERIOD_NAME in r.values.defined_names:
        for title, coord in r.values.defined_names[PERIOD_NAME].destinations:
            if title in r.values.sheetnames and ":" not in coord:
                raw = r.values[title][coord.replace("$", "")].value
                where = f"{r.path.name} {title}!{coord.replace('$', '')}"
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


INDICATOR_HEADERS = {"id": {"序号", "编号"}, "name": {"主要指标", "指标", "指标名称"}}
IGNORED_HEADERS = {"栏目", "单位", "计量单位", "备注", "说明", "序号", "主要指标"}


def _id_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else norm(value)


def _unit_columns(r: _Reader, sh: _Sheet, row: int) -> dict[str, int]:
    """Unit name -> column, from the header row; unknown unit-like labels are errors."""
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
    for unit in r.plan.unit_names:
        if unit not in found:
            r.add("missing_unit_column", sh.where(row, 1), f"表头中找不到「{unit}」列,请补上该列")
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


def _read_units(r: _Reader, quarterly: bool) -> dict[str, dict[str, Cell]]:
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
    units = _unit_columns(r, sh, head)
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
        for unit, col in units.items():
            cell = _unit_cell(r, sh, row, col, ind, unit, levels)
            if cell is not None:
                out[unit][ind.id] = r.count(cell, f"{unit} {ind.id} {ind.name}",
                                            pending=quarterly and ind.rule == "qualitative")
    for ind in r.plan.indicators:
        if ind.id not in seen:
            r.add("missing_indicator_row", f"{r.path.name} {sh.name}",
                  f"缺少第 {ind.id} 项指标「{ind.name}」这一行,请补上(数据暂缺可留空)")
    return out


def _is_note_row(sh: _Sheet, row: int, id_col: int, name_col: int) -> bool:
    """Blank rows, category banners and footnotes: nothing in 序号 that looks like an id, no name."""
    ident = sh.ws.cell(row=row, column=id_col).value
    name = sh.ws.cell(row=row, column=name_col).value
    if name not in (None, "") or sh.fws.cell(row=row, column=name_col).data_type == "f":
        return False
    return ident is None or (isinstance(ident, str) and not re.fullmatch(r"\d+", norm(ident)))


def _unit_cell(r: _Reader, sh: _Sheet, row: int, col: int, ind: Indicator, unit: str,
               levels: dict[str, str]) -> Cell | None:
    where = sh.ref(row, col)
    ok, v = r.cell(sh, row, col)
    if not ok:
        return None
    if not ind.applies_to(unit):
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
        return Cell(value=parse_number(v, sh.number_format(row, col)), where=where)
    except _Bad as bad:
        r.add(bad.code, sh.where(row, col), f"{unit} 第 {ind.id} 项:{bad.message}")
        return None


def _read_city_targets(r: _Reader) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    sh = r.sheet(SHEET_CITY)
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
            out[ct.id] = r.count(Cell(value=level, where=sh.ref(row, cols["actual"])), f"{ct.id} {ct.name}")
            continue
        good, value = r.number(sh, row, cols["actual"])
        if good:
            out[ct.id] = r.count(Cell(value=value, where=sh.ref(row, cols["actual"])), f"{ct.id} {ct.name}")
    for ct in r.plan.city_targets:
        if ct.id not in seen:
            r.add("missing_city_target", f"{r.path.name} {sh.name}", f"缺少 {ct.id}「{ct.name}」这一行,请补上")
    return out


def _read_ratings(r: _Reader) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    sh = r.sheet(SHEET_DEPTS)
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
        if id_col is not None:
            ok_id, raw_id = r.cell(sh, row, id_col)
            if ok_id and raw_id is not None and _id_text(raw_id) != dep.id:
                r.add("row_mismatch", sh.where(row, id_col),
                      f"序号「{raw_id}」与部门「{dep.name}」(附件2序号 {dep.id})不一致,请核对")
                continue
        ok, v = r.cell(sh, row, cols["rating"])
        if not ok:
            continue
        where = sh.ref(row, cols["rating"])
        value: float | str | None = None
        if isinstance(v, str) and norm(v) in ratings:
            value = ratings[norm(v)]
        elif v is not None and not (isinstance(v, str) and not v.strip()):
            try:
                value = parse_number(v, sh.number_format(row, cols["rating"]))
            except _Bad:
                value = -1.0
            if value is None or not 0 <= value <= 100:
                r.add("invalid_rating", sh.where(row, cols["rating"]),
                      f"评价「{v}」无效,应为 {allowed} 或 0–100 的分数")
                continue
        out[dep.name] = r.count(Cell(value=value, where=where), f"{dep.name} 评价")
    for dep in r.plan.departments:
        if dep.name not in seen:
            r.add("missing_department", f"{r.path.name} {sh.name}", f"缺少部门「{dep.name}」这一行,请补上")
    return out


def _read_adjustments(r: _Reader) -> list[Adjustment]:
    out: list[Adjustment] = []
    sh = r.sheet(SHEET_ADJ)
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
    # the city is a progress report, not ranked: 加减分 apply to districts and departments only
    units = {norm(a): u.name for u in r.plan.info.units if not u.city for a in (u.name, *u.aliases)}
    deps = {norm(a): d.name for d in r.plan.departments for a in (d.name, *d.aliases)}
    for row in range(head + 1, sh.max_row + 1):
        got = [r.cell(sh, row, c) for c in (cols["subject"], cols["item"], cols["points"])]
        basis = r.cell(sh, row, basis_col) if basis_col else (True, None)
        if not all(ok for ok, _ in [*got, basis]):
            continue
        subject, item, raw_points = (v for _, v in got)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (subject, item, raw_points)):
            continue
        name = units.get(norm(subject or "")) or deps.get(norm(subject or ""))
        if name is None:
            r.add("unknown_subject", sh.where(row, cols["subject"]),
                  f"对象「{subject or ''}」不是县区或部门名称;请从下拉列表选择(名单见“说明”表)")
            continue
        try:
            points = parse_number(raw_points, sh.number_format(row, cols["points"]))
        except _Bad as bad:
            r.add(bad.code, sh.where(row, cols["points"]), f"分值:{bad.message}")
            continue
        if points is None:
            r.add("adjustment_incomplete", sh.where(row, cols["points"]), "缺少分值:加分填正数,扣分填负数")
            continue
        if item is None or not str(item).strip():
            r.add("adjustment_incomplete", sh.where(row, cols["item"]), "缺少事项:请写明加减分的事由")
            continue
        out.append(Adjustment(subject=name, item=str(item).strip(), points=points,
                              basis="" if basis[1] is None else str(basis[1]).strip(),
                              where=sh.ref(row, cols["points"])))
    return out

