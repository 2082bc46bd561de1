"""Terminal output for people (rich): prints views. The only module that imports rich.

Nothing from a file is ever read as rich markup (a workbook named 实绩[v2].xlsx is
printed as it is): the console has markup and highlighting off, and styles are
given as objects. Below ~120 columns a narrow layout drops the columns a view marks
as not essential; numbers never wrap, names wrap only when they must.
"""

from __future__ import annotations

import os
import shutil
import sys

from rich.console import Console
from rich.table import Table as RichTable

from hz_assess.views import Block, Document, Table, Text, width

NARROW_BELOW = 120
PIPE_WIDTH = 200  # piped output without COLUMNS: wide enough that no row wraps
NUMERIC = ("int", "score", "value", "percent", "points")


def terminal_width() -> int:
    """The terminal's width; when piped, COLUMNS if set, else wide."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH


def console(stderr: bool = False) -> Console:
    return Console(width=None if stderr else terminal_width(), stderr=stderr, markup=False, highlight=False,
                   emoji=False, soft_wrap=False)


def rich_table(t: Table, narrow: bool) -> RichTable:
    keep = [i for i, c in enumerate(t.columns) if c.narrow or not narrow]
    texts = t.texts()
    out = RichTable(title=t.title or None, title_justify="left", header_style="bold", show_lines=False,
                    pad_edge=not narrow, collapse_padding=narrow)
    for i in keep:
        col = t.columns[i]
        longest = max([width(col.title), *(width(row[i]) for row in texts)])
        if col.kind in NUMERIC:
            out.add_column(col.title, justify="right", no_wrap=True, min_width=longest)
        else:
            # short labels (names, grades, ids) stay on one line; long text wraps
            out.add_column(col.title, overflow="fold", min_width=min(longest, 10 if narrow else 16),
                           no_wrap=longest <= 12)
    for row in texts:
        out.add_row(*[row[i] for i in keep])
    return out


def print_block(out: Console, block: Block, narrow: bool) -> None:
    if isinstance(block, Table):
        out.print(rich_table(block, narrow))
        for note in block.notes:
            out.print(note)
    elif isinstance(block, Text):
        if block.title:
            out.print(block.title)
        for line in block.lines:
            out.print(line)


def print_document(doc: Document) -> None:
    out = console()
    narrow = (out.width or PIPE_WIDTH) < NARROW_BELOW
    out.print(doc.title)
    for line in doc.meta:
        out.print(line)
    for block in doc.blocks:
        print_block(out, block, narrow)


def print_table(t: Table) -> None:
    out = console()
    print_block(out, t, (out.width or PIPE_WIDTH) < NARROW_BELOW)
