"""The scoring method of SPEC §4: a pure function (Plan, Actuals) -> Assessment.

`core` compiles the plan and scores each unit's rows on floats; `standings` turns the
sums into totals, ranks and grades; this module dresses them as the Assessment every
view reads. Per-indicator rows are built only when something asks for them. No I/O
and no printing; full precision is kept, and the published total is rounded once.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from hz_assess.models import (
    Actuals,
    Adjustment,
    Assessment,
    CategoryInfo,
    CategoryScore,
    Cell,
    CityResult,
    CityTarget,
    DataWarning,
    DepartmentGroupKey,
    DepartmentResult,
    Indicator,
    IndicatorResult,
    InputFile,
    InputRef,
    MethodInfo,
    Plan,
    PlanRef,
    RuleSpec,
    UnitResult,
)
from hz_assess.plan import Finding, check_plan, indicator_params, method_changes
from hz_assess.scoring.core import (
    BELOW,
    CITY_TARGETS_CATEGORY,
    MET,
    MISSING,
    NO_OVERRIDES,
    Group,
    Method,
    Numbers,
    Overrides,
    Row,
    compile_method,
    quarter_of,
    score_cells,
    statuses,
)
from hz_assess.scoring.standings import (
    DepartmentParts,
    Standing,
    department_standing,
    published,
    rank_group,
    unit_standing,
)

__all__ = ["CITY_TARGETS_CATEGORY", "Method", "Overrides", "compile_method", "plan_findings", "published",
           "quarter_of", "score", "score_cells"]

COUNTED = (MET, BELOW, MISSING)
GROUP_KEYS: tuple[DepartmentGroupKey, ...] = ("lead", "support", "service")
RowScale = Callable[[Row], tuple[float, float]]  # a row -> (points of the total per base point, per over point)


def _source(file: str, cell: Cell | None) -> str:
    """file!sheet!cell of a value: the cell's own file when several workbooks were collected."""
    if cell is None or not cell.where:
        return ""
    name = cell.file or file
    return f"{name}!{cell.where}" if name else cell.where


def _sources(file: str, cells: Iterable[Cell | None]) -> list[str]:
    """The workbooks that supplied a unit's values, in the order first seen; [] for a unit not reported.

    `file` names the one workbook read (its first value settles it); "" when several were collected.
    """
    if file:
        return [file] if any(cell is not None and cell.value is not None for cell in cells) else []
    found: dict[str, None] = {}
    for cell in cells:
        if cell is not None and cell.value is not None and cell.file:
            found[cell.file] = None
    return list(found)


def _gap_unit(row: Row) -> str:
    """Growth rows are apart by percentage points; a level (完成/未完成) has no unit at all."""
    return {"growth": "个百分点", "qualitative": ""}.get(row.rule.kind, row.unit)


def indicator_results(group: Group, u: int, nums: Numbers, cells: Mapping[str, Cell], file: str,
                      scale: RowScale) -> list[IndicatorResult]:
    """One IndicatorResult per row: the numbers of the core, with what they mean."""
    out = []
    for row, (b, o), st in zip(group.rows, nums.parts, statuses(group, nums), strict=True):
        cell = cells.get(row.id)
        actual = None if cell is None else cell.value
        target = row.targets[u]
        counted = st in COUNTED
        completion = gap = None
        if st in (MET, BELOW) and isinstance(actual, float | int) and isinstance(target, float | int):
            gap = float(target) - float(actual)
            if row.rule.kind == "completion" and target != 0:
                completion = float(actual) / float(target)
        per_base, per_over = scale(row) if counted else (0.0, 0.0)
        out.append(IndicatorResult.model_construct(
            id=row.id, name=row.name, unit=row.unit, category=row.category, rule=row.rule.kind, role=row.role,
            weight=row.weight, points=row.points, target=target if target is not None else row.annual[u],
            annual_target=row.annual[u], actual=actual, source=_source(file, cell), status=st, base=b, over=o,
            score_rate=b / row.points if counted else None, completion=completion, gap=gap,
            gap_unit=_gap_unit(row), lost=(row.points - b) * per_base, contribution=b * per_base + o * per_over,
        ))
    return out


def _missing(group: Group, nums: Numbers, cells: Mapping[str, Cell], unit: str) -> list[str]:
    """The cells a unit still owes, as 'sheet!cell(name)'."""
    if not nums.missing:
        return []
    out = []
    for row, st in zip(group.rows, statuses(group, nums), strict=True):
        if st == MISSING:
            cell = cells.get(row.id)
            out.append(f"{cell.where if cell is not None and cell.where else unit + ' ' + row.id}({row.name})")
    return out


def _categories(plan: Plan, nums: Numbers) -> dict[str, dict[str, float]]:
    """Each category on the total's scale (SPEC §4.3): 100 × Σ_c base / Σ W, full 100 × Σ_c W / Σ W."""
    if not nums.points:
        return {}
    scale = 100.0 / nums.points
    return {cat.name: {"score": nums.category_base[i] * scale, "full": nums.category_points[i] * scale}
            for i, cat in enumerate(plan.categories) if nums.category_points[i] > 0}


