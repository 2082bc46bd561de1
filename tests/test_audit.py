"""数据审核 (SPEC §3.3): values that can be scored but are probably wrong give warnings, not errors.

Each test sets one suspicious value on an otherwise plausible set of actuals (every
actual at its target) and checks the warning a person would read: code, cell and the
numbers compared. Thresholds come from the `audit:` section of the plan YAML.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _builders import at_target, set_value
from conftest import WorkbookBuilder
from hz_assess.audit import audit
from hz_assess.errors import PlanError
from hz_assess.models import Actuals, AuditParams, Cell, DataWarning, Plan
from hz_assess.plan import bundled_path, load_plan
from hz_assess.workbook import validate_workbook


@pytest.fixture
def clean(plan: Plan) -> Actuals:
    """Every actual at its target, except 全市 row 10: the plan's 7.6 lies below every district's 8."""
    return set_value(at_target(plan), "全市", "10", 8.0)


def codes(warnings: list[DataWarning]) -> list[tuple[str, str]]:
    return [(w.code, w.cell) for w in warnings]


def test_plausible_actuals_give_no_warning(plan: Plan, clean: Actuals) -> None:
    assert audit(plan, clean) == []


def test_a_city_rate_outside_every_districts_rate_warns(plan: Plan) -> None:
    # row 10 at target: 全市 7.6 while all six districts report 8, which cannot both be true
    (w,) = audit(plan, at_target(plan))
    assert (w.code, w.cell, w.file) == ("city_outside_district_range", "县区实绩!全市10", "test.xlsx")
    assert "7.6" in w.message and "8" in w.message


# ---------------------------------------------------------------- 全市 vs districts


def test_a_city_count_far_from_the_districts_sum_warns(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "全市", "15", 0.0)  # the districts' 3+3+4+4+4+2 = 20
    (w,) = [w for w in audit(plan, clean) if w.code == "city_differs_from_district_sum"]
    assert w.cell == "县区实绩!全市15" and "实绩 0" in w.message and "合计 20" in w.message


@pytest.mark.parametrize(("city", "warned"), [(35.0, False), (34.0, False), (33.0, False), (36.0, True),
                                              (32.0, True)])
def test_the_plans_own_difference_is_allowed(plan: Plan, clean: Actuals, city: float, warned: bool) -> None:
    # row 19: the districts' targets add up to 34, the city's is 35, so a difference of 1 is the plan's own
    set_value(clean, "全市", "19", city)
    found = [w for w in audit(plan, clean) if w.code == "city_differs_from_district_sum"]
    assert bool(found) == warned


@pytest.mark.parametrize(("city", "warned"), [(1009.0, False), (991.0, False), (1011.0, True)])
def test_one_percent_is_allowed_on_large_sums(plan: Plan, clean: Actuals, city: float, warned: bool) -> None:
    set_value(clean, "全市", "14", city)  # districts 160+160+210+210+190+70 = 1000
    found = [w for w in audit(plan, clean) if w.code == "city_differs_from_district_sum"]
    assert bool(found) == warned


def test_the_city_check_waits_until_every_district_has_a_number(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "全市", "15", 0.0)
    set_value(clean, "吴兴区", "15", None)  # a sum over five districts says nothing; the blank is 缺数据
    assert [w.code for w in audit(plan, clean)] == ["far_below_target"]  # 0 against the city's own target 20


@pytest.mark.parametrize(("city", "warned"), [(9.0, False), (9.1, False), (9.2, True), (6.9, False), (6.8, True)])
def test_a_city_rate_outside_the_districts_range_warns(
    plan: Plan, clean: Actuals, city: float, warned: bool
) -> None:
    # row 1 at target: districts 7, 7.5, 7, 7, 7.5, 9; a rounding margin of 0.1
    set_value(clean, "全市", "1", city)
    assert bool(audit(plan, clean)) == warned


# ---------------------------------------------------------------- implausible values


def test_a_negative_count_warns_once(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "南浔区", "13", -3.0)
    warnings = [w for w in audit(plan, clean) if w.cell == "县区实绩!南浔区13"]
    assert codes(warnings) == [("negative_value", "县区实绩!南浔区13")] and "-3家" in warnings[0].message


def test_a_fractional_count_warns(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "吴兴区", "13", 9.6)
    set_value(clean, "全市", "13", 61.0)  # within 1% of the districts' 60.6
    assert codes(audit(plan, clean)) == [("fractional_count", "县区实绩!吴兴区13")]


def test_a_fractional_count_among_the_city_targets_warns(plan: Plan, clean: Actuals) -> None:
    clean.city_targets["C03"] = Cell(value=1.03, where="全市目标!E6")  # 新增国家级企业技术中心 1.03 家
    (w,) = audit(plan, clean)
    assert (w.code, w.cell) == ("fractional_count", "全市目标!E6") and "C03" in w.message


def test_an_amount_may_have_decimals(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "吴兴区", "12", 310.5)  # 亿元
    set_value(clean, "全市", "12", 1840.5)
    assert audit(plan, clean) == []


def test_a_share_outside_0_to_100_percent_warns(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "德清县", "11", 116.0)  # R&D share: 1.16 typed as 116
    set_value(clean, "全市", "11", 1.38)
    found = codes(audit(plan, clean))
    assert ("share_out_of_range", "县区实绩!德清县11") in found


@pytest.mark.parametrize(("value", "code"), [(3100.0, "far_above_target"), (31.0, "far_below_target"),
                                             (1551.0, "far_above_target"), (1550.0, None), (62.0, None)])
def test_an_amount_far_from_its_target_warns(plan: Plan, clean: Actuals, value: float, code: str | None) -> None:
    set_value(clean, "吴兴区", "12", value)  # target 310 亿元: over 5× or under 1/5
    found = [w for w in audit(plan, clean) if w.cell == "县区实绩!吴兴区12"]
    assert [w.code for w in found] == ([code] if code else [])


def test_a_target_of_zero_is_not_compared_by_ratio(plan: Plan, clean: Actuals) -> None:
    set_value(clean, "安吉县", "16", 5.0)  # 安吉县 row 16: the target is 0
    set_value(clean, "全市", "16", 19.0)
    assert audit(plan, clean) == []


@pytest.mark.parametrize(("unit", "ind", "value", "code"), [
    ("南浔区", "1", 75.0, "rate_far_above_target"),  # 7.5 typed as 75
    ("吴兴区", "5", 60.0, "rate_out_of_range"),  # target 15: under 10×, but beyond +50 points
    ("吴兴区", "5", -60.0, "rate_out_of_range"),
    ("南浔区", "1", 0.075, "percent_looks_like_fraction"),  # 7.5% typed as 0.075
    ("吴兴区", "28", 0.05, "percent_looks_like_fraction"),  # a decline of 5% typed as 0.05
    ("德清县", "11", 0.0116, "percent_looks_like_fraction"),  # a share too
    ("南浔区", "1", 0.5, None),  # a weak year, not a slip
    ("吴兴区", "5", 50.0, None),
])
def test_a_rate_typed_out_of_scale_warns(
    plan: Plan, clean: Actuals, unit: str, ind: str, value: float, code: str | None
) -> None:
    set_value(clean, unit, ind, value)
    found = [w for w in audit(plan, clean) if w.cell == f"县区实绩!{unit}{ind}"]
    assert [w.code for w in found] == ([code] if code else [])


@pytest.mark.parametrize(("rating", "warned"), [(0.85, True), (1.0, True), (85.0, False), (0.0, False),
                                                ("良好", False)])
def test_a_rating_between_0_and_1_warns(plan: Plan, clean: Actuals, rating: float | str, warned: bool) -> None:
    clean.ratings["市科技局"] = Cell(value=rating, where="部门评价!D13")
    found = audit(plan, clean)
    assert codes(found) == ([("rating_looks_like_fraction", "部门评价!D13")] if warned else [])
    if warned:
        assert "市科技局" in found[0].message and "85" in found[0].message


def test_a_quarter_compares_with_the_prorated_target(plan: Plan) -> None:
    q2 = set_value(at_target(plan, "2017Q2"), "全市", "10", 8.0)
    set_value(q2, "吴兴区", "13", 1.0)  # target 9 × 2/4 = 4.5: 1 is over a fifth of it
    set_value(q2, "全市", "13", 52.0)
    assert audit(plan, q2) == []
    set_value(q2, "吴兴区", "13", 0.0)
    set_value(q2, "全市", "13", 51.0)
    assert codes(audit(plan, q2)) == [("far_below_target", "县区实绩!吴兴区13")]


# ---------------------------------------------------------------- thresholds in YAML


def test_the_model_defaults_equal_the_bundled_yaml(plan: Plan) -> None:
    assert AuditParams() == plan.audit


def test_thresholds_come_from_the_yaml(plan: Plan, clean: Actuals, tmp_path: Path) -> None:
    set_value(clean, "吴兴区", "12", 3100.0)
    set_value(clean, "全市", "12", 4630.0)
    assert [w.code for w in audit(plan, clean)] == ["far_above_target"]
    t = tmp_path / "t.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    t.write_text(t.read_text(encoding="utf-8").replace("completion_ratio_max: 5", "completion_ratio_max: 20"),
                 encoding="utf-8")
    assert audit(load_plan(t), clean) == []


@pytest.mark.parametrize(("line", "bad"), [
    ("city_sum_tolerance: 0.01", "city_sum_tolerance: .nan"),
    ("rate_ratio_max: 10", "rate_ratio_max: .inf"),
    ("rate_abs_max: 50", "rate_abs_max: -5"),
    ("completion_ratio_min: 0.2", "completion_ratio_min: 1.5"),
    ("completion_ratio_max: 5", "completion_ratio_max: 0.5"),
    ("fraction_ratio: 0.05", "fraction_ratio: 0"),
    ("rating_fraction_max: 1", "rating_fraction_max: 100"),
    ("city_range_margin: 0.1", "city_range_margin: -0.1"),
    ("rating_fraction_max: 1", "rating_fraction_max: 1\n  ratio_max: 3"),
])
def test_a_nonsensical_threshold_is_an_error_with_its_line(tmp_path: Path, line: str, bad: str) -> None:
    t = tmp_path / "t.yaml"
    text = bundled_path("targets_2017.yaml").read_text(encoding="utf-8")
    assert line in text
    t.write_text(text.replace(line, bad), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(t)
    (problem,) = info.value.problems
    number = text[: text.index(line)].count("\n") + 1
    assert problem.where in (f"{t}:{number}", f"{t}:{number + 1}") and "audit." in problem.message


# ---------------------------------------------------------------- from a workbook


def test_validate_carries_the_warnings_with_file_and_cell(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book.set("全市", "10", 8)
    book.set("南浔区", "1", 7.5, number_format="0%")  # shows 750%: the reader takes it, the audit asks
    book.set("吴兴区", "13", 9.6)
    book.set("全市", "13", 61)
    v = validate_workbook(plan, book.save())
    assert v.ok
    assert [(w.code, w.file, w.cell) for w in v.warnings] == [
        ("rate_far_above_target", "actuals.xlsx", "县区实绩!G5"),
        ("fractional_count", "actuals.xlsx", "县区实绩!F17"),
    ]
    assert "750%" in v.warnings[0].message and "7.5%" in v.warnings[0].message


def test_validate_audits_what_it_could_read_beside_errors(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book.set("全市", "10", 8)
    book.set("吴兴区", "1", "七点五")
    book.set("吴兴区", "13", 9.6)
    book.set("全市", "13", 61)
    v = validate_workbook(plan, book.save())
    assert [p.code for p in v.problems] == ["not_a_number"]
    assert [w.code for w in v.warnings] == ["fractional_count"]
