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

The scenarios are drawn in `scenarios`; each is re-scored by `fast.Fast`, which recomputes
only what a scenario varies and gives the numeric core's totals to the last bit (tests
compare every scenario with `compile_method(plan, period, scenario.overrides(…))`); ranks
and grades come from `rank_group` itself. This module turns the outcomes into rank
statistics, grade shares, fragile pairs and verdicts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from hz_assess.analysis.fast import Fast, Outcome, Ranker
from hz_assess.analysis.scenarios import POINT_SPREAD, RATE_SPREAD, RATES, Scenario, district_rows, scenarios
from hz_assess.models import Actuals, Adjustment, DepartmentGroupKey, Plan
from hz_assess.scoring.core import Method, compile_method
from hz_assess.scoring.standings import (
    BEHIND,
    ON_TRACK,
    YEAR_END,
    Standing,
    department_standing,
    rank_group,
    unit_standing,
)

__all__ = ["FRAGILE", "STABLE", "Robustness", "Scenario", "UnitSpread", "district_rows", "ranking_under", "robustness",
           "scenarios"]

FRAGILE = 0.10  # a pair is fragile when its order differs from the method's in more than 10% of scenarios
STABLE = 0.90  # a unit is stable when it keeps its rank and its grade in at least 90% of scenarios
STABLE_TEXT, SENSITIVE_TEXT = "排名稳定", "排名对方法敏感"
DISTRICTS = "district"
GROUP_KEYS: tuple[DepartmentGroupKey, ...] = ("lead", "support", "service")


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


# ---------------------------------------------------------------- the analysis


@dataclass
class _Group:
    key: str
    label: str
    names: list[str]
    ranker: Ranker
    nominal_ranks: tuple[int, ...] = ()
    nominal_grades: tuple[str, ...] = ()
    outcomes: Counter[Outcome] = field(default_factory=Counter)


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
        self.fast = fast = Fast(plan, actuals, method)
        sc = self.scoring = plan.scoring
        self.quarterly = quarterly = method.quarterly
        self.groups: list[_Group] = []
        for key, standings in _nominal(plan, actuals, method).items():
            label = "县区" if key == DISTRICTS else sc.departments.groups[key].name  # type: ignore[index]
            names = [s.name for s in standings]
            tie_break = sc.tie_break if key == DISTRICTS else sc.departments.tie_break
            ranker = Ranker(names, sc, tie_break, quarterly, repeats=key != DISTRICTS)
            self.groups.append(_Group(key, label, names, ranker, tuple(s.rank or 0 for s in standings),
                                      tuple(_grade(s, quarterly) for s in standings)))
        self.members = [[fast.departments[name] for name in g.names] for g in self.groups[1:]]
        # a department group whose totals neither rates nor points can move is settled once for every
        # scenario that leaves no row out, and so is each such department in a group something else moves
        self.static = [not sc.departments.tie_break and not any(d.penalised for d in ds) for ds in self.members]
        self.settled: list[Outcome | None] = [None] * len(self.members)
        self.fixed = {d.name: fast.department_at(d, Scenario()) for ds in self.members for d in ds
                      if not d.penalised and not sc.departments.tie_break}
        # in a group that moves, only its departments below a growth target move: their totals (and, in a
        # quarter, whether they are ranked and on track) are all a scenario without a dropped row can change
        self.moving = [[j for j, d in enumerate(ds) if d.name not in self.fixed] for ds in self.members]
        self.seen: list[dict[tuple[object, ...], Outcome]] = [
            {} for _ in self.members]

    def progress(self, bases: Sequence[float], ranked: Sequence[bool] = ()) -> tuple[str, ...]:
        """A quarter's status per unit (SPEC §4.7), as `Standing.progress` gives it."""
        threshold = self.scoring.progress_threshold
        return tuple(YEAR_END if ranked and not ranked[j] else ON_TRACK if b >= threshold else BEHIND
                     for j, b in enumerate(bases))

    def outcome(self, scenario: Scenario) -> list[Outcome]:
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
                     ) -> Outcome:
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
