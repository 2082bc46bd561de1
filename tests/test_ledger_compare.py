"""compare N M: which input cells changed between two recorded runs, and which results moved."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from _ledger import cli, record, sql
from conftest import WorkbookBuilder
from hz_assess.ledger import Ledger
from hz_assess.models import Adjustment, Assessment, Plan

HEADERS = ["类别", "单位/部门", "项目", "单元格", "第 1 号", "第 2 号", "变化"]


def _changes(*args: str) -> list[dict[str, object]]:
    code, out, err = cli("compare", *args, "--format", "json")
    assert code == 0, err
    changes: list[dict[str, object]] = json.loads(out)["changes"]
    return changes


def _results(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    units = [*doc["districts"], *doc["departments"]]  # type: ignore[misc]
    return {u["name"]: u for u in units}


def test_compare_lists_the_changed_cells_and_rank_moves_between_two_workbooks(plan: Plan, tmp_path: Path) -> None:
    first = WorkbookBuilder(plan, tmp_path / "初报.xlsx").fill_all()
    first.save()
    second = WorkbookBuilder(plan, tmp_path / "更正.xlsx").fill_all()
    raised = second.set("吴兴区", "1", plan.indicators[0].target("吴兴区") + 2)  # type: ignore[operator]
    emptied = second.set("南浔区", "3", None)
    rated = second.rating("市科技局", "良好")
    second.adjust(1, "长兴县", "安全生产事故", -2, "市安委会通报")
    second.save()
    _, before, _ = cli("score", str(first.path), "--format", "json")
    _, after, _ = cli("score", str(second.path), "--format", "json")

    changes = _changes("1", "2")
    inputs = [[c["kind_text"], c["subject"], c["item"], c["where"], c["old"], c["new"], c["change"]]
              for c in changes if c["where"]]
    assert inputs == [
        ["实绩", "吴兴区", "1 规上工业增加值增幅", f"县区实绩!{raised}", 7, 9, "+2"],
        ["实绩", "南浔区", "3 规模以上工业全员劳动生产率", f"县区实绩!{emptied}", 22, None, "删除"],
        ["部门评价", "市科技局", "", f"部门评价!{rated}", "优秀", "良好", "修改"],
        ["加减分", "长兴县", "安全生产事故", "加减分!C4", None, -2, "新增"],
    ]
    # every district and department whose total, rank, grade or 暂定 changed, and only those
    old, new = _results(json.loads(before)), _results(json.loads(after))
    expected = {
        (kind, name)
        for name in new
        for kind, field in (("score", "score"), ("rank", "rank"), ("grade", "grade"), ("provisional", "provisional"))
        if old[name][field] != new[name][field]
    }
    assert {(c["kind"], c["subject"]) for c in changes if not c["where"]} == expected
    moves = {(c["kind"], c["subject"]): c for c in changes}
    assert moves[("score", "吴兴区")]["new"] > moves[("score", "吴兴区")]["old"]  # type: ignore[operator]
    nanxun = moves[("rank", "南浔区")]
    assert nanxun["old"] == 1 and nanxun["new"] == 6  # 95.70: last of the six
    assert nanxun["change"] == "下降 5 位"
    assert moves[("provisional", "南浔区")]["change"] == "转为暂定"
    assert ("rank", "吴兴区") not in moves  # first before, first after


def test_compare_lists_added_and_removed_cells_ratings_and_adjustments(plan: Plan) -> None:
    record(plan, "2017", {("长兴县", "12"): None, ("吴兴区", "25"): "完成"})
    record(plan, "2017", {("长兴县", "12"): 480, ("吴兴区", "25"): "基本完成"})
    # give the two runs' actuals different 加减分 and one rating fewer, as two returns would
    run1, run2 = Ledger().run(1), Ledger().run(2)
    x, y = run1.actuals, run2.actuals
    x.adjustments = [Adjustment(subject="南浔区", item="省级表彰", points=1, basis="浙政发", where="加减分!C4"),
                     Adjustment(subject="德清县", item="环保督察", points=-1, basis="通报", where="加减分!C5")]
    y.adjustments = [Adjustment(subject="南浔区", item="省级表彰", points=2, basis="浙政发", where="加减分!C4")]
    del y.ratings["市科技局"]
    y.city_targets["C01"] = y.city_targets["C01"].model_copy(update={"value": 25.0})
    sql("UPDATE runs SET actuals_json = ? WHERE id = 1", (x.model_dump_json(),))
    sql("UPDATE runs SET actuals_json = ? WHERE id = 2", (y.model_dump_json(),))
    c01, row12, row25 = plan.city_target("C01"), plan.indicator("12"), plan.indicator("25")
    assert c01 is not None and row12 is not None and row25 is not None
    kejiju = next(d.id for d in plan.departments if d.name == "市科技局")
    rows = [[c["kind_text"], c["subject"], c["item"], c["where"], c["old"], c["new"], c["change"]]
            for c in _changes("1", "2") if c["where"]]
    assert rows == [
        ["实绩", "吴兴区", f"25 {row25.name}", "县区实绩!吴兴区25", "完成", "基本完成", "修改"],
        ["实绩", "长兴县", f"12 {row12.name}", "县区实绩!长兴县12", None, 480, "新增"],
        ["全市目标", "全市", f"C01 {c01.name}", "全市目标!C01", c01.target, 25, f"+{25 - c01.target:g}"],
        ["部门评价", "市科技局", "", f"部门评价!{kejiju}", "优秀", None, "删除"],
        ["加减分", "南浔区", "省级表彰", "加减分!C4", 1, 2, "+1"],
        ["加减分", "德清县", "环保督察", "加减分!C5", -1, None, "删除"],
    ]


def test_compare_of_different_periods_plans_and_versions_says_so(plan: Plan) -> None:
    def other_plan(a: Assessment) -> None:
        a.plan.id, a.plan.sha256 = "huzhou-2018", "f" * 64

    record(plan, "2017Q1")
    record(plan, "2017Q2")
    record(plan, "2017Q2", edit=other_plan)
    sql("UPDATE runs SET tool_version = '0.0.9', departments_sha256 = 'd0' WHERE id = 1")
    notes = json.loads(cli("compare", "1", "2", "--format", "json")[1])["notes"]
    assert any("期别不同(2017Q1 与 2017Q2)" in n for n in notes)
    assert any("部门责任文件不同" in n for n in notes)
    assert any("不同版本的 hz-assess 计算(0.0.9 与 0.1.0)" in n for n in notes)
    code, _, err = cli("compare", "2", "3")
    assert code == 0 and "不同的计划(huzhou-2017-gyqs 与 huzhou-2018)" in err


def test_compare_formats_carry_the_same_rows(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017", {("长兴县", "12"): 400})
    changes = _changes("1", "2")
    _, text, _ = cli("compare", "1", "2", "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == HEADERS
    assert [(r[0], r[1], r[6]) for r in rows] == [(c["kind_text"], c["subject"], c["change"]) for c in changes]
    assert rows[0][:2] == ["实绩", "长兴县"] and rows[0][4:] == ["500", "400", "-100"]
    _, md, _ = cli("compare", "1", "2", "--format", "md")
    assert md.count("\n") == len(rows) + 2 and "| 实绩 | 长兴县 |" in md
    _, table, _ = cli("compare", "1", "2")
    assert "县区实绩!长兴县12" in table and "-100" in table


def test_compare_of_identical_runs_says_there_is_no_difference(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017")
    code, out, err = cli("compare", "1", "2")
    assert code == 0 and out == "" and "第 1 号和第 2 号记录的输入和结果没有差别" in err
    assert _changes("1", "2") == []


def test_compare_with_an_unknown_or_huge_run_exits_2(plan: Plan) -> None:
    record(plan, "2017")
    for args in (("1", "9"), ("99999999999999999999", "1")):
        code, out, err = cli("compare", *args)
        assert code == 2 and "号记录;请用 hz-assess history" in err and "Traceback" not in out + err
