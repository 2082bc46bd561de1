"""The actuals workbook (SPEC §3): the template, and reading what people fill in."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import WorkbookBuilder, libreoffice_convert, run
from hz_assess.errors import OutputError, UsageError, WorkbookError
from hz_assess.models import Actuals, Plan
from hz_assess.scope import Scope
from hz_assess.workbook import CellValueError, parse_number, read_actuals, validate_workbook, write_template
from hz_assess.workbook.template import build_template

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"


def problems_of(plan: Plan, path: Path) -> list[tuple[str, str]]:
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, path)
    return [(p.code, p.where) for p in info.value.problems]


# ---------------------------------------------------------------- the template


def test_template_has_the_five_sheets_of_the_spec_in_order(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["县区实绩", "全市目标", "部门评价", "加减分", "说明"]
    assert wb.active.title == "县区实绩"


def test_template_header_row_mirrors_attachment_1(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    ws = load_workbook(out)["县区实绩"]
    header = [ws.cell(row=4, column=c).value for c in range(1, 13)]
    assert header == ["栏目", "序号", "主要指标", "单位", "全市", "吴兴区", "南浔区", "德清县", "长兴县", "安吉县",
                      "湖州开发区", "备注"]
    assert [ws.cell(row=r, column=2).value for r in (5, 38)] == [1, 34]
    assert ws["C5"].value == "规上工业增加值增幅" and ws["D5"].value == "%"
    assert ws["A5"].value == "质量效益" and "A5:A10" in {str(m) for m in ws.merged_cells.ranges}


def test_template_shows_each_target_beside_the_actuals(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    ws = load_workbook(out)["县区实绩"]
    headers = {ws.cell(row=4, column=c).value: c for c in range(1, ws.max_column + 1)}
    assert ws.cell(row=5, column=headers["目标·南浔区"]).value == 7.5
    assert ws.cell(row=20, column=headers["目标·安吉县"]).value == 0  # row 16: a target of 0 is real
    assert ws.cell(row=29, column=headers["目标·全市"]).value == "完成省下达目标任务"


def test_template_greys_and_locks_cells_that_do_not_apply(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    ws = load_workbook(out)["县区实绩"]
    no_breakdown, blank, open_cell = ws["F11"], ws["K26"], ws["F5"]  # 7/吴兴区, 22/湖州开发区, 1/吴兴区
    assert no_breakdown.value == "——" and blank.value == "不考核"
    for c in (no_breakdown, blank):
        assert c.protection.locked and c.fill.fgColor.rgb.endswith("D9D9D9")
    assert not open_cell.protection.locked and open_cell.value is None
    assert ws.protection.sheet


def test_template_offers_dropdowns_for_levels_and_ratings(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    wb = load_workbook(out)
    levels = wb["县区实绩"].data_validations.dataValidation
    assert any(dv.formula1 == '"完成,基本完成,未完成"' and "F29" in dv.sqref for dv in levels)
    assert not any("F5" in dv.sqref for dv in levels if dv.type == "list")
    assert any(dv.type == "decimal" and dv.errorStyle == "stop" and "F5" in dv.sqref for dv in levels)
    ratings = wb["部门评价"].data_validations.dataValidation
    assert any(dv.formula1 == '"优秀,良好,一般,较差"' and "D4" in dv.sqref and "D31" in dv.sqref for dv in ratings)


def test_template_records_the_period_by_label_and_defined_name(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out, "2017Q2")
    wb = load_workbook(out)
    assert (wb["说明"]["A5"].value, wb["说明"]["B5"].value) == ("期别", "2017Q2")
    assert list(wb.defined_names["HZ_PERIOD"].destinations) == [("说明", "$B$5")]
    assert "第2季度" in wb["县区实绩"]["A1"].value


def test_template_prints_a4_landscape_with_frozen_repeated_headers(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    ws = load_workbook(out)["县区实绩"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$4" and ws.freeze_panes == "E5"
    assert ws.column_dimensions["C"].width >= 30


def test_template_refuses_to_overwrite_without_force(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(OutputError):
        write_template(plan, out)
    assert out.read_bytes() == b"keep me"
    write_template(plan, out, force=True)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # no temp file left behind


@pytest.mark.parametrize("name", ["no-such-dir/t.xlsx", "t.xls", "t.csv"])
def test_template_refuses_a_bad_output_path(plan: Plan, tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError):
        write_template(plan, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("period", ["2018", "2017Q5", "Q2", "2017q9"])
def test_template_rejects_a_period_outside_the_plan_year(plan: Plan, tmp_path: Path, period: str) -> None:
    with pytest.raises(UsageError):
        write_template(plan, tmp_path / "t.xlsx", period)


def test_blank_template_reads_as_all_missing(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(plan, out)
    a = read_actuals(plan, out)
    applicable = sum(ind.applies_to(u) for ind in plan.indicators for u in plan.unit_names)
    assert sum(len(cells) for cells in a.units.values()) == applicable
    assert all(c.value is None for cells in a.units.values() for c in cells.values())
    assert a.units["吴兴区"]["1"].where == "县区实绩!F5"
    assert "7" not in a.units["吴兴区"] and "22" not in a.units["湖州开发区"]
    v = validate_workbook(plan, out)
    assert (v.read, v.missing, v.problems) == (0, applicable + len(plan.city_targets) + len(plan.departments), [])


# ---------------------------------------------------------------- reading values


def test_reads_a_filled_workbook_exactly(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book.adjust(1, "长兴", "获评省级示范", "+2", "省经信委通报")
    book.adjust(2, "市经信委", "督查通报", -1.5, "")
    path = book.save()
    a = read_actuals(plan, path)
    assert a.period == "2017" and a.path == str(path)
    assert a.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert a.units["南浔区"]["1"].value == 7.5 and a.units["南浔区"]["1"].where == "县区实绩!G5"
    assert a.units["安吉县"]["16"].value == 0.0
    assert a.units["全市"]["25"].value == "完成"
    assert a.city_targets["C01"].value == 20.0 and a.city_targets["C01"].where == "全市目标!E4"
    assert a.ratings["市经信委"].value == "优秀"
    assert [(j.subject, j.item, j.points, j.basis, j.where) for j in a.adjustments] == [
        ("长兴县", "获评省级示范", 2.0, "省经信委通报", "加减分!C4"),
        ("市经信委", "督查通报", -1.5, "", "加减分!C5"),
    ]
    assert validate_workbook(plan, path).missing == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("7.5", 7.5), ("７．５", 7.5), ("7.5%", 7.5), ("７.５％", 7.5), ("1,840", 1840.0), ("１，８４０", 1840.0),
     (" 8 ", 8.0), ("\u30008\u3000", 8.0), ("−0.3", -0.3), ("+1.2", 1.2), (".5", 0.5), ("1,840.5", 1840.5)],
)
def test_numbers_typed_as_text_are_numbers(plan: Plan, book: WorkbookBuilder, typed: str, expected: float) -> None:
    book.set("吴兴区", "12", typed)
    assert read_actuals(plan, book.save()).units["吴兴区"]["12"].value == expected


@pytest.mark.parametrize(("stored", "fmt", "expected"), [(0.075, "0.0%", 7.5), (0.0133, "0.00%", 1.33),
                                                         (7.5, "0.0", 7.5), (1840, "#,##0", 1840.0)])
def test_percent_formatted_cell_holding_a_fraction_means_percent(
    plan: Plan, book: WorkbookBuilder, stored: float, fmt: str, expected: float
) -> None:
    book.set("南浔区", "1", stored, number_format=fmt)
    assert read_actuals(plan, book.save()).units["南浔区"]["1"].value == expected


@pytest.mark.parametrize("bad", ["约7", "7.5亿", "1,84", "N/A", "—7", "TRUE"])
def test_text_that_is_not_a_number_is_an_error_naming_the_cell(plan: Plan, book: WorkbookBuilder, bad: str) -> None:
    book.set("吴兴区", "1", bad)
    assert problems_of(plan, book.save()) == [("not_a_number", "actuals.xlsx 县区实绩!F5")]


def test_a_boolean_is_not_a_number(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "3", True)
    assert problems_of(plan, book.save()) == [("not_a_number", "actuals.xlsx 县区实绩!F7")]


def test_a_date_is_not_a_number(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "1", datetime(2017, 7, 5))  # what Excel makes of "7.5" in a date-formatted cell
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, book.save())
    (problem,) = info.value.problems
    assert (problem.code, problem.where) == ("not_a_number", "actuals.xlsx 县区实绩!F5") and "日期" in problem.message


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!"])
def test_excel_error_values_are_refused(plan: Plan, book: WorkbookBuilder, error: str) -> None:
    book.set("德清县", "2", error)
    assert problems_of(plan, book.save()) == [("excel_error", "actuals.xlsx 县区实绩!H6")]


def test_formula_never_calculated_tells_the_user_to_open_and_save(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("长兴县", "1", "=7+0.5")
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, book.save())
    (problem,) = info.value.problems
    assert problem.code == "formula_no_value" and problem.where == "actuals.xlsx 县区实绩!I5"
    assert "打开" in problem.message and "保存" in problem.message


def _with_cached_value(path: Path, coord: str, value: str) -> None:
    """Give a formula cell the value a spreadsheet program would have saved with it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                pattern = rf'(<c r="{coord}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?'
                text, n = re.subn(pattern, rf"\1<f>\2</f><v>{value}</v>", text)
                assert n == 1
                data = text.encode()
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


