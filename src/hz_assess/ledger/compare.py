"""What changed between two recorded runs (`compare N M`): inputs cell by cell, then results.

Pure: two Runs in, a Comparison out. Inputs are compared on the Actuals as read (every
unit's indicator cells, the city targets, the department ratings and the 加减分 items,
including cells filled or emptied); results on each district's and department's total,
rank, grade and provisional flag. Runs of different plans, plan files, periods or tool
versions can be compared, and the comparison's notes say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from itertools import zip_longest
from typing import Any

from hz_assess.labels import CHANGE_KINDS
from hz_assess.ledger.records import Run, RunInfo
from hz_assess.models import Adjustment, Assessment, Cell, DepartmentResult, UnitResult

Value = float | int | str | None

ADDED, REMOVED, CHANGED = "新增", "删除", "修改"


@dataclass(frozen=True)
class Change:
    """One difference. `kind` is a stable code (KIND_TEXT gives its Chinese label)."""

    kind: str
    subject: str  # the unit or department
    item: str  # the indicator or 加减分 item; "" for a result
    where: str  # the cell the value was read from; "" for a result
    old: Value
    new: Value
    change: str  # 新增 / 删除 / 修改, a signed difference, or 上升/下降 N 位

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind_text": CHANGE_KINDS[self.kind]}


@dataclass(frozen=True)
class Comparison:
    old: RunInfo
    new: RunInfo
    notes: list[str]
    changes: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old.to_json(), "new": self.new.to_json(), "notes": self.notes,
                "changes": [c.to_json() for c in self.changes]}


def compare_runs(old: Run, new: Run) -> Comparison:
    names = {**_indicator_names(old.assessment), **_indicator_names(new.assessment)}
    city = new.assessment.city.name
    x, y = old.actuals, new.actuals
    changes: list[Change] = []
    for unit in _union(y.units, x.units):
        changes += _cells("cell", unit, x.units.get(unit, {}), y.units.get(unit, {}), names)
    changes += _cells("city_target", city, x.city_targets, y.city_targets, names)
    for dep in _union(y.ratings, x.ratings):
        changes += _cells("rating", dep, {"": x.ratings[dep]} if dep in x.ratings else {},
                          {"": y.ratings[dep]} if dep in y.ratings else {}, {})
    changes += _adjustments(x.adjustments, y.adjustments)
    changes += _results(old.assessment.districts, new.assessment.districts)
    changes += _results(old.assessment.departments, new.assessment.departments)
    return Comparison(old.info, new.info, _notes(old.info, new.info), changes)


# ---------------------------------------------------------------- inputs


def _cells(kind: str, subject: str, old: Mapping[str, Cell], new: Mapping[str, Cell],
           names: Mapping[str, str]) -> list[Change]:
    out = []
    for key in sorted(set(old) | set(new), key=_id_key):
        before, after = old.get(key), new.get(key)
        a = before.value if before else None
        b = after.value if after else None
        if _same(a, b):
            continue
        where = after.where if after is not None and after.where else (before.where if before else "")
        item = f"{key} {names[key]}" if key in names else key
        out.append(Change(kind, subject, item, where, a, b, _delta(a, b)))
    return out


def _adjustments(old: list[Adjustment], new: list[Adjustment]) -> list[Change]:
    """加减分 items paired by (subject, item) in order; unpaired ones were added or removed."""
    def by_key(items: list[Adjustment]) -> dict[tuple[str, str], list[Adjustment]]:
        groups: dict[tuple[str, str], list[Adjustment]] = {}
        for adj in items:
            groups.setdefault((adj.subject, adj.item), []).append(adj)
        return groups

    olds, news = by_key(old), by_key(new)
    out = []
    for key in _union(news, olds):
        for a, b in zip_longest(olds.get(key, []), news.get(key, [])):
            where = b.where if b is not None else a.where
            if a is None or b is None:
                out.append(Change("adjustment", key[0], key[1], where, None if a is None else a.points,
                                  None if b is None else b.points, ADDED if a is None else REMOVED))
            elif not _same(a.points, b.points):
                out.append(Change("adjustment", key[0], key[1], where, a.points, b.points, _delta(a.points, b.points)))
            elif a.basis != b.basis:
                out.append(Change("adjustment", key[0], f"{key[1]}(依据)", where, a.basis, b.basis, CHANGED))
    return out


# ---------------------------------------------------------------- results


Result = UnitResult | DepartmentResult


def _results(old: Iterable[Result], new: Iterable[Result]) -> list[Change]:
    """Total, rank, grade and provisional flag of every district (or department) that changed."""
    olds, news = {r.name: r for r in old}, {r.name: r for r in new}
    out = []
    for name in _union(news, olds):
        a, b = olds.get(name), news.get(name)
        if a is None or b is None:
            out.append(Change("unit", name, "", "", None if a is None else "参评", None if b is None else "参评",
                              ADDED if a is None else REMOVED))
            continue
        if not _same(a.score, b.score):
            out.append(Change("score", name, "", "", a.score, b.score, f"{b.score - a.score:+.2f}"))
        if a.rank != b.rank:
            out.append(Change("rank", name, "", "", a.rank, b.rank, _rank_move(a.rank, b.rank)))
        if a.grade != b.grade:
            out.append(Change("grade", name, "", "", a.grade, b.grade, CHANGED))
        if a.provisional != b.provisional:
            out.append(Change("provisional", name, "", "", _yes(a.provisional), _yes(b.provisional),
                              "转为暂定" if b.provisional else "转为正式结果"))
    return out


def _rank_move(a: int | None, b: int | None) -> str:
    if a is None or b is None:
        return CHANGED
    return f"上升 {a - b} 位" if b < a else f"下降 {b - a} 位"


def _notes(old: RunInfo, new: RunInfo) -> list[str]:
    notes = []
    if old.id == new.id:
        notes.append(f"比较的是同一条记录(第 {old.id} 号)")
    if old.plan_id != new.plan_id:
        notes.append(f"两条记录属于不同的计划({old.plan_id} 与 {new.plan_id}),逐项比较仅供参考")
    else:
        if old.plan_sha256 != new.plan_sha256:
            notes.append("两条记录所用的目标任务文件不同:得分的变化可能来自计划的修改,而不只是数据")
        if old.departments_sha256 != new.departments_sha256:
            notes.append("两条记录所用的部门责任文件不同:部门得分的变化可能来自责任分工的修改,而不只是数据")
    if old.period != new.period:
        notes.append(f"两条记录的期别不同({old.period} 与 {new.period}):目标随期别变化,得分的变化不全来自数据")
    if old.tool_version != new.tool_version:
        notes.append(f"两条记录由不同版本的 hz-assess 计算({old.tool_version} 与 {new.tool_version})")
    return notes


# ---------------------------------------------------------------- small helpers


def _indicator_names(a: Assessment) -> dict[str, str]:
    """Indicator and city-target names as the run's own results give them (SPEC §5 JSON: id, name)."""
    names: dict[str, str] = {}
    for r in [*(i for d in a.districts for i in d.indicators), *a.city.indicators, *a.city.city_targets]:
        names[r.id] = r.name
    return names


def _union(first: Iterable[Any], second: Iterable[Any]) -> list[Any]:
    """Keys of `first` in order, then those only in `second`."""
    seen = dict.fromkeys(first)
    seen.update(dict.fromkeys(k for k in second if k not in seen))
    return list(seen)


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


def _delta(a: Value, b: Value) -> str:
    if a is None:
        return ADDED
    if b is None:
        return REMOVED
    if isinstance(a, int | float) and isinstance(b, int | float):
        diff = float(b) - float(a)
        text = f"{diff:.6f}".rstrip("0").rstrip(".")
        if text in ("0", "-0"):
            return CHANGED  # a difference below the shown precision
        return f"+{text}" if diff > 0 else text
    return CHANGED


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _id_key(key: str) -> tuple[int, int, str]:
    """附件1 rows (1…34) before city targets (C01…), each in number order."""
    digits = "".join(ch for ch in key if ch.isdigit())
    return (0 if key.isdigit() else 1, int(digits) if digits else 0, key)
