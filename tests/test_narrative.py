"""The 通报's narrative (narrative.py): sentences built from the numbers of a hand-built assessment.

Four districts with chosen totals: a clear first, a tie for second, a provisional last;
one vetoed; shortfalls of each rule kind; a deduction typed with ASCII punctuation.
The sentences are asserted whole, as an office would read them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hz_assess.models import (
    Adjustment,
    Assessment,
    CategoryInfo,
    CityResult,
    DepartmentResult,
    IndicatorResult,
    InputFile,
    InputRef,
    MethodInfo,
    PlanRef,
    ScoringParams,
    UnitResult,
)
from hz_assess.narrative import (
    Notice,
    adjustments_sentence,
    commendation_paragraph,
    grade_sentence,
    notice,
    ranking_sentence,
    shortfall_paragraphs,
    shortfall_phrase,
)
from hz_assess.views import Table
from hz_assess.views_publish import district_table, masthead, provisional_sentences, zh

NOW = datetime(2018, 1, 14, 17, 30, tzinfo=UTC)  # 2018-01-15 01:30 in Beijing


def row(ind_id: str, name: str, unit: str, rule: str, target: object, actual: object, status: str, *,
        lost: float = 0.0, gap: float | None = None, completion: float | None = None) -> IndicatorResult:
    return IndicatorResult.model_validate({
        "id": ind_id, "name": name, "unit": unit, "category": "质量效益", "rule": rule, "points": 5.0,
        "target": target, "annual_target": target, "actual": actual, "status": status, "lost": lost, "gap": gap,
        "completion": completion, "gap_unit": {"growth": "个百分点", "qualitative": ""}.get(rule, unit)})


def district(name: str, rank: int, score: float, grade: str, *, rows: list[IndicatorResult] | None = None,
             provisional: bool = False, high: float | None = None, vetoed: bool = False,
             reasons: list[str] | None = None, adjustments: list[Adjustment] | None = None) -> UnitResult:
    return UnitResult(rank=rank, name=name, score=score, score_exact=score, base=score, over=0.0, bonus=0.0,
                      deductions=0.0, grade=grade, provisional=provisional, score_range=(score, high or score),
                      vetoed=vetoed, veto_reasons=reasons or [], indicators=rows or [], adjustments=adjustments or [])


GROWTH = row("1", "规上工业增加值增幅", "%", "growth", 9.0, 7.0, "below", lost=2.5, gap=2.0)
COMPLETION = row("11", "研发经费支出", "亿元", "completion", 50.0, 40.0, "below", lost=1.25, completion=0.8)
QUALITATIVE = row("25", "单位GDP能耗下降率", "%", "qualitative", "完成省下达目标任务", "未完成", "below", lost=2.0)
MISSING = row("2", "规上工业利税增幅", "%", "growth", 8.0, None, "missing")
DEDUCTION = Adjustment(subject="丙县", item="违规(通报),罚", points=-1.5)


def hand_built() -> Assessment:
    districts = [
        district("甲区", 1, 95.5, "优秀"),
        district("乙县", 2, 90.0, "优秀", rows=[GROWTH, COMPLETION]),
        district("丙县", 2, 90.0, "良好", rows=[QUALITATIVE], vetoed=True,
                 reasons=["第25项「单位GDP能耗下降率」评定为未完成"], adjustments=[DEDUCTION]),
        district("丁区", 4, 70.25, "合格", rows=[MISSING], provisional=True, high=88.5),
    ]
    department = DepartmentResult(rank=1, name="市某局", score=92.0, score_exact=92.0, base=92.0, over=0.0,
                                  bonus=0.0, deductions=0.0, grade="优秀", provisional=False,
                                  score_range=(92.0, 92.0), rating="优秀")
    return Assessment(
        plan=PlanRef(id="p", title="2017年某市推进计划", doc_number="某政发〔2017〕1号", year=2017, sha256="a" * 64),
        input=InputRef(files=[InputFile(path="实绩.xlsx", sha256="b" * 64)], period="2017"),
        method=MethodInfo(default=True, label="默认评分方法", params=ScoringParams()), provisional=True,
        categories=[CategoryInfo(name="质量效益", full=100.0)], districts=districts, departments=[department],
        city=CityResult(name="全市", score=90.0, score_exact=90.0, base=90.0, over=0.0, provisional=False,
                        score_range=(90.0, 90.0)),
    )


@pytest.fixture
def a() -> Assessment:
    return hand_built()


def test_ranking_names_every_unit_in_rank_order_with_ties_and_provisional(a: Assessment) -> None:
    assert ranking_sentence(a, a.districts, "县区") == (
        "4个县区考核总分由高到低依次为：第1名甲区（95.50分）；第2名乙县、丙县（并列，均为90.00分）；"
        "第4名丁区（70.25分，暂定）。")


def test_grades_are_listed_with_counts_and_provisional_units_wait(a: Assessment) -> None:
    assert grade_sentence(a, a.districts, "县区") == (
        "按考核办法，评为优秀的有甲区、乙县2个县区；评为良好的有丙县1个县区；丁区因数据不全，等次暂定。")


def test_each_rule_kind_has_its_own_shortfall_phrase() -> None:
    assert shortfall_phrase(GROWTH) == "第1项“规上工业增加值增幅”目标9%，实绩7%，低于目标2个百分点，失分2.50分"
    assert shortfall_phrase(COMPLETION) == "第11项“研发经费支出”目标50亿元，实绩40亿元，完成率80.0%，失分1.25分"
    assert shortfall_phrase(QUALITATIVE) == ("第25项“单位GDP能耗下降率”目标为完成省下达目标任务，评定为未完成，"
                                             "失分2.00分")


def test_shortfalls_list_the_most_points_lost_first(a: Assessment) -> None:
    assert shortfall_paragraphs(a, a.districts) == [
        "乙县：第1项“规上工业增加值增幅”目标9%，实绩7%，低于目标2个百分点，失分2.50分；"
        "第11项“研发经费支出”目标50亿元，实绩40亿元，完成率80.0%，失分1.25分。",
        "丙县：第25项“单位GDP能耗下降率”目标为完成省下达目标任务，评定为未完成，失分2.00分。",
        "甲区各项指标均达到目标。",
    ]


def test_bonus_and_deduction_items_are_both_told_as_typed(a: Assessment) -> None:
    a.districts[0].adjustments = [Adjustment(subject="甲区", item="获评全省工业强县", points=2, basis="省经信委通报")]
    assert adjustments_sentence(a.districts) == (
        "加分和扣分事项：甲区因“获评全省工业强县”加2分（依据：省经信委通报）；"
        "丙县因“违规(通报),罚”扣1.5分。")  # the typed item keeps its ASCII punctuation


def test_provisional_units_are_named_with_what_is_missing_and_their_range(a: Assessment) -> None:
    assert provisional_sentences(a, a.districts) == [
        "丁区缺第2项“规上工业利税增幅”的数据，等次暂定；数据补齐后总分可能在70.25分至88.50分之间。"]


def test_a_long_missing_list_names_three_and_counts_the_rest(a: Assessment) -> None:
    d = a.districts[-1]
    d.rows = [row(str(i), f"指标{i}", "%", "growth", 8.0, None, "missing") for i in range(1, 11)]
    (sentence,) = provisional_sentences(a, [d])
    assert sentence.startswith("丁区缺第1项“指标1”、第2项“指标2”、第3项“指标3”等10项指标的数据，等次暂定")
    assert "指标4" not in sentence


def test_only_settled_top_grade_units_are_commended_by_kind_and_group(a: Assessment) -> None:
    assert commendation_paragraph(a) == "经研究，决定对评为优秀的甲区、乙县2个县区和市某局1个服务保障部门予以通报表扬。"


def test_notice_title_number_sections_and_signature(a: Assessment) -> None:
    n = notice(a, NOW, version="9.9")
    assert n.title == "关于2017年度湖州市工业强市建设考核暂定结果的通报"
    # the 〔year〕 is the year of the issue date printed under the signature; the number is a blank to fill
    assert n.doc_number == "〔2018〕\u3000\u3000号"
    assert n.signature == ["湖州市工业强市建设工作领导小组办公室", "2018年1月15日"]
    assert [s.heading for s in n.sections] == [
        "一、县区考核结果", "二、市级部门考核结果", "三、通报表扬", "四、存在的主要问题", "五、暂定结果说明"]
    text = "\n".join(n.paragraphs())
    assert "丙县总分90.00分，但第25项“单位GDP能耗下降率”评定为未完成，实行一票否决，不得评为优秀。" in text
    assert "「" not in text and "」" not in text  # published Chinese quotes names with “”
    assert "a" * 64 not in text  # hashes only in the appendix
    appendix = n.appendix[-1]
    assert not isinstance(appendix, str) and any("a" * 64 in str(v) for r in appendix.rows for v in r)


def test_notice_tables_carry_no_notes_the_sentences_already_say(a: Assessment) -> None:
    n = notice(a, NOW, version="9.9")
    assert all(not t.notes for t in n.tables())
    text = "\n".join(n.paragraphs())
    assert text.count("乙县、丙县总分同为90.00分，并列第2名") == 1
    assert text.count("丁区缺第2项") == 1  # the missing indicators once, under 暂定结果说明


def test_published_rank_table_shows_provisional_grades_as_provisional(a: Assessment) -> None:
    t = district_table(a)
    grades = [r["grade"] for r in t.records()]
    assert grades == ["优秀", "优秀", "良好", "暂定"]
    assert t.marks[-1] == "provisional"
    assert t.notes[:3] == ["乙县、丙县总分同为90.00分，并列第2名。",
                       "丙县总分90.00分，但第25项“单位GDP能耗下降率”评定为未完成，实行一票否决，不得评为优秀。",
                       "丁区缺第2项“规上工业利税增幅”的数据，等次暂定；数据补齐后总分可能在70.25分至88.50分之间。"]


def test_masthead_dates_in_beijing_time_and_says_provisional(a: Assessment) -> None:
    m = masthead(a, NOW)
    assert (m.title, m.date, m.provisional) == ("2017年度湖州市工业强市建设考核结果", "2018年1月15日", True)
    assert m.sheet_title("县区排名") == "2017年度工业强市建设考核 县区排名（暂定结果）"


def test_quarterly_notice_reports_progress_not_grades(a: Assessment) -> None:
    q = a.model_copy(update={"input": InputRef(period="2017Q3")})
    for d, progress in zip(q.districts, ["达到进度", "达到进度", "落后进度", "落后进度"], strict=True):
        d.progress = progress
    n = notice(q, NOW, version="9.9")
    assert n.title == "关于2017年第三季度湖州市工业强市建设督查暂定结果的通报"
    text = "\n".join(n.paragraphs())
    assert ("本季度为进度督查，基本分达到90分为达到进度；达到进度的有甲区、乙县2个县区；落后进度的有丙县1个县区；"
            "丁区1个县区数据尚未报齐，进度暂定。") in text  # lacking data is not being behind
    assert "通报表扬" not in text
    assert_no_annual_words(n)


def notice_text(n: Notice) -> str:
    """Every word of a notice a reader sees: sentences, table titles, headers and cells, the appendix."""
    tables = [*n.tables(), *(b for b in n.appendix if isinstance(b, Table))]
    cells = [str(v) for t in tables for row in t.texts() for v in row]
    return "\n".join([n.title, *n.paragraphs(), *(b for b in n.appendix if isinstance(b, str)),
                      *(t.title for t in tables), *(c.title for t in tables for c in t.columns), *cells, *
                      (note for t in tables for note in t.notes)])


def assert_no_annual_words(n: Notice) -> None:
    """A quarter's notice speaks of progress: no 考核总分, 等次, grade bands or grades."""
    text = notice_text(n)
    for word in ("考核总分", "等次", "评定等次", "90分以上", "优秀 ≥", "通报表扬", "评为优秀"):
        assert word not in text, word


