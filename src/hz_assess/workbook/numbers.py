"""A cell's value as the number a person sees in the spreadsheet, or an error saying why not.

Number formats decide what is shown: the section Excel uses for the value (sign or
[condition]), whether a % in it is real (not quoted, escaped or in [...]) and scales
by 100, whether it shows a date, hides the value, or scales it otherwise. Text is a
number only if nothing but surrounding spaces, thousands separators and full-width
forms of ASCII are dropped. No openpyxl here, and no I/O.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from decimal import Decimal

# Built-in number formats (ECMA-376 §18.8.30), with the zh-CN date and time formats
# Excel and WPS use under ids 27–36 and 50–58 without writing them into styles.xml:
# reading those as "General" would turn a date serial into a number.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"¥"#,##0_);("¥"#,##0)', 6: '"¥"#,##0_);[Red]("¥"#,##0)', 7: '"¥"#,##0.00_);("¥"#,##0.00)',
    8: '"¥"#,##0.00_);[Red]("¥"#,##0.00)', 9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)",
    41: '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)', 42: '_("¥"* #,##0_);_("¥"* (#,##0);_("¥"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)',
    44: '_("¥"* #,##0.00_);_("¥"* (#,##0.00);_("¥"* "-"??_);_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 48: "##0.0E+0", 49: "@",
    50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
}


def format_sections(fmt: str) -> list[str]:
    """The `;`-separated sections of a number format; a `;` quoted, escaped or in [...] does not split."""
    return list(_sections(fmt))


@functools.lru_cache(maxsize=1024)
def _sections(fmt: str) -> tuple[str, ...]:
    # a workbook has a handful of formats and a thousand cells: each format is parsed once
    sections, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i:end + 1])
            i = end + 1
            continue
        if ch == "[":
            end = fmt.find("]", i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i:end + 1])
            i = end + 1
            continue
        if ch in "\\!_*" and i + 1 < len(fmt):  # escaped char; _x pads by x's width; *x fills with x
            current.append(fmt[i:i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return tuple(sections)


CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\]")


def _condition_holds(section: str, value: float) -> bool | None:
    """None if the section has no [condition]; else whether `value` meets it."""
    m = CONDITION.search(section)
    if m is None:
        return None
    op, bound = m.group(1), float(m.group(2))
    return {"<": value < bound, ">": value > bound, "=": value == bound, "<=": value <= bound,
            ">=": value >= bound, "<>": value != bound}[op]


def number_section(fmt: str, value: float) -> str:
    """The section of `fmt` Excel uses to show the number `value`.

    One section: all numbers. Two: ≥ 0, < 0. Three or four: > 0, < 0, = 0 (the fourth is
    for text). With [conditions] in the first two sections, the first whose condition
    holds is used, else the next section without one.
    """
    sections = format_sections(fmt)
    numeric = sections[:3]
    conds = [_condition_holds(s, value) for s in numeric[:2]]
    if any(c is not None for c in conds):
        for section, holds in zip(numeric, conds, strict=False):
            if holds:
                return section
        rest = [s for s, c in zip(numeric, [*conds, None], strict=False) if c is None]
        return rest[0] if rest else numeric[-1]
    if len(numeric) == 1:
        return numeric[0]
    if value < 0:
        return numeric[1]
    if value == 0 and len(numeric) == 3:
        return numeric[2]
    return numeric[0]


@functools.lru_cache(maxsize=1024)
def _unquoted(section: str) -> str:
    """The section's format codes: quoted text, escaped and padding/fill characters and [...] removed.

    Elapsed-time brackets ([h], [mm], [ss]) stay: they are time codes, not decoration.
    """
    out, i = [], 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            i = len(section) if end < 0 else end + 1
        elif ch == "[":
            end = section.find("]", i + 1)
            inner = section[i + 1:] if end < 0 else section[i + 1:end]
            if re.fullmatch(r"[hH]+|[mM]+|[sS]+", inner):
                out.append(inner)
            i = len(section) if end < 0 else end + 1
        elif ch in "\\!_*":
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def scales_by_100(fmt: str, value: float) -> bool:
    """Whether the format shows `value` × 100: a % that is not quoted, escaped or in [...]."""
    return "%" in _unquoted(number_section(fmt, value))


def shows_as_date(fmt: str, value: float) -> bool:
    """Whether the format shows the number `value` as a date or a time."""
    return re.search(r"[dmyhsDMYHS]", _unquoted(number_section(fmt, value))) is not None


def shows_other_scale(fmt: str, value: float) -> bool:
    """Whether the format shows `value` scaled otherwise than by one %: a comma after the last
    digit placeholder (#,##0, shows 7500 as 8: ÷1000 per comma) or two % signs (×10000)."""
    codes = _unquoted(number_section(fmt, value))
    return codes.count("%") > 1 or re.search(r"[0#?],+(?![0#?])", codes) is not None


def hides_value(fmt: str, value: float) -> bool:
    """Whether the section for `value` is empty (";;;" shows nothing at all)."""
    return not number_section(fmt, value).strip()


def hides_text(fmt: str) -> bool:
    """Whether the format's text section (the fourth) is empty: text in the cell is not shown."""
    sections = format_sections(fmt)
    return len(sections) >= 4 and not sections[3].strip()


# ---------------------------------------------------------------- cell values


class CellValueError(ValueError):
    """A cell value we cannot accept; `message` (Chinese) says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


_Bad = CellValueError


def shown(value: object) -> str:
    """A value for a message: at most 20 characters."""
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"


# Characters folded before reading text as a number: full-width ASCII forms (７．５,
# －３, １，８４０, ７.５％), the minus sign and the ideographic space. Nothing else: NFKC
# would also turn ² into 2 and ⑦ into 7.
_FOLD = {0xFF01 + i: 0x21 + i for i in range(0xFF5E - 0xFF01 + 1)} | {0x2212: ord("-"), 0x3000: ord(" ")}
_EDGE_SPACE = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
GROUPED_RE = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
# No plan quantity comes near 10^15 (amounts are in 亿元); beyond it floats stop being exact
# integers, and sums of a few dozen values ×100 stay far from overflow.
MAX_ABS = Decimal(10) ** 15


def _finite(value: float | int | Decimal, typed: object) -> float:
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad("not_a_number", f"「{shown(typed)}」不是有限的数字,请填写实际数值")
    if abs(Decimal(value)) >= MAX_ABS:
        raise _Bad("not_a_number", f"数值「{shown(typed)}」过大(超过 10 的 15 次方),不是合理的实绩;请核对后重新填写")
    return float(value) + 0.0  # + 0.0 turns -0.0 (a "-0" typed or saved) into 0.0


def parse_number(value: object, number_format: str = "General") -> float | None:
    """A cell as a number in the indicator's unit; None if blank; CellValueError if not a number.

    A number shows ×100 when its format section has a real % (not quoted, escaped or in
    [...]): 0.075 shown as 7.5% is 7.5; 5.6 under 0.0"%" shows 5.6% and stays 5.6.
    Text "7.5%" means 7.5, the percent typed. A number the format shows as a date,
    hides (";;;") or scales otherwise (a trailing comma ÷1000, %% ×10000) is an error:
    the person filling in did not see that number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad("not_a_number", f"应为数字,实际为逻辑值 {'TRUE' if value else 'FALSE'}")
    if isinstance(value, int | float):
        number = _finite(value, value)
        if hides_value(number_format, number):
            raise _Bad("hidden_by_format", f"单元格的数字格式「{number_format}」使数值 {shown(value)} 不显示;"
                                           "请把单元格格式改为“常规”或“数值”并核对")
        if shows_as_date(number_format, number):
            raise _Bad("not_a_number", f"应为数字,但单元格格式「{number_format}」把 {shown(value)} 显示为日期/时间;"
                                       "请把单元格格式改为“常规”或“数值”后重新填写")
        if shows_other_scale(number_format, number):
            # what the person saw is not the number saved; guessing which one they meant is not ours to do
            raise _Bad("scaled_by_format", f"单元格格式「{number_format}」把保存的数值 {shown(value)} 按千、百万或万倍"
                                           "缩放后显示,看到的数字与保存的不同;请把单元格格式改为“常规”,按指标单位填写")
        if scales_by_100(number_format, number):
            return _finite(Decimal(repr(number)) * 100, value)
        return number
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise _Bad("not_a_number", f"应为数字,实际为日期/时间 {value};请把单元格格式改为“常规”或“数值”后重新填写")
    if not isinstance(value, str):
        raise _Bad("not_a_number", f"应为数字,实际为「{shown(value)}」,请改填数字")
    text = _EDGE_SPACE.sub("", value.translate(_FOLD))
    if text in ("", "-", "--"):
        return None
    body = text[:-1] if text.endswith("%") else text
    if GROUPED_RE.fullmatch(body):
        body = body.replace(",", "")
    if not NUMBER_RE.fullmatch(body):
        raise _Bad("not_a_number", f"「{shown(value)}」不是数字,请填写数字(如 7.5 或 1840);"
                                   "除首尾空格和千位分隔符外不能有其他字符")
    return _finite(Decimal(body), value)
