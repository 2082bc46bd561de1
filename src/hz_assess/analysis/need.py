"""What it takes (SPEC §8.1): for one unit and a goal, the actual each indicator alone would need,
and the fewest indicators that, brought to target, reach the goal.

The unit is re-scored on the numeric core among the units ranked with it; their results
stay as scored (for a department too: only its own view of a city cell is varied). A goal
is a grade — the grade the unit would be given, band, 优秀 quota, tie-break and veto all
applied by `rank_group` — or a rank (rank ≤ K, a shared rank counting as that rank).

Every figure is found in two steps. First the total's formula and the exact inverse of
the row's rule (inverse.py) give the actual that lifts the total to the least published
total that reaches the goal; it is rounded up to the precision the plan writes the row's
targets in. Then re-scoring settles it: the figure reported is the least value on that
grid that reaches the goal — re-scored to reach it, and re-scored one grid step (and 1%)
below not to. Whether a unit reaches its goal can only improve as one actual rises (the
total, the tie-break scores and so the rank and grade are all non-decreasing in it), so
that search is exact; a failed check would be a bug, and raises instead of printing.

A quarterly run is judged for the full year: the actuals are carried to the year end
(`project_year`) — flows at their present pace, rates and levels as they are, rows judged
only at year end at target when not filled yet — and the figures are what the year must
deliver; for a flow, the rest of the year's share is the figure less the actual so far.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Literal

from hz_assess.analysis.arena import Arena, Goal, Position, position, project_year
from hz_assess.analysis.grid import grid_ceil, least, less, on_grid, row_decimals
from hz_assess.analysis.inverse import actual_for_base, actual_for_over, highest_useful, least_below, levels_upward
from hz_assess.errors import Problem, UsageError
from hz_assess.models import Actuals, Cell, CellValue, Plan, TargetCell, quota_places
from hz_assess.rules import Completion, Growth, Qualitative, n
from hz_assess.scoring.core import BELOW, MISSING, Row, quarter_of, statuses
from hz_assess.scoring.standings import Standing, published

__all__ = ["Goal", "Lift", "NeedResult", "Position", "RatingNeed", "RowNeed", "Threshold", "need", "project_year"]

Status = Literal["needed", "any", "unreachable"]
# The exact search over subsets stays below ~33,000 re-scorings (2^15); more candidates use the greedy order.
EXACT_SEARCH_MAX = 15


@dataclass(frozen=True)
class Threshold:
    """The least published total that reaches the goal, and why it is that total.

    `total` keeps the unit's own tie-break scores and veto as they are (None: no total is
    enough, e.g. a veto bars the grade); `band` is the goal grade's own minimum; `places`
    its quota among `units`; `holders` the other units that hold the goal now, in rank
    order; `tied` those whose total equals `total` (the tie-break or a shared place decides).
    """

    total: float | None
    exact: float | None  # the least exact total that publishes as `total`
    band: float | None
    places: int | None
    units: int
    holders: tuple[tuple[str, float, int | None], ...]
    tied: tuple[str, ...]
    barred: tuple[str, ...]


@dataclass
class RowNeed:
    """One indicator alone: the actual it would need, others unchanged."""

    id: str
    name: str
    unit: str
    rule: str
    target: TargetCell
    actual: CellValue
    required: float | str | None
    reachable: bool
    status: Status
    decimals: int
    so_far: CellValue = None  # a quarterly run: the actual to date
    remaining: float | None = None  # a quarterly run, a flow: what the rest of the year must add
    assumed: bool = False  # a quarterly run: a year-end row not filled yet, taken at target
    steps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "unit": self.unit, "actual": self.actual, "required": self.required,
                "reachable": self.reachable, "status": self.status, "target": self.target, "so_far": self.so_far,
                "remaining": self.remaining, "assumed": self.assumed}


@dataclass(frozen=True)
class Lift:
    """A row of the combination: brought from its actual to its target."""

    id: str
    name: str
    unit: str
    actual: CellValue
    to: float | str
    gain: float  # points it adds to the total on its own
    remaining: float | None = None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "to": self.to, "actual": self.actual, "gain": self.gain,
                "remaining": self.remaining}


@dataclass
class RatingNeed:
    """A department's other lever: the least rating (a level, or a 0–100 score) that reaches the goal alone."""

    current: CellValue
    level: str | None
    score: float | None
    status: Status
    steps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"current": self.current, "level": self.level, "score": self.score, "status": self.status}


