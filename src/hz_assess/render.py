"""Terminal output for people: lays views out as text tables and prints them.

Two layouts, by the width of the terminal (COLUMNS when piped, if set):

- wide (120 columns or more): the look of rich's default table, a heavy-headed box
  with one space of padding. When the table fits, the bytes are exactly those rich
  printed for it before (tests/test_render.py compares the two on random tables), so
  a wide terminal sees no change. The box follows rich's rules too: ASCII when the
  output's encoding is not UTF (a GBK console or redirect), square on a legacy Windows
  console.
- narrow (below 120): only the columns a view marks essential, two spaces between
  columns, a rule of "-" under the header and no box at all: box-drawing characters
  are "ambiguous width" and take two columns on many Chinese Windows consoles.

In both, when a table is too wide, its text columns wrap, between characters and
words but never inside a number; a column of names (every cell at most SHORT wide: a
county, a department) and numbers never wrap, and a long header takes two lines at
most. The columns that give way are those whose narrowing wraps the fewest lines. A
wide table whose unwrappable columns alone are too wide takes the narrow layout; a
table that cannot fit even so is printed a row at a time, one "header: value" line
per column. Text lines wider than the terminal wrap the same way, preferably after
a punctuation mark or a space.

rich itself is imported only to put bold and italic on a terminal that shows them
(rich decides, as before, from the terminal, TERM, NO_COLOR, FORCE_COLOR…): building
rich's Table cost 50–70 ms per run, more than scoring. Nothing read from a file is
taken as markup. The cell widths are rich's own (rich.cells, a small module), so both
layouts count a Chinese character, an emoji or a combining accent as rich does.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from rich.cells import cell_len, chop_cells

from hz_assess.views import Block, Column, Document, Table, Text
from hz_assess.views import width as view_width

NARROW_BELOW = 120
PIPE_WIDTH = 200  # piped output without COLUMNS: wide enough that no row wraps
NUMERIC = ("int", "score", "value", "percent", "points")
GAP = "  "  # between columns in the narrow layout
SHORT = 16  # a text this wide or narrower is a name: it is never wrapped (国网湖州供电公司)
LONG_MIN = 12  # long text is not wrapped narrower than this (six Chinese characters a line)
VALUE_TEXT_MIN = 6  # a text among numbers (完成省下达目标任务) wraps down to three characters a line
PIECE_CAP = 20  # a word or number wider than this may be folded (a path, a URL)

# rich's Text drops these control characters (bell, backspace, vertical tab, form feed, CR)
_STRIP = {7: None, 8: None, 11: None, 12: None, 13: None}
# line breaking: a closing mark never starts a line, an opening one never ends it
_OPENING = "([{(「『《〈〔【“‘"
_CLOSING = ")]},.;:!?)」』》〉〕】”’。,、;:!?…"
_ORDINAL = ("第",)

Segment = tuple[str, str]  # (text, style): style is "", "title" or "header"
Line = list[Segment]


def terminal_width() -> int:
    """The terminal's width; when piped, COLUMNS if set, else wide."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH


# ---------------------------------------------------------------- text


def clean(text: str) -> str:
    """What rich shows of a text: without the control characters it drops; tabs as spaces (every 8 columns)."""
    text = text.translate(_STRIP)
    return "\n".join(map(_expand_tabs, text.split("\n"))) if "\t" in text else text


def _expand_tabs(line: str) -> str:
    out, column = [], 0
    for ch in line:
        if ch == "\t":
            spaces = 8 - column % 8
            out.append(" " * spaces)
            column += spaces
        else:
            out.append(ch)
            column += cell_len(ch)
    return "".join(out)


