"""The .html report: one self-contained page, readable offline and printable on A4.

No scripts, no fonts or images from anywhere: the charts are inline SVG drawn
here, the styles are inline CSS. Every piece of text goes through html.escape,
because unit names and 加减分 items come from files people type into.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from hz_assess.export.text import percent, period_label, provenance_lines
from hz_assess.models import Assessment, Plan
from hz_assess.scoring import gap_report
from hz_assess.tables import STATUS_TEXT, cell_text, department_rows, district_rows, s2

GRADE_CLASSES = ("g0", "g1", "g2", "g3")
CATEGORY_COLOURS = ("#4472c4", "#ed7d31", "#70ad47", "#ffc000", "#5b9bd5", "#a5a5a5")

CSS = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
       margin: 24px; color: #222; font-size: 14px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 2px solid #4472c4; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #555; font-size: 12px; margin: 2px 0; word-break: break-all; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; }
th { background: #d9e1f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.g0 td { background: #c6efce; } tr.g1 td { background: #ddebf7; } tr.g2 td { background: #fff2cc; }
tr.g3 td { background: #ffc7ce; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.profile { border: 1px solid #ddd; padding: 4px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
ul.warnings li { font-size: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 11px; } table { font-size: 10px; }
  thead { display: table-header-group; } tr, .profile, svg { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; } section.district, section.profiles { break-inside: avoid; }
}
"""


def _table(headers: Sequence[object], rows: Sequence[Sequence[object]], classes: Sequence[str] = (),
           num_from: int = 99) -> str:
    head = "".join(f"<th>{escape(cell_text(h))}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
        cells = "".join(
            f'<td class="num">{escape(cell_text(v))}</td>' if j >= num_from else f"<td>{escape(cell_text(v))}</td>"
            for j, v in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _grade_class(a: Assessment, grade: str) -> str:
    names = [g.name for g in a.method.params.grades]
    index = names.index(grade) if grade in names else len(GRADE_CLASSES) - 1
    return GRADE_CLASSES[min(index, len(GRADE_CLASSES) - 1)]


def bar_chart(labels: Sequence[str], values: Sequence[float], *, width: int = 720, height: int = 280) -> str:
    """Vertical bars with value labels; the axis starts at 0 and reaches a round number."""
    top = max([100.0, *values]) if values else 100.0
    top = float(int(top / 20 + 0.999) * 20)
    left, bottom, pad = 44, 40, 20
    plot_w, plot_h = width - left - pad, height - bottom - pad
    step = plot_w / max(len(values), 1)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="县区总分">']
    for tick in range(0, int(top) + 1, 20):
        y = pad + plot_h * (1 - tick / top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * max(value, 0.0) / top
        x = left + i * step + step * 0.2
        y = pad + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.6:.1f}" height="{h:.1f}" fill="#4472c4"/>'
            f'<text x="{x + step * 0.3:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{value:.2f}</text>'
            f'<text x="{x + step * 0.3:.1f}" y="{height - bottom + 18}" font-size="12" '
            f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{pad + plot_h}" x2="{width - pad}" y2="{pad + plot_h}" stroke="#333"/>')
    return "".join(parts) + "</svg>"


def _category_full(a: Assessment, plan: Plan | None) -> dict[str, float]:
    """Each category's full points; without the plan, the best district's score stands in."""
    cats = list(a.districts[0].categories) if a.districts else []
    if plan is not None:
        return {c: sum(i.points for i in plan.indicators if i.category == c) for c in cats}
    return {c: max([d.categories.get(c, 0.0) for d in a.districts] + [1e-9]) for c in cats}


def profile_chart(name: str, values: dict[str, float], full: dict[str, float]) -> str:
    """One district's six categories as horizontal bars, each as a share of its full points."""
    width, row_h, label_w = 300, 22, 70
    height = 26 + row_h * len(full)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(name)} 分栏目得分"><text x="4" y="16" font-size="13" '
             f'font-weight="bold">{escape(name)}</text>']
    bar_w = width - label_w - 56
    for i, (cat, top) in enumerate(full.items()):
        y = 24 + i * row_h
        value = values.get(cat)
        share = 0.0 if value is None or top <= 0 else min(max(value / top, 0.0), 1.2)
        shown = "不考核" if value is None else f"{value:.2f}/{top:g}"
        colour = CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 13}" font-size="11" text-anchor="end">{escape(cat)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 8}" fill="#f0f0f0"/>'
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w * min(share, 1.0):.1f}" height="{row_h - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 13}" font-size="10">{escape(shown)}</text>')
    return "".join(parts) + "</svg>"


