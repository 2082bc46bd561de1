"""The command line as a Chinese-speaking official meets it: help, -h, examples, usage
errors, rule names, and output that survives a GBK console or redirect."""

from __future__ import annotations

import codecs
import glob
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hz_assess.cli import app
from hz_assess.labels import RULE_NAMES
from hz_assess.streams import ERROR_HANDLER, LOOKALIKES, protect, register_handler

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], **extra: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, **extra)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------- rule names


def test_targets_tables_name_rules_in_chinese_and_json_keeps_codes() -> None:
    _, out, _ = run(["targets", "--format", "csv"])
    rows = [line.split(",") for line in out.splitlines() if line]
    assert rows[0][-1] == "规则"
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
