"""The process around a command (hz_assess.__main__): GC off, and the quick way out only when nothing can be lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hz_assess.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"


def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-c", code] if code is not None else [sys.executable, "-m", "hz_assess", *args]
    # buffered, as stdout to a pipe or file is for users: what a quick exit could lose
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(argv, capture_output=True, env=env, timeout=120)


def test_a_command_prints_exactly_what_it_prints_in_process_and_exits_with_its_code() -> None:
    done = run("score", str(EXAMPLE), "--format", "json", "--no-record")
    inside = CliRunner().invoke(app, ["score", str(EXAMPLE), "--format", "json", "--no-record"])
    assert done.returncode == inside.exit_code == 0
    assert done.stdout.decode() == inside.stdout


def test_a_command_that_finds_problems_still_exits_1() -> None:
    done = run("check")  # the bundled plan has known inconsistencies (SPEC: check exits 1 then)
    assert done.returncode == 1
    assert done.stdout


def test_a_usage_error_exits_2_the_ordinary_way() -> None:
    done = run("score", "--bogus")
    assert done.returncode == 2
    assert "没有这个选项" in done.stderr.decode()


def test_the_ledger_record_is_committed_before_the_process_ends(tmp_path: Path) -> None:
    done = run("score", str(EXAMPLE))
    assert done.returncode == 0
    history = run("history", "--format", "json")
    assert '"command": "score"' in history.stdout.decode()


def test_the_quick_exit_flushes_every_buffered_byte_and_runs_atexit_functions() -> None:
    code = (
        "import atexit, sys\n"
        "from hz_assess.__main__ import finish\n"
        "atexit.register(lambda: sys.stdout.write('[atexit]'))\n"
        "sys.stdout.write('x' * 100000)\n"
        "sys.stderr.write('msg')\n"
        "finish(1)\n"
    )
    done = run(code=code)
    assert done.returncode == 1
    assert done.stdout == b"x" * 100000 + b"[atexit]"
    assert done.stderr == b"msg"


def test_with_another_thread_running_the_interpreter_waits_for_it() -> None:
    code = (
        "import threading, time, sys\n"
        "from hz_assess.__main__ import finish\n"
        "t = threading.Thread(target=lambda: (time.sleep(0.2), sys.stdout.write('thread done')))\n"
        "t.start()\n"
        "finish(0)\n"
    )
    done = run(code=code)
    assert done.returncode == 0
    assert done.stdout == b"thread done"


def test_a_failed_flush_is_reported_by_the_interpreter_as_before() -> None:
    # stdout closed by the reader: the ordinary shutdown reports it and exits 120
    code = (
        "import os, sys\n"
        "from hz_assess.__main__ import finish\n"
        "r, w = os.pipe(); os.close(r); os.dup2(w, 1)\n"
        "sys.stdout.write('x' * 10)\n"
        "finish(0)\n"
    )
    done = run(code=code)
    assert done.returncode == 120
    assert b"BrokenPipeError" in done.stderr


def test_only_the_command_the_line_names_is_built_and_it_prints_the_same(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import typer.main

    built: list[object] = []
    original = typer.main.get_command_from_info

    def counting(*args: object, **kwargs: object) -> object:
        built.append(kwargs.get("command_info"))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    registered = list(app.registered_commands)
    assert app(["targets", "--format", "json"], prog_name="hz-assess", standalone_mode=False) is None
    assert len(built) == 1 and app.registered_commands == registered
    lazily = capsys.readouterr().out
    assert lazily == CliRunner().invoke(app, ["targets", "--format", "json"]).stdout
    built.clear()
    app(["--help"], prog_name="hz-assess", standalone_mode=False)
    assert len(built) == len(registered)  # help lists every command
    built.clear()
    app(["--debug", "check"], prog_name="hz-assess", standalone_mode=False)
    assert len(built) == len(registered)  # not the first argument: everything, as typer does


MODULES_AFTER = (
    "import sys\n"
    "from hz_assess.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
)


def modules_after(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", MODULES_AFTER, *args], capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return set(done.stderr.decode().rpartition("MODULES ")[2].split())


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_text_formats_import_neither_rich_nor_openpyxl_nor_yaml_once_the_plan_is_cached(fmt: str) -> None:
    run("score", str(EXAMPLE), "--format", fmt, "--no-record")  # the first run caches the plan
    loaded = modules_after("score", str(EXAMPLE), "--format", fmt, "--no-record")
    assert "hz_assess.scoring" in loaded  # it did score
    assert not {m for m in loaded if m.split(".")[0] in ("rich", "openpyxl", "yaml", "docx", "lxml")}


def test_the_table_imports_only_rich_s_cell_widths() -> None:
    loaded = modules_after("score", str(EXAMPLE), "--no-record")  # piped: no terminal to style
    assert "rich.cells" in loaded
    assert not {"rich.console", "rich.table", "rich.text", "openpyxl"} & loaded


def test_help_imports_no_pydantic_model_and_no_rich() -> None:
    loaded = modules_after("--help")
    assert not {m for m in loaded if m.split(".")[0] == "rich" or m == "hz_assess.models"}


def test_a_message_on_a_terminal_is_wrapped_to_its_width_without_cutting_a_number(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from hz_assess import cli

    message = ("注意:计划自身:第19行「新增多层次资本市场挂牌上市企业」:各县区目标合计 5+4+10+8+4+3 = 34,"
               "与全市目标 35 不一致(相差 1)")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    cli._say(message)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(cli_width(x) <= 80 for x in lines)
    assert any("5+4+10+8+4+3 = 34" in x for x in lines)
    assert "".join(lines).replace(" ", "") == message.replace(" ", "")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # piped: as it was
    cli._say(message)
    assert capsys.readouterr().err == message + "\n"


def cli_width(text: str) -> int:
    from hz_assess.clizh import display_width

    return display_width(text)


def test_a_long_output_line_on_a_terminal_wraps_with_its_later_lines_indented(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from hz_assess import cli

    line = ("警告 [fractional_count] 实绩_2017Q1.xlsx 县区实绩!E10:全市 第6项「引进工业“大好高”项目个数」 "
            "实绩为 37.4个,不是整数;计数指标应为整数,请核对是否填成了比例或多了小数")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    cli._line(line)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(cli_width(x) <= 80 for x in lines)
    assert lines[0].startswith("警告") and all(x.startswith("  ") and not x.startswith("   ") for x in lines[1:])
    assert any("37.4个," in x for x in lines)
