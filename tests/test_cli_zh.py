"""The command line as a Chinese-speaking official meets it: help, -h, examples, usage
errors, rule names, and output that survives a GBK console or redirect."""

from __future__ import annotations

import codecs
import glob
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from hz_assess.cli import app
from hz_assess.clizh import ZhTyper, display_width, wrap
from hz_assess.labels import RULE_NAMES
from hz_assess.streams import ERROR_HANDLER, LOOKALIKES, protect, register_handler

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "actuals_2017.xlsx"

# What typer/click print in English when nothing is translated (typer/_click/*.py, typer/core.py).
ENGLISH = [
    "Usage", "Options", "Arguments", "Commands", "Show this message", "default", "required", "Error",
    "Try '", "Missing", "No such", "Invalid value", "Got unexpected", "Did you mean", "requires an argument",
    "does not take a value", "Aborted", "<str>", "<path>", "<int>",
]

GROUP = get_command(app)
COMMANDS = GROUP.list_commands(GROUP.context_class(GROUP))


def run(args: list[str], **extra: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, **extra)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word.lower() in text.lower()]


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS]], ids=lambda c: c[0] if c else "app")
def test_help_and_h_print_the_same_chinese_page(command: list[str]) -> None:
    code, out, err = run([*command, "--help"])
    assert code == 0 and err == ""
    assert run([*command, "-h"]) == (0, out, "")
    assert english_in(out) == []
    assert out.startswith(f"用法: {' '.join(['hz-assess', *command])} [选项]")
    assert "\n选项:\n" in out and "-h, --help" in out and "显示本帮助并退出。" in out


@pytest.mark.parametrize("name", COMMANDS)
def test_help_fits_80_columns(name: str) -> None:
    _, out, _ = run([name, "-h"])
    assert max(display_width(line) for line in out.splitlines()) <= 80


def test_group_help_lists_every_command_with_its_first_sentence() -> None:
    _, out, _ = run(["-h"])
    assert "\n命令:\n" in out
    for name in COMMANDS:
        assert re.search(rf"^  {name} +\S", out, re.M), name
    # the first sentence only: check's help goes on to its exit code
    assert "检查计划自身是否一致" in out and "退出码为 1" not in out


def test_no_arguments_prints_the_chinese_help_on_stderr() -> None:
    code, out, err = run([])
    assert code == 2 and out == ""
    assert err.startswith("用法: hz-assess") and english_in(err) == []


def test_option_help_marks_default_and_required_in_chinese() -> None:
    _, out, _ = run(["explain", "-h"])
    assert re.search(r"-i, --indicator <文本> +指标序号.*\[必填\]", out)
    assert re.search(r"\[默认: table\]", out)
    assert re.search(r"^  实绩.xlsx... +填好的实绩工作簿\(\.xlsx\);可给多份", out, re.M)
    assert re.search(r"合并后计算。  \[必填\]$", out, re.M)


def _examples(help_text: str) -> list[str]:
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("示例"))
    out = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        out.append(line.strip())
    return out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_shows_examples_that_parse(name: str) -> None:
    # at the narrowest help width, so the examples must have escaped rewrapping
    _, out, _ = run([name, "-h"], terminal_width=50)
    examples = _examples(out)
    assert 1 <= len(examples) <= 2
    for example in examples:
        words = shlex.split(example.partition(" > ")[0])
        assert words[:2] == ["hz-assess", name], example
        root = GROUP.make_context("hz-assess", [name])
        command = GROUP.get_command(root, name)
        assert command is not None
        command.make_context(name, words[2:], parent=root)  # raises if the example is not a valid call


def test_app_help_shows_the_workflow_examples() -> None:
    _, out, _ = run(["-h"], terminal_width=50)
    assert _examples(out) == [
        "hz-assess template 实绩.xlsx", "hz-assess validate 实绩.xlsx", "hz-assess score 实绩.xlsx --detail"]


# ---------------------------------------------------------------- usage errors


