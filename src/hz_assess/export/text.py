"""The text reports: JSON (the stable shape of SPEC §5), CSV and Markdown.

CSV holds the two ranked tables, districts first, then a blank line, then the
departments (the same layout as `score --format csv`), so each block pastes into
a sheet as it is. Markdown is meant to be pasted into a briefing: ranks, then
each district's shortfalls ordered by points lost.
"""

from __future__ import annotations

import json

from hz_assess.models import Assessment, Plan, UnitResult
from hz_assess.scoring import gap_report
from hz_assess.tables import STATUS_TEXT, cell_text, department_rows, district_rows, s2, to_csv, to_md

# Full-width ＝ ＋ － ＠: some IMEs and Excel locales turn these into a live formula on entry.


def render_json(a: Assessment) -> str:
    """The JSON report; `score --format json` prints exactly this."""
    return json.dumps(a.model_dump(mode="json"), ensure_ascii=False, indent=2)


def render_csv(a: Assessment) -> str:
    """District ranks, a blank line, department ranks; formula-like cells neutralised."""
    blocks = []
    for headers, rows in (district_rows(a), department_rows(a)):
        blocks.append(to_csv(headers, rows))
    return "\r\n".join(blocks)


def percent(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}%"


def period_label(period: str) -> str:
    return f"{period} 季度督查" if "Q" in period else f"{period} 年度考核"


def provenance_lines(a: Assessment) -> list[str]:
    """Where every number came from: plan, input, method (SPEC §4: say which method)."""
    lines = [
        f"计划:{a.plan.title}({a.plan.id}),文件 {a.plan.path or '内置'},sha256 {a.plan.sha256}",
        f"输入:{a.input.path},sha256 {a.input.sha256},期别 {a.input.period}",
        f"评分方法:{a.method.label}",
    ]
    lines += [f"方法调整:{c}" for c in a.method.changes]
    if a.method.proration:
        lines.append(a.method.proration)
    return lines


def _md_shortfalls(a: Assessment, d: UnitResult) -> list[str]:
    report = gap_report(a, district=d.name)
    head = f"### {d.name}(总分 {s2(d.score)},第 {d.rank} 名,{d.grade}{',暂定' if d.provisional else ''})"
    out = ["", head, ""]
    if report.shortfalls:
        headers = ["序号", "主要指标", "目标", "实绩", "差距", "计量单位", "完成率", "失分"]
        rows: list[list[object]] = [
            [g.result.id, g.result.name, g.result.target, g.result.actual, g.gap, g.result.unit,
             percent(g.result.completion), s2(g.points_lost)]
            for g in report.shortfalls
        ]
        out.append(f"未达标 {len(rows)} 项(按失分从多到少):")
        out += ["", to_md(headers, rows).rstrip("\n")]
    else:
        out.append("没有未达标的指标。")
    if report.missing:
        items = "、".join(f"{r.id} {r.name}({r.where or '未填报'})" for r in report.missing)
        lo, hi = d.score_range
        out += ["", f"缺数据 {len(report.missing)} 项:{items};补齐后总分可能在 {s2(lo)} 至 {s2(hi)} 之间。"]
    for adj in d.adjustments:
        kind = "加分" if adj.points > 0 else "扣分"
        out += ["", f"- {kind} {adj.points:+g}:{adj.item}" + (f"(依据:{adj.basis})" if adj.basis else "")]
    return out


def _md_city(a: Assessment) -> list[str]:
    c = a.city
    cats = ",".join(f"{k} {s2(v)}" for k, v in c.categories.items())
    out = ["", "## 全市进展(不参与排名)", "",
           f"附件1得分 {s2(c.score)}{'(暂定)' if c.provisional else ''};{cats}", ""]
    headers = ["编号", "目标", "计量单位", "目标值", "实绩", "完成率", "状态"]
    rows: list[list[object]] = [
        [r.id, r.name, r.unit, r.target, r.actual, percent(r.completion), STATUS_TEXT[r.status]]
        for r in c.city_targets
    ]
    if rows:
        out += ["全市其他量化目标:", "", to_md(headers, rows).rstrip("\n")]
    return out


def render_md(a: Assessment, plan: Plan | None = None) -> str:
    """A briefing in Markdown: provenance, ranks, city progress, shortfalls, warnings."""
    del plan  # the text reports need nothing beyond the assessment
    out = [f"# {a.plan.title} {period_label(a.input.period)}", ""]
    out += [f"- {line}" for line in provenance_lines(a)]
    out += ["", "## 县区排名", "", to_md(*district_rows(a)).rstrip("\n")]
    out += ["", "## 部门排名", "", to_md(*department_rows(a)).rstrip("\n")]
    out += _md_city(a)
    out += ["", "## 各县区未达标指标"]
    for d in a.districts:
        out += _md_shortfalls(a, d)
    if a.warnings:
        out += ["", "## 注意", ""] + [f"- {cell_text(w)}" for w in a.warnings]
    out += ["", "得分保留全部精度计算,表中显示为两位小数。"]
    return "\n".join(out) + "\n"
