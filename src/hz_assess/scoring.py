"""The scoring method of SPEC §4: a pure function (Plan, Actuals) -> Assessment.

No I/O and no printing. Every indicator result keeps its rule, parameters, inputs
and the arithmetic steps in Chinese, so `explain` can show how a number came
about and an official can redo it on paper. Full precision is kept; rounding
happens only when a number is shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from hz_assess.labels import RULE_NAMES
from hz_assess.models import (
    Actuals,
    Adjustment,
    Assessment,
    Cell,
    CityResult,
    CityTarget,
    DepartmentResult,
    Indicator,
    IndicatorResult,
    InputRef,
    MethodInfo,
    Plan,
    PlanRef,
    ScoringParams,
    UnitResult,
)
from hz_assess.plan import check_plan, indicator_params, method_changes


def n(x: float) -> str:
    """A number for a step of arithmetic: up to 4 decimals, no trailing zeros."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quarter_of(period: str) -> int | None:
    """2017Q3 -> 3; a year-end period -> None."""
    return int(period[-1]) if "Q" in period else None


# ---------------------------------------------------------------- rule kinds


@dataclass
class RuleOutcome:
    score: float
    completion: float | None
    met: bool
    steps: list[str]


def score_growth(actual: float, target: float, points: float, p: dict[str, float]) -> RuleOutcome:
    """a ≥ t: W + W·min(bonus_per_point·(a−t), bonus_cap); a < t: W·max(0, 1 − penalty_per_point·(t−a))."""
    w = points
    completion = actual / target if target else None
    if actual >= target:
        above = actual - target
        rate = min(p["bonus_per_point"] * above, p["bonus_cap"])
        bonus = w * rate
        steps = [
            f"实绩 ≥ 目标:超出 {n(actual)} − {n(target)} = {n(above)} 个百分点",
            f"加分比例 = min({n(p['bonus_per_point'])} × {n(above)}, {n(p['bonus_cap'])}) = {n(rate)}",
            f"得分 = {n(w)} + {n(w)} × {n(rate)} = {n(w + bonus)}",
        ]
        return RuleOutcome(w + bonus, completion, True, steps)
    below = target - actual
    factor = max(0.0, 1 - p["penalty_per_point"] * below)
    steps = [
        f"实绩 < 目标:低 {n(target)} − {n(actual)} = {n(below)} 个百分点",
        f"得分比例 = max(0, 1 − {n(p['penalty_per_point'])} × {n(below)}) = {n(factor)}",
        f"得分 = {n(w)} × {n(factor)} = {n(w * factor)}",
    ]
    return RuleOutcome(w * factor, completion, False, steps)


def score_completion(
    actual: float, target: float, points: float, p: dict[str, float]
) -> RuleOutcome:
    """r = a/t; r ≥ 1: W + W·min(bonus_per_ratio·(r−1), bonus_cap); r < 1: W·r, or 0 if r < zero_below.

    A target of 0 is met by any a ≥ 0, with W and no bonus.
    """
    w = points
    if target == 0:
        if actual >= 0:
            return RuleOutcome(w, None, True, [f"目标为 0,实绩 {n(actual)} ≥ 0 即完成,得满分 {n(w)}(不加分)"])
        return RuleOutcome(0.0, None, False, [f"目标为 0,实绩 {n(actual)} < 0,得 0 分"])
    r = actual / target
    head = f"完成率 r = {n(actual)} ÷ {n(target)} = {n(r)}"
    if r >= 1:
        rate = min(p["bonus_per_ratio"] * (r - 1), p["bonus_cap"])
        steps = [
            head,
            f"r ≥ 1:加分比例 = min({n(p['bonus_per_ratio'])} × ({n(r)} − 1), {n(p['bonus_cap'])}) = {n(rate)}",
            f"得分 = {n(w)} + {n(w)} × {n(rate)} = {n(w + w * rate)}",
        ]
        return RuleOutcome(w + w * rate, r, True, steps)
    if r >= p["zero_below"]:
        return RuleOutcome(
            w * r, r, False,
            [head, f"{n(p['zero_below'])} ≤ r < 1:得分 = {n(w)} × {n(r)} = {n(w * r)}"],
        )
    return RuleOutcome(0.0, r, False, [head, f"r < {n(p['zero_below'])}:得 0 分"])


