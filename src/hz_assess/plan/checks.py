"""`hz-assess check`: things in a valid plan that do not add up (sums, points, mappings).

These are findings for a person to look at, not load errors: the seed's numbers are
kept as printed even where they disagree (row 19).
"""

from __future__ import annotations

from dataclasses import dataclass

from hz_assess.models import Plan


@dataclass(frozen=True)
class Finding:
    code: str
    indicator: str
    message: str
    level: str = "problem"  # "problem": something does not add up; "notice": worth knowing, not wrong


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def check_plan(plan: Plan) -> list[Finding]:
    """Things in a valid plan that do not add up (the seed's numbers are kept as printed)."""
    out: list[Finding] = []
    for ind in plan.indicators:
        if not ind.additive:
            continue
        city = ind.target(plan.city)
        parts = [ind.target(d) for d in plan.districts if ind.applies_to(d)]
        if not isinstance(city, int | float) or not parts:
            continue
        numbers = [p for p in parts if isinstance(p, int | float)]
        total = round(sum(numbers), 9)
        if abs(total - city) > 1e-9:
            detail = "+".join(_fmt(p) for p in numbers)
            out.append(Finding(
                "sum_mismatch", ind.id,
                f"第{ind.id}行「{ind.name}」:各县区目标合计 {detail} = {_fmt(total)},"
                f"与全市目标 {_fmt(city)} 不一致(相差 {_fmt(round(city - total, 9))})",
            ))
    for what, points in (("县区", [i.points for i in plan.indicators if i.points is not None]),
                         ("全市", [i.city_points for i in plan.indicators])):
        total_points = round(sum(points), 9)
        if abs(total_points - 100) > 1e-9:
            out.append(Finding("points_total", "", f"附件1各指标的{what}分值合计 {_fmt(total_points)},不等于 100"))
    for cat in plan.categories:
        if not any(i.category == cat.name for i in plan.indicators):
            out.append(Finding("empty_category", "", f"栏目「{cat.name}」下没有指标"))
    for dep in plan.departments:
        both = set(dep.leads) & set(dep.supports)
        for ref in sorted(both):
            out.append(Finding("lead_and_support", ref,
                               f"{dep.name} 对「{ref}」既牵头又配合,请只保留一种"))
    led = {ref for dep in plan.departments for ref in dep.leads}
    items: list[tuple[str, str]] = [(i.id, f"第{i.id}行「{i.name}」") for i in plan.indicators]
    items += [(c.id, f"{c.id}「{c.name}」") for c in plan.city_targets]
    for ref, label in items:
        if ref not in led:
            helpers = [dep.name for dep in plan.departments if ref in dep.supports]
            extra = f"(配合部门:{'、'.join(helpers)})" if helpers else ""
            out.append(Finding("unowned", ref, f"{label} 没有牵头部门{extra}:部门职责原文未提及,"
                                               "不计入任何部门的指标得分", level="notice"))
    return out