COMMAND_ERRORS = [
    (["score", "--bogus", "x.xlsx"], "没有这个选项:--bogus"),
    (["score", "--detial", "x.xlsx"], "没有这个选项:--detial(是不是要用 --detail?)"),
    (["score"], "缺少参数 实绩.xlsx(至少给一个)"),
    (["explain", "x.xlsx"], "缺少选项 --indicator / -i"),
    (["explain", "x.xlsx", "--indicator"], "选项 --indicator 需要一个取值"),
    (["score", "x.xlsx", "--detail=yes"], "选项 --detail 不接受取值"),
    (["score", "x.xlsx", "--format", "x"], "--format 的取值「x」无效,可选:table、json、csv、md"),
    (["score", "x.xlsx", "-f", "x"], "--format 的取值「x」无效,可选:table、json、csv、md"),
    (["show", "abc"], "参数 编号 的取值「abc」不是整数"),
    (["show", "1", "2"], "多余的参数:2"),
]


@pytest.mark.parametrize(("args", "message"), COMMAND_ERRORS, ids=[" ".join(a) for a, _ in COMMAND_ERRORS])
def test_usage_error_is_one_chinese_line_and_a_hint(args: list[str], message: str) -> None:
    code, out, err = run(args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"错误:{message}", f"可运行 'hz-assess {args[0]} -h' 查看帮助。"]


@pytest.mark.parametrize(("args", "message"), [
    (["scor"], "没有这个命令:scor(是不是要用 score?)"),
    (["--debug"], "缺少命令"),
    (["--bogus"], "没有这个选项:--bogus"),
], ids=["unknown-command", "missing-command", "unknown-option"])
def test_usage_error_of_the_app_itself(args: list[str], message: str) -> None:
    assert run(args) == (2, "", f"错误:{message}\n可运行 'hz-assess -h' 查看帮助。\n")


# A small app for what hz-assess has no option for yet: ranges, floats, flag pairs, Abort.
tiny = ZhTyper(name="tiny")


@tiny.command()
def draw(
    samples: Annotated[int, typer.Option("--samples", min=1, help="抽样次数。")] = 1000,
    ratio: Annotated[float, typer.Option("--ratio", help="比例。")] = 0.5,
    colour: Annotated[bool, typer.Option("--colour/--no-colour", help="彩色输出。")] = True,
    stop: Annotated[bool, typer.Option("--stop")] = False,
) -> None:
    """抽样。"""
    if stop:
        raise typer.Abort()


@tiny.command()
def other() -> None:
    """另一个命令。"""


@pytest.mark.parametrize(("args", "message"), [
    (["--samples", "0"], "--samples 的取值「0」太小,应不小于 1"),
    (["--samples", "2.5"], "--samples 的取值「2.5」不是整数"),
    (["--ratio", "半"], "--ratio 的取值「半」不是数字"),
], ids=["below-min", "not-int", "not-float"])
def test_numbers_out_of_range_or_of_the_wrong_kind(args: list[str], message: str) -> None:
    result = CliRunner().invoke(tiny, ["draw", *args])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"错误:{message}"


def test_ranges_and_flag_pairs_in_help_and_abort_in_chinese() -> None:
    result = CliRunner().invoke(tiny, ["draw", "-h"])
    assert "--samples <整数>" in result.stdout and "[默认: 1000; 范围: x>=1]" in result.stdout
    assert "--colour / --no-colour" in result.stdout and "[默认: colour]" in result.stdout
    assert english_in(result.stdout) == []
    result = CliRunner().invoke(tiny, ["draw", "--stop"])
    assert (result.exit_code, result.stderr) == (1, "已中止。\n")


def test_zhtyper_refuses_a_group_class_that_would_print_english() -> None:
    with pytest.raises(TypeError):
        ZhTyper(cls=typer.core.TyperGroup)


# ---------------------------------------------------------------- line breaking


