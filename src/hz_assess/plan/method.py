"""The scoring method: how a plan's method departs from the default, and each indicator's parameters."""

from __future__ import annotations

import hashlib
from typing import Any

from hz_assess.models import CityTarget, Indicator, Plan, ScoringParams

# The documented default points and rule of each 附件1 row (SPEC §4.1/§4.2).
DEFAULT_POINTS: dict[str, tuple[float, str]] = {
    "1": (8, "growth"), "2": (5, "growth"), "3": (4, "completion"), "4": (5, "growth"),
    "5": (4, "growth"), "6": (4, "completion"), "7": (2, "growth"), "8": (4, "growth"),
    "9": (2, "growth"), "10": (4, "growth"), "11": (5, "completion"),
    "12": (4, "completion"), "13": (4, "completion"), "14": (4, "completion"),
    "15": (3, "completion"), "16": (3, "completion"), "17": (3, "completion"),
    "18": (3, "completion"), "19": (3, "completion"), "20": (1, "completion"),
    "21": (2, "completion"), "22": (3, "completion"), "23": (3, "completion"),
    "24": (2, "completion"), "25": (2, "qualitative"), "26": (1.5, "qualitative"),
    "27": (1.5, "qualitative"), "28": (1.5, "completion"), "29": (1.5, "completion"),
    "30": (2, "completion"), "31": (2, "completion"), "32": (1, "completion"),
    "33": (1, "completion"), "34": (1, "qualitative"),
}
DEFAULT_VETO = {"25"}
# method_fingerprint() of the bundled 2017 plan as documented; a test keeps the two in step
DEFAULT_METHOD_FINGERPRINT = "0e3ac8bfe08612023c5fdecc60733796b5bc805da3f0c9eb1fc64a8692733de7"


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = value


def method_changes(plan: Plan) -> list[str]:
    """Every way the plan's method departs from the documented default, in Chinese."""
    changes: list[str] = []
    now: dict[str, Any] = {}
    default: dict[str, Any] = {}
    _flatten("", plan.scoring.model_dump(mode="json"), now)
    _flatten("", ScoringParams().model_dump(mode="json"), default)
    for key in sorted(set(now) | set(default)):
        if now.get(key) != default.get(key):
            changes.append(f"scoring.{key}:默认 {default.get(key)} → 现为 {now.get(key)}")
    for ind in plan.indicators:
        points, rule = DEFAULT_POINTS.get(ind.id, (None, None))
        if ind.points != points:
            changes.append(f"第{ind.id}行分值:默认 {points} → 现为 {ind.points:g}")
        if ind.rule != rule:
            changes.append(f"第{ind.id}行规则:默认 {rule} → 现为 {ind.rule}")
        if ind.veto != (ind.id in DEFAULT_VETO):
            changes.append(f"第{ind.id}行一票否决:现为 {'是' if ind.veto else '否'}")
        for key, val in sorted(ind.params.items()):
            changes.append(f"第{ind.id}行参数 {key} = {val:g}(覆盖 {ind.rule} 默认值)")
    for ct in plan.city_targets:
        if ct.points is not None:
            changes.append(f"{ct.id} 分值 = {ct.points:g}")
        for key, val in sorted(ct.params.items()):
            changes.append(f"{ct.id} 参数 {key} = {val:g}(覆盖 {ct.rule} 默认值)")
    fingerprint = method_fingerprint(plan)
    if not changes and fingerprint != DEFAULT_METHOD_FINGERPRINT:
        changes.append(
            "指标的栏目、规则、季度累计属性、全市目标或部门牵头/配合关系与默认方法不同"
            f"(方法指纹 {fingerprint[:12]},默认 {DEFAULT_METHOD_FINGERPRINT[:12]})"
        )
    return changes


def method_fingerprint(plan: Plan) -> str:
    """sha256 of everything that decides a score besides the actuals and the targets' values."""
    import json

    doc = {
        "scoring": plan.scoring.model_dump(mode="json"),
        "indicators": [
            [i.id, i.category, i.rule, i.points, i.veto, i.accumulates, sorted(i.params.items())]
            for i in plan.indicators
        ],
        "city_targets": [
            [c.id, c.rule, c.points, c.accumulates, sorted(c.params.items())] for c in plan.city_targets
        ],
        "departments": [[d.name, d.leads, d.supports] for d in plan.departments],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def indicator_params(plan: Plan, ind: Indicator | CityTarget) -> dict[str, float]:
    """The effective rule parameters of one indicator: per-kind defaults + overrides."""
    base: dict[str, float]
    if ind.rule == "growth":
        base = plan.scoring.growth.model_dump()
    elif ind.rule == "completion":
        base = plan.scoring.completion.model_dump()
    else:
        base = {}
    return {**base, **ind.params}
