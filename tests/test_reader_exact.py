"""SPEC §3.2, exactly: a number is read as the spreadsheet shows it, or it is an error naming its cell.

Each test is one class of silently wrong number found by a hostile run (issue 10):
percent formats, numbers typed as text, non-finite values, rows past a silent limit,
merged ranges, date formats. Workbooks are built with the `book` fixture or patched
at the XML level where openpyxl cannot write the case.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest

from conftest import WorkbookBuilder
from hz_assess.errors import WorkbookError
from hz_assess.models import Plan
from hz_assess.scoring import score
from hz_assess.workbook import CellValueError, ooxml, parse_number, read_actuals, validate_workbook

UNITS_PART, ADJ_PART = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml"  # 县区实绩, 加减分 in the template


def problems_of(plan: Plan, path: Path) -> list[tuple[str, str]]:
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, path)
    return [(p.code, p.where) for p in info.value.problems]


def only_problem(plan: Plan, path: Path) -> tuple[str, str, str]:
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, path)
    (p,) = info.value.problems
    return p.code, p.where, p.message


def patch_part(path: Path, part: str, edit: dict[str, str] | None = None, *, regex: tuple[str, str] | None = None,
               append: str = "") -> Path:
    """Rewrite one XML part of a saved workbook: plain replacements, one regex, or text before </worksheet>."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            if info.filename == part:
                text = data.decode()
                for old, new in (edit or {}).items():
                    assert old in text, old
                    text = text.replace(old, new)
                if regex:
                    text, n = re.subn(regex[0], regex[1], text)
                    assert n >= 1, regex
                if append:
                    text = text.replace("</worksheet>", append + "</worksheet>")
                data = text.encode()
            zout.writestr(info, data)
    return path


# ---------------------------------------------------------------- percent formats


@pytest.mark.parametrize(("fmt", "stored", "expected"), [
    ('0.0"%"', 5.6, 5.6),  # shows 5.6% and holds 5.6
    ("0.0\\%", 5.6, 5.6),
    ("0.0!%", 5.6, 5.6),
    ('[$%-804]0.0', 5.6, 5.6),
    ("0.0_%", 5.6, 5.6),  # _% pads by the width of a %, prints nothing
    ("0.0*%", 5.6, 5.6),  # *% fills with % signs, does not scale
    ('"%"0.0', 5.6, 5.6),
])
def test_a_percent_sign_that_is_only_printed_does_not_scale(
    plan: Plan, book: WorkbookBuilder, fmt: str, stored: float, expected: float
) -> None:
    book.set("南浔区", "1", stored, number_format=fmt)
    assert read_actuals(plan, book.save()).units["南浔区"]["1"].value == expected


@pytest.mark.parametrize(("fmt", "stored", "expected"), [
    ("0.0%", 0.056, 5.6),
    ("0.00%;[Red]-0.00%", 0.056, 5.6),
    ("0.00%;[Red]-0.00%", -0.056, -5.6),
    ("0%", 0.075, 7.5),
    ('0.0%" "', 0.075, 7.5),
])
def test_a_real_percent_in_the_format_scales_by_100(
    plan: Plan, book: WorkbookBuilder, fmt: str, stored: float, expected: float
) -> None:
    book.set("南浔区", "1", stored, number_format=fmt)
    assert read_actuals(plan, book.save()).units["南浔区"]["1"].value == expected


@pytest.mark.parametrize(("fmt", "stored", "expected"), [
    ("0.0;-0.0%", 5.6, 5.6),  # positive numbers use the first section: no %
    ("0.0;-0.0%", -0.056, -5.6),  # negative numbers use the second: a real %
    ("0.0;0.0;0.0%", 0, 0.0),
    ("[>1]0.0;0.0%", 5.6, 5.6),  # the condition picks the section
    ("[>1]0.0;0.0%", 0.056, 5.6),
])
def test_the_section_excel_uses_for_the_value_decides_the_scaling(
    plan: Plan, book: WorkbookBuilder, fmt: str, stored: float, expected: float
) -> None:
    book.set("南浔区", "1", stored, number_format=fmt)
    assert read_actuals(plan, book.save()).units["南浔区"]["1"].value == expected


def test_a_whole_percent_typed_into_a_percent_cell_reads_as_shown(plan: Plan, book: WorkbookBuilder) -> None:
    # 7.5 in a 0% cell shows 750%: the reader takes what the person sees; the audit warns (test_audit)
    book.set("南浔区", "1", 7.5, number_format="0%")
    assert read_actuals(plan, book.save()).units["南浔区"]["1"].value == 750.0


