"""The numeric core: a plan compiled for one period, and each unit's rows scored on floats.

`compile_method` turns a Plan (plus optional overrides of points and rule parameters,
which the robustness analysis varies) into groups of rows: the districts' rows with
each district's target for the period, the city's rows, the city targets and each
department's led and supported rows. `score_cells` then walks one unit's rows once and
keeps each row's base and over-achievement part and the unit's sums: no strings, no
validation, nothing allocated per cell beyond two list entries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from hz_assess.models import (
    NO_BREAKDOWN,
    Cell,
    CityTarget,
    Department,
    DepartmentGroupKey,
    Indicator,
    Plan,
    Role,
    ScoringParams,
    Status,
    TargetCell,
)
from hz_assess.plan import indicator_params
from hz_assess.rules import AnyRule, make_rule

MET: Status = "met"
BELOW: Status = "below"
MISSING: Status = "missing"
NOT_APPLICABLE: Status = "not_applicable"
PENDING: Status = "pending"
NOTHING = (0.0, 0.0)  # the (base, over) of a row that is not scored
CITY_TARGETS_CATEGORY = "全市其他目标"


def quarter_of(period: str) -> int | None:
    """2017Q3 -> 3; a year-end period -> None."""
    return int(period[-1]) if "Q" in period else None


@dataclass(slots=True)
class Row:
    """One assessed row (an indicator or a city target) of a group of units.

    `targets[u]` is unit u's target for the period (None: not assessed for u);
    `annual[u]` the annual target as printed. `pending` rows are judged only at year end.
    """

    id: str
    name: str
    unit: str
    category: str
    rule: AnyRule
    points: float
    targets: list[TargetCell]
    annual: list[TargetCell]
    weight: float = 1.0
    role: Role = ""
    pending: bool = False
    decline: bool = False
    category_index: int = 0
    max_over: float = 0.0

    def __post_init__(self) -> None:
        self.max_over = self.rule.max_over(self.points)


@dataclass(slots=True)
class Numbers:
    """One unit's scores on a group's rows: per row (base, over), and the weighted sums.

    Each row's status (met, below, missing, n/a, pending) follows from its target, its
    cell and its base; it is worked out only when asked for (`statuses`), not per cell.
    """

    u: int
    cells: Mapping[str, Cell]
    parts: list[tuple[float, float]]
    points: float = 0.0  # Σ W·weight over the rows that count (not n/a, not pending)
    base_sum: float = 0.0  # Σ base·weight
    over_sum: float = 0.0  # Σ over·weight
    missing_points: float = 0.0  # Σ W·weight of the missing rows
    missing_over: float = 0.0  # Σ (largest over)·weight of the missing rows
    missing: int = 0
    category_base: list[float] = field(default_factory=list)  # Σ base·weight per category
    category_points: list[float] = field(default_factory=list)  # Σ W·weight per category, counted rows
    status_cache: list[Status] | None = None


class Group:
    """The rows a set of units is scored on, prepared once so the per-cell loop looks nothing up."""

    __slots__ = ("category_full", "compiled", "n_categories", "position", "rows")

    def __init__(self, rows: list[Row], n_categories: int) -> None:
        self.rows = rows
        self.position = {r.id: i for i, r in enumerate(rows)}  # first row of each id
        self.n_categories = max(n_categories, 1 + max((r.category_index for r in rows), default=0))
        self.compiled = [(r.id, r.targets, r.pending, r.points, r.weight, r.category_index, r.rule.score,
                          r.max_over) for r in rows]
        self.category_full = [0.0] * self.n_categories
        for r in rows:
            self.category_full[r.category_index] += r.points * r.weight

    def index(self, row_id: str) -> int | None:
        return self.position.get(row_id)


def score_cells(group: Group, u: int, cells: Mapping[str, Cell]) -> Numbers:
    """Score unit `u` of `group` with its `cells` (indicator id -> Cell): the one loop over every cell.

    Per category only the base parts are summed here; a category's points are its full
    points unless some row did not count, and only then are they summed (a second, rare pass).
    """
    parts: list[tuple[float, float]] = []
    add_part = parts.append
    cat_base = [0.0] * group.n_categories
    points = base_sum = over_sum = missing_points = missing_over = 0.0
    missing = skipped = 0
    get = cells.get
    for row_id, targets, pending, w, k, cat, score_fn, max_over in group.compiled:
        target = targets[u]
        if target is None or pending:
            skipped += 1
            add_part(NOTHING)
            continue
        points += w * k
        cell = get(row_id)
        actual = None if cell is None else cell.value
        if actual is None:
            missing_points += w * k
            missing_over += max_over * k
            missing += 1
            add_part(NOTHING)
            continue
        part = score_fn(actual, target, w)
        b, o = part
        base_sum += b * k
        over_sum += o * k
        cat_base[cat] += b * k
        add_part(part)
    if skipped:
        cat_points = [0.0] * group.n_categories
        for _, targets, pending, w, k, cat, _, _ in group.compiled:
            if targets[u] is not None and not pending:
                cat_points[cat] += w * k
    else:
        cat_points = group.category_full
    return Numbers(u, cells, parts, points, base_sum, over_sum, missing_points, missing_over, missing, cat_base,
                   cat_points)


def status_at(group: Group, nums: Numbers, i: int) -> Status:
    """One row's status, without working out the others."""
    if nums.status_cache is not None:
        return nums.status_cache[i]
    row_id, targets, pending, w, _, _, _, _ = group.compiled[i]
    if targets[nums.u] is None:
        return NOT_APPLICABLE
    if pending:
        return PENDING
    cell = nums.cells.get(row_id)
    if cell is None or cell.value is None:
        return MISSING
    return MET if nums.parts[i][0] >= w else BELOW