def test_formula_uses_the_value_the_spreadsheet_saved(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("长兴县", "1", "=7+0.5")
    path = book.save()
    _with_cached_value(path, "I5", "7.5")
    assert read_actuals(plan, path).units["长兴县"]["1"].value == 7.5


@pytest.mark.parametrize(("typed", "level"), [("完成", "完成"), (" 基本完成 ", "基本完成"), ("基本 完成", "基本完成"),
                                              ("未完成", "未完成")])
def test_qualitative_levels_accept_stray_spaces(plan: Plan, book: WorkbookBuilder, typed: str, level: str) -> None:
    book.set("吴兴区", "25", typed)
    assert read_actuals(plan, book.save()).units["吴兴区"]["25"].value == level


@pytest.mark.parametrize("bad", ["已完成", "完成了", 1, "优秀"])
def test_qualitative_cell_accepts_only_the_three_levels(plan: Plan, book: WorkbookBuilder, bad: object) -> None:
    book.set("吴兴区", "25", bad)
    assert problems_of(plan, book.save()) == [("invalid_level", "actuals.xlsx 县区实绩!F29")]


def test_a_value_where_the_indicator_does_not_apply_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "7", 1.2)
    book.set("湖州开发区", "22", "——")  # the template's own marker is fine
    assert problems_of(plan, book.save()) == [("not_applicable_filled", "actuals.xlsx 县区实绩!F11")]


