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
from enum import StrEnum
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


class Format(StrEnum):
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


# ---------------------------------------------------------------- scoring


class By(StrEnum):
    district = "district"
    department = "department"
    all = "all"


ActualsArg = Annotated[Path, typer.Argument(help="填好的实绩工作簿(.xlsx)。", show_default=False)]
DistrictOpt = Annotated[str | None, typer.Option("--district", "-d", help="县区名称(可用简称,如 长兴)。")]
DepartmentOpt = Annotated[str | None, typer.Option("--department", help="部门名称(可用简称,如 经信委)。")]


def _read_and_score(plan: Any, actuals: Path) -> tuple[Any, Any]:
    """Read the workbook and score it: (Actuals, Assessment), the pair the ledger records."""
    from hz_assess.scoring import score
    from hz_assess.workbook import read_actuals

    data = read_actuals(plan, actuals)
    return data, score(plan, data)


def _assess(plan: Any, actuals: Path) -> Any:
    """Read the workbook and score it against the plan."""
    return _read_and_score(plan, actuals)[1]


def _record(a: Any, actuals: Any, command: str) -> None:
    """Log a run in the ledger. A ledger problem is reported but never fatal: the result stands."""
    from hz_assess.ledger import record_run

    run_id, message = record_run(a, actuals, command)
    _say(message or f"已记入考核台账:第 {run_id} 号记录(可用 hz-assess show {run_id} 重现)")


def _warn(assessment: Any) -> None:
    for warning in assessment.warnings:
        _say(f"注意:{warning}")


@app.command("score")
def score_cmd(
    actuals: ActualsArg,
    detail: Annotated[bool, typer.Option("--detail", help="同时列出每项指标的目标、实绩和得分。")] = False,
    by: Annotated[By, typer.Option("--by", help="显示哪些排名:district / department / all(默认)。")] = By.all,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
    no_record: Annotated[bool, typer.Option("--no-record", help="不记入考核台账(试算时用)。")] = False,
) -> None:
    """计算县区和部门的得分、排名和等次,以及全市进展。"""
    data, a = _read_and_score(_load(targets, departments), actuals)
    _render_score(a, fmt, by, detail)
    if not no_record:
        _record(a, data, "score")


def _render_score(a: Any, fmt: Format, by: By, detail: bool) -> None:
    """The output of `score`, shared with `show` so a recorded run prints as it first did."""
    if fmt is Format.json:
        from hz_assess.export import render_json

        typer.echo(render_json(a))
    elif fmt in (Format.csv, Format.md):
        from hz_assess.tables import department_rows, district_rows, indicator_rows

        parts = []
        if by in (By.district, By.all):
            parts.append(district_rows(a))
            if detail:
                for d in a.districts:
                    parts.append(indicator_rows(d.name, d.indicators))
        if by in (By.department, By.all):
            parts.append(department_rows(a))
        for i, (headers, rows) in enumerate(parts):
            if i:
                typer.echo("")
            _print_table(fmt, headers, rows)
    else:
        from hz_assess import render

        render.print_score(a, by=by.value, detail=detail)
    _warn(a)


def _one_unit(plan: Any, district: str | None, department: str | None) -> tuple[str | None, str | None]:
    from hz_assess.plan import resolve_department, resolve_unit

    if (district is None) == (department is None):
        _fail("请用 --district 或 --department 指定一个县区或部门(二选一)")
    if district is not None:
        return resolve_unit(plan, district), None
    assert department is not None
    return None, resolve_department(plan, department).name


