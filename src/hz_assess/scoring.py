"""The scoring method of SPEC §4: a pure function (Plan, Actuals) -> Assessment.

Two layers. The numeric core (`Row`, `score_cells`) scores plain floats: for each
unit it walks the rows once and keeps each row's base and over-achievement part and
the unit's sums — no strings, no validation, nothing allocated per cell beyond
three list entries. Everything above it (totals, ranks, grades, the Assessment) is
built from those sums. A robustness analysis re-runs only the core.

No I/O and no printing. Full precision is kept; the published total is rounded
half-up to 2 decimals once, here, and every writer shows that same number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hz_assess.models import (
    NO_BREAKDOWN,
    Actuals,
    Adjustment,
    Assessment,
    CategoryInfo,
    CategoryScore,
    Cell,
    CityResult,
    CityTarget,
    DataWarning,
    Department,
    DepartmentResult,
    Indicator,
    IndicatorResult,
    InputFile,
    InputRef,
    MethodInfo,
    Plan,
    PlanRef,
    RankedResult,
    Role,
    RuleSpec,
    ScoringParams,
    Status,
    TargetCell,
    UnitResult,
)
from hz_assess.plan import Finding, check_plan, indicator_params, method_changes
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


def published(x: float) -> float:
    """The published total: half-up to 2 decimals (89.995 -> 90.00), as people round on paper."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- the numeric core


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
    """One unit's scores on a group's rows: per row base, over and status, and the weighted sums."""

    parts: list[tuple[float, float]]  # per row: (base, over)
    status: list[Status]
    points: float = 0.0  # Σ W·weight over the rows that count (not n/a, not pending)
    base_sum: float = 0.0  # Σ base·weight
    over_sum: float = 0.0  # Σ over·weight
    room: float = 0.0  # Σ (W + max over)·weight of the missing rows: what they could still add
    missing: int = 0
    category_base: list[float] = field(default_factory=list)  # Σ (base + over)·weight per category (v1)
    category_points: list[float] = field(default_factory=list)  # Σ W·weight per category, counted rows


class Group:
    """The rows a set of units is scored on, prepared once so the per-cell loop looks nothing up."""

    __slots__ = ("category_full", "category_weighted", "compiled", "n_categories", "rows", "veto")

    def __init__(self, rows: list[Row], n_categories: int, veto: Iterable[str] = ()) -> None:
        self.rows = rows
        self.n_categories = max(n_categories, 1 + max((r.category_index for r in rows), default=0))
        self.compiled = [(r.id, r.targets, r.pending, r.points, r.weight, r.category_index, r.rule.score,
                          r.max_over) for r in rows]
        vetoing = set(veto)
        self.veto = [i for i, r in enumerate(rows) if r.id in vetoing]
        self.category_full = [0.0] * self.n_categories
        self.category_weighted = [0.0] * self.n_categories
        for r in rows:
            self.category_full[r.category_index] += r.points
            self.category_weighted[r.category_index] += r.points * r.weight


def score_cells(group: Group, u: int, cells: Mapping[str, Cell]) -> Numbers:
    """Score unit `u` of `group` with its `cells` (indicator id -> Cell): the numeric core.

    Per category only the scores are summed here; a category's points are its full points
    unless some row did not count, and only then are they summed (a second, rare pass).
    """
    parts: list[tuple[float, float]] = []
    status: list[Status] = []
    add_part, add_status = parts.append, status.append
    cat_score = [0.0] * group.n_categories
    points = base_sum = over_sum = room = 0.0
    missing = skipped = 0
    get = cells.get
    for row_id, targets, pending, w, k, cat, score_fn, max_over in group.compiled:
        target = targets[u]
        if target is None or pending:
            skipped += 1
            add_part(NOTHING)
            add_status(NOT_APPLICABLE if target is None else PENDING)
            continue
        points += w * k
        cell = get(row_id)
        actual = None if cell is None else cell.value
        if actual is None:
            room += (w + max_over) * k
            missing += 1
            add_part(NOTHING)
            add_status(MISSING)
            continue
        part = score_fn(actual, target, w)
        b, o = part
        base_sum += b * k
        over_sum += o * k
        cat_score[cat] += (b + o) * k
        add_part(part)
        add_status(MET if b >= w else BELOW)
    if skipped:
        cat_points = [0.0] * group.n_categories
        for (_, _, _, w, k, cat, _, _), st in zip(group.compiled, status, strict=True):
            if st != NOT_APPLICABLE and st != PENDING:
                cat_points[cat] += w * k
    else:
        cat_points = group.category_weighted
    return Numbers(parts, status, points, base_sum, over_sum, room, missing, cat_score, cat_points)


