"""SPEC §4 (method v2), one rule per test, with values computed by hand in the test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _builders import at_target, set_value
from hz_assess.models import Actuals, Adjustment, Assessment, Cell, DepartmentResult, Plan, UnitResult
from hz_assess.plan import bundled_path, load_plan
from hz_assess.rules import Completion, Growth, Qualitative
from hz_assess.scoring import published, score
from hz_assess.views import shortfalls

GROWTH = Growth(bonus_per_point=0.025, bonus_cap=0.20, penalty_per_point=0.10)
COMPLETION = Completion(bonus_per_ratio=0.25, bonus_cap=0.20, zero_below=0.5)
LEVELS = Qualitative({"完成": 1.0, "基本完成": 0.6, "未完成": 0.0})
DISTRICTS = ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "湖州开发区"]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def district(a: Assessment, name: str) -> UnitResult:
    found = a.district(name)
    assert found is not None
    return found


def department(a: Assessment, name: str) -> DepartmentResult:
    found = a.department(name)
    assert found is not None
    return found


def adjust(actuals: Actuals, subject: str, points: float, *, veto: bool = False) -> Actuals:
    actuals.adjustments.append(Adjustment(subject=subject, item=f"事项{len(actuals.adjustments) + 1}",
                                          points=points, veto=veto))
    return actuals


# ---------------------------------------------------------------- §4.2 the rule kinds (W = 8, t = 7)


def test_growth_at_target_gives_full_base_and_no_over() -> None:
    assert GROWTH.score(7, 7, 8) == (8, 0)


def test_growth_above_target_adds_two_and_a_half_percent_per_point_as_over() -> None:
    base, over = GROWTH.score(9, 7, 8)
    assert base == 8 and over == pytest.approx(0.4)  # 8 × 0.025 × 2


def test_growth_over_is_capped_at_twenty_percent_of_the_points() -> None:
    assert GROWTH.score(20, 7, 8) == (8, pytest.approx(1.6))


def test_growth_below_target_loses_ten_percent_per_point() -> None:
    assert GROWTH.score(5, 7, 8) == (pytest.approx(6.4), 0)


def test_growth_far_below_target_floors_at_zero() -> None:
    assert GROWTH.score(-5, 7, 8) == (0, 0)


def test_completion_at_and_above_target() -> None:
    assert COMPLETION.score(500, 500, 4) == (4, 0)
    assert COMPLETION.score(550, 500, 4) == (4, pytest.approx(0.1))  # r = 1.1 → 0.25 × 0.1 of 4
    assert COMPLETION.score(1000, 500, 4) == (4, pytest.approx(0.8))  # capped at 20%


def test_completion_below_scores_in_proportion_and_zero_below_half() -> None:
    assert COMPLETION.score(400, 500, 4) == (pytest.approx(3.2), 0)
    assert COMPLETION.score(250, 500, 4) == (pytest.approx(2.0), 0)
    assert COMPLETION.score(249, 500, 4) == (0, 0)


def test_target_zero_is_met_by_any_non_negative_actual_without_over() -> None:
    assert COMPLETION.score(0, 0, 3) == (3, 0)
    assert COMPLETION.score(4, 0, 3) == (3, 0)
    assert COMPLETION.score(-1, 0, 3) == (0, 0)


@pytest.mark.parametrize(("level", "expected"), [("完成", 2.0), ("基本完成", 1.2), ("未完成", 0.0)])
def test_qualitative_levels(level: str, expected: float) -> None:
    assert LEVELS.score(level, "完成省下达目标任务", 2) == (pytest.approx(expected), 0)


def test_decline_rows_are_growth_rows_with_no_cliff(plan: Plan) -> None:
    # row 28, W = 1.5, t = 5: 2.45 → 1.5 × (1 − 0.1 × 2.55) = 1.1175; 2.50 → 1.125 (v1 gave 0 and 0.75)
    low = district(score(plan, set_value(at_target(plan), "长兴县", "28", 2.45)), "长兴县").indicator("28")
    high = district(score(plan, set_value(at_target(plan), "长兴县", "28", 2.5)), "长兴县").indicator("28")
    assert low is not None and high is not None
    assert low.base == pytest.approx(1.1175) and high.base == pytest.approx(1.125)
    assert low.gap_unit == "个百分点" and low.gap == pytest.approx(2.55) and low.completion is None


def test_growth_rows_show_score_rate_and_gap_in_points_not_a_completion_ratio(plan: Plan) -> None:
    # row 4 (W = 5, t = 8) at 3.2: base 5 × 0.52; 得分率 52%; gap 4.8 个百分点; no 完成率
    r = district(score(plan, set_value(at_target(plan), "南浔区", "4", 3.2)), "南浔区").indicator("4")
    assert r is not None
    assert r.score_rate == pytest.approx(0.52) and r.gap == pytest.approx(4.8) and r.gap_unit == "个百分点"
    assert r.completion is None


def test_completion_rows_show_their_ratio(plan: Plan) -> None:
    r = district(score(plan, set_value(at_target(plan), "长兴县", "12", 400.0)), "长兴县").indicator("12")
    assert r is not None and r.completion == pytest.approx(0.8) and r.score_rate == pytest.approx(0.8)


# ---------------------------------------------------------------- §4.1, §4.3 points and the total


def test_all_at_target_gives_100_and_the_city_only_rows_are_not_the_districts(plan: Plan) -> None:
    a = score(plan, at_target(plan))
    for d in a.districts:
        assert (d.score, d.base, d.over, d.bonus, d.deductions) == (100.0, 100.0, 0.0, 0.0, 0.0)
        assert {r.id for r in d.indicators}.isdisjoint({"7", "9", "20", "24"})
    assert a.city.score == 100.0 and {"7", "9", "20", "24"} <= {r.id for r in a.city.indicators}
    assert a.method.default and a.method.label == "默认评分方法"


def test_district_points_are_those_of_spec_4_1(plan: Plan) -> None:
    d = district(score(plan, at_target(plan)), "长兴县")
    points = {r.id: r.points for r in d.indicators}
    assert points["1"] == 8 and points["8"] == 6 and points["10"] == 6 and points["22"] == 4 and points["21"] == 3
    assert sum(points.values()) == 100
    city = {r.id: r.points for r in score(plan, at_target(plan)).city.indicators}
    assert city["8"] == 4 and city["7"] == 2 and sum(city.values()) == 100


def test_base_is_100_times_base_points_over_applicable_points(plan: Plan) -> None:
    # 长兴县 row 1 at 6 vs 7 (W = 8): base 7.2, so 100 × 99.2 / 100
    cx = district(score(plan, set_value(at_target(plan), "长兴县", "1", 6.0)), "长兴县")
    assert cx.base == pytest.approx(99.2) and cx.score_exact == pytest.approx(99.2)
    # 湖州开发区 is not assessed on row 22 (4 points): 100 × (96 − 0.8) / 96
    kf = district(score(plan, set_value(at_target(plan), "湖州开发区", "1", 8.0)), "湖州开发区")
    assert kf.base == pytest.approx(100 * 95.2 / 96)
    assert kf.indicator("22") is not None and kf.indicator("22").status == "not_applicable"  # type: ignore[union-attr]


def test_categories_are_on_the_totals_scale_and_add_up_to_base(plan: Plan) -> None:
    kf = district(score(plan, set_value(at_target(plan), "湖州开发区", "1", 8.0)), "湖州开发区")
    assert sum(c.score for c in kf.categories.values()) == pytest.approx(kf.base)
    assert kf.categories["质量效益"].score == pytest.approx(100 * (30 - 0.8) / 96)
    assert kf.categories["两化融合"].full == pytest.approx(100 * 4 / 96)  # row 23 only
    assert all(c.score <= c.full + 1e-9 for c in kf.categories.values())


def test_over_achievement_is_its_own_part_and_capped_at_10(plan: Plan) -> None:
    # 吴兴区 row 1 at 9 vs 7: over 8 × 0.05 = 0.4 → total 100.4, of which over 0.4
    wx = district(score(plan, set_value(at_target(plan), "吴兴区", "1", 9.0)), "吴兴区")
    assert (wx.base, wx.over, wx.score) == (100, pytest.approx(0.4), 100.4)
    # every numeric row 20% over its cap: 0.2 × (100 − 6 qualitative points) = 18.8 → capped at 10
    a = at_target(plan)
    for ind in plan.indicators:
        t = ind.target("吴兴区")
        if ind.points and isinstance(t, int | float):
            set_value(a, "吴兴区", ind.id, float(t) * 2 if ind.rule == "completion" and t else float(t) + 20)
    wx = district(score(plan, a), "吴兴区")
    assert wx.base == 100 and wx.over == 10 and wx.score == 110
    assert sum(r.contribution for r in wx.indicators) == pytest.approx(110)  # over shares shrink to the cap


def test_bonus_and_deductions_are_capped(plan: Plan) -> None:
    a = adjust(adjust(adjust(adjust(at_target(plan), "长兴县", 3), "长兴县", 4), "吴兴区", -6), "吴兴区", -7)
    result = score(plan, a)
    assert (district(result, "长兴县").bonus, district(result, "长兴县").score) == (5, 105)
    assert (district(result, "吴兴区").deductions, district(result, "吴兴区").score) == (10, 90)


# ---------------------------------------------------------------- §4.4 precision, ranks and ties


def test_the_published_total_is_rounded_half_up_on_the_decimal() -> None:
    assert published(89.995) == 90.0 and published(89.994999) == 89.99 and published(90.005) == 90.01


def test_ranks_and_grades_use_the_published_total(plan: Plan) -> None:
    # 吴兴区: row 32 (W = 1, t = 8) at 7.968 → 0.996, so 99.996 − 10 = 89.996; 南浔区: 100 − 9.996 = 90.004.
    # Both publish as 90.00: equal, and equal on rows 1, 2, 4 too, so they share rank 1 and both are 优秀.
    a = adjust(adjust(set_value(at_target(plan), "吴兴区", "32", 7.968), "吴兴区", -10), "南浔区", -9.996)
    for other in DISTRICTS[2:]:
        set_value(a, other, "1", -100.0)  # row 1 scores 0: 92 − 10 = 82
        adjust(a, other, -10)
    result = score(plan, a)
    wx, nx = district(result, "吴兴区"), district(result, "南浔区")
    assert wx.score == nx.score == 90.0 and wx.score_exact < 90 < nx.score_exact
    assert wx.rank == nx.rank == 1 and wx.grade == nx.grade == "优秀"  # 2 places for 2 units: no quota issue


def test_equal_published_totals_are_ordered_by_row_1_then_2_then_4(plan: Plan) -> None:
    # 吴兴区 row 1 at 7.4: over 8 × 0.025 × 0.4 = 0.08, taken back by a 0.08 deduction → 100.00 like the rest
    a = adjust(set_value(at_target(plan), "吴兴区", "1", 7.4), "吴兴区", -0.08)
    result = score(plan, a)
    assert [(d.name, d.rank) for d in result.districts][0] == ("吴兴区", 1)
    assert {d.rank for d in result.districts if d.name != "吴兴区"} == {2}  # the rest share rank 2
    assert "按第1项得分 8.08 高于 8 排在前" in district(result, "吴兴区").tie_break
    assert "名次并列" in district(result, "德清县").tie_break


def test_units_equal_on_everything_share_a_rank_and_the_next_is_skipped(plan: Plan) -> None:
    a = at_target(plan)
    for name, points in (("吴兴区", -1), ("南浔区", -1), ("德清县", -3), ("长兴县", 0), ("安吉县", -4),
                         ("湖州开发区", -5)):
        if points:
            adjust(a, name, points)
    ranks = {d.name: d.rank for d in score(plan, a).districts}
    assert ranks == {"长兴县": 1, "吴兴区": 2, "南浔区": 2, "德清县": 4, "安吉县": 5, "湖州开发区": 6}


# ---------------------------------------------------------------- §4.5 grades, quota, veto


def _spread(plan: Plan) -> Actuals:
    """Totals 99, 98, 97, 96, 95, 94 in the order 长兴 安吉 吴兴 南浔 开发区 德清."""
    a = at_target(plan)
    for name, points in (("长兴县", -1), ("安吉县", -2), ("吴兴区", -3), ("南浔区", -4), ("湖州开发区", -5),
                         ("德清县", -6)):
        adjust(a, name, points)
    return a


def test_at_most_a_third_are_excellent_and_the_rest_drop_one_grade(plan: Plan) -> None:
    grades = {d.name: d.grade for d in score(plan, _spread(plan)).districts}
    assert grades == {"长兴县": "优秀", "安吉县": "优秀", "吴兴区": "良好", "南浔区": "良好", "湖州开发区": "良好",
                      "德清县": "良好"}  # ⌊6/3⌋ = 2 places, although all six are ≥ 90
    wx = district(score(plan, _spread(plan)), "吴兴区")
    assert wx.grade_reason == "总分 97.00 达到优秀分数线,但优秀名额2个(共6个单位)已由排名在前的单位占满,评为良好"
    assert district(score(plan, _spread(plan)), "长兴县").grade_reason == ""


def test_a_veto_row_bars_the_unit_and_its_place_goes_to_the_next(plan: Plan) -> None:
    # 长兴县 未完成 on row 26 (1.5 points): 97.5 + 5 bonus = 102.5, first, but barred
    a = adjust(set_value(_spread(plan), "长兴县", "26", "未完成"), "长兴县", 5)
    result = score(plan, a)
    cx = district(result, "长兴县")
    assert cx.rank == 1 and cx.score_exact == pytest.approx(100 - 1.5 - 1 + 5) and cx.grade == "良好"
    assert cx.vetoed and cx.veto_reasons == ["第26项「全社会能源消费总量」评定为未完成"]
    assert cx.grade_reason == "总分 102.50 达到优秀分数线,因否决不得评为优秀,评为良好"
    assert [d.name for d in result.districts if d.grade == "优秀"] == ["安吉县", "吴兴区"]


def test_a_veto_item_on_the_adjustment_sheet_bars_the_unit_too(plan: Plan) -> None:
    a = adjust(_spread(plan), "长兴县", -0.5, veto=True)  # a 较大安全事故: 0.5 off and no 优秀
    cx = district(score(plan, a), "长兴县")
    assert cx.score == 98.5 and cx.grade == "良好" and cx.veto_reasons == ["加减分事项「事项7」列为否决"]


def test_a_tie_straddling_the_quota_gives_all_tied_units_the_grade_and_says_so(plan: Plan) -> None:
    a = at_target(plan)
    for name, points in (("长兴县", 0), ("安吉县", -1), ("吴兴区", -1), ("南浔区", -4), ("湖州开发区", -5),
                         ("德清县", -6)):
        if points:
            adjust(a, name, points)
    result = score(plan, a)
    assert [d.name for d in result.districts if d.grade == "优秀"] == ["长兴县", "吴兴区", "安吉县"]
    assert any("优秀名额2个:第2名吴兴区、安吉县" in note and "超出名额1个" in note for note in result.notes)
    assert district(result, "安吉县").grade_reason == (
        "优秀名额2个,与其并列第2名的共2个单位无法区分,均评为优秀(超出名额1个,请考核办研究决定)")


def test_without_a_quota_every_unit_above_90_is_excellent(tmp_path: Path, plan: Plan) -> None:
    t = tmp_path / "t.yaml"
    t.write_text(bundled_path("targets_2017.yaml").read_text(encoding="utf-8").replace(
        'quota: {优秀: "1/3"}', "quota: none"), encoding="utf-8")
    changed = load_plan(t)
    assert {d.grade for d in score(changed, _spread(changed)).districts} == {"优秀"}
    assert "scoring.quota.优秀:默认 1/3 → 现为 未设" in score(changed, at_target(changed)).method.changes


# ---------------------------------------------------------------- §4.6 missing data


def test_missing_data_scores_zero_and_gives_the_reachable_range(plan: Plan) -> None:
    a = score(plan, set_value(at_target(plan), "长兴县", "12", None))  # W = 4
    cx = district(a, "长兴县")
    row = cx.indicator("12")
    assert row is not None and row.status == "missing" and row.base == 0 and cx.provisional and a.provisional
    lo, hi = cx.score_range
    assert lo == pytest.approx(96) and hi == pytest.approx(96 + 4 + 4 * 0.2)  # full points plus the most over
    assert any("长兴县 有 1 项缺数据" in note for note in a.notes)


def test_a_rating_not_given_yet_is_provisional_from_the_lowest_level_never_zero(plan: Plan) -> None:
    actuals = at_target(plan)
    del actuals.ratings["市委宣传部"]  # a 服务保障部门: 100 × rating
    dep = department(score(plan, actuals), "市委宣传部")
    assert dep.provisional and dep.score == 50.0 and dep.score_range == (50, 100)  # 较差 0.5 … 优秀 1.0
    assert dep.rating_part == 50.0


# ---------------------------------------------------------------- §4.8 departments in three groups


def test_departments_fall_into_three_groups_by_their_mapping(plan: Plan) -> None:
    groups = {d.name: d.group for d in score(plan, at_target(plan)).departments}
    assert groups["市金融办"] == "lead" and groups["市财政局"] == "support" and groups["市委宣传部"] == "service"
    assert sum(g == "lead" for g in groups.values()) == 10 and sum(g == "support" for g in groups.values()) == 5


def test_a_lead_department_is_60_times_its_score_rate_plus_40_times_its_rating(plan: Plan) -> None:
    # 市金融办 leads row 19 only (全市 35): 28 listed → r = 0.8 → 60 × 0.8 = 48; 良好 → 40 × 0.85 = 34
    actuals = set_value(at_target(plan), "全市", "19", 28.0)
    actuals.ratings["市金融办"] = Cell(value="良好", where="部门评价!D13")
    dep = department(score(plan, actuals), "市金融办")
    assert dep.indicator_part == pytest.approx(48) and dep.rating_part == pytest.approx(34)
    assert dep.score == 82.0


def test_supported_rows_count_half_and_over_achievement_cannot_lift_a_department(plan: Plan) -> None:
    # 市环保局 leads 28, 32, 34 and supports 27, C11 (weight 0.5): row 28 at 2.5 vs 5 → 0.75;
    # part = (0.75 + 1 + 1 + 0.5 × 1 + 0.5 × 1) / 4 = 0.9375 → 56.25 + 40
    actuals = set_value(at_target(plan), "全市", "28", 2.5)
    set_value(actuals, "全市", "32", 500.0)  # far over target: still a score rate of 1
    dep = department(score(plan, actuals), "市环保局")
    assert dep.indicator_part == pytest.approx(56.25) and dep.score == 96.25
    assert [r.role for r in dep.indicators] == ["lead", "lead", "lead", "support", "support"]


def test_a_support_department_is_30_plus_70_and_a_service_one_is_its_rating(plan: Plan) -> None:
    # 市财政局 supports row 16 (全市 14): 7 → r = 0.5 → 30 × 0.5 = 15; 优秀 → 70
    actuals = set_value(at_target(plan), "全市", "16", 7.0)
    actuals.ratings["市委宣传部"] = Cell(value="一般")
    actuals.ratings["市委政法委"] = Cell(value=88.0)
    result = score(plan, actuals)
    assert department(result, "市财政局").score == 85.0
    assert department(result, "市委宣传部").score == 70.0 and department(result, "市委政法委").score == 88.0


def test_each_department_group_is_ranked_and_graded_with_its_own_quota(plan: Plan) -> None:
    result = score(plan, at_target(plan))  # everyone at 100.00, equal on every tie-break row
    for key, n, places in (("lead", 10, 3), ("support", 5, 1), ("service", 13, 4)):
        members = [d for d in result.departments if d.group == key]
        assert len(members) == n and {d.rank for d in members} == {1}
        assert all(d.grade == "优秀" for d in members)  # a full tie straddling the quota: all, disclosed
        assert any(note.startswith(f"{result.method.params.departments.groups[key].name}:优秀名额{places}个")
                   for note in result.notes)


# ---------------------------------------------------------------- gaps and the method


def test_gaps_sorted_by_points_lost_on_the_totals_scale(plan: Plan) -> None:
    actuals = at_target(plan)
    set_value(actuals, "长兴县", "1", 6.0)  # loses 0.8
    set_value(actuals, "长兴县", "12", 400.0)  # r = 0.8 → loses 0.8
    set_value(actuals, "长兴县", "11", 0.58)  # t = 1.16, r = 0.5 → 2.5 of 5: loses 2.5
    cx = district(score(plan, actuals), "长兴县")
    rows = shortfalls(cx).records()
    assert [row["id"] for row in rows] == ["11", "1", "12"]
    assert rows[0]["gap"] == pytest.approx(0.58) and rows[0]["lost"] == pytest.approx(2.5)


def test_changing_a_parameter_in_yaml_changes_scores_and_says_so(tmp_path: Path, plan: Plan) -> None:
    t = tmp_path / "t.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    t.write_text(t.read_text(encoding="utf-8").replace("penalty_per_point: 0.10", "penalty_per_point: 0.20"),
                 encoding="utf-8")
    changed = load_plan(t)
    actuals = set_value(at_target(plan), "长兴县", "1", 6.0)
    assert district(score(plan, actuals), "长兴县").score_exact == pytest.approx(99.2)
    after = score(changed, actuals)
    assert district(after, "长兴县").score_exact == pytest.approx(98.4)
    assert after.method.changes == ["scoring.growth.penalty_per_point:默认 0.1 → 现为 0.2"]
    assert after.method.label.startswith("已调整的评分方法")


def test_bundled_plan_is_the_default_method(plan: Plan) -> None:
    from hz_assess.plan import method_changes

    assert method_changes(plan) == []


def test_moving_a_department_mapping_is_a_changed_method(tmp_path: Path, plan: Plan) -> None:
    d = tmp_path / "d.yaml"
    shutil.copy(bundled_path("departments.yaml"), d)
    text = d.read_text(encoding="utf-8").replace(
        '      "19": "牵头推进企业多层次资本市场挂牌上市"',
        '      "19": "牵头推进企业多层次资本市场挂牌上市"\n      "1": "牵头推进企业多层次资本市场挂牌上市"')
    d.write_text(text, encoding="utf-8")
    changed = load_plan(None, d)
    a = score(changed, at_target(changed))
    assert not a.method.default and a.method.changes == ["市金融办 牵头:默认 19 → 现为 19、1"]


def test_the_readmes_worked_example(plan: Plan) -> None:
    """README 评分方法: 长兴县 at target but rows 1, 12 and 25, plus 2 bonus points; computed there by hand."""
    a = at_target(plan)
    set_value(a, "长兴县", "1", 6.5)  # growth, W 8, target 7: 8 × (1 − 0.10 × 0.5) = 7.6
    set_value(a, "长兴县", "12", 550.0)  # completion, W 4, target 500: r 1.1, over 4 × 0.25 × 0.1 = 0.1
    set_value(a, "长兴县", "25", "未完成")  # qualitative, W 2: 0, and a veto row
    adjust(a, "长兴县", 2)
    cx = district(score(plan, a), "长兴县")
    assert cx.base == pytest.approx(100 - (8 - 7.6) - 2) and cx.over == pytest.approx(0.1)
    assert cx.score == 99.70 and cx.grade == "良好" and cx.vetoed
    assert cx.categories["质量效益"].score == pytest.approx(29.6) and cx.categories["绿色发展"].score == 13.0
    assert sum(c.score for c in cx.categories.values()) == pytest.approx(97.6)


def test_the_readmes_department_example(plan: Plan) -> None:
    """README: 市科技局 leads rows all at target (indicator part 1), rated 88: 60 × 1 + 40 × 0.88 = 95.20."""
    a = at_target(plan)
    a.ratings["市科技局"] = Cell(value=88.0, where="部门评价!D10")
    kj = next(d for d in score(plan, a).departments if d.name == "市科技局")
    assert (kj.group, kj.indicator_part, kj.rating_part, kj.score) == ("lead", 60.0, 35.2, 95.2)
