"""The scoring method: where a plan's method departs from the default, and each indicator's parameters.

The default method is written down once, in the bundled YAML (data/targets_2017.yaml and
data/departments.yaml): a plan's method is "changed" exactly where it differs from those
files. The comparison is generic: every field of the plan models is method unless it is
listed in NOT_METHOD as saying what is measured rather than how it is scored, so a field
added to the method later is compared without touching this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from hz_assess.models import CityTarget, Department, Indicator, Plan
from hz_assess.plan.loader import DEPARTMENTS_NAME, TARGETS_NAME, bundled_path, file_sha256, load_plan

# What is measured, for whom, and where it is written, as opposed to how it is scored.
# Anything not named here is method. The plan's own fields: its identity, units and
# categories, the three lists compared item by item below, and where it was read from.
NOT_METHOD: dict[type[BaseModel], frozenset[str]] = {
    Plan: frozenset({
        "info", "categories", "indicators", "city_targets", "departments",
        "targets_path", "targets_sha256", "departments_path", "departments_sha256", "bundled",
    }),
    Indicator: frozenset({"id", "name", "unit", "implied_unit", "targets", "plan_text"}),
    CityTarget: frozenset({"id", "name", "unit", "target", "source"}),
    Department: frozenset({"id", "name", "aliases", "duty"}),
}

# Chinese names of the method fields a person reads most; any other field shows its YAML key.
FIELD_LABELS = {
    "points": "分值",
    "rule": "规则",
    "veto": "一票否决",
    "decline": "下降率",
    "city_points": "全市分值",
    "schedule": "季度督查安排",
    "category": "栏目",
    "params": "参数",
    "leads": "牵头",
    "supports": "配合",
}

_ABSENT = object()  # a key one side has and the other has not


@dataclass(frozen=True)
class _Item:
    """One indicator, city target or department: its title and its method fields, flattened."""

    title: str
    fields: dict[str, object]


@dataclass(frozen=True)
class _MethodView:
    """The parts of a plan that decide a score besides the actuals and the target values."""

    settings: dict[str, object]  # "scoring.growth.bonus_cap" -> 0.2, "audit.…" -> …
    indicators: dict[str, _Item]
    city_targets: dict[str, _Item]
    departments: dict[str, _Item]


def method_changes(plan: Plan) -> list[str]:
    """Every way the plan's method departs from the default (the bundled YAML), one Chinese line each.

    A plan read from the bundled files themselves (the same sha256 for both) is the
    default without comparing anything; otherwise the bundled plan is loaded once per
    process and compared field by field. The sha256 fields are trusted: a Plan changed
    in memory after loading must not keep the sha256 of the files it no longer matches.
    """
    if (plan.targets_sha256, plan.departments_sha256) == _bundled_sha256():
        return []
    return _differences(_default_view(), _method_view(plan))


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


# ---------------------------------------------------------------- the default, once


@functools.cache
def _bundled_sha256() -> tuple[str, str]:
    return file_sha256(bundled_path(TARGETS_NAME)), file_sha256(bundled_path(DEPARTMENTS_NAME))


@functools.cache
def _default_view() -> _MethodView:
    # only the flattened view is kept: the bundled Plan itself is never handed out, so
    # nothing a caller does to a Plan can change what "default" means
    return _method_view(load_plan())


# ---------------------------------------------------------------- flattening


def _method_view(plan: Plan) -> _MethodView:
    settings: dict[str, object] = {}
    for name in type(plan).model_fields:
        if name not in _not_method(type(plan)):
            _flatten(name, _dump(getattr(plan, name)), settings)
    return _MethodView(
        settings=settings,
        indicators={i.id: _item(i, f"第{i.id}行「{i.name}」") for i in plan.indicators},
        city_targets={c.id: _item(c, f"{c.id}「{c.name}」") for c in plan.city_targets},
        departments={d.name: _department(d) for d in plan.departments},
    )


def _item(model: BaseModel, title: str) -> _Item:
    fields: dict[str, object] = {}
    _flatten("", model.model_dump(mode="json", exclude=set(_not_method(type(model)))), fields)
    return _Item(title, fields)


def _department(dep: Department) -> _Item:
    # what a department leads or supports is method; the words quoted as its basis are not
    item = _item(dep, dep.name)
    fields = {k: v for k, v in item.fields.items() if not k.startswith(("leads.", "supports."))}
    return _Item(dep.name, {**fields, "leads": list(dep.leads), "supports": list(dep.supports)})


def _not_method(cls: type[BaseModel]) -> frozenset[str]:
    # a model extended by subclassing keeps its parent's list: only the new fields are method
    return next((NOT_METHOD[c] for c in cls.__mro__ if c in NOT_METHOD), frozenset())


def _dump(value: object) -> object:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _flatten(prefix: str, value: object, out: dict[str, object]) -> None:
    """Nested tables become dotted keys; a list of tables is indexed; a list of plain values stays one value."""
    if isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), sub, out)
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for i, sub in enumerate(value):
            _flatten(f"{prefix}[{i}]", sub, out)
    else:
        out[prefix] = value


# ---------------------------------------------------------------- comparing


def _differences(default: _MethodView, now: _MethodView) -> list[str]:
    changes = _changed(default.settings, now.settings, lambda key: key)
    changes += _changed_items(default.indicators, now.indicators, lambda i: f"第{i}行", "指标")
    changes += _changed_items(default.city_targets, now.city_targets, lambda c: f"{c} ", "全市目标")
    changes += _changed_items(default.departments, now.departments, lambda d: f"{d} ", "部门")
    return changes


def _changed_items(
    default: dict[str, _Item], now: dict[str, _Item], prefix: Callable[[str], str], kind: str
) -> list[str]:
    out: list[str] = []
    for key, item in now.items():
        before = default.get(key)
        if before is None:
            out.append(f"{item.title}:新增{kind}(默认方法中没有)")
        else:
            out += _changed(before.fields, item.fields, functools.partial(_field_name, prefix(key)))
    out += [f"{item.title}:已删除(默认方法中有此{kind})" for key, item in default.items() if key not in now]
    return out


def _changed(default: dict[str, object], now: dict[str, object], name: Callable[[str], str]) -> list[str]:
    keys = list(default) + [k for k in now if k not in default]
    out = []
    for key in keys:
        before, after = default.get(key, _ABSENT), now.get(key, _ABSENT)
        if before != after:
            out.append(f"{name(key)}:默认 {_show(before)} → 现为 {_show(after)}")
    return out


def _field_name(prefix: str, field: str) -> str:
    """第12行分值, 第12行参数 bonus_cap, 市金融办 牵头; a field without a Chinese label shows its key."""
    head, _, rest = field.partition(".")
    label = FIELD_LABELS.get(head, head)
    if rest:
        label = f"{label} {rest}"
    # 第12行分值 reads as one word; a YAML key needs a space: 第12行 schedule
    if prefix.endswith(" ") or not label[:1].isascii():
        return prefix + label
    return f"{prefix} {label}"


def _show(value: object) -> str:
    if value is _ABSENT:
        return "未设"
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return "、".join(_show(v) for v in value) if value else "无"
    if value == "":
        return "空"
    return str(value)