def _unit_scale(nums: Numbers, over: float) -> RowScale:
    """Each row's points of the total: base × 100/ΣW; over likewise, shrunk when the over cap binds."""
    scale = 100.0 / nums.points if nums.points else 0.0
    raw_over = nums.over_sum * scale
    over_factor = over / raw_over if raw_over else 0.0
    return lambda row: (scale, scale * over_factor)


def _common(s: Standing) -> dict[str, object]:
    return {"rank": s.rank, "name": s.name, "score": s.published, "score_exact": s.exact, "base": s.base,
            "over": s.over, "bonus": s.bonus, "deductions": s.deductions, "grade": s.grade,
            "provisional": s.provisional, "score_range": (s.low, s.high), "vetoed": bool(s.barred),
            "veto_reasons": s.barred, "progress": s.progress, "tie_break": s.tie_note, "grade_reason": s.grade_note}


def _district(plan: Plan, method: Method, s: Standing, nums: Numbers, u: int, cells: Mapping[str, Cell], file: str,
              adjustments: Sequence[Adjustment]) -> UnitResult:
    group = method.district_group
    # validated from plain data in one pass (several times faster than keyword construction)
    result = UnitResult.model_validate({
        **_common(s), "categories": _categories(plan, nums), "adjustments": list(adjustments),
        "missing": _missing(group, nums, cells, s.name), "sources": _sources(file, cells.values()),
        "scale": 100.0 / nums.points if nums.points else 0.0,
    })
    scale = _unit_scale(nums, s.over)
    result.defer_indicators(lambda: indicator_results(group, u, nums, cells, file, scale))
    return result


def _department(method: Method, s: Standing, nums: Numbers, parts: DepartmentParts, group: Group,
                key: DepartmentGroupKey,
                cells: Mapping[str, Cell], rating: Cell | None, file: str,
                adjustments: Sequence[Adjustment]) -> DepartmentResult:
    weights = method.scoring.departments.groups[key]
    quarterly = method.quarterly
    iw = 100.0 if quarterly else (weights.indicator_weight if parts.part is not None else 0.0)
    rw = 0.0 if quarterly else (weights.rating_weight if parts.part is not None else 100.0)
    missing = _missing(group, nums, cells, s.name)
    if parts.factor is None and not quarterly:
        missing.append(f"{rating.where if rating is not None and rating.where else '部门评价'}({s.name} 的评价)")
    scale = iw / parts.weight if parts.weight else 0.0
    result = DepartmentResult.model_validate({
        **_common(s), "group": key, "rating": rating.value if rating is not None else None,
        "rating_source": _source(file, rating), "rating_factor": parts.factor,
        "indicator_part": iw * parts.part if parts.part is not None else None,
        # a rating not given yet counts as the lowest level (the range says how far it may rise)
        "rating_part": None if quarterly else rw * (
            parts.factor if parts.factor is not None else min(method.scoring.departments.ratings.values())),
        "adjustments": list(adjustments), "missing": missing, "scale": scale,
        "sources": _sources(file, [*(cells.get(r.id) for r in group.rows), rating]),
    })
    # a row's share of the indicator part: iw × weight × base/W ÷ Σ weight; over counts for nothing
    result.defer_indicators(lambda: indicator_results(group, 0, nums, cells, file,
                                                      lambda row: (scale * row.weight / row.points, 0.0)))
    return result


def _city(plan: Plan, method: Method, actuals: Actuals, file: str) -> CityResult:
    cells = actuals.units.get(plan.city, {})
    s, nums = unit_standing(method, plan.city, 0, cells, [], city=True)
    targets = method.city_target_group
    t_nums = score_cells(targets, 0, actuals.city_targets)
    missing = _missing(method.city_group, nums, cells, plan.city)
    missing += _missing(targets, t_nums, actuals.city_targets, plan.city)
    result = CityResult(
        name=plan.city, score=s.published, score_exact=s.exact, base=s.base, over=s.over,
        provisional=bool(missing), score_range=(s.low, s.high), progress=s.progress,
        categories={k: CategoryScore(**v) for k, v in _categories(plan, nums).items()},
        # the further targets are a progress report beside the 附件1 score: they add nothing to it
        city_targets=indicator_results(targets, 0, t_nums, actuals.city_targets, file, lambda row: (0.0, 0.0)),
        missing=missing, sources=_sources(file, [*cells.values(), *actuals.city_targets.values()]),
        scale=100.0 / nums.points if nums.points else 0.0,
    )
    scale = _unit_scale(nums, s.over)
    result.defer_indicators(lambda: indicator_results(method.city_group, 0, nums, cells, file, scale))
    return result


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
        out[item.id] = RuleSpec(kind=item.rule, params=params, decline=item.decline, schedule=item.when)
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
        notes.append(f"{period} 季度督查:累计类指标按时间进度(全年目标 × {quarter}/4)比较,比率、水平类指标按全年目标"
                     f"比较,定性指标和年底一次性认定的指标待年底评定;季度只看进度(基本分达到 "
                     f"{plan.scoring.progress_threshold:g} 分为达到进度),不评等次。")
    return MethodInfo(
        default=not changes,
        label="默认评分方法" if not changes else f"已调整的评分方法(与默认方法相比 {len(changes)} 处改动)",
        changes=changes, notes=notes, params=plan.scoring,
    )


