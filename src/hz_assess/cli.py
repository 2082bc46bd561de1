"""The command line: parse, call one core function, pick a renderer, exit.

The one error boundary lives in `_Boundary.invoke`: a project error prints one red
line per problem to stderr and exits 2; anything else is a bug (exit 3), shown as a
traceback under --debug and as "内部错误" otherwise. Heavy modules (openpyxl, rich,
yaml, the models) are imported inside the commands that need them, so start-up stays
lean; their types are imported for the type checker only.

Exit codes: 0 done; 1 `validate`/`check` found problems; 2 bad input or usage;
3 internal error (a bug in hz-assess).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from hz_assess import __version__
from hz_assess.clizh import ZhGroup, ZhTyper
from hz_assess.errors import HzError, Problem, UsageError

if TYPE_CHECKING:
    from hz_assess.ledger.records import Run
    from hz_assess.models import Actuals, Assessment, CityResult, Plan, RankedResult
    from hz_assess.views import Document, Table

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3
BUG_MESSAGE = ("内部错误:这是 hz-assess 的缺陷,不是您的数据问题。请加 --debug 重新运行,"
               "把输出和所用文件发给维护人员。")


def _say(text: str, *, red: bool = False) -> None:
    """A message for a person: stderr, red only on a colour terminal. On a terminal it is wrapped to
    the terminal's width between words and characters, so the terminal never cuts a number in two."""
    terminal = sys.stderr.isatty()
    if terminal:
        text = _wrapped_for(sys.stderr, text)
    colour = red and terminal and not os.environ.get("NO_COLOR")
    typer.echo(typer.style(text, fg="red") if colour else text, err=True)


def _line(text: str) -> None:
    """A line of a command's text output (stdout); on a terminal, wrapped with its later lines indented,
    so each record still starts at the margin."""
    typer.echo(_wrapped_for(sys.stdout, text, indent="  ") if sys.stdout.isatty() else text)


def _wrapped_for(stream: Any, text: str, *, indent: str = "") -> str:
    """`text` with each line longer than the terminal (COLUMNS if set, as shutil counts) wrapped as tables
    wrap their text: after punctuation or a space if it can, never inside a number."""
    from hz_assess.render import fit, wrap

    columns = os.environ.get("COLUMNS", "")
    try:
        width = int(columns) if columns.isdigit() and int(columns) > 0 else os.get_terminal_size(stream.fileno())[0]
    except (OSError, ValueError, AttributeError):
        return text
    width = max(width, 20)
    out = []
    for line in text.split("\n"):
        first, *rest = fit(line, width)
        if rest and indent:
            first, *rest = wrap(line, width - len(indent))
        out += [first, *(indent + x for x in rest)]
    return "\n".join(out)


def _debugging(ctx: Any) -> bool:
    return bool(ctx.meta.get("hz_debug")) or bool(os.environ.get("HZ_ASSESS_DEBUG"))


class _Boundary(ZhGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except HzError as exc:
            for problem in exc.problems:
                _say(f"错误:{problem}", red=True)
            ctx.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:
            # the reader went away (`… | head`): stop quietly; nothing more can be shown
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except Exception as exc:
            # click/typer signal exits and usage errors with exceptions carrying exit_code
            if hasattr(exc, "exit_code") or isinstance(exc, typer.Abort) or _debugging(ctx):
                raise
            _say(BUG_MESSAGE, red=True)
            ctx.exit(EXIT_BUG)


app = ZhTyper(
    cls=_Boundary,
    name="hz-assess",
    help="湖州市2017年工业强市建设考核计算工具(湖政办发〔2017〕13号)。\n\n"
    "\b\n示例(生成填报表、检查、计算):\n  hz-assess template 实绩.xlsx\n"
    "  hz-assess validate 实绩.xlsx\n  hz-assess score 实绩.xlsx --detail",
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
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出。"),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整的调用栈。")] = False,
) -> None:
    """湖州市2017年工业强市建设考核计算工具。"""
    ctx.meta["hz_debug"] = debug


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


