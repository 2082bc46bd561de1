"""Collect returns (汇总, SPEC §3.4): read several workbooks as one, and write the collected workbook.

`read_many` and `validate_many` are what `score`, `validate`, `gaps`, `explain` and
`report` use for one file or several; `write_collected` writes the template's layout
filled with the merged values and a 来源 sheet naming, for every value, the file and
cell it came from. Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hz_assess.errors import Problem, WorkbookError
from hz_assess.models import Actuals, Cell, Plan
from hz_assess.output import check_destination, write_file
from hz_assess.scope import Scope
from hz_assess.workbook.layout import (
    ADJ_NOTE_COL,
    CITY_ACTUAL_COL,
    CITY_NOTE_COL,
    FIRST_ROW,
    FIRST_UNIT_COL,
    LIST_FIRST_ROW,
    RATING_COL,
    RATING_NOTE_COL,
    SHEET_ADJ,
    SHEET_CITY,
    SHEET_DEPTS,
    SHEET_SOURCES,
    SHEET_UNITS,
)
from hz_assess.workbook.merge import merge, missing_cells
from hz_assess.workbook.reader import Validation, read_workbook, stamp


def _names(paths: Sequence[Path]) -> list[str]:
    """How each file is named in sources: its name, or the path as given when two share a name."""
    names = [p.name for p in paths]
    return [str(p) if names.count(p.name) > 1 else p.name for p in paths]


def read_many(plan: Plan, paths: Sequence[Path]) -> Actuals:
    """The workbooks read as one; WorkbookError listing every problem in every file and between them."""
    parts: list[Actuals] = []
    problems: list[Problem] = []
    for path, name in zip(paths, _names(paths), strict=True):
        actuals, validation = read_workbook(plan, path)
        problems += validation.problems
        if actuals is not None:
            if name != path.name:
                stamp(actuals, name)
            parts.append(actuals)
    if problems:
        raise WorkbookError(problems)
    merged = merge(plan, parts)
    if merged.problems or merged.actuals is None:
        raise WorkbookError(merged.problems)
    return merged.actuals


def validate_many(plan: Plan, paths: Sequence[Path]) -> Validation:
    """Every problem of every file and between them, the 数据审核 warnings and what is still missing.

    A cell is missing when some file owed it and none supplied it; warnings look at
    the values put together (全市 against the sum of the districts needs every return).
    """
    from hz_assess.audit import audit

    out = Validation(path="、".join(str(p) for p in paths), period=None)
    parts: list[Actuals] = []
    for path, name in zip(paths, _names(paths), strict=True):
        actuals, v = read_workbook(plan, path, partial=True)
        out.problems += v.problems
        out.notes += [f"{name}:{note}" if len(paths) > 1 else note for note in v.notes]
        if actuals is not None:
            if name != path.name:
                stamp(actuals, name)
            parts.append(actuals)
    periods = {p.period for p in parts}
    out.period = periods.pop() if len(periods) == 1 else None
    scopes = {Scope.parse(f.scope) for p in parts for f in p.source_files()}
    out.scope = "、".join(s.text for s in sorted(scopes, key=str))
    if not parts:
        return out
    merged = merge(plan, parts)
    out.problems += merged.problems
    out.notes += merged.notes
    if merged.actuals is not None:
        out.warnings = audit(plan, merged.actuals)
        out.missing_cells = missing_cells(plan, merged.actuals)
        out.read = _count(merged.actuals)
        if len(parts) > 1:
            silent = unreported(plan, merged.actuals)
            if silent:
                out.notes.append(f"{'、'.join(silent)} 未报送:所给文件中没有其任何实绩")
    return out


def unreported(plan: Plan, actuals: Actuals) -> list[str]:
    """The units (districts and the city) not one of the workbooks holds a value of."""
    return [u for u in plan.unit_names if not any(c.value is not None for c in actuals.units.get(u, {}).values())]


def _count(actuals: Actuals) -> int:
    cells = [c for unit in actuals.units.values() for c in unit.values()]
    cells += [*actuals.city_targets.values(), *actuals.ratings.values()]
    return sum(c.value is not None for c in cells)


# ---------------------------------------------------------------- the collected workbook


def write_collected(plan: Plan, actuals: Actuals, path: Path, *, force: bool = False,
                    inputs: Sequence[Path] = ()) -> int:
    """Write the merged values in the template's layout with a 来源 sheet; the number of values written."""
    check_destination(path, suffixes=(".xlsx",), force=force, inputs=inputs)
    wb, count = build_collected(plan, actuals)
    write_file(path, lambda tmp: wb.save(tmp), suffixes=(".xlsx",), force=force, inputs=inputs)
    return count


