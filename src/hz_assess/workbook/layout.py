"""What the actuals workbook looks like: sheet names, labels, the period, text matching.

Shared by the template writer and the reader so the two cannot drift apart. No openpyxl here.
"""

from __future__ import annotations

import re
import unicodedata

from hz_assess.errors import Problem, UsageError
from hz_assess.models import NO_BREAKDOWN, Plan

SHEET_UNITS, SHEET_CITY, SHEET_DEPTS, SHEET_ADJ, SHEET_NOTES = "县区实绩", "全市目标", "部门评价", "加减分", "说明"
PERIOD_LABEL = "期别"
PERIOD_NAME = "HZ_PERIOD"  # defined name pointing at the period cell, for other programs
PLAN_LABEL = "计划编号"  # the plan's id: a workbook made for another plan is refused
SCOPE_LABEL = "填报范围"  # what a return form is for (SPEC §3.1): 全部, 县区:长兴县, 部门:市经信委, 全市
SHEET_SOURCES = "来源"  # collect's record of where every value came from
INFO_FIELDS = ("填报单位", "填报人", "联系电话", "审核人", "填报日期")  # 说明's 填报信息 block
# where the template puts things (the reader finds them by their labels; collect and examples write here)
FIRST_ROW, FIRST_UNIT_COL = 5, 5  # 县区实绩: indicator 1 on row 5, 全市 in column E
LIST_FIRST_ROW = 4  # 全市目标, 部门评价, 加减分: the first row under the header
CITY_ACTUAL_COL, RATING_COL = 5, 4  # 全市目标 实绩 (E), 部门评价 评价 (D); 加减分 is 对象…备注 from A
CITY_NOTE_COL, RATING_NOTE_COL, ADJ_NOTE_COL = 6, 5, 6  # 备注; 县区实绩's is right of the last unit
NOT_ASSESSED = "不考核"
YEAR_END = "年底评定"  # a row judged only at year end, in a quarterly form
TARGET_PREFIX = "目标"  # header prefix of the read-only target block next to the actuals
BLANK_MARKERS = {"", NO_BREAKDOWN, "—", "-", "--", "/", "、", NOT_ASSESSED, "无", YEAR_END}
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "Err:502"}
PERIOD_RE = re.compile(r"(\d{4})(Q[1-4])?")


# ---------------------------------------------------------------- text helpers


def norm(value: object) -> str:
    """Text as compared: NFKC (full-width -> half-width), no spaces, no quotes or brackets."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s“”\"'‘’「」()\[\]【】:]", "", text)


def period_text(period: str) -> str:
    m = PERIOD_RE.fullmatch(period)
    assert m
    return f"{m.group(1)}年度" if not m.group(2) else f"{m.group(1)}年第{m.group(2)[1]}季度"


def check_period(plan: Plan, period: str) -> str:
    """The period if it is 2017 or 2017Q1…Q4 of the plan's year; else UsageError."""
    p = period.strip().upper()
    m = PERIOD_RE.fullmatch(p)
    if not m or int(m.group(1)) != plan.info.year:
        y = plan.info.year
        raise UsageError(Problem("bad_period", "", f"期别「{period}」无效,应为 {y}(全年)或 {y}Q1…{y}Q4(季度)"))
    return p


def text_width(text: str) -> float:
    """Display width in Excel column units: CJK characters are about two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)