@dataclass
class NeedResult:
    unit: str
    kind: Literal["district", "department"]
    group: str  # 县区, or the department's group (牵头部门 …)
    period: str  # the run's period
    basis: str  # the period the goal is judged in: the run's, or its year for a quarterly run
    goal: Goal
    goal_is_default: bool
    top: bool  # the unit already has the best grade: the goal is to keep it
    current: Position
    as_of: Position | None  # a quarterly run: the unit's progress at the quarter
    reached: bool
    threshold: Threshold
    per_indicator: list[RowNeed]
    combination: list[Lift]
    combination_reaches: bool
    combination_search: Literal["exact", "greedy"]
    below_target: int  # the rows below target (or missing) the combination chose from
    rating: RatingNeed | None
    precision: int
    input_files: list[str] = field(default_factory=list)

    @property
    def projected(self) -> bool:
        return self.basis != self.period

    def to_json(self) -> dict[str, object]:
        t = self.threshold
        return {
            "unit": self.unit, "kind": self.kind, "group": self.group, "period": self.period, "basis": self.basis,
            "goal": self.goal.to_json(), "current": self.current.to_json(),
            "as_of": None if self.as_of is None else {"period": self.period, "score": self.as_of.score,
                                                      "rank": self.as_of.rank, "progress": self.as_of.grade},
            "reached": self.reached, "required_total": t.total,
            "quota": None if t.places is None else {"places": t.places, "units": t.units,
                                                    "holders": [name for name, _, _ in t.holders]},
            "barred": list(t.barred),
            "per_indicator": [r.to_json() for r in self.per_indicator],
            "combination": [c.to_json() for c in self.combination], "combination_reaches": self.combination_reaches,
            "combination_search": self.combination_search, "below_target": self.below_target,
            "rating": None if self.rating is None else self.rating.to_json(),
        }


# ---------------------------------------------------------------- solving