# ---------------------------------------------------------------- rows from the plan


class Rules:
    """Each indicator's and city target's rule, built once per scoring."""

    def __init__(self, plan: Plan) -> None:
        self._rules: dict[str, AnyRule] = {}
        items: list[Indicator | CityTarget] = [*plan.indicators, *plan.city_targets]
        for item in items:
            params = plan.scoring.qualitative.levels if item.rule == "qualitative" else indicator_params(plan, item)
            self._rules[item.id] = make_rule(item.rule, params)

    def __getitem__(self, item_id: str) -> AnyRule:
        return self._rules[item_id]


def _period_targets(annual: list[TargetCell], accumulates: bool, quarter: int | None) -> list[TargetCell]:
    """Flows are compared with the time share of the annual target (时间进度); the rest as printed."""
    if quarter is None or not accumulates:
        return annual
    return [float(t) * quarter / 4 if isinstance(t, int | float) else t for t in annual]


def indicator_rows(plan: Plan, rules: Rules, units: Sequence[str], quarter: int | None) -> list[Row]:
    """The rows of 附件1 for `units`, with each unit's target for the period (None: not assessed)."""
    cats = {c.name: i for i, c in enumerate(plan.categories)}
    rows = []
    for ind in plan.indicators:
        get = ind.targets.get
        annual: list[TargetCell] = [None if (t := get(u)) == NO_BREAKDOWN else t for u in units]
        rows.append(Row(
            id=ind.id, name=ind.name, unit=ind.display_unit, category=ind.category, rule=rules[ind.id],
            points=ind.points, targets=_period_targets(annual, ind.accumulates, quarter), annual=annual,
            pending=quarter is not None and ind.rule == "qualitative", decline=ind.decline,
            category_index=cats.get(ind.category, 0),
        ))
    return rows


def city_target_rows(plan: Plan, rules: Rules, quarter: int | None, *, weight: float = 1.0, role: Role = "",
                     only: Iterable[str] | None = None) -> list[Row]:
    """The further city targets (C01…) as rows of the city, each worth its points (default 2)."""
    wanted = set(only) if only is not None else None
    rows = []
    for ct in plan.city_targets:
        if wanted is not None and ct.id not in wanted:
            continue
        rows.append(Row(
            id=ct.id, name=ct.name, unit=ct.unit, category=CITY_TARGETS_CATEGORY, rule=rules[ct.id],
            points=ct.points or plan.scoring.departments.city_target_points,
            targets=_period_targets([ct.target], ct.accumulates, quarter), annual=[ct.target], weight=weight,
            role=role, decline=ct.decline, category_index=len(plan.categories),
        ))
    return rows


def department_rows(plan: Plan, rules: Rules, city_rows: Mapping[str, Row], dep: Department,
                    quarter: int | None) -> list[Row]:
    """A department's led rows (weight 1) then supported rows (support factor), at city level."""
    dp = plan.scoring.departments
    out: list[Row] = []
    roles: tuple[tuple[Role, list[str], float], ...] = (("lead", dep.leads, 1.0),
                                                       ("support", dep.supports, dp.support_factor))
    for role, refs, weight in roles:
        for ref in refs:
            if ref in city_rows:
                row = city_rows[ref]
                out.append(Row(
                    id=row.id, name=row.name, unit=row.unit, category=row.category, rule=row.rule,
                    points=row.points, targets=row.targets, annual=row.annual, weight=weight, role=role,
                    pending=row.pending, decline=row.decline, category_index=row.category_index,
                ))
            else:
                out += city_target_rows(plan, rules, quarter, weight=weight, role=role, only=[ref])
    return out


