"""Return forms and collecting returns (SPEC §3.1, §3.4).

The office sends each district, the city's statistics office and the departments a
form, gets them back (re-saved by whatever spreadsheet each uses), and scores them
together; the result must be the one a single full workbook with the same numbers
gives, with every number traced to the file and cell it came from.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import WorkbookBuilder, libreoffice_convert, run
from hz_assess.audit import audit
from hz_assess.errors import WorkbookError
from hz_assess.models import Plan
from hz_assess.scope import Scope
from hz_assess.scoring import score
from hz_assess.workbook import read_actuals, read_many, validate_many, validate_workbook

DISTRICTS = ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "湖州开发区"]
# a year with shortfalls, a 基本完成, mixed ratings and a vetoing 加减分 item
CHANGES: dict[tuple[str, str], float | str] = {
    ("南浔区", "1"): 5.6, ("长兴县", "12"): 400, ("安吉县", "27"): "基本完成", ("湖州开发区", "4"): 6.0,
    ("全市", "1"): 7.4, ("德清县", "3"): 27.5, ("吴兴区", "18"): 16.0,
}
RATINGS = {"市经信委": "优秀", "市发改委": "良好", "市科技局": 88, "市财政局": "一般"}


def full_book(plan: Plan, path: Path) -> WorkbookBuilder:
    book = WorkbookBuilder(plan, path).fill_all()
    for (unit, ind), value in CHANGES.items():
        book.set(unit, ind, value)
    for dep, rating in RATINGS.items():
        book.rating(dep, rating)
    book.adjust(1, "长兴县", "获评全省工业强县", 2, "省经信委通报")
    book.adjust(2, "德清县", "发生较大安全生产事故", -1, "市安委会通报", veto="是")
    return book


def returns(plan: Plan, full: WorkbookBuilder, folder: Path, leave_out: tuple[str, ...] = ()) -> list[Path]:
    """Each district's form and the city's, holding exactly what the full workbook holds for them,
    and the office's own workbook with only 部门评价 and 加减分 filled."""
    folder.mkdir(exist_ok=True)
    paths = []
    scopes = [Scope("district", d) for d in DISTRICTS if d not in leave_out] + [Scope("city")]
    for scope in scopes:
        form = WorkbookBuilder(plan, folder / f"{scope.title(plan)}.xlsx", scope=scope)
        for ind in plan.indicators:
            for unit in plan.unit_names:
                if ind.applies_to(unit) and scope.owes_unit_cell(plan, unit, ind.id):
                    form.set(unit, ind.id, full["县区实绩"][full.coord(unit, ind.id)].value)
        if scope.kind == "city":
            for ct in plan.city_targets:
                form.city(ct.id, "完成" if isinstance(ct.target, str) else ct.target)
        paths.append(form.save())
    office = WorkbookBuilder(plan, folder / "考核办.xlsx")
    for sheet in ("部门评价", "加减分"):
        for row in full[sheet].iter_rows(min_row=4):
            for cell in row:
                if not cell.protection.locked:
                    office[sheet][cell.coordinate].value = cell.value
    paths.append(office.save())
    return paths


def without_provenance(value: Any) -> Any:
    """A result with every field that names where it came from removed (SPEC §3.4 done-when)."""
    if isinstance(value, dict):
        return {k: without_provenance(v) for k, v in value.items()
                if k not in ("input", "sources", "file") and not k.endswith("source")}
    if isinstance(value, list):
        return [without_provenance(v) for v in value]
    return value


def assess(plan: Plan, paths: list[Path]) -> dict[str, Any]:
    actuals = read_many(plan, paths)
    result: dict[str, Any] = score(plan, actuals, audit(plan, actuals)).model_dump(mode="json")
    return result


# ---------------------------------------------------------------- the office's week


def test_returns_resaved_by_libreoffice_score_exactly_like_one_full_workbook(plan: Plan, tmp_path: Path,
                                                                             soffice: str) -> None:
    full = full_book(plan, tmp_path / "full.xlsx")
    full_path = full.save()
    sent = returns(plan, full, tmp_path / "sent")
    back = libreoffice_convert(soffice, sent, tmp_path / "back")
    one, many = assess(plan, [full_path]), assess(plan, back)
    assert without_provenance(many) == without_provenance(one)
    assert many["input"]["files"] and [Path(f["path"]).name for f in many["input"]["files"]] == [p.name for p in back]
    # every actual names the return it came from, and each unit's result its own return
    changxing = next(d for d in many["districts"] if d["name"] == "长兴县")
    row12 = next(i for i in changxing["indicators"] if i["id"] == "12")
    assert row12["actual"] == 400 and row12["source"] == "长兴县.xlsx!县区实绩!I16"
    assert changxing["sources"] == ["长兴县.xlsx"] and not changxing["provisional"]
    assert [d["name"] for d in many["districts"] if d["vetoed"]] == ["德清县"]
    assert next(d for d in many["departments"] if d["name"] == "市科技局")["rating"] == 88