TargetsOpt = Annotated[Path | None, typer.Option("--targets", help="目标任务 YAML(默认:内置的2017年计划)。")]
DepartmentsOpt = Annotated[Path | None, typer.Option("--departments", help="部门责任 YAML(默认:内置)。")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="输出格式:table(默认)/json/csv/md。")]


def _fail(message: str) -> NoReturn:
    raise UsageError(Problem("usage", "", message))


def _load(targets: Path | None, departments: Path | None) -> Plan:
    from hz_assess.plan import load_plan

    return load_plan(targets, departments, cache=True)


def _emit(doc: Document, fmt: Format, json_data: object = None) -> None:
    """Print a view document in the chosen format; its messages go to stderr."""
    if fmt is Format.table and not doc.blocks:
        pass
    elif fmt is Format.json:
        from hz_assess.export.text import to_json

        typer.echo(to_json(doc.to_json() if json_data is None else json_data))
    elif fmt is Format.csv:
        from hz_assess.export.text import render_csv

        typer.echo(render_csv(doc), nl=False)
    elif fmt is Format.md:
        from hz_assess.export.text import render_md

        typer.echo(render_md(doc), nl=False)
    else:
        from hz_assess import render

        render.print_document(doc)
    for message in doc.messages:
        _say(f"注意:{message}")


def _emit_table(table: Table, fmt: Format, json_data: object = None) -> None:
    from hz_assess.views import Document

    _emit(Document(table.name, "", blocks=[table]), fmt, {"rows": table.records()} if json_data is None
          else json_data)


# ---------------------------------------------------------------- the plan