# ---------------------------------------------------------------- results from numbers


def _source(file: str, cell: Cell | None) -> str:
    if cell is None or not cell.where:
        return ""
    return f"{file}!{cell.where}" if file else cell.where


def _gap_unit(row: Row) -> str:
    """Growth rows are apart by percentage points; a level (完成/未完成) has no unit at all."""
    return {"growth": "个百分点", "qualitative": ""}.get(row.rule.kind, row.unit)


def indicator_results(group: Group, u: int, nums: Numbers, cells: Mapping[str, Cell], file: str,
                      scale: float) -> list[IndicatorResult]:
    """One IndicatorResult per row: the numbers of the core, with what they mean."""
    out = []
    for row, (b, o), st in zip(group.rows, nums.parts, nums.status, strict=True):
        cell = cells.get(row.id)
        actual = None if cell is None else cell.value
        target = row.targets[u]
        counted = st in (MET, BELOW, MISSING)
        completion = gap = None
        if st in (MET, BELOW) and isinstance(actual, float | int) and isinstance(target, float | int):
            gap = float(target) - float(actual)
            if row.rule.kind == "completion" and target != 0:
                completion = float(actual) / float(target)
        out.append(IndicatorResult.model_construct(
            id=row.id, name=row.name, unit=row.unit, category=row.category, rule=row.rule.kind, role=row.role,
            weight=row.weight, points=row.points, target=target if target is not None else row.annual[u],
            annual_target=row.annual[u], actual=actual, source=_source(file, cell), status=st, base=b, over=o,
            score_rate=b / row.points if counted else None, completion=completion, gap=gap,
            gap_unit=_gap_unit(row), lost=(row.points - b) * row.weight * scale if counted else 0.0,
            contribution=(b + o) * row.weight * scale,
        ))
    return out


def _adjustments(items: Iterable[Adjustment], scoring: ScoringParams) -> tuple[float, float]:
    """Bonus and deduction totals, each capped (SPEC §4.3)."""
    plus = sum(a.points for a in items if a.points > 0)
    minus = -sum(a.points for a in items if a.points < 0)
    return min(plus, scoring.bonus_cap), min(minus, scoring.deduction_cap)


def _missing(group: Group, nums: Numbers, cells: Mapping[str, Cell], unit: str) -> list[str]:
    """The cells a unit still owes, as 'sheet!cell(name)'."""
    if not nums.missing:
        return []
    out = []
    for row, st in zip(group.rows, nums.status, strict=True):
        if st == MISSING:
            cell = cells.get(row.id)
            out.append(f"{cell.where if cell is not None and cell.where else unit + ' ' + row.id}({row.name})")
    return out


def _categories(plan: Plan, group: Group, nums: Numbers) -> dict[str, dict[str, float]]:
    """Each category's score scaled to its full points (v1): full × Σ_c score / Σ_c W of counted rows."""
    out = {}
    for i, cat in enumerate(plan.categories):
        if nums.category_points[i] > 0:
            full = group.category_full[i]
            out[cat.name] = {"score": full * nums.category_base[i] / nums.category_points[i], "full": full}
    return out


def _vetoes(plan: Plan, group: Group, nums: Numbers, cells: Mapping[str, Cell]) -> list[str]:
    """Why a unit is barred from the top grade: a veto row judged 未完成."""
    out = []
    for i in group.veto:
        row = group.rows[i]
        cell = cells.get(row.id)
        if nums.status[i] in (MET, BELOW) and cell is not None and cell.value == plan.scoring.veto_level:
            out.append(f"第{row.id}项「{row.name}」评定为{plan.scoring.veto_level}")
    return out