def pieces(text: str) -> list[str]:
    """The pieces a line may break between: runs of spaces, runs of narrow characters (a number,
    a code, a Latin word), single wide characters; closing marks stick to what precedes them and
    opening marks to what follows; a number keeps the character after it (94.00分, 3项) and 第 before it."""
    tokens: list[str] = []
    last = ""
    for ch in text:
        kind = "space" if ch.isspace() else ("wide" if cell_len(ch) == 2 else "narrow")
        if tokens and kind == last and kind != "wide":
            tokens[-1] += ch
        else:
            tokens.append(ch)
        last = kind
    out: list[str] = []
    glue = False
    for tok in tokens:
        if tok.isspace():
            out.append(tok)
            glue = False
            continue
        after_number = bool(out) and out[-1][-1:].isdigit() and len(tok) == 1 and not tok.isascii()
        before_number = bool(out) and out[-1] in _ORDINAL and tok[0].isdigit()
        if out and not out[-1].isspace() and (glue or tok[0] in _CLOSING or after_number or before_number):
            out[-1] += tok
        else:
            out.append(tok)
        glue = tok[-1] in _OPENING
    return out


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, filled greedily between pieces. A line would rather end at a
    space or a punctuation mark in its last third than between two characters; a piece wider than a
    line is folded."""
    width = max(width, 2)
    lines: list[str] = []
    line: list[str] = []
    for piece in pieces(text):
        if piece.isspace():
            if line:
                line.append(piece)
            continue
        w = cell_len(piece)
        while line and _width(line) + w > width:
            cut = _soft_break(line, width)
            lines.append("".join(line[:cut]).rstrip())
            line = line[cut:]
            while line and line[0].isspace():
                line.pop(0)
        if w > width:
            *whole, last = chop_cells(piece, width)
            lines += whole
            line = [last]
            continue
        line.append(piece)
    if line or not lines:
        lines.append("".join(line).rstrip())
    return lines


def _width(line: list[str]) -> int:
    return sum(map(cell_len, line))


_SOFT_AFTER = ",、;。:!?,;:!?"


def _soft_break(line: list[str], width: int) -> int:
    """Where to end a full line, keeping at least two thirds of it: after its last punctuation mark,
    else after its last space (so "13 新增…" stays together when a 、 is near), else before its last
    opening mark; else after all of it."""
    used = 0
    found = {"punctuation": 0, "space": 0, "opening": 0}
    for i, piece in enumerate(line):
        if i and used * 3 >= width * 2:
            if line[i - 1][-1] in _SOFT_AFTER:
                found["punctuation"] = i
            elif line[i - 1].isspace():
                found["space"] = i
            elif piece[0] in _OPENING:
                found["opening"] = i
        used += cell_len(piece)
    return found["punctuation"] or found["space"] or found["opening"] or len(line)


def fit(text: str, width: int) -> list[str]:
    """A line of text as printed: itself when it fits, else wrapped."""
    return [text] if cell_len(text) <= width else wrap(text, width)


def min_lines_width(text: str, lines: int) -> int:
    """The narrowest width at which `text` wraps into at most `lines` lines without folding a piece."""
    full = cell_len(text)
    low = max((cell_len(p) for p in pieces(text) if not p.isspace()), default=0)
    for w in range(low, full):
        if len(wrap(text, w)) <= lines:
            return w
    return full


# ---------------------------------------------------------------- rich's wide table, byte for byte


@dataclass(frozen=True)
class Box:
    top: str  # left, line, divider, right
    head: str  # left, divider, right
    head_row: str  # left, line, cross, right
    row: str  # left, divider, right
    bottom: str  # left, line, divider, right


HEAVY_HEAD = Box("┏━┳┓", "┃┃┃", "┡━╇┩", "│││", "└─┴┘")
SQUARE = Box("┌─┬┐", "│││", "├─┼┤", "│││", "└─┴┘")
ASCII = Box("+--+", "|||", "|-+|", "|||", "+--+")


def box_for(stream: IO[str]) -> Box:
    """rich's choice: ASCII when the encoding is not UTF, square on a legacy Windows console, else heavy head."""
    if not (getattr(stream, "encoding", None) or "utf-8").lower().startswith("utf"):
        return ASCII
    return SQUARE if _legacy_windows() else HEAVY_HEAD


def _legacy_windows() -> bool:
    if sys.platform != "win32":
        return False
    from rich._windows import get_windows_console_features

    return not get_windows_console_features().vt


def rich_title(title: str, width: int) -> list[str]:
    """A table title as rich wraps and left-justifies it within the table's width."""
    from rich._wrap import divide_line

    out = []
    for line in title.split("\n"):
        offsets = divide_line(line, width, fold=True)
        parts = [line[a:b] for a, b in zip([0, *offsets], [*offsets, len(line)], strict=True)]
        for part in parts:
            if cell_len(part) > width:  # whitespace after the last word: cut at the width, as rich crops
                part = chop_cells(part, width)[0]
            out.append(part + " " * (width - cell_len(part)))
    return out


def _justify(line: str, width: int, right: bool) -> str:
    if right:
        line = line.rstrip()
        return " " * (width - cell_len(line)) + line
    return line + " " * (width - cell_len(line))


