"""Plain tables (a header and rows) as CSV or Markdown text; stdlib only.

Text cells that a spreadsheet would run as a formula (= + - @, and their full-width
forms) are neutralised with a leading apostrophe, so a hostile unit name or 依据
typed into a workbook cannot turn into a live formula when the CSV is opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from hz_assess.models import Assessment, IndicatorResult

Row = Sequence[object]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that starts like a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # targets, actuals and gaps as typed (1.375 stays 1.375); 6 places hide float noise
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


def to_csv(headers: Row, rows: Sequence[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        # only text typed by people can carry a formula; numbers (even negative) stay numbers
        writer.writerow([neutralise(v) if isinstance(v, str) else cell_text(v) for v in row])
    return buf.getvalue()


def to_md(headers: Row, rows: Sequence[Row]) -> str:
    def esc(v: object) -> str:
        return cell_text(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- assessment tables

STATUS_TEXT = {"met": "达标", "below": "未达标", "missing": "缺数据", "not_applicable": "不考核", "pending": "待评定"}


def s2(x: float | None) -> str:
    """A score as shown to people: always two decimals (full precision stays in JSON)."""
    return "" if x is None else f"{x:.2f}"


def flags(provisional: bool, vetoed: bool = False) -> str:
    marks = (["暂定"] if provisional else []) + (["一票否决"] if vetoed else [])
    return "、".join(marks)


def district_rows(a: Assessment) -> tuple[list[str], list[list[object]]]:
    cats = list(a.districts[0].categories) if a.districts else []
    headers = ["排名", "县区", "总分", *cats, "加分", "扣分", "等次", "标记"]
    rows: list[list[object]] = [
        [d.rank, d.name, s2(d.score), *[s2(d.categories.get(c)) for c in cats], s2(d.bonus), s2(d.deductions),
         d.grade, flags(d.provisional, d.vetoed)]
        for d in a.districts
    ]
    return headers, rows


def department_rows(a: Assessment) -> tuple[list[str], list[list[object]]]:
    headers = ["排名", "部门", "总分", "指标得分", "评价得分", "评价", "加分", "扣分", "等次", "标记"]
    rows: list[list[object]] = [
        [d.rank, d.name, s2(d.score), s2(d.indicator_part), s2(d.rating_part), d.rating, s2(d.bonus),
         s2(d.deductions), d.grade, flags(d.provisional)]
        for d in a.departments
    ]
    return headers, rows


def indicator_rows(unit: str, results: list[IndicatorResult]) -> tuple[list[str], list[list[object]]]:
    headers = ["单位", "序号", "主要指标", "计量单位", "目标", "实绩", "完成率", "分值", "得分", "状态"]
    rows: list[list[object]] = [
        [unit, r.id, r.name, r.unit, r.target, r.actual,
         None if r.completion is None else f"{r.completion * 100:.1f}%", r.points, s2(r.score),
         STATUS_TEXT[r.status]]
        for r in results
    ]
    return headers, rows
