"""Terminal output for people (rich). The only module that imports rich.

Tables go to stdout; when stdout is not a terminal they are drawn wide enough
not to wrap Chinese text, and without colour (rich honours NO_COLOR itself).
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from hz_assess.models import Plan
from hz_assess.tables import cell_text


def console() -> Console:
    wide = None if sys.stdout.isatty() else 200
    return Console(width=wide, soft_wrap=False, highlight=False)


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def table(title: str, headers: list[str], rows: list[list[Any]], *, right_from: int = 99) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
    for i, h in enumerate(headers):
        t.add_column(h, justify="right" if i >= right_from else "left", overflow="fold")
    for row in rows:
        t.add_row(*[cell_text(v) for v in row])
    return t


# ---------------------------------------------------------------- targets


def targets_rows(doc: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    units = doc["units"]
    headers = ["序号", "栏目", "主要指标", "单位", *units, "分值", "规则"]
    rows = [
        [i["id"], i["category"], i["name"], i["unit"], *[i["cells"][u] for u in units],
         i["points"], i["rule"]]
        for i in doc["indicators"]
    ]
    return headers, rows


def print_targets(plan: Plan, doc: dict[str, Any], unit: str | None, dep: str | None) -> None:
    out = console()
    info = doc["plan"]
    out.print(f"{info['title']}({info['doc_number']})")
    headers, rows = targets_rows(doc)
    scope = f" — {unit}" if unit else (f" — {dep}" if dep else "")
    out.print(table(f"附件1 县区主要目标任务{scope}", headers, rows, right_from=4))
    if doc["city_targets"]:
        out.print(table(
            "全市其他量化目标(计划第二、三部分)",
            ["编号", "目标", "单位", "目标值", "规则", "出处"],
            [[c["id"], c["name"], c["unit"], c["target"], c["rule"], c["source"]]
             for c in doc["city_targets"]],
        ))
    if dep or not unit:
        deps = {d.name: d for d in plan.departments}
        out.print(table(
            "附件2 部门责任",
            ["序号", "责任部门", "牵头", "配合", "重点工作"],
            [[d["id"], d["name"], "、".join(d["leads"]) or "—", "、".join(d["supports"]) or "—",
              deps[d["name"]].duty if dep else _short(deps[d["name"]].duty)]
             for d in doc["departments"]],
        ))


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"
