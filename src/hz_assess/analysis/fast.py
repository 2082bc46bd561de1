"""The fast re-scoring of the robustness analysis: one assessment's cells classified once, and per
scenario only what the scenario varies recomputed.

Each row's score rate is fixed by its actual and target except where a varied rate enters
it, and a district's total is the points-weighted sum of rates, added in the plan's row order
exactly as `score_cells` adds them, so the totals are the numeric core's to the last bit. A
department's indicator part is taken on the rates themselves (base ÷ W: the points cancel).
Ranks and grades come from `rank_group` itself, asked once per distinct order of a group
(`Ranker`).
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import add, mul, neg
from typing import NamedTuple

from hz_assess.analysis.scenarios import Scenario
from hz_assess.models import Actuals, Adjustment, Cell, Plan, ScoringParams
from hz_assess.rules import Completion, Growth, Qualitative
from hz_assess.scoring.core import Method, Row
from hz_assess.scoring.standings import Standing, capped_adjustments, published, rank_group, rating_factor

__all__ = ["Fast", "Outcome", "Ranker", "published_fast"]

Outcome = tuple[tuple[int, ...], tuple[str, ...]]  # a group's ranks and grades, in the plan's order of its units


def _sequential(values: Iterable[float]) -> float:
    return reduce(add, values, 0.0)


# A sum of floats added one by one from 0.0, as `score_cells` adds with +=: the builtin sum does
# exactly that up to Python 3.11 (and faster); from 3.12 it compensates, so reduce takes over.
add_up: Callable[[Iterable[float]], float] = sum if sys.version_info < (3, 12) else _sequential


def published_fast(x: float, precision: int) -> float:
    """`published` without Decimal where it cannot matter: away from a half, k/10^p is the same float.

    Both are the double nearest the decimal k·10^-p; only within 1e-6 of a half (where the
    binary product x·10^p might round the other way) is the decimal asked."""
    scale: int = 10 ** precision
    y = x * scale
    floor = math.floor(y)
    frac = y - floor
    if abs(frac - 0.5) < 1e-6:
        return published(x, precision)
    return (floor + (1 if frac > 0.5 else 0)) / scale


# a cell's kind: how its score rate follows from the rates
SKIP, FIXED, GROWTH_UP, GROWTH_DOWN, COMPLETION_UP = range(5)


@dataclass(slots=True)
class _Cell:
    kind: int
    rate: float = 0.0  # FIXED: base ÷ W as scored; else 1 (full base) or, below target, recomputed
    x: float = 0.0  # GROWTH_UP: a − t; GROWTH_DOWN: t − a; COMPLETION_UP: r − 1
    bonus: float = 0.0  # the row's planned bonus rate (growth or completion) or penalty (growth, below)
    cap: float = 0.0


def _classify(rule: Growth | Completion | Qualitative, target: object, cell: Cell | None, counted: bool) -> _Cell:
    """How one cell's base and over follow from the rates, mirroring the rule's arithmetic."""
    if not counted:
        return _Cell(SKIP)
    actual = None if cell is None else cell.value
    if actual is None:
        return _Cell(FIXED)  # missing: counts in the points, scores nothing
    if isinstance(rule, Qualitative):
        return _Cell(FIXED, rule.levels[str(actual)])
    assert isinstance(actual, float | int) and isinstance(target, float | int)
    if isinstance(rule, Growth):
        if actual >= target:
            return _Cell(GROWTH_UP, 1.0, actual - target, rule.bonus_per_point, rule.bonus_cap)
        return _Cell(GROWTH_DOWN, 0.0, target - actual, rule.penalty_per_point)
    if target == 0:
        return _Cell(FIXED, 1.0 if actual >= 0 else 0.0)
    r = actual / target
    if r >= 1.0:
        return _Cell(COMPLETION_UP, 1.0, r - 1.0, rule.bonus_per_ratio, rule.bonus_cap)
    return _Cell(FIXED, r if r >= rule.zero_below else 0.0)


class Ranker:
    """`rank_group`, asked once per distinct order of a group.

    Its ranks and grades depend only on the order of (published total, tie-break scores),
    which neighbours are equal in both, each unit's grade band, whether it is barred and
    whether it is ranked at all: that is the key of the cache, and a new key is settled by
    `rank_group` itself. Tie-break scores come negated, so one ascending sort orders them."""

    def __init__(self, names: Sequence[str], scoring: ScoringParams, tie_break: Sequence[str], quarterly: bool,
                 *, repeats: bool = False):
        self.repeats = repeats  # the same inputs come back often (a department group): remember them too
        self.seen: dict[tuple[object, ...], Outcome] = {}
        self.names = list(names)
        self.scoring = scoring
        self.tie_break = tie_break
        self.quarterly = quarterly
        self.mins = sorted(g.min for g in scoring.grades)
        self.cache: dict[tuple[object, ...], Outcome] = {}

    def __call__(self, totals: Sequence[float], negkeys: Sequence[tuple[float, ...]], barred: Sequence[bool],
                 ranked: tuple[bool, ...] = ()) -> Outcome:
        if self.repeats:
            inputs = (tuple(totals), tuple(negkeys), tuple(barred), ranked)
            known = self.seen.get(inputs)
            if known is None:
                known = self.seen[inputs] = self._settle(totals, negkeys, barred, ranked)
            return known
        return self._settle(totals, negkeys, barred, ranked)

    def _settle(self, totals: Sequence[float], negkeys: Sequence[tuple[float, ...]], barred: Sequence[bool],
                ranked: tuple[bool, ...]) -> Outcome:
        mins, quarterly = self.mins, self.quarterly
        signature: list[object] = [ranked]
        previous: tuple[float, tuple[float, ...]] | None = None
        for p, k, j in sorted(zip(map(neg, totals), negkeys, range(len(totals)), strict=True)):
            signature.append((j, 0 if quarterly else bisect_right(mins, -p), barred[j], (p, k) == previous))
            previous = (p, k)
        key = tuple(signature)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._rank(totals, negkeys, barred, ranked)
        return hit

    def _rank(self, totals: Sequence[float], negkeys: Sequence[tuple[float, ...]], barred: Sequence[bool],
              ranked: tuple[bool, ...]) -> Outcome:
        standings = [Standing(name=name, exact=p, base=p, over=0.0, bonus=0.0, deductions=0.0, low=p, high=p,
                              provisional=False, published=p, barred=["否决"] if bar else [],
                              tie_keys=tuple(-k for k in key), ranked=not ranked or ranked[j])
                     for j, (name, p, key, bar) in enumerate(zip(self.names, totals, negkeys, barred, strict=True))]
        rank_group(standings, self.scoring, self.tie_break, quarterly=self.quarterly)
        return tuple(s.rank or 0 for s in standings), tuple(s.grade for s in standings)


@dataclass
class _Districts:
    """The districts' cells, classified once; per scenario only rates, points and sums are recomputed."""

    template: list[list[float]]  # [unit][row]: the base rate; a growth row below target is recomputed
    down: list[list[tuple[int, float, float]]]  # [unit]: (row, planned penalty, t − a) of rows below target
    over: list[tuple[int, float, int, float, float]]  # (row, planned bonus, 0 growth / 1 completion, x, cap)
    over_slices: list[tuple[int, int]]  # [unit]: its cells in `over` (above target, in row order)
    masks: list[tuple[float, ...]]  # [unit][row]: 1.0 where the row counts in the unit's points
    adjust: list[tuple[float, float]]  # [unit]: capped bonus, deductions
    barring: list[tuple[list[str], bool]]  # [unit]: veto rows judged at the veto level, a 加减分 veto
    ties: list[list[tuple[int, int]]]  # [unit]: per tie-break row (row or −1, its place in `over` or −1)


