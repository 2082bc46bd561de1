"""The actuals workbook (SPEC §3): write the template a user fills in, read it back.

`write_template` writes the workbook (or a unit's return form), `read_actuals` reads
a filled one into Actuals (WorkbookError listing every problem), `validate_workbook`
reports every problem, every 数据审核 warning, and how much was read or is missing;
`read_many`, `validate_many` and `write_collected` do the same for several returns
put together (汇总, `collect`, `merge`). `guard` looks
at the raw bytes first; `ooxml` parses only the parts the reader needs (stdlib,
bounded); `numbers` turns a cell into the number a person sees. openpyxl is used to
write (template, export), never to read input.
"""

from __future__ import annotations

from hz_assess.workbook.collect import read_many, validate_many, write_collected
from hz_assess.workbook.layout import check_period
from hz_assess.workbook.numbers import CellValueError, parse_number
from hz_assess.workbook.reader import Validation, read_actuals, validate_workbook
from hz_assess.workbook.template import build_template, write_template

__all__ = [
    "CellValueError",
    "Validation",
    "build_template",
    "check_period",
    "parse_number",
    "read_actuals",
    "read_many",
    "validate_many",
    "validate_workbook",
    "write_collected",
    "write_template",
]
