"""The floor of start-up: a typer app with the options of `hz-assess score`, doing nothing.

bench.py divides hz-assess's start-up by this app's, measured the same way in the
same run: whatever typer itself costs for a command of this shape is not ours to cut.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class By(StrEnum):
    district = "district"
    department = "department"
    all = "all"


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version")] = False,
    debug: Annotated[bool, typer.Option("--debug")] = False,
) -> None:
    """A do-nothing app."""


@app.command()
def score(
    actuals: Annotated[list[Path], typer.Argument()],
    detail: Annotated[bool, typer.Option("--detail")] = False,
    by: Annotated[By, typer.Option("--by")] = By.all,
    targets: Annotated[Path | None, typer.Option("--targets")] = None,
    departments: Annotated[Path | None, typer.Option("--departments")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    no_record: Annotated[bool, typer.Option("--no-record")] = False,
) -> None:
    """Do nothing."""


@app.command()
def gaps() -> None:
    """Do nothing."""


if __name__ == "__main__":
    app()
