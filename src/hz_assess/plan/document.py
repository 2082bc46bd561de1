"""The plan as data: `targets --format json` and target cells as the seed prints them."""

from __future__ import annotations

from typing import Any

from hz_assess.models import NO_BREAKDOWN, Plan
from hz_assess.plan.names import resolve_department


def target_text(cell: object) -> str:
    """A target cell as the seed prints it: 24.0 stays 24.0, blank stays blank."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell)
    return str(cell)


def _json_target(cell: object) -> object:
    return None if cell == NO_BREAKDOWN else cell


def plan_document(plan: Plan, unit: str | None = None, department: str | None = None) -> dict[str, Any]:
    """`targets --format json` (SPEC §5), optionally narrowed to one unit or department."""
    units = [unit] if unit else plan.unit_names
    indicators = plan.indicators
    city_targets = plan.city_targets
    departments = plan.departments
    if unit:
        indicators = [i for i in indicators if i.applies_to(unit)]
        if unit != plan.city:
            city_targets = []
    if department:
        dep = resolve_department(plan, department)
        refs = set(dep.leads) | set(dep.supports)
        indicators = [i for i in indicators if i.id in refs]
        city_targets = [c for c in city_targets if c.id in refs]
        departments = [dep]
    return {
        "plan": {
            "id": plan.info.id,
            "title": plan.info.title,
            "doc_number": plan.info.doc_number,
            "issued": plan.info.issued,
            "year": plan.info.year,
            "sha256": plan.targets_sha256,
        },
        "units": units,
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "unit": i.unit,
                "category": i.category,
                "points": i.points,
                "rule": i.rule,
                "targets": {u: _json_target(i.target(u)) for u in units},
                "cells": {u: target_text(i.target(u)) for u in units},
            }
            for i in indicators
        ],
        "city_targets": [
            {
                "id": c.id,
                "name": c.name,
                "unit": c.unit,
                "target": c.target,
                "rule": c.rule,
                "source": c.source,
            }
            for c in city_targets
        ],
        "departments": [
            {"id": d.id, "name": d.name, "leads": list(d.leads), "supports": list(d.supports)}
            for d in departments
        ],
    }