def _shortfalls(a: Assessment) -> list[str]:
    out = ["<h2>各县区未达标指标(按失分排序)</h2>"]
    headers = ["序号", "主要指标", "目标", "实绩", "差距", "计量单位", "完成率", "失分"]
    for d in a.districts:
        report = gap_report(a, district=d.name)
        out.append(f'<section class="district"><h3>{escape(d.name)}:总分 {s2(d.score)},第 {d.rank} 名,'
                   f'{escape(d.grade)}{",暂定" if d.provisional else ""}</h3>')
        rows = [[g.result.id, g.result.name, g.result.target, g.result.actual, g.gap, g.result.unit,
                 percent(g.result.completion), s2(g.points_lost)] for g in report.shortfalls]
        out.append(_table(headers, rows, num_from=2) if rows else "<p>没有未达标的指标。</p>")
        if report.missing:
            items = "、".join(f"{r.id} {r.name}({r.where or '未填报'})" for r in report.missing)
            out.append(f"<p>缺数据:{escape(items)}</p>")
        for x in d.adjustments:
            basis = f"(依据:{x.basis})" if x.basis else ""
            out.append(f"<p>{'加分' if x.points > 0 else '扣分'} {x.points:+g}:{escape(x.item + basis)}</p>")
        out.append("</section>")
    return out


def _city(a: Assessment) -> list[str]:
    c = a.city
    cats = ",".join(f"{k} {s2(v)}" for k, v in c.categories.items())
    rows = [[r.id, r.name, r.unit, r.target, r.actual, percent(r.completion), STATUS_TEXT[r.status]]
            for r in c.city_targets]
    return [f"<h2>全市进展(不参与排名)</h2><p>附件1得分 {s2(c.score)}{'(暂定)' if c.provisional else ''};"
            f"{escape(cats)}</p>",
            _table(["编号", "目标", "计量单位", "目标值", "实绩", "完成率", "状态"], rows, num_from=3)]


def render_html(a: Assessment, plan: Plan | None = None) -> str:
    """The whole report as one HTML document with inline CSS and SVG."""
    title = f"{a.plan.title} {period_label(a.input.period)}"
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{escape(title)}</title><style>{CSS}</style></head><body>", f"<h1>{escape(title)}</h1>"]
    out += [f'<p class="meta">{escape(line)}</p>' for line in provenance_lines(a)]
    headers, rows = district_rows(a)
    out += ["<h2>县区排名</h2>", _table(headers, rows, [_grade_class(a, d.grade) for d in a.districts], 2)]
    out.append(bar_chart([d.name for d in a.districts], [d.score for d in a.districts]))
    full = _category_full(a, plan)
    scale = "占该栏目满分的比例" if plan is not None else "相对于该栏目最高分"
    legend = "".join(f'<span><i style="background:{CATEGORY_COLOURS[i % 6]}"></i>{escape(c)}</span>'
                     for i, c in enumerate(full))
    out += [f'<section class="profiles"><h3>分栏目得分(条长 = {scale})</h3>',
            f'<div class="legend">{legend}</div><div class="charts">']
    out += [f'<div class="profile">{profile_chart(d.name, d.categories, full)}</div>' for d in a.districts]
    out.append("</div></section>")
    headers, rows = department_rows(a)
    out += ["<h2>部门排名</h2>", _table(headers, rows, [_grade_class(a, d.grade) for d in a.departments], 2)]
    out += _city(a)
    out += _shortfalls(a)
    if a.warnings:
        out += ["<h2>注意</h2>", '<ul class="warnings">', *[f"<li>{escape(w)}</li>" for w in a.warnings], "</ul>"]
    out.append("<p class=\"meta\">得分保留全部精度计算,表中显示为两位小数。</p></body></html>")
    return "\n".join(out) + "\n"
