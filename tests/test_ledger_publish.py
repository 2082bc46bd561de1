"""定稿 (publish) and the commands that default to the published run: gaps and trend without a file.

An office publishes one run per period; a later trial run must not silently replace it,
and every command that picks a run for the user says which one and why.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest

from _ledger import cli, record, sql
from hz_assess.errors import LedgerError
from hz_assess.ledger import Ledger, beijing, beijing_text, ledger_path
from hz_assess.models import Assessment, Plan

# ---------------------------------------------------------------- publishing


def test_publish_marks_the_run_official_and_history_and_show_say_so(plan: Plan) -> None:
    record(plan, "2017Q4")
    record(plan, "2017Q4")
    code, _, err = cli("publish", "1", "--note", "经领导小组审定")
    assert code == 0 and "已将第 1 号记录定为 2017Q4 期的正式结果(定稿)" in err and "经领导小组审定" in err
    runs = json.loads(cli("history", "--format", "json")[1])["runs"]
    assert [r["published"] for r in runs] == [True, False]
    assert runs[0]["publications"][0]["note"] == "经领导小组审定"
    _, table, _ = cli("history", "--format", "csv")
    rows = [line.split(",") for line in table.splitlines()[1:]]
    assert [row[4] for row in rows] == ["定稿", ""]
    _, _, err = cli("show", "1", "--format", "json")
    assert "该记录是 2017Q4 期的定稿" in err and "经领导小组审定" in err
    _, _, err = cli("show", "2", "--format", "json")
    assert "该记录未定稿;2017Q4 期的定稿是第 1 号记录" in err


def test_second_publish_without_force_is_refused(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017")
    assert cli("publish", "1")[0] == 0
    code, out, err = cli("publish", "2")
    assert code == 2 and "Traceback" not in out + err
    assert "2017 期已有定稿:第 1 号记录" in err and "--force" in err and "--note" in err
    assert [r.publication is not None for r in Ledger().runs()] == [True, False]


def test_second_publish_with_force_but_no_note_is_refused(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017")
    cli("publish", "1")
    code, _, err = cli("publish", "2", "--force")
    assert code == 2 and "须用 --note 说明原因" in err
    assert [r.publication is not None for r in Ledger().runs()] == [True, False]


def test_second_publish_with_force_and_a_note_keeps_both_in_the_ledger(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017", {("南浔区", "12"): 90})
    cli("publish", "1")
    code, _, err = cli("publish", "2", "--force", "--note", "南浔区更正了第12项数据")
    assert code == 0
    assert "原定稿第 1 号记录已标记为被取代,原因:南浔区更正了第12项数据" in err
    first, second = json.loads(cli("history", "--format", "json")[1])["runs"]
    assert first["published"] is False and second["published"] is True
    (old,) = first["publications"]
    assert old["superseded_by_run"] == 2 and old["superseded_note"] == "南浔区更正了第12项数据"
    assert old["superseded_time"] is not None
    assert second["publications"][0]["note"] == "南浔区更正了第12项数据"
    _, table, _ = cli("history", "--format", "csv")
    assert [line.split(",")[4] for line in table.splitlines()[1:]] == ["已被第 2 号取代", "定稿"]
    _, _, err = cli("show", "1", "--format", "json")
    assert "该记录曾是 2017 期的定稿" in err and "被第 2 号记录取代,原因:南浔区更正了第12项数据" in err


def test_publishing_the_published_run_again_changes_nothing(plan: Plan) -> None:
    record(plan, "2017")
    cli("publish", "1")
    code, _, err = cli("publish", "1")
    assert code == 0 and "已是 2017 期的定稿" in err
    assert len(Ledger().runs()[0].publications) == 1


def test_each_period_has_its_own_publication(plan: Plan) -> None:
    record(plan, "2017Q1")
    record(plan, "2017Q2")
    assert cli("publish", "1")[0] == 0 and cli("publish", "2")[0] == 0
    assert [r.publication is not None for r in Ledger().runs()] == [True, True]


def test_a_provisional_run_can_be_published_with_a_warning(plan: Plan) -> None:
    record(plan, "2017", {("长兴县", "12"): None})
    code, _, err = cli("publish", "1")
    assert code == 0 and "暂定结果" in err


def test_publish_without_a_ledger_creates_none(plan: Plan) -> None:
    code, _, err = cli("publish", "1")
    assert code == 2 and "没有第 1 号记录" in err and not ledger_path().exists()


def test_publish_of_an_unknown_or_huge_run_exits_2(plan: Plan) -> None:
    record(plan, "2017")
    for run_id in ("7", "0", "99999999999999999999"):
        code, out, err = cli("publish", run_id)
        assert code == 2 and f"没有第 {run_id} 号记录" in err and "Traceback" not in out + err


def test_one_standing_publication_per_period_is_enforced_by_the_ledger_itself(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017")
    cli("publish", "1")
    with pytest.raises(sqlite3.IntegrityError):
        sql("INSERT INTO publications (run_id, plan_id, period, time, note) "
            "SELECT 2, plan_id, period, time, '' FROM publications")


# ---------------------------------------------------------------- defaults that prefer the 定稿


def test_publish_then_a_trial_run_gaps_still_uses_the_published_run_and_says_so(plan: Plan) -> None:
    record(plan, "2017", {("长兴县", "12"): 400}, path="/data/年报_定稿.xlsx")
    cli("publish", "1")
    record(plan, "2017", path="/data/试算.xlsx")  # a trial: every target met
    code, out, err = cli("gaps", "--district", "长兴", "--format", "json")
    assert code == 0
    assert [g["id"] for g in json.loads(out)["shortfalls"]] == ["12"]  # 400 of 500: the published data
    assert "使用 2017 期的定稿:第 1 号记录" in err and "年报_定稿.xlsx" in err
    assert "该期在定稿之后还有 1 次试算(第 2 号记录),未采用" in err


def test_publish_then_a_trial_run_trend_still_uses_the_published_run_and_says_so(plan: Plan) -> None:
    record(plan, "2017Q1", {("长兴县", "12"): 100})
    cli("publish", "1")
    record(plan, "2017Q1", {("长兴县", "12"): 130})  # trial, not published
    record(plan, "2017Q2", {("长兴县", "12"): 260})  # no publication yet: its latest run
    code, out, err = cli("trend", "--district", "长兴县", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["runs"] == {"2017Q1": 1, "2017Q2": 3}
    assert doc["published"] == {"2017Q1": True, "2017Q2": False}
    row12 = next(r for r in doc["indicators"] if r["id"] == "12")
    assert row12["values"] == {"2017Q1": 100, "2017Q2": 260}
    assert "2017Q1 第 1 号(定稿;其后的试算第 2 号未采用)" in err
    assert "2017Q2 第 3 号(最新记录,未定稿)" in err


def test_without_a_publication_the_latest_run_is_used_and_that_is_said(plan: Plan) -> None:
    record(plan, "2017Q2")
    record(plan, "2017Q2", path="/data/二季度_更正.xlsx")
    _, _, err = cli("gaps", "--district", "长兴县", "--format", "json")
    assert "使用最新一期(2017Q2)最新的记录:第 2 号记录" in err and "二季度_更正.xlsx" in err
    assert "该期尚未定稿(可用 hz-assess publish 2 定稿)" in err


def test_a_later_period_without_publication_is_used_and_the_earlier_publication_named(plan: Plan) -> None:
    record(plan, "2017Q1")
    cli("publish", "1")
    record(plan, "2017Q2")
    run, why = Ledger().default_run(plan.info.id)
    assert run.info.id == 2 and run.assessment.input.period == "2017Q2"
    assert "使用最新一期(2017Q2)最新的记录" in why and "较早的 2017Q1 期定稿为第 1 号记录" in why


def test_default_run_of_an_empty_ledger_says_to_score_first(plan: Plan) -> None:
    with pytest.raises(LedgerError, match="hz-assess score 实绩.xlsx"):
        Ledger().default_run(plan.info.id)


def test_gaps_says_when_the_plan_files_differ_from_the_runs(plan: Plan) -> None:
    record(plan, "2017")
    sql("UPDATE runs SET departments_sha256 = 'd0'")
    _, _, err = cli("gaps", "--district", "长兴县", "--format", "json")
    assert "第 1 号记录所用的部门责任文件与当前的不同" in err
    sql("UPDATE runs SET plan_sha256 = 'p0'")
    _, _, err = cli("gaps", "--district", "长兴县", "--format", "json")
    assert "第 1 号记录所用的目标任务文件和部门责任文件都与当前的不同" in err
    sql("UPDATE runs SET departments_sha256 = ?", (plan.departments_sha256,))
    _, _, err = cli("trend", "--district", "长兴县", "--format", "json")
    assert "第 1 号记录所用的目标任务文件与当前的不同" in err


def test_same_plan_files_give_no_plan_warning(plan: Plan) -> None:
    record(plan, "2017")
    _, _, err = cli("gaps", "--district", "长兴县", "--format", "json")
    assert "与当前的不同" not in err


def _without(district: str = "", department: str = "") -> Callable[[Assessment], None]:
    def edit(a: Assessment) -> None:
        a.districts = [d for d in a.districts if d.name != district]
        a.departments = [d for d in a.departments if d.name != department]
    return edit


def test_gaps_for_a_unit_missing_from_the_recorded_run_is_a_clean_error(plan: Plan) -> None:
    # a run recorded under a plan that had no 长兴县 and no 市科技局
    record(plan, "2017", edit=_without("长兴县", "市科技局"))
    code, out, err = cli("gaps", "--district", "长兴", "--format", "json")
    assert code == 2 and "第 1 号记录中没有「长兴县」的结果" in err and "Traceback" not in out + err
    code, out, err = cli("gaps", "--department", "市科技局")
    assert code == 2 and "第 1 号记录中没有「市科技局」的结果" in err
    code, out, err = cli("trend", "--district", "长兴县")
    assert code == 2 and "都没有「长兴县」的结果" in err


# ---------------------------------------------------------------- Beijing time


def test_beijing_time_is_utc_plus_eight_across_midnight() -> None:
    assert beijing("2017-12-31T20:05:00+00:00") == "2018-01-01 04:05:00"
    assert beijing_text("2017-12-31T08:05:00+00:00") == "2017-12-31 16:05:00(北京时间)"


def test_times_are_shown_in_beijing_time_and_stored_in_utc(plan: Plan) -> None:
    record(plan, "2017")
    record(plan, "2017", {("长兴县", "12"): 400})
    sql("UPDATE runs SET time = '2017-12-31T08:05:00+00:00' WHERE id = 1")
    sql("UPDATE runs SET time = '2018-01-02T01:30:00+00:00' WHERE id = 2")
    _, table, _ = cli("history")
    assert "2017-12-31 16:05:00" in table and "08:05" not in table and "UTC" not in table
    assert "时间(北京时间)" in table
    doc = json.loads(cli("history", "--format", "json")[1])["runs"][0]
    assert doc["time"] == "2017-12-31T08:05:00+00:00" and doc["time_beijing"] == "2017-12-31 16:05:00"
    _, _, err = cli("show", "1", "--format", "json")
    assert "记录于 2017-12-31 16:05:00(北京时间)" in err
    _, out, _ = cli("compare", "1", "2")
    assert "2017-12-31 16:05:00(北京时间)" in out and "2018-01-02 09:30:00(北京时间)" in out
    _, _, err = cli("gaps", "--district", "长兴县", "--format", "json")
    assert "记录于 2018-01-02 09:30:00(北京时间)" in err