def test_zh_makes_only_the_templates_punctuation_full_width() -> None:
    assert zh("{a}:{b}(共{n}项),完", a="x:y", b="(1,840)", n=3) == "x:y：(1,840)（共3项），完"


# ---------------------------------------------------------------- a notice of real scoring


def scored(period: str = "2017", missing: dict[str, list[str]] | None = None,
           adjustments: list[Adjustment] | None = None) -> Assessment:
    """The bundled plan scored with every actual at target, less the `missing` (unit -> rows) cells."""
    from _builders import at_target, set_value
    from hz_assess.plan import load_plan
    from hz_assess.scoring import score

    plan = load_plan()
    actuals = at_target(plan, period)
    for unit, rows in (missing or {}).items():
        for ind_id in rows:
            set_value(actuals, unit, ind_id, None)
    actuals.adjustments = adjustments or []
    return score(plan, actuals)


def test_a_tie_past_the_quota_is_told_as_a_fact_and_office_notes_stay_in_the_appendix() -> None:
    a = scored()
    assert any("请考核办研究决定" in x for x in a.notes) and any(x.startswith("计划自身") for x in a.notes)
    n = notice(a, NOW, version="9.9")
    body = "\n".join([*n.paragraphs(), *(t.title for t in n.tables()), *(x for t in n.tables() for x in t.notes)])
    for internal in ("请考核办", "超出名额", "计划自身", "第19行"):
        assert internal not in body, internal
    everyone = "、".join(d.name for d in a.districts)
    assert f"{everyone}总分同为100.00分，并列第1名，均评为优秀。" in body
    assert f"评为优秀的有{everyone}6个县区" in body  # the grades agree with the tie sentence and the table
    about = n.appendix[-1]
    assert isinstance(about, Table) and any("第19行" in str(row[1]) for row in about.rows)