class _Solver:
    def __init__(self, arena: Arena, goal: Goal, original: Actuals | None) -> None:
        self.arena = arena
        self.goal = goal
        self.original = original  # a quarterly run's actuals as they were, before carrying to the year end
        self.sc = arena.method.scoring
        self.grades = [g.name for g in self.sc.grades]
        self.step = 10.0 ** -self.sc.precision
        self.cells = arena.cells
        self.rating = arena.rating
        self.now, self.nums, self.parts = arena.standing(self.cells, self.rating)
        self.ranked = arena.rank(self.now)

    # -- the goal

    def reaches(self, s: Standing) -> bool:
        if self.goal.rank is not None:
            return s.rank is not None and s.rank <= self.goal.rank
        assert self.goal.grade is not None
        return s.grade in self.grades and self.grades.index(s.grade) <= self.grades.index(self.goal.grade)

    def with_cells(self, changes: Mapping[str, CellValue], rating: Cell | None = None) -> Standing:
        cells = dict(self.cells)
        for ref, value in changes.items():
            old = cells.get(ref)
            cells[ref] = Cell(value=value, where=old.where if old is not None else "")
        return self.arena.outcome(cells, self.rating if rating is None else rating)

    def met(self, changes: Mapping[str, CellValue], rating: Cell | None = None) -> bool:
        return self.reaches(self.with_cells(changes, rating))

    def least_total(self, *, hopeful: bool = False) -> float | None:
        """The least published total that reaches the goal, the unit's tie-break scores and veto as they are
        (`hopeful`: as if it won every tie-break and had no veto: a bound for the combination search).

        Reaching the goal changes only where the unit's total crosses a grade's minimum or another
        unit's total, so the least total is one of those, or the next total above another's."""
        p = self.sc.precision
        others = [o.published for o in self.arena.others]
        candidates = {0.0, *(published(o + self.step, p) for o in others), *others,
                      *(on_grid(grid_ceil(g.min, p), p) for g in self.sc.grades)}
        for total in sorted(candidates):
            trial = dataclasses.replace(self.now, published=total, exact=total, rank=None, grade="", tie_note="")
            if hopeful:
                trial.tie_keys = tuple(1e300 for _ in trial.tie_keys)
                trial.barred = []
            self.arena.rank(trial)
            if self.reaches(trial):
                return total
        return None

    def threshold(self) -> Threshold:
        total = self.least_total()
        names = self.grades
        holders: list[Standing] = []
        band = places = None
        others = [s for s in self.ranked if s is not self.now]
        if self.goal.grade is not None:
            goal_index = names.index(self.goal.grade)
            band = self.sc.grades[goal_index].min
            if self.sc.quota and self.goal.grade in self.sc.quota:
                places = quota_places(self.sc.quota[self.goal.grade], self.arena.size)
            holders = [s for s in others if s.grade in names and names.index(s.grade) <= goal_index]
        else:
            assert self.goal.rank is not None
            holders = [s for s in others if s.rank is not None and s.rank <= self.goal.rank]
        holders.sort(key=lambda s: (s.rank or 0, -s.published))
        blocks = self.goal.grade is not None and self.now.barred and \
            names.index(self.goal.grade) <= names.index(self.sc.vetoed_cannot_be)
        return Threshold(
            total=total, exact=None if total is None else total - self.step / 2, band=band, places=places,
            units=self.arena.size, holders=tuple((s.name, s.published, s.rank) for s in holders),
            tied=tuple(s.name for s in others if total is not None and s.published == total),
            barred=tuple(self.now.barred) if blocks else (),
        )

    # -- one row alone

    def rows(self) -> list[tuple[int, Row]]:
        """The unit's assessed rows (once per id), in the plan's order."""
        seen: set[str] = set()
        out = []
        for i, row in enumerate(self.arena.group.rows):
            if row.targets[self.arena.u] is None or row.pending or row.id in seen:
                continue
            seen.add(row.id)
            out.append((i, row))
        return out

    def solve_row(self, i: int, row: Row, need_exact: float | None) -> RowNeed:
        arena = self.arena
        target = row.targets[arena.u]
        cell = self.cells.get(row.id)
        d = row_decimals(arena.plan, row.id)
        out = RowNeed(id=row.id, name=row.name, unit=row.unit, rule=row.rule.kind, target=target,
                      actual=None if cell is None else cell.value, required=None, reachable=False,
                      status="unreachable", decimals=d)
        self._quarter(out, row)
        if isinstance(row.rule, Qualitative):
            self._solve_levels(out, row.rule)
        else:
            assert isinstance(target, int | float)
            self._solve_numeric(out, i, row, row.rule, float(target), need_exact)
        return out

    def _so_far(self, row: Row) -> CellValue:
        """A quarterly run: the row's actual to date (None for a year-end run)."""
        if self.original is None:
            return None
        if self.arena.kind == "district":
            cell = self.original.units.get(self.arena.unit, {}).get(row.id)
        else:
            city = self.original.units.get(self.arena.plan.city, {})
            cell = city.get(row.id) if row.id in city else self.original.city_targets.get(row.id)
        return None if cell is None else cell.value

    def _quarter(self, out: RowNeed, row: Row) -> None:
        if self.original is not None:
            out.so_far = self._so_far(row)
            out.assumed = out.so_far is None and out.actual is not None

    def _solve_levels(self, out: RowNeed, rule: Qualitative) -> None:
        levels = levels_upward(rule)
        tried = []
        for level in levels:
            s = self.with_cells({out.id: level})
            tried.append(f"评定为「{level}」:总分 {s.published:.2f},第 {s.rank} 名,{s.grade}")
            if self.reaches(s):
                out.required, out.reachable = level, True
                out.status = "any" if level == levels[0] else "needed"
                break
        out.steps = ["定性指标:依次按各等级重算", *tried]
        if out.status == "unreachable":
            out.steps.append("评为最高等级也达不到:单项无法达到")
        elif out.status == "any":
            out.steps.append("评为最低等级也能达到:该项不影响目标")
        else:
            out.steps.append(f"至少须评定为「{out.required}」(低一级不能达到)")

    def _solve_numeric(self, out: RowNeed, i: int, row: Row, rule: Growth | Completion, t: float,
                       need_exact: float | None) -> None:
        d = out.decimals
        step = 10.0 ** -d
        checked: dict[int, Standing] = {}

        def at(k: int) -> Standing:
            if k not in checked:
                checked[k] = self.with_cells({row.id: on_grid(k, d)})
            return checked[k]

        def ok(k: int) -> bool:
            return self.reaches(at(k))

        hi = grid_ceil(highest_useful(rule, t), d) + 1  # beyond the row's maximum nothing changes
        lo = grid_ceil(least_below(rule, t), d) - 1  # below it the row scores its least
        guess, steps = self._inverse(i, row, rule, t, need_exact)
        out.steps = steps
        if not ok(hi):
            s = at(hi)
            out.steps.append(f"重算:实绩 {on_grid(hi, d):g}(该项得满分和封顶的超额分)时总分 {s.published:.2f},"
                             f"第 {s.rank} 名,{s.grade}:单项无法达到")
            return
        if ok(lo):
            s = at(lo)
            out.required, out.reachable, out.status = None, True, "any"
            out.steps.append(f"重算:该项得分最低(实绩 {on_grid(lo, d):g})时总分仍为 {s.published:.2f},"
                             f"第 {s.rank} 名,{s.grade}:该项不影响目标")
            return
        start = hi if guess is None or math.isnan(guess) else (lo + 1 if guess == -math.inf else grid_ceil(guess, d))
        start = min(max(start, lo + 1), hi)
        if guess is not None and math.isfinite(guess):
            out.steps.append(f"按计划目标的写法保留 {d} 位小数、向上取整:{on_grid(start, d):g}")
        k = least(ok, lo, hi, start)
        value = on_grid(k, d)
        below = less(value, step)
        s, t_below = at(k), self.with_cells({row.id: below})
        if not self.reaches(s) or self.reaches(t_below):
            raise RuntimeError(f"need: row {row.id} of {self.arena.unit}: {value} failed its confirmation")
        if k != start:
            out.steps.append(f"重算后调整为 {value:g}(取仍能达到目标的最小值)")
        out.steps.append(f"复核:实绩 {value:g} → 总分 {s.published:.2f},第 {s.rank} 名,{s.grade},达到目标;"
                         f"实绩 {n(below)}(少 1%,至少少一档)→ 总分 {t_below.published:.2f},第 {t_below.rank} 名,"
                         f"{t_below.grade},达不到")
        out.required, out.reachable, out.status = value, True, "needed"
        out.remaining = self._remaining(row, value)

    def _flow(self, row: Row) -> bool:
        plan = self.arena.plan
        item = plan.indicator(row.id) or plan.city_target(row.id)
        return item is not None and item.when == "prorate"

    def _inverse(self, i: int, row: Row, rule: Growth | Completion, t: float,
                 need_exact: float | None) -> tuple[float | None, list[str]]:
        """The real-valued actual the total's formula and the rule's inverse give (None: beyond the row's
        reach by the formula; −inf: any), and its steps in words."""
        if need_exact is None:
            return None, ["没有哪个总分能达到目标(见上),仍逐项重算以确认"]
        w, k = row.points, row.weight
        b_i, o_i = self.nums.parts[i]
        s = self.now
        adjust = s.bonus - s.deductions
        steps = [f"目标总分:精确总分须 ≥ {n(need_exact)}(四舍五入后为 {need_exact + self.step / 2:.2f})"]
        if self.parts is None:
            scale = 100.0 / self.nums.points
            base_other = self.nums.base_sum - b_i * k
            over_other = self.nums.over_sum - o_i * k
            cap = self.sc.over_cap
            over_now = min(over_other * scale, cap)
            need_base = ((need_exact - adjust - over_now) / scale - base_other) / k
            steps.append(f"其余指标不变:基本分合计 {n(base_other)},超额分合计 {n(over_other)},计分指标分值合计 "
                         f"{n(self.nums.points)},加减分 {n(adjust)}")
            steps.append(f"总分 = 100 × (基本分合计 + b) ÷ {n(self.nums.points)} + 超额加分 {n(over_now)} + 加减分 "
                         f"{n(adjust)} ≥ {n(need_exact)} → 本项基本分 b ≥ {n(need_base)}(分值 {n(w)})")
            if need_base <= w:
                return self._base_inverse(rule, t, w, need_base, steps)
            room = cap - over_other * scale
            need_over = ((need_exact - adjust - (base_other + w * k) * scale) / scale - over_other) / k
            steps.append(f"基本分满分 {n(w)} 仍不够:还须超额分 o ≥ {n(need_over)}(超额加分合计封顶 {n(cap)} 分,"
                         f"其余指标已有 {n(over_other * scale)} 分)")
            if need_over * k * scale > room + 1e-9 or need_over > row.max_over + 1e-12:
                steps.append(f"超出该项超额分上限({n(row.max_over)})或超额加分封顶:按公式单项无法达到")
                return None, steps
            return self._over_inverse(rule, t, w, need_over, steps)
        parts = self.parts
        group = self.sc.departments.groups[self.arena.dep.department.group] if self.arena.dep else None
        assert group is not None and parts.part is not None
        factor = parts.factor if parts.factor is not None else min(self.sc.departments.ratings.values())
        iw, rw = group.indicator_weight, group.rating_weight
        rate_other = parts.part * parts.weight - row.weight * b_i / w
        need_part = (need_exact - adjust - rw * factor) / iw if iw else math.inf
        need_rate = (need_part * parts.weight - rate_other) / row.weight
        steps.append(f"其余指标不变:Σ 权重 × 得分率 = {n(rate_other)},权重合计 {n(parts.weight)};评价部分 "
                     f"{n(rw)} × {n(factor)},加减分 {n(adjust)}")
        steps.append(f"总分 = {n(iw)} × 指标部分 + {n(rw * factor)} + {n(adjust)} ≥ {n(need_exact)} → 指标部分 ≥ "
                     f"{n(need_part)} → 本项得分率 ≥ {n(need_rate)}(权重 {n(row.weight)})")
        if need_rate > 1.0 + 1e-12:
            steps.append("得分率最高为 1(超额部分不计入部门得分):按公式单项无法达到")
            return None, steps
        return self._base_inverse(rule, t, w, need_rate * w, steps)

    def _base_inverse(self, rule: Growth | Completion, t: float, w: float, need_base: float,
                      steps: list[str]) -> tuple[float, list[str]]:
        a = actual_for_base(rule, t, w, need_base)
        share = need_base / w
        if a == -math.inf:
            steps.append("本项得 0 分也够:不需要该项")
        elif isinstance(rule, Growth):
            steps.append(f"增幅类:b = {n(w)} × (1 − {n(rule.penalty_per_point)} × (目标 {n(t)} − a)) → a ≥ {n(t)} − "
                         f"(1 − {n(share)}) ÷ {n(rule.penalty_per_point)} = {n(a)}")
        elif t == 0:
            steps.append("目标为 0:实绩不为负即得满分 → a ≥ 0")
        elif share <= rule.zero_below:
            z = n(rule.zero_below)
            steps.append(f"完成率类:完成率低于 {z} 不得分 → a ≥ {z} × {n(t)} = {n(a)}")
        else:
            steps.append(f"完成率类:b = {n(w)} × a ÷ {n(t)} → a ≥ {n(t)} × {n(share)} = {n(a)}")
        return a, steps

    def _over_inverse(self, rule: Growth | Completion, t: float, w: float, need_over: float,
                      steps: list[str]) -> tuple[float | None, list[str]]:
        a = actual_for_over(rule, t, w, need_over)
        if a is None:
            steps.append(f"超出该项超额分上限 {n(w * rule.bonus_cap)}:按公式单项无法达到")
        elif isinstance(rule, Growth):
            rate = n(rule.bonus_per_point)
            steps.append(f"增幅类:o = {n(w)} × {rate} × (a − {n(t)}) → a ≥ {n(t)} + {n(need_over)} ÷ "
                         f"({n(w)} × {rate}) = {n(a)}")
        else:
            steps.append(f"完成率类:o = {n(w)} × {n(rule.bonus_per_ratio)} × (a ÷ {n(t)} − 1) → a ≥ {n(t)} × (1 + "
                         f"{n(need_over)} ÷ ({n(w)} × {n(rule.bonus_per_ratio)})) = {n(a)}")
        return a, steps

    # -- the fewest rows brought to target

    def combination(self) -> tuple[list[Lift], bool, Literal["exact", "greedy"], int]:
        """The fewest rows below target (or missing) that, all brought to target, reach the goal.

        Bringing a row to target adds (W − base) to the base sum and nothing to over (a row at
        its target has no over), so each row's gain on the total is the same whatever else is
        chosen. Up to EXACT_SEARCH_MAX candidates every subset is tried by re-scoring, smallest
        first, which also settles tie-breaks and veto rows; among the subsets of the least size
        that reach the goal the one with the largest gain is kept. Beyond that the greedy order
        is exact for the total — the k rows of largest gain give the largest total any k rows
        can — and a unit barred by veto rows is tried with those rows forced in first.
        """
        candidates = []
        current = self.now.exact
        for i, row in self.rows():
            st = statuses(self.arena.group, self.nums)[i]
            if st not in (BELOW, MISSING):
                continue
            to = self._target_value(row)
            gain = self.arena.standing(self._changed({row.id: to}), self.rating)[0].exact - current
            cell = self.cells.get(row.id)
            candidates.append(Lift(id=row.id, name=row.name, unit=row.unit, actual=None if cell is None else cell.value,
                                   to=to, gain=gain, remaining=self._remaining(row, to)))
        if self.reaches(self.now):
            return [], True, "exact", len(candidates)
        if not candidates or not self.met({c.id: c.to for c in candidates}):
            return [], False, "exact" if len(candidates) <= EXACT_SEARCH_MAX else "greedy", len(candidates)
        if len(candidates) <= EXACT_SEARCH_MAX:
            return self._exact(candidates), True, "exact", len(candidates)
        return self._greedy(candidates), True, "greedy", len(candidates)

    def _exact(self, candidates: list[Lift]) -> list[Lift]:
        hopeful = self.least_total(hopeful=True)
        need_gain = -math.inf if hopeful is None else hopeful - self.step / 2 - self.now.exact - 1e-9
        gains = sorted((c.gain for c in candidates), reverse=True)
        for size in range(1, len(candidates) + 1):
            if sum(gains[:size]) < need_gain:
                continue  # not even the largest gains of this many rows lift the total far enough
            best: tuple[float, tuple[Lift, ...]] | None = None
            for subset in combinations(candidates, size):
                gain = sum(c.gain for c in subset)
                if gain < need_gain or (best is not None and gain <= best[0]):
                    continue
                if self.met({c.id: c.to for c in subset}):
                    best = (gain, subset)
            if best is not None:
                return list(best[1])
        raise RuntimeError("need: the whole set reached the goal but no subset did")

    def _greedy(self, candidates: list[Lift]) -> list[Lift]:
        order = sorted(candidates, key=lambda c: -c.gain)  # stable: equal gains keep the plan's order
        forced = [c for c in order if c.id in self._barring_rows()]
        rest = [c for c in order if c not in forced]
        for size in range(1, len(order) + 1):
            tries = [order[:size]]
            if forced and len(forced) <= size:
                tries.append(forced + rest[:size - len(forced)])
            for subset in tries:
                if self.met({c.id: c.to for c in subset}):
                    return sorted(subset, key=lambda c: -c.gain)
        raise RuntimeError("need: the whole set reached the goal but no prefix did")

    def _barring_rows(self) -> set[str]:
        level = self.sc.veto_level
        return {row.id for _, row in self.rows() if row.id in self.arena.method.veto
                and (cell := self.cells.get(row.id)) is not None and cell.value == level}

    def _changed(self, changes: Mapping[str, CellValue]) -> dict[str, Cell]:
        cells = dict(self.cells)
        for ref, value in changes.items():
            cells[ref] = Cell(value=value)
        return cells

    def _target_value(self, row: Row) -> float | str:
        target = row.targets[self.arena.u]
        if isinstance(row.rule, Qualitative):
            return levels_upward(row.rule)[-1]
        assert isinstance(target, int | float)
        return float(target)

    def _remaining(self, row: Row, value: float | str) -> float | None:
        """A quarterly run, a flow: what the rest of the year must add to the actual so far to reach `value`."""
        so_far = self._so_far(row)
        if not isinstance(value, float) or not isinstance(so_far, int | float) or not self._flow(row):
            return None
        return float(Decimal(repr(value)) - Decimal(repr(float(so_far))))

    # -- a department's rating

    def solve_rating(self, need_exact: float | None) -> RatingNeed:
        """The least rating level, and the least 0–100 rating, that reach the goal with the rows as they are."""
        ratings = self.sc.departments.ratings
        out = RatingNeed(current=None if self.rating is None else self.rating.value, level=None, score=None,
                         status="unreachable")
        levels = [name for _, _, name in sorted((f, i, name) for i, (name, f) in enumerate(ratings.items()))]
        out.steps = ["部门评价:依次按各评价等级重算"]
        for level in levels:
            s = self.with_cells({}, Cell(value=level))
            out.steps.append(f"评价「{level}」:总分 {s.published:.2f},第 {s.rank} 名,{s.grade}")
            if self.reaches(s):
                out.level = level
                break

        def ok(k: int) -> bool:
            return self.met({}, Cell(value=float(k)))

        if ok(0):
            out.score, out.status = 0.0, "any"
            out.steps.append("评价为 0 分也能达到:评价不影响目标")
        elif ok(100):
            k = least(ok, 0, 100, self._rating_guess(need_exact))
            if ok(k - 1):
                raise RuntimeError(f"need: rating {k} of {self.arena.unit} failed its confirmation")
            out.score, out.status = float(k), "needed"
            out.steps.append(f"按 0–100 分评价:至少 {k} 分(重算复核:{k - 1} 分达不到)")
        else:
            out.steps.append("评价为 100 分也达不到:仅靠评价无法达到")
        return out

    def _rating_guess(self, need_exact: float | None) -> int:
        """The rating score the total's formula asks for: (total − indicator part − 加减分) ÷ rating weight."""
        if need_exact is None or self.parts is None or self.arena.dep is None:
            return 50
        group = self.sc.departments.groups[self.arena.dep.department.group]
        measured = self.parts.part is not None
        iw = group.indicator_weight if measured else 0.0
        rw = group.rating_weight if measured else 100.0
        if not rw:
            return 50
        factor = (need_exact - self.now.bonus + self.now.deductions - iw * (self.parts.part or 0.0)) / rw
        return min(max(math.ceil(factor * 100 - 1e-9), 1), 99)


