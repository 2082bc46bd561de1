"""Read the cells of an .xlsx with the standard library, bounded in time and memory.

Why not openpyxl's loader: measured on a workbook with someone's 30 MB data sheet
added, openpyxl's normal mode parses every sheet into objects (6.5 s, 290 MB) and
expands a merged range cell by cell (a whole-column merge never ends); its read-only
mode still parses every shared string up front (LibreOffice's rich strings for that
sheet, 17.5 MB: 4.8 s) and pads each row to its last cell. The actuals need five
small sheets, so this module runs expat handlers (no tree: memory stays flat whatever
the XML) over only the parts they use: relationships, workbook, styles, those sheets,
and the shared strings only as far as those sheets refer (Excel and LibreOffice number
strings in sheet order, so a big sheet at the end costs nothing). Only cells holding
something are kept. Nothing is cut: a sheet beyond a bound is an error naming it.

Bounds, measured on this machine (expat handlers: ~9 MB/s of sheet XML made of empty
styled cells, the slowest kind; a whole 32 MiB budget of it takes ~3.4 s):
- MAX_PARSED: XML parsed per workbook, all parts together, charged before a part is
  parsed (shared strings as they are read);
- MAX_ROWS × MAX_COLS: where a sheet's data may lie; MAX_CELLS filled cells and
  MAX_MERGES merged ranges per sheet (a merge is an interval, looked up per column,
  never expanded into cells).
The guard has already checked the zip: sizes are what the zip declares, and zipfile
never yields more than that.
"""

from __future__ import annotations

import bisect
import datetime
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

from hz_assess.errors import Problem, WorkbookError
from hz_assess.workbook.numbers import BUILTIN_FORMATS, shows_as_date

MAX_ROWS, MAX_COLS = 10_000, 256  # the template uses 38 rows and 20 columns; 256 is Excel 2003's width
MAX_CELLS = 100_000  # cells holding data in one sheet; the template has ~500
MAX_MERGES = 5_000  # merged ranges in one sheet; the template has 10
MAX_PARSED = 32 * 1024 * 1024  # XML parsed per workbook: relationships, workbook, styles, strings, the sheets read
EXCEL_MAX_ROW, EXCEL_MAX_COL = 1_048_576, 16_384

# expat reports a namespaced name as "namespace-uri local-name"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships "
PKG = "http://schemas.openxmlformats.org/package/2006/relationships "
CHUNK = 1024 * 1024
PARSE_ERRORS = (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError)
StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
CharHandler = Callable[[str], None]
WORKSHEET_REL = "/worksheet"
CHARTSHEET_REL = "/chartsheet"
OFFICE_DOCUMENT_REL = "/officeDocument"

# A numeric <v> as Excel, LibreOffice and openpyxl write it. Python's float() would
# also take "inf", "nan", "1_000" and surrounding spaces, none of which a spreadsheet writes.
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
RANGE_REF = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?(?::\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?)?")

def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


# ---------------------------------------------------------------- cells and sheets


@dataclass(frozen=True, slots=True)
class RawCell:
    """One cell as saved: `kind` is n (number), s (text), b (boolean), e (error), d (date), x (unreadable)
    (and si, a shared string's index, only while its sheet is being read).

    `value` is a float, str or bool (a date or unreadable cell keeps its saved text);
    None when a formula has no saved result. `number_format` is the format code.
    """

    kind: str
    value: float | str | bool | None
    number_format: str = "General"
    formula: bool = False


@dataclass(frozen=True, slots=True)
class Merge:
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def ref(self) -> str:
        return f"{column_letter(self.min_col)}{self.min_row}:{column_letter(self.max_col)}{self.max_row}"


@dataclass
class Grid:
    """The cells of one sheet that hold something, and its merged ranges.

    `max_row` and `max_col` span every cell holding data (not the sheet's declared size).
    """

    name: str
    file: str = ""
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0
    _by_col: dict[int, tuple[list[int], list[Merge]]] = field(default_factory=dict)

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def covering(self, row: int, col: int) -> Merge | None:
        """The merged range that covers (row, col) without starting there, if any.

        Merges are indexed per column on first use, so a whole-column merge costs
        one interval, not a million cells.
        """
        if not self.merges:
            return None
        if col not in self._by_col:
            spans = sorted((m for m in self.merges if m.min_col <= col <= m.max_col), key=lambda m: m.min_row)
            for a, b in zip(spans, spans[1:], strict=False):
                if b.min_row <= a.max_row:
                    raise WorkbookError(Problem("overlapping_merges", f"{self.file} {self.name}",
                                                f"工作表「{self.name}」的合并单元格 {a.ref} 与 {b.ref} 互相重叠,"
                                                "文件可能已损坏;请在 Excel/WPS 中打开后另存再试"))
            self._by_col[col] = ([m.min_row for m in spans], spans)
        starts, spans = self._by_col[col]
        i = bisect.bisect_right(starts, row) - 1
        if i < 0:
            return None
        m = spans[i]
        if row > m.max_row or (row, col) == (m.min_row, m.min_col):
            return None
        return m


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str  # path inside the zip; "" when the workbook names a part that is not there
    kind: str  # worksheet, chartsheet or other
    hidden: bool


