"""Quarterly supervision (季度督查, plan §四(三)): proration per rule kind, values computed by hand.

Accumulating counts and amounts are compared with the annual target × q/4 (时间进度);
rates and levels with the annual target as it is; qualitative targets wait for year end.
"""

from __future__ import annotations

import pytest

from _builders import at_target, set_value
from hz_assess.models import Actuals, Cell, Plan
from hz_assess.plan import load_plan
from hz_assess.scoring import score


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def result(plan: Plan, actuals: Actuals, unit: str, ind_id: str):  # type: ignore[no-untyped-def]
    a = score(plan, actuals)
    d = next(d for d in a.districts if d.name == unit)
    return next(r for r in d.indicators if r.id == ind_id)


def test_accumulating_amount_is_compared_with_the_time_share_of_the_annual_target(plan: Plan) -> None:
    # row 12 规上工业新产品产值, 长兴县 500 亿元, W = 4; Q2 → 500 × 2/4 = 250; 200/250 = 0.8 → 4 × 0.8
    r = result(plan, set_value(at_target(plan, "2017Q2"), "长兴县", "12", 200), "长兴县", "12")
    assert r.target == 250 and r.annual_target == 500
    assert r.completion == pytest.approx(0.8) and r.score == pytest.approx(3.2) and r.status == "below"
    assert r.target == pytest.approx(500 * 2 / 4)


def test_accumulating_count_ahead_of_schedule_earns_the_completion_bonus(plan: Plan) -> None:
    # row 12 again at Q2: 300/250 = 1.2 → 4 + 4 × min(0.25 × 0.2, 0.2) = 4.2
    r = result(plan, set_value(at_target(plan, "2017Q2"), "长兴县", "12", 300), "长兴县", "12")
    assert r.score == pytest.approx(4.2) and r.status == "met"


def test_first_quarter_takes_a_quarter_of_a_count_target(plan: Plan) -> None:
    # row 18 小微企业上规升级 (prorate), 长兴县 33, W = 3; Q1 → 8.25; 8.25 is exactly on schedule
    r = result(plan, set_value(at_target(plan, "2017Q1"), "长兴县", "18", 8.25), "长兴县", "18")
    assert r.target == 8.25 and r.score == pytest.approx(3) and r.status == "met"


def test_a_once_a_year_batch_is_pending_in_quarters_not_zero(plan: Plan) -> None:
    # row 17 高新技术企业认定 happens once a year (schedule: year_end): no 0 in Q2, no denominator either
    r = result(plan, set_value(at_target(plan, "2017Q2"), "长兴县", "17", 0), "长兴县", "17")
    assert r.status == "pending" and r.target == 16 and r.score == 0 and r.score_rate is None


def test_growth_rate_is_not_prorated(plan: Plan) -> None:
    # row 1 规上工业增加值增幅, 长兴县 7%, W = 8; Q1 actual 6 → 8 × (1 − 0.1 × 1) = 7.2
    r = result(plan, set_value(at_target(plan, "2017Q1"), "长兴县", "1", 6), "长兴县", "1")
    assert r.target == 7 and r.score == pytest.approx(7.2)


def test_level_indicator_is_not_prorated(plan: Plan) -> None:
    # row 3 全员劳动生产率 (万元/人·年), 长兴县 29.0, W = 4: a level, not a running total
    r = result(plan, set_value(at_target(plan, "2017Q3"), "长兴县", "3", 29), "长兴县", "3")
    assert r.target == 29 and r.score == pytest.approx(4) and r.status == "met"


def test_decline_rate_is_not_prorated(plan: Plan) -> None:
    # row 28 废水排放量下降 (a growth row), 长兴县 5%, W = 1.5; Q2 decline 2.5 → 1.5 × (1 − 0.1 × 2.5)
    r = result(plan, set_value(at_target(plan, "2017Q2"), "长兴县", "28", 2.5), "长兴县", "28")
    assert r.target == 5 and r.score == pytest.approx(1.125)


