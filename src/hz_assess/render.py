"""Terminal output for people (rich). The only module that imports rich.

Tables go to stdout; when stdout is not a terminal they are drawn wide enough
not to wrap Chinese text, and without colour (rich honours NO_COLOR itself).
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from hz_assess.models import Assessment, DepartmentResult, IndicatorResult, Plan, UnitResult
from hz_assess.scoring import GapReport
from hz_assess.tables import STATUS_TEXT, cell_text, department_rows, district_rows, indicator_rows, s2


def console() -> Console:
    wide = None if sys.stdout.isatty() else 200
    # markup and emoji off: names and paths from files are printed verbatim ([v2] or :x: stay)
    return Console(width=wide, soft_wrap=False, highlight=False, markup=False, emoji=False)


def err_console() -> Console:
    return Console(stderr=True, highlight=False, markup=False, emoji=False)


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


# ---------------------------------------------------------------- score


def method_line(a: Assessment) -> str:
    m = a.method
    line = f"评分方法:{m.label};计划文件 {a.plan.path}(sha256 {a.plan.sha256[:16]}…)"
    if m.proration:
        line += f"\n{m.proration}"
    return line


def print_score(a: Assessment, *, by: str, detail: bool) -> None:
    out = console()
    period = "年度考核" if "Q" not in a.input.period else "季度督查"
    out.print(f"{a.plan.title} {a.input.period} {period}  输入:{a.input.path}(sha256 {a.input.sha256[:16]}…)")
    if by in ("district", "all"):
        headers, rows = district_rows(a)
        out.print(table("县区排名", headers, rows, right_from=2))
        if detail:
            for d in a.districts:
                h, r = indicator_rows(d.name, d.indicators)
                out.print(table(f"{d.name} 指标明细", h[1:], [row[1:] for row in r], right_from=4))
    if by in ("department", "all"):
        headers, rows = department_rows(a)
        out.print(table("部门排名", headers, rows, right_from=2))
        if detail:
            for dep in a.departments:
                if dep.indicators:
                    h, r = indicator_rows(dep.name, dep.indicators)
                    roles = ["牵头" if x.role == "lead" else "配合" for x in dep.indicators]
                    out.print(table(f"{dep.name} 指标明细", ["角色", *h[1:]],
                                    [[role, *row[1:]] for role, row in zip(roles, r, strict=True)], right_from=5))
    if by == "all":
        print_city(a, detail=detail)
    out.print(method_line(a))
    ranked: list[UnitResult | DepartmentResult] = [*a.districts, *a.departments]
    for name, missing, (lo, hi) in [(r.name, r.missing, r.score_range) for r in ranked]:
        if missing:
            out.print(f"{name} 结果暂定:缺 {len(missing)} 项数据,补齐后总分可能在 {lo:.2f} 至 {hi:.2f} 之间")


def print_city(a: Assessment, *, detail: bool) -> None:
    out = console()
    c = a.city
    met = sum(1 for r in c.city_targets if r.status == "met")
    missing = sum(1 for r in c.city_targets if r.status == "missing")
    cats = ",".join(f"{k} {v:.2f}" for k, v in c.categories.items())
    out.print(f"全市进展(不参与排名):附件1得分 {c.score:.2f}{'(暂定)' if c.provisional else ''};{cats}")
    out.print(f"全市其他目标 {len(c.city_targets)} 项:达标 {met} 项,未达标 {len(c.city_targets) - met - missing} 项,"
              f"缺数据 {missing} 项")
    if detail:
        h, r = indicator_rows(c.name, c.indicators + c.city_targets)
        out.print(table("全市指标明细", h[1:], [row[1:] for row in r], right_from=4))


# ---------------------------------------------------------------- gaps / explain


def gap_rows(report: GapReport) -> tuple[list[str], list[list[Any]]]:
    headers = ["序号", "主要指标", "目标", "实绩", "差距", "计量单位", "完成率", "失分", "达标后总分增加"]
    rows = [
        [g.result.id, g.result.name, g.result.target, g.result.actual, g.gap, g.result.unit,
         None if g.result.completion is None else f"{g.result.completion * 100:.1f}%", s2(g.points_lost),
         s2(g.total_gain)]
        for g in report.shortfalls
    ]
    return headers, rows


def print_gaps(report: GapReport, a: Assessment) -> None:
    out = console()
    out.print(f"{report.unit} 与目标的差距({a.input.period},输入 {a.input.path});当前总分 {report.score:.2f}")
    headers, rows = gap_rows(report)
    if rows:
        out.print(table(f"未达标 {len(rows)} 项(按失分从多到少)", headers, rows, right_from=2))
    else:
        out.print("没有未达标的指标。")

    def names(items: list[IndicatorResult]) -> str:
        return "、".join(f"{r.id} {r.name}" for r in items) or "无"

    out.print(f"已达标 {len(report.met)} 项:{names(report.met)}")
    out.print(f"缺数据 {len(report.missing)} 项:" + ("、".join(
        f"{r.id} {r.name}({r.where})" for r in report.missing) or "无"))
    if report.pending:
        out.print(f"待年底评定 {len(report.pending)} 项:{names(report.pending)}")
    out.print(f"不考核 {len(report.not_applicable)} 项:{names(report.not_applicable)}")


def print_explain(unit: str, r: IndicatorResult, scale: float, a: Assessment) -> None:
    out = console()
    out.print(f"{unit} · 第{r.id}项「{r.name}」({a.input.period},输入 {a.input.path})")
    for i, step in enumerate(r.steps, 1):
        out.print(f"  {i}. {step}")
    if r.role == "support":
        out.print(f"  · 配合指标按 {r.weight:g} 倍计入部门得分")
    if r.status not in ("not_applicable", "pending"):
        contrib = r.score * r.weight * scale
        if scale:
            basis = ("指标部分满分 ÷ 该部门牵头/配合指标的加权分值合计" if r.role
                     else "100 ÷ 该单位适用指标分值合计")
            out.print(f"  → 计入总分:{r.score:.4g} × {r.weight:g} × {scale:.6g} = {contrib:.4f} 分"
                      f"(折算系数 = {basis})")
        else:
            out.print("  → 全市其他目标只报告进展,不计入全市得分")
    out.print(f"结果:得分 {r.score:.2f} / 分值 {r.points:g},状态:{STATUS_TEXT[r.status]}")
    out.print(method_line(a))