def test_a_conflicting_cell_names_both_files_and_cells(plan: Plan, tmp_path: Path) -> None:
    full = full_book(plan, tmp_path / "full.xlsx").save()
    form = WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县"))
    form.set("长兴县", "1", 6.5)  # the full workbook says 7
    form.set("长兴县", "2", 8)  # the same value twice is fine
    code, out, err = run("score", str(full), str(form.save()), "--no-record")
    assert (code, out) == (2, "")
    assert "full.xlsx!县区实绩!I5" in err and "长兴.xlsx!县区实绩!I5" in err
    assert "「7」" in err and "「6.5」" in err and "I6" not in err


def test_a_missing_district_return_is_named_unreported_and_provisional(plan: Plan, tmp_path: Path) -> None:
    full = full_book(plan, tmp_path / "full.xlsx")
    result = assess(plan, returns(plan, full, tmp_path / "sent", leave_out=("南浔区",)))
    nanxun = next(d for d in result["districts"] if d["name"] == "南浔区")
    assert nanxun["provisional"] and nanxun["sources"] == [] and result["provisional"] and nanxun["unreported"]
    # listed, not ranked sixth at 0.00; the quota still counts six districts (2 places)
    assert nanxun["rank"] is None and [d["rank"] for d in result["districts"]][:5] == [1, 2, 2, 4, 5]
    assert [d["name"] for d in result["districts"]][-1] == "南浔区"
    assert any(n.startswith("南浔区 未报送:所给的 7 份文件中没有其任何实绩") for n in result["notes"])
    others = [d for d in result["districts"] if d["name"] != "南浔区"]
    assert not any(d["provisional"] for d in others)
    code, out, err = run("score", *map(str, returns(plan, full, tmp_path / "cli", leave_out=("南浔区",))),
                         "--no-record")
    assert code == 0 and "南浔区 未报送" in err
    assert "南浔区:未报送数据,等次暂定" in out
    row = next(line for line in out.splitlines() if "│" in line and "南浔区" in line)
    assert row.split("│")[1].strip() in ("", "—") and "暂定" in row and "未报送" in row


def test_returns_of_different_periods_are_refused(plan: Plan, tmp_path: Path) -> None:
    q1 = WorkbookBuilder(plan, tmp_path / "q1.xlsx", "2017Q1", Scope("district", "长兴县")).save()
    year = WorkbookBuilder(plan, tmp_path / "year.xlsx", "2017", Scope("district", "德清县")).save()
    code, _, err = run("score", str(year), str(q1), "--no-record")
    assert code == 2 and "q1.xlsx" in err and "期别为 2017Q1,与" in err and "year.xlsx 的 2017 不同" in err


def test_a_workbook_made_for_another_plan_is_refused(plan: Plan, tmp_path: Path) -> None:
    book = WorkbookBuilder(plan, tmp_path / "other.xlsx")
    assert book["说明"]["A7"].value == "计划编号"
    book["说明"]["B7"] = "shaoxing-2017"
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, book.save())
    assert [(p.code, p.where) for p in info.value.problems] == [("plan_mismatch", "other.xlsx 说明!B7")]


def test_the_same_file_twice_counts_once(plan: Plan, tmp_path: Path) -> None:
    path = full_book(plan, tmp_path / "full.xlsx").save()
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "full.xlsx").write_bytes(path.read_bytes())
    a = read_many(plan, [path, copy / "full.xlsx"])
    assert [(j.subject, j.points) for j in a.adjustments] == [("长兴县", 2.0), ("德清县", -1.0)]
    assert len(a.source_files()) == 1


