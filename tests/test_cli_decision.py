"""`need`, `robustness` and `report --robustness` from the command line, on the bundled example.

As for every command, table, csv, md and json carry the same rows (tests/test_views.py), json is
the library's result as it is, and bad input is one Chinese sentence with exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run as shared_run
from hz_assess.analysis.need import Goal, need
from hz_assess.analysis.robustness import robustness
from hz_assess.export.html import appendix_html
from hz_assess.plan import load_plan
from hz_assess.views import Column, Document, IntervalChart, Table, Text
from hz_assess.workbook import read_actuals
from test_views import csv_block, md_block, table_rows

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"


def run(*args: str) -> tuple[int, str, str]:
    return shared_run(*args, columns=250)


def ok(*args: str) -> str:
    code, out, err = run(*args)
    assert code == 0, err
    return out


# ---------------------------------------------------------------- need


NEED = ["need", str(EXAMPLE), "--district", "吴兴", "--rank", "4"]


def test_need_json_is_the_library_result() -> None:
    plan = load_plan()
    expected = need(plan, read_actuals(plan, EXAMPLE), "吴兴区", Goal(rank=4)).to_json()
    doc = json.loads(ok(*NEED, "--format", "json"))
    assert doc == json.loads(json.dumps(expected, ensure_ascii=False))
    assert doc["goal"] == {"rank": 4} and doc["current"] == {"score": 99.33, "rank": 5, "grade": "良好"}
    assert set(doc["per_indicator"][0]) >= {"id", "name", "unit", "actual", "required", "reachable"}
    assert doc["combination"] == [{"id": "17", "name": "通过认定高新技术企业", "to": 16.0, "actual": 13.0,
                                   "gain": pytest.approx(0.5625), "remaining": None}]


def test_need_rows_are_the_same_in_table_csv_md_and_json() -> None:
    doc = json.loads(ok(*NEED, "--format", "json"))
    decimals = {"1": 1, "2": 0, "11": 2}

    def shown(r: dict[str, object]) -> str:
        value = r["required"]
        if value is None:
            return ""
        return f"{value:.{decimals.get(str(r['id']), 0)}f}" if isinstance(value, float) else str(value)

    expected = [[r["id"], shown(r)] for r in doc["per_indicator"] if r["id"] in decimals]
    title = "各项指标单独需要达到的实绩(其他指标不变)"

    def pick(rows: list[list[str]]) -> list[list[str]]:
        head, *body = rows
        return [[r[head.index("序号")], r[head.index("需达到")]] for r in body if r[head.index("序号")] in decimals]

    assert expected == [["1", "6.9"], ["2", "10"], ["11", "1.61"]]
    assert pick(csv_block(ok(*NEED, "--format", "csv"), title)) == expected
    assert pick(md_block(ok(*NEED, "--format", "md"), title)) == expected
    shown_rows = table_rows(ok(*NEED), list(decimals))
    assert [[r[0], r[5]] for r in shown_rows] == expected


def test_need_explain_shows_the_inverse_with_its_numbers_and_the_confirmation() -> None:
    out = ok(*NEED, "--explain")
    assert "计算过程" in out
    assert "a ≥ 7 − (1 − 0.9872) ÷ 0.1 = 6.8718" in out
    assert "复核:实绩 6.9 → 总分 99.49,第 4 名" in out and "实绩 6.8(少 1%,至少少一档)→ 总分 99.41,第 5 名" in out
    assert "计算过程" not in ok(*NEED)


def test_need_says_when_the_quota_not_the_band_blocks_the_grade() -> None:
    out = ok("need", str(EXAMPLE), "--district", "安吉")
    assert "「优秀」分数线为 90 分,但名额 2 个(6 个单位)已由长兴县(102.93)、德清县(101.82)获得" in out
    assert "达到 90 分还不够" in out and "须总分(四舍五入到 2 位小数)至少 101.83 分" in out


def test_need_for_a_department_names_the_rating_it_would_take() -> None:
    out = ok("need", str(EXAMPLE), "--department", "建设局")
    assert "部门评价" in out and "至少「优秀」,按 0–100 分评价须不低于 93 分" in out


def test_need_without_a_workbook_uses_the_ledgers_default_run_and_says_so() -> None:
    code, _, err = run("need", "--district", "吴兴", "--rank", "4")
    assert code == 2 and "还没有本计划的考核记录" in err
    ok("score", str(EXAMPLE))
    code, out, err = run("need", "--district", "吴兴", "--rank", "4", "--format", "json")
    assert code == 0 and "未指定工作簿" in err
    assert json.loads(out) == json.loads(ok(*NEED, "--format", "json"))


@pytest.mark.parametrize(("args", "message"), [
    (["--district", "全市"], "没有名为「全市」的县区"),
    (["--district", "吴兴", "--department", "科技局"], "二选一"),
    ([], "二选一"),
    (["--district", "吴兴", "--grade", "优秀", "--rank", "2"], "只能给一个"),
    (["--district", "吴兴", "--grade", "特优"], "没有「特优」这一等次"),
    (["--district", "吴兴", "--rank", "0"], "名次应在 1 到 6 之间"),
])
def test_need_bad_input_is_one_sentence_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = run("need", str(EXAMPLE), *args)
    assert code == 2 and message in err and out == "" and "Traceback" not in err


# ---------------------------------------------------------------- robustness


ROBUST = ["robustness", str(EXAMPLE), "--samples", "200", "--seed", "5"]


def test_robustness_json_is_the_library_result_and_the_same_for_the_same_seed() -> None:
    plan = load_plan()
    expected = robustness(plan, read_actuals(plan, EXAMPLE), samples=200, seed=5).to_json()
    out = ok(*ROBUST, "--format", "json")
    assert json.loads(out) == json.loads(json.dumps(expected, ensure_ascii=False))
    assert ok(*ROBUST, "--format", "json") == out
    doc = json.loads(out)
    assert doc["samples"] == 200 and doc["seed"] == 5 and doc["scenarios"] == 230
    assert set(doc["units"][0]) >= {"name", "group", "rank", "median", "q05", "q95", "grades", "verdict"}
    assert doc["fragile_pairs"] and set(doc["fragile_pairs"][0]) >= {"a", "b", "flip_rate"}


def test_robustness_rows_are_the_same_in_table_csv_md_and_json() -> None:
    doc = json.loads(ok(*ROBUST, "--format", "json"))
    districts = [u for u in doc["units"] if u["group"] == "县区"]
    expected = [[u["name"], f"{u['q05']}" if u["q05"] == u["q95"] else f"{u['q05']}–{u['q95']}", u["verdict"]]
                for u in districts]
    title = "名次区间和等次概率"

    def pick(rows: list[list[str]]) -> list[list[str]]:
        head, *body = rows
        return [[r[head.index("单位")], r[head.index("5%–95%名次")], r[head.index("判断")]] for r in body
                if r[head.index("组别")] == "县区"]

    assert pick(csv_block(ok(*ROBUST, "--format", "csv"), title)) == expected
    assert pick(md_block(ok(*ROBUST, "--format", "md"), title)) == expected
    shown = [r for r in table_rows(ok(*ROBUST), [u["name"] for u in districts], column=2) if len(r) > 4]
    assert [[r[2], r[4], r[-1]] for r in shown] == expected


def test_robustness_explain_states_the_design_and_every_parameter() -> None:
    out = ok(*ROBUST, "--explain")
    assert "随机种子 5" in out and "[0.75, 1.25]" in out and "[0.5, 1.5]" in out and "现为 0.025" in out
    assert "去掉一项指标的情景依次为第 1、2、3" in out and "不少于 90%" in out
    assert "不是对数据的统计置信度" in out
    assert "[0.75, 1.25]" not in ok(*ROBUST)


@pytest.mark.parametrize("samples", ["-1", "100001"])
def test_robustness_refuses_a_sample_count_out_of_range(samples: str) -> None:
    code, _, err = run("robustness", str(EXAMPLE), "--samples", samples)
    assert code == 2 and "--samples 应在 0 到 100000 之间" in err


# ---------------------------------------------------------------- report --robustness


def test_report_robustness_adds_a_sheet_to_the_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "排名.xlsx"
    code, _, err = run("report", str(EXAMPLE), "-o", str(out), "--robustness", "--no-record")
    assert code == 0, err
    wb = load_workbook(out)
    assert wb.sheetnames[-1] == "稳健性分析" and wb.sheetnames[:-1] == [
        "县区排名", "县区明细", "部门排名", "部门明细", "全市进展", "缺数据与警告", "说明"]
    ws = wb["稳健性分析"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "组别")
    plan = load_plan()
    expected = robustness(plan, read_actuals(plan, EXAMPLE))  # the report's design: 1,000 samples, seed 1
    names = [r[2] for r in rows[head + 1:head + 1 + len(expected.units)]]
    assert names == [u.name for u in expected.units]
    notes = [r[0] for r in rows[head + 1 + len(expected.units):] if r[0]]
    assert any("湖州开发区 与 吴兴区" in str(n) for n in notes) and any("随机种子 1" in str(n) for n in notes)
    # without the option the report is as it was
    plain = tmp_path / "plain.xlsx"
    assert run("report", str(EXAMPLE), "-o", str(plain), "--no-record")[0] == 0
    assert "稳健性分析" not in load_workbook(plain).sheetnames


def test_report_robustness_adds_an_html_section_with_an_svg_of_rank_intervals(tmp_path: Path) -> None:
    out = tmp_path / "排名.html"
    assert run("report", str(EXAMPLE), "-o", str(out), "--robustness", "--no-record")[0] == 0
    html = out.read_text(encoding="utf-8")
    appendix = html[html.index("附录:排名稳健性分析"):]
    assert appendix.count("<svg") == 4  # the districts and each department group
    assert "县区名次区间" in appendix and "<script" not in html.lower()
    plain = tmp_path / "plain.html"
    assert run("report", str(EXAMPLE), "-o", str(plain), "--no-record")[0] == 0
    assert "附录" not in plain.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["r.md", "r.csv", "r.json", "r.docx"])
def test_report_robustness_is_refused_for_other_formats(tmp_path: Path, name: str) -> None:
    code, _, err = run("report", str(EXAMPLE), "-o", str(tmp_path / name), "--robustness", "--no-record")
    assert code == 2 and "只能用于 .xlsx 或 .html" in err and not (tmp_path / name).exists()


def test_the_appendix_escapes_every_text() -> None:
    bad = "<img src=x onerror=alert(1)>"
    doc = Document("robustness", f"标题{bad}", blocks=[
        IntervalChart("intervals", f"图{bad}", [f"单位{bad}"], [1.0], median=[1.0], low=[1.0], high=[2.0], ranks=2),
        Table("units", f"表{bad}", [Column("name", f"列{bad}")], [[f"值{bad}"]], [""]),
        Text("design", [f"行{bad}"], title=f"段{bad}"),
    ])
    html = "\n".join(appendix_html(doc))
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 9  # the chart's title twice: drawn and aria-label
