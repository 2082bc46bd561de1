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
NOT_ASSESSED = "不考核"
TARGET_PREFIX = "目标"  # header prefix of the read-only target block next to the actuals
BLANK_MARKERS = {"", NO_BREAKDOWN, "—", "-", "--", "/", "、", NOT_ASSESSED, "无"}
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