def score_qualitative(level: str, points: float, levels: dict[str, float]) -> RuleOutcome:
    """完成 = W, 基本完成 = 0.6·W, 未完成 = 0 (factors from YAML)."""
    factor = levels.get(level, 0.0)
    best = max(levels.values()) if levels else 1.0
    steps = [f"评定为「{level}」,系数 {n(factor)}", f"得分 = {n(points)} × {n(factor)} = {n(points * factor)}"]
    return RuleOutcome(points * factor, factor, factor >= best, steps)


# ---------------------------------------------------------------- one indicator


def _param_text(rule: str, p: dict[str, float], scoring: ScoringParams) -> str:
    if rule == "growth":
        return (
            f"超目标每 1 个百分点加 {n(p['bonus_per_point'] * 100)}%×分值(封顶 {n(p['bonus_cap'] * 100)}%);"
            f"低于目标每 1 个百分点扣 {n(p['penalty_per_point'] * 100)}%×分值(最低 0)"
        )
    if rule == "completion":
        return (
            f"完成率 r ≥ 1 时每超 1% 加 {n(p['bonus_per_ratio'])}%×分值(封顶 {n(p['bonus_cap'] * 100)}%);"
            f"r < 1 时得 r×分值,r < {n(p['zero_below'])} 得 0;目标为 0 时实绩 ≥ 0 得满分"
        )
    levels = "、".join(f"{k} {n(v)}" for k, v in scoring.qualitative.levels.items())
    return f"按评定等级计分:{levels}(×分值)"


def score_indicator(
    plan: Plan,
    item: Indicator | CityTarget,
    unit: str,
    cell: Cell | None,
    *,
    quarter: int | None = None,
    points: float | None = None,
    weight: float = 1.0,
    role: str = "",
) -> IndicatorResult:
    """Score one actual against one target under the item's rule, keeping every step."""
    if isinstance(item, Indicator):
        annual = item.target(unit)
        unit_text = item.display_unit
        w = item.points if points is None else points
        decline = item.decline
    else:
        annual = item.target
        unit_text = item.unit
        w = points if points is not None else (item.points or plan.scoring.departments.city_target_points)
        decline = item.decline
    p = indicator_params(plan, item)
    actual = cell.value if cell else None
    where = cell.where if cell else ""
    # the result's fields, filled in as the rule is applied and validated once at the end
    f: dict[str, Any] = {
        "id": item.id, "name": item.name, "unit": unit_text, "target": annual, "actual": actual, "points": w,
        "score": 0.0, "completion": None, "status": "missing", "rule": item.rule, "role": role, "params": p,
        "where": where, "max_score": w * (1 + p.get("bonus_cap", 0.0)), "weight": weight, "annual_target": annual,
    }
    if isinstance(item, Indicator) and not item.applies_to(unit):
        f.update(status="not_applicable", max_score=0.0,
                 steps=[f"{unit} 不考核此项(附件1中为「{annual or '空白'}」)"])
        return IndicatorResult(**f)
    steps = [f"规则:{item.rule}({RULE_NAMES[item.rule]});{_param_text(item.rule, p, plan.scoring)}"]
    target_value: float | None = None
    if item.rule == "qualitative":
        f["max_score"] = w
        if quarter is not None:
            f.update(status="pending", steps=[*steps, f"{quarter} 季度不评定定性指标,待年底评定"])
            return IndicatorResult(**f)
    else:
        assert isinstance(annual, int | float)
        target_value = float(annual)
        if quarter is not None and item.accumulates:
            target_value = float(annual) * quarter / 4
            steps.append(f"时间进度:全年目标 {n(float(annual))} × {quarter}/4 = {n(target_value)}")
        f["target"] = target_value
        if target_value == 0 and item.rule == "completion":
            f["max_score"] = w
    target_shown = f"「{annual}」" if item.rule == "qualitative" else f"{n(target_value or 0.0)}{unit_text}"
    steps.append(f"目标 {target_shown},分值 {n(w)}")
    if actual is None:
        f["steps"] = [*steps, f"实绩空缺({where or '未填报'}),暂按 0 分计,结果为暂定"]
        return IndicatorResult(**f)
    if item.rule == "qualitative":
        if not isinstance(actual, str):
            raise ValueError(f"qualitative actual must be a level, got {actual!r}")
        out = score_qualitative(actual, w, plan.scoring.qualitative.levels)
    else:
        if not isinstance(actual, int | float):
            raise ValueError(f"numeric actual expected for {item.id}, got {actual!r}")
        assert target_value is not None
        decline_note = ";下降率:实绩为下降幅度,上升记为负数" if decline else ""
        steps.append(f"实绩 {n(float(actual))}{unit_text}(取自 {where or '输入'}){decline_note}")
        rule_fn = score_growth if item.rule == "growth" else score_completion
        out = rule_fn(float(actual), target_value, w, p)
    f.update(score=out.score, completion=out.completion, status="met" if out.met else "below",
             steps=steps + out.steps)
    return IndicatorResult(**f)


