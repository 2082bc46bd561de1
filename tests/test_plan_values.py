"""A method value that cannot give a meaningful score is refused at load, naming its YAML line and field.

Each of these was accepted before and gave a NaN total, a grade that could never be
given, a veto that never bit, or points above the full score (issue 10 item 3).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hz_assess.cli import app
from hz_assess.errors import PlanError
from hz_assess.plan import bundled_path, load_plan


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    t = tmp_path / "targets.yaml"
    d = tmp_path / "departments.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    shutil.copy(bundled_path("departments.yaml"), d)
    return t, d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path: Path, start: str) -> int:
    """The 1-based number of the first line that starts with `start`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(start))


def _problems(t: Path, d: Path) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan(t, d)
    return [str(p) for p in info.value.problems]


def _only_problem(t: Path, d: Path) -> str:
    problems = _problems(t, d)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------- NaN and infinity


def test_nan_in_a_scoring_number_is_refused_at_its_line(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    penalty_per_point: 0.10", "    penalty_per_point: .nan")
    line = _line(t, "    penalty_per_point: .nan")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.growth.penalty_per_point:不能是 NaN 或无穷大(.nan、.inf),应为有限的数字,实际为「nan」"
    )


def test_infinity_as_a_qualitative_level_is_refused_at_the_level_own_line(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    levels: {完成: 1.0, 基本完成: 0.6, 未完成: 0.0}",
          "    levels:\n      完成: .inf\n      基本完成: 0.6\n      未完成: 0.0")
    line = _line(t, "      完成: .inf")
    assert _only_problem(t, d).startswith(f"{t}:{line}:scoring.qualitative.levels.完成:不能是 NaN 或无穷大")


def test_nan_target_cell_is_refused_as_nan_not_as_a_wrong_type(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "targets: {全市: 7, 吴兴区: 7,", "targets: {全市: .nan, 吴兴区: 7,")
    line = _line(t, "    targets: {全市: .nan, ")
    assert _only_problem(t, d).startswith(f"{t}:{line}:indicators[0].targets.全市:不能是 NaN 或无穷大")


def test_infinite_city_target_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    target: 40\n", "    target: -.inf\n")
    line = _line(t, "    target: -.inf")
    assert _only_problem(t, d) == (
        f"{t}:{line}:city_targets[4].target:不能是 NaN 或无穷大(.nan、.inf),应为有限的数字,实际为「-inf」"
    )


def test_nan_in_an_indicator_parameter_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    points: 8\n", "    points: 8\n    params: {bonus_cap: .nan}\n")
    line = _line(t, "    params: {bonus_cap: .nan}")
    assert _only_problem(t, d).startswith(f"{t}:{line}:indicators[0].params.bonus_cap:不能是 NaN 或无穷大")


# ---------------------------------------------------------------- names that must exist


def test_veto_level_that_is_not_a_qualitative_level_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "  veto_level: 未完成", "  veto_level: 不达标")
    line = _line(t, "  veto_level: 不达标")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.veto_level:否决等级「不达标」不在 scoring.qualitative.levels 中"
        "(可用:完成、基本完成、未完成),一票否决将永远不会生效"
    )


def test_veto_on_the_best_level_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "  veto_level: 未完成", "  veto_level: 完成")
    line = _line(t, "  veto_level: 完成")
    assert _only_problem(t, d).startswith(f"{t}:{line}:scoring.veto_level:否决等级「完成」是得分最高的等级")


def test_renaming_the_levels_without_the_veto_level_names_the_scoring_section(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    levels: {完成: 1.0, 基本完成: 0.6, 未完成: 0.0}", "    levels: {达标: 1.0, 不达标: 0.0}")
    _edit(t, "  veto_level: 未完成\n", "")
    problems = _problems(t, d)
    # veto_level is not written in the file: the nearest place that is, is `scoring:`
    assert problems == [
        f"{t}:{_line(t, 'scoring:')}:scoring.veto_level:否决等级「未完成」不在 scoring.qualitative.levels 中"
        "(可用:达标、不达标),一票否决将永远不会生效"
    ]


def test_vetoed_cannot_be_an_unknown_grade(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "  vetoed_cannot_be: 优秀", "  vetoed_cannot_be: 特优")
    line = _line(t, "  vetoed_cannot_be: 特优")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.vetoed_cannot_be:「特优」不是 scoring.grades 中的等次(可用:优秀、良好、合格、不合格)"
    )


def test_vetoed_cannot_be_the_lowest_grade_because_the_veto_would_do_nothing(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "  vetoed_cannot_be: 优秀", "  vetoed_cannot_be: 不合格")
    line = _line(t, "  vetoed_cannot_be: 不合格")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.vetoed_cannot_be:「不合格」是最低等次,被否决的单位无法再降一等,否决不会生效"
    )


