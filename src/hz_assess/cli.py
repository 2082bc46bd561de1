"""The command line: parse, call one core function, render, exit.

The one error boundary lives in `_Boundary.invoke`: a project error prints one red
line per problem to stderr and exits 2; anything else is a bug, shown as a
traceback under --debug and as "内部错误" otherwise. Heavy modules (openpyxl,
rich, yaml) are imported inside the commands that need them, to keep start-up lean.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from hz_assess import __version__
from hz_assess.errors import HzError, Problem, UsageError

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3


def _say(text: str, *, red: bool = False) -> None:
    """A message for a person: stderr, red only on a colour terminal."""
    colour = red and sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    typer.echo(typer.style(text, fg="red") if colour else text, err=True)


class _Boundary(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except HzError as exc:
            for problem in exc.problems:
                _say(f"错误:{problem}", red=True)
            ctx.exit(EXIT_BAD_INPUT)
        except Exception as exc:
            # click/typer signal exits and usage errors with exceptions carrying exit_code
            if hasattr(exc, "exit_code") or isinstance(exc, typer.Abort):
                raise
            if "--debug" in sys.argv or os.environ.get("HZ_ASSESS_DEBUG"):
                raise
            _say(
                "内部错误:这是 hz-assess 的缺陷,不是您的数据问题。请加 --debug 重新运行,"
                "把输出和所用文件发给维护人员。",
                red=True,
            )
            ctx.exit(EXIT_BUG)


app = typer.Typer(
    cls=_Boundary,
    name="hz-assess",
    help="湖州市2017年工业强市建设考核计算工具(湖政办发〔2017〕13号)。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hz-assess {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出。"),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整的调用栈。")] = False,
) -> None:
    """湖州市2017年工业强市建设考核计算工具。"""
    if debug:
        os.environ["HZ_ASSESS_DEBUG"] = "1"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


TargetsOpt = Annotated[
    Path | None, typer.Option("--targets", help="目标任务 YAML(默认:内置的2017年计划)。")
]
DepartmentsOpt = Annotated[
    Path | None, typer.Option("--departments", help="部门责任 YAML(默认:内置)。")
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="输出格式:table(默认)/json/csv/md。")
]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str) -> NoReturn:
    raise UsageError(Problem("usage", "", message))


def _load(targets: Path | None, departments: Path | None) -> Any:
    from hz_assess.plan import load_plan

    return load_plan(targets, departments)


# ---------------------------------------------------------------- the plan


@app.command()
def targets(
    district: Annotated[str | None, typer.Option("--district", "-d", help="只看一个县区(可用简称)。")] = None,
    department: Annotated[str | None, typer.Option("--department", help="只看一个部门的牵头/配合指标。")] = None,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出计划的目标任务(附件1、全市其他目标、部门责任)。"""
    from hz_assess.plan import plan_document, resolve_department, resolve_unit

    plan = _load(targets, departments)
    unit = resolve_unit(plan, district) if district else None
    dep = resolve_department(plan, department).name if department else None
    doc = plan_document(plan, unit, dep)
    if fmt is Format.json:
        _print_json(doc)
        return
    from hz_assess import render

    headers, rows = render.targets_rows(doc)
    if fmt is Format.table:
        render.print_targets(plan, doc, unit, dep)
    else:
        _print_table(fmt, headers, rows)


def _print_table(fmt: Format, headers: list[str], rows: list[list[Any]]) -> None:
    from hz_assess.tables import to_csv, to_md

    typer.echo(to_csv(headers, rows) if fmt is Format.csv else to_md(headers, rows), nl=False)


@app.command()
def check(
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """检查计划自身是否一致(县区目标合计、分值合计、部门对应关系)。有问题时退出码为 1。"""
    from hz_assess.plan import check_plan

    plan = _load(targets, departments)
    findings = check_plan(plan)
    if fmt is Format.json:
        _print_json({"findings": [f.__dict__ for f in findings]})
    elif fmt in (Format.csv, Format.md):
        _print_table(fmt, ["code", "指标", "说明"],
                     [[f.code, f.indicator, f.message] for f in findings])
    else:
        for f in findings:
            typer.echo(f"[{f.code}] {f.message}")
        n_ind = len(plan.indicators)
        summary = (
            f"检查了 {n_ind} 项指标、{len(plan.city_targets)} 项全市目标、"
            f"{len(plan.departments)} 个部门:"
        )
        _say(summary + (f"发现 {len(findings)} 处不一致。" if findings else "未发现不一致。"))
    if findings:
        raise typer.Exit(EXIT_PROBLEMS)