@app.command()
def gaps(
    actuals: Annotated[
        Path | None,
        typer.Argument(help="填好的实绩工作簿(.xlsx);省略时用考核台账中最新的结果。", show_default=False),
    ] = None,
    district: DistrictOpt = None,
    department: DepartmentOpt = None,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出一个县区或部门未达标的指标(按失分排序),以及已达标、缺数据、不考核的指标。"""
    from hz_assess.scoring import gap_report

    plan = _load(targets, departments)
    unit, dep = _one_unit(plan, district, department)
    a = _assess(plan, actuals) if actuals is not None else _latest_recorded(plan)
    report = gap_report(a, district=unit, department=dep)
    _render_gaps(report, a, fmt)


def _latest_recorded(plan: Any) -> Any:
    """The latest recorded assessment of this plan, saying on stderr which one it is."""
    from hz_assess.ledger import Ledger, describe

    run = Ledger().require_latest(plan.info.id)
    _say(f"未指定工作簿,使用考核台账中最新的结果:{describe(run.info)}")
    if run.info.plan_sha256 != plan.targets_sha256:
        _say("注意:该记录所用的计划文件与当前的不同,以下按记录时的计划列出")
    return run.assessment


def _render_gaps(report: Any, a: Any, fmt: Format) -> None:
    from hz_assess import render

    if fmt is Format.json:
        _print_json({
            "unit": report.unit, "kind": report.kind, "score": report.score,
            "input": a.input.model_dump(mode="json"),
            "shortfalls": [
                {**g.result.model_dump(mode="json", include={"id", "name", "unit", "target", "actual",
                                                             "completion", "points", "score", "status"}),
                 "gap": g.gap, "points_lost": g.points_lost, "total_gain": g.total_gain}
                for g in report.shortfalls
            ],
            **{name: [r.id for r in getattr(report, name)]
               for name in ("met", "missing", "not_applicable", "pending")},
        })
    elif fmt in (Format.csv, Format.md):
        headers, rows = render.gap_rows(report)
        _print_table(fmt, headers, rows)
    else:
        render.print_gaps(report, a)


@app.command()
def explain(
    actuals: ActualsArg,
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="指标序号(1…34)或全市目标编号(C01…)。")],
    district: DistrictOpt = None,
    department: DepartmentOpt = None,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """逐步说明一个县区(或部门)某项指标的得分是怎样算出来的。"""
    from hz_assess.scoring import find_result

    plan = _load(targets, departments)
    unit, dep = _one_unit(plan, district, department)
    a = _assess(plan, actuals)
    result, scale = find_result(a, indicator, district=unit, department=dep)
    name = unit or dep
    if result is None:
        _fail(f"{name} 没有编号为「{indicator}」的考核指标;可用 `hz-assess targets` 查看编号")
    if fmt is Format.json:
        _print_json({"unit": name, "scale": scale, "indicator": result.model_dump(mode="json"),
                     "contribution": result.score * result.weight * scale})
        return
    if fmt in (Format.csv, Format.md):
        _print_table(fmt, ["步骤", "说明"], [[i, step] for i, step in enumerate(result.steps, 1)])
        return
    from hz_assess import render

    render.print_explain(str(name), result, scale, a)


# ---------------------------------------------------------------- the workbook


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="要生成的实绩填报工作簿(.xlsx)。", show_default=False)],
    period: Annotated[str, typer.Option("--period", help="期别:2017(全年,默认)或 2017Q1…2017Q4。")] = "2017",
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
) -> None:
    """生成实绩填报工作簿(县区实绩、全市目标、部门评价、加减分、说明)。"""
    from hz_assess.workbook import write_template

    write_template(_load(targets, departments), out, period, force=force)
    _say(f"已生成 {out}:请在黄色单元格填写实绩,然后运行 hz-assess validate {out}")


@app.command()
def validate(
    actuals: ActualsArg,
    strict: Annotated[bool, typer.Option("--strict", help="有警告(数据审核)时也以退出码 1 结束。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="输出格式:table(默认)/json。")] = CheckFormat.table,
) -> None:
    """检查实绩工作簿,一次列出所有错误和警告(数据审核)及所在单元格。

    有错误时退出码为 1;只有警告时为 0(加 --strict 则为 1);文件无法读取为 2。
    """
    from hz_assess.workbook import validate_workbook

    v = validate_workbook(_load(targets, departments), actuals)
    if fmt is CheckFormat.json:
        _print_json({"path": v.path, "period": v.period, "read": v.read, "missing": v.missing,
                     "missing_cells": v.missing_cells, "problems": [p.__dict__ for p in v.problems],
                     "warnings": [w.model_dump(mode="json") for w in v.warnings]})
    else:
        for p in v.problems:
            typer.echo(f"错误 [{p.code}] {p}")
        for w in v.warnings:
            typer.echo(f"警告 [{w.code}] {w.file} {w.cell}:{w.message}")
        for cell in v.missing_cells:
            typer.echo(f"[缺数据] {cell}")
        errors, warnings = len(v.problems), len(v.warnings)
        if errors:
            verdict = f"发现 {errors} 处错误" + (f"、{warnings} 处警告" if warnings else "") + ",请逐一修正后再计算。"
        elif warnings:
            verdict = f"未发现错误;有 {warnings} 处警告,请逐一核对" + ("(--strict:按未通过处理)。" if strict else
                                                                 ",确认无误后可照常计算。")
        else:
            verdict = "未发现问题。"
        _say(f"{actuals}(期别 {v.period or '未知'}):读取 {v.read} 个数据,缺 {v.missing} 个;{verdict}")
    if v.problems or (strict and v.warnings):
        raise typer.Exit(EXIT_PROBLEMS)


# ---------------------------------------------------------------- the ledger (考核台账)


def _print_rows(fmt: Format, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    if fmt is Format.table:
        from hz_assess import render

        render.console().print(render.table(title, headers, rows))
    else:
        _print_table(fmt, headers, rows)


@app.command()
def history(fmt: FormatOpt = Format.table) -> None:
    """列出考核台账中记录的每次计算(时间、命令、期别、输入文件及其 sha256、计划 sha256)。"""
    from hz_assess.ledger import Ledger

    ledger = Ledger()
    runs = ledger.runs()
    if fmt is Format.json:
        _print_json({"ledger": str(ledger.path), "runs": [r.to_json() for r in runs]})
        return
    headers = ["编号", "时间(UTC)", "命令", "期别", "输入文件", "输入 sha256", "计划 sha256", "版本", "摘要"]
    rows = [[r.id, r.time, r.command, r.period, r.input_path, r.input_sha256[:16], r.plan_sha256[:16],
             r.tool_version, r.summary] for r in runs]
    _print_rows(fmt, "考核台账", headers, rows)
    if not runs:
        _say(f"考核台账 {ledger.path} 中还没有记录;用 hz-assess score 实绩.xlsx 计算后会自动记入")


@app.command()
def show(
    run: Annotated[int, typer.Argument(help="记录编号(见 hz-assess history)。", show_default=False)],
    detail: Annotated[bool, typer.Option("--detail", help="同时列出每项指标的目标、实绩和得分。")] = False,
    by: Annotated[By, typer.Option("--by", help="显示哪些排名:district / department / all(默认)。")] = By.all,
    fmt: FormatOpt = Format.table,
) -> None:
    """按记录时的结果重新显示考核台账中的一次计算(与当时 score 的输出相同)。"""
    from hz_assess.ledger import Ledger, describe

    recorded = Ledger().run(run)
    _say(f"考核台账{describe(recorded.info)}")
    _render_score(recorded.assessment, fmt, by, detail)


@app.command()
def trend(
    district: Annotated[str, typer.Option("--district", "-d", help="县区名称(可用简称,如 长兴);全市 亦可。")],
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """一个县区各项指标在各季度和年底的实绩、走势,以及能否完成全年目标(取自考核台账)。"""
    from hz_assess.ledger import Ledger
    from hz_assess.plan import resolve_unit
    from hz_assess.trend import trend_rows

    plan = _load(targets, departments)
    t = Ledger().trend(plan.info.id, plan.info.year, resolve_unit(plan, district))
    if fmt is Format.json:
        _print_json(t.to_json())
        return
    headers, rows = trend_rows(t)
    _print_rows(fmt, f"{t.unit} 指标走势({'、'.join(t.periods)})", headers, rows)


# ---------------------------------------------------------------- reports


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    md = "md"
    html = "html"


@app.command()
def report(
    actuals: ActualsArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="报告文件(.xlsx/.csv/.json/.md/.html)。",
                                         show_default=False)],
    report_fmt: Annotated[ReportFormat | None, typer.Option(
        "--format", help="报告格式(默认按文件扩展名):xlsx / csv / json / md / html。")] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的报告文件。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    no_record: Annotated[bool, typer.Option("--no-record", help="不记入考核台账。")] = False,
) -> None:
    """生成排名报告:Excel(可打印)、CSV、JSON、Markdown 或单文件 HTML。"""
    from hz_assess.export import write_report

    plan = _load(targets, departments)
    data, a = _read_and_score(plan, actuals)
    write_report(a, output, report_fmt.value if report_fmt else None, force=force, plan=plan)
    _say(f"已写入报告:{output}")
    _warn(a)
    if not no_record:
        _record(a, data, "report")
