"""Reports (SPEC §6): golden text reports, xlsx/html structure, safe writing, the CLI.

Golden files live in tests/golden/report.*; regenerate them after an intended
change with `UPDATE_GOLDEN=1 pytest tests/test_export.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from html import escape
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from _report_fixture import FULLWIDTH_ITEM, HOSTILE_BASIS, HOSTILE_ITEM, SCRIPT_ITEM, report_assessment
from hz_assess.cli import app
from hz_assess.errors import OutputError
from hz_assess.export import report_format, write_report
from hz_assess.export.html import render_html
from hz_assess.export.text import render_json, render_md
from hz_assess.models import Assessment
from hz_assess.views import report_document

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"
SHEETS = ["县区排名", "县区明细", "部门排名", "部门明细", "全市进展", "缺数据与警告", "说明"]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return report_assessment()


@pytest.fixture(scope="module")
def xlsx_report(assessment: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    write_report(assessment, path)
    return path


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HZ_ASSESS_HOME", str(tmp_path / "home"))  # commands may keep a ledger there


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------- golden text reports


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_text_report_matches_its_golden_file(assessment: Assessment, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    write_report(assessment, out)
    golden = GOLDEN / f"report.{fmt}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(out.read_bytes())
    assert out.read_bytes() == golden.read_bytes(), f"rerun with UPDATE_GOLDEN=1 if {golden.name} should change"


def test_json_report_is_render_json_and_the_model_dump(assessment: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    write_report(assessment, out)
    assert out.read_text(encoding="utf-8") == render_json(assessment) + "\n"
    assert json.loads(out.read_text(encoding="utf-8")) == assessment.model_dump(mode="json")


def test_csv_report_has_a_bom_and_both_ranked_tables(assessment: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    write_report(assessment, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    blocks = [b.splitlines() for b in raw.decode("utf-8-sig").split("\r\n\r\n")]
    assert blocks[0][0] == "县区排名" and blocks[0][1].startswith("排名,县区,总分")
    assert len([row for row in blocks[0] if row[:1].isdigit()]) == len(assessment.districts)
    departments = [b for b in blocks if b[0].startswith("部门排名 · ")]
    assert all(b[1].startswith("排名,部门,总分") for b in departments) and len(departments) == 3
    assert sum(len([row for row in b if row[:1].isdigit()]) for b in departments) == len(assessment.departments)
    assert any(b[0] == "全市其他量化目标" for b in blocks)  # the city is in every report format


def test_md_lists_each_districts_shortfalls_by_points_lost(assessment: Assessment) -> None:
    md = render_md(report_document(assessment))
    section = md.split("## 湖州开发区")[1].split("## ")[0]
    ids = re.findall(r"^\| (\d+) \|", section, flags=re.M)
    assert ids == ["1", "8"]  # row 1 loses 4 points, row 8 loses 0.6
    assert assessment.plan.sha256 in md and "默认评分方法" in md


# ---------------------------------------------------------------- xlsx


def test_xlsx_has_the_seven_sheets_in_order(xlsx_report: Path) -> None:
    assert openpyxl.load_workbook(xlsx_report).sheetnames == SHEETS


def test_xlsx_ranking_sheet_has_a_native_bar_chart_of_totals(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    assert len(ws._charts) == 1
    assert ws._charts[0].tagname == "barChart"
    with zipfile.ZipFile(xlsx_report) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_xlsx_ranking_rows_hold_numbers_in_rank_order(assessment: Assessment, xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    assert [c.value for c in ws[3]][:3] == ["排名", "县区", "总分"]
    names = [ws.cell(row=r, column=2).value for r in range(4, 4 + len(assessment.districts))]
    assert names == [d.name for d in assessment.districts]
    assert ws["C4"].value == pytest.approx(assessment.districts[0].score)  # full precision, shown as 0.00
    assert ws["C4"].number_format == "0.00"


def test_xlsx_holds_no_formula_anywhere(xlsx_report: Path) -> None:
    with zipfile.ZipFile(xlsx_report) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(rb"<f[ >]", z.read(name)), name
    wb = openpyxl.load_workbook(xlsx_report)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"


def test_xlsx_stores_formula_like_text_as_text(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["缺数据与警告"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for hostile in (HOSTILE_ITEM, HOSTILE_BASIS, FULLWIDTH_ITEM, "@SUM(A1:A9)", "-违规通报"):
        assert cells[hostile].data_type == "s"  # shown exactly as typed, never run, no apostrophe
        assert "'" + hostile not in cells


def test_xlsx_is_print_ready(xlsx_report: Path) -> None:
    wb = openpyxl.load_workbook(xlsx_report)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.freeze_panes is not None and ws.print_title_rows
    ranking = wb["县区排名"]
    assert ranking.column_dimensions["B"].width >= 2 * len("湖州开发区")  # CJK counted as two


def test_xlsx_detail_marks_missing_and_shortfalls(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区明细"]
    cells = [c for row in ws.iter_rows(min_row=5) for c in row]
    assert any(c.value == "缺数据" for c in cells)
    red = [c for c in cells if c.fill is not None and c.fill.fgColor.rgb in ("00FFC7CE", "FFFFC7CE")]
    assert red  # the below-target cells


def test_xlsx_about_sheet_names_method_plan_input_and_version(assessment: Assessment, xlsx_report: Path) -> None:
    from hz_assess import __version__

    ws = openpyxl.load_workbook(xlsx_report)["说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for needle in (assessment.plan.sha256, assessment.input.files[0].sha256, "默认评分方法", __version__, "生成时间",
                   "scoring.growth.bonus_per_point", "scoring.departments.groups.lead.rating_weight"):
        assert needle in text


def test_xlsx_report_converts_to_pdf_with_libreoffice(xlsx_report: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required on CI")
        pytest.skip("LibreOffice not installed")
    profile = (tmp_path / "lo_profile").as_uri()
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(xlsx_report)],
        capture_output=True, timeout=120, check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr.decode(errors="replace")
    assert pdf.read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------- html


def test_html_is_self_contained_with_inline_svg_charts(assessment: Assessment) -> None:
    html = render_html(report_document(assessment))
    assert html.count("<svg") == 1 + len(assessment.districts)  # totals + one profile per district
    lowered = html.lower()
    for banned in ("<script", "src=", "href=", "url(", "@import", "<link", "<iframe"):
        assert banned not in lowered, banned
    # the only URL is inside escaped user text (the hostile 加减分 item), never a reference
    assert "http" not in lowered.replace(escape(HOSTILE_ITEM).lower(), "")


def test_html_escapes_every_text(assessment: Assessment) -> None:
    html = render_html(report_document(assessment))
    assert escape(SCRIPT_ITEM) in html and SCRIPT_ITEM not in html
    assert escape(HOSTILE_ITEM) in html


def test_html_has_a4_landscape_print_css(assessment: Assessment) -> None:
    html = render_html(report_document(assessment))
    assert "@page { size: A4 landscape" in html and "@media print" in html


# ---------------------------------------------------------------- writing safely


def test_format_comes_from_the_suffix_and_an_option_must_agree(tmp_path: Path) -> None:
    assert report_format(tmp_path / "a.XLSX") == "xlsx"
    assert report_format(tmp_path / "a.md", "md") == "md"
    with pytest.raises(OutputError, match="不支持的报告格式"):
        report_format(tmp_path / "a.pdf")
    with pytest.raises(OutputError, match="与文件扩展名「.xlsx」不符"):
        report_format(tmp_path / "x.xlsx", "csv")  # never a CSV written into x.xlsx
    with pytest.raises(OutputError, match="扩展名「.txt」与报告格式 md 不符"):
        report_format(tmp_path / "a.txt", "md")


def test_existing_file_is_refused_and_left_untouched(assessment: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        write_report(assessment, out)
    (problem,) = info.value.problems
    assert str(out) in str(problem) and "--force" in problem.message
    assert out.read_text(encoding="utf-8") == "old"


def test_existing_file_is_replaced_with_force(assessment: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    out.write_text("old", encoding="utf-8")
    write_report(assessment, out, force=True)
    assert out.read_text(encoding="utf-8") == render_md(report_document(assessment))
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temp file left behind


def test_missing_folder_or_a_directory_gives_one_output_error(assessment: Assessment, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="不存在") as info:
        write_report(assessment, tmp_path / "nope" / "r.csv")
    assert len(info.value.problems) == 1
    with pytest.raises(OutputError, match="文件夹"):
        write_report(assessment, tmp_path, "csv", force=True)


def test_locked_destination_gives_output_error_and_no_debris(
    assessment: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"open in Excel")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")  # what Windows says while Excel holds the file

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError, match="无法写入"):
        write_report(assessment, out, force=True)
    assert out.read_bytes() == b"open in Excel"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


# ---------------------------------------------------------------- the command


needs_example = pytest.mark.skipif(not EXAMPLE.exists(), reason="examples/actuals_2017.xlsx not built yet")


@needs_example
def test_report_command_writes_the_file_and_says_so_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "排名.html"
    code, stdout, stderr = run("report", str(EXAMPLE), "-o", str(out))
    assert code == 0 and stdout == ""
    assert str(out) in stderr and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@needs_example
def test_report_json_equals_score_format_json(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code, _, _ = run("report", str(EXAMPLE), "-o", str(out))
    assert code == 0
    code, stdout, _ = run("score", str(EXAMPLE), "--format", "json")
    assert code == 0
    assert out.read_text(encoding="utf-8") == stdout


@needs_example
def test_report_format_option_contradicting_the_suffix_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    code, _, err = run("report", str(EXAMPLE), "-o", str(out), "--format", "csv")
    assert code == 2 and "--format csv" in err and not out.exists()
    code, _, _ = run("report", str(EXAMPLE), "-o", str(tmp_path / "r.md"), "--format", "md")
    assert code == 0 and (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")


@needs_example
def test_report_is_never_written_onto_its_input_even_with_force(tmp_path: Path) -> None:
    copy = tmp_path / "实绩.xlsx"
    shutil.copy(EXAMPLE, copy)
    before = copy.read_bytes()
    code, _, err = run("report", str(copy), "-o", str(copy), "--force")
    assert code == 2 and "输入文件" in err and copy.read_bytes() == before


@needs_example
def test_report_command_refuses_overwrite_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_text("keep", encoding="utf-8")
    code, _, stderr = run("report", str(EXAMPLE), "-o", str(out))
    assert code == 2 and "--force" in stderr and out.read_text(encoding="utf-8") == "keep"
    code, _, _ = run("report", str(EXAMPLE), "-o", str(out), "--force")
    assert code == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")


@needs_example
def test_report_command_unwritable_destination_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run("report", str(EXAMPLE), "-o", str(tmp_path / "missing" / "r.xlsx"))
    assert code == 2 and "不存在" in stderr and "Traceback" not in stderr