def test_wrap_counts_chinese_as_two_columns_and_never_splits_a_number() -> None:
    text = "低于目标每 1 个百分点扣 10%×分值(最低 0),得分 102.89 分。  [默认: table]"
    for width in range(4, 40):
        lines = wrap(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert any("102.89" in line for line in lines) and any("[默认: table]" in line for line in lines)
        assert not any(line[0] in ",。)]" for line in lines)
        if width >= display_width("[默认: table]"):  # the widest piece that may not be broken
            assert max(display_width(line) for line in lines) <= width


# ---------------------------------------------------------------- rule names


def test_targets_tables_name_rules_in_chinese_and_json_keeps_codes() -> None:
    _, out, _ = run(["targets", "--format", "csv"])
    lines = out.splitlines()
    rows = [line.split(",") for line in lines[1:lines.index("")]]  # the first block: 附件1, under its title
    assert lines[0] == "附件1 县区主要目标任务" and rows[0][-1] == "规则"
    assert {row[-1] for row in rows[1:]} == set(RULE_NAMES.values())
    _, out, _ = run(["targets", "--format", "json"])
    doc = json.loads(out)
    assert {i["rule"] for i in doc["indicators"]} == set(RULE_NAMES)
    _, out, _ = run(["targets"], terminal_width=200)
    assert "growth" not in out and "完成率类" in out


# ---------------------------------------------------------------- GBK


def test_lookalikes_are_outside_gbk_and_their_replacements_inside() -> None:
    for char, text in LOOKALIKES.items():
        with pytest.raises(UnicodeEncodeError):
            char.encode("gbk")
        text.encode("gbk")


def test_every_character_outside_gbk_in_our_code_and_data_has_a_lookalike() -> None:
    outside = set()
    for name in glob.glob(str(ROOT / "src" / "**" / "*.py"), recursive=True) + glob.glob(str(ROOT / "data" / "*")):
        for char in Path(name).read_text(encoding="utf-8"):
            try:
                char.encode("gbk")
            except UnicodeEncodeError:
                outside.add(char)
    assert outside - set(LOOKALIKES) == set()


def test_a_gbk_stream_gets_lookalikes_and_question_marks() -> None:
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="gbk")
    protect(stream)
    protect(stream)  # idempotent
    assert stream.errors == ERROR_HANDLER
    stream.write("8 − 3.2 ✓ 😀 ²")
    stream.flush()
    assert buffer.getvalue().decode("gbk") == "8 - 3.2 √ ? ^2"


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "utf-16", "gb18030"])
def test_streams_that_encode_everything_are_left_alone(encoding: str) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    protect(stream)
    assert stream.errors == "strict"


def test_an_error_handler_the_user_chose_is_kept() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="gbk", errors="replace")
    protect(stream)
    assert stream.errors == "replace"


def test_the_handler_falls_back_to_a_question_mark_where_the_lookalike_does_not_fit() -> None:
    register_handler()
    assert "√−".encode("ascii", errors=ERROR_HANDLER) == b"?-"
    assert codecs.lookup_error(ERROR_HANDLER) is codecs.lookup_error(ERROR_HANDLER)


def _run_module(args: list[str], encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "hz_assess", *args], capture_output=True, env=env, cwd=ROOT,
                          check=False)


@pytest.mark.parametrize("args", [
    ["score", "examples/actuals_2017.xlsx", "--format", "json", "--no-record"],
    ["explain", "examples/actuals_2017.xlsx", "--district", "南浔", "--indicator", "4", "--format", "md"],
], ids=["score-json", "explain"])
def test_gbk_output_is_the_utf8_output_with_lookalikes(args: list[str]) -> None:
    gbk = _run_module(args, "gbk")
    assert gbk.returncode == 0, gbk.stderr.decode("gbk")
    gbk.stderr.decode("gbk")
    utf8 = _run_module(args, "utf-8")
    assert utf8.returncode == 0
    expected = utf8.stdout.decode("utf-8").translate(str.maketrans(LOOKALIKES))
    assert gbk.stdout.decode("gbk") == expected
    if args[-1] == "--no-record":
        json.loads(gbk.stdout.decode("gbk"))
    else:
        assert "−" in utf8.stdout.decode("utf-8")  # the character that used to crash is really there


def test_explain_table_on_a_gbk_console_is_readable() -> None:
    # rich draws plain ASCII borders on a non-UTF stream; the text itself must come through
    gbk = _run_module(["explain", "examples/actuals_2017.xlsx", "--district", "南浔", "--indicator", "4"], "gbk")
    assert gbk.returncode == 0
    out = gbk.stdout.decode("gbk")
    assert "基本分 = 5 × 0.52 = 2.6" in out and "1 - 0.1 × 4.8" in out