# ---------------------------------------------------------------- the whole


def _goal(plan: Plan, goal: Goal | None, current: Standing, units: int) -> tuple[Goal, bool, bool]:
    """The goal asked for, or the next grade above the current one (keeping the best grade when it has it)."""
    names = [g.name for g in plan.scoring.grades]
    if goal is not None and goal.grade is not None:
        if goal.grade not in names:
            raise UsageError(Problem("need_grade", "", f"没有「{goal.grade}」这一等次,可用:{'、'.join(names)}"))
        return goal, False, False
    if goal is not None and goal.rank is not None:
        if not 1 <= goal.rank <= units:
            raise UsageError(Problem("need_rank", "", f"名次应在 1 到 {units} 之间(共 {units} 个单位一起排名)"))
        return goal, False, False
    index = names.index(current.grade) if current.grade in names else len(names) - 1
    if index == 0:
        return Goal(grade=names[0]), True, True
    return Goal(grade=names[index - 1]), True, False


def need(plan: Plan, actuals: Actuals, unit: str, goal: Goal | None = None) -> NeedResult:
    """What `unit` (a district or department, by its canonical name) needs to reach `goal`.

    `goal` None: the next grade above the unit's current grade. A quarterly run is judged at
    the year end (see `project_year`); the run's own standing is kept in `as_of`.
    """
    as_of = original = None
    if quarter_of(actuals.period) is not None:
        at_quarter = Arena(plan, actuals, unit)
        as_of = position(at_quarter.outcome(at_quarter.cells, at_quarter.rating))
        original = actuals
        actuals = project_year(plan, actuals)
    arena = Arena(plan, actuals, unit)
    solver = _Solver(arena, Goal(rank=1), original)  # the goal is settled once the current grade is known
    chosen, default, top = _goal(plan, goal, solver.now, arena.size)
    solver.goal = chosen
    threshold = solver.threshold()
    rows = [solver.solve_row(i, row, threshold.exact) for i, row in solver.rows()]
    combination, reaches, search, below = solver.combination()
    rating = solver.solve_rating(threshold.exact) if arena.kind == "department" else None
    return NeedResult(
        unit=unit, kind=arena.kind, group=arena.label, period=original.period if original else actuals.period,
        basis=actuals.period, goal=chosen, goal_is_default=default, top=top, current=position(solver.now),
        as_of=as_of, reached=solver.reaches(solver.now), threshold=threshold, per_indicator=rows,
        combination=combination, combination_reaches=reaches, combination_search=search, below_target=below,
        rating=rating,
        precision=plan.scoring.precision,
        input_files=[actuals.path] if actuals.path else [],
    )