@pytest.mark.parametrize("fmt", ["#,##0.0,", '#,##0,"千"', "0.0,,", "0.0%%"])
def test_a_format_that_shows_another_scale_is_an_error(plan: Plan, book: WorkbookBuilder, fmt: str) -> None:
    # #,##0.0, shows 7500 as 7.5 (a trailing comma divides by 1000); %% multiplies by 10000
    book.set("吴兴区", "12", 7500, number_format=fmt)
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("scaled_by_format", "actuals.xlsx 县区实绩!F16") and "7500" in message


@pytest.mark.parametrize("fmt", ["#,##0", "#,##0.00_);[Red](#,##0.00)", '0.0","', "0.0\\,",
                                 '_ * #,##0.00_ ;_ * \\-#,##0.00_ ;_ * "-"??_ ;_ @_ '])  # the last: WPS's 会计 format
def test_a_thousands_separator_or_a_printed_comma_does_not_scale(
    plan: Plan, book: WorkbookBuilder, fmt: str
) -> None:
    book.set("吴兴区", "12", 310, number_format=fmt)
    assert read_actuals(plan, book.save()).units["吴兴区"]["12"].value == 310.0


@pytest.mark.parametrize("value", [7.5, "7.5", "完成"])
def test_a_value_hidden_by_its_format_is_an_error(plan: Plan, book: WorkbookBuilder, value: object) -> None:
    ind = "25" if value == "完成" else "1"
    coord = book.set("南浔区", ind, value, number_format=";;;")
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("hidden_by_format", f"actuals.xlsx 县区实绩!{coord}") and ";;;" in message


@pytest.mark.parametrize("fmt", ['yyyy"年"m"月"d"日"', "m/d", "h:mm", "[h]:mm:ss"])
def test_a_number_shown_as_a_date_or_time_is_not_a_number(plan: Plan, book: WorkbookBuilder, fmt: str) -> None:
    book.set("南浔区", "1", 42921, number_format=fmt)  # what Excel stores for "7.5" typed into a date cell
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("not_a_number", "actuals.xlsx 县区实绩!G5") and "日期" in message


def test_a_chinese_builtin_date_format_is_a_date_not_a_number(plan: Plan, book: WorkbookBuilder) -> None:
    # zh-CN Excel/WPS use built-in ids 27–36 and 50–58 without writing them into styles.xml
    book.set("南浔区", "1", 42921, number_format="0.000")
    path = book.save()
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
    fmt_id = re.search(r'<numFmt numFmtId="(\d+)" formatCode="0.000"', styles)
    assert fmt_id
    patch_part(path, "xl/styles.xml", regex=(rf'(<xf [^>]*numFmtId="){fmt_id.group(1)}"', r'\g<1>31"'))
    code, where, message = only_problem(plan, path)
    assert (code, where) == ("not_a_number", "actuals.xlsx 县区实绩!G5") and "2017-07-05" in message


# ---------------------------------------------------------------- numbers typed as text


@pytest.mark.parametrize(("typed", "expected"), [
    ("７．５", 7.5), ("－３", -3.0), ("＋１．２", 1.2), ("７.５％", 7.5), ("１，８４０", 1840.0),
    ("\u00a08\u00a0", 8.0), ("\u30008", 8.0), ("\u200b8\ufeff", 8.0), ("\t1,840.5\n", 1840.5), ("7.", 7.0),
])
def test_full_width_forms_and_surrounding_spaces_are_fine(
    plan: Plan, book: WorkbookBuilder, typed: str, expected: float
) -> None:
    book.set("吴兴区", "12", typed)
    assert read_actuals(plan, book.save()).units["吴兴区"]["12"].value == expected


@pytest.mark.parametrize("typed", [
    "7 5", "7²", "⑦", "٣", "1,84,0", "12,34", "1,8400", ",840", "7.5.1", "1_000", "0x10", "1e3", "7.5 %", "1 840",
    "%7.5", "7.5%%", "7,5", "七点五", "+-3", "¥100",
])
def test_only_surrounding_spaces_and_thousands_separators_are_dropped(
    plan: Plan, book: WorkbookBuilder, typed: str
) -> None:
    book.set("吴兴区", "12", typed)
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("not_a_number", "actuals.xlsx 县区实绩!F16")
    assert "吴兴区 第 12 项" in message and "不是数字" in message


