"""How much the ranking depends on the method's choices (SPEC §8.2), in the spirit of the JRC's
composite-indicator audits (COINr): the same actuals re-scored under many methods.

The scenarios: first every single-drop scenario once, deterministically (each district
indicator left out in turn, the method otherwise as planned); then `samples` random
methods drawn from `random.Random(seed)`, each varying every district indicator's points
(× U(0.75, 1.25), renormalised to the planned total, 100) and the three rates of the rules
(the growth bonus and penalty per point and the completion bonus per ratio, each ×
U(0.5, 1.5)). Nothing else changes: not the data, targets, caps, the completion cliff,
qualitative levels, grade bands, quota, veto or 加减分. Statistics are taken over all the
scenarios together; the same seed gives the same scenarios and the same output.

Per scenario only what varies is recomputed (`_Fast`): each row's score rate is fixed by
its actual and target except where a rate enters it, and a district's total is the
points-weighted sum of rates, added in the plan's row order exactly as `score_cells`
adds them, so the totals are the numeric core's to the last bit (tests compare every
scenario with `compile_method(plan, period, scenario.overrides(plan))`). Ranks and grades
come from `rank_group` itself, asked once per distinct order of the group (`_Ranker`).
"""

from __future__ import annotations

import math
import random
import sys
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from itertools import combinations
from operator import add, mul, neg
from typing import NamedTuple

from hz_assess.models import Actuals, Adjustment, Cell, DepartmentGroupKey, Plan, ScoringParams
from hz_assess.rules import Completion, Growth, Qualitative
from hz_assess.scoring.core import Method, Overrides, Row, compile_method
from hz_assess.scoring.standings import (
    BEHIND,
    ON_TRACK,
    YEAR_END,
    Standing,
    capped_adjustments,
    department_standing,
    published,
    rank_group,
    rating_factor,
    unit_standing,
)

__all__ = ["FRAGILE", "STABLE", "Robustness", "Scenario", "UnitSpread", "district_rows", "ranking_under", "robustness",
           "scenarios"]

POINT_SPREAD = 0.25  # each indicator's points × U(1 − 0.25, 1 + 0.25)
RATE_SPREAD = 0.50  # each rate × U(1 − 0.5, 1 + 0.5)
FRAGILE = 0.10  # a pair is fragile when its order differs from the method's in more than 10% of scenarios
STABLE = 0.90  # a unit is stable when it keeps its rank and its grade in at least 90% of scenarios
STABLE_TEXT, SENSITIVE_TEXT = "排名稳定", "排名对方法敏感"
DISTRICTS = "district"
GROUP_KEYS: tuple[DepartmentGroupKey, ...] = ("lead", "support", "service")
# the rates varied: (rule kind, parameter)
RATES = (("growth", "bonus_per_point"), ("growth", "penalty_per_point"), ("completion", "bonus_per_ratio"))


class Scenario(NamedTuple):
    """One method to re-score with: district points (empty: as planned), a factor per rate, a row left out."""

    points: tuple[float, ...] = ()  # in the order of the district rows; () = as planned
    rates: tuple[float, float, float] = (1.0, 1.0, 1.0)
    drop: str | None = None

    def overrides(self, plan: Plan, ids: Sequence[str]) -> Overrides:
        """The same scenario for `compile_method` (ids: the district rows, in order)."""
        params: dict[str, dict[str, float]] = {}
        if self.rates != (1.0, 1.0, 1.0):
            for (kind, name), factor in zip(RATES, self.rates, strict=True):
                nominal = getattr(getattr(plan.scoring, kind), name)
                params.setdefault(kind, {})[name] = nominal * factor
        return Overrides(points=dict(zip(ids, self.points, strict=True)) if self.points else {},
                         rule_params=params, drop=(self.drop,) if self.drop else ())


def district_rows(plan: Plan) -> list[str]:
    """The ids of the rows districts are scored on, in the plan's order."""
    return [i.id for i in plan.indicators if i.points is not None]


