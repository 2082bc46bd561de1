"""Name resolution: the canonical unit or department for what a user typed (a name, an alias, a 序号)."""

from __future__ import annotations

from hz_assess.errors import Problem, UsageError
from hz_assess.models import Department, Plan


def resolve_unit(plan: Plan, name: str, *, districts_only: bool = False) -> str:
    """Canonical unit name for a name or alias; UsageError listing valid names."""
    key = name.strip()
    for u in plan.info.units:
        if districts_only and u.city:
            continue
        if key == u.name or key in u.aliases:
            return u.name
    valid = plan.districts if districts_only else plan.unit_names
    raise UsageError(Problem("unknown_unit", "", f"没有名为「{name}」的县区,可用:{'、'.join(valid)}"))


def resolve_department(plan: Plan, name: str) -> Department:
    key = name.strip()
    for dep in plan.departments:
        if key in (dep.name, dep.id, *dep.aliases):
            return dep
    raise UsageError(Problem(
        "unknown_department", "",
        f"没有名为「{name}」的部门,可用:{'、'.join(d.name for d in plan.departments)}",
    ))
