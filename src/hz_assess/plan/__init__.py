"""The plan: YAML -> Plan (loader), its consistency checks, its method against the
default, name resolution for units and departments, and the plan as a document.

Everything other modules need is importable from here.
"""

from hz_assess.plan.checks import Finding, check_plan
from hz_assess.plan.document import plan_document, target_text
from hz_assess.plan.loader import DEPARTMENTS_NAME, TARGETS_NAME, bundled_path, load_plan
from hz_assess.plan.method import indicator_params, method_changes
from hz_assess.plan.names import resolve_department, resolve_unit

__all__ = [
    "DEPARTMENTS_NAME",
    "TARGETS_NAME",
    "Finding",
    "bundled_path",
    "check_plan",
    "indicator_params",
    "load_plan",
    "method_changes",
    "plan_document",
    "resolve_department",
    "resolve_unit",
    "target_text",
]