class _Unit(NamedTuple):
    """One district as a scenario reads it (see `_Districts`)."""

    template: list[float]
    down: list[tuple[int, float, float]]
    mask: tuple[float, ...]
    start: int
    end: int
    bonus: float
    deductions: float
    ties: list[tuple[int, int]]
    veto_rows: list[str]
    adjustment_veto: bool


@dataclass
class _Department:
    name: str
    rows: list[tuple[str, float, _Cell, float]]  # (id, weight, cell, points) of each row that counts
    factor: float  # the rating (the lowest level while none is given)
    weights: tuple[float, float]  # indicator weight, rating weight
    bonus: float
    deductions: float
    barring: tuple[list[str], bool]
    ties: list[tuple[str, float, _Cell, float] | None]
    penalised: bool  # a row's rate depends on the growth penalty
    steady: tuple[float, float] = (0.0, 0.0)  # Σ weight × rate and Σ weight over the rows no rate moves
    moving: list[tuple[float, float, float]] = field(default_factory=list)  # (weight, planned penalty, t − a)


class Fast:
    def __init__(self, plan: Plan, actuals: Actuals, method: Method) -> None:
        sc = self.scoring = plan.scoring
        self.method = method
        self.precision = sc.precision
        self.quarterly = method.quarterly
        adjustments: dict[str, list[Adjustment]] = {}
        for a in actuals.adjustments:
            adjustments.setdefault(a.subject, []).append(a)
        group = method.district_group
        self.ids = [r.id for r in group.rows]
        self.planned = tuple(r.points for r in group.rows)
        t = self.districts = _Districts([], [], [], [], [], [], [], [])
        tie_rows = [group.index(ref) for ref in sc.tie_break]
        for u, name in enumerate(method.districts):
            given = actuals.units.get(name, {})
            cells = [_classify(r.rule, r.targets[u], given.get(r.id), r.targets[u] is not None and not r.pending)
                     for r in group.rows]
            t.template.append([c.rate for c in cells])
            t.down.append([(i, c.bonus, c.x) for i, c in enumerate(cells) if c.kind == GROWTH_DOWN])
            start = len(t.over)
            places = {}
            for i, c in enumerate(cells):
                if c.kind in (GROWTH_UP, COMPLETION_UP) and c.x:
                    places[i] = len(t.over)
                    t.over.append((i, c.bonus, 0 if c.kind == GROWTH_UP else 1, c.x, c.cap))
            t.over_slices.append((start, len(t.over)))
            t.masks.append(tuple(0.0 if c.kind == SKIP else 1.0 for c in cells))
            own = adjustments.get(name, [])
            t.adjust.append(capped_adjustments(own, sc))
            t.barring.append((self._barring(group.rows, cells, given), any(a.veto for a in own)))
            t.ties.append([(-1, -1) if i is None else (i, places.get(i, -1)) for i in tie_rows])
        # per district, everything a scenario reads, in one tuple
        self.units = [_Unit(t.template[u], t.down[u], t.masks[u], *t.over_slices[u], *t.adjust[u], t.ties[u],
                            *t.barring[u]) for u in range(len(t.template))]
        city = {**actuals.units.get(plan.city, {}), **actuals.city_targets}
        dp = sc.departments
        self.departments: dict[str, _Department] = {}
        for d in method.departments:
            rows = []
            for r in d.group.rows:
                cell = _classify(r.rule, r.targets[0], city.get(r.id), r.targets[0] is not None and not r.pending)
                if cell.kind != SKIP:
                    rows.append((r.id, r.weight, cell, r.points))
            weights = dp.groups[d.department.group]
            own = adjustments.get(d.department.name, [])
            bonus, deductions = capped_adjustments(own, sc)
            factor = rating_factor(method, actuals.ratings.get(d.department.name))
            leads = set(d.department.leads)
            veto_rows = [ref for ref, _, c, _ in rows if ref in leads and ref in method.veto and c.kind == FIXED
                         and (found := city.get(ref)) is not None and found.value == sc.veto_level]
            department = self.departments[d.department.name] = _Department(
                name=d.department.name, rows=rows, factor=factor if factor is not None else min(dp.ratings.values()),
                weights=(weights.indicator_weight, weights.rating_weight), bonus=bonus, deductions=deductions,
                barring=(veto_rows, any(a.veto for a in own)),
                ties=[next((row for row in rows if row[0] == ref), None) for ref in dp.tie_break],
                penalised=any(c.kind == GROWTH_DOWN for _, _, c, _ in rows))
            department.steady = (sum(k * c.rate for _, k, c, _ in rows if c.kind != GROWTH_DOWN),
                                 sum(k for _, k, _, _ in rows))
            department.moving = [(k, c.bonus, c.x) for _, k, c, _ in rows if c.kind == GROWTH_DOWN]

    def _barring(self, rows: Sequence[Row], cells: Sequence[_Cell], given: Mapping[str, Cell]) -> list[str]:
        level = self.scoring.veto_level
        return [r.id for r, c in zip(rows, cells, strict=True) if r.id in self.method.veto and c.kind == FIXED
                and (cell := given.get(r.id)) is not None and cell.value == level]

    # -- one scenario

    def districts_at(self, points: Sequence[float], rates: tuple[float, float, float], drop: str | None
                     ) -> tuple[list[float], list[tuple[float, ...]], list[bool], list[float]]:
        """Each district's published total, negated tie-break scores, veto and base, as `unit_standing`
        computes them: every sum in the plan's row order (a row left out weighs 0.0, and x + 0.0 == x)."""
        t = self.districts
        weights = list(points)
        if drop is not None:
            weights[self.ids.index(drop)] = 0.0
        # the rules' own arithmetic: over = W × min(rate × x, cap), rate = the planned rate × its factor
        factors = (rates[0], rates[2])
        over = [weights[i] * (r if (r := (p * factors[k]) * x) < cap else cap) for i, p, k, x, cap in t.over]
        penalty = rates[1]
        cap = self.scoring.over_cap
        precision = self.precision
        sums: dict[tuple[float, ...], float] = {}
        totals, rates_used, barred, bases = [], [], [], []
        for base_rates, down, mask, start, end, bonus, deductions, _, rows, adjustment_veto in self.units:
            if down:
                base_rates = base_rates[:]
                for i, p, x in down:
                    factor = 1.0 - (p * penalty) * x
                    base_rates[i] = factor if factor > 0.0 else 0.0
            total_points = sums.get(mask)
            if total_points is None:
                total_points = sums[mask] = add_up(map(mul, weights, mask))
            scale = 100.0 / total_points if total_points else 0.0
            base = add_up(map(mul, weights, base_rates)) * scale
            over_total = add_up(over[start:end]) * scale
            totals.append(published_fast(base + (over_total if over_total < cap else cap) + bonus - deductions,
                                         precision))
            bases.append(base)
            rates_used.append(base_rates)
            barred.append(adjustment_veto or (bool(rows) and any(ref != drop for ref in rows)))
        # tie-break scores decide nothing unless two totals are equal: only then are they worked out
        # (a row's base + over, as sum(parts) adds them in the core)
        if len(set(totals)) == len(totals):
            keys: list[tuple[float, ...]] = [()] * len(totals)
        else:
            keys = [tuple([-(0 + weights[i] * base_rates[i] + (over[k] if k >= 0 else 0.0)) if i >= 0 else -0.0
                           for i, k in unit.ties]) for unit, base_rates in zip(self.units, rates_used, strict=True)]
        return totals, keys, barred, bases

    def department_at(self, d: _Department, scenario: Scenario) -> tuple[float, tuple[float, ...], bool, float,
                                                                          bool]:
        """One department's published total, negated tie-break scores, veto, base and whether it is ranked,
        as `department_standing` computes them. Its indicator part is Σ weight × score rate ÷ Σ weight
        (SPEC §4.8) taken on the rates themselves: base ÷ W, W cancelling, so points do not enter it."""
        drop = scenario.drop
        penalty = scenario.rates[1]
        if drop is None:  # only the rows below a growth target move: the rest is summed once
            rate, weight = d.steady
            for k, p, x in d.moving:
                factor = 1.0 - (p * penalty) * x
                rate += k * (factor if factor > 0.0 else 0.0)
        else:
            rate = weight = 0.0
            for ref, k, c, _ in d.rows:
                if ref == drop:
                    continue
                weight += k
                if c.kind == GROWTH_DOWN:
                    factor = 1.0 - (c.bonus * penalty) * c.x
                    rate += k * (factor if factor > 0.0 else 0.0)
                else:
                    rate += k * c.rate
        part = rate / weight if weight else None
        if self.quarterly:
            exact = base = 100.0 * (part or 0.0)
        else:
            iw, rw = d.weights if part is not None else (0.0, 100.0)
            base = iw * (part or 0.0) + rw * d.factor
            exact = base + d.bonus - d.deductions
        keys = tuple(-self._department_tie(row, scenario) if row is not None else -0.0 for row in d.ties)
        rows, adjustment_veto = d.barring
        return (published_fast(exact, self.precision), keys, adjustment_veto or any(r != drop for r in rows), base,
                part is not None or not self.quarterly)

    def _department_tie(self, row: tuple[str, float, _Cell, float], scenario: Scenario) -> float:
        """A tie-break row's base + over on the row's points (the district points reach the city's rows too)."""
        ref, _, c, w = row
        if ref == scenario.drop:
            return 0.0
        if scenario.points and ref in self.ids:
            w = scenario.points[self.ids.index(ref)]
        base_rate, over = c.rate, 0.0
        if c.kind == GROWTH_DOWN:
            factor = 1.0 - (c.bonus * scenario.rates[1]) * c.x
            base_rate = factor if factor > 0.0 else 0.0
        elif c.kind in (GROWTH_UP, COMPLETION_UP) and c.x:
            r = (c.bonus * (scenario.rates[0] if c.kind == GROWTH_UP else scenario.rates[2])) * c.x
            over = w * (r if r < c.cap else c.cap)
        return 0 + w * base_rate + over