def test_one_item_in_two_files_counts_once(plan: Plan, tmp_path: Path) -> None:
    full = full_book(plan, tmp_path / "full.xlsx").save()
    office = WorkbookBuilder(plan, tmp_path / "office.xlsx")
    office.adjust(1, "长兴县", "获评全省工业强县", 2, "省经信委通报")  # already in full.xlsx
    office.adjust(2, "吴兴区", "获评省级示范", 1, "通报")
    v = validate_many(plan, [full, office.save()])
    a = read_many(plan, [full, office.path])
    assert sorted((j.subject, j.points) for j in a.adjustments) == [("吴兴区", 1.0), ("德清县", -1.0),
                                                                    ("长兴县", 2.0)]
    assert any("同时见于 full.xlsx!加减分!C4 和 office.xlsx!加减分!C4,只计一次" in n for n in v.notes)


# ---------------------------------------------------------------- validating a return form


def test_a_blank_district_form_owes_only_its_own_column(plan: Plan, tmp_path: Path) -> None:
    path = WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县")).save()
    v = validate_workbook(plan, path)
    # 34 rows less 7, 9, 20 and 24, which 长兴县 is not assessed on
    assert v.ok and v.missing == 30 and v.scope == "县区:长兴县"
    assert all(c.startswith("长兴.xlsx!县区实绩!I") for c in v.missing_cells)
    assert v.missing_cells[0] == "长兴.xlsx!县区实绩!I5(长兴县 1 规上工业增加值增幅)"


def test_a_department_form_owes_its_led_and_supported_city_cells(plan: Plan, tmp_path: Path) -> None:
    path = WorkbookBuilder(plan, tmp_path / "经信委.xlsx", scope=Scope("department", "市经信委")).save()
    v = validate_workbook(plan, path)
    # 附件2: 市经信委 leads rows 1–9, 16, 22–27, 29, 30, 33 (19) and 19 further targets, supports C22
    assert v.missing == 19 + 20
    assert v.missing_cells[0].startswith("经信委.xlsx!县区实绩!E5(全市 1 ")
    assert "经信委.xlsx!全市目标!E25(C22 " in " ".join(v.missing_cells)


def test_a_filled_form_has_nothing_missing(plan: Plan, tmp_path: Path) -> None:
    form = WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县"))
    for ind in plan.indicators:
        if ind.applies_to("长兴县"):
            t = ind.target("长兴县")
            form.set("长兴县", ind.id, "完成" if isinstance(t, str) else t)
    v = validate_workbook(plan, form.save())
    assert (v.ok, v.read, v.missing, v.warnings) == (True, 30, 0, [])


def test_a_value_outside_the_forms_own_unit_is_a_warning(plan: Plan, tmp_path: Path) -> None:
    form = WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县"))
    form.set("吴兴区", "1", 7.2)  # the grey, locked column of another district (protection has no password)
    v = validate_workbook(plan, form.save())
    assert v.ok
    assert [(w.code, w.file, w.cell) for w in v.warnings] == [("outside_scope", "长兴.xlsx", "县区实绩!F5")]
    assert "长兴县的填报表,却填写了吴兴区 第1项的实绩" in v.warnings[0].message


def test_a_one_column_file_that_does_not_say_its_scope_is_read_as_that_units_form(plan: Plan,
                                                                                 tmp_path: Path) -> None:
    book = WorkbookBuilder(plan, tmp_path / "长兴自制.xlsx")
    book["说明"]["B8"] = None  # no 填报范围
    for col in "EFGHJK":  # every unit column but 长兴县 (I) relabelled: a notes column now
        book["县区实绩"][f"{col}4"] = f"备用{col}"
    book.set("长兴县", "1", 7.2)
    v = validate_workbook(plan, book.save())
    assert v.ok and v.missing == 29 and v.scope == "县区:长兴县"
    assert v.notes == ["文件未注明填报范围,只有「长兴县」一列,按长兴县的填报表读取"]


def test_a_return_form_names_its_scope_and_filler_on_its_notes_sheet(plan: Plan, tmp_path: Path) -> None:
    form = WorkbookBuilder(plan, tmp_path / "德清.xlsx", scope=Scope("district", "德清县"))
    notes = form["说明"]
    labels = {notes.cell(row=r, column=1).value: notes.cell(row=r, column=2) for r in range(1, 20)}
    assert labels["填报范围"].value == "县区:德清县" and labels["填报单位"].value == "德清县"
    labels["填报人"].value, labels["联系电话"].value = "张三", "0572-1234567"
    a = read_actuals(plan, form.save())
    assert a.source_files()[0].scope == "district:德清县"
    assert a.source_files()[0].info == {"填报单位": "德清县", "填报人": "张三", "联系电话": "0572-1234567"}


# ---------------------------------------------------------------- the template's cells