def _district(plan: Plan, group: Group, u: int, unit: str, actuals: Actuals, file: str,
              adjustments: Sequence[Adjustment]) -> UnitResult:
    cells = actuals.units.get(unit, {})
    nums = score_cells(group, u, cells)
    scale = 100.0 / nums.points if nums.points else 0.0
    bonus, deductions = _adjustments(adjustments, plan.scoring)
    exact = (nums.base_sum + nums.over_sum) * scale + bonus - deductions
    missing = _missing(group, nums, cells, unit)
    vetoed = _vetoes(plan, group, nums, cells)
    # validated from plain data in one pass (several times faster than keyword construction)
    result = UnitResult.model_validate({
        "rank": None, "name": unit, "score": published(exact), "score_exact": exact, "base": nums.base_sum * scale,
        "over": nums.over_sum * scale, "bonus": bonus, "deductions": deductions, "grade": "",
        "provisional": bool(missing), "score_range": (exact, exact + nums.room * scale), "vetoed": bool(vetoed),
        "veto_reasons": vetoed, "categories": _categories(plan, group, nums), "adjustments": list(adjustments),
        "missing": missing, "sources": [file] if file and cells else [], "scale": scale,
    })
    result.defer_indicators(lambda: indicator_results(group, u, nums, cells, file, scale))
    return result


def _rating_factor(plan: Plan, cell: Cell | None) -> float | None:
    """The rating as a factor: a level from YAML, or a 0–100 score ÷ 100; None when blank."""
    if cell is None or cell.value is None:
        return None
    if isinstance(cell.value, str):
        factor = plan.scoring.departments.ratings.get(cell.value)
        if factor is None:
            raise ValueError(f"unknown rating {cell.value!r}")  # the reader admits only known levels
        return factor
    return cell.value / 100


def _department(plan: Plan, group: Group, dep: Department, actuals: Actuals, file: str,
                adjustments: Sequence[Adjustment]) -> DepartmentResult:
    """60 × scaled score of led (and, at the support factor, supported) rows + 40 × rating factor (v1)."""
    dp = plan.scoring.departments
    cells = {**actuals.units.get(plan.city, {}), **actuals.city_targets}
    nums = score_cells(group, 0, cells)
    rating_cell = actuals.ratings.get(dep.name)
    factor = _rating_factor(plan, rating_cell)
    best = max(dp.ratings.values())
    if nums.points:
        scale = dp.indicator_weight / nums.points
        part: float | None = (nums.base_sum + nums.over_sum) * scale
        rating_part = dp.rating_weight * (factor or 0.0)
        rating_room = dp.rating_weight * best if factor is None else 0.0
    else:
        scale, part = 0.0, None
        full = dp.indicator_weight + dp.rating_weight
        rating_part = full * (factor or 0.0)
        rating_room = full * best if factor is None else 0.0
    bonus, deductions = _adjustments(adjustments, plan.scoring)
    exact = (part or 0.0) + rating_part + bonus - deductions
    missing = _missing(group, nums, cells, dep.name)
    if factor is None:
        where = rating_cell.where if rating_cell is not None and rating_cell.where else "部门评价"
        missing.append(f"{where}({dep.name} 的评价)")
    used = any(r.id in cells for r in group.rows)
    result = DepartmentResult(
        rank=None, name=dep.name, score=published(exact), score_exact=exact, base=(nums.base_sum * scale),
        over=nums.over_sum * scale, bonus=bonus, deductions=deductions, grade="", provisional=bool(missing),
        score_range=(exact, exact + nums.room * scale + rating_room), adjustments=list(adjustments),
        missing=missing, sources=[file] if file and (used or rating_cell is not None) else [], scale=scale,
        rating=rating_cell.value if rating_cell is not None else None,
        rating_source=_source(file, rating_cell), rating_factor=factor, indicator_part=part,
        rating_part=rating_part,
    )
    result.defer_indicators(lambda: indicator_results(group, 0, nums, cells, file, scale))
    return result


