"""The assessment ledger (考核台账): every run recorded, parallel-safe, never in the way of scoring.

Also the commands that read it back: history, show, gaps without a file, trend.
Every test gets its own HZ_ASSESS_HOME, so nothing touches the real user folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from _builders import at_target, set_value
from conftest import run
from hz_assess import __version__
from hz_assess.errors import LedgerError
from hz_assess.ledger import (
    APPLICATION_ID,
    MIGRATIONS,
    Ledger,
    Output,
    Recording,
    home,
    ledger_path,
    period_order,
    record_run,
)
from hz_assess.models import Actuals, Assessment, Plan
from hz_assess.plan import load_plan
from hz_assess.scoring import score
from hz_assess.trend import direction
from hz_assess.workbook import write_template


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HZ_ASSESS_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    """A 2017Q1 template with two of 长兴县's cells filled in, the way a user would."""
    path = tmp_path_factory.mktemp("wb") / "实绩_2017Q1.xlsx"
    write_template(plan, path, "2017Q1")
    wb = openpyxl.load_workbook(path)
    ws = wb["县区实绩"]
    header = next(r for r in ws.iter_rows() if r[1].value == "序号")
    col = next(c.column for c in header if c.value == "长兴县")
    for row in ws.iter_rows(min_row=header[0].row + 1):
        if str(row[1].value) == "12":
            ws.cell(row=row[0].row, column=col, value=120)
        if str(row[1].value) == "1":
            ws.cell(row=row[0].row, column=col, value=6.5)
    wb.save(path)
    return path


def record(plan: Plan, period: str, values: dict[tuple[str, str], float | str] | None = None,
           path: str = "") -> int:
    """Score Python-built actuals (every actual at its annual target, then `values`) and record them."""
    actuals = at_target(plan, period)
    actuals.path = path or f"/data/实绩_{period}.xlsx"
    for (unit, ind), value in (values or {}).items():
        set_value(actuals, unit, ind, value)
    done = record_run(score(plan, actuals), actuals, "score")
    assert done.message is None and done.run_id is not None
    return done.run_id


# ---------------------------------------------------------------- recording


def test_each_score_run_is_recorded_with_plan_input_actuals_and_results(plan: Plan, workbook: Path) -> None:
    code, out, err = run("score", str(workbook), "--format", "json")
    assert code == 0 and "第 1 号记录" in err
    (info,) = Ledger().runs()
    assert info.command == "score" and info.period == "2017Q1" and info.tool_version == __version__
    (given,) = info.inputs
    assert given.path == str(workbook.resolve())
    assert given.sha256 == hashlib.sha256(workbook.read_bytes()).hexdigest()
    assert info.plan_sha256 == plan.targets_sha256 and info.plan_path == plan.targets_path
    assert info.time.endswith("+00:00")
    recorded = Ledger().run(info.id)
    assert recorded.actuals.units["长兴县"]["12"].value == 120
    assert recorded.assessment.model_dump(mode="json") == json.loads(out)


def test_every_run_is_a_new_record(plan: Plan, workbook: Path) -> None:
    for _ in range(3):
        assert run("score", str(workbook), "--format", "json")[0] == 0
    assert [r.id for r in Ledger().runs()] == [1, 2, 3]


def test_no_record_leaves_the_ledger_alone(workbook: Path) -> None:
    code, _, err = run("score", str(workbook), "--no-record", "--format", "json")
    assert code == 0 and "台账" not in err
    assert not ledger_path().exists()