# ---------------------------------------------------------------- units


def _adjustments(
    items: Iterable[Adjustment], subject: str, scoring: ScoringParams
) -> tuple[float, float, list[Adjustment]]:
    """Bonus and deduction totals for a subject, each capped (SPEC §4.3)."""
    mine = [a for a in items if a.subject == subject]
    plus = sum(a.points for a in mine if a.points > 0)
    minus = -sum(a.points for a in mine if a.points < 0)
    return min(plus, scoring.bonus_cap), min(minus, scoring.deduction_cap), mine


def _scaled(results: Sequence[IndicatorResult], full: float) -> tuple[float, float]:
    """(full × Σ weight·score / Σ weight·points, the scale per weighted point)."""
    counted = [r for r in results if r.status not in ("not_applicable", "pending")]
    denom = sum(r.points * r.weight for r in counted)
    if denom == 0:
        return 0.0, 0.0
    scale = full / denom
    return sum(r.score * r.weight for r in counted) * scale, scale


def _upper(results: Sequence[IndicatorResult], scale: float) -> float:
    """What the missing indicators could still add, each at its full score plus cap."""
    return sum(r.max_score * r.weight for r in results if r.status == "missing") * scale


def score_unit(plan: Plan, actuals: Actuals, unit: str, quarter: int | None) -> UnitResult:
    cells = actuals.units.get(unit, {})
    results = [
        score_indicator(plan, ind, unit, cells.get(ind.id), quarter=quarter)
        for ind in plan.indicators
    ]
    base, scale = _scaled(results, 100.0)
    categories: dict[str, float] = {}
    for cat in plan.categories:
        in_cat = [r for r, ind in zip(results, plan.indicators, strict=True) if ind.category == cat.name]
        full = sum(ind.points for ind in plan.indicators if ind.category == cat.name)
        if any(r.status not in ("not_applicable", "pending") for r in in_cat):
            categories[cat.name] = _scaled(in_cat, full)[0]
    bonus, deductions, mine = _adjustments(actuals.adjustments, unit, plan.scoring)
    total = base + bonus - deductions
    # a quarterly check does not rate qualitative rows (pending), so it cannot veto either
    vetoed = any(
        ind.veto and r.status != "pending" and r.actual == plan.scoring.veto_level
        for r, ind in zip(results, plan.indicators, strict=True)
    )
    missing = [f"{r.where or r.id}({r.name})" for r in results if r.status == "missing"]
    return UnitResult(
        rank=None, name=unit, score=total, grade="", provisional=bool(missing), vetoed=vetoed,
        categories=categories, bonus=bonus, deductions=deductions, indicators=results,
        base_score=base, scale=scale, score_range=(total, total + _upper(results, scale)),
        adjustments=mine, missing=missing,
    )


def _department_rating(plan: Plan, cell: Cell | None) -> float | None:
    """The rating as a factor: a level from YAML, or a 0–100 score ÷ 100; None when blank."""
    if cell is None or cell.value is None:
        return None
    if isinstance(cell.value, str):
        factor = plan.scoring.departments.ratings.get(cell.value)
        if factor is None:
            raise ValueError(f"unknown rating {cell.value!r}")  # the reader admits only known levels
        return factor
    return cell.value / 100