def scenarios(plan: Plan, samples: int, seed: int) -> list[Scenario]:
    """Every single-drop scenario, then `samples` random methods, all from `random.Random(seed)` alone."""
    ids = district_rows(plan)
    planned = [next(i.points for i in plan.indicators if i.id == ref) or 0.0 for ref in ids]
    total = math.fsum(planned)  # fsum: exactly rounded, so the draws are the same on every Python
    out = [Scenario(drop=ref) for ref in ids]
    draw = random.Random(seed).random
    low, span = 1.0 - POINT_SPREAD, 2 * POINT_SPREAD
    rate_low, rate_span = 1.0 - RATE_SPREAD, 2 * RATE_SPREAD
    for _ in range(samples):
        drawn = [w * (low + span * draw()) for w in planned]
        scale = total / math.fsum(drawn)
        rates = (rate_low + rate_span * draw(), rate_low + rate_span * draw(), rate_low + rate_span * draw())
        out.append(Scenario(tuple([w * scale for w in drawn]), rates))
    return out


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class UnitSpread:
    name: str
    group: str  # 县区, 牵头部门 …
    rank: int | None  # as the method ranks it
    grade: str  # as the method grades it (a quarter: its progress)
    median: float
    q05: int
    q95: int
    grades: dict[str, float]  # grade -> share of scenarios
    rank_kept: float  # share of scenarios with the same rank
    grade_kept: float  # share of scenarios with the same grade
    verdict: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "group": self.group, "rank": self.rank, "median": self.median, "q05": self.q05,
                "q95": self.q95, "grades": self.grades, "verdict": self.verdict, "grade": self.grade,
                "rank_kept": self.rank_kept, "grade_kept": self.grade_kept}


@dataclass(frozen=True)
class FragilePair:
    a: str  # ranked ahead by the method (or first of a tie)
    b: str
    group: str
    flip_rate: float

    def to_json(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "group": self.group, "flip_rate": self.flip_rate}


@dataclass
class Robustness:
    samples: int
    seed: int
    period: str
    drops: list[str]  # the rows left out one at a time
    units: list[UnitSpread]
    fragile_pairs: list[FragilePair]
    rates: dict[str, float]  # the planned rates varied, "growth.bonus_per_point" -> 0.025
    grades: list[str]  # the grade names (a quarter: the progress labels)
    quarterly: bool
    input_files: list[str] = field(default_factory=list)

    @property
    def scenarios(self) -> int:
        return self.samples + len(self.drops)

    def to_json(self) -> dict[str, object]:
        return {
            "samples": self.samples, "seed": self.seed, "scenarios": self.scenarios, "period": self.period,
            "design": {"point_spread": POINT_SPREAD, "rate_spread": RATE_SPREAD, "rates": self.rates,
                       "drops": self.drops, "fragile_above": FRAGILE, "stable_at_least": STABLE},
            "units": [u.to_json() for u in self.units],
            "fragile_pairs": [p.to_json() for p in self.fragile_pairs],
        }


# ---------------------------------------------------------------- the fast re-scoring


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


