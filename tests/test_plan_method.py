"""The default method is the bundled YAML: a plan's method is changed exactly where it differs from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hz_assess.models import CityTarget, Department, Indicator, Plan
from hz_assess.plan import bundled_path, load_plan, method_changes
from hz_assess.plan import method as method_module


@pytest.fixture
def plan_copy(tmp_path: Path) -> tuple[Path, Path]:
    t = tmp_path / "targets.yaml"
    d = tmp_path / "departments.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    shutil.copy(bundled_path("departments.yaml"), d)
    return t, d


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _changes(t: Path, d: Path) -> list[str]:
    return method_changes(load_plan(t, d))


def test_the_bundled_plan_is_the_default_method(plan: Plan) -> None:
    assert method_changes(plan) == []


def test_a_copy_of_the_bundled_files_elsewhere_is_the_default(plan_copy: tuple[Path, Path]) -> None:
    assert _changes(*plan_copy) == []


FINANCE_LEADS = '      "19": "牵头推进企业多层次资本市场挂牌上市"'


def test_comments_and_layout_are_not_a_change_of_method(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "scoring:\n", "# 本年沿用默认方法\nscoring:\n")
    _replace(t, '  quota: {优秀: "1/3"}', '  quota:\n    优秀: "1/3"')
    assert load_plan(t, d).targets_sha256 != load_plan().targets_sha256
    assert _changes(t, d) == []


def test_scoring_values_are_listed_one_line_each_with_default_and_new(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "penalty_per_point: 0.10", "penalty_per_point: 0.20")
    _replace(t, "    - {name: 良好, min: 80}", "    - {name: 良好, min: 85}")
    _replace(t, '  quota: {优秀: "1/3"}', "  quota: {优秀: 3}")
    _replace(t, "levels: {完成: 1.0, 基本完成: 0.6, 未完成: 0.0}", "levels: {完成: 1.0, 基本完成: 0.5, 未完成: 0.0}")
    assert _changes(t, d) == [
        "scoring.growth.penalty_per_point:默认 0.1 → 现为 0.2",
        "scoring.qualitative.levels.基本完成:默认 0.6 → 现为 0.5",
        "scoring.grades[1].min:默认 80 → 现为 85",
        "scoring.quota.优秀:默认 1/3 → 现为 3",
    ]


def test_a_scoring_key_added_or_dropped_says_not_set(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "levels: {完成: 1.0, 基本完成: 0.6, 未完成: 0.0}", "levels: {完成: 1.0, 未完成: 0.0, 部分完成: 0.3}")
    assert _changes(t, d) == [
        "scoring.qualitative.levels.基本完成:默认 0.6 → 现为 未设",
        "scoring.qualitative.levels.部分完成:默认 未设 → 现为 0.3",
    ]


def test_indicator_points_veto_and_parameters_are_listed_by_row(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "    points: 4\n    city_points: 4\n    schedule: prorate\n    targets: {全市: 1840",
             "    points: 5\n    city_points: 4\n    schedule: prorate\n    params: {bonus_cap: 0.3}\n"
             "    targets: {全市: 1840")
    _replace(t, "    city_points: 2\n    veto: true\n", "    city_points: 2\n")
    _replace(t, "    category: 质量效益\n    rule: growth\n    points: 8\n",
             "    category: 结构调整\n    rule: completion\n    points: 8\n")
    assert _changes(t, d) == [
        "第1行栏目:默认 质量效益 → 现为 结构调整",
        "第1行规则:默认 growth → 现为 completion",
        "第12行分值:默认 4 → 现为 5",
        "第12行参数 bonus_cap:默认 未设 → 现为 0.3",
        "第25行一票否决:默认 是 → 现为 否",
    ]


def test_a_city_target_given_points_is_listed(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "    target: 40\n    rule: completion\n", "    target: 40\n    rule: completion\n    points: 3\n")
    assert _changes(t, d) == ["C05 分值:默认 无 → 现为 3"]


def test_a_department_mapping_change_names_the_department_and_both_lists(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(d, FINANCE_LEADS, FINANCE_LEADS + '\n      "1": "牵头推进企业多层次资本市场挂牌上市"')
    assert _changes(t, d) == ["市金融办 牵头:默认 19 → 现为 19、1"]


def test_the_quoted_basis_of_a_lead_is_not_method(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(d, FINANCE_LEADS, '      "19": "牵头推进企业多层次资本市场挂牌上市,推进上市公司加快兼并重组和再融资"')
    assert _changes(t, d) == []


def test_added_and_removed_items_are_listed(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "  - id: C01\n", "  - id: C99\n")
    _replace(d, '  - id: "28"\n    name: 市总工会\n', '  - id: "28"\n    name: 市职工服务中心\n')
    assert _changes(t, d) == [
        "C99「软件和信息技术服务业营业收入增幅」:新增全市目标(默认方法中没有)",
        "C01「软件和信息技术服务业营业收入增幅」:已删除(默认方法中有此全市目标)",
        "市职工服务中心:新增部门(默认方法中没有)",
        "市总工会:已删除(默认方法中有此部门)",
    ]


def test_target_values_names_units_and_texts_are_not_method(plan_copy: tuple[Path, Path]) -> None:
    t, d = plan_copy
    _replace(t, "targets: {全市: 7, 吴兴区: 7,", "targets: {全市: 6.5, 吴兴区: 7,")
    _replace(t, "    name: 规上工业增加值增幅\n", "    name: 规模以上工业增加值增幅\n")
    _replace(t, '    plan_text: ["规上工业增加值增长7%"]\n', "")
    _replace(t, "    target: 40\n", "    target: 45\n")
    _replace(t, "    unit: 位\n", "    unit: 人\n")
    _replace(d, "    aliases: [总工会]\n", "    aliases: [总工会, 工会]\n")
    _replace(d, "推进企业职工技能素质提升", "推进职工技能素质提升")
    assert _changes(t, d) == []


def test_a_field_added_to_the_models_later_is_compared_without_code_changes(plan: Plan) -> None:
    class WeightedIndicator(Indicator):
        weight: str = "normal"

    row17 = plan.indicators[16]
    changed = plan.model_copy(update={
        "indicators": [*plan.indicators[:16], WeightedIndicator(**{**row17.model_dump(), "weight": "double"}),
                       *plan.indicators[17:]],
        "targets_sha256": "edited in memory",
    })
    assert method_changes(changed) == ["第17行 weight:默认 未设 → 现为 double"]


def test_every_field_declared_not_method_exists() -> None:
    # a misspelt name would silently make that field count as method
    for cls in (Plan, Indicator, CityTarget, Department):
        assert method_module.NOT_METHOD[cls] <= set(cls.model_fields), cls.__name__


def test_the_default_is_loaded_once_and_not_at_all_for_the_bundled_plan(
    plan: Plan, plan_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    t, d = plan_copy
    _replace(d, FINANCE_LEADS, FINANCE_LEADS + '\n      "1": "牵头推进企业多层次资本市场挂牌上市"')
    changed = load_plan(t, d)
    calls: list[int] = []
    real = method_module.load_plan

    def counting_load(*args: Path | None) -> Plan:
        calls.append(1)
        return real(*args)

    method_module._default_view.cache_clear()
    monkeypatch.setattr(method_module, "load_plan", counting_load)
    try:
        assert method_changes(plan) == [] and calls == []
        assert method_changes(changed) == method_changes(changed) == ["市金融办 牵头:默认 19 → 现为 19、1"]
        assert calls == [1]
    finally:
        method_module._default_view.cache_clear()