def score_department(plan: Plan, actuals: Actuals, name: str, quarter: int | None = None) -> DepartmentResult:
    """60 × scaled score of led (and, at half weight, supported) items + 40 × rating factor.

    A quarterly check prorates led items exactly as for districts (same `quarter`).
    """
    dp = plan.scoring.departments
    dep = next(d for d in plan.departments if d.name == name)
    city_cells = actuals.units.get(plan.city, {})
    results: list[IndicatorResult] = []
    for role, refs, weight in (("lead", dep.leads, 1.0), ("support", dep.supports, dp.support_factor)):
        for ref in refs:
            ind = plan.indicator(ref)
            if ind is not None:
                results.append(score_indicator(
                    plan, ind, plan.city, city_cells.get(ref), quarter=quarter, weight=weight, role=role,
                ))
                continue
            ct = plan.city_target(ref)
            assert ct is not None  # the loader rejects unresolvable mappings
            results.append(score_indicator(
                plan, ct, plan.city, actuals.city_targets.get(ref), quarter=quarter, weight=weight, role=role,
            ))
    cell = actuals.ratings.get(name)
    factor = _department_rating(plan, cell)
    counted = [r for r in results if r.status not in ("not_applicable", "pending")]
    if counted:
        part, scale = _scaled(counted, dp.indicator_weight)
        rating_part = dp.rating_weight * (factor or 0.0)
        upper = _upper(counted, scale)
        rating_room = dp.rating_weight * (max(dp.ratings.values()) if factor is None else 0.0)
    else:
        part, scale = 0.0, 0.0
        full = dp.indicator_weight + dp.rating_weight
        rating_part = full * (factor or 0.0)
        upper = 0.0
        rating_room = full * max(dp.ratings.values()) if factor is None else 0.0
    bonus, deductions, mine = _adjustments(actuals.adjustments, name, plan.scoring)
    total = part + rating_part + bonus - deductions
    missing = [f"{r.where or r.id}({r.name})" for r in results if r.status == "missing"]
    if factor is None:
        missing.append(f"{cell.where if cell and cell.where else '部门评价'}({name} 的评价)")
    return DepartmentResult(
        rank=None, name=name, score=total, grade="", provisional=bool(missing),
        indicators=results, rating=cell.value if cell else None, rating_factor=factor,
        indicator_part=part if counted else None, rating_part=rating_part, bonus=bonus,
        deductions=deductions, scale=scale,
        score_range=(total, total + upper + rating_room), adjustments=mine, missing=missing,
    )


def score_city(plan: Plan, actuals: Actuals, quarter: int | None) -> CityResult:
    unit = score_unit(plan, actuals, plan.city, quarter)
    targets = [
        score_indicator(plan, ct, plan.city, actuals.city_targets.get(ct.id), quarter=quarter)
        for ct in plan.city_targets
    ]
    missing = unit.missing + [f"{r.where or r.id}({r.name})" for r in targets if r.status == "missing"]
    return CityResult(
        name=plan.city, score=unit.base_score, provisional=bool(missing),
        categories=unit.categories, indicators=unit.indicators, city_targets=targets,
        scale=unit.scale, score_range=(unit.base_score, unit.score_range[1]), missing=missing,
    )


# ---------------------------------------------------------------- ranks and grades


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1, 2, 2, 4: a unit's rank is 1 + the number of units strictly ahead of it."""
    keyed = [round(s, 9) for s in scores]
    order = sorted(keyed, reverse=True)
    first: dict[float, int] = {}
    for position, value in enumerate(order, 1):
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


R = TypeVar("R", UnitResult, DepartmentResult)


def _rank_and_grade(results: list[R], scoring: ScoringParams) -> list[R]:
    ranks = competition_ranks([r.score for r in results])
    for r, rank in zip(results, ranks, strict=True):
        r.rank = rank
        vetoed = isinstance(r, UnitResult) and r.vetoed
        r.grade = grade_for(r.score, rank, vetoed, scoring)
    return sorted(results, key=lambda r: (r.rank or 0))


# ---------------------------------------------------------------- the whole


def score(plan: Plan, actuals: Actuals) -> Assessment:
    """Score every district, department and the city for one workbook's actuals."""
    quarter = quarter_of(actuals.period)
    districts = [score_unit(plan, actuals, d, quarter) for d in plan.districts]
    departments = [score_department(plan, actuals, d.name, quarter) for d in plan.departments]
    changes = method_changes(plan)
    warnings = [f"计划自身:{f.message}" for f in check_plan(plan)]
    for name, missing in [(r.name, r.missing) for r in districts] + [(r.name, r.missing) for r in departments]:
        if missing:
            warnings.append(f"{name} 有 {len(missing)} 项缺数据,结果为暂定:{'、'.join(missing)}")
    proration = ""
    if quarter is not None:
        proration = (
            f"{actuals.period} 季度督查:累计类指标按时间进度(全年目标 × {quarter}/4)比较,"
            "比率、水平类指标按全年目标比较,定性指标待年底评定。"
        )
    return Assessment(
        plan=PlanRef(
            id=plan.info.id, title=plan.info.title, sha256=plan.targets_sha256,
            path=plan.targets_path, departments_sha256=plan.departments_sha256,
        ),
        input=InputRef(path=actuals.path, sha256=actuals.sha256, period=actuals.period),
        method=MethodInfo(
            default=not changes,
            label="默认评分方法" if not changes else f"已调整的评分方法(与默认方法相比 {len(changes)} 处改动)",
            changes=changes, proration=proration, params=plan.scoring,
        ),
        warnings=warnings,
        districts=_rank_and_grade(districts, plan.scoring),
        departments=_rank_and_grade(departments, plan.scoring),
        city=score_city(plan, actuals, quarter),
    )


