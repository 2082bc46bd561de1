"""The command line as a Chinese-speaking official meets it: help, -h, examples, usage
errors, rule names, and output that survives a GBK console or redirect."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hz_assess.cli import app
from hz_assess.labels import RULE_NAMES


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
