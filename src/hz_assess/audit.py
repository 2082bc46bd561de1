"""数据审核 (SPEC §3.3): warnings about values that can be scored but are probably wrong.

`audit(plan, actuals)` is pure: it reads Actuals, the plan's targets and the thresholds
of `plan.audit` (YAML `audit:`), and returns one DataWarning per finding, each with a
stable code, the file, the cell (sheet!A1), the numbers compared and what to check.
A warning never changes a score; `validate --strict` treats warnings as failures.

What is compared (targets are those of the period: a quarterly check prorates
accumulating items, target × q/4, as scoring does, SPEC §4.7):
- 全市 vs districts, only when 全市 and every district the row applies to have a number
  (a sum over some districts says nothing; the blanks are reported as 缺数据):
  additive rows (counts, amounts): |全市 − Σ districts| above the larger of the plan's
  own |全市 target − Σ district targets| (annual, even in a quarter: the difference is
  what the city counts and no district does) and city_sum_tolerance × max(|全市|, |Σ|);
  other numeric rows (rates, shares, levels): 全市 outside the districts' min…max
  widened by city_range_margin.
- each value: counts, amounts and levels negative, or beyond completion_ratio_max× /
  below completion_ratio_min× the target (target not 0); counts not whole numbers;
  shares outside 0–100%; growth and decline rates at rate_ratio_max× the target or
  more, or beyond ±rate_abs_max points; a percentage (rate or share) below 1 and under
  fraction_ratio of its target (0.075 typed for 7.5%); department ratings in
  (0, rating_fraction_max] (0.85 typed for 85).
- a return form filled outside its own unit (`outside_scope`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from hz_assess.models import Actuals, AuditParams, Cell, CityTarget, DataWarning, Indicator, Plan
from hz_assess.scope import Scope

Item = Indicator | CityTarget


def audit(plan: Plan, actuals: Actuals, file: str = "") -> list[DataWarning]:
    """Every 数据审核 warning for `actuals`, in plan order. `file` defaults to the workbook's name."""
    a = _Audit(plan, plan.audit, file or PurePath(actuals.path).name, _quarter(actuals.period))
    out: list[DataWarning] = list(outside_scope(plan, actuals))
    for ind in plan.indicators:
        if ind.rule == "qualitative":
            continue
        row = {unit: actuals.units.get(unit, {}).get(ind.id) for unit in plan.unit_names if ind.applies_to(unit)}
        for unit, cell in row.items():
            value = _number(cell)
            if cell is not None and value is not None:
                out += a.value(ind, unit, _subject(unit, ind), value, cell)
        out += a.city_vs_districts(ind, row)
    city = plan.city
    for ct in plan.city_targets:
        cell = actuals.city_targets.get(ct.id)
        value = _number(cell)
        if cell is not None and value is not None:
            out += a.value(ct, city, f"全市目标 {ct.id}「{ct.name}」", value, cell)
    for dep in plan.departments:
        cell = actuals.ratings.get(dep.name)
        value = _number(cell)
        if cell is not None and value is not None and 0 < value <= plan.audit.rating_fraction_max:
            out.append(a.warn("rating_looks_like_fraction", cell,
                              f"{dep.name} 的评价分数为 {_n(value)},在 0 到 {_n(plan.audit.rating_fraction_max)} 之间;"
                              f"评价分数按百分制填写(如 0.85 应填 85),请核对"))
    return out