# ---------------------------------------------------------------- rows, columns and sheets


def test_row_whose_number_and_name_disagree_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book["县区实绩"]["B6"] = 3  # row 2's name under 序号 3: rows shifted
    book["县区实绩"]["C12"] = "高端装备产业增加值增幅(修订)"
    found = problems_of(plan, book.save())
    assert ("row_mismatch", "actuals.xlsx 县区实绩!C6") in found
    assert ("row_mismatch", "actuals.xlsx 县区实绩!C12") in found
    assert ("missing_indicator_row", "actuals.xlsx 县区实绩") in found


def test_unknown_indicator_row_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    ws = book["县区实绩"]
    ws["B40"], ws["C40"], ws["F40"] = 35, "新增独角兽企业", 3
    assert problems_of(plan, book.save()) == [("unknown_indicator", "actuals.xlsx 县区实绩!B40")]


def test_notes_below_the_table_and_blank_rows_are_ignored(plan: Plan, book: WorkbookBuilder) -> None:
    ws = book["县区实绩"]
    ws["A41"] = "注:数据来源为市统计局快报。"
    ws["B42"] = "合计"
    book.set("吴兴区", "1", 7.1)
    assert read_actuals(plan, book.save()).units["吴兴区"]["1"].value == 7.1


def _hand_made_units_sheet(book: WorkbookBuilder) -> None:
    """What a district clerk builds by hand: other column order, aliases, a two-row merged header."""
    wb = book.wb
    index = wb.sheetnames.index("县区实绩")
    wb.remove(wb["县区实绩"])
    ws = wb.create_sheet("县区实绩", index)
    ws["A1"] = "2017年各县区工业强市主要指标完成情况"
    ws.merge_cells("A1:L1")
    header = ["主要指标", "序号", "备注", "开发区", "长兴", "湖州市", "吴兴", "南浔区", "德清县", "安吉", "填报人"]
    for col, text in enumerate(header, start=1):
        ws.cell(row=4, column=col, value=text)
    ws["D3"] = "实绩"
    ws.merge_cells("D3:J3")
    for col in (1, 2, 3, 11):  # labels merged down over both header rows
        ws.cell(row=3, column=col, value=header[col - 1])
        ws.cell(row=4, column=col, value=None)
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    order = ["湖州开发区", "长兴县", "全市", "吴兴区", "南浔区", "德清县", "安吉县"]
    row = 5
    for ind in book.plan.indicators:
        if ind.id == "10":
            row += 1  # a blank row in the middle
        ws.cell(row=row, column=1, value=ind.name)
        ws.cell(row=row, column=2, value=ind.id)  # 序号 as text this time
        for col, unit in enumerate(order, start=4):
            t = ind.target(unit)
            if ind.applies_to(unit):
                ws.cell(row=row, column=col, value="完成" if isinstance(t, str) else t)
        row += 1