def _city(plan: Plan, group: Group, targets: Group, actuals: Actuals, file: str) -> CityResult:
    cells = actuals.units.get(plan.city, {})
    nums = score_cells(group, 0, cells)
    scale = 100.0 / nums.points if nums.points else 0.0
    exact = (nums.base_sum + nums.over_sum) * scale
    t_nums = score_cells(targets, 0, actuals.city_targets)
    missing = _missing(group, nums, cells, plan.city) + _missing(targets, t_nums, actuals.city_targets, plan.city)
    result = CityResult(
        name=plan.city, score=published(exact), score_exact=exact, base=nums.base_sum * scale,
        over=nums.over_sum * scale, provisional=bool(missing), score_range=(exact, exact + nums.room * scale),
        categories={k: CategoryScore(**v) for k, v in _categories(plan, group, nums).items()},
        # the further targets are a progress report beside the 附件1 score: they add nothing to it
        city_targets=indicator_results(targets, 0, t_nums, actuals.city_targets, file, 0.0),
        missing=missing, sources=[file] if file and (cells or actuals.city_targets) else [], scale=scale,
    )
    result.defer_indicators(lambda: indicator_results(group, 0, nums, cells, file, scale))
    return result


# ---------------------------------------------------------------- ranks and grades


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1, 2, 2, 4: a unit's rank is 1 + the number of units strictly ahead of it."""
    keyed = [round(s, 9) for s in scores]
    first: dict[float, int] = {}
    for position, value in enumerate(sorted(keyed, reverse=True), 1):
        first.setdefault(value, position)
    return [first[k] for k in keyed]


def grade_for(score: float, rank: int, vetoed: bool, scoring: ScoringParams) -> str:
    """Band by score (or top_n by rank); a vetoed unit drops below `vetoed_cannot_be`."""
    names = [g.name for g in scoring.grades]
    grade = next((g.name for g in scoring.grades if round(score, 9) >= g.min), names[-1])
    if scoring.grade_mode == "top_n":
        reserved = [g for g in names if g in scoring.top_n]
        for g in reserved:
            if rank <= scoring.top_n[g]:
                grade = g
                break
        else:
            while grade in reserved and names.index(grade) < len(names) - 1:
                grade = names[names.index(grade) + 1]
    if vetoed and grade == scoring.vetoed_cannot_be and names.index(grade) < len(names) - 1:
        grade = names[names.index(grade) + 1]
    return grade


def rank_and_grade(results: list[RankedResult], scoring: ScoringParams) -> None:
    """Set rank and grade of each result and sort the list by rank (stable for ties)."""
    ranks = competition_ranks([r.score_exact for r in results])
    for r, rank in zip(results, ranks, strict=True):
        r.rank = rank
        r.grade = grade_for(r.score_exact, rank, r.vetoed, scoring)
    results.sort(key=lambda r: r.rank or 0)


# ---------------------------------------------------------------- the whole


def _by_subject(adjustments: Iterable[Adjustment]) -> dict[str, list[Adjustment]]:
    out: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        out.setdefault(a.subject, []).append(a)
    return out


def _rule_specs(plan: Plan) -> dict[str, RuleSpec]:
    out = {}
    items: list[Indicator | CityTarget] = [*plan.indicators, *plan.city_targets]
    for item in items:
        params = dict(plan.scoring.qualitative.levels) if item.rule == "qualitative" else indicator_params(plan, item)
        out[item.id] = RuleSpec(kind=item.rule, params=params, decline=item.decline)
    return out


_FINDINGS: dict[int, tuple[Plan, list[Finding]]] = {}