def statuses(group: Group, nums: Numbers) -> list[Status]:
    """Each row's status for the unit `nums` was scored for (worked out once, when first asked)."""
    if nums.status_cache is None:
        nums.status_cache = [status_at(group, nums, i) for i in range(len(group.compiled))]
    return nums.status_cache


# ---------------------------------------------------------------- the plan, compiled


@dataclass(frozen=True)
class Overrides:
    """Departures from the plan's method, for re-scoring under other choices (robustness).

    points: indicator id -> W (districts and city alike); rule_params: rule kind ->
    parameters replacing the plan's for that kind; drop: indicator ids left out.
    """

    points: Mapping[str, float] = field(default_factory=dict)
    rule_params: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    drop: Collection[str] = ()


NO_OVERRIDES = Overrides()


def _rule(plan: Plan, item: Indicator | CityTarget, overrides: Overrides) -> AnyRule:
    if item.rule == "qualitative":
        return make_rule("qualitative", plan.scoring.qualitative.levels)
    params = {**indicator_params(plan, item), **overrides.rule_params.get(item.rule, {})}
    return make_rule(item.rule, params)


def _period_targets(annual: list[TargetCell], prorate: bool, quarter: int | None) -> list[TargetCell]:
    """Flows are compared with the time share of the annual target (时间进度); the rest as printed."""
    if quarter is None or not prorate:
        return annual
    return [float(t) * quarter / 4 if isinstance(t, int | float) else t for t in annual]


def _pending(when: str, quarter: int | None) -> bool:
    return quarter is not None and when == "year_end"


@dataclass
class DepartmentRows:
    department: Department
    group: Group


@dataclass
class Method:
    """A plan compiled for one period: every group of rows the units are scored on."""

    plan: Plan
    scoring: ScoringParams
    period: str
    quarter: int | None
    districts: list[str]
    district_group: Group
    city_group: Group
    city_target_group: Group
    departments: list[DepartmentRows]
    veto: frozenset[str]

    @property
    def quarterly(self) -> bool:
        return self.quarter is not None

    def department_group(self, key: DepartmentGroupKey) -> list[DepartmentRows]:
        return [d for d in self.departments if d.department.group == key]