class _Ranker:
    """`rank_group`, asked once per distinct order of a group.

    Its ranks and grades depend only on the order of (published total, tie-break scores),
    which neighbours are equal in both, each unit's grade band, whether it is barred and
    whether it is ranked at all: that is the key of the cache, and a new key is settled by
    `rank_group` itself. Tie-break scores come negated, so one ascending sort orders them."""

    def __init__(self, names: Sequence[str], scoring: ScoringParams, tie_break: Sequence[str], quarterly: bool,
                 *, repeats: bool = False):
        self.repeats = repeats  # the same inputs come back often (a department group): remember them too
        self.seen: dict[tuple[object, ...], tuple[tuple[int, ...], tuple[str, ...]]] = {}
        self.names = list(names)
        self.scoring = scoring
        self.tie_break = tie_break
        self.quarterly = quarterly
        self.mins = sorted(g.min for g in scoring.grades)
        self.cache: dict[tuple[object, ...], tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def __call__(self, totals: Sequence[float], negkeys: Sequence[tuple[float, ...]], barred: Sequence[bool],
                 ranked: tuple[bool, ...] = ()) -> tuple[tuple[int, ...], tuple[str, ...]]:
        if self.repeats:
            inputs = (tuple(totals), tuple(negkeys), tuple(barred), ranked)
            known = self.seen.get(inputs)
            if known is None:
                known = self.seen[inputs] = self._settle(totals, negkeys, barred, ranked)
            return known
        return self._settle(totals, negkeys, barred, ranked)

    def _settle(self, totals: Sequence[float], negkeys: Sequence[tuple[float, ...]], barred: Sequence[bool],
                ranked: tuple[bool, ...]) -> tuple[tuple[int, ...], tuple[str, ...]]:
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
              ranked: tuple[bool, ...]) -> tuple[tuple[int, ...], tuple[str, ...]]:
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


class _Fast:
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


# ---------------------------------------------------------------- the analysis


@dataclass
class _Group:
    key: str
    label: str
    names: list[str]
    ranker: _Ranker
    nominal_ranks: tuple[int, ...] = ()
    nominal_grades: tuple[str, ...] = ()
    outcomes: Counter[tuple[tuple[int, ...], tuple[str, ...]]] = field(default_factory=Counter)


def _nominal(plan: Plan, actuals: Actuals, method: Method) -> dict[str, list[Standing]]:
    """The method as planned, on the numeric core: each group's ranked standings, in the plan's order."""
    adjustments: dict[str, list[Adjustment]] = {}
    for a in actuals.adjustments:
        adjustments.setdefault(a.subject, []).append(a)
    sc = plan.scoring
    districts = [unit_standing(method, name, u, actuals.units.get(name, {}), adjustments.get(name, []))[0]
                 for u, name in enumerate(method.districts)]
    rank_group(districts, sc, sc.tie_break, quarterly=method.quarterly)
    out = {DISTRICTS: districts}
    city = {**actuals.units.get(plan.city, {}), **actuals.city_targets}
    for key in GROUP_KEYS:
        members = [department_standing(method, d, city, actuals.ratings.get(d.department.name),
                                       adjustments.get(d.department.name, []))[0] for d in method.department_group(key)]
        members = [s for s in members if s.ranked]
        if members:
            rank_group(members, sc, sc.departments.tie_break, quarterly=method.quarterly)
            out[key] = members
    return out


