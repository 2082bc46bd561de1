"""score / gaps / explain from the command line, on the bundled example workbook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import WorkbookBuilder, run
from hz_assess.plan import bundled_path, load_plan
from hz_assess.scoring import score
from hz_assess.workbook import read_actuals

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"


def test_score_json_equals_the_library_result() -> None:
    code, out, _ = run("score", str(EXAMPLE), "--format", "json")
    assert code == 0
    plan = load_plan()
    expected = score(plan, read_actuals(plan, EXAMPLE)).model_dump(mode="json")
    assert json.loads(out) == expected
    doc = json.loads(out)
    assert set(doc) == {"plan", "input", "method", "provisional", "warnings", "notes", "categories", "rules",
                        "districts", "departments", "city"}
    d0 = doc["districts"][0]
    assert {"rank", "name", "score", "score_exact", "base", "over", "bonus", "deductions", "grade", "provisional",
            "score_range", "vetoed", "veto_reasons", "progress", "categories", "indicators"} <= set(d0)
    assert {"id", "name", "unit", "category", "target", "actual", "source", "points", "base", "over", "score_rate",
            "completion", "gap", "gap_unit", "status"} <= set(d0["indicators"][0])
    assert {"rank", "name", "score", "grade", "provisional", "indicators", "rating"} <= set(doc["departments"][0])


def test_score_table_names_method_plan_and_sha() -> None:
    code, out, _ = run("score", str(EXAMPLE))
    assert code == 0
    plan = load_plan()
    assert "县区排名" in out and "部门排名" in out and "全市进展" in out
    assert "默认评分方法" in out and plan.targets_sha256[:16] in out
    for district in plan.districts:
        assert district in out


def test_score_by_department_csv_has_28_rows() -> None:
    code, out, _ = run("score", str(EXAMPLE), "--by", "department", "--format", "csv")
    assert code == 0
    blocks = [b.splitlines() for b in out.replace("\r\n", "\n").split("\n\n")]
    ranked = [b for b in blocks if b[0].startswith("部门排名 · ")]
    groups = ["部门排名 · 牵头部门", "部门排名 · 配合部门", "部门排名 · 服务保障部门"]
    assert [b[0].split("(")[0] for b in ranked] == groups
    assert all(b[1].startswith("排名,部门,总分") for b in ranked)
    rows = [line for b in ranked for line in b[2:] if line[:1].isdigit()]
    assert len(rows) == 28 and sum(len([x for x in b[2:] if x[:1].isdigit()]) for b in ranked[:1]) == 10


def test_gaps_accepts_an_alias_and_sorts_by_points_lost() -> None:
    code, out, _ = run("gaps", str(EXAMPLE), "--district", "长兴", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["unit"] == "长兴县"
    lost = [g["lost"] for g in doc["shortfalls"]]
    assert lost == sorted(lost, reverse=True)
    assert doc["not_applicable"] == []  # the city-only rows 7, 9, 20, 24 are not the districts' at all
    code, out, _ = run("gaps", str(EXAMPLE), "--district", "开发区", "--format", "json")
    assert json.loads(out)["not_applicable"] == ["22"]


def test_gaps_unknown_district_lists_the_valid_names() -> None:
    code, _, err = run("gaps", str(EXAMPLE), "--district", "西湖区")
    assert code == 2
    assert "西湖区" in err and "湖州开发区" in err


def test_explain_shows_rule_inputs_and_steps() -> None:
    code, out, _ = run("explain", str(EXAMPLE), "--district", "长兴县", "--indicator", "1")
    assert code == 0
    assert "规则:增幅类" in out and "目标 7%" in out and "超额分 =" in out and "计入总分" in out
    assert "来源 actuals_2017.xlsx!县区实绩!" in out


def test_explain_unknown_indicator_exits_2() -> None:
    code, _, err = run("explain", str(EXAMPLE), "--district", "长兴县", "--indicator", "7")
    # row 7 exists but not for 长兴县: it is explained as not assessed
    assert code == 0 or "7" in err
    code, _, err = run("explain", str(EXAMPLE), "--district", "长兴县", "--indicator", "99")
    assert code == 2 and "99" in err


def test_changed_method_is_announced(tmp_path: Path) -> None:
    t = tmp_path / "t.yaml"
    shutil.copy(bundled_path("targets_2017.yaml"), t)
    t.write_text(t.read_text(encoding="utf-8").replace("bonus_cap: 5", "bonus_cap: 3"), encoding="utf-8")
    code, out, _ = run("score", str(EXAMPLE), "--targets", str(t))
    assert code == 0 and "已调整的评分方法" in out


def test_missing_workbook_is_one_sentence_exit_2(tmp_path: Path) -> None:
    code, out, err = run("score", str(tmp_path / "无此文件.xlsx"))
    assert code == 2 and "无此文件.xlsx" in err and "Traceback" not in err + out


def test_explain_accepts_leading_zeros_and_full_width_ids() -> None:
    code, out, _ = run("explain", str(EXAMPLE), "--district", "全市", "--indicator", "c1")
    assert code == 0 and "软件和信息技术服务业营业收入增幅" in out and "不计入全市得分" in out
    code, out, _ = run("explain", str(EXAMPLE), "--district", "长兴县", "--indicator", "０１")
    assert code == 0 and "规上工业增加值增幅" in out


def test_explain_qualitative_target_has_no_unit_appended() -> None:
    code, out, _ = run("explain", str(EXAMPLE), "--district", "长兴县", "--indicator", "25")
    assert code == 0 and "目标 「完成省下达目标任务」,分值 2" in out


def test_explain_as_markdown_lists_the_steps() -> None:
    code, out, _ = run("explain", str(EXAMPLE), "--district", "南浔", "--indicator", "4", "--format", "md")
    assert code == 0
    lines = out.splitlines()
    head = lines.index("| 步骤 | 说明 |")
    assert lines[head + 3].startswith("| 2 | 目标 8%,分值 5 |")
    assert "基本分 = 5 × 0.52 = 2.6" in out


def test_report_says_what_the_office_must_settle_before_publishing(book: WorkbookBuilder, tmp_path: Path) -> None:
    """Every district at target: six tie at 100.00 for two 优秀 places, which only the office can settle."""
    path = book.fill_all().save()
    code, _, err = run("report", str(path), "-o", str(tmp_path / "r.md"), "--no-record")
    assert code == 0
    assert "发布前请注意:优秀名额2个:第1名吴兴区、南浔区、德清县、长兴县、安吉县、湖州开发区共6个单位总分相同" in err
    assert "请考核办研究决定" not in (tmp_path / "r.md").read_text(encoding="utf-8").split("## 注意")[0]