def outside_scope(plan: Plan, actuals: Actuals) -> Iterator[DataWarning]:
    """Values a return form holds outside its own unit (SPEC §3.3): read, but someone should look.

    A district's form with a number in another district's column is most likely a
    slip (a pasted row, a shifted column); the value is kept and any different value
    from the owning unit's own return is a conflict.
    """
    scopes = {PurePath(f.path).name: Scope.parse(f.scope) for f in actuals.source_files()}
    scopes.update({f.path: Scope.parse(f.scope) for f in actuals.source_files()})  # names given as paths

    def scope_of(cell: Cell) -> Scope | None:
        scope = scopes.get(cell.file) if cell.file else None
        return None if scope is None or scope.whole else scope

    def warn(cell: Cell, scope: Scope, what: str) -> DataWarning:
        form = scope.title(plan)
        return DataWarning(code="outside_scope", file=cell.file, cell=cell.where,
                           message=f"这是{form}的填报表,却填写了{what}(不属于本表填报范围);"
                                   "请核实是否填错了行或列,应由相应单位的填报表提供")

    for unit, cells in actuals.units.items():
        for ind_id, cell in cells.items():
            scope = scope_of(cell)
            if cell.value is not None and scope is not None and not scope.owes_unit_cell(plan, unit, ind_id):
                yield warn(cell, scope, f"{unit} 第{ind_id}项的实绩")
    for ct_id, cell in actuals.city_targets.items():
        scope = scope_of(cell)
        if cell.value is not None and scope is not None and not scope.owes_city_target(plan, ct_id):
            yield warn(cell, scope, f"全市目标 {ct_id} 的实绩")
    for name, cell in actuals.ratings.items():
        scope = scope_of(cell)
        if cell.value is not None and scope is not None:
            yield warn(cell, scope, f"{name} 的评价")
    for adj in actuals.adjustments:
        scope = scopes.get(adj.file) if adj.file else None
        if scope is not None and not scope.whole:
            yield warn(Cell(value=adj.points, where=adj.where, file=adj.file), scope, f"加减分事项「{adj.item}」")


def _quarter(period: str) -> int | None:
    return int(period[-1]) if "Q" in period else None


def _number(cell: Cell | None) -> float | None:
    if cell is None or isinstance(cell.value, str):
        return None
    return cell.value


def _subject(unit: str, ind: Indicator) -> str:
    return f"{unit} 第{ind.id}项「{ind.name}」"