def test_departments_are_told_and_commended_with_their_group() -> None:
    a = scored()
    n = notice(a, NOW, version="9.9")
    text = "\n".join(n.paragraphs())
    for group in ("牵头部门", "配合部门", "服务保障部门"):
        assert any(p.startswith(f"{group}中，") and "并列第1名，均评为优秀" in p for p in n.paragraphs()), group
    honoured = next(t for t in n.tables() if t.name == "commended")
    kinds = [row[0] for row in honoured.rows]
    assert kinds[0] == "县区" and {"牵头部门", "配合部门", "服务保障部门"} <= set(kinds)
    lead = [row[1] for row in honoured.rows if row[0] == "牵头部门"]
    assert f"{'、'.join(lead)}{len(lead)}个牵头部门" in text  # the paragraph lists what the table lists
    assert "（指标60分+评价40分）" in text and "(指标" not in text


def test_a_quarter_says_who_lacks_data_and_never_grades() -> None:
    a = scored("2017Q2", missing={"南浔区": ["1", "2", "3", "4", "5"]})
    n = notice(a, NOW, version="9.9")
    assert_no_annual_words(n)
    text = "\n".join(n.paragraphs())
    assert "南浔区1个县区数据尚未报齐，进度暂定" in text
    assert "落后进度的有南浔区" not in text
    assert n.title == "关于2017年第二季度湖州市工业强市建设督查暂定结果的通报"
    ranks = next(t for t in n.tables() if t.name == "district_ranks")
    assert [c.title for c in ranks.columns][2] == "得分"
    assert dict((r["name"], r["progress"]) for r in ranks.records())["南浔区"] == "暂定"


def test_published_text_uses_chinese_punctuation_and_names_no_cells() -> None:
    a = scored(missing={"南浔区": ["5"]})
    n = notice(a, NOW, version="9.9")
    text = "\n".join(n.paragraphs())
    assert "第5项“其中：重点技改增幅”" in text  # the plan's ASCII colon, published full-width
    assert "县区实绩!" not in text and "所给的文件" not in text and "：：" not in text


def test_an_order_the_tie_break_decided_is_told_once_from_the_winners_side(a: Assessment) -> None:
    from hz_assess.views_publish import tie_sentences

    b, c = a.districts[1], a.districts[2]
    c.rank = 3
    b.tie_break = "与丙县总分同为 90.00,按第1项得分 5 高于 4 排在前"
    c.tie_break = "与乙县总分同为 90.00,按第1项得分 4 低于 5 排在后"
    assert tie_sentences(a, a.districts) == ["乙县与丙县总分同为90.00分，按第1项得分5高于4排在前。"]