@pytest.mark.parametrize("typed", ["9" * 400, "９" * 400, "inf", "-inf", "nan", "Infinity", "1e400",
                                   "1000000000000000"])
def test_a_typed_value_must_be_finite_and_sane(plan: Plan, book: WorkbookBuilder, typed: str) -> None:
    book.set("吴兴区", "12", typed)
    code, where, _ = only_problem(plan, book.save())
    assert (code, where) == ("not_a_number", "actuals.xlsx 县区实绩!F16")


@pytest.mark.parametrize(("saved", "code"), [("1E+400", "not_a_number"), ("-1e309", "not_a_number"),
                                           ("inf", "unreadable_value"), ("NaN", "unreadable_value"),
                                           ("1_000", "unreadable_value"), ("0x1p3", "unreadable_value")])
def test_a_saved_number_that_is_not_finite_is_an_error_naming_the_cell(
    plan: Plan, book: WorkbookBuilder, saved: str, code: str
) -> None:
    book.set("吴兴区", "12", 180)
    path = patch_part(book.save(), UNITS_PART, regex=(r'(<c r="F16"[^>]*>)<v>180</v>', rf"\1<v>{saved}</v>"))
    assert problems_of(plan, path) == [(code, "actuals.xlsx 县区实绩!F16")]


def test_a_cell_written_twice_is_refused_not_guessed(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "12", 180)
    twice = (r'(<c r="F16"[^>]*><v>180</v></c>)', r'\1<c r="F16"><v>1800</v></c>')
    path = patch_part(book.save(), UNITS_PART, regex=twice)
    code, _, message = only_problem(plan, path)
    assert code == "corrupt" and "F16" in message and "两次" in message


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e308 * 10])
def test_a_non_finite_float_from_openpyxl_reads_as_missing_not_as_a_number(
    plan: Plan, book: WorkbookBuilder, value: float
) -> None:
    book.fill_all().set("吴兴区", "12", value)  # openpyxl saves these as an empty <v/>
    path = book.save()
    assert read_actuals(plan, path).units["吴兴区"]["12"].value is None
    assert validate_workbook(plan, path).missing_cells == ["actuals.xlsx!县区实绩!F16(吴兴区 12 规上工业新产品产值)"]


def test_a_huge_number_cell_is_refused_not_rounded_to_infinity(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "12", 1e300)
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("not_a_number", "actuals.xlsx 县区实绩!F16") and "过大" in message


def test_parse_number_keeps_exact_decimals_and_refuses_non_finite() -> None:
    assert parse_number(0.075, "0.0%") == 7.5 and parse_number(0.0133, "0.00%") == 1.33
    assert parse_number(5.6, '0.0"%"') == 5.6 and parse_number("1,840") == 1840.0
    assert parse_number("  ") is None and parse_number("-") is None
    for bad in (float("nan"), float("inf"), 10**400, "9" * 400, True):
        with pytest.raises(CellValueError):
            parse_number(bad)


# ---------------------------------------------------------------- rows and columns