class _Run:
    """One assessment's cells compiled once, and its groups as the method ranks them, ready to re-score
    any scenario (`outcome`): per group the ranks and grades, in the plan's order of its units."""

    def __init__(self, plan: Plan, actuals: Actuals) -> None:
        method = compile_method(plan, actuals.period)
        self.fast = fast = _Fast(plan, actuals, method)
        sc = self.scoring = plan.scoring
        self.quarterly = quarterly = method.quarterly
        self.groups: list[_Group] = []
        for key, standings in _nominal(plan, actuals, method).items():
            label = "县区" if key == DISTRICTS else sc.departments.groups[key].name  # type: ignore[index]
            names = [s.name for s in standings]
            tie_break = sc.tie_break if key == DISTRICTS else sc.departments.tie_break
            ranker = _Ranker(names, sc, tie_break, quarterly, repeats=key != DISTRICTS)
            self.groups.append(_Group(key, label, names, ranker, tuple(s.rank or 0 for s in standings),
                                      tuple(_grade(s, quarterly) for s in standings)))
        self.members = [[fast.departments[name] for name in g.names] for g in self.groups[1:]]
        # a department group whose totals neither rates nor points can move is settled once for every
        # scenario that leaves no row out, and so is each such department in a group something else moves
        self.static = [not sc.departments.tie_break and not any(d.penalised for d in ds) for ds in self.members]
        self.settled: list[tuple[tuple[int, ...], tuple[str, ...]] | None] = [None] * len(self.members)
        self.fixed = {d.name: fast.department_at(d, Scenario()) for ds in self.members for d in ds
                      if not d.penalised and not sc.departments.tie_break}
        # in a group that moves, only its departments below a growth target move: their totals (and, in a
        # quarter, whether they are ranked and on track) are all a scenario without a dropped row can change
        self.moving = [[j for j, d in enumerate(ds) if d.name not in self.fixed] for ds in self.members]
        self.seen: list[dict[tuple[object, ...], tuple[tuple[int, ...], tuple[str, ...]]]] = [
            {} for _ in self.members]

    def progress(self, bases: Sequence[float], ranked: Sequence[bool] = ()) -> tuple[str, ...]:
        """A quarter's status per unit (SPEC §4.7), as `Standing.progress` gives it."""
        threshold = self.scoring.progress_threshold
        return tuple(YEAR_END if ranked and not ranked[j] else ON_TRACK if b >= threshold else BEHIND
                     for j, b in enumerate(bases))

    def outcome(self, scenario: Scenario) -> list[tuple[tuple[int, ...], tuple[str, ...]]]:
        fast, quarterly = self.fast, self.quarterly
        totals, keys, barred, bases = fast.districts_at(scenario.points or fast.planned, scenario.rates,
                                                        scenario.drop)
        ranks, grades = self.groups[0].ranker(totals, keys, barred)
        out = [(ranks, self.progress(bases) if quarterly else grades)]
        threshold = self.scoring.progress_threshold
        for n, (g, ds) in enumerate(zip(self.groups[1:], self.members, strict=True)):
            if scenario.drop is not None:
                out.append(self._departments(g, [fast.department_at(d, scenario) for d in ds]))
                continue
            outcome = self.settled[n]
            if outcome is None:
                moved = {j: fast.department_at(ds[j], scenario) for j in self.moving[n]}
                key = tuple((x[0], x[1], x[2], x[4], x[3] >= threshold) for x in moved.values())
                outcome = self.seen[n].get(key)
                if outcome is None:
                    at = [moved[j] if j in moved else self.fixed[d.name] for j, d in enumerate(ds)]
                    outcome = self.seen[n][key] = self._departments(g, at)
                if self.static[n]:
                    self.settled[n] = outcome
            out.append(outcome)
        return out

    def _departments(self, g: _Group, at: Sequence[tuple[float, tuple[float, ...], bool, float, bool]]
                     ) -> tuple[tuple[int, ...], tuple[str, ...]]:
        ranked = tuple(x[4] for x in at) if self.quarterly else ()
        ranks, grades = g.ranker([x[0] for x in at], [x[1] for x in at], [x[2] for x in at], ranked)
        return ranks, self.progress([x[3] for x in at], ranked) if self.quarterly else grades


def ranking_under(plan: Plan, actuals: Actuals, scenario: Scenario) -> dict[str, dict[str, tuple[int | None, str]]]:
    """The ranking one scenario gives: group (县区, 牵头部门 …) -> unit -> (rank, grade)."""
    run = _Run(plan, actuals)
    return {g.label: {name: (rank or None, grade) for name, rank, grade in zip(g.names, *outcome, strict=True)}
            for g, outcome in zip(run.groups, run.outcome(scenario), strict=True)}


