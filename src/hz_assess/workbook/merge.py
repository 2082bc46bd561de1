"""Put the Actuals of several workbooks together (SPEC §3.4), and list what is still missing.

Pure: no I/O. Each value keeps the file and cell it came from (`Cell.file`). Rules:
- a cell filled in two files with different values is an error naming both; the
  same value twice is fine (the first file given is named as its source);
- a blank cell never hides a value another file supplies;
- files of different periods are an error (different plans are refused by the reader);
- the same workbook given twice (same sha256) counts once;
- a 加减分 item that appears identically in two files counts once (say, the office's
  ratings file and a full workbook both carry it); twice in one file, it counts twice;
- every 备注 is kept (the same text twice, once).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from hz_assess.errors import Problem
from hz_assess.models import Actuals, Adjustment, Cell, CellValue, Plan, Remark


@dataclass
class Merged:
    actuals: Actuals | None  # None when there were problems
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def merge(plan: Plan, parts: Sequence[Actuals]) -> Merged:
    """One Actuals from several (in the order given), or the problems that forbid it."""
    out = Merged(None)
    unique: list[Actuals] = []
    seen: dict[str, str] = {}
    for part in parts:
        sha = "".join(f.sha256 for f in part.source_files())
        if sha and sha in seen:
            out.notes.append(f"{part.path} 与 {seen[sha]} 内容完全相同,只计一次")
            continue
        seen[sha] = part.path
        unique.append(part)
    if not unique:
        return out
    first = unique[0]
    for part in unique[1:]:
        if part.period != first.period:
            out.problems.append(Problem(
                "period_mismatch", part.path,
                f"期别为 {part.period},与 {first.path} 的 {first.period} 不同;一次只能汇总同一期别的报表"))
    if out.problems:
        return out
    if len(unique) == 1:
        out.actuals = first
        return out
    units: dict[str, dict[str, Cell]] = {u: {} for u in plan.unit_names}
    for unit in plan.unit_names:
        names = {i.id: f"{unit} 第 {i.id} 项「{i.name}」" for i in plan.indicators}
        _merge_cells(units[unit], [p.units.get(unit, {}) for p in unique], names, out.problems)
    city = {c.id: f"全市目标 {c.id}「{c.name}」" for c in plan.city_targets}
    city_targets: dict[str, Cell] = {}
    _merge_cells(city_targets, [p.city_targets for p in unique], city, out.problems)
    ratings: dict[str, Cell] = {}
    _merge_cells(ratings, [p.ratings for p in unique], {d.name: f"{d.name} 的评价" for d in plan.departments},
                 out.problems)
    adjustments = _merge_adjustments([p.adjustments for p in unique], out.notes)
    remarks: dict[tuple[str, str, str], Remark] = {}
    for part in unique:
        for remark in part.remarks:
            remarks.setdefault((remark.sheet, remark.key, remark.text), remark)
    if out.problems:
        return out
    out.actuals = Actuals(period=first.period, files=[f for p in unique for f in p.source_files()], units=units,
                          city_targets=city_targets, ratings=ratings, adjustments=adjustments,
                          remarks=list(remarks.values()))
    return out


def _same(a: CellValue, b: CellValue) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _merge_cells(into: dict[str, Cell], sources: Sequence[dict[str, Cell]], names: dict[str, str],
                 problems: list[Problem]) -> None:
    """Fill `into` key by key: the first value wins, a different value elsewhere is a conflict."""
    for cells in sources:
        for key, cell in cells.items():
            have = into.get(key)
            if have is None or (have.value is None and cell.value is not None):
                into[key] = cell
            elif cell.value is not None and not _same(have.value, cell.value):
                problems.append(Problem(
                    "conflict", f"{cell.file} {cell.where}",
                    f"{names.get(key, key)}在两份文件中不一致:{have.source} 为「{_shown(have.value)}」,"
                    f"{cell.source} 为「{_shown(cell.value)}」;请核实后只在一份文件中保留正确的值"))


def _shown(value: CellValue) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _merge_adjustments(lists: Sequence[list[Adjustment]], notes: list[str]) -> list[Adjustment]:
    out: list[Adjustment] = []
    keys: dict[tuple[str, str, float, bool, str], Adjustment] = {}
    for items in lists:
        mine: set[tuple[str, str, float, bool, str]] = set()
        for adj in items:
            key = (adj.subject, adj.item, adj.points, adj.veto, adj.basis)
            if key in keys and key not in mine:
                notes.append(f"加减分「{adj.subject} {adj.item}」同时见于 {keys[key].file}!{keys[key].where} 和 "
                             f"{adj.file}!{adj.where},只计一次")
                continue
            keys.setdefault(key, adj)
            mine.add(key)
            out.append(adj)
    return out


def missing_cells(plan: Plan, actuals: Actuals) -> list[str]:
    """Every blank cell a file owed, as "file!sheet!cell(what)", in plan order.

    A cell nobody owed (another unit's column in a return form) is not missing here:
    scoring marks the unit 未报送 instead. Rows judged at year end are not missing in a
    quarter, nor are ratings (a quarter's check has none).
    """
    quarterly = "Q" in actuals.period
    out: list[str] = []
    for ind in plan.indicators:
        if quarterly and ind.when == "year_end":
            continue
        for unit in plan.unit_names:
            cell = actuals.units.get(unit, {}).get(ind.id)
            if cell is not None and cell.value is None:
                out.append(f"{cell.source}({unit} {ind.id} {ind.name})")
    for ct in plan.city_targets:
        cell = actuals.city_targets.get(ct.id)
        if cell is not None and cell.value is None and not (quarterly and ct.when == "year_end"):
            out.append(f"{cell.source}({ct.id} {ct.name})")
    if not quarterly:
        for dep in plan.departments:
            cell = actuals.ratings.get(dep.name)
            if cell is not None and cell.value is None:
                out.append(f"{cell.source}({dep.name} 评价)")
    return out