def test_a_deduction_far_below_the_table_is_read_and_scored(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book.adjust(3500, "南浔区", "较大安全生产事故", -5, "市安委会通报")  # row 3503: past the old silent 3,000
    a = read_actuals(plan, book.save())
    assert [(j.subject, j.points, j.where) for j in a.adjustments] == [("南浔区", -5.0, "加减分!C3503")]
    nanxun = next(d for d in score(plan, a).districts if d.name == "南浔区")
    assert nanxun.deductions == 5.0


def test_data_beyond_the_rows_the_reader_reads_is_an_error_saying_so(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book["加减分"].cell(row=ooxml.MAX_ROWS + 1, column=1, value="南浔区")
    code, where, message = only_problem(plan, book.save())
    assert code == "sheet_too_large" and where == "actuals.xlsx"
    assert f"A{ooxml.MAX_ROWS + 1}" in message and "加减分" in message and str(ooxml.MAX_ROWS) in message


def test_data_beyond_the_columns_the_reader_reads_is_an_error_saying_so(plan: Plan, book: WorkbookBuilder) -> None:
    book["县区实绩"].cell(row=5, column=ooxml.MAX_COLS + 1, value="备注")
    code, _, message = only_problem(plan, book.save())
    assert code == "sheet_too_large" and "县区实绩" in message and "IW5" in message


def test_too_many_filled_cells_is_an_error_not_a_cut(
    plan: Plan, book: WorkbookBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ooxml, "MAX_CELLS", 700)  # the filled template's largest sheet, 县区实绩, has ~610
    for row in range(1, 200):
        book.adjust(row, "南浔区", "事项", -0.1, "依据")
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("sheet_too_large", "actuals.xlsx") and "加减分" in message and "700" in message


def test_styled_empty_cells_and_a_huge_declared_size_cost_nothing(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    empty = "".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="L{r}" s="1"/></row>' for r in range(50, 20_000))
    path = patch_part(book.save(), ADJ_PART, regex=(r"</sheetData>", empty + "</sheetData>"))
    path = patch_part(path, UNITS_PART, regex=(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"'))
    started = time.monotonic()
    a = read_actuals(plan, path)
    assert time.monotonic() - started < 5
    assert a.units["南浔区"]["1"].value == 7.5 and a.adjustments == []


# ---------------------------------------------------------------- merged ranges


def test_a_merge_of_whole_columns_is_bounded_not_expanded(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    path = book.save()
    patch_part(path, ADJ_PART, regex=(r"<mergeCells[^>]*>", '<mergeCells count="3"><mergeCell ref="G1:I1048576"/>'
                                                             '<mergeCell ref="J:K"/>'))
    started = time.monotonic()
    a = read_actuals(plan, path)
    assert time.monotonic() - started < 5 and a.units["全市"]["1"].value == 7.0


def test_a_merged_range_over_two_units_cells_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book["县区实绩"].merge_cells("F5:G5")  # 吴兴区 and 南浔区 of row 1: the 7 shown belongs to 吴兴区 alone
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("merged_cell", "actuals.xlsx 县区实绩!G5") and "F5:G5" in message


def test_a_value_hidden_under_a_merged_range_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    merge = '<mergeCells count="3"><mergeCell ref="C10:D10"/>'
    path = patch_part(book.save(), "xl/worksheets/sheet3.xml", regex=(r"<mergeCells[^>]*>", merge))
    code, where, message = only_problem(plan, path)  # 部门评价 D10: the rating under the merged 重点工作 text
    assert (code, where) == ("merged_cell", "actuals.xlsx 部门评价!D10") and "C10:D10" in message


def test_text_hidden_under_a_merged_range_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all().adjust(1, "南浔区", "事故通报", -1, "通报")
    path = patch_part(book.save(), ADJ_PART, regex=(r"<mergeCells[^>]*>",
                                                    '<mergeCells count="3"><mergeCell ref="A4:B4"/>'))
    code, where, message = only_problem(plan, path)
    assert (code, where) == ("merged_hidden_value", "actuals.xlsx 加减分!B4") and "事故通报" in message


def test_merged_grey_cells_where_an_indicator_does_not_apply_are_fine(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    ws = book["县区实绩"]
    for col in "GHIJK":
        ws[f"{col}11"] = None
    ws.merge_cells("F11:K11")  # row 7 is city-only: its "——" cells merged for looks
    assert read_actuals(plan, book.save()).units["全市"]["7"].value == 1


def test_overlapping_merges_are_refused_as_a_damaged_file(plan: Plan, book: WorkbookBuilder) -> None:
    merges = '<mergeCells count="12"><mergeCell ref="F40:G41"/><mergeCell ref="G41:H42"/>'
    path = patch_part(book.save(), UNITS_PART, regex=(r"<mergeCells[^>]*>", merges))
    code, _, message = only_problem(plan, path)
    assert code == "overlapping_merges" and "F40:G41" in message and "G41:H42" in message


def test_too_many_merged_ranges_is_an_error_not_a_hang(
    plan: Plan, book: WorkbookBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ooxml, "MAX_MERGES", 12)  # the template has 10 merged ranges on 县区实绩 and 说明, 2 on 加减分
    for row in range(4, 30, 2):
        book["加减分"].merge_cells(f"F{row}:F{row + 1}")
    code, _, message = only_problem(plan, book.save())
    assert code == "too_large" and "合并单元格" in message and "加减分" in message


# ---------------------------------------------------------------- sheets


def test_a_chartsheet_where_a_data_sheet_is_expected_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    from openpyxl.chart import BarChart

    wb = book.wb
    wb.remove(wb["加减分"])
    wb.create_chartsheet("加减分", 3).add_chart(BarChart())
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("not_a_worksheet", "actuals.xlsx 加减分") and "图表" in message


def test_a_hidden_data_sheet_is_not_read_in_place_of_the_visible_copy(plan: Plan, book: WorkbookBuilder) -> None:
    wb = book.wb
    copy = wb.copy_worksheet(wb["县区实绩"])
    copy.title = "县区实绩 (2)"
    wb["县区实绩"].sheet_state = "hidden"
    code, where, message = only_problem(plan, book.save())
    assert (code, where) == ("hidden_sheet", "actuals.xlsx 县区实绩") and "隐藏" in message


def test_hidden_rows_are_still_read(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all().set("吴兴区", "1", 6.6)
    book["县区实绩"].row_dimensions[5].hidden = True
    assert read_actuals(plan, book.save()).units["吴兴区"]["1"].value == 6.6


def test_a_string_formula_that_returned_nothing_is_blank_not_uncalculated(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "1", '=IF(1=0,7,"")')
    # an empty cached value is <v/>, <v /> or <v></v>, depending on which XML writer openpyxl uses
    path = patch_part(book.save(), UNITS_PART, regex=(r'(<c r="F5")([^>]*)><f>([^<]*)</f>(?:<v\s*/>|<v></v>)',
                                                      r'\1\2 t="str"><f>\3</f><v></v>'))
    assert read_actuals(plan, path).units["吴兴区"]["1"].value is None


def test_rich_text_and_phonetic_runs_read_as_the_text_shown(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "12", "x")
    path = patch_part(book.save(), UNITS_PART, regex=(
        r'<c r="F16"([^>]*)t="inlineStr"><is><t>x</t></is></c>',
        r'<c r="F16"\1t="inlineStr"><is><r><t>1</t></r><r><rPr><b/></rPr><t>80</t></r>'
        r'<rPh sb="0" eb="1"><t>yi</t></rPh></is></c>'))
    assert read_actuals(plan, path).units["吴兴区"]["12"].value == 180.0


def test_validate_reads_the_same_numbers_as_read_actuals(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all().set("南浔区", "1", 5.6, number_format='0.0"%"')
    v = validate_workbook(plan, book.save())
    assert v.ok and v.read > 0 and v.missing == 0


# ---------------------------------------------------------------- shared strings


def _with_shared_strings(path: Path, strings: list[str], padding: int = 0) -> Path:
    """Register a sharedStrings part holding `strings`, then `padding` one-letter strings nobody uses."""
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + "".join(f"<si><t>{s}</t></si>" for s in strings) + "<si><t>x</t></si>" * padding + "</sst>")
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rId90" Target="sharedStrings.xml" Type="http://'
                        'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
    types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                          'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    with zipfile.ZipFile(path) as zin:
        members = [(info.filename, zin.read(info)) for info in zin.infolist()]
    replaced = {"xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members:
            zout.writestr(name, replaced.get(name, data))
        zout.writestr("xl/sharedStrings.xml", sst.encode())
    return path


def test_shared_strings_are_read_only_as_far_as_the_sheets_need(plan: Plan, book: WorkbookBuilder) -> None:
    # LibreOffice keeps every sheet's strings in one table: a big sheet nobody reads must not cost its strings
    book.fill_all().set("吴兴区", "12", "x")
    path = patch_part(book.save(), UNITS_PART, regex=(r'<c r="F16"([^>]*)t="inlineStr"><is><t>x</t></is></c>',
                                                      r'<c r="F16"\1t="s"><v>1</v></c>'))
    padding = (ooxml.MAX_PARSED // len("<si><t>x</t></si>")) * 2
    _with_shared_strings(path, ["吴兴区", "3,100"], padding)
    started = time.monotonic()
    assert read_actuals(plan, path).units["吴兴区"]["12"].value == 3100.0
    assert time.monotonic() - started < 5


def test_a_shared_string_that_is_not_there_is_an_error_naming_the_cell(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all().set("吴兴区", "12", "x")
    path = patch_part(book.save(), UNITS_PART, regex=(r'<c r="F16"([^>]*)t="inlineStr"><is><t>x</t></is></c>',
                                                      r'<c r="F16"\1t="s"><v>7</v></c>'))
    assert problems_of(plan, _with_shared_strings(path, ["310"])) == [("unreadable_value", "actuals.xlsx 县区实绩!F16")]
