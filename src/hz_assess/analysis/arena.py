"""A unit among the units ranked with it, re-scored on the numeric core, and the goals it may reach.

`Arena` scores one unit (a district, or a department on its view of the city's actuals) as
`unit_standing` / `department_standing` do, and ranks and grades it with `rank_group` among
the others, whose results stay as scored. A quarterly run is judged for the year end on
`project_year`'s carried actuals.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from hz_assess.models import NO_BREAKDOWN, Actuals, Adjustment, Cell, Plan, TargetCell
from hz_assess.scoring.core import DepartmentRows, Numbers, compile_method, quarter_of
from hz_assess.scoring.standings import DepartmentParts, Standing, department_standing, rank_group, unit_standing

__all__ = ["Arena", "Goal", "Position", "position", "project_year"]


@dataclass(frozen=True)
class Goal:
    """A grade (at least that grade) or a rank (rank ≤ K)."""

    grade: str | None = None
    rank: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"grade": self.grade} if self.grade is not None else {"rank": self.rank}


@dataclass(frozen=True)
class Position:
    """Where a unit stands: its published total, rank and grade (a quarter's progress, when it is one)."""

    score: float
    exact: float
    rank: int | None
    grade: str
    provisional: bool = False
    barred: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"score": self.score, "rank": self.rank, "grade": self.grade}


# ---------------------------------------------------------------- the year end of a quarterly run


def project_year(plan: Plan, actuals: Actuals) -> Actuals:
    """A quarterly run's actuals carried to the year end, for judging what the year needs.

    Flows (schedule prorate) at their present pace: actual × 4/q, which scores exactly as
    the quarter scored them against target × q/4; rates and levels as they are; rows judged
    only at year end (schedule year_end), when not filled yet, at their target (完成 for a
    qualitative row). Every unit is carried the same way. A year-end run is returned as is.
    """
    quarter = quarter_of(actuals.period)
    if quarter is None:
        return actuals
    top = max(plan.scoring.qualitative.levels.items(), key=lambda kv: kv[1])[0]

    def carry(when: str, target: TargetCell, cell: Cell | None) -> Cell | None:
        if when == "prorate":
            if cell is not None and isinstance(cell.value, int | float):
                return Cell(value=cell.value * 4 / quarter, where=cell.where)
            return cell
        if when == "year_end" and (cell is None or cell.value is None) and target is not None \
                and target != NO_BREAKDOWN:
            return Cell(value=top if isinstance(target, str) else float(target))
        return cell

    units: dict[str, dict[str, Cell]] = {}
    for unit in plan.unit_names:
        cells = dict(actuals.units.get(unit, {}))
        for ind in plan.indicators:
            if ind.applies_to(unit):
                carried = carry(ind.when, ind.target(unit), cells.get(ind.id))
                if carried is not None:
                    cells[ind.id] = carried
        units[unit] = cells
    city_targets = dict(actuals.city_targets)
    for ct in plan.city_targets:
        carried = carry(ct.when, ct.target, city_targets.get(ct.id))
        if carried is not None:
            city_targets[ct.id] = carried
    return actuals.model_copy(update={"period": actuals.period[:4], "units": units, "city_targets": city_targets})


# ---------------------------------------------------------------- the unit among its group


class Arena:
    """One unit among the units ranked with it, re-scored on the numeric core; the others stay as scored."""

    def __init__(self, plan: Plan, actuals: Actuals, unit: str) -> None:
        self.plan = plan
        method = self.method = compile_method(plan, actuals.period)
        adjustments: dict[str, list[Adjustment]] = {}
        for a in actuals.adjustments:
            adjustments.setdefault(a.subject, []).append(a)
        self.adjustments = adjustments.get(unit, [])
        self.unit = unit
        self.dep: DepartmentRows | None = None
        self.rating: Cell | None = None
        self.kind: Literal["district", "department"]
        self.others: list[Standing]
        self.tie_break: Sequence[str]
        if unit in method.districts:
            self.kind, self.u, self.group, self.label = "district", method.districts.index(unit), \
                method.district_group, "县区"
            self.cells: dict[str, Cell] = dict(actuals.units.get(unit, {}))
            self.others = [unit_standing(method, name, j, actuals.units.get(name, {}), adjustments.get(name, []))[0]
                           for j, name in enumerate(method.districts) if name != unit]
            self.tie_break = plan.scoring.tie_break
            return
        dep = next((d for d in method.departments if d.department.name == unit), None)
        if dep is None:
            raise ValueError(f"{unit!r} is neither a district nor a department of the plan")
        key = dep.department.group
        self.kind, self.u, self.group, self.dep = "department", 0, dep.group, dep
        self.label = plan.scoring.departments.groups[key].name
        self.cells = {**actuals.units.get(plan.city, {}), **actuals.city_targets}
        self.rating = actuals.ratings.get(unit)
        self.others = [department_standing(method, d, self.cells, actuals.ratings.get(d.department.name),
                                           adjustments.get(d.department.name, []))[0]
                       for d in method.department_group(key) if d is not dep]
        self.tie_break = plan.scoring.departments.tie_break

    @property
    def size(self) -> int:
        return len(self.others) + 1

    def standing(self, cells: Mapping[str, Cell], rating: Cell | None) -> tuple[Standing, Numbers,
                                                                               DepartmentParts | None]:
        if self.dep is None:
            s, nums = unit_standing(self.method, self.unit, self.u, cells, self.adjustments)
            return s, nums, None
        return department_standing(self.method, self.dep, cells, rating, self.adjustments)

    def rank(self, s: Standing) -> list[Standing]:
        """Rank and grade `s` among copies of the others (rank_group writes into what it is given)."""
        everyone = [dataclasses.replace(o, rank=None, grade="", tie_note="") for o in self.others]
        everyone.append(s)
        rank_group(everyone, self.method.scoring, self.tie_break, quarterly=self.method.quarterly)
        return everyone

    def outcome(self, cells: Mapping[str, Cell], rating: Cell | None) -> Standing:
        s = self.standing(cells, rating)[0]
        self.rank(s)
        return s


def position(s: Standing) -> Position:
    return Position(score=s.published, exact=s.exact, rank=s.rank, grade=s.progress or s.grade,
                    provisional=s.provisional, barred=tuple(s.barred))