QUOTA = '  quota: {优秀: "1/3"}'


def test_a_quota_for_an_unknown_grade_is_refused_at_the_key_own_line(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, QUOTA, '  quota:\n    优秀: "1/3"\n    特优: 1')
    line = _line(t, "    特优: 1")
    assert _only_problem(t, d).startswith(
        f"{t}:{line}:scoring.quota.特优:「特优」不是 scoring.grades 中的等次(可用:优秀、良好、合格、不合格)"
    )


@pytest.mark.parametrize("count", ["0", "-1"])
def test_a_quota_count_must_be_positive(files: tuple[Path, Path], count: str) -> None:
    t, d = files
    _edit(t, QUOTA, f"  quota: {{优秀: {count}}}")
    line = _line(t, f"  quota: {{优秀: {count}}}")
    assert _only_problem(t, d) == f"{t}:{line}:scoring.quota.优秀:名额 {count} 应为正整数(至少 1 个)"


@pytest.mark.parametrize("share", ["3/2", "1/0", "one third", "0/3"])
def test_a_quota_share_must_be_a_fraction_no_larger_than_one(files: tuple[Path, Path], share: str) -> None:
    t, d = files
    _edit(t, QUOTA, f'  quota: {{优秀: "{share}"}}')
    line = _line(t, f'  quota: {{优秀: "{share}"}}')
    assert _only_problem(t, d).startswith(f"{t}:{line}:scoring.quota.优秀:名额「{share}」无效")


# ---------------------------------------------------------------- grades


def test_duplicate_grade_names_are_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    - {name: 良好, min: 80}", "    - {name: 优秀, min: 80}")
    line = _line(t, "    - {name: 优秀, min: 80}")
    assert _only_problem(t, d) == f"{t}:{line}:scoring.grades[1].name:等次名称「优秀」重复(已见于 grades[0])"


def test_two_grades_with_the_same_threshold_are_refused_as_unreachable(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    - {name: 良好, min: 80}", "    - {name: 良好, min: 90}")
    line = _line(t, "    - {name: 良好, min: 90}")
    assert _only_problem(t, d).startswith(
        f"{t}:{line}:scoring.grades[1].min:分数线 90 不低于上一等次「优秀」的 90:等次须按分数线从高到低排列且不能相同"
    )


@pytest.mark.parametrize("value", ["900", "-5"])
def test_grade_threshold_outside_0_to_100_is_refused(files: tuple[Path, Path], value: str) -> None:
    t, d = files
    _edit(t, "    - {name: 优秀, min: 90}", f"    - {{name: 优秀, min: {value}}}")
    line = _line(t, f"    - {{name: 优秀, min: {value}}}")
    assert f"{t}:{line}:scoring.grades[0].min:{value} 应在 0 到 100 之间(总分按百分制计)" in _problems(t, d)


# ---------------------------------------------------------------- factors and caps


@pytest.mark.parametrize("value", ["-0.6", "1.2"])
def test_qualitative_level_factor_outside_0_to_1_is_refused_and_says_why(files: tuple[Path, Path], value: str) -> None:
    t, d = files
    _edit(t, "基本完成: 0.6,", f"基本完成: {value},")
    line = _line(t, f"    levels: {{完成: 1.0, 基本完成: {value},")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.qualitative.levels.基本完成:系数 {value} 应在 0 到 1 之间:它是该项分值的比例(1 为满分),"
        "大于 1 会使该项得分超过满分,负数会倒扣分"
    )


@pytest.mark.parametrize("value", ["-0.5", "85"])
def test_department_rating_factor_outside_0_to_1_is_refused(files: tuple[Path, Path], value: str) -> None:
    t, d = files
    _edit(t, "    ratings: {优秀: 1.0, 良好: 0.85, 一般: 0.70, 较差: 0.50}",
          f"    ratings: {{优秀: 1.0, 良好: {value}, 一般: 0.70, 较差: 0.50}}")
    line = _line(t, f"    ratings: {{优秀: 1.0, 良好: {value}, 一般: 0.70, 较差: 0.50}}")
    assert _only_problem(t, d).startswith(
        f"{t}:{line}:scoring.departments.ratings.良好:评价系数 {value} 应在 0 到 1 之间"
    )


def test_over_achievement_cap_typed_as_a_percentage_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    bonus_cap: 0.20\n    penalty_per_point", "    bonus_cap: 20\n    penalty_per_point")
    line = _line(t, "    bonus_cap: 20")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.growth.bonus_cap:超额加分上限 20 应在 0 到 1 之间:它是该项分值的比例(0.2 即 20%),"
        "大于 1 表示单项超额得分超过该项分值本身"
    )