def robustness(plan: Plan, actuals: Actuals, *, samples: int = 1000, seed: int = 1) -> Robustness:
    """Rank intervals, grade probabilities and fragile pairs over the single-drop scenarios and
    `samples` random methods (see the module docstring); the same seed gives the same result."""
    run = _Run(plan, actuals)
    all_scenarios = scenarios(plan, samples, seed)
    for scenario in all_scenarios:
        for g, outcome in zip(run.groups, run.outcome(scenario), strict=True):
            g.outcomes[outcome] += 1
    sc = plan.scoring
    grade_names = [ON_TRACK, BEHIND] if run.quarterly else [gr.name for gr in sc.grades]
    units, pairs = [], []
    for g in run.groups:
        units += _spreads(g, grade_names, len(all_scenarios))
        pairs += _fragile(g, len(all_scenarios))
    return Robustness(
        samples=samples, seed=seed, period=actuals.period, drops=[s.drop for s in all_scenarios if s.drop],
        units=units, fragile_pairs=pairs,
        rates={f"{kind}.{name}": getattr(getattr(sc, kind), name) for kind, name in RATES},
        grades=grade_names, quarterly=run.quarterly, input_files=[actuals.path] if actuals.path else [],
    )


def _grade(s: Standing, quarterly: bool) -> str:
    return (s.progress or "") if quarterly else s.grade


def _position(counts: Mapping[int, int], index: int) -> int:
    """The rank at 0-based position `index` of the sorted multiset given by `counts`."""
    seen = 0
    for rank in sorted(counts):
        seen += counts[rank]
        if index < seen:
            return rank
    raise IndexError(index)


def _spreads(g: _Group, grade_names: Sequence[str], total: int) -> list[UnitSpread]:
    """Per unit, in the method's rank order: the median rank, the 5% and 95% ranks (nearest rank), the
    share of each grade, and the verdict. Rank statistics count the scenarios that rank the unit: in
    a quarter, a department left with nothing to measure is not ranked (as the core does)."""
    out = []
    for j, name in enumerate(g.names):
        ranks: Counter[int] = Counter()
        grades: Counter[str] = Counter()
        for (rs, gs), count in g.outcomes.items():
            if rs[j]:
                ranks[rs[j]] += count
            grades[gs[j]] += count
        ranked = sum(ranks.values())
        median = (_position(ranks, (ranked - 1) // 2) + _position(ranks, ranked // 2)) / 2
        q05 = _position(ranks, max(math.ceil(0.05 * ranked) - 1, 0))
        q95 = _position(ranks, max(math.ceil(0.95 * ranked) - 1, 0))
        rank_kept = ranks[g.nominal_ranks[j]] / total
        grade_kept = grades[g.nominal_grades[j]] / total
        stable = rank_kept >= STABLE and grade_kept >= STABLE
        names = [*grade_names, *(k for k in grades if k not in grade_names)]
        out.append(UnitSpread(
            name=name, group=g.label, rank=g.nominal_ranks[j] or None, grade=g.nominal_grades[j], median=median,
            q05=q05, q95=q95, grades={k: grades[k] / total for k in names}, rank_kept=rank_kept,
            grade_kept=grade_kept, verdict=STABLE_TEXT if stable else SENSITIVE_TEXT))
    order = sorted(range(len(out)), key=lambda j: (g.nominal_ranks[j], j))
    return [out[j] for j in order]


def _fragile(g: _Group, total: int) -> list[FragilePair]:
    """Pairs whose order (ahead, behind or tied) differs from the method's in more than FRAGILE of scenarios."""
    flips: Counter[tuple[int, int]] = Counter()
    nominal = g.nominal_ranks
    pairs = list(combinations(range(len(g.names)), 2))
    for (ranks, _), count in g.outcomes.items():
        for a, b in pairs:
            if _sign(ranks[a] - ranks[b]) != _sign(nominal[a] - nominal[b]):
                flips[(a, b)] += count
    out = []
    for (a, b), count in flips.items():
        if count / total > FRAGILE:
            first, second = (a, b) if nominal[a] <= nominal[b] else (b, a)
            out.append(FragilePair(g.names[first], g.names[second], g.label, count / total))
    out.sort(key=lambda p: (-p.flip_rate, g.names.index(p.a), g.names.index(p.b)))
    return out


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)