def test_twelve_parallel_runs_are_all_recorded(plan: Plan, tmp_path: Path) -> None:
    # separate processes racing on a ledger that does not exist yet: creation,
    # migration and inserts all contend for the same file
    actuals = at_target(plan, "2017Q2")
    a_file, x_file = tmp_path / "a.json", tmp_path / "x.json"
    a_file.write_text(score(plan, actuals).model_dump_json(), encoding="utf-8")
    x_file.write_text(actuals.model_dump_json(), encoding="utf-8")
    script = (
        "import sys; from pathlib import Path\n"
        "from hz_assess.ledger import record_run\n"
        "from hz_assess.models import Actuals, Assessment\n"
        "a = Assessment.model_validate_json(Path(sys.argv[1]).read_text('utf-8'))\n"
        "x = Actuals.model_validate_json(Path(sys.argv[2]).read_text('utf-8'))\n"
        "done = record_run(a, x, 'score')\n"
        "print(done.run_id if done.message is None else done.message)\n"
        "sys.exit(0 if done.message is None else 1)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(a_file), str(x_file)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
        for _ in range(12)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert all(code == 0 for code, _, _ in results), results
    assert sorted(int(out) for _, out, _ in results) == list(range(1, 13))
    assert len(Ledger().runs()) == 12


def test_ledger_is_versioned_marked_as_ours_and_in_wal_mode(plan: Plan) -> None:
    record(plan, "2017Q1")
    with sqlite3.connect(ledger_path()) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_ledger_from_a_newer_version_is_refused_not_misread(plan: Plan) -> None:
    record(plan, "2017Q1")
    conn = sqlite3.connect(ledger_path())
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(LedgerError, match="升级 hz-assess"):
        Ledger().runs()


def test_ledger_lives_in_the_platforms_user_data_folder_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("HZ_ASSESS_HOME")
    assert home() == Path(platformdirs.user_data_dir("hz-assess", appauthor=False))
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        assert home() == tmp_path / "xdg" / "hz-assess"


def test_hz_assess_home_overrides_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HZ_ASSESS_HOME", str(tmp_path / "台账"))
    assert ledger_path() == tmp_path / "台账" / "ledger.sqlite3"


def test_platformdirs_is_imported_only_when_the_ledger_folder_is_needed() -> None:
    code = (
        "import sys, hz_assess.cli, hz_assess.ledger; before = 'platformdirs' in sys.modules; "
        "import os; os.environ.pop('HZ_ASSESS_HOME', None); hz_assess.ledger.home(); "
        "print(before, 'platformdirs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_period_order_puts_year_end_above_the_quarters() -> None:
    ordered = ["2017Q1", "2017Q2", "2017Q3", "2017Q4", "2017", "2018Q1"]
    assert sorted(reversed(ordered), key=period_order) == ordered


# ---------------------------------------------------------------- a broken ledger


def test_corrupt_ledger_does_not_stop_score(workbook: Path) -> None:
    ledger_path().parent.mkdir(parents=True)
    junk = os.urandom(4096)
    ledger_path().write_bytes(junk)
    code, out, err = run("score", str(workbook), "--format", "json")
    assert code == 0
    assert json.loads(out)["input"]["period"] == "2017Q1"
    skipped = [line for line in err.splitlines() if "未记入考核台账" in line]
    assert len(skipped) == 1 and str(ledger_path()) in skipped[0]
    assert ledger_path().read_bytes() == junk  # never "repaired" behind the user's back


def test_a_folder_where_the_ledger_should_be_does_not_stop_score(workbook: Path) -> None:
    ledger_path().mkdir(parents=True)
    code, out, err = run("score", str(workbook))
    assert code == 0 and "县区排名" in out
    assert "未记入考核台账" in err and "文件夹" in err


def test_reading_a_corrupt_ledger_exits_2_naming_the_file() -> None:
    ledger_path().parent.mkdir(parents=True)
    ledger_path().write_bytes(b"not a database" * 100)
    for args in (["history"], ["show", "1"], ["gaps", "--district", "长兴"], ["trend", "--district", "长兴"]):
        code, out, err = run(*args)
        assert code == 2, args
        assert str(ledger_path()) in err and "Traceback" not in err + out


# ---------------------------------------------------------------- history and show


def test_history_lists_runs_as_json(plan: Plan) -> None:
    record(plan, "2017Q1")
    record(plan, "2017Q2", {("长兴县", "1"): 20})
    code, out, _ = run("history", "--format", "json")
    assert code == 0
    runs = json.loads(out)["runs"]
    assert [r["id"] for r in runs] == [1, 2] and [r["period"] for r in runs] == ["2017Q1", "2017Q2"]
    assert {"id", "time", "time_beijing", "command", "inputs", "outputs", "period", "plan_sha256",
            "departments_sha256", "tool_version", "summary", "published", "publications"} <= set(runs[0])
    assert runs[0]["inputs"] == [{"path": "/data/实绩_2017Q1.xlsx", "sha256": "0" * 64}]
    assert runs[1]["summary"].startswith("第一名 长兴县")


def test_history_of_an_empty_ledger_says_how_to_fill_it() -> None:
    code, out, err = run("history")
    assert code == 0 and "hz-assess score" in err


def test_show_prints_a_recorded_run_exactly_as_score_did(workbook: Path) -> None:
    _, scored, _ = run("score", str(workbook), "--format", "json")
    code, shown, err = run("show", "1", "--format", "json")
    assert code == 0 and shown == scored and "第 1 号记录" in err
    _, table, _ = run("show", "1", "--by", "district")
    assert "县区排名" in table and "2017Q1 季度督查" in table


def test_show_unknown_run_exits_2() -> None:
    code, _, err = run("show", "7")
    assert code == 2 and "第 7 号记录" in err and "hz-assess history" in err


# ---------------------------------------------------------------- gaps without a file


def test_gaps_without_a_file_uses_the_latest_period_then_the_latest_run(plan: Plan) -> None:
    record(plan, "2017Q2", {("长兴县", "12"): 100}, path="/data/二季度.xlsx")
    record(plan, "2017Q1", path="/data/一季度.xlsx")  # recorded later, but an earlier period
    code, out, err = run("gaps", "--district", "长兴", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["unit"] == "长兴县" and doc["input"]["period"] == "2017Q2"
    assert [g["id"] for g in doc["shortfalls"]] == ["12"]  # 100 of 250 (500 × 2/4)
    assert "第 1 号记录" in err and "二季度.xlsx" in err
    record(plan, "2017Q2", path="/data/二季度_更正.xlsx")
    _, out, err = run("gaps", "--district", "长兴县", "--format", "json")
    assert json.loads(out)["shortfalls"] == [] and "二季度_更正.xlsx" in err
    record(plan, "2017", {("长兴县", "12"): 400}, path="/data/年报.xlsx")
    _, out, err = run("gaps", "--district", "长兴县", "--format", "json")
    assert json.loads(out)["input"]["period"] == "2017" and "年报.xlsx" in err


def test_gaps_without_a_file_or_any_record_says_to_score_first() -> None:
    code, out, err = run("gaps", "--district", "长兴县")
    assert code == 2 and "hz-assess score 实绩.xlsx" in err and "Traceback" not in err + out


def test_gaps_with_a_file_still_reads_the_file(workbook: Path) -> None:
    code, out, _ = run("gaps", str(workbook), "--district", "长兴县", "--format", "json")
    assert code == 0 and json.loads(out)["input"]["files"][0]["path"].endswith("实绩_2017Q1.xlsx")
    assert not ledger_path().exists()  # gaps reads; only score and report record


# ---------------------------------------------------------------- trend


def test_trend_across_four_quarterly_runs(plan: Plan) -> None:
    # 长兴县 row 12 (500 亿元 a year, accumulating) and row 1 (7%, a rate)
    for period, r12, r1 in (("2017Q1", 100, 6), ("2017Q2", 200, 6.5), ("2017Q3", 360, 7), ("2017Q4", 480, 7)):
        record(plan, period, {("长兴县", "12"): r12, ("长兴县", "1"): r1})
    corrected = record(plan, "2017Q2", {("长兴县", "12"): 260, ("长兴县", "1"): 6.5})
    code, out, _ = run("trend", "--district", "长兴", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["unit"] == "长兴县" and doc["periods"] == ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]
    assert doc["runs"]["2017Q2"] == corrected  # the latest run of each period
    rows = {r["id"]: r for r in doc["indicators"]}
    r12 = rows["12"]
    assert r12["target"] == 500 and r12["unit"] == "亿元"
    assert r12["values"] == {"2017Q1": 100, "2017Q2": 260, "2017Q3": 360, "2017Q4": 480}
    assert r12["direction"] == "上升" and r12["on_track"] is False  # 480 < 500 × 4/4
    assert rows["1"]["direction"] == "持平" and rows["1"]["on_track"] is True  # 7 ≥ 7
    assert rows["25"]["on_track"] is None  # qualitative: rated at year end only
    assert "7" not in rows  # not assessed for 长兴县


def test_trend_is_on_track_when_the_time_share_is_met(plan: Plan) -> None:
    # Q2: 260 ≥ 500 × 2/4 = 250 → on track, even though far from the annual 500
    record(plan, "2017Q1", {("长兴县", "12"): 130})
    record(plan, "2017Q2", {("长兴县", "12"): 260, ("长兴县", "18"): 7})
    rows = {r["id"]: r for r in json.loads(run("trend", "-d", "长兴县", "--format", "json")[1])["indicators"]}
    assert rows["12"]["on_track"] is True and rows["12"]["as_of"] == "2017Q2"
    assert rows["18"]["on_track"] is False  # 7 < 33 × 2/4 = 16.5
    assert rows["17"]["on_track"] is None  # 高新技术企业认定 is judged at the year end only


def test_trend_includes_the_year_end(plan: Plan) -> None:
    record(plan, "2017Q4", {("长兴县", "12"): 480})
    record(plan, "2017", {("长兴县", "12"): 520, ("长兴县", "25"): "完成"})
    code, out, _ = run("trend", "-d", "长兴县", "--format", "csv")
    assert code == 0
    header, *lines = out.splitlines()
    assert header.lstrip("\ufeff").startswith("序号,指标,单位,全年目标,2017Q4,2017,走势,进度")
    row12 = next(line for line in lines if line.startswith("12,"))
    assert "480" in row12 and "520" in row12 and "上升" in row12 and "达到进度" in row12


def test_trend_without_records_exits_2() -> None:
    code, _, err = run("trend", "--district", "长兴县")
    assert code == 2 and "hz-assess score" in err


def test_trend_unknown_district_lists_the_valid_names(plan: Plan) -> None:
    record(plan, "2017Q1")
    code, _, err = run("trend", "--district", "西湖区")
    assert code == 2 and "湖州开发区" in err


def test_direction_compares_the_last_two_numbers() -> None:
    assert direction([1.0, 2.0, None]) == "上升"
    assert direction([3.0, 2.0]) == "下降"
    assert direction([2.0, 2.0]) == "持平"
    assert direction([2.0, None]) is None and direction(["完成", "完成"]) is None


def test_recorded_actuals_round_trip(plan: Plan) -> None:
    record(plan, "2017Q3", {("长兴县", "12"): 333.5})
    recorded = Ledger().run(1)
    assert isinstance(recorded.actuals, Actuals)
    assert recorded.actuals.units["长兴县"]["12"].value == 333.5
    assert recorded.assessment.input.period == "2017Q3"


def test_a_record_this_version_cannot_read_is_one_clear_sentence(plan: Plan) -> None:
    record(plan, "2017Q1")
    conn = sqlite3.connect(ledger_path())
    with conn:
        conn.execute("UPDATE runs SET assessment_json = '{\"districts\": 1}'")
    conn.close()
    code, out, err = run("show", "1")
    assert code == 2 and "第 1 号记录的内容无法读取" in err and "Traceback" not in err + out


def test_trend_of_the_city_includes_its_further_targets(plan: Plan) -> None:
    record(plan, "2017Q1")
    record(plan, "2017Q2")
    code, out, _ = run("trend", "--district", "全市", "--format", "json")
    ids = [r["id"] for r in json.loads(out)["indicators"]]
    assert code == 0 and ids[0] == "1" and "C01" in ids and "7" in ids


# ---------------------------------------------------------------- one record per report call


def _scored(plan: Plan, period: str = "2017", sha256: str = "0" * 64) -> tuple[Assessment, Actuals]:
    actuals = at_target(plan, period)
    actuals.path, actuals.sha256 = "/data/年报.xlsx", sha256
    return score(plan, actuals), actuals


def test_a_report_of_the_same_inputs_reuses_the_run_and_attaches_each_output(plan: Plan) -> None:
    a, x = _scored(plan)
    ledger = Ledger()
    first = ledger.record(a, x, "report", outputs=[Output("/out/考核结果.xlsx", "xlsx", "a" * 64)], reuse=True)
    second = ledger.record(a, x, "report", outputs=[Output("/out/考核结果.csv", "csv", "b" * 64)], reuse=True)
    assert first == Recording(1) and second == Recording(1, reused=True)
    (info,) = ledger.runs()
    assert [(o.path, o.format, o.sha256) for o in info.outputs] == [
        ("/out/考核结果.xlsx", "xlsx", "a" * 64), ("/out/考核结果.csv", "csv", "b" * 64)]
    _, lines = ledger.show(1)
    assert any(line.startswith("由此生成的报告:/out/考核结果.csv(csv,") and "北京时间" in line for line in lines)


def test_reuse_needs_the_same_inputs_plan_files_period_and_tool_version(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger()
    a, x = _scored(plan)
    assert ledger.record(a, x, "report", reuse=True).run_id == 1
    other_input = _scored(plan, sha256="1" * 64)
    other_period = _scored(plan, period="2017Q4")
    other_departments = _scored(plan)
    other_departments[0].plan.departments_sha256 = "d" * 64
    ids = [ledger.record(b, y, "report", reuse=True).run_id for b, y in (other_input, other_period, other_departments)]
    assert ids == [2, 3, 4]
    monkeypatch.setattr("hz_assess.ledger.store.__version__", "9.9.9")
    assert ledger.record(a, x, "report", reuse=True) == Recording(5)
    # the same content at another path is the same input: identity is the sha256
    moved = _scored(plan)
    moved[0].input.files[0].path = "/elsewhere/年报副本.xlsx"
    monkeypatch.undo()
    assert ledger.record(*moved, "report", reuse=True) == Recording(1, reused=True)


def test_reuse_prefers_the_published_run_of_those_inputs(plan: Plan) -> None:
    ledger = Ledger()
    a, x = _scored(plan)
    ledger.record(a, x, "score")
    ledger.record(a, x, "score")
    assert ledger.record(a, x, "report", reuse=True) == Recording(2, reused=True)  # the latest
    ledger.publish(1)
    assert ledger.record(a, x, "report", reuse=True) == Recording(1, reused=True)  # its 定稿


def test_score_runs_are_never_merged(plan: Plan) -> None:
    a, x = _scored(plan)
    assert [Ledger().record(a, x, "score").run_id for _ in range(2)] == [1, 2]


def test_attach_output_adds_a_report_to_an_existing_run(plan: Plan, tmp_path: Path) -> None:
    a, x = _scored(plan)
    Ledger().record(a, x, "score")
    report = tmp_path / "通报.md"
    report.write_text("# 考核结果\n", encoding="utf-8")
    Ledger().attach_output(1, Output.of(report, "md"))
    (out,) = Ledger().runs()[0].outputs
    assert out.path == str(report.resolve()) and out.format == "md"
    assert out.sha256 == hashlib.sha256(report.read_bytes()).hexdigest()
    with pytest.raises(LedgerError, match="没有第 2 号记录"):
        Ledger().attach_output(2, Output.of(report, "md"))


def test_the_cli_record_helper_keeps_one_record_per_report_call(
    plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hz_assess import cli

    a, x = _scored(plan)
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"考核结果.{fmt}"
        out.write_bytes(fmt.encode())
        cli._record(a, x, "report", outputs=[(out, fmt)], reuse=True)
    err = capsys.readouterr().err
    assert "已记入考核台账:第 1 号记录" in err and "输入与考核台账第 1 号记录完全相同,未新增记录" in err
    (info,) = Ledger().runs()
    assert [o.format for o in info.outputs] == ["xlsx", "csv"]


def test_a_re_exported_report_is_attached_and_a_ledger_problem_is_only_a_message(
    plan: Plan, tmp_path: Path
) -> None:
    from hz_assess.ledger import attach_run_output

    a, x = _scored(plan)
    Ledger().record(a, x, "score")
    report = tmp_path / "考核结果.json"
    report.write_text("{}", encoding="utf-8")
    assert attach_run_output(1, report, "json") is None
    assert [o.format for o in Ledger().runs()[0].outputs] == ["json"]
    message = attach_run_output(5, report, "json")
    assert message is not None and "报告已写入" in message and "没有第 5 号记录" in message


def test_a_home_that_cannot_be_resolved_does_not_stop_score(monkeypatch: pytest.MonkeyPatch, workbook: Path) -> None:
    monkeypatch.setenv("HZ_ASSESS_HOME", "~no-such-user-hz/台账")
    code, out, err = run("score", str(workbook), "--format", "json")
    assert code == 0 and json.loads(out)["input"]["period"] == "2017Q1"
    assert "未记入考核台账" in err and "HZ_ASSESS_HOME" in err