def plan_findings(plan: Plan) -> list[Finding]:
    """The plan's own inconsistencies, worked out once per Plan (they cost as much as the scoring).

    Keyed by identity; the cache holds the plan itself, so an id cannot be reused while cached.
    """
    hit = _FINDINGS.get(id(plan))
    if hit is None or hit[0] is not plan:
        if len(_FINDINGS) >= 8:
            _FINDINGS.clear()
        hit = _FINDINGS[id(plan)] = (plan, check_plan(plan))
    return list(hit[1])


def method_info(plan: Plan, period: str) -> MethodInfo:
    changes = method_changes(plan)
    notes = []
    quarter = quarter_of(period)
    if quarter is not None:
        notes.append(f"{period} 季度督查:累计类指标按时间进度(全年目标 × {quarter}/4)比较,"
                     "比率、水平类指标按全年目标比较,定性指标待年底评定。")
    return MethodInfo(
        default=not changes,
        label="默认评分方法" if not changes else f"已调整的评分方法(与默认方法相比 {len(changes)} 处改动)",
        changes=changes, notes=notes, params=plan.scoring,
    )


def plan_ref(plan: Plan) -> PlanRef:
    return PlanRef(id=plan.info.id, title=plan.info.title, doc_number=plan.info.doc_number, year=plan.info.year,
                   sha256=plan.targets_sha256, path=plan.targets_path, departments_sha256=plan.departments_sha256,
                   departments_path=plan.departments_path)


def score(plan: Plan, actuals: Actuals, warnings: Sequence[DataWarning] = ()) -> Assessment:
    """Score every district, department and the city for one set of actuals.

    `warnings` are the 数据审核 warnings of the actuals (SPEC §3.3), carried into the result.
    """
    quarter = quarter_of(actuals.period)
    file = Path(actuals.path).name if actuals.path else ""
    adjustments = _by_subject(actuals.adjustments)
    rules = Rules(plan)
    n_categories = len(plan.categories) + 1  # the last one holds the city targets
    veto = [i.id for i in plan.indicators if i.veto]
    names = plan.districts
    group = Group(indicator_rows(plan, rules, names, quarter), n_categories, veto)
    districts: list[RankedResult] = [
        _district(plan, group, u, unit, actuals, file, adjustments.get(unit, [])) for u, unit in enumerate(names)
    ]
    city_rows = indicator_rows(plan, rules, [plan.city], quarter)
    by_id = {r.id: r for r in city_rows}
    departments: list[RankedResult] = [
        _department(plan, Group(department_rows(plan, rules, by_id, dep, quarter), n_categories), dep, actuals,
                    file, adjustments.get(dep.name, []))
        for dep in plan.departments
    ]
    rank_and_grade(districts, plan.scoring)
    rank_and_grade(departments, plan.scoring)
    city = _city(plan, Group(city_rows, n_categories), Group(city_target_rows(plan, rules, quarter), n_categories),
                 actuals, file)
    notes = [f"计划自身:{f.message}" for f in plan_findings(plan)]
    for r in [*districts, *departments]:
        if r.missing:
            notes.append(f"{r.name} 有 {len(r.missing)} 项缺数据,结果为暂定:{'、'.join(r.missing)}")
    full = [sum(i.points for i in plan.indicators if i.category == c.name) for c in plan.categories]
    return Assessment(
        plan=plan_ref(plan),
        input=InputRef(files=[InputFile(path=actuals.path, sha256=actuals.sha256)] if actuals.path else [],
                       period=actuals.period),
        method=method_info(plan, actuals.period),
        provisional=any(r.provisional for r in [*districts, *departments]) or city.provisional,
        warnings=list(warnings), notes=notes,
        categories=[CategoryInfo(name=c.name, full=f) for c, f in zip(plan.categories, full, strict=True)],
        rules=_rule_specs(plan),
        districts=[d for d in districts if isinstance(d, UnitResult)],
        departments=[d for d in departments if isinstance(d, DepartmentResult)],
        city=city,
    )

