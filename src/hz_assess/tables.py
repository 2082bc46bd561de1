"""Plain tables (a header and rows) as CSV or Markdown text; stdlib only.

Text cells that a spreadsheet would run as a formula (= + - @, and their full-width
forms) are neutralised with a leading apostrophe, so a hostile unit name or 依据
typed into a workbook cannot turn into a live formula when the CSV is opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

Row = Sequence[object]
FORMULA_PREFIXES = ("=", "+", "-", "@", "=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that starts like a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


def to_csv(headers: Row, rows: Sequence[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(cell_text(v)) for v in row])
    return buf.getvalue()


def to_md(headers: Row, rows: Sequence[Row]) -> str:
    def esc(v: object) -> str:
        return cell_text(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