def build_collected(plan: Plan, actuals: Actuals) -> tuple[Any, int]:
    from hz_assess.workbook.template import build_template, put

    wb = build_template(plan, actuals.period)
    for sheet in (SHEET_UNITS, SHEET_CITY, SHEET_DEPTS, SHEET_ADJ):
        wb[sheet]["A1"].value = f"{wb[sheet]['A1'].value}(汇总)"
    rows: list[tuple[str, str, str, Cell]] = []  # (cell in this workbook, unit, item, source cell)
    ws = wb[SHEET_UNITS]
    for r, ind in enumerate(plan.indicators):
        for c, unit in enumerate(plan.unit_names):
            cell = actuals.units.get(unit, {}).get(ind.id)
            if cell is not None and cell.value is not None:
                put(ws, FIRST_ROW + r, FIRST_UNIT_COL + c, cell.value, kind="input")
                rows.append((_ref(SHEET_UNITS, FIRST_ROW + r, FIRST_UNIT_COL + c), unit, f"{ind.id} {ind.name}", cell))
    ws = wb[SHEET_CITY]
    for r, ct in enumerate(plan.city_targets):
        cell = actuals.city_targets.get(ct.id)
        if cell is not None and cell.value is not None:
            put(ws, LIST_FIRST_ROW + r, CITY_ACTUAL_COL, cell.value, kind="input")
            rows.append((_ref(SHEET_CITY, LIST_FIRST_ROW + r, CITY_ACTUAL_COL), plan.city, f"{ct.id} {ct.name}", cell))
    ws = wb[SHEET_DEPTS]
    for r, dep in enumerate(plan.departments):
        cell = actuals.ratings.get(dep.name)
        if cell is not None and cell.value is not None:
            put(ws, LIST_FIRST_ROW + r, RATING_COL, cell.value, kind="input")
            rows.append((_ref(SHEET_DEPTS, LIST_FIRST_ROW + r, RATING_COL), dep.name, "评价", cell))
    ws = wb[SHEET_ADJ]
    for r, adj in enumerate(actuals.adjustments):
        row = LIST_FIRST_ROW + r
        values = (adj.subject, adj.item, adj.points, "是" if adj.veto else None, adj.basis or None, adj.note or None)
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value, kind="input", left=col in (2, 5, ADJ_NOTE_COL))
        rows.append((_ref(SHEET_ADJ, row, 3), adj.subject, f"加减分:{adj.item}",
                     Cell(value=adj.points, where=adj.where, file=adj.file)))
    _remarks(wb, plan, actuals, put)
    _sources_sheet(wb.create_sheet(SHEET_SOURCES), plan, actuals, rows, put)
    return wb, len(rows)


def _remarks(wb: Any, plan: Plan, actuals: Actuals, put: Any) -> None:
    """Every 备注 in its row's 备注 cell; from several files, each prefixed with the file it came from."""
    places = {
        SHEET_UNITS: ({i.id: FIRST_ROW + r for r, i in enumerate(plan.indicators)},
                      FIRST_UNIT_COL + len(plan.unit_names)),
        SHEET_CITY: ({c.id: LIST_FIRST_ROW + r for r, c in enumerate(plan.city_targets)}, CITY_NOTE_COL),
        SHEET_DEPTS: ({d.name: LIST_FIRST_ROW + r for r, d in enumerate(plan.departments)}, RATING_NOTE_COL),
    }
    texts: dict[tuple[str, int, int], list[str]] = {}
    files = {r.file for r in actuals.remarks}
    for remark in actuals.remarks:
        rows, col = places.get(remark.sheet, ({}, 0))
        if remark.key in rows:
            shown = f"{remark.file}:{remark.text}" if len(files) > 1 else remark.text
            texts.setdefault((remark.sheet, rows[remark.key], col), []).append(shown)
    for (sheet, row, col), parts in texts.items():
        put(wb[sheet], row, col, ";".join(parts), kind="input", left=True)


def _ref(sheet: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col)}{row}"


def _sources_sheet(ws: Any, plan: Plan, actuals: Actuals, rows: list[tuple[str, str, str, Cell]], put: Any) -> None:
    """来源: the files collected (with their 填报信息 and sha256), then every value and the file and cell it
    came from. Six columns narrow enough to print on A4 at a readable size; the sheet is protected."""
    from openpyxl.styles import Font

    ws.cell(row=1, column=1, value=f"{plan.info.title} 实绩汇总来源").font = Font(name="宋体", size=14, bold=True)
    ws.cell(row=2, column=1, value="上表为汇总的文件及其填报信息,下表为本工作簿中每个数据来自哪个文件的哪个单元格。"
            ).font = Font(name="宋体", size=10, color="595959")
    for col, text in enumerate(["文件", "填报范围", "填报单位", "填报人 / 联系电话", "审核人", "填报日期"], start=1):
        put(ws, 3, col, text, kind="head")
    files = actuals.source_files()
    names = _names([Path(f.path) for f in files])  # as the values below name them
    row = 4
    for f, name in zip(files, names, strict=True):
        who = " ".join(x for x in (f.info.get("填报人", ""), f.info.get("联系电话", "")) if x)
        facts = [name, Scope.parse(f.scope).text, f.info.get("填报单位", ""), who, f.info.get("审核人", ""),
                 f.info.get("填报日期", "")]
        for col, fact in enumerate(facts, start=1):
            put(ws, row, col, fact or None)
        put(ws, row + 1, 1, "sha256", kind="target")
        put(ws, row + 1, 2, f.sha256, kind="target", left=True)
        ws.merge_cells(start_row=row + 1, start_column=2, end_row=row + 1, end_column=6)
        row += 2
    top = row + 1
    for col, text in enumerate(["本表单元格", "单位或对象", "项目", "值", "来源文件", "来源单元格"], start=1):
        put(ws, top, col, text, kind="head")
    for row, (here, unit, item, cell) in enumerate(rows, start=top + 1):
        for col, value in enumerate([here, unit, item, cell.value, cell.file, cell.where], start=1):
            put(ws, row, col, value, left=col == 4)
    for letter, width in zip("ABCDEF", [16, 16, 40, 18, 22, 16], strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{top + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top}"
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.protection.sheet = True