@pytest.mark.parametrize(("key", "default", "value"), [("bonus_cap", "5", "500"), ("deduction_cap", "10", "-10")])
def test_bonus_and_deduction_caps_stay_on_the_100_point_scale(
    files: tuple[Path, Path], key: str, default: str, value: str
) -> None:
    t, d = files
    _edit(t, f"  {key}: {default}\n", f"  {key}: {value}\n")
    line = _line(t, f"  {key}: {value}")
    assert _only_problem(t, d) == f"{t}:{line}:scoring.{key}:{value} 应在 0 到 100 之间(总分按百分制计)"


def test_department_weights_must_add_up_to_100(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "      lead: {name: 牵头部门, indicator_weight: 60, rating_weight: 40}",
          "      lead:\n        name: 牵头部门\n        indicator_weight: 50\n        rating_weight: 40")
    line = _line(t, "        indicator_weight: 50")
    assert _only_problem(t, d) == (
        f"{t}:{line}:scoring.departments.groups.lead.indicator_weight:indicator_weight 与 rating_weight 之和"
        "应为 100(部门总分按百分制,等次分数线也按百分制),现为 50 + 40 = 90"
    )


def test_zero_support_weight_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    support_factor: 0.5", "    support_factor: 0")
    line = _line(t, "    support_factor: 0")
    assert _only_problem(t, d).startswith(f"{t}:{line}:scoring.departments.support_factor:配合指标的权重 0 应大于 0")


def test_negative_override_names_the_parameter_line(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    points: 8\n", "    points: 8\n    params: {penalty_per_point: -1}\n")
    line = _line(t, "    params: {penalty_per_point: -1}")
    assert _only_problem(t, d) == f"{t}:{line}:indicators[0].params.penalty_per_point:不能为负数,实际为「-1」"


def test_override_the_rule_does_not_have_names_the_key(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    points: 8\n", "    points: 8\n    params: {zero_below: 0.3}\n")
    line = _line(t, "    params: {zero_below: 0.3}")
    assert _only_problem(t, d) == (
        f"{t}:{line}:indicators[0].params.zero_below:规则 growth 没有参数 zero_below"
        "(可用:bonus_cap、bonus_per_point、penalty_per_point)"
    )


# ---------------------------------------------------------------- targets and types


def test_negative_completion_target_is_refused(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "targets: {全市: 1840,", "targets: {全市: -1840,")
    line = _line(t, "    targets: {全市: -1840, ")
    assert _only_problem(t, d).startswith(
        f"{t}:{line}:indicators[11].targets.全市:全市 的目标 -1840 为负数:"
        "完成率 = 实绩 ÷ 目标 会把实绩越低算成完成得越好"
    )


def test_a_growth_rate_cannot_be_prorated_over_the_year(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    rule: growth\n    points: 8\n", "    rule: growth\n    points: 8\n    schedule: prorate\n")
    line = _line(t, "    schedule: prorate")
    assert _only_problem(t, d).startswith(
        f"{t}:{line}:indicators[0].schedule:增幅类指标(rule: growth)是同比比率,不能按时间进度累计"
    )


def test_yes_is_not_the_number_one(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    points: 8\n", "    points: yes\n")
    line = _line(t, "    points: yes")
    assert _only_problem(t, d) == (
        f"{t}:{line}:indicators[0].points:应为数字,实际为「True」"
        "(YAML 把 true/false、yes/no、on/off 读作是/否,不是数字)"
    )


def test_a_quoted_number_is_refused_with_a_hint(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    points: 8\n", '    points: "8"\n')
    line = _line(t, '    points: "8"')
    assert _only_problem(t, d) == f"{t}:{line}:indicators[0].points:应为数字,实际为「8」(数字不要加引号)"


def test_several_bad_values_are_all_reported_at_once(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "  veto_level: 未完成", "  veto_level: 不达标")
    _edit(t, QUOTA, "  quota: {特优: 2}")
    _edit(t, "  vetoed_cannot_be: 优秀", "  vetoed_cannot_be: 不合格")
    problems = _problems(t, d)
    places = [p.split(":")[2] for p in problems]
    assert places == ["scoring.veto_level", "scoring.quota.特优", "scoring.vetoed_cannot_be"]


def test_the_check_command_exits_2_with_the_line_and_no_traceback(files: tuple[Path, Path]) -> None:
    t, d = files
    _edit(t, "    penalty_per_point: 0.10", "    penalty_per_point: .inf")
    line = _line(t, "    penalty_per_point: .inf")
    result = CliRunner().invoke(app, ["check", "--targets", str(t), "--departments", str(d), "--format", "json"])
    assert result.exit_code == 2
    assert f"{line}:scoring.growth.penalty_per_point:不能是 NaN 或无穷大" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