# ---------------------------------------------------------------- gaps


@dataclass
class Gap:
    """One indicator a unit is behind on, and what closing it would be worth."""

    result: IndicatorResult
    gap: float | str | None
    points_lost: float
    total_gain: float


@dataclass
class GapReport:
    unit: str
    kind: str  # "district" | "department" | "city"
    score: float
    shortfalls: list[Gap]
    met: list[IndicatorResult]
    missing: list[IndicatorResult]
    not_applicable: list[IndicatorResult]
    pending: list[IndicatorResult]


def gap_in_unit(r: IndicatorResult) -> float | str | None:
    """How far the actual is from the target, in the indicator's own unit (or the levels)."""
    if isinstance(r.target, int | float) and isinstance(r.actual, int | float):
        return float(r.target) - float(r.actual)
    if isinstance(r.actual, str):
        return f"{r.actual} → 完成"
    return None


def gaps(results: Sequence[IndicatorResult], scale: float, unit: str, kind: str, total: float) -> GapReport:
    """Shortfalls sorted by points lost (most first); gain = (W − score) × weight × scale."""
    below = []
    for r in results:
        if r.status != "below":
            continue
        lost = max(r.points - r.score, 0.0)
        below.append(Gap(r, gap_in_unit(r), lost * r.weight, lost * r.weight * scale))
    below.sort(key=lambda g: (-g.points_lost, g.result.id))
    return GapReport(
        unit=unit, kind=kind, score=total, shortfalls=below,
        met=[r for r in results if r.status == "met"],
        missing=[r for r in results if r.status == "missing"],
        not_applicable=[r for r in results if r.status == "not_applicable"],
        pending=[r for r in results if r.status == "pending"],
    )


def gap_report(a: Assessment, *, district: str | None = None, department: str | None = None) -> GapReport:
    """The gap report of one district (or the city) or one department of an assessment."""
    if department is not None:
        dep = next(d for d in a.departments if d.name == department)
        return gaps(dep.indicators, dep.scale, dep.name, "department", dep.score)
    if district == a.city.name:
        # city_targets are a progress report beside the 附件1 score: they add nothing to it
        main = gaps(a.city.indicators, a.city.scale, a.city.name, "city", a.city.score)
        extra = gaps(a.city.city_targets, 0.0, a.city.name, "city", a.city.score)
        for name in ("shortfalls", "met", "missing", "not_applicable", "pending"):
            getattr(main, name).extend(getattr(extra, name))
        return main
    unit = next(d for d in a.districts if d.name == district)
    return gaps(unit.indicators, unit.scale, unit.name, "district", unit.score)


def find_result(
    a: Assessment, indicator: str, *, district: str | None = None, department: str | None = None
) -> tuple[IndicatorResult | None, float]:
    """One indicator's result for a unit or department, with its scale to the total."""
    if department is not None:
        dep = next(d for d in a.departments if d.name == department)
        pool, scale = dep.indicators, dep.scale
    elif district == a.city.name:
        hit = next((r for r in a.city.city_targets if indicator_key(r.id) == indicator_key(indicator)), None)
        if hit is not None:
            return hit, 0.0
        pool, scale = a.city.indicators, a.city.scale
    else:
        unit = next(d for d in a.districts if d.name == district)
        pool, scale = unit.indicators, unit.scale
    key = indicator_key(indicator)
    return next((r for r in pool if indicator_key(r.id) == key), None), scale


def indicator_key(text: str) -> str:
    """An indicator id as typed: full-width digits, spaces and leading zeros do not matter."""
    key = unicodedata.normalize("NFKC", text).strip().upper()
    prefix = key.rstrip("0123456789")
    digits = key[len(prefix):]
    return prefix + (str(int(digits)) if digits else "")
