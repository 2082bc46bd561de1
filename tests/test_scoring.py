"""SPEC §4, one rule per test, with values computed by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _builders import at_target, set_value
from hz_assess.models import Adjustment, Cell, Plan
from hz_assess.plan import bundled_path, load_plan
from hz_assess.rules import Completion, Growth, Qualitative
from hz_assess.scoring import competition_ranks, grade_for, score
from hz_assess.views import shortfalls

GROWTH = Growth(bonus_per_point=0.025, bonus_cap=0.20, penalty_per_point=0.10)
COMPLETION = Completion(bonus_per_ratio=0.25, bonus_cap=0.20, zero_below=0.5)
LEVELS = Qualitative({"完成": 1.0, "基本完成": 0.6, "未完成": 0.0})


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


# ---------------------------------------------------------------- growth (W = 8, t = 7)


def test_growth_at_target_gives_full_points() -> None:
    assert GROWTH.score(7, 7, 8) == (8, 0)


def test_growth_above_target_adds_two_and_a_half_percent_per_point_as_over() -> None:
    base, over = GROWTH.score(9, 7, 8)
    assert base == 8 and over == pytest.approx(0.4)  # 8 × 0.025 × 2


def test_growth_far_above_target_is_capped_at_twenty_percent() -> None:
    assert GROWTH.score(20, 7, 8) == (8, pytest.approx(1.6))


def test_growth_below_target_loses_ten_percent_per_point() -> None:
    assert GROWTH.score(5, 7, 8) == (pytest.approx(6.4), 0)


def test_growth_far_below_target_floors_at_zero() -> None:
    assert GROWTH.score(-5, 7, 8) == (0, 0)


def test_growth_negative_actual_counts_the_full_distance() -> None:
    assert GROWTH.score(-1, 7, 8)[0] == pytest.approx(1.6)  # 8 points below → 0.2


# ---------------------------------------------------------------- completion (W = 4, t = 500)


def test_completion_at_target() -> None:
    assert COMPLETION.score(500, 500, 4) == (4, 0)


def test_completion_above_target_adds_a_quarter_of_the_excess() -> None:
    assert COMPLETION.score(550, 500, 4) == (4, pytest.approx(0.1))  # r=1.1 → +2.5% of 4


def test_completion_far_above_is_capped() -> None:
    assert COMPLETION.score(1000, 500, 4) == (4, pytest.approx(0.8))


def test_completion_below_scores_in_proportion() -> None:
    assert COMPLETION.score(400, 500, 4) == (pytest.approx(3.2), 0)


def test_completion_below_half_scores_zero() -> None:
    assert COMPLETION.score(249, 500, 4) == (0, 0)
    assert COMPLETION.score(250, 500, 4) == (pytest.approx(2.0), 0)


def test_completion_negative_actual_scores_zero() -> None:
    assert COMPLETION.score(-3, 5, 1.5) == (0, 0)


def test_target_zero_is_met_by_any_non_negative_actual_without_bonus() -> None:
    assert COMPLETION.score(0, 0, 3) == (3, 0)
    assert COMPLETION.score(4, 0, 3) == (3, 0)
    assert COMPLETION.score(-1, 0, 3) == (0, 0)


def test_anji_row_16_target_zero_in_a_full_assessment(plan: Plan) -> None:
    actuals = set_value(at_target(plan), "安吉县", "16", 2.0)
    unit = next(d for d in score(plan, actuals).districts if d.name == "安吉县")
    row16 = next(r for r in unit.indicators if r.id == "16")
    assert row16.score == 3 and row16.status == "met" and row16.completion is None


# ---------------------------------------------------------------- qualitative


@pytest.mark.parametrize(("level", "expected"), [("完成", 2.0), ("基本完成", 1.2), ("未完成", 0.0)])
def test_qualitative_levels(level: str, expected: float) -> None:
    assert LEVELS.score(level, "完成省下达目标任务", 2) == (pytest.approx(expected), 0)


# ---------------------------------------------------------------- totals


def test_all_at_target_gives_100_and_shared_rank_1(plan: Plan) -> None:
    a = score(plan, at_target(plan))
    assert [(d.score, d.rank, d.grade) for d in a.districts] == [(100.0, 1, "优秀")] * 6
    assert [(d.base, d.over) for d in a.districts] == [(100.0, 0.0)] * 6
    assert a.city.score == 100.0
    assert a.method.default and a.method.label == "默认评分方法"


def test_scaling_uses_only_applicable_points(plan: Plan) -> None:
    # 长兴县 is assessed on 93 points (rows 7, 9, 20, 24 are city-only): row 1 at 6 vs 7 loses 0.8.
    a = score(plan, set_value(at_target(plan), "长兴县", "1", 6.0))
    cx = next(d for d in a.districts if d.name == "长兴县")
    assert cx.score_exact == pytest.approx(100 * (93 - 0.8) / 93)
    assert cx.score == 99.14  # 99.1398… published half-up to 2 decimals
    assert cx.categories["质量效益"].score == pytest.approx(30 * (30 - 0.8) / 30)
    assert cx.categories["结构调整"].score == pytest.approx(12.0)
    # 湖州开发区 also skips row 22 (blank cell): 90 points.
    a = score(plan, set_value(at_target(plan), "湖州开发区", "1", 8.0))
    kf = next(d for d in a.districts if d.name == "湖州开发区")
    assert kf.score_exact == pytest.approx(100 * (90 - 0.8) / 90)
    assert [r.status for r in kf.indicators if r.id == "22"] == ["not_applicable"]


def test_competition_ranking_with_ties() -> None:
    assert competition_ranks([90.0, 95.0, 95.0, 80.0]) == [3, 1, 1, 4]


def test_tied_districts_share_a_rank_and_the_next_is_skipped(plan: Plan) -> None:
    actuals = at_target(plan)
    set_value(actuals, "吴兴区", "1", 6.0)
    set_value(actuals, "南浔区", "1", 6.5)  # 南浔's target is 7.5: also one point below
    set_value(actuals, "德清县", "1", 5.0)
    ranks = {d.name: d.rank for d in score(plan, actuals).districts}
    assert ranks["长兴县"] == 1 and ranks["吴兴区"] == ranks["南浔区"] == 4 and ranks["德清县"] == 6


def test_veto_bars_the_top_grade_whatever_the_score(plan: Plan) -> None:
    a = score(plan, set_value(at_target(plan), "德清县", "25", "未完成"))
    dq = next(d for d in a.districts if d.name == "德清县")
    assert dq.vetoed and dq.score_exact == pytest.approx(100 * 91 / 93) and dq.grade == "良好"
    assert dq.veto_reasons == ["第25项「单位GDP能耗下降率」评定为未完成"]


def test_bonus_and_deductions_are_capped(plan: Plan) -> None:
    actuals = at_target(plan)
    actuals.adjustments = [
        Adjustment(subject="长兴县", item="获国家级表彰", points=3, basis="文件1"),
        Adjustment(subject="长兴县", item="省级试点", points=4, basis="文件2"),
        Adjustment(subject="吴兴区", item="安全生产事故", points=-6, basis="通报"),
        Adjustment(subject="吴兴区", item="环保督察问题", points=-7, basis="通报"),
    ]
    a = score(plan, actuals)
    cx = next(d for d in a.districts if d.name == "长兴县")
    wx = next(d for d in a.districts if d.name == "吴兴区")
    assert (cx.bonus, cx.score) == (5, 105)
    assert (wx.deductions, wx.score) == (10, 90)
    assert [x.item for x in cx.adjustments] == ["获国家级表彰", "省级试点"]


def test_missing_data_scores_zero_and_shows_the_reachable_range(plan: Plan) -> None:
    a = score(plan, set_value(at_target(plan), "长兴县", "12", None))
    cx = next(d for d in a.districts if d.name == "长兴县")
    row = next(r for r in cx.indicators if r.id == "12")
    assert row.status == "missing" and row.score == 0 and cx.provisional
    lo, hi = cx.score_range
    assert lo == pytest.approx(100 * 89 / 93) and hi == pytest.approx(100 * (89 + 4.8) / 93)
    assert any("长兴县 有 1 项缺数据" in note for note in a.notes)


def test_grade_bands_and_top_n(plan: Plan) -> None:
    s = plan.scoring
    assert [grade_for(x, 1, False, s) for x in (90, 89.99, 80, 60, 59.9)] == ["优秀", "良好", "良好", "合格", "不合格"]
    top = s.model_copy(update={"grade_mode": "top_n", "top_n": {"优秀": 2}})
    assert grade_for(85, 2, False, top) == "优秀"
    assert grade_for(95, 3, False, top) == "良好"
    assert grade_for(95, 1, True, top) == "良好"


# ---------------------------------------------------------------- departments


def test_department_with_a_lead_indicator(plan: Plan) -> None:
    # 市金融办 leads row 19 (city target 35): 28 listed → r = 0.8 → 60 × 0.8 = 48; 良好 → 40 × 0.85 = 34.
    actuals = set_value(at_target(plan), "全市", "19", 28.0)
    actuals.ratings["市金融办"] = Cell(value="良好", where="部门评价!D11")
    dep = next(d for d in score(plan, actuals).departments if d.name == "市金融办")
    assert dep.indicator_part == pytest.approx(48.0)
    assert dep.rating_part == pytest.approx(34.0)
    assert dep.score == pytest.approx(82.0) and dep.grade == "良好"


def test_department_with_nothing_to_lead_is_rated_alone(plan: Plan) -> None:
    actuals = at_target(plan)
    actuals.ratings["市委宣传部"] = Cell(value="一般")
    actuals.ratings["市委政法委"] = Cell(value=88.0)
    deps = {d.name: d for d in score(plan, actuals).departments}
    assert deps["市委宣传部"].score == pytest.approx(70.0) and deps["市委宣传部"].indicator_part is None
    assert deps["市委政法委"].score == pytest.approx(88.0)


def test_supported_indicators_count_half(plan: Plan) -> None:
    # 市科技局 leads 17 (3), C14 (2), C36 (2) and supports 10 (4) and 12 (4) at half weight.
    actuals = at_target(plan)
    set_value(actuals, "全市", "12", 1840 * 0.5)  # r = 0.5 → 2 of 4 points
    dep = next(d for d in score(plan, actuals).departments if d.name == "市科技局")
    weighted_points = 3 + 2 + 2 + 0.5 * 4 + 0.5 * 4
    assert dep.indicator_part == pytest.approx(60 * (weighted_points - 0.5 * 2) / weighted_points)
    assert [r.role for r in dep.indicators] == ["lead", "lead", "lead", "support", "support"]


def test_missing_rating_makes_the_department_provisional(plan: Plan) -> None:
    actuals = at_target(plan)
    del actuals.ratings["市委宣传部"]
    dep = next(d for d in score(plan, actuals).departments if d.name == "市委宣传部")
    assert dep.score == 0 and dep.provisional and dep.score_range == (0, 100)


# ---------------------------------------------------------------- gaps and method


def test_gaps_sorted_by_points_lost_with_gain_to_total(plan: Plan) -> None:
    actuals = at_target(plan)
    set_value(actuals, "长兴县", "1", 6.0)  # loses 0.8
    set_value(actuals, "长兴县", "12", 400.0)  # loses 0.8 × 4 ... r=0.8 → 3.2 → loses 0.8
    set_value(actuals, "长兴县", "11", 0.58)  # r=0.5 → 2.5 of 5 → loses 2.5
    cx = next(d for d in score(plan, actuals).districts if d.name == "长兴县")
    table = shortfalls(cx)
    first = table.records()[0]
    assert [row["id"] for row in table.records()] == ["11", "1", "12"]
    assert first["gap"] == pytest.approx(0.58) and first["score_rate"] == pytest.approx(0.5)
    assert first["lost"] == pytest.approx(2.5 * 100 / 93)  # 2.5 of row 11's 5 points, on the total's scale
    assert [r.id for r in cx.indicators if r.status == "not_applicable"] == ["7", "9", "20", "24"]


def test_changing_a_parameter_in_yaml_changes_scores_and_says_so(tmp_path: Path, plan: Plan) -> None:
    t = tmp_path / "t.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    text = t.read_text(encoding="utf-8").replace("penalty_per_point: 0.10", "penalty_per_point: 0.20")
    t.write_text(text, encoding="utf-8")
    changed = load_plan(t)
    actuals = set_value(at_target(plan), "长兴县", "1", 6.0)
    before = next(d for d in score(plan, actuals).districts if d.name == "长兴县")
    after_a = score(changed, actuals)
    after = next(d for d in after_a.districts if d.name == "长兴县")
    assert before.score_exact == pytest.approx(100 * (93 - 0.8) / 93)
    assert after.score_exact == pytest.approx(100 * (93 - 1.6) / 93)
    assert not after_a.method.default
    assert after_a.method.label.startswith("已调整的评分方法")
    assert after_a.method.changes == ["scoring.growth.penalty_per_point:默认 0.1 → 现为 0.2"]


def test_bundled_plan_is_the_default_method(plan: Plan) -> None:
    a = score(plan, at_target(plan))
    assert a.method.default and a.method.changes == []


def test_moving_a_department_mapping_is_a_changed_method(tmp_path: Path, plan: Plan) -> None:
    d = tmp_path / "d.yaml"
    shutil.copy(bundled_path("departments.yaml"), d)
    d.write_text(d.read_text(encoding="utf-8").replace('leads: ["19"]', 'leads: ["19", "1"]'), encoding="utf-8")
    changed = load_plan(None, d)
    a = score(changed, at_target(changed))
    assert not a.method.default and a.method.changes == ["市金融办 牵头:默认 19 → 现为 19、1"]