def test_headers_are_found_by_label_in_any_order_with_aliases(plan: Plan, book: WorkbookBuilder) -> None:
    _hand_made_units_sheet(book)
    a = read_actuals(plan, book.save())
    assert a.units["南浔区"]["1"].value == 7.5 and a.units["南浔区"]["1"].where == "县区实绩!H5"
    assert a.units["湖州开发区"]["1"].value == 9.0 and a.units["湖州开发区"]["1"].where == "县区实绩!D5"
    assert a.units["全市"]["12"].value == 1840.0
    assert a.units["安吉县"]["34"].value == "完成" and a.units["安吉县"]["34"].where == "县区实绩!J39"


def test_unknown_unit_column_is_an_error_naming_the_header_cell(plan: Plan, book: WorkbookBuilder) -> None:
    ws = book["县区实绩"]
    ws.unmerge_cells("E3:K3")
    ws["L4"] = "滨湖区"
    assert problems_of(plan, book.save()) == [("unknown_unit", "actuals.xlsx 县区实绩!L4")]


def test_a_workbook_without_a_units_column_leaves_that_unit_unreported(plan: Plan, book: WorkbookBuilder) -> None:
    book.fill_all()
    book["县区实绩"]["G4"] = "备用"  # 南浔区's column renamed: its values are not 南浔区's any more
    v = validate_workbook(plan, book.save())
    assert v.ok and v.missing == 0 and v.notes == ["文件中没有 南浔区 的列,这些单位的实绩须由其他文件提供"]
    a = read_actuals(plan, book.path)
    assert a.units["南浔区"] == {} and a.units["吴兴区"]["1"].value == plan.indicators[0].target("吴兴区")


def test_a_return_form_without_its_own_column_is_an_error(plan: Plan, tmp_path: Path) -> None:
    wb = build_template(plan, "2017", Scope("district", "长兴县"))
    wb["县区实绩"]["I4"] = "备用"
    path = tmp_path / "长兴.xlsx"
    wb.save(path)
    assert problems_of(plan, path) == [("missing_unit_column", "长兴.xlsx 县区实绩!A4")]