class Book:
    """An opened .xlsx: its sheets in order, its defined names, and a Grid per sheet on demand."""

    def __init__(self, archive: zipfile.ZipFile, file: str) -> None:
        self.archive, self.file = archive, file
        self.members = {i.filename: i for i in archive.infolist()}
        self._parsed = 0
        self.exhausted = False  # the parse budget is spent: nothing more can be read from this file
        workbook_part = self._workbook_part()
        rels = self._relationships(workbook_part)
        self.sheets: list[SheetEntry] = []
        self.defined_names: dict[str, str] = {}
        self.date1904 = False
        self._read_workbook(workbook_part, rels)
        styles = next((t for t, kind in rels.values() if kind.endswith("/styles")), "")
        strings = next((t for t, kind in rels.values() if kind.endswith("/sharedStrings")), "")
        self._formats = self._read_styles(styles) if styles in self.members else []
        self._strings_part = strings if strings in self.members else ""
        self._strings: list[str] = []
        self._strings_parser: expat.XMLParserType | None = None
        self._strings_src: IO[bytes] | None = (self.archive.open(self._info(strings, "共享字符串"))
                                               if self._strings_part else None)
        self._grids: dict[str, Grid] = {}

    @property
    def sheetnames(self) -> list[str]:
        return [s.name for s in self.sheets]

    def entry(self, name: str) -> SheetEntry:
        return next(s for s in self.sheets if s.name == name)

    # ------------------------------------------------------------ parts

    def _fail(self, code: str, message: str) -> WorkbookError:
        return WorkbookError(Problem(code, self.file, message))

    def _parser(self, start: StartHandler, end: EndHandler | None = None,
                chars: CharHandler | None = None) -> expat.XMLParserType:
        """An expat parser with these handlers.

        expat keeps no tree, so memory stays flat whatever the XML looks like; the guard
        has refused DOCTYPE/ENTITY declarations, and parameter entities are off anyway.
        """
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if chars is not None:
            parser.CharacterDataHandler = chars
        return parser

    def _info(self, part: str, what: str) -> zipfile.ZipInfo:
        info = self.members.get(part)
        if info is None:
            raise self._fail("corrupt", f"工作簿缺少{what}部件 {part},文件不完整;请在 Excel/WPS 中打开后另存为 .xlsx")
        return info

    def _charge(self, size: int, what: str, part: str) -> None:
        """Count `size` bytes of XML against the parse budget; past it, nothing more is read from this file."""
        self._parsed += size
        if self._parsed > MAX_PARSED:
            self.exhausted = True
            raise self._fail("too_large", f"工作簿中需要读取的部分过大({what} {part} "
                                          f"有 {self.members[part].file_size / 2**20:.1f} MB,"
                                          f"需读取的内容合计超过 {MAX_PARSED // 2**20} MB);"
                                          "请删除多余的内容或格式后再试")

    def _corrupt(self, exc: Exception, what: str, part: str) -> WorkbookError:
        if isinstance(exc, expat.ExpatError):
            return self._fail("corrupt", f"工作簿的{what}部分({part})不是有效的 XML,文件已损坏或不规范;"
                                         "请在 Excel/WPS 中打开后另存为 .xlsx 再试")
        return self._fail("corrupt", "工作簿已损坏(压缩数据有误),请重新复制或在 Excel/WPS 中打开后另存")

    def _parse(self, part: str, what: str, start: StartHandler, end: EndHandler | None = None,
               chars: CharHandler | None = None) -> None:
        """Run expat over one whole part, charged to the parse budget before it starts."""
        info = self._info(part, what)
        self._charge(info.file_size, what, part)
        parser = self._parser(start, end, chars)
        try:
            with self.archive.open(info) as src:
                while chunk := src.read(CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except PARSE_ERRORS as exc:  # the guard has checked CRCs; be safe all the same
            raise self._corrupt(exc, what, part) from exc

    def _workbook_part(self) -> str:
        found: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == PKG + "Relationship" and attrs.get("Type", "").endswith(OFFICE_DOCUMENT_REL):
                found.append(attrs.get("Target", "").lstrip("/"))

        if "_rels/.rels" in self.members:
            self._parse("_rels/.rels", "关系", start)
        return next((t for t in found if t in self.members), "xl/workbook.xml")

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (part path inside the zip, relationship type) for `part`."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        out: dict[str, tuple[str, str]] = {}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == PKG + "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                out[attrs.get("Id", "")] = (path, attrs.get("Type", ""))

        if rels_part in self.members:
            self._parse(rels_part, "关系", start)
        return out

    def _read_workbook(self, part: str, rels: dict[str, tuple[str, str]]) -> None:
        name_text: list[str] = []
        name_key: list[str | None] = [None]

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == MAIN + "sheet":
                target, kind = rels.get(attrs.get(REL + "id", ""), ("", ""))
                sheet_kind = ("worksheet" if kind.endswith(WORKSHEET_REL)
                              else "chartsheet" if kind.endswith(CHARTSHEET_REL) else "other")
                self.sheets.append(SheetEntry(attrs.get("name", ""), target if target in self.members else "",
                                              sheet_kind, attrs.get("state", "visible") != "visible"))
            elif tag == MAIN + "definedName":
                # names local to one sheet do not count: the period's name is workbook-wide
                name_key[0] = attrs.get("name", "") if "localSheetId" not in attrs else None
                name_text.clear()
            elif tag == MAIN + "workbookPr":
                self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

        def end(tag: str) -> None:
            if tag == MAIN + "definedName" and name_key[0] is not None:
                self.defined_names[name_key[0]] = "".join(name_text)
                name_key[0] = None

        def chars(data: str) -> None:
            if name_key[0] is not None:
                name_text.append(data)

        self._parse(part, "工作簿", start, end, chars)

    def _read_styles(self, part: str) -> list[str]:
        """The number format code of each cell style (cellXfs), by style index."""
        custom: dict[int, str] = {}
        ids: list[int] = []
        stack: list[str] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            parent = stack[-1] if stack else ""
            stack.append(tag)
            if tag == MAIN + "numFmt" and parent == MAIN + "numFmts":
                custom[_int(attrs.get("numFmtId"), -1)] = attrs.get("formatCode", "General")
            elif tag == MAIN + "xf" and parent == MAIN + "cellXfs":
                ids.append(_int(attrs.get("numFmtId"), 0))

        def end(tag: str) -> None:
            stack.pop()

        self._parse(part, "样式", start, end)
        return [custom.get(i) or BUILTIN_FORMATS.get(i, "General") for i in ids]

    def string(self, index: int) -> str | None:
        """Shared string `index`, or None if the file has no such string.

        The strings are parsed only as far as a sheet asks: a big sheet nobody reads
        may own most of them, and Excel and LibreOffice number them in sheet order.
        """
        while index >= len(self._strings) and self._strings_src is not None:
            self._more_strings()
        return self._strings[index] if 0 <= index < len(self._strings) else None

    def _more_strings(self) -> None:
        what, part = "共享字符串", self._strings_part
        if self._strings_parser is None:
            self._strings_parser = self._strings_expat()
        assert self._strings_src is not None
        try:
            chunk = self._strings_src.read(CHUNK)
            self._charge(len(chunk), what, part)
            self._strings_parser.Parse(chunk, not chunk)
        except PARSE_ERRORS as exc:
            raise self._corrupt(exc, what, part) from exc
        if not chunk:
            self._strings_src.close()
            self._strings_src = None

    def _strings_expat(self) -> expat.XMLParserType:
        out, parts = self._strings, list[str]()
        state = {"si": False, "t": False, "rph": 0}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == MAIN + "si":
                state["si"] = True
                parts.clear()
            elif tag == MAIN + "rPh":  # phonetic guide text is not part of the string
                state["rph"] += 1
            elif tag == MAIN + "t" and state["si"] and not state["rph"]:
                state["t"] = True

        def end(tag: str) -> None:
            if tag == MAIN + "si":
                out.append("".join(parts))
                state["si"] = False
            elif tag == MAIN + "rPh":
                state["rph"] -= 1
            elif tag == MAIN + "t":
                state["t"] = False

        def chars(data: str) -> None:
            if state["t"]:
                parts.append(data)

        return self._parser(start, end, chars)

    # ------------------------------------------------------------ sheets

    def grid(self, name: str) -> Grid:
        """Every cell of sheet `name` that holds something; WorkbookError if the sheet is too large."""
        if name not in self._grids:
            entry = self.entry(name)
            self._grids[name] = _SheetReader(self, entry).read()
        return self._grids[name]

    def cell_format(self, style: int) -> str:
        return self._formats[style] if 0 <= style < len(self._formats) else "General"

    def date_text(self, serial: float) -> str:
        """A date serial as the date it shows (for messages); the serial itself if out of range."""
        base = datetime.datetime(1904, 1, 1) if self.date1904 else datetime.datetime(1899, 12, 30)
        try:
            shown = base + datetime.timedelta(days=serial)
        except OverflowError:
            return repr(serial)
        return shown.strftime("%Y-%m-%d %H:%M") if serial % 1 else shown.strftime("%Y-%m-%d")


class _SheetReader:
    """expat handlers that turn one worksheet part into a Grid, cell by cell."""

    def __init__(self, book: Book, entry: SheetEntry) -> None:
        self.book, self.entry = book, entry
        self.grid = Grid(entry.name, book.file)
        self.where = f"工作表「{entry.name}」"
        self.row = self.col = 0
        self.in_cell = self.in_value = self.in_inline = self.in_text = False
        self.phonetic = 0
        self.attrs: dict[str, str] = {}
        self.formula = False
        self.value: list[str] | None = None
        self.inline: list[str] | None = None

    def read(self) -> Grid:
        self.book._parse(self.entry.part, self.where, self.start, self.end, self.chars)
        return self._resolved()

    def _resolved(self) -> Grid:
        """Shared strings filled in, blank text dropped, and the sheet's extent checked against the bounds."""
        grid = self.grid
        for key, cell in list(grid.cells.items()):
            if cell.kind != "si":
                continue
            assert isinstance(cell.value, str)
            text = self.book.string(int(cell.value))
            if text is None:
                grid.cells[key] = RawCell("x", cell.value, cell.number_format, cell.formula)
            elif not text.strip() and not cell.formula:
                del grid.cells[key]
            else:
                grid.cells[key] = RawCell("s", text, cell.number_format, cell.formula)
        beyond = [key for key in grid.cells if key[0] > MAX_ROWS or key[1] > MAX_COLS]
        if beyond:
            row, col = min(beyond)
            raise self._fail("sheet_too_large",
                             f"工作表「{grid.name}」的 {column_letter(col)}{row} 还有内容,超出本工具读取的范围"
                             f"(前 {MAX_ROWS} 行、{MAX_COLS} 列);请删除表格以外的内容,或把它移到另一个工作表")
        grid.max_row = max((r for r, _ in grid.cells), default=0)
        grid.max_col = max((c for _, c in grid.cells), default=0)
        return grid

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == MAIN + "c":
            self.in_cell, self.attrs, self.formula, self.value, self.inline = True, attrs, False, None, None
        elif not self.in_cell:
            if tag == MAIN + "row":
                self.row = self._row_number(attrs.get("r"))
                self.col = 0
            elif tag == MAIN + "mergeCell":
                self._merge(attrs.get("ref", ""))
        elif tag == MAIN + "v":
            self.in_value, self.value = True, []
        elif tag == MAIN + "f":
            self.formula = True
        elif tag == MAIN + "is":
            self.in_inline, self.inline = True, []
        elif tag == MAIN + "rPh":
            self.phonetic += 1
        elif tag == MAIN + "t" and self.in_inline and not self.phonetic:
            self.in_text = True

    def end(self, tag: str) -> None:
        if not self.in_cell:
            return
        if tag == MAIN + "c":
            self.in_cell = False
            self._cell()
        elif tag == MAIN + "v":
            self.in_value = False
        elif tag == MAIN + "is":
            self.in_inline = False
        elif tag == MAIN + "rPh":
            self.phonetic -= 1
        elif tag == MAIN + "t":
            self.in_text = False

    def chars(self, data: str) -> None:
        if self.in_value and self.value is not None:
            self.value.append(data)
        elif self.in_text and self.inline is not None:
            self.inline.append(data)

    def _fail(self, code: str, message: str) -> WorkbookError:
        return self.book._fail(code, message)

    def _row_number(self, text: str | None) -> int:
        """A <row r="..."> number; rows without one follow the previous row, as in openpyxl."""
        if text is None:
            return self.row + 1
        try:
            number = float(text)
        except ValueError:
            number = 0.5
        if not number.is_integer():
            raise self._fail("corrupt", f"{self.where}中有行号无效的行(「{text}」),文件已损坏或不规范;"
                                        "请在 Excel/WPS 中打开后另存再试")
        return int(number)

    def _merge(self, ref: str) -> None:
        merge = _merge(ref)
        if merge is None:
            return
        if len(self.grid.merges) >= MAX_MERGES:
            raise self._fail("too_large", f"{self.where}有超过 {MAX_MERGES} 个合并单元格区域,远多于实绩表应有的格式,"
                                          "本工具不读取这样的表;请取消多余的合并后再试")
        self.grid.merges.append(merge)

    def _cell(self) -> None:
        ref = self.attrs.get("r")
        m = CELL_REF.fullmatch(ref) if ref else None
        if m:
            self.col, self.row = column_index(m.group(1)), int(m.group(2))
        else:
            self.col += 1
        if not (1 <= self.row <= EXCEL_MAX_ROW and 1 <= self.col <= EXCEL_MAX_COL):
            raise self._fail("corrupt", f"{self.where}中有位置无效的单元格({ref or f'第{self.row}行第{self.col}列'}),"
                                        "文件已损坏或不规范;请在 Excel/WPS 中打开后另存再试")
        cell = self._raw()
        if cell is None:
            return
        grid, row, col = self.grid, self.row, self.col
        if len(grid.cells) >= MAX_CELLS:
            raise self._fail("sheet_too_large",
                             f"工作表「{grid.name}」有超过 {MAX_CELLS} 个非空单元格,远多于实绩表应有的内容,"
                             "本工具不读取这么大的表;请删除多余的内容,或把它移到另一个工作表")
        if (row, col) in grid.cells:
            # Excel never writes a cell twice; keeping either copy would be a guess
            raise self._fail("corrupt", f"{self.where}的单元格 {column_letter(col)}{row} 在文件中出现了两次,"
                                        "文件已损坏或不规范;请在 Excel/WPS 中打开后另存再试")
        grid.cells[(row, col)] = cell

    def _raw(self) -> RawCell | None:
        """The cell as saved, or None when it holds nothing (no value, no formula, blank text)."""
        kind = self.attrs.get("t", "n")
        fmt = self.book.cell_format(_int(self.attrs.get("s"), 0))
        formula = self.formula
        text = "".join(self.value) if self.value is not None else None
        value: float | str | bool | None
        if kind == "inlineStr":
            kind, value = "s", "".join(self.inline or [])
        elif not text:
            # a formula without a saved result, or an empty cell; a string formula that
            # returned "" is saved as <v></v> with t="str" and is blank, not uncalculated
            if formula and kind != "str":
                return RawCell("n", None, fmt, True)
            return None
        elif kind == "n":
            if not NUMBER_TEXT.fullmatch(text.strip()):
                return RawCell("x", text, fmt, formula)
            number = float(text)
            if shows_as_date(fmt, number):
                return RawCell("d", self.book.date_text(number), fmt, formula)
            value = number
        elif kind == "s":
            if not text.strip().isdecimal() or not text.strip().isascii():
                return RawCell("x", text, fmt, formula)
            return RawCell("si", text.strip(), fmt, formula)  # resolved once the sheet is read
        elif kind == "str":
            kind, value = "s", text
        elif kind == "b":
            if text.strip() not in ("0", "1"):
                return RawCell("x", text, fmt, formula)
            value = text.strip() == "1"
        elif kind == "e":
            value = text
        elif kind == "d":
            value = text  # an ISO 8601 date, shown as such in messages
        else:
            return RawCell("x", text, fmt, formula)
        if isinstance(value, str) and not value.strip() and not formula:
            return None
        return RawCell(kind, value, fmt, formula)


def _int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return default


def _merge(ref: str) -> Merge | None:
    """A merged range; whole columns (A:C) or rows (3:5) run to the sheet's edge; a single cell is no merge."""
    m = RANGE_REF.fullmatch(ref.strip())
    if not m or not any(m.groups()):
        return None
    c1, r1, c2, r2 = m.groups()
    if m.group(0).find(":") < 0:
        return None
    min_col = column_index(c1) if c1 else 1
    max_col = column_index(c2) if c2 else EXCEL_MAX_COL
    min_row = int(r1) if r1 else 1
    max_row = int(r2) if r2 else EXCEL_MAX_ROW
    min_row, max_row = sorted((min_row, max_row))
    min_col, max_col = sorted((min_col, max_col))
    if (min_row, min_col) == (max_row, max_col):
        return None
    return Merge(min_row, min_col, max_row, max_col)
