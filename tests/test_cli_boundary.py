"""The error boundary of the command line: exit codes 2 and 3, --debug, pipes and signals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hz_assess import scoring
from hz_assess.cli import BUG_MESSAGE, app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug in the scoring")


def test_a_bug_is_exit_3_with_one_chinese_sentence_and_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "score", _boom)
    result = CliRunner().invoke(app, ["score", str(EXAMPLE), "--no-record"])
    assert result.exit_code == 3
    assert result.stderr.strip() == BUG_MESSAGE and "内部错误" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_debug_shows_the_bug_and_does_not_leak_into_the_next_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "score", _boom)
    runner = CliRunner()
    debug = runner.invoke(app, ["--debug", "score", str(EXAMPLE), "--no-record"])
    assert isinstance(debug.exception, RuntimeError)  # raised, so python prints the traceback
    assert os.environ.get("HZ_ASSESS_DEBUG") is None
    again = runner.invoke(app, ["score", str(EXAMPLE), "--no-record"])
    assert again.exit_code == 3 and BUG_MESSAGE in again.stderr


def test_gaps_for_a_department_the_recorded_run_does_not_have_is_exit_2(tmp_path: Path) -> None:
    from hz_assess.plan import bundled_path

    runner = CliRunner()
    assert runner.invoke(app, ["score", str(EXAMPLE)]).exit_code == 0  # recorded with the bundled plan
    deps = tmp_path / "departments.yaml"
    text = bundled_path("departments.yaml").read_text(encoding="utf-8")
    deps.write_text(text + '  - id: "29"\n    name: 市新设局\n    duty: "新设部门。"\n', encoding="utf-8")
    result = runner.invoke(app, ["gaps", "--department", "市新设局", "--departments", str(deps)])
    assert result.exit_code == 2, result.stderr
    assert "市新设局" in result.stderr and "部门责任文件与当前的不同" in result.stderr


def test_a_reader_that_stops_early_neither_loses_the_record_nor_sees_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "HZ_ASSESS_HOME": str(tmp_path)}
    shell = f"{sys.executable} -m hz_assess score {EXAMPLE} --detail | head -1"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, env=env, timeout=60, check=False)
    assert done.stdout.decode().startswith("2017年湖州市工业强市建设推进计划")
    assert b"Traceback" not in done.stderr and "内部错误" not in done.stderr.decode()
    history = subprocess.run([sys.executable, "-m", "hz_assess", "history", "--format", "json"], env=env,
                             capture_output=True, timeout=60, check=False)
    assert '"command": "score"' in history.stdout.decode()
