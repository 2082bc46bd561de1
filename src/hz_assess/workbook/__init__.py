"""The actuals workbook (SPEC §3): write the template a user fills in, read it back.

`write_template` writes the workbook, `read_actuals` reads a filled one into
Actuals (WorkbookError listing every problem), `validate_workbook` reports every
problem and how much was read or is missing. This package and export are the only
code that uses openpyxl; `guard` looks at the raw bytes before openpyxl does.
"""

from __future__ import annotations

from hz_assess.workbook.layout import check_period
from hz_assess.workbook.reader import Validation, parse_number, read_actuals, validate_workbook
from hz_assess.workbook.template import build_template, write_template

__all__ = [
    "Validation",
    "build_template",
    "check_period",
    "parse_number",
    "read_actuals",
    "validate_workbook",
    "write_template",
]