def test_a_district_form_opens_only_its_own_column(plan: Plan, tmp_path: Path) -> None:
    form = WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县"))
    ws = load_workbook(form.save())["县区实绩"]
    assert not ws["I5"].protection.locked and ws["I5"].fill.fgColor.rgb.endswith("FFF2CC")
    for other in ("E5", "F5", "K5"):
        assert ws[other].protection.locked and not ws[other].fill.fgColor.rgb.endswith("FFF2CC")
    assert "长兴县填报表" in ws["A1"].value
    for sheet in ("县区实绩", "全市目标", "部门评价", "加减分", "说明"):
        assert ws.parent[sheet].protection.sheet, sheet
    assert not any(c.protection is None or not c.protection.locked
                   for row in ws.parent["部门评价"].iter_rows(min_row=4, min_col=4, max_col=4) for c in row)


def test_a_department_form_opens_its_rows_of_the_city_column(plan: Plan, tmp_path: Path) -> None:
    form = WorkbookBuilder(plan, tmp_path / "经信委.xlsx", scope=Scope("department", "市经信委"))
    wb = load_workbook(form.save())
    ws = wb["县区实绩"]
    assert not ws["E5"].protection.locked  # row 1: led by 市经信委
    assert ws["E14"].protection.locked  # row 10: not its row
    assert ws["F5"].protection.locked  # a district's column
    city = wb["全市目标"]
    assert not city["E10"].protection.locked and city["A10"].value == "C07"
    assert city["E4"].protection.locked and city["A4"].value == "C01"


def test_a_quarterly_form_shows_the_targets_of_the_quarter(plan: Plan, tmp_path: Path) -> None:
    ws = load_workbook(WorkbookBuilder(plan, tmp_path / "q2.xlsx", "2017Q2").save())["县区实绩"]
    heads = {ws.cell(row=4, column=c).value: c for c in range(1, ws.max_column + 1)}
    city_target = heads["目标·全市"]
    assert ws.cell(row=16, column=city_target).value == 1840 * 2 / 4  # row 12, a flow: 时间进度
    assert ws.cell(row=5, column=city_target).value == 7  # row 1, a rate: the annual target
    assert ws.cell(row=21, column=city_target).value == "年底评定"  # row 17: judged at year end
    assert ws.cell(row=21, column=heads["全市"]).protection.locked
    assert ws.cell(row=29, column=heads["全市"]).protection.locked  # row 25, qualitative: year end


def test_a_quarterly_form_locks_every_year_end_item_and_says_why(plan: Plan, tmp_path: Path) -> None:
    wb = load_workbook(WorkbookBuilder(plan, tmp_path / "q2.xlsx", "2017Q2", Scope("city")).save())
    ws = wb["县区实绩"]
    heads = {ws.cell(row=4, column=c).value: c for c in range(1, ws.max_column + 1)}
    for ind_id in ("17", "22", "25", "26", "27", "34"):  # schedule: year_end (qualitative rows by default)
        row = 4 + int(ind_id)
        assert ws.cell(row=row, column=heads["目标·全市"]).value == "年底评定", ind_id
        assert ws.cell(row=row, column=heads["全市"]).protection.locked, ind_id
    city = wb["全市目标"]
    rows = {city.cell(row=r, column=1).value: r for r in range(4, city.max_row + 1)}
    for ct_id in ("C07", "C08", "C28", "C46"):
        assert city.cell(row=rows[ct_id], column=4).value == "年底评定", ct_id
        assert city.cell(row=rows[ct_id], column=5).protection.locked, ct_id
    assert not city.cell(row=rows["C03"], column=5).protection.locked
    assert city.cell(row=rows["C03"], column=4).value == 0.5  # 1 a year, at 2/4 of the year
    assert city.cell(row=rows["C03"], column=4).number_format == "General"


def test_a_district_form_shows_its_own_column_beside_its_own_target(plan: Plan, tmp_path: Path) -> None:
    ws = load_workbook(WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县")).save())[
        "县区实绩"]
    heads = {ws.cell(row=4, column=c).value: ws.cell(row=4, column=c).column_letter
             for c in range(1, ws.max_column + 1)}
    hidden = {name for name, letter in heads.items() if ws.column_dimensions[letter].hidden}
    others = [u for u in plan.unit_names if u != "长兴县"]
    assert hidden == {*others, *(f"目标·{u}" for u in others)}
    assert ws.page_setup.orientation == "portrait"


