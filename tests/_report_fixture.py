"""A deterministic, varied Assessment for the report tests: every status, a veto, ties,
missing data, ratings of each kind, and hostile 加减分 text (formula-like cells)."""

from __future__ import annotations

from _builders import at_target, set_value
from hz_assess.models import Actuals, Adjustment, Assessment, Cell, Plan
from hz_assess.plan import load_plan
from hz_assess.scoring import score

HOSTILE_ITEM = '=HYPERLINK("http://evil.example/x","点我")'
HOSTILE_BASIS = "+cmd|' /C calc'!A0"
FULLWIDTH_ITEM = "＝1+1"
AT_ITEM = "@SUM(A1:A9)"
SCRIPT_ITEM = "<script>alert(1)</script>"


def _target(plan: Plan, unit: str, ind_id: str) -> float:
    ind = plan.indicator(ind_id)
    assert ind is not None
    value = ind.target(unit)
    assert isinstance(value, int | float)
    return float(value)


def report_actuals(plan: Plan) -> Actuals:
    a = at_target(plan)
    set_value(a, "吴兴区", "1", _target(plan, "吴兴区", "1") + 2)  # above target: bonus
    set_value(a, "吴兴区", "11", _target(plan, "吴兴区", "11") * 0.8)
    for ind_id in ("2", "12", "13"):
        set_value(a, "南浔区", ind_id, None)  # missing: provisional
    set_value(a, "南浔区", "3", _target(plan, "南浔区", "3") * 0.4)  # below zero_below: 0 points
    set_value(a, "德清县", "25", "未完成")  # the veto indicator
    set_value(a, "德清县", "26", "基本完成")
    set_value(a, "安吉县", "4", _target(plan, "安吉县", "4") - 3)
    set_value(a, "湖州开发区", "1", _target(plan, "湖州开发区", "1") - 5)
    set_value(a, "湖州开发区", "8", _target(plan, "湖州开发区", "8") - 1.5)
    names = [d.name for d in plan.departments]
    for name, rating in zip(names[1:5], ["良好", "一般", "较差", 88.0], strict=True):
        a.ratings[name] = Cell(value=rating, where=f"部门评价!D{names.index(name) + 4}")
    a.ratings[names[5]] = Cell(value=None, where=f"部门评价!D{5 + 4}")
    first_ct = plan.city_targets[0]
    a.city_targets[first_ct.id] = Cell(value=float(first_ct.target) * 0.7, where="全市目标!E4")
    a.city_targets[plan.city_targets[1].id] = Cell(value=None, where="全市目标!E5")
    a.adjustments = [
        Adjustment(subject="长兴县", item=HOSTILE_ITEM, points=3, basis=HOSTILE_BASIS, where="加减分!C4"),
        Adjustment(subject="安吉县", item=FULLWIDTH_ITEM, points=-2, basis=AT_ITEM, where="加减分!C5"),
        Adjustment(subject=names[0], item="-违规通报", points=-1.5, basis="督查通报", where="加减分!C6"),
        Adjustment(subject="吴兴区", item=SCRIPT_ITEM, points=0.5, basis="表彰", where="加减分!C7"),
    ]
    return a


def report_assessment() -> Assessment:
    plan = load_plan()
    a = score(plan, report_actuals(plan))
    # the checkout's absolute paths would make goldens machine-specific
    a.plan.path, a.plan.departments_path = "data/targets_2017.yaml", "data/departments.yaml"
    return a
