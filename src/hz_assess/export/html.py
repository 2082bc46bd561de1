"""A document as one self-contained HTML page, readable offline and printable on A4.

No scripts, no fonts or images from anywhere: charts are inline SVG drawn here from
the chart views, styles are inline CSS. Every piece of text goes through
html.escape, because unit names and 加减分 items come from files people type into.
"""

from __future__ import annotations

from html import escape

from hz_assess.views import Chart, Document, Table, Text, show

CATEGORY_COLOURS = ("#4472c4", "#ed7d31", "#70ad47", "#ffc000", "#5b9bd5", "#a5a5a5")
NUMERIC_KINDS = ("int", "score", "value", "percent", "points")

CSS = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
       margin: 24px; color: #222; font-size: 14px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 2px solid #4472c4; }
.meta { color: #555; font-size: 12px; margin: 2px 0; word-break: break-all; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; }
th { background: #d9e1f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.grade0 td { background: #c6efce; } tr.grade1 td { background: #ddebf7; } tr.grade2 td { background: #fff2cc; }
tr.grade3 td { background: #ffc7ce; } td.below { background: #ffc7ce; } td.missing { background: #ffeb9c; }
td.na { background: #ededed; color: #777; }
svg { max-width: 100%; height: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.profile { border: 1px solid #ddd; padding: 4px; flex: 1 1 280px; max-width: 320px; }
ul.lines li { font-size: 13px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 11px; } table { font-size: 10px; }
  thead { display: table-header-group; } tr, .profile, svg { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
@media (max-width: 600px) { body { margin: 8px; } table { font-size: 12px; } th, td { padding: 2px 4px; } }
"""


def html_table(t: Table) -> str:
    head = "".join(f"<th>{escape(c.title)}</th>" for c in t.columns)
    body = []
    for i, (texts, mark) in enumerate(zip(t.texts(), t.marks or [""] * len(t.rows), strict=True)):
        cells = []
        for j, (text, col) in enumerate(zip(texts, t.columns, strict=True)):
            classes = [c for c in ("num" if col.kind in NUMERIC_KINDS else "", t.cell_marks.get((i, j), "")) if c]
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        row_cls = f' class="{mark}"' if mark else ""
        body.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
    notes = "".join(f"<p>{escape(n)}</p>" for n in t.notes)
    table = f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="scroll">{table}</div>{notes}'


def bar_chart(c: Chart, *, width: int = 720, height: int = 280) -> str:
    """Vertical bars with value labels; the axis starts at 0 and reaches a round number."""
    values = [v or 0.0 for v in c.values]
    top = max([100.0, *values])
    top = float(int(top / 20 + 0.999) * 20)
    left, bottom, pad = 44, 40, 20
    plot_w, plot_h = width - left - pad, height - bottom - pad
    step = plot_w / max(len(values), 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" aria-label="{escape(c.title)}">']
    for tick in range(0, int(top) + 1, 20):
        y = pad + plot_h * (1 - tick / top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>')
    for i, (label, value) in enumerate(zip(c.labels, values, strict=True)):
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


def profile_chart(c: Chart) -> str:
    """One unit's categories as horizontal bars, each as a share of its full points."""
    width, row_h, label_w = 300, 22, 70
    full = c.full or [1.0] * len(c.labels)
    height = 26 + row_h * len(c.labels)
    label = escape(f"{c.title} 分栏目得分")
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" aria-label="{label}">'
             f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(c.title)}</text>']
    bar_w = width - label_w - 56
    for i, (cat, value, top) in enumerate(zip(c.labels, c.values, full, strict=True)):
        y = 24 + i * row_h
        share = 0.0 if value is None or top <= 0 else min(max(value / top, 0.0), 1.0)
        shown = "不考核" if value is None else f"{value:.2f}/{show(top, 'value')}"
        colour = CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 13}" font-size="11" text-anchor="end">{escape(cat)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 8}" fill="#f0f0f0"/>'
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w * share:.1f}" height="{row_h - 8}" fill="{colour}"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 13}" font-size="10">{escape(shown)}</text>')
    return "".join(parts) + "</svg>"


def render_html(doc: Document) -> str:
    """The whole document as one HTML page with inline CSS and SVG."""
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(doc.title)}</title><style>{CSS}</style></head><body>", f"<h1>{escape(doc.title)}</h1>"]
    out += [f'<p class="meta">{escape(line)}</p>' for line in doc.meta]
    profiles: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Chart) and block.full is not None:
            profiles.append(f'<div class="profile">{profile_chart(block)}</div>')
            continue
        if profiles:
            out.append(f'<h2>分栏目得分(条长 = 占该栏目满分的比例)</h2><div class="charts">{"".join(profiles)}</div>')
            profiles = []
        if isinstance(block, Chart):
            out.append(bar_chart(block))
        elif isinstance(block, Table):
            out += [f"<h2>{escape(block.title)}</h2>", html_table(block)]
        elif isinstance(block, Text):
            if block.title:
                out.append(f"<h2>{escape(block.title)}</h2>")
            if len(block.lines) > 1:
                out.append('<ul class="lines">' + "".join(f"<li>{escape(x)}</li>" for x in block.lines) + "</ul>")
            else:
                out += [f"<p>{escape(x)}</p>" for x in block.lines]
    out.append("</body></html>")
    return "\n".join(out) + "\n"