def test_targets_show_as_the_plan_prints_them(plan: Plan, tmp_path: Path) -> None:
    ws = load_workbook(WorkbookBuilder(plan, tmp_path / "t.xlsx").save())["县区实绩"]
    heads = {ws.cell(row=4, column=c).value: c for c in range(1, ws.max_column + 1)}
    cell = ws.cell(row=7, column=heads["目标·全市"])  # row 3: 24.0 万元/人·年
    assert cell.value == 24 and cell.number_format == "0.0"
    assert ws.cell(row=5, column=heads["目标·全市"]).number_format == "General"  # 7 stays 7


def test_number_cells_refuse_text_in_excel_itself(plan: Plan, tmp_path: Path) -> None:
    ws = load_workbook(WorkbookBuilder(plan, tmp_path / "t.xlsx").save())["县区实绩"]
    decimal = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal"]
    assert len(decimal) == 1 and decimal[0].errorStyle == "stop" and "I16" in decimal[0].sqref
    assert "I29" not in decimal[0].sqref  # row 25 is qualitative: a drop-down instead


def test_the_instructions_need_no_tool(plan: Plan, tmp_path: Path) -> None:
    ws = load_workbook(WorkbookBuilder(plan, tmp_path / "t.xlsx", scope=Scope("city")).save())["说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "hz-assess" not in text and "validate" not in text
    assert "填报人" in text and "审核人" in text and "Excel 或 WPS" in text


# ---------------------------------------------------------------- 加减分 否决


def test_a_veto_item_bars_the_unit_from_the_top_grade(plan: Plan, tmp_path: Path) -> None:
    book = WorkbookBuilder(plan, tmp_path / "v.xlsx").fill_all()
    book.adjust(1, "长兴县", "发生重大安全生产事故", None, "市安委会通报", veto="是")
    a = read_actuals(plan, book.save())
    assert [(j.subject, j.points, j.veto, j.where) for j in a.adjustments] == [("长兴县", 0.0, True, "加减分!C4")]
    result = score(plan, a)
    changxing = next(d for d in result.districts if d.name == "长兴县")
    assert changxing.vetoed and changxing.grade != "优秀"


def test_a_veto_cell_holding_anything_but_yes_is_an_error(plan: Plan, tmp_path: Path) -> None:
    book = WorkbookBuilder(plan, tmp_path / "v.xlsx").fill_all()
    book.adjust(1, "长兴县", "事故", -1, "通报", veto="Y")
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, book.save())
    assert [(p.code, p.where) for p in info.value.problems] == [("invalid_veto", "v.xlsx 加减分!D4")]


# ---------------------------------------------------------------- collect


def test_collect_writes_one_workbook_and_a_sources_sheet(plan: Plan, tmp_path: Path) -> None:
    full = full_book(plan, tmp_path / "full.xlsx")
    sent = returns(plan, full, tmp_path / "sent")
    out = tmp_path / "汇总.xlsx"
    code, _, err = run("collect", *map(str, sent), "-o", str(out))
    assert code == 0, err
    assert "已汇总 8 份文件" in err
    # the collected workbook scores exactly as the returns do
    assert without_provenance(assess(plan, [out])) == without_provenance(assess(plan, sent))
    sources = load_workbook(out)["来源"]
    rows = [[c.value for c in row][:6] for row in sources.iter_rows(min_row=1)]
    top = rows.index(["本表单元格", "单位或对象", "项目", "值", "来源文件", "来源单元格"])
    files = [r for r in rows[3:top] if r[0] not in ("sha256", None)]
    hashes = [r[1] for r in rows[3:top] if r[0] == "sha256"]
    assert hashes == [hashlib.sha256(p.read_bytes()).hexdigest() for p in sent]
    assert [f[0] for f in files] == [p.name for p in sent]
    assert files[3] == ["长兴县.xlsx", "县区:长兴县", "长兴县", None, None, None]
    assert ["县区实绩!I16", "长兴县", "12 规上工业新产品产值", 400, "长兴县.xlsx", "县区实绩!I16"] in rows
    assert ["加减分!C5", "德清县", "加减分:发生较大安全生产事故", -1, "考核办.xlsx", "加减分!C5"] in rows
    # an existing file is kept without --force, and an input is never the output
    assert run("collect", *map(str, sent), "-o", str(out))[0] == 2
    code, _, err = run("collect", *map(str, sent), "-o", str(sent[0]), "--force")
    assert code == 2 and "输入文件" in err


