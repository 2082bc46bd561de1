"""Build Actuals in Python for scoring tests (no workbook needed)."""

from __future__ import annotations

from hz_assess.models import Actuals, Cell, Plan


def at_target(plan: Plan, period: str = "2017", rating: str | float = "优秀") -> Actuals:
    """Every applicable actual exactly at its target; every department rated `rating`."""
    units: dict[str, dict[str, Cell]] = {}
    for unit in plan.unit_names:
        units[unit] = {}
        for ind in plan.indicators:
            if ind.applies_to(unit):
                t = ind.target(unit)
                value: float | str = "完成" if isinstance(t, str) else float(t)  # type: ignore[arg-type]
                units[unit][ind.id] = Cell(value=value, where=f"县区实绩!{unit}{ind.id}")
    return Actuals(
        path="test.xlsx",
        sha256="0" * 64,
        period=period,
        units=units,
        city_targets={c.id: Cell(value="完成" if isinstance(c.target, str) else float(c.target),
                                 where=f"全市目标!{c.id}") for c in plan.city_targets},
        ratings={d.name: Cell(value=rating, where=f"部门评价!{d.id}") for d in plan.departments},
    )


def set_value(actuals: Actuals, unit: str, ind_id: str, value: float | str | None) -> Actuals:
    actuals.units[unit][ind_id] = Cell(value=value, where=f"县区实绩!{unit}{ind_id}")
    return actuals