def _indicator_rows(plan: Plan, rules: Mapping[str, AnyRule], indicators: Iterable[Indicator], units: Sequence[str],
                    quarter: int | None, points: Mapping[str, float]) -> list[Row]:
    cats = {c.name: i for i, c in enumerate(plan.categories)}
    rows = []
    for ind in indicators:
        get = ind.targets.get
        annual: list[TargetCell] = [None if (t := get(u)) == NO_BREAKDOWN else t for u in units]
        rows.append(Row(
            id=ind.id, name=ind.name, unit=ind.display_unit, category=ind.category, rule=rules[ind.id],
            points=points[ind.id], targets=_period_targets(annual, ind.when == "prorate", quarter), annual=annual,
            pending=_pending(ind.when, quarter), decline=ind.decline, category_index=cats.get(ind.category, 0),
        ))
    return rows


def _city_target_rows(plan: Plan, rules: Mapping[str, AnyRule], quarter: int | None, ids: Iterable[str],
                      *, weight: float = 1.0, role: Role = "") -> list[Row]:
    """City targets (C01…) as rows of the city, each worth its points (default 2)."""
    by_id = {c.id: c for c in plan.city_targets}
    rows = []
    for ref in ids:
        ct = by_id[ref]
        rows.append(Row(
            id=ct.id, name=ct.name, unit=ct.unit, category=CITY_TARGETS_CATEGORY, rule=rules[ct.id],
            points=ct.points or plan.scoring.departments.city_target_points,
            targets=_period_targets([ct.target], ct.when == "prorate", quarter), annual=[ct.target], weight=weight,
            role=role, pending=_pending(ct.when, quarter), decline=ct.decline, category_index=len(plan.categories),
        ))
    return rows


def _as(row: Row, weight: float, role: Role) -> Row:
    return Row(id=row.id, name=row.name, unit=row.unit, category=row.category, rule=row.rule, points=row.points,
               targets=row.targets, annual=row.annual, weight=weight, role=role, pending=row.pending,
               decline=row.decline, category_index=row.category_index)


def compile_method(plan: Plan, period: str, overrides: Overrides = NO_OVERRIDES) -> Method:
    """The plan's rows for `period`, with `overrides` of points and rule parameters applied."""
    quarter = quarter_of(period)
    items: list[Indicator | CityTarget] = [*plan.indicators, *plan.city_targets]
    rules = {item.id: _rule(plan, item, overrides) for item in items}
    kept = [i for i in plan.indicators if i.id not in overrides.drop]
    for_districts = [i for i in kept if i.points is not None]
    district_points = {i.id: overrides.points.get(i.id, i.points or 0.0) for i in for_districts}
    city_points = {i.id: overrides.points.get(i.id, i.city_points) for i in kept}
    n_categories = len(plan.categories) + 1  # the last one holds the city targets
    districts = plan.districts
    city_rows = _indicator_rows(plan, rules, kept, [plan.city], quarter, city_points)
    by_id = {r.id: r for r in city_rows}
    targets = [c.id for c in plan.city_targets if c.id not in overrides.drop]
    departments = []
    support = plan.scoring.departments.support_factor
    for dep in plan.departments:
        rows: list[Row] = []
        roles: tuple[tuple[Role, Mapping[str, str], float], ...] = (("lead", dep.leads, 1.0),
                                                                    ("support", dep.supports, support))
        for role, refs, weight in roles:
            for ref in refs:
                if ref in overrides.drop:
                    continue
                if ref in by_id:
                    rows.append(_as(by_id[ref], weight, role))
                else:
                    rows += _city_target_rows(plan, rules, quarter, [ref], weight=weight, role=role)
        departments.append(DepartmentRows(dep, Group(rows, n_categories)))
    return Method(
        plan=plan, scoring=plan.scoring, period=period, quarter=quarter, districts=districts,
        district_group=Group(_indicator_rows(plan, rules, for_districts, districts, quarter, district_points),
                             n_categories),
        city_group=Group(city_rows, n_categories),
        city_target_group=Group(_city_target_rows(plan, rules, quarter, targets), n_categories),
        departments=departments,
        veto=frozenset(i.id for i in plan.indicators if i.veto),
    )