def test_sheets_are_picked_by_name_not_by_which_is_active(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("德清县", "1", 7.7)
    wb = book.wb
    wb.move_sheet("县区实绩", offset=3)
    wb.active = wb.sheetnames.index("说明")
    wb.create_sheet("Sheet1", 0)["A1"] = "序号"
    assert read_actuals(plan, book.save()).units["德清县"]["1"].value == 7.7


def test_a_missing_sheet_is_named(plan: Plan, book: WorkbookBuilder) -> None:
    book.wb.remove(book["加减分"])
    assert problems_of(plan, book.save()) == [("missing_sheet", "actuals.xlsx")]


def test_period_is_found_by_its_label_wherever_it_is(plan: Plan, book: WorkbookBuilder) -> None:
    ws = book["说明"]
    ws["A5"], ws["B5"] = None, None
    ws["A30"], ws["B30"] = "期别", "2017Q3"
    assert read_actuals(plan, book.save()).period == "2017Q3"


def test_period_falls_back_to_the_defined_name(plan: Plan, book: WorkbookBuilder) -> None:
    book["说明"]["A5"] = "备注"
    book["说明"]["B5"] = "2017Q1"
    assert read_actuals(plan, book.save()).period == "2017Q1"


def test_a_missing_or_wrong_period_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book["说明"]["B5"] = "2016"
    assert problems_of(plan, book.save()) == [("period_invalid", "actuals.xlsx 说明!B5")]


def test_quarterly_blank_qualitative_cells_are_pending_not_missing(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "q.xlsx"
    write_template(plan, out, "2017Q2")
    v = validate_workbook(plan, out)
    assert v.period == "2017Q2" and not any(" 25 " in m for m in v.missing_cells)
    assert any(" 24 " in m for m in v.missing_cells)


# ---------------------------------------------------------------- the other sheets


def test_city_targets_read_by_id_and_checked_against_the_name(plan: Plan, book: WorkbookBuilder) -> None:
    book.city("C10", "９５")
    book["全市目标"]["B5"] = "别的目标"
    found = problems_of(plan, book.save())
    assert found == [("row_mismatch", "actuals.xlsx 全市目标!B5")]
    book["全市目标"]["B5"] = plan.city_targets[1].name
    assert read_actuals(plan, book.save()).city_targets["C10"].value == 95.0


@pytest.mark.parametrize(("typed", "value"), [("优秀", "优秀"), (" 较差", "较差"), (88, 88.0), ("92.5", 92.5),
                                              (None, None)])
def test_department_ratings(plan: Plan, book: WorkbookBuilder, typed: object, value: object) -> None:
    book.rating("市科技局", typed)
    assert read_actuals(plan, book.save()).ratings["市科技局"].value == value


@pytest.mark.parametrize("bad", ["很好", 120, -1, "优"])
def test_invalid_ratings_are_refused(plan: Plan, book: WorkbookBuilder, bad: object) -> None:
    coord = book.rating("市科技局", bad)
    assert problems_of(plan, book.save()) == [("invalid_rating", f"actuals.xlsx 部门评价!{coord}")]


def test_unknown_department_is_an_error(plan: Plan, book: WorkbookBuilder) -> None:
    book["部门评价"]["B4"] = "市委组织部"
    found = problems_of(plan, book.save())
    assert found == [("unknown_department", "actuals.xlsx 部门评价!B4"),
                     ("missing_department", "actuals.xlsx 部门评价")]


def test_adjustment_problems_name_their_cells(plan: Plan, book: WorkbookBuilder) -> None:
    book.adjust(1, "滨湖区", "事项", 1)
    book.adjust(2, "南浔", "事项", "一分")
    book.adjust(3, "德清", None, 1)
    book.adjust(4, "德清", "事项", None)
    assert problems_of(plan, book.save()) == [
        ("unknown_subject", "actuals.xlsx 加减分!A4"),
        ("not_a_number", "actuals.xlsx 加减分!C5"),
        ("adjustment_incomplete", "actuals.xlsx 加减分!B6"),
        ("adjustment_incomplete", "actuals.xlsx 加减分!C7"),
    ]


def test_validate_lists_every_problem_at_once(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "1", "abc")
    book.set("南浔区", "25", "好")
    book.rating("市财政局", "A")
    book.adjust(1, "火星", "x", 1)
    v = validate_workbook(plan, book.save())
    assert [p.code for p in v.problems] == ["not_a_number", "invalid_level", "invalid_rating", "unknown_subject"]
    assert all(p.message for p in v.problems)


def test_reading_never_changes_the_input_file(plan: Plan, book: WorkbookBuilder) -> None:
    path = book.fill_all().save()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_actuals(plan, path)
    validate_workbook(plan, path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_parse_number_rejects_non_finite_numbers() -> None:
    with pytest.raises(CellValueError):
        parse_number(float("nan"))
    assert parse_number("  ") is None


# ---------------------------------------------------------------- LibreOffice round trip


def test_a_workbook_resaved_by_libreoffice_reads_back_exactly(plan: Plan, book: WorkbookBuilder,
                                                              tmp_path: Path, soffice: str) -> None:
    book.fill_all()
    book.set("吴兴区", "1", "=7+0.3")  # LibreOffice calculates and saves the value
    book.set("南浔区", "1", 0.076, number_format="0.0%")
    book.set("德清县", "12", "1,840")
    book.adjust(1, "长兴", "示范", 2, "通报")
    (tmp_path / "in").mkdir()
    src = book.save(tmp_path / "in" / "actuals.xlsx")
    a = read_actuals(plan, libreoffice_convert(soffice, [src], tmp_path / "out")[0])
    expected = {
        **{(u, i.id): ("完成" if isinstance(i.target(u), str) else i.target(u))
           for i in plan.indicators for u in plan.unit_names if i.applies_to(u)},
        ("吴兴区", "1"): 7.3, ("南浔区", "1"): 7.6, ("德清县", "12"): 1840,
    }
    got = {(u, i): c.value for u, cells in a.units.items() for i, c in cells.items()}
    assert got == expected
    assert a.units["吴兴区"]["1"].where == "县区实绩!F5"
    assert {k: c.value for k, c in a.city_targets.items()} == {
        c.id: "完成" if c.rule == "qualitative" else c.target for c in plan.city_targets}
    assert {c.value for c in a.ratings.values()} == {"优秀"}
    assert [(j.subject, j.points, j.basis) for j in a.adjustments] == [("长兴县", 2.0, "通报")]
    assert a.period == "2017"


# ---------------------------------------------------------------- the command line


def test_cli_template_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("template", str(out), "--period", "2017Q1")[0] == 0
    assert load_workbook(out)["说明"]["B5"].value == "2017Q1"
    code, _, err = run("template", str(out))
    assert code == 2 and "--force" in err
    assert run("template", str(out), "--force")[0] == 0
    code, _, err = run("template", str(tmp_path / "x.xlsx"), "--period", "2017Q5")
    assert code == 2 and "2017Q1" in err


def test_cli_validate_example_is_clean_even_under_strict() -> None:
    code, out, err = run("validate", str(EXAMPLE))
    assert code == 0, out + err
    assert "未发现问题" in err and "缺 0 个" in err and out == ""
    assert run("validate", str(EXAMPLE), "--strict")[0] == 0


def test_cli_validate_lists_problems_and_exits_1(plan: Plan, book: WorkbookBuilder) -> None:
    book.set("吴兴区", "1", "七点五")
    path = book.save()
    code, out, err = run("validate", str(path))
    assert code == 1
    assert "错误 [not_a_number] actuals.xlsx 县区实绩!F5:" in out and "发现 1 处错误" in err
    code, out, _ = run("validate", str(path), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["period"] == "2017" and doc["problems"][0]["where"] == "actuals.xlsx 县区实绩!F5"
    assert doc["read"] == 0 and doc["missing"] == len(doc["missing_cells"]) > 0 and doc["warnings"] == []


def _warned_book(book: WorkbookBuilder) -> Path:
    """A complete workbook whose only doubt is 9.6 家 for 吴兴区 on row 13."""
    book.fill_all()
    book.set("全市", "10", 8)  # the plan's 7.6 for 全市 would lie below every district's 8
    book.set("吴兴区", "13", 9.6)
    book.set("全市", "13", 61)
    return book.save()


def test_cli_validate_prints_warnings_and_exits_0_unless_strict(book: WorkbookBuilder) -> None:
    path = _warned_book(book)
    code, out, err = run("validate", str(path))
    assert code == 0
    assert out.splitlines()[0].startswith("警告 [fractional_count] actuals.xlsx 县区实绩!F17:吴兴区 第13项")
    assert "9.6家" in out and "1 处警告" in err and "错误 [" not in out
    code, _, err = run("validate", str(path), "--strict")
    assert code == 1 and "--strict" in err


def test_cli_validate_json_carries_the_warnings(book: WorkbookBuilder) -> None:
    code, out, _ = run("validate", str(_warned_book(book)), "--format", "json", "--strict")
    doc = json.loads(out)
    assert code == 1 and doc["problems"] == []
    (warning,) = doc["warnings"]
    assert set(warning) == {"code", "file", "cell", "message"}
    assert (warning["code"], warning["file"], warning["cell"]) == ("fractional_count", "actuals.xlsx", "县区实绩!F17")


def test_cli_validate_shows_errors_and_warnings_in_two_levels(book: WorkbookBuilder) -> None:
    _warned_book(book)
    book.set("南浔区", "1", "七点五")
    code, out, err = run("validate", str(book.save()))
    levels = [line.split(" ", 1)[0] for line in out.splitlines() if not line.startswith("[缺数据]")]
    assert code == 1 and levels == ["错误", "警告"] and "发现 1 处错误、1 处警告" in err


def test_cli_validate_unreadable_file_exits_2(tmp_path: Path) -> None:
    code, out, err = run("validate", str(tmp_path / "nope.xlsx"))
    assert code == 2 and out == "" and "文件不存在" in err and "Traceback" not in err


def test_example_workbook_is_the_documented_example(plan: Plan) -> None:
    a: Actuals = read_actuals(plan, EXAMPLE)
    assert "示意数据" in str(load_workbook(EXAMPLE)["县区实绩"]["A1"].value)
    assert all(c.value is not None for cells in a.units.values() for c in cells.values())
    assert len(a.ratings) == len(plan.departments) and a.adjustments
    assert all(j.basis for j in a.adjustments)


def test_a_city_adjustment_is_refused_not_dropped(plan: Plan, book: WorkbookBuilder) -> None:
    # 全市 is a progress report, not ranked: a 加减分 for it would silently do nothing
    book.fill_all().adjust(1, "全市", "某项表彰", 2, "文件")
    assert problems_of(plan, book.save()) == [("unknown_subject", "actuals.xlsx 加减分!A4")]