# ---------------------------------------------------------------- laying a table out


@dataclass
class Grid:
    """A table's kept columns and its cells as text lines."""

    columns: list[Column]
    header: list[list[str]]  # per column: the header's lines
    cells: list[list[list[str]]]  # per row, per column: the cell's lines

    @classmethod
    def of(cls, t: Table, keep: Callable[[Column], bool]) -> Grid:
        idx = [i for i, c in enumerate(t.columns) if keep(c)]
        texts = t.texts()
        return cls([t.columns[i] for i in idx], [clean(t.columns[i].title).split("\n") for i in idx],
                   [[clean(row[i]).split("\n") for i in idx] for row in texts])

    def natural(self) -> list[int]:
        return [max(cell_len(x) for cell in [self.header[i], *(r[i] for r in self.cells)] for x in cell)
                for i in range(len(self.columns))]

    def rich_natural(self) -> list[int]:
        """The widths rich gave these columns: as natural, except that the renderer on rich set a minimum
        width from each cell's whole text, its lines and line breaks counted together (capped at 16 for
        text): a cell of two lines (history's input files) widened its column up to that."""
        out = []
        for i, (col, n) in enumerate(zip(self.columns, self.natural(), strict=True)):
            whole = max(view_width("\n".join(cell)) for cell in [self.header[i], *(r[i] for r in self.cells)])
            out.append(max(n, whole if col.kind in NUMERIC else min(whole, 16)))
        return out

    def minimum(self) -> list[int]:
        """The narrowest each column may be. Numbers never wrap. A text column whose every cell is at
        most SHORT wide holds names: they never wrap either. Longer text wraps down to LONG_MIN (a text
        among numbers, such as 完成省下达目标任务, down to VALUE_TEXT_MIN). A header longer than SHORT
        wraps into two lines at most."""
        out = []
        for i, col in enumerate(self.columns):
            need = max(min_lines_width(x, 2) if cell_len(x) > SHORT else cell_len(x) for x in self.header[i])
            numeric = col.kind in NUMERIC
            lines = [x for r in self.cells for x in r[i]]
            names = not numeric and all(cell_len(x) <= SHORT for x in lines)
            floor = VALUE_TEXT_MIN if numeric else LONG_MIN
            for x in lines:
                w = cell_len(x)
                if names or w <= floor or (numeric and _numberish(x)):
                    need = max(need, w)
                else:
                    widest = max((cell_len(p) for p in pieces(x) if not p.isspace()), default=0)
                    need = max(need, max(floor, min(widest, PIECE_CAP)))
            out.append(need)
        return out

    def wrapping(self) -> list[Counter[int]]:
        """Per column, how many cell lines are how wide: what wrapping the column would break."""
        return [Counter(cell_len(x) for r in self.cells for x in r[i] if not _numberish(x))
                for i in range(len(self.columns))]


def _numberish(text: str) -> bool:
    """A shown number: digits with a sign, point, percent or thousands separators, or empty."""
    return all(ch in "0123456789.-+%,−" for ch in text)


