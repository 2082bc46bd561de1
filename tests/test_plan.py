"""The plan as encoded must be the seed's 附件1/附件2, cell for cell, and the loader strict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hz_assess.cli import app
from hz_assess.errors import PlanError
from hz_assess.plan import bundled_path, check_plan, load_plan

UNITS = ["全市", "吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "湖州开发区"]

# 附件1 as printed in the seed: 序号 | 主要指标 | 单位 | 全市 … 湖州开发区. "——" spans the districts;
# "空" is the blank cell of row 22; 省/市 stand for 完成省/市下达目标任务 across all seven.
SEED_TABLE = """
1|规上工业增加值增幅|%|7 7 7.5 7 7 7.5 9
2|规上工业利税增幅|%|8 8 8 8 8 8 9
3|规模以上工业全员劳动生产率|万元/人·年|24.0 23.0 22.0 26.0 29.0 20.0 32.0
4|工业固定资产投资增幅|%|8 8 8 8 8 8 8
5|其中:重点技改增幅|%|15 15 15 15 15 15 15
6|引进工业“大好高”项目个数||77 13 13 13 13 13 12
7|七大工业重点产业规上工业增加值增幅高于面上|个百分点|1 ——
8|高端装备产业增加值增幅|%|8 9 7 9 8 7 10
9|信息经济核心产业主营业务收入增幅|%|8 ——
10|高新技术产业增加值同比增幅|%|7.6 8 8 8 8 8 8
11|规上工业企业R&D经费支出占主营业务收入比重|%|1.33 1.38 1.38 1.16 1.16 1.38 1.38
12|规上工业新产品产值|亿元|1840 310 280 420 500 180 150
13|新增省级以上企业技术(研发)中心、研究院||60 9 9 14 9 12 7
14|省级工业新产品||1000 160 160 210 210 190 70
15|新增为主和参与制定国际、国家标准数量||20 3 3 4 4 4 2
16|“金象金牛”企业||14 3 2 5 3 0 1
17|通过认定高新技术企业||73 16 11 14 16 11 5
18|小微企业上规升级||135 20 23 30 33 22 7
19|新增多层次资本市场挂牌上市企业||35 5 4 10 8 4 3
20|新增省级以上品牌||20 ——
21|新增导入卓越绩效管理企业||100 17 17 20 20 17 9
22|省级两化深度融合试点示范县区||5 1 1 1 1 1 空
23|培育两化融合试点企业||60 11 11 11 11 8 8
24|培育两化融合示范企业||15 ——
25|单位GDP能耗下降率|%|省
26|全社会能源消费总量|%|省
27|煤炭消费总量下降率|%|省
28|单位工业增加值废水排放量下降|%|5 5 5 5 5 5 5
29|单位工业增加值用水量下降|%|5 5 5 5 5 5 5
30|处置“僵尸企业”数||40 7 7 7 7 7 5
31|新增标准厂房面积|万平方米|100 20 20 20 20 10 10
32|通过清洁生产审核验收企业||50 8 8 12 12 6 4
33|淘汰落后生产能力腾出用能空间|万吨标煤|10 1.8 1.8 2.5 2.5 1 0.4
34|淘汰高污染燃料工业小锅炉||市
"""


def _expected() -> dict[str, tuple[str, str, dict[str, object]]]:
    rows: dict[str, tuple[str, str, dict[str, object]]] = {}
    for line in SEED_TABLE.strip().splitlines():
        rid, name, unit, cells = line.split("|")
        parts = cells.split()
        if parts == ["省"] or parts == ["市"]:
            text = f"完成{parts[0]}下达目标任务"
            values: list[object] = [text] * 7
        elif parts[1:] == ["——"]:
            values = [parts[0], *["——"] * 6]
        else:
            values = [None if p == "空" else p for p in parts]
        rows[rid] = (name, unit, dict(zip(UNITS, values, strict=True)))
    return rows


def _as_printed(cell: object) -> object:
    if isinstance(cell, float):
        return repr(cell)
    if isinstance(cell, int):
        return str(cell)
    return cell


def test_all_34_by_7_targets_match_the_seed() -> None:
    plan = load_plan()
    expected = _expected()
    assert [i.id for i in plan.indicators] == [str(n) for n in range(1, 35)]
    for ind in plan.indicators:
        name, unit, cells = expected[ind.id]
        assert ind.name == name
        assert ind.unit == unit, ind.id
        for u in UNITS:
            assert _as_printed(ind.target(u)) == cells[u], (ind.id, u)


def test_blank_dash_zero_and_qualitative_cells_stay_distinguishable() -> None:
    plan = load_plan()
    row22, row7, row16, row25 = (plan.indicator(i) for i in ("22", "7", "16", "25"))
    assert row22 is not None and row7 is not None and row16 is not None and row25 is not None
    assert row22.target("湖州开发区") is None and not row22.applies_to("湖州开发区")
    assert row7.target("长兴县") == "——" and not row7.applies_to("长兴县")
    assert row16.target("安吉县") == 0 and row16.applies_to("安吉县")
    assert row25.target("全市") == "完成省下达目标任务" and row25.veto


def test_points_categories_and_units() -> None:
    plan = load_plan()
    assert plan.unit_names == UNITS
    assert [c.name for c in plan.categories] == ["质量效益", "结构调整", "技术创新", "企业培育", "两化融合", "绿色发展"]
    by_cat: dict[str, float] = {}
    for ind in plan.indicators:
        by_cat[ind.category] = by_cat.get(ind.category, 0) + (ind.points or 0)
    # SPEC §4.1: the districts' 100 points over the rows assessed for districts
    assert by_cat == {"质量效益": 30, "结构调整": 12, "技术创新": 20, "企业培育": 15, "两化融合": 8, "绿色发展": 15}
    assert [i.id for i in plan.indicators if i.points is None] == ["7", "9", "20", "24"]
    city = {i.id: i.city_points for i in plan.indicators}
    assert sum(city.values()) == 100
    assert (city["7"], city["8"], city["9"], city["10"], city["20"], city["21"], city["22"], city["23"],
            city["24"]) == (2, 4, 2, 4, 1, 2, 3, 3, 2)


def test_city_targets_hold_the_plans_numbers() -> None:
    plan = load_plan()
    by_name = {c.name: c for c in plan.city_targets}
    assert by_name["新增创新领军人才"].target == 40
    assert by_name["使用工业机器人密度"].target == 90
    assert by_name["免费WiFi开放AP累计总数"].target == 8000
    assert by_name["全市互联网出口带宽"].target == 3500
    assert by_name["市级企业首席信息官(CIO)"].target == 300
    assert by_name["新增市级以上众创空间"].target == 5
    assert len(plan.city_targets) >= 40


def test_city_targets_and_indicators_quote_the_plan_verbatim(seed_text: str) -> None:
    plan = load_plan()
    for ct in plan.city_targets:
        assert ct.source in seed_text, ct.id
    for ind in plan.indicators:
        for sentence in ind.plan_text:
            assert sentence in seed_text, ind.id


def test_departments_are_the_28_of_the_seed_with_verbatim_duties() -> None:
    plan = load_plan()
    assert len(plan.departments) == 28
    assert plan.departments[0].name == "市委人才办" and plan.departments[-1].name == "市总工会"
    assert plan.departments[22].name == "国网湖州供电公司"
    leads = {d.name: d.leads for d in plan.departments}
    assert "19" in leads["市金融办"]
    assert {"10", "17", "C36"} <= set(leads["市科技局"])
    assert {"15", "20", "21"} <= set(leads["市质量技监局"])
    assert "18" in leads["市市场监管局"]
    assert {"22", "25", "26", "27", "30", "C10", "C23", "C31"} <= set(leads["市经信委"])
    assert {"28", "32", "34"} <= set(leads["市环保局"])
    assert "C06" in plan.departments[11].supports and plan.departments[11].name == "市人力社保局"
    assert leads["市委宣传部"] == {}


def test_every_duty_is_the_plans_text_verbatim(seed_text: str) -> None:
    for dep in load_plan().departments:
        assert dep.duty in seed_text, dep.name


def test_every_lead_and_support_quotes_its_departments_duty_text() -> None:
    for dep in load_plan().departments:
        for ref, basis in {**dep.leads, **dep.supports}.items():
            assert basis and basis in dep.duty, (dep.name, ref, basis)


def test_c28s_whole_sentence_is_encoded() -> None:
    by_id = {c.id: c for c in load_plan().city_targets}
    assert by_id["C28"].name == "争创省级信息经济发展示范区" and by_id["C28"].target == 1
    assert by_id["C46"].name == "争创省级软件和信息服务业基地" and by_id["C46"].rule == "qualitative"
    assert by_id["C28"].source == by_id["C46"].source


def test_check_finds_row_19_and_the_yaml_keeps_the_seed_number() -> None:
    plan = load_plan()
    findings = [f for f in check_plan(plan) if f.level != "notice"]
    assert [(f.code, f.indicator) for f in findings] == [("sum_mismatch", "19")]
    assert "34" in findings[0].message and "35" in findings[0].message
    row19 = plan.indicator("19")
    assert row19 is not None and row19.target("全市") == 35


def test_check_lists_what_no_duty_text_owns_as_a_notice() -> None:
    notices = [f for f in check_plan(load_plan()) if f.level == "notice"]
    assert [f.indicator for f in notices] == ["C01", "C15", "C37", "C38", "C44", "C45"]
    assert {f.code for f in notices} == {"unowned"} and "配合部门:市教育局" in notices[2].message


def test_check_command_exits_1_naming_the_row() -> None:
    result = CliRunner().invoke(app, ["check", "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["findings"][0]["indicator"] == "19"


def test_targets_json_for_one_district() -> None:
    result = CliRunner().invoke(app, ["targets", "--district", "长兴", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["units"] == ["长兴县"]
    ids = [i["id"] for i in doc["indicators"]]
    assert "7" not in ids and "9" not in ids and "20" not in ids and "24" not in ids
    assert len(ids) == 30
    by_id = {i["id"]: i for i in doc["indicators"]}
    assert by_id["3"]["targets"]["长兴县"] == 29.0 and by_id["3"]["cells"]["长兴县"] == "29.0"
    assert by_id["12"]["targets"]["长兴县"] == 500
    assert by_id["25"]["targets"]["长兴县"] == "完成省下达目标任务"


def test_targets_json_full_table_nulls() -> None:
    result = CliRunner().invoke(app, ["targets", "--format", "json"])
    doc = json.loads(result.stdout)
    by_id = {i["id"]: i for i in doc["indicators"]}
    assert by_id["22"]["targets"]["湖州开发区"] is None and by_id["22"]["cells"]["湖州开发区"] == ""
    assert by_id["7"]["targets"]["吴兴区"] is None and by_id["7"]["cells"]["吴兴区"] == "——"
    assert by_id["16"]["targets"]["安吉县"] == 0
    assert doc["city_targets"][0]["id"] == "C01"


def test_unknown_district_lists_valid_names() -> None:
    result = CliRunner().invoke(app, ["targets", "--district", "西湖区"])
    assert result.exit_code == 2
    assert "长兴县" in result.stderr and "西湖区" in result.stderr


# ---------------------------------------------------------------- bad YAML


@pytest.fixture
def plan_copy(tmp_path: Path) -> tuple[Path, Path]:
    t = tmp_path / "targets.yaml"
    d = tmp_path / "departments.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    shutil.copy(bundled_path("departments.yaml"), d)
    return t, d


def _line_of(path: Path, needle: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(needle) + 1


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(t: Path, d: Path) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan(t, d)
    return [str(p) for p in info.value.problems]


def test_duplicate_key_is_an_error_with_its_line(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "    points: 8\n", "    points: 8\n    points: 9\n")
    line = _line_of(t, "    points: 9")
    problems = _problems(t, d)
    assert problems == [f"{t}:{line}:indicators[0].points 重复出现(第一次在第 {line - 1} 行),请删除其中一个"]


def test_wrong_type_names_line_and_path(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "    points: 5\n", "    points: 五分\n")
    line = _line_of(t, "    points: 五分")
    problems = _problems(t, d)
    assert len(problems) == 1
    assert problems[0].startswith(f"{t}:{line}:indicators[1].points:应为数字")


def test_unknown_field_is_refused(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "    points: 8\n", "    points: 8\n    weight: 3\n")
    line = _line_of(t, "    weight: 3")
    assert _problems(t, d) == [f"{t}:{line}:indicators[0].weight:未知字段,请删除或检查拼写"]


def test_department_leading_a_missing_indicator(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(d, '      "19": "牵头推进企业多层次资本市场挂牌上市"', '      "99": "牵头推进企业多层次资本市场挂牌上市"')
    line = _line_of(d, '      "99": "牵头推进企业多层次资本市场挂牌上市"')
    problems = _problems(t, d)
    assert len(problems) == 1
    assert problems[0].startswith(f"{d}:{line}:departments[9](市金融办).leads.99:指标「99」不存在")


def test_bad_yaml_via_cli_exits_2_without_traceback(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "    points: 8\n", "    points: 8\n    points: 9\n")
    result = CliRunner().invoke(app, ["targets", "--targets", str(t), "--departments", str(d)])
    assert result.exit_code == 2
    assert "重复出现" in result.stderr and "Traceback" not in result.output


def test_missing_plan_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--targets", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "文件不存在" in result.stderr


def test_a_2018_plan_loads_without_code_changes(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "  year: 2017", "  year: 2018")
    _replace(t, "targets: {全市: 7, 吴兴区: 7,", "targets: {全市: 6.5, 吴兴区: 7,")
    plan = load_plan(t, d)
    assert plan.info.year == 2018
    row1 = plan.indicator("1")
    assert row1 is not None and row1.target("全市") == 6.5


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("hz-assess ")


def test_every_city_target_number_is_in_its_sentence() -> None:
    words = {10: "十", 100: "百", 1000: "千"}
    for ct in load_plan().city_targets:
        if isinstance(ct.target, str):
            assert ct.target in ct.source, ct.id  # a qualitative target: its wording is the plan's
            continue
        digits = f"{ct.target:g}"
        assert digits in ct.source or words.get(int(ct.target), "?") in ct.source, ct.id


def test_yaml_aliases_are_refused_with_their_line(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "  id: huzhou-2017-gyqs\n", "  id: &plan_id huzhou-2017-gyqs\n  x: *plan_id\n")
    line = _line_of(t, "  x: *plan_id")
    problems = _problems(t, d)
    assert problems == [f"{t}:{line - 1}:plan.x:不支持 YAML 锚点/别名(& 和 *),请把内容直接写出"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    - {name: 不合格, min: 0}\n", "", "最后一个等次的分数线应为 0"),
        ("    ratings: {优秀: 1.0, 良好: 0.85, 一般: 0.70, 较差: 0.50}", "    ratings: {}",
         "scoring.departments.ratings"),
        ("    points: 8\n", "    points: 8\n    veto: true\n", "veto(一票否决)只适用于定性指标"),
        ("    points: 8\n", "    points: 8\n    params: {bonus_cap: -1}\n",
         "indicators[0].params.bonus_cap:超额加分上限 -1 应在 0 到 1 之间"),
        ("targets: {全市: 7, 吴兴区: 7,", "targets: {全市: true, 吴兴区: 7,", "indicators[0].targets.全市"),
    ],
)
def test_method_values_that_cannot_work_are_refused(
    plan_copy: tuple[Path, Path], old: str, new: str, expected: str
) -> None:
    t, d = plan_copy
    _replace(t, old, new)
    problems = _problems(t, d)
    assert len(problems) >= 1 and any(expected in p for p in problems), problems


def test_department_alias_clash_is_refused(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(d, "    aliases: [宣传部]", "    aliases: [宣传部, 经信委]")
    problems = _problems(t, d)
    assert len(problems) == 1 and "(市经信委):名称或别名「经信委」与 市委宣传部 的名称或别名重复" in problems[0]
