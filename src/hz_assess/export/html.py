"""A document as one self-contained HTML page, readable offline, on a phone and printed on A4.

No scripts, no fonts or images from anywhere: charts are inline SVG drawn here from
the chart views (fluid: they shrink with the page), styles are inline CSS. A wide
table scrolls sideways in its own box on a phone; the page itself never does. The
document's meta lines are its masthead (issuing body, date, 暂定结果), centred under
the title. Every piece of text goes through html.escape, because unit names and 加减分
items come from files people type into.
"""

from __future__ import annotations

from html import escape

from hz_assess.views import Chart, Document, IntervalChart, Table, Text, width

CATEGORY_COLOURS = ("#4472c4", "#ed7d31", "#70ad47", "#ffc000", "#5b9bd5", "#a5a5a5")
NUMERIC_KINDS = ("int", "score", "value", "percent", "points")

CSS = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
       margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; font-size: 15px; }
h1 { font-size: 24px; margin: 8px 0 4px; text-align: center; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 2px solid #4472c4; }
.masthead { text-align: center; color: #333; font-size: 14px; margin: 2px 0; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 14em; max-width: 32em; }
th { background: #d9e1f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.grade0 td { background: #c6efce; } tr.grade1 td { background: #ddebf7; } tr.grade2 td { background: #fff2cc; }
tr.grade3 td { background: #ffc7ce; } tr.provisional td { background: #ffeb9c; }
td.below { background: #ffc7ce; } td.missing { background: #ffeb9c; }
td.na { background: #ededed; color: #777; }
.note { font-size: 14px; color: #444; }
svg { display: block; width: 100%; height: auto; }
.chart { max-width: 560px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.profile { border: 1px solid #ddd; padding: 4px; flex: 0 1 300px; min-width: 0; }
ul.lines li { font-size: 14px; }
.about { color: #555; font-size: 13px; word-break: break-all; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 12px; } table { font-size: 12px; }  /* 9 pt */
  thead { display: table-header-group; } tr, .profile, svg { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
@media (max-width: 600px) {
  body { margin: 8px auto; padding: 0 8px; font-size: 14px; } h1 { font-size: 20px; }
  table { font-size: 13px; } th, td { padding: 3px 5px; } .profile { max-width: none; }
}
"""


WRAP_WIDTH = 40  # a column with a text wider than this (CJK counted double) wraps instead of widening the table


def html_table(t: Table) -> str:
    """A table in its scroll box, its notes below; a table with no rows is only its notes (a sentence
    such as 没有未达标的指标), never a header over nothing."""
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in t.notes)
    if not t.rows:
        return notes or '<p class="note">无</p>'
    head = "".join(f"<th>{escape(c.title)}</th>" for c in t.columns)
    rows = t.texts()
    wraps = [any(width(row[j]) > WRAP_WIDTH for row in rows) for j in range(len(t.columns))]
    body = []
    for i, (texts, mark) in enumerate(zip(rows, t.marks or [""] * len(t.rows), strict=True)):
        cells = []
        for j, (text, col) in enumerate(zip(texts, t.columns, strict=True)):
            kinds = ("num" if col.kind in NUMERIC_KINDS else "", "wrap" if wraps[j] else "",
                     t.cell_marks.get((i, j), ""))
            classes = [c for c in kinds if c]
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        row_cls = f' class="{mark}"' if mark else ""
        body.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
    table = f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="scroll">{table}</div>{notes}'


MIN_LABEL_PX = 12  # no chart text smaller than 12 px (9 pt) where the chart is drawn at its design width


def bar_chart(c: Chart) -> str:
    """Horizontal bars with value labels, one row per unit: names stay legible when a phone shrinks it.

    The axis starts at 0 and reaches a round number; the SVG has a viewBox and no fixed size,
    so it takes the width of its box (at most .chart's max-width) and keeps its proportions.
    Labels are 18 units high: 12 px still when a 400 px phone draws the chart at 380 px."""
    values = [v or 0.0 for v in c.values]
    top = max([100.0, *values])
    top = float(int(top / 20 + 0.999) * 20)
    width, label_w, value_w, row_h, head = 560, 120, 76, 34, 30
    plot_w = width - label_w - value_w
    height = head + row_h * len(values) + 10
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(c.title)}">'
             f'<text x="{width / 2:.0f}" y="20" font-size="18" font-weight="bold" text-anchor="middle">'
             f'{escape(c.title)}</text>']
    for tick in range(0, int(top) + 1, 20):
        x = label_w + plot_w * tick / top
        parts.append(f'<line x1="{x:.1f}" y1="{head}" x2="{x:.1f}" y2="{height - 10}" stroke="#e3e3e3"/>')
    for i, (label, value) in enumerate(zip(c.labels, values, strict=True)):
        y = head + i * row_h
        w = plot_w * max(value, 0.0) / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 23}" font-size="18" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="#4472c4"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 23}" font-size="18">{value:.2f}</text>')
    parts.append(f'<line x1="{label_w}" y1="{head}" x2="{label_w}" y2="{height - 10}" stroke="#333"/>')
    return "".join(parts) + "</svg>"


def profile_chart(c: Chart) -> str:
    """One unit's categories as horizontal bars, each as a share of its full points, with "score/full" both
    to two decimals (a unit that lacks a row has a category full of 4.17, not 4.1666…). Drawn 300 units
    wide in a card about 290 px wide: 13-unit text stays above 12 px, and the figures have room for
    "100.00/100.00" right of the bars."""
    width, row_h, label_w, value_w = 300, 24, 60, 88
    full = c.full or [1.0] * len(c.labels)
    height = 30 + row_h * len(c.labels)
    label = escape(f"{c.title} 分栏目得分")
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
             f'<text x="4" y="18" font-size="15" font-weight="bold">{escape(c.title)}</text>']
    bar_w = width - label_w - value_w - 4
    for i, (cat, value, top) in enumerate(zip(c.labels, c.values, full, strict=True)):
        y = 28 + i * row_h
        share = 0.0 if value is None or top <= 0 else min(max(value / top, 0.0), 1.0)
        shown = "不考核" if value is None else f"{value:.2f}/{top:.2f}"
        colour = CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 15}" font-size="13" text-anchor="end">{escape(cat)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="#f0f0f0"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * share:.1f}" height="{row_h - 8}" fill="{colour}"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 15}" font-size="13">{escape(shown)}</text>')
    return "".join(parts) + "</svg>"


def render_html(doc: Document, appendix: Document | None = None) -> str:
    """The whole document as one HTML page with inline CSS and SVG; `appendix` (the robustness analysis)
    as a last section."""
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(doc.title)}</title><style>{CSS}</style></head><body>", f"<h1>{escape(doc.title)}</h1>"]
    out += [f'<p class="masthead">{escape(line)}</p>' for line in doc.meta]
    profiles: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Chart) and block.full is not None:
            profiles.append(f'<div class="profile">{profile_chart(block)}</div>')
            continue
        if profiles:
            out.append(f'<h2>分栏目得分（条长为占该栏目满分的比例）</h2><div class="charts">{"".join(profiles)}</div>')
            profiles = []
        if isinstance(block, Chart):
            out.append(f'<div class="chart">{bar_chart(block)}</div>')
        elif isinstance(block, Table):
            out += [f"<h2>{escape(block.title)}</h2>", html_table(block)]
        elif isinstance(block, Text):
            if block.name == "about":
                out.append(f"<h2>{escape(block.title)}</h2>")
                out += [f'<p class="about">{escape(x)}</p>' for x in block.lines]
                continue
            if block.title:
                out.append(f"<h2>{escape(block.title)}</h2>")
            if len(block.lines) > 1:
                out.append('<ul class="lines">' + "".join(f"<li>{escape(x)}</li>" for x in block.lines) + "</ul>")
            else:
                out += [f"<p>{escape(x)}</p>" for x in block.lines]
    if appendix is not None:
        out += appendix_html(appendix)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def appendix_html(doc: Document) -> list[str]:
    """An appendix: its title, tables, rank-interval charts and text blocks, every text escaped."""
    out = [f"<h2>附录:{escape(doc.title)}</h2>"]
    for block in doc.blocks:
        if isinstance(block, IntervalChart):
            out.append(f'<div class="chart">{interval_chart(block)}</div>')
        elif isinstance(block, Table):
            out += [f"<h2>{escape(block.title)}</h2>", html_table(block)]
        elif isinstance(block, Text):
            if block.title:
                out.append(f"<h2>{escape(block.title)}</h2>")
            out.append('<ul class="lines">' + "".join(f"<li>{escape(x)}</li>" for x in block.lines) + "</ul>")
    return out


def interval_chart(c: IntervalChart) -> str:
    """Rank intervals, one row per unit: a line from its 5% to its 95% rank, a tick at the median, a dot
    at its rank under the method. Rank 1 is on the left; the SVG scales with its box."""
    width, label_w, right, row_h, head = 560, 130, 20, 26, 44
    ranks = max(c.ranks, 1)
    plot_w = width - label_w - right
    height = head + row_h * len(c.labels) + 8

    def x(rank: float) -> float:
        return label_w + (plot_w * (rank - 1) / (ranks - 1) if ranks > 1 else plot_w / 2)

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(c.title)}">'
             f'<text x="{width / 2:.0f}" y="16" font-size="15" font-weight="bold" text-anchor="middle">'
             f'{escape(c.title)}</text>']
    for rank in range(1, ranks + 1):
        parts.append(f'<line x1="{x(rank):.1f}" y1="{head - 8}" x2="{x(rank):.1f}" y2="{height - 8}" stroke="#e3e3e3"/>'
                     f'<text x="{x(rank):.1f}" y="{head - 12}" font-size="13" text-anchor="middle">{rank}</text>')
    for i, label in enumerate(c.labels):
        y = head + i * row_h + row_h / 2
        low, high, median = c.low[i], c.high[i], c.median[i]
        nominal = c.values[i] or 0.0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 5:.1f}" font-size="14" text-anchor="end">{escape(label)}</text>'
            f'<line x1="{x(low):.1f}" y1="{y:.1f}" x2="{x(high):.1f}" y2="{y:.1f}" stroke="#4472c4" stroke-width="6" '
            f'stroke-linecap="round"/>'
            f'<line x1="{x(median):.1f}" y1="{y - 8:.1f}" x2="{x(median):.1f}" y2="{y + 8:.1f}" stroke="#333" '
            f'stroke-width="2"/>'
            f'<circle cx="{x(nominal):.1f}" cy="{y:.1f}" r="5" fill="#ed7d31"/>')
    return "".join(parts) + "</svg>"