def plan_ref(plan: Plan) -> PlanRef:
    return PlanRef(id=plan.info.id, title=plan.info.title, doc_number=plan.info.doc_number, year=plan.info.year,
                   issuer=plan.info.issuer, sha256=plan.targets_sha256, path=plan.targets_path,
                   departments_sha256=plan.departments_sha256, departments_path=plan.departments_path)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while scoring: it allocates many small acyclic objects
    (a tuple and a status per cell), and collections triggered by them only cost time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def score(plan: Plan, actuals: Actuals, warnings: Sequence[DataWarning] = (),
          overrides: Overrides = NO_OVERRIDES) -> Assessment:
    """Score every district, department and the city for one set of actuals (SPEC §4).

    `warnings` are the 数据审核 warnings of the actuals (SPEC §3.3), carried into the result.
    """
    with gc_paused():
        return _score(plan, actuals, warnings, overrides)


def _score(plan: Plan, actuals: Actuals, warnings: Sequence[DataWarning], overrides: Overrides) -> Assessment:
    method = compile_method(plan, actuals.period, overrides)
    file = Path(actuals.path).name if actuals.path else ""
    adjustments = _by_subject(actuals.adjustments)
    notes: list[str] = []

    scored = [(*unit_standing(method, name, u, actuals.units.get(name, {}), adjustments.get(name, [])), u)
              for u, name in enumerate(method.districts)]
    if actuals.source_files():
        for s, _, _ in scored:
            # 未报送 (SPEC §3.4): no workbook holds a value of it; it is listed, not ranked behind the others
            # at 0.00 (the quota still counts it: the group is the plan's six districts)
            if not any(c.value is not None for c in actuals.units.get(s.name, {}).values()):
                s.ranked = False
    notes += rank_group([s for s, _, _ in scored], plan.scoring, plan.scoring.tie_break, quarterly=method.quarterly)
    districts = [_district(plan, method, s, nums, u, actuals.units.get(s.name, {}), file, adjustments.get(s.name, []))
                 for s, nums, u in scored]

    city_cells = {**actuals.units.get(plan.city, {}), **actuals.city_targets}
    departments: list[DepartmentResult] = []
    for key in GROUP_KEYS:
        members = [d for d in method.departments if d.department.group == key]
        done = []
        for d in members:
            name = d.department.name
            rating = actuals.ratings.get(name)
            s, nums, parts = department_standing(method, d, city_cells, rating, adjustments.get(name, []))
            done.append((s, nums, parts, d, rating))
        group_notes = rank_group([x[0] for x in done], plan.scoring, plan.scoring.departments.tie_break,
                                 quarterly=method.quarterly)
        label = plan.scoring.departments.groups[key].name
        notes += [f"{label}:{note}" for note in group_notes]
        departments += [_department(method, s, nums, parts, d.group, key, city_cells, rating, file,
                                    adjustments.get(s.name, [])) for s, nums, parts, d, rating in done]

    districts.sort(key=lambda r: (r.rank is None, r.rank or 0))
    departments.sort(key=lambda r: (GROUP_KEYS.index(r.group), r.rank is None, r.rank or 0))
    city = _city(plan, method, actuals, file)
    notes = [f"计划自身:{f.message}" for f in plan_findings(plan) if f.level != "notice"] + notes
    files = actuals.source_files()
    for district in districts:
        district.unreported = bool(files) and not district.sources
    city.unreported = bool(files) and not city.sources
    unreported = {x.name for x in districts if x.unreported} | ({city.name} if city.unreported else set())
    if unreported:
        shown = [n for n in [*method.districts, plan.city] if n in unreported]
        notes.append(f"{'、'.join(shown)} 未报送:所给的 {len(files)} 份文件中没有其任何实绩,"
                     "相关结果为暂定")
    for r in [*districts, *departments]:
        if r.missing and r.name not in unreported:
            notes.append(f"{r.name} 有 {len(r.missing)} 项缺数据,结果为暂定:{'、'.join(r.missing)}")
    return Assessment(
        plan=plan_ref(plan),
        input=InputRef(files=[InputFile(path=f.path, sha256=f.sha256) for f in files],
                       period=actuals.period),
        method=method_info(plan, actuals.period),
        provisional=any(r.provisional for r in [*districts, *departments]) or city.provisional,
        warnings=list(warnings), notes=notes,
        categories=[CategoryInfo(name=c.name, full=sum(i.points or 0.0 for i in plan.indicators
                                                      if i.category == c.name)) for c in plan.categories],
        rules=_rule_specs(plan), districts=districts, departments=departments, city=city,
    )