def test_zero_target_stays_zero_in_a_quarter(plan: Plan) -> None:
    # row 16 安吉县 target 0 (a real target): 0 × 2/4 = 0, met by 0 with full W = 3
    r = result(plan, set_value(at_target(plan, "2017Q2"), "安吉县", "16", 0), "安吉县", "16")
    assert r.target == 0 and r.score == pytest.approx(3) and r.status == "met"


def test_qualitative_target_is_pending_before_year_end(plan: Plan) -> None:
    r = result(plan, set_value(at_target(plan, "2017Q3"), "长兴县", "25", "未完成"), "长兴县", "25")
    assert r.status == "pending" and r.score == 0


def test_pending_rows_leave_the_denominator_and_cannot_veto(plan: Plan) -> None:
    # 长兴县's 100 points: rows 25, 26, 27, 34 (6 points), 17 (3) and 22 (4) wait for the year end → 100 / 87
    actuals = set_value(at_target(plan, "2017Q1"), "长兴县", "25", "未完成")
    d = next(d for d in score(plan, actuals).districts if d.name == "长兴县")
    assert d.scale == pytest.approx(100 / 87)
    assert not d.vetoed and not d.provisional


def test_a_quarter_reports_progress_not_grades(plan: Plan) -> None:
    # 南浔区 row 1 at 0 vs 7.5 (W = 8): base 100 × (87 − 8) / 87 = 90.8 → 达到进度; 长兴县 also row 4 → 85.1
    actuals = set_value(at_target(plan, "2017Q2"), "南浔区", "1", -10.0)
    set_value(set_value(actuals, "长兴县", "1", -10.0), "长兴县", "4", -10.0)
    a = score(plan, actuals)
    nx = next(d for d in a.districts if d.name == "南浔区")
    cx = next(d for d in a.districts if d.name == "长兴县")
    assert nx.base == pytest.approx(100 * 79 / 87) and nx.progress == "达到进度"
    assert cx.base == pytest.approx(100 * 74 / 87) and cx.progress == "落后进度"
    assert {d.grade for d in [*a.districts, *a.departments]} == {""}  # no grades, no quota in a quarter
    assert not any("名额" in note for note in a.notes)


def test_department_ratings_wait_for_the_year_end(plan: Plan) -> None:
    actuals = at_target(plan, "2017Q2")
    actuals.ratings.clear()  # nobody rates departments in a quarter
    a = score(plan, actuals)
    fin = next(d for d in a.departments if d.name == "市金融办")
    xc = next(d for d in a.departments if d.name == "市委宣传部")
    assert fin.score == 100.0 and fin.progress == "达到进度" and not fin.provisional and fin.rating_part is None
    assert xc.rank is None and xc.progress == "年底评价" and xc.score == 0.0  # nothing to check yet, never 不合格


def test_year_end_uses_the_annual_target_and_scores_qualitative_rows(plan: Plan) -> None:
    r = result(plan, set_value(at_target(plan, "2017"), "长兴县", "12", 250), "长兴县", "12")
    assert r.target == 500 and r.score == pytest.approx(2.0)  # 250/500 = 0.5 → 4 × 0.5
    r25 = result(plan, at_target(plan, "2017"), "长兴县", "25")
    assert r25.status == "met" and r25.score == pytest.approx(2)


def test_department_led_rows_are_prorated_like_districts(plan: Plan) -> None:
    # 市经信委 leads row 6 (全市 77 个) and the qualitative rows 25–27: at Q1, 77/4 = 19.25; 25–27 wait
    actuals = at_target(plan, "2017Q1")
    actuals.units["全市"]["6"] = Cell(value=19.25, where="县区实绩!E10")
    a = score(plan, actuals)
    dep = next(d for d in a.departments if d.name == "市经信委")
    by_id = {r.id: r for r in dep.indicators}
    assert by_id["6"].target == pytest.approx(19.25) and by_id["6"].score == pytest.approx(by_id["6"].points)
    assert {by_id[i].status for i in ("25", "26", "27")} == {"pending"}


def test_quarterly_assessment_explains_its_proration(plan: Plan) -> None:
    assert any("2017Q3" in note for note in score(plan, at_target(plan, "2017Q3")).method.notes)
    assert score(plan, at_target(plan, "2017")).method.notes == []