def _n(x: float) -> str:
    """A number as a person would write it: up to 4 decimals, no trailing zeros."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _Audit:
    def __init__(self, plan: Plan, params: AuditParams, file: str, quarter: int | None) -> None:
        self.plan, self.p, self.file, self.quarter = plan, params, file, quarter

    def warn(self, code: str, cell: Cell, message: str) -> DataWarning:
        return DataWarning(code=code, file=cell.file or self.file, cell=cell.where, message=message)

    def target(self, item: Item, unit: str) -> float | None:
        """The target of the period: accumulating items are prorated in a quarter (SPEC §4.7)."""
        annual = item.target(unit) if isinstance(item, Indicator) else item.target
        if not isinstance(annual, int | float):
            return None
        if self.quarter is not None and item.when == "prorate":
            return float(annual) * self.quarter / 4
        return float(annual)

    def kind(self, item: Item) -> str:
        """rate (growth or decline), share (a % level), count, or amount (amounts and other levels)."""
        unit = item.display_unit if isinstance(item, Indicator) else item.unit
        if item.rule == "growth" or item.decline:
            return "rate"
        if unit == "%":
            return "share"
        return "count" if unit in self.p.count_units else "amount"

    def value(self, item: Item, unit: str, subject: str, v: float, cell: Cell) -> Iterator[DataWarning]:
        p, t, kind = self.p, self.target(item, unit), self.kind(item)
        u = item.display_unit if isinstance(item, Indicator) else item.unit
        shown = f"{_n(v)}{u}"
        if kind in ("count", "amount"):
            if v < 0:
                yield self.warn("negative_value", cell, f"{subject} 实绩为 {shown},为负数;计数和总量指标不应为负,"
                                                        "请核对是否填错了符号或单元格")
            if kind == "count" and abs(v - round(v)) > 1e-9:
                yield self.warn("fractional_count", cell, f"{subject} 实绩为 {shown},不是整数;计数指标应为整数,"
                                                          "请核对是否填成了比例或多了小数")
            if t and v >= 0:
                ratio = v / t
                if ratio > p.completion_ratio_max:
                    yield self.warn("far_above_target", cell,
                                    f"{subject} 实绩 {shown} 是目标 {_n(t)}{u} 的 {ratio:.1f} 倍"
                                    f"(超过 {_n(p.completion_ratio_max)} 倍);请核对是否多填了位数或用错了单位")
                elif ratio < p.completion_ratio_min:
                    yield self.warn("far_below_target", cell,
                                    f"{subject} 实绩 {shown} 不到目标 {_n(t)}{u} 的 {_n(p.completion_ratio_min)} 倍"
                                    f"(仅为 {ratio:.2f} 倍);请核对是否少填了位数或用错了单位")
            return
        if kind == "share" and not 0 <= v <= 100:
            yield self.warn("share_out_of_range", cell,
                            f"{subject} 实绩为 {shown},超出 0–100%,比重不可能如此;请核对")
            return
        if kind == "rate":
            if t is not None and t > 0 and v >= p.rate_ratio_max * t:
                yield self.warn("rate_far_above_target", cell,
                                f"{subject} 实绩 {shown} 达到目标 {_n(t)}{u} 的 {v / t:.1f} 倍"
                                f"(不低于 {_n(p.rate_ratio_max)} 倍);请核对是否多填了一位(如把 7.5 填成 75)")
            elif abs(v) > p.rate_abs_max:
                yield self.warn("rate_out_of_range", cell,
                                f"{subject} 实绩 {shown} 超出 ±{_n(p.rate_abs_max)} 个百分点,增幅或降幅很少如此之大;"
                                "请核对是否多填了一位(如把 7.5 填成 75)")
        if t is not None and t > 0 and 0 < v < 1 and v < p.fraction_ratio * t:
            yield self.warn("percent_looks_like_fraction", cell,
                            f"{subject} 实绩 {shown} 不到目标 {_n(t)}{u} 的 {_n(p.fraction_ratio)} 倍,"
                            f"像是把 {_n(v * 100)}% 填成了小数 {_n(v)};百分比请直接填 {_n(v * 100)},请核对")

    def city_vs_districts(self, ind: Indicator, row: dict[str, Cell | None]) -> list[DataWarning]:
        city_cell = row.get(self.plan.city)
        districts = [d for d in self.plan.districts if d in row]
        values = {d: _number(row[d]) for d in districts}
        city = _number(city_cell)
        if city_cell is None or city is None or not districts or any(v is None for v in values.values()):
            return []
        known = {d: v for d, v in values.items() if v is not None}
        u, subject = ind.display_unit, _subject(self.plan.city, ind)
        listed = "、".join(f"{d} {_n(v)}" for d, v in known.items())
        if ind.additive:
            total = sum(known.values())
            # the plan's own difference uses the annual targets even in a quarter: it is
            # structural (what the city counts and no district does) and need not accrue evenly
            city_target = ind.target(self.plan.city)
            targets = [ind.target(d) for d in districts]
            numeric = [float(t) for t in targets if isinstance(t, int | float)]
            plan_diff = (abs(float(city_target) - sum(numeric))
                         if isinstance(city_target, int | float) and len(numeric) == len(targets) else 0.0)
            allowed = max(plan_diff, self.p.city_sum_tolerance * max(abs(city), abs(total)))
            diff = abs(city - total)
            if diff > allowed + 1e-9:
                return [self.warn("city_differs_from_district_sum", city_cell,
                                  f"{subject} 实绩 {_n(city)}{u} 与各县区实绩合计 {_n(total)}{u}({listed})"
                                  f"相差 {_n(diff)}{u},超过允许的差额 {_n(allowed)}{u}"
                                  f"(计划中全市目标与县区目标合计之差 {_n(plan_diff)},或 "
                                  f"{_n(self.p.city_sum_tolerance * 100)}%);请核对全市及各县区的填报")]
            return []
        low, high = min(known.values()), max(known.values())
        margin = self.p.city_range_margin
        if city < low - margin - 1e-9 or city > high + margin + 1e-9:
            return [self.warn("city_outside_district_range", city_cell,
                              f"{subject} 实绩 {_n(city)}{u} 不在各县区实绩 {_n(low)}–{_n(high)}{u}({listed})"
                              f"之间(允许误差 {_n(margin)});全市的比率应介于各县区之间,请核对全市及各县区的填报")]
        return []