@app.command()
def targets(
    district: Annotated[str | None, typer.Option("--district", "-d", help="只看一个县区(可用简称)。")] = None,
    department: Annotated[str | None, typer.Option("--department", help="只看一个部门的牵头/配合指标。")] = None,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出计划的目标任务(附件1、全市其他目标、部门责任)。

    \b
    示例:
      hz-assess targets --district 长兴
      hz-assess targets --department 经信委 --format md
    """
    from hz_assess.plan import plan_document, resolve_department, resolve_unit
    from hz_assess.views import targets_document

    plan = _load(targets, departments)
    unit = resolve_unit(plan, district) if district else None
    dep = resolve_department(plan, department).name if department else None
    doc = plan_document(plan, unit, dep)
    _emit(targets_document(doc, {d.name: d.duty for d in plan.departments}, full_duty=dep is not None,
                           show_departments=dep is not None or unit is None), fmt, doc)


@app.command()
def check(
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """检查计划自身是否一致(县区目标合计、分值合计、部门对应关系)。有问题时退出码为 1。

    \b
    示例:
      hz-assess check
      hz-assess check --targets 修订计划.yaml
    """
    from hz_assess.plan import check_plan
    from hz_assess.views import findings_table

    plan = _load(targets, departments)
    findings = check_plan(plan)
    _emit_table(findings_table(findings), fmt, {"findings": [f.__dict__ for f in findings]})
    if fmt is Format.table:
        summary = (f"检查了 {len(plan.indicators)} 项指标、{len(plan.city_targets)} 项全市目标、"
                   f"{len(plan.departments)} 个部门:")
        _say(summary + (f"发现 {len(findings)} 处不一致。" if findings else "未发现不一致。"))
    if findings:
        raise typer.Exit(EXIT_PROBLEMS)


# ---------------------------------------------------------------- scoring


class By(StrEnum):
    district = "district"
    department = "department"
    all = "all"


FILES_HELP = "填好的实绩工作簿(.xlsx);可给多份(各县区、全市、部门的填报表和考核办的评价表),合并后计算。"
ActualsArg = Annotated[list[Path], typer.Argument(metavar="实绩.xlsx", help=FILES_HELP, show_default=False)]
OptionalActualsArg = Annotated[list[Path] | None, typer.Argument(
    metavar="实绩.xlsx", help=FILES_HELP + "省略时用考核台账中最新一期的定稿(未定稿则用该期最新的记录)。",
    show_default=False)]
DistrictOpt = Annotated[str | None, typer.Option("--district", "-d", help="县区名称(可用简称,如 长兴)。")]
DepartmentOpt = Annotated[str | None, typer.Option("--department", help="部门名称(可用简称,如 经信委)。")]
ByOpt = Annotated[By, typer.Option("--by", help="显示哪些排名:district / department / all(默认)。")]
DetailOpt = Annotated[bool, typer.Option("--detail", help="同时列出每项指标的目标、实绩和得分。")]


def _read_and_score(plan: Plan, actuals: Sequence[Path]) -> tuple[Actuals, Assessment]:
    """Read the workbooks (several are collected, SPEC §3.4) and score them: the pair the ledger records."""
    from hz_assess.audit import audit
    from hz_assess.scoring import score
    from hz_assess.workbook import read_many

    data = read_many(plan, actuals)
    return data, score(plan, data, audit(plan, data))


def _record(a: Assessment, actuals: Actuals, command: str, *, outputs: Sequence[tuple[Path, str]] = (),
            reuse: bool = False) -> None:
    """Log a run in the ledger. A ledger problem is reported but never fatal: the result stands.

    `outputs`: the (path, format) of report files this call wrote; with `reuse`, a run of
    exactly the same inputs already in the ledger gets them instead of a new record.
    """
    from hz_assess.ledger import record_run

    done = record_run(a, actuals, command, outputs=outputs, reuse=reuse)
    if done.message:
        _say(done.message)
    elif done.reused:
        _say(f"输入与考核台账第 {done.run_id} 号记录完全相同,未新增记录,报告已附在该记录上"
             f"(可用 hz-assess show {done.run_id} 查看)")
    else:
        _say(f"已记入考核台账:第 {done.run_id} 号记录(可用 hz-assess show {done.run_id} 重现)")


def _show_score(a: Assessment, fmt: Format, by: By, detail: bool) -> None:
    """The output of `score`, shared with `show` so a recorded run prints as it first did."""
    from hz_assess.views import score_document

    doc = score_document(a, by=by.value, detail=detail)
    _emit(doc, fmt, a.model_dump(mode="json") if fmt is Format.json else None)


@app.command("score")
def score_cmd(
    actuals: ActualsArg,
    detail: DetailOpt = False,
    by: ByOpt = By.all,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
    no_record: Annotated[bool, typer.Option("--no-record", help="不记入考核台账(试算时用)。")] = False,
) -> None:
    """计算县区和部门的得分、排名和等次,以及全市进展。

    \b
    示例:
      hz-assess score 实绩.xlsx --detail
      hz-assess score 报表/*.xlsx --format json > 结果.json
    """
    data, a = _read_and_score(_load(targets, departments), actuals)
    if not no_record:
        # recorded before printing: a reader that stops early (`| head`) must not lose the record
        _record(a, data, "score")
    _show_score(a, fmt, by, detail)


def _one_unit(plan: Plan, district: str | None, department: str | None) -> str:
    from hz_assess.plan import resolve_department, resolve_unit

    if (district is None) == (department is None):
        _fail("请用 --district 或 --department 指定一个县区或部门(二选一)")
    if district is not None:
        return resolve_unit(plan, district)
    assert department is not None
    return resolve_department(plan, department).name


def _unit_result(a: Assessment, name: str) -> RankedResult | CityResult:
    from hz_assess.views import find_unit

    found = find_unit(a, name)
    if found is None:
        _fail(f"所用的考核结果中没有「{name}」(该结果按另一份计划计算);请给出工作簿重新计算")
    return found


@app.command()
def gaps(
    actuals: OptionalActualsArg = None,
    district: DistrictOpt = None,
    department: DepartmentOpt = None,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出一个县区或部门未达标的指标(按失分排序),以及已达标、缺数据、不考核的指标。

    \b
    示例:
      hz-assess gaps --district 长兴
      hz-assess gaps 实绩.xlsx --department 经信委
    """
    from hz_assess.views import gaps_document, unit_kind

    plan = _load(targets, departments)
    name = _one_unit(plan, district, department)
    if actuals:
        a = _read_and_score(plan, actuals)[1]
    elif district is not None:
        a = _latest_recorded(plan, district=name)
    else:
        a = _latest_recorded(plan, department=name)
    r = _unit_result(a, name)
    _emit(gaps_document(a, r, unit_kind(a, r)), fmt)


def _default_run(plan: Plan, *, district: str | None = None, department: str | None = None) -> Run:
    """The recorded run to use without a workbook: the latest period's 定稿, else its latest run; says on
    stderr which one it is and why, and whether its plan files differ from today's."""
    from hz_assess.ledger import Ledger, plan_differs, require_unit

    run, why = Ledger().default_run(plan.info.id)
    _say(f"未指定工作簿,{why}")
    note = plan_differs(run.info, plan.targets_sha256, plan.departments_sha256)
    if note:
        _say(note)
    require_unit(run, district=district, department=department)
    return run


def _latest_recorded(plan: Plan, *, district: str | None = None, department: str | None = None) -> Assessment:
    return _default_run(plan, district=district, department=department).assessment


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
    """逐步说明一个县区(或部门)某项指标的得分是怎样算出来的。

    \b
    示例:
      hz-assess explain 实绩.xlsx --district 南浔 --indicator 4
    """
    from hz_assess.views import explain_document, find_indicator

    plan = _load(targets, departments)
    name = _one_unit(plan, district, department)
    a = _read_and_score(plan, actuals)[1]
    r = _unit_result(a, name)
    x = find_indicator(r, indicator)
    if x is None:
        _fail(f"{name} 没有编号为「{indicator}」的考核指标;可用 hz-assess targets 查看编号")
    _emit(explain_document(a, r, x), fmt)


# ---------------------------------------------------------------- decision support (SPEC §8)


def _actuals_or_recorded(plan: Plan, actuals: Sequence[Path] | None, *, district: str | None = None,
                         department: str | None = None) -> Actuals:
    """The workbooks' actuals, or without one those of the ledger's default run (saying which, as gaps does)."""
    from hz_assess.workbook import read_many

    if actuals:
        return read_many(plan, actuals)
    return _default_run(plan, district=district, department=department).actuals


MAX_SAMPLES = 100_000  # robustness: far beyond what rank intervals need, still seconds


@app.command()
def need(
    actuals: OptionalActualsArg = None,
    district: DistrictOpt = None,
    department: DepartmentOpt = None,
    grade: Annotated[str | None, typer.Option("--grade", help="目标等次,如 优秀(默认:比现在高一个等次)。")] = None,
    rank: Annotated[int | None, typer.Option("--rank", help="目标名次:进入前 K 名。", show_default=False)] = None,
    explain: Annotated[bool, typer.Option("--explain", help="同时列出每个数值是怎样算出来的。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """测算一个县区或部门要达到某一等次(或名次)还需要什么:每项指标单独需要的实绩,最少需补足哪几项指标。

    名额、排序项和否决都已计入,其他单位的结果保持不变;每个数值都已重算复核。季度数据按当前进度推算全年。

    \b
    示例:
      hz-assess need 实绩.xlsx --district 吴兴 --rank 4 --explain
      hz-assess need --department 科技局 --grade 优秀
    """
    from hz_assess.analysis.need import Goal
    from hz_assess.analysis.need import need as what_it_takes
    from hz_assess.plan import resolve_department, resolve_unit
    from hz_assess.views import need_document

    plan = _load(targets, departments)
    if (district is None) == (department is None):
        _fail("请用 --district 或 --department 指定一个县区或部门(二选一)")
    if grade is not None and rank is not None:
        _fail("--grade 和 --rank 只能给一个:目标是等次或者名次")
    name = resolve_unit(plan, district, districts_only=True) if district is not None else \
        resolve_department(plan, department or "").name
    data = _actuals_or_recorded(plan, actuals, district=name if district else None,
                                department=name if department else None)
    goal = Goal(grade=grade.strip()) if grade is not None else (Goal(rank=rank) if rank is not None else None)
    result = what_it_takes(plan, data, name, goal)
    _emit(need_document(result, explain=explain), fmt, result.to_json() if fmt is Format.json else None)


@app.command()
def robustness(
    actuals: ActualsArg,
    samples: Annotated[int, typer.Option("--samples", help="随机抽样的方法个数(另加每次去掉一项指标的情景)。")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="随机种子:同样的种子得到同样的结果。")] = 1,
    explain: Annotated[bool, typer.Option("--explain", help="同时列出抽样方法和全部参数。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """排名稳健性分析:分值、加扣分比例在合理范围内变化或去掉一项指标时,各单位的名次区间、等次概率和次序不稳定的单位对。

    \b
    示例:
      hz-assess robustness 实绩.xlsx
      hz-assess robustness 实绩.xlsx --samples 5000 --seed 7 --explain
    """
    from hz_assess.analysis.robustness import robustness as analyse
    from hz_assess.views import robustness_document
    from hz_assess.workbook import read_many

    if not 0 <= samples <= MAX_SAMPLES:
        _fail(f"--samples 应在 0 到 {MAX_SAMPLES} 之间")
    plan = _load(targets, departments)
    result = analyse(plan, read_many(plan, actuals), samples=samples, seed=seed)
    _emit(robustness_document(result, explain=explain), fmt, result.to_json() if fmt is Format.json else None)


# ---------------------------------------------------------------- the workbook


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def template(
    out: Annotated[Path, typer.Argument(metavar="输出.xlsx", help="要生成的实绩填报工作簿(.xlsx)。",
                                        show_default=False)],
    period: Annotated[str, typer.Option("--period", help="期别:2017(全年,默认)或 2017Q1…2017Q4。")] = "2017",
    district: Annotated[str | None, typer.Option(
        "--district", "-d", help="生成这个县区的填报表(只有该县区一列可填)。")] = None,
    department: Annotated[str | None, typer.Option(
        "--department", help="生成这个部门的填报表(其牵头、配合指标的全市实绩和全市目标)。")] = None,
    city: Annotated[bool, typer.Option("--city", help="生成全市填报表(全市一列和全市目标,由统计部门填写)。")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
) -> None:
    """生成实绩填报工作簿(县区实绩、全市目标、部门评价、加减分、说明),或一个单位的填报表。

    不加 --district/--department/--city 时生成完整的工作簿(考核办用,含部门评价和加减分);
    加上时生成发给该单位的填报表:只有它要填的单元格是黄色可填的。

    \b
    示例:
      hz-assess template 一季度.xlsx --period 2017Q1
      hz-assess template 长兴县.xlsx --district 长兴
    """
    from hz_assess.scope import form_scope
    from hz_assess.workbook import write_template

    plan = _load(targets, departments)
    scope = form_scope(plan, district=district, department=department, city=city)
    write_template(plan, out, period, force=force, scope=scope)
    if scope.whole:
        _say(f"已生成 {out}:请在黄色单元格填写实绩,然后运行 hz-assess validate {out}")
    else:
        _say(f"已生成 {out}({scope.title(plan)}填报表):发给该单位填写黄色单元格;"
             f"收回后可用 hz-assess validate 检查,用 hz-assess collect 汇总")


@app.command()
def validate(
    actuals: ActualsArg,
    strict: Annotated[bool, typer.Option("--strict", help="有警告(数据审核)时也以退出码 1 结束。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="输出格式:table(默认)/json。")] = CheckFormat.table,
) -> None:
    """检查实绩工作簿,一次列出所有错误和警告(数据审核)及所在单元格。

    给出多份文件时逐份检查,并检查它们之间是否矛盾(同一单元格两份文件填得不同)。
    单位的填报表只检查该单位应填的单元格。
    有错误时退出码为 1;只有警告时为 0(加 --strict 则为 1);文件无法读取为 2。

    \b
    示例:
      hz-assess validate 报表/*.xlsx
      hz-assess validate 实绩.xlsx --strict --format json
    """
    from hz_assess.workbook import validate_many

    v = validate_many(_load(targets, departments), actuals)
    if fmt is CheckFormat.json:
        from hz_assess.export.text import to_json

        typer.echo(to_json({"path": v.path, "period": v.period, "scope": v.scope, "read": v.read,
                            "missing": v.missing, "missing_cells": v.missing_cells,
                            "problems": [p.__dict__ for p in v.problems],
                            "warnings": [w.model_dump(mode="json") for w in v.warnings], "notes": v.notes}))
    else:
        for p in v.problems:
            _line(f"错误 [{p.code}] {p}")
        for w in v.warnings:
            _line(f"警告 [{w.code}] {w.file} {w.cell}:{w.message}")
        for cell in v.missing_cells:
            _line(f"[缺数据] {cell}")
        for note in v.notes:
            _line(f"[说明] {note}")
        errors, warnings = len(v.problems), len(v.warnings)
        if errors:
            verdict = f"发现 {errors} 处错误" + (f"、{warnings} 处警告" if warnings else "") + ",请逐一修正后再计算。"
        elif warnings:
            verdict = f"未发现错误;有 {warnings} 处警告,请逐一核对" + ("(--strict:按未通过处理)。" if strict else
                                                                 ",确认无误后可照常计算。")
        else:
            verdict = "未发现问题。"
        what = str(actuals[0]) if len(actuals) == 1 else f"{len(actuals)} 份文件"
        scope = f",填报范围 {v.scope}" if v.scope and v.scope != "全部" else ""
        _say(f"{what}(期别 {v.period or '未知'}{scope}):读取 {v.read} 个数据,缺 {v.missing} 个;{verdict}")
    if v.problems or (strict and v.warnings):
        raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def collect(
    actuals: Annotated[list[Path], typer.Argument(
        metavar="报表.xlsx", help="收回的填报表或工作簿(.xlsx),可任意组合。", show_default=False)],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="汇总后的工作簿(.xlsx)。", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
) -> None:
    """把各单位的填报表合并成一份完整的工作簿,并在“来源”表中列出每个数据来自哪个文件的哪个单元格。

    同一单元格在两份文件中填得不同时报错并指出两处;期别或计划不同的文件不能合并。

    \b
    示例:
      hz-assess collect 报表/*.xlsx -o 汇总.xlsx
    """
    from hz_assess.workbook import read_many, write_collected
    from hz_assess.workbook.collect import unreported

    if output is None:
        _fail("请用 -o 指定汇总后的工作簿,如 -o 汇总.xlsx")
    plan = _load(targets, departments)
    data = read_many(plan, actuals)
    count = write_collected(plan, data, output, force=force, inputs=actuals)
    items = len(data.adjustments)
    values = count - items
    _say(f"已汇总 {len(data.source_files())} 份文件的 {values} 个数据" + (f"和 {items} 项加减分" if items else "")
         + f",写入 {output}(来源见“来源”表)")
    silent = unreported(plan, data)
    if silent:
        _say(f"{'、'.join(silent)} 未报送:所给文件中没有其任何实绩")


# ---------------------------------------------------------------- the ledger (考核台账)


@app.command()
def history(fmt: FormatOpt = Format.table) -> None:
    """列出考核台账中记录的每次计算(北京时间、命令、期别、是否定稿、输入文件及其 sha256、计划 sha256)。

    \b
    示例:
      hz-assess history
      hz-assess history --format csv > 台账.csv
    """
    from hz_assess.ledger import Ledger, beijing
    from hz_assess.views import history_table

    ledger = Ledger()
    runs = ledger.runs()
    _emit_table(history_table(runs, beijing), fmt, {"ledger": str(ledger.path), "runs": [r.to_json() for r in runs]})
    if not runs and fmt is Format.table:
        _say(f"考核台账 {ledger.path} 中还没有记录;用 hz-assess score 实绩.xlsx 计算后会自动记入")


@app.command()
def show(
    run: Annotated[int, typer.Argument(metavar="编号", help="记录编号(见 hz-assess history)。", show_default=False)],
    detail: DetailOpt = False,
    by: ByOpt = By.all,
    fmt: FormatOpt = Format.table,
) -> None:
    """按记录时的结果重新显示考核台账中的一次计算(与当时 score 的输出相同),并说明是否已定稿。

    \b
    示例:
      hz-assess show 3
      hz-assess show 3 --detail --by district
    """
    from hz_assess.ledger import Ledger

    recorded, lines = Ledger().show(run)
    for line in lines:
        _say(line)
    _show_score(recorded.assessment, fmt, by, detail)


@app.command()
def publish(
    run: Annotated[int, typer.Argument(metavar="编号", help="要定稿的记录编号(见 hz-assess history)。",
                                       show_default=False)],
    note: Annotated[str, typer.Option("--note", help="说明(改定已有的定稿时必填,写明原因)。")] = "",
    force: Annotated[bool, typer.Option(
        "--force", help="该期已有定稿时改用这条记录(原定稿保留并标记为被取代)。")] = False,
) -> None:
    """把一次计算定为该期的正式结果(定稿);gaps、trend 等不给工作簿时默认使用定稿。

    \b
    示例:
      hz-assess publish 3
      hz-assess publish 5 --force --note "南浔区更正第12项"
    """
    from hz_assess.ledger import Ledger

    _say(Ledger().publish(run, note=note, force=force).message())


@app.command()
def compare(
    old: Annotated[int, typer.Argument(metavar="编号1", help="较早的记录编号。", show_default=False)],
    new: Annotated[int, typer.Argument(metavar="编号2", help="较新的记录编号。", show_default=False)],
    fmt: FormatOpt = Format.table,
) -> None:
    """比较考核台账中的两次计算:哪些实绩单元格、评价和加减分变了,哪些总分、排名和等次随之改变。

    \b
    示例:
      hz-assess compare 3 5
      hz-assess compare 3 5 --format csv > 变化.csv
    """
    from hz_assess.ledger import Ledger, beijing_text
    from hz_assess.views import comparison_document

    comparison = Ledger().compare(old, new)
    doc = comparison_document(comparison, beijing_text)
    if not comparison.changes and fmt is Format.table:
        doc.blocks = []  # nothing to tabulate: the message on stderr says so
    _emit(doc, fmt, comparison.to_json())


@app.command()
def trend(
    district: Annotated[str, typer.Option("--district", "-d", help="县区名称(可用简称,如 长兴);全市 亦可。")],
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """一个县区各项指标在各季度和年底的实绩、走势,以及能否完成全年目标(取自考核台账,各期用定稿,未定稿用最新记录)。

    \b
    示例:
      hz-assess trend --district 长兴
    """
    from hz_assess.ledger import Ledger
    from hz_assess.plan import resolve_unit
    from hz_assess.views import trend_table

    plan = _load(targets, departments)
    t, lines = Ledger().trend(plan.info.id, plan.info.year, resolve_unit(plan, district),
                              targets_sha256=plan.targets_sha256, departments_sha256=plan.departments_sha256)
    for line in lines:
        _say(line)
    _emit_table(trend_table(t), fmt, t.to_json())


# ---------------------------------------------------------------- reports


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    docx = "docx"
    csv = "csv"
    json = "json"
    md = "md"
    html = "html"


@app.command()
def report(
    actuals: Annotated[
        list[Path] | None,
        typer.Argument(metavar="实绩.xlsx", help=FILES_HELP + "省略时按考核台账导出:--run 指定的记录,"
                       "否则最新一期的定稿(未定稿则用该期最新的记录)。", show_default=False),
    ] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="报告文件(.xlsx/.docx/.csv/.json/.md/.html)。", show_default=False)] = None,
    report_fmt: Annotated[ReportFormat | None, typer.Option(
        "--format", help="报告格式(须与文件扩展名一致;默认按扩展名):xlsx / docx / csv / json / md / html。")] = None,
    run: Annotated[int | None, typer.Option(
        "--run", metavar="编号", help="按考核台账中的这次记录重新导出(见 hz-assess history),不读工作簿。",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的报告文件。")] = False,
    with_robustness: Annotated[bool, typer.Option(
        "--robustness", help="附上排名稳健性分析(1000 个抽样、随机种子 1;仅 .xlsx 和 .html 报告)。")] = False,
    targets: TargetsOpt = None,
    departments: DepartmentsOpt = None,
    no_record: Annotated[bool, typer.Option("--no-record", help="不记入考核台账。")] = False,
) -> None:
    """生成报告:Excel(可打印)、Word 通报稿、CSV、JSON、Markdown 或单文件 HTML。

    \b
    示例:
      hz-assess report 实绩.xlsx -o 通报.docx
      hz-assess report --run 3 -o 排名.xlsx --robustness
    """
    from hz_assess.export import APPENDIX_FORMATS, report_format, write_report

    if output is None:
        _fail("请用 -o 指定报告文件,如 -o 排名.xlsx")
    if actuals and run is not None:
        _fail("请给出实绩工作簿或 --run 编号其中之一:--run 按考核台账中的记录导出,不读工作簿")
    fmt = report_fmt.value if report_fmt else None
    if report_format(output, fmt) not in APPENDIX_FORMATS and with_robustness:  # a wrong name fails before any work
        _fail("--robustness 只能用于 .xlsx 或 .html 报告(稳健性分析附在其后)")
    if actuals:
        plan = _load(targets, departments)
        data, a = _read_and_score(plan, actuals)
        kind = write_report(a, output, fmt, force=force, inputs=actuals,
                            appendix=_robustness_appendix(plan, data) if with_robustness else None)
        _say(f"已写入报告:{output}")
        _before_publishing(a)
        if not no_record:
            _record(a, data, "report", outputs=[(output, kind)], reuse=True)
        return
    from hz_assess.ledger import Ledger, attach_run_output, describe

    if run is not None:
        recorded = Ledger().run(run)
        _say(f"按考核台账{describe(recorded.info)}导出")
    else:
        recorded, why = Ledger().default_run(_load(targets, departments).info.id)
        _say(f"未指定工作簿,{why}")
    appendix = _robustness_appendix(_load(targets, departments), recorded.actuals) if with_robustness else None
    kind = write_report(recorded.assessment, output, fmt, force=force,
                        inputs=[Path(f.path) for f in recorded.info.inputs], appendix=appendix)
    _say(f"已写入报告:{output}")
    _before_publishing(recorded.assessment)
    if not no_record:
        problem = attach_run_output(recorded.info.id, output, kind)
        _say(problem or f"报告已登记在考核台账第 {recorded.info.id} 号记录上")


def _robustness_appendix(plan: Plan, data: Actuals) -> Document:
    from hz_assess.analysis.robustness import robustness as analyse
    from hz_assess.views import robustness_document

    return robustness_document(analyse(plan, data), explain=True)


def _before_publishing(a: Assessment) -> None:
    """What the office must settle before the report goes out: said on stderr, never printed in the report."""
    decide = [note for note in a.notes if "请考核办研究决定" in note]
    if a.provisional:
        decide.insert(0, "结果为暂定(有缺数据或未报送的单位),报告标题已注明“暂定结果”")
    for note in decide:
        _say(f"发布前请注意:{note}")


def main() -> None:
    """The console script: a SIGTERM ends the run like Ctrl-C, so temp files are removed on the way out."""
    import signal

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    app(prog_name="hz-assess")