def allot(natural: Sequence[int], minimum: Sequence[int], room: int,
          wrapping: Sequence[Counter[int]]) -> list[int] | None:
    """Column widths that add up to at most `room`, none below its minimum; None when even the
    minimums do not fit. Columns give way one column at a time, each time the one whose narrowing
    adds the fewest wrapped lines (about: a text w wide takes ceil(w / width) lines), the widest
    first among equals: one long value in a column of short ones wraps before a column of names."""
    widths = list(natural)
    lows = [min(m, n) for m, n in zip(minimum, natural, strict=True)]
    if sum(lows) > room:
        return None

    def lines(i: int, width: int) -> int:
        return sum(count * -(-w // width) for w, count in wrapping[i].items())

    while sum(widths) > room:
        i = min((i for i in range(len(widths)) if widths[i] > lows[i]),
                key=lambda i: (lines(i, widths[i] - 1) - lines(i, widths[i]), -widths[i]))
        widths[i] -= 1
    return widths


def _wrap_cell(lines: list[str], width: int, *, even: bool = False) -> list[str]:
    """A cell's lines wrapped to the column: filled line by line, as Chinese text is read, unless that
    leaves one character alone on the last line; with `even` (a text among numbers), each line as
    even as their number allows (完成省/下达目/标任务, not 完成省下/达目标任/务)."""
    out = []
    for line in lines:
        full = cell_len(line)
        if full <= width:
            out.append(line)
            continue
        wrapped = wrap(line, width)
        orphan = len(wrapped[-1]) == 1
        for narrower in range(-(-full // len(wrapped)), width) if even or orphan else ():
            balanced = wrap(line, narrower)
            if len(balanced) <= len(wrapped):
                wrapped = balanced
                break
        out += wrapped
    return out


def _wrapped(grid: Grid, widths: list[int]) -> tuple[Grid, list[list[bool]]]:
    """The grid with every cell wrapped to its column, and which cells are right-aligned: a number,
    or a text among numbers that still takes one line (a wrapped text reads from the left)."""
    right = [c.kind in NUMERIC for c in grid.columns]
    header = [_wrap_cell(h, w) for h, w in zip(grid.header, widths, strict=True)]
    cells = [[_wrap_cell(c, w, even=r) for c, w, r in zip(row, widths, right, strict=True)] for row in grid.cells]
    align = [[r and len(c) == 1 for c, r in zip(row, right, strict=True)] for row in cells]
    return Grid(grid.columns, header, cells), align


def table_lines(t: Table, width: int, box: Box) -> list[Line]:
    """The lines of one table: the wide layout at NARROW_BELOW columns or more, else the narrow one."""
    if width >= NARROW_BELOW:
        grid = Grid.of(t, lambda c: True)
        natural = grid.natural()
        as_rich = grid.rich_natural()
        if sum(as_rich) + 3 * len(as_rich) + 1 <= width:
            return _rich_table(t.title, grid, as_rich, box)
        widths = allot(natural, grid.minimum(), width - 3 * len(natural) - 1, grid.wrapping())
        if widths is not None:
            return _boxed(t.title, grid, widths, box, width)
    grid = Grid.of(t, lambda c: c.narrow)
    room = width - len(GAP) * (len(grid.columns) - 1)
    widths = allot(grid.natural(), grid.minimum(), room, grid.wrapping())
    if widths is None:
        return _records(t.title, grid, width)
    return _plain(t.title, grid, widths, width)


def _rich_table(title: str, grid: Grid, widths: list[int], box: Box) -> list[Line]:
    """rich's Table(box=HEAVY_HEAD, header_style="bold", title_justify="left"), when every cell fits."""
    total = sum(widths) + 3 * len(widths) + 1
    out: list[Line] = [[(x, "title")] for x in rich_title(clean(title), total)] if title else []
    out += _box_rows(grid, widths, box)
    return out


def _box_rows(grid: Grid, widths: list[int], box: Box, align: list[list[bool]] | None = None) -> list[Line]:
    out: list[Line] = [[(box.top[0] + box.top[2].join(box.top[1] * (w + 2) for w in widths) + box.top[3], "")]]
    right = [c.kind in NUMERIC for c in grid.columns]
    rights = align if align is not None else [right] * len(grid.cells)
    height = max(map(len, grid.header))
    for n in range(height):  # a header sits on the rule: bottom-aligned
        line: Line = [(box.head[0], "")]
        for i, w in enumerate(widths):
            lines = grid.header[i]
            k = n - (height - len(lines))
            if i:
                line.append((box.head[1], ""))
            if w == 0:  # nothing but padding: styled as a blank line, unless the whole row is such
                line.append(("  ", "header" if any(widths) else ""))
            elif k < 0:
                line.append((" " * (w + 2), "header"))
            else:
                line += [(" ", "header"), (_justify(lines[k], w, right[i]), "header"), (" ", "header")]
        line.append((box.head[2], ""))
        out.append(line)
    out.append([(box.head_row[0] + box.head_row[2].join(box.head_row[1] * (w + 2) for w in widths)
                 + box.head_row[3], "")])
    for row, row_right in zip(grid.cells, rights, strict=True):
        height = max(map(len, row))
        for n in range(height):
            text = box.row[1].join(" " + _justify(cell[n] if n < len(cell) else "", w, r) + " "
                                   for cell, w, r in zip(row, widths, row_right, strict=True))
            out.append([(box.row[0] + text + box.row[2], "")])
    out.append([(box.bottom[0] + box.bottom[2].join(box.bottom[1] * (w + 2) for w in widths) + box.bottom[3], "")])
    return out


def _boxed(title: str, grid: Grid, widths: list[int], box: Box, width: int) -> list[Line]:
    """The wide layout of a table too wide for the terminal: its text columns wrapped."""
    wrapped, align = _wrapped(grid, widths)
    out: list[Line] = [[(x, "title")] for x in wrap(title, width)] if title else []
    return out + _box_rows(wrapped, widths, box, align)


def _plain(title: str, grid: Grid, widths: list[int], width: int) -> list[Line]:
    """The narrow layout: no box, two spaces between columns, a rule of "-" under the header."""
    right = [c.kind in NUMERIC for c in grid.columns]
    grid, align = _wrapped(grid, widths)
    out: list[Line] = [[(x, "title")] for x in wrap(title, width)] if title else []
    height = max(map(len, grid.header))
    for n in range(height):  # a header sits on the rule: bottom-aligned
        parts = []
        for lines, w, r in zip(grid.header, widths, right, strict=True):
            k = n - (height - len(lines))
            parts.append(_justify(lines[k], w, r) if k >= 0 else " " * w)
        out.append([(GAP.join(parts).rstrip(), "header")])
    out.append([(GAP.join("-" * w for w in widths), "")])
    for cells, row_right in zip(grid.cells, align, strict=True):
        for n in range(max(map(len, cells))):
            text = GAP.join(_justify(c[n] if n < len(c) else "", w, r)
                            for c, w, r in zip(cells, widths, row_right, strict=True))
            out.append([(text.rstrip(), "")])
    return out


def _records(title: str, grid: Grid, width: int) -> list[Line]:
    """A table no layout fits: each row as "header: value" lines, rows apart by a blank line."""
    out: list[Line] = [[(x, "title")] for x in wrap(title, width)] if title else []
    names = [" ".join(h) for h in grid.header]
    for r, row in enumerate(grid.cells):
        if r:
            out.append([("", "")])
        for name, cell in zip(names, row, strict=True):
            head = f"{name}:"
            indent = " " * min(cell_len(head), width // 3)
            body = [x for line in cell for x in wrap(line, max(width - len(indent), 1))] or [""]
            if cell_len(head) + cell_len(body[0]) > width:
                out += [[(x, "header")] for x in wrap(head, width)]
                out += [[(indent + x, "")] for x in body]
                continue
            out.append([(head, "header"), (body[0], "")])
            out += [[(indent + x, "")] for x in body[1:]]
    return out


# ---------------------------------------------------------------- printing


def text_lines(text: str, width: int) -> list[Line]:
    return [[(x, "")] for line in clean(text).split("\n") for x in fit(line, width)]


def block_lines(block: Block, width: int, box: Box) -> list[Line]:
    if isinstance(block, Table):
        return [*table_lines(block, width, box), *(x for note in block.notes for x in text_lines(note, width))]
    if isinstance(block, Text):
        return [*(text_lines(block.title, width) if block.title else []),
                *(x for line in block.lines for x in text_lines(line, width))]
    return []


def document_lines(doc: Document, width: int, box: Box) -> list[Line]:
    out = text_lines(doc.title, width)
    for line in doc.meta:
        out += text_lines(line, width)
    for block in doc.blocks:
        out += block_lines(block, width, box)
    return out


def print_document(doc: Document) -> None:
    width = terminal_width()
    emit(document_lines(doc, width, box_for(sys.stdout)), width)


def print_table(t: Table) -> None:
    width = terminal_width()
    emit(block_lines(t, width, box_for(sys.stdout)), width)


def styled_output(stream: IO[str]) -> bool:
    """Whether rich would treat the stream as a terminal (and so maybe style it): its own rule."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except ValueError:
        return False


def emit(lines: list[Line], width: int) -> None:
    """Print laid-out lines: as plain text, or through rich where a terminal may show the styles."""
    if not styled_output(sys.stdout):
        sys.stdout.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
        sys.stdout.flush()
        return
    from rich.console import Console

    emit_styled(lines, Console(width=width, markup=False, highlight=False, emoji=False, soft_wrap=False))


def emit_styled(lines: list[Line], console: Any) -> None:
    """The lines as rich segments, titles italic and headers bold, as rich's Table styled them."""
    from rich.segment import Segment as RichSegment
    from rich.style import Style

    styles = {"": None, "title": Style(italic=True), "header": Style(bold=True)}

    class Laid:
        def __rich_console__(self, console: Any, options: Any) -> Any:
            for line in lines:
                for text, style in line:
                    yield RichSegment(text, styles[style])
                yield RichSegment.line()

    console.print(Laid())