def test_collect_keeps_every_remark(plan: Plan, tmp_path: Path) -> None:
    changxing = WorkbookBuilder(plan, tmp_path / "长兴.xlsx", scope=Scope("district", "长兴县"))
    changxing.set("长兴县", "1", 7.1)
    changxing["县区实绩"]["L5"] = "初步数"
    deqing = WorkbookBuilder(plan, tmp_path / "德清.xlsx", scope=Scope("district", "德清县"))
    deqing.set("德清县", "1", 7.3)
    deqing["县区实绩"]["L5"] = "快报数"
    office = WorkbookBuilder(plan, tmp_path / "考核办.xlsx")
    office.rating("市经信委", "优秀")
    office["部门评价"]["E5"] = "经市领导审定"
    out = tmp_path / "汇总.xlsx"
    code, _, err = run("collect", str(changxing.save()), str(deqing.save()), str(office.save()), "-o", str(out))
    assert code == 0, err
    wb = load_workbook(out)
    assert wb["县区实绩"]["L5"].value == "长兴.xlsx:初步数;德清.xlsx:快报数"
    assert wb["部门评价"]["E5"].value == "考核办.xlsx:经市领导审定"


def test_collect_never_turns_text_from_a_return_into_a_formula(plan: Plan, tmp_path: Path) -> None:
    book = WorkbookBuilder(plan, tmp_path / "office.xlsx")
    book.adjust(1, "长兴县", "=HYPERLINK(\"http://x\",\"点我\")", 1, "@SUM(A1:A9)")
    book["加减分"]["B4"].data_type = "s"  # text a person typed with a leading ' (Excel keeps it as text)
    out = tmp_path / "汇总.xlsx"
    assert run("collect", str(book.save()), "-o", str(out))[0] == 0
    ws = load_workbook(out)["加减分"]
    assert ws["B4"].data_type == "s" and ws["B4"].value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert ws["E4"].data_type == "s"


def test_validate_of_several_returns_checks_them_together(plan: Plan, tmp_path: Path) -> None:
    full = full_book(plan, tmp_path / "full.xlsx")
    sent = returns(plan, full, tmp_path / "sent", leave_out=("南浔区",))
    code, out, err = run("validate", *map(str, sent), "--format", "json")
    assert code == 0, err
    v = json.loads(out)
    # the office's own workbook owes every cell: 南浔区's, which nobody sent, are missing
    assert v["problems"] == [] and v["missing"] == 30 and v["notes"] == ["南浔区 未报送:所给文件中没有其任何实绩"]
    assert v["missing_cells"][0] == "考核办.xlsx!县区实绩!G5(南浔区 1 规上工业增加值增幅)"
    assert v["period"] == "2017" and "县区:长兴县" in v["scope"]


def test_the_published_quota_counts_the_unreported_district_too(plan: Plan, tmp_path: Path) -> None:
    """Six districts, one unreported: ⌊6/3⌋ = 2 places, in the score and in the 通报 alike."""
    from hz_assess.views_publish import quota_sentences

    full = full_book(plan, tmp_path / "full.xlsx")
    actuals = read_many(plan, returns(plan, full, tmp_path / "sent", leave_out=("南浔区",)))
    a = score(plan, actuals, audit(plan, actuals))
    sentences = quota_sentences(a, a.districts)
    assert sentences and all("名额为2个（6个县区的三分之一）" in s for s in sentences)


def test_the_notice_says_an_unreported_district_sent_nothing(plan: Plan, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from hz_assess.narrative import notice

    full = full_book(plan, tmp_path / "full.xlsx")
    actuals = read_many(plan, returns(plan, full, tmp_path / "sent", leave_out=("南浔区",)))
    text = "\n".join(notice(score(plan, actuals), datetime(2018, 1, 15, tzinfo=UTC), version="t").paragraphs())
    assert "南浔区未报送数据，暂不参与排名。" in text and "南浔区未报送数据，等次暂定" in text
    assert "南浔区（0.00分" not in text


def test_charts_leave_out_an_unreported_district(plan: Plan, tmp_path: Path) -> None:
    from hz_assess.views import category_profiles, total_chart

    full = full_book(plan, tmp_path / "full.xlsx")
    actuals = read_many(plan, returns(plan, full, tmp_path / "sent", leave_out=("南浔区",)))
    a = score(plan, actuals)
    assert "南浔区" not in total_chart(a).labels and len(total_chart(a).labels) == 5
    assert [c.title for c in category_profiles(a)] == [d.name for d in a.districts if d.name != "南浔区"]
