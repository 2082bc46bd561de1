"""Reports (SPEC §6): golden text reports, xlsx/html structure, safe writing, the CLI.

Golden files live in tests/golden/report.*; regenerate them after an intended
change with `UPDATE_GOLDEN=1 pytest tests/test_export.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from _report_fixture import FULLWIDTH_ITEM, HOSTILE_BASIS, HOSTILE_ITEM, SCRIPT_ITEM, report_assessment
from conftest import run
from hz_assess import __version__
from hz_assess.errors import OutputError
from hz_assess.export import report_format, write_report
from hz_assess.export.html import render_html
from hz_assess.export.text import md_escape, render_json, render_md
from hz_assess.models import Assessment
from hz_assess.views_publish import publication_document

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"
SHEETS = ["县区排名", "县区明细", "部门排名", "部门明细", "全市进展", "缺数据与警告", "说明"]
NOW = datetime(2018, 1, 14, 17, 30, tzinfo=UTC)  # the published reports are dated: goldens need a fixed moment


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


# ---------------------------------------------------------------- golden text reports


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_text_report_matches_its_golden_file(assessment: Assessment, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    write_report(assessment, out, now=NOW)
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


def published_md(a: Assessment) -> str:
    return render_md(publication_document(a, NOW, version="9.9"))


def test_md_lists_each_districts_shortfalls_by_points_lost(assessment: Assessment) -> None:
    md = published_md(assessment)
    section = md.split("## 湖州开发区")[1].split("## ")[0]
    ids = re.findall(r"^\| (\d+) \|", section, flags=re.M)
    assert ids == ["1", "8"]  # row 1 loses 4 points, row 8 loses 0.6
    assert assessment.plan.sha256 in md and "默认评分方法" in md


def test_md_opens_with_the_masthead_and_keeps_paths_and_hashes_for_a_closing_note(assessment: Assessment) -> None:
    md = published_md(assessment)
    head, _, about = md.partition("\n## 说明\n")
    assert head.startswith("# 2017年度湖州市工业强市建设考核结果（暂定结果）\n\n- 湖州市工业强市建设工作领导小组办公室")
    for secret in (assessment.plan.sha256, assessment.plan.path, assessment.input.files[0].path):
        assert md_escape(secret) not in head and md_escape(secret) in about
    assert "\n## " not in about  # 说明 is the last section


def test_md_notes_under_a_table_are_list_items(assessment: Assessment) -> None:
    md = published_md(assessment)
    ranks = md.split("## 2017年度工业强市建设考核 县区排名")[1].split("\n## ")[0]
    notes = ranks.split("\n\n")[2].splitlines()
    assert len(notes) >= 2 and all(line.startswith("- ") for line in notes)
    assert "- 德清县总分97.40分，但第25项“单位GDP能耗下降率”评定为未完成，实行一票否决，不得评为优秀。" in notes


# ---------------------------------------------------------------- xlsx


def test_xlsx_has_the_seven_sheets_in_order(xlsx_report: Path) -> None:
    assert openpyxl.load_workbook(xlsx_report).sheetnames == SHEETS


def test_xlsx_ranking_sheet_has_a_native_bar_chart_of_totals(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    assert len(ws._charts) == 1
    assert ws._charts[0].tagname == "barChart"
    with zipfile.ZipFile(xlsx_report) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def header_row(ws: Any, first: str) -> int:
    """The row whose first cell is the table's first header (the rows above are titles)."""
    return next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == first)


def test_xlsx_ranking_rows_hold_numbers_in_rank_order(assessment: Assessment, xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    head = header_row(ws, "排名")
    assert [c.value for c in ws[head]][:3] == ["排名", "县区", "总分"]
    names = [ws.cell(row=r, column=2).value for r in range(head + 1, head + 1 + len(assessment.districts))]
    assert names == [d.name for d in assessment.districts]
    score = ws.cell(row=head + 1, column=3)
    assert score.value == pytest.approx(assessment.districts[0].score)  # full precision, shown as 0.00
    assert score.number_format == "0.00"


def test_xlsx_first_page_carries_the_publication_masthead(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    top = [str(ws.cell(row=r, column=1).value or "") for r in range(1, header_row(ws, "排名"))]
    assert top[0] == "2017年度湖州市工业强市建设考核结果（暂定结果）"
    assert top[1].startswith("湖州市工业强市建设工作领导小组办公室")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日$", top[1])  # the date, in Beijing time
    assert any(line.startswith("暂定结果") for line in top)


def test_xlsx_every_sheet_title_says_provisional_and_only_about_has_hashes(
    assessment: Assessment, xlsx_report: Path
) -> None:
    wb = openpyxl.load_workbook(xlsx_report)
    secrets = (assessment.plan.sha256, assessment.input.files[0].sha256, assessment.plan.path)
    for ws in wb.worksheets:
        top, head = (int(x.lstrip("$")) for x in ws.print_title_rows.split(":"))
        assert str(ws.cell(row=top, column=1).value).endswith("（暂定结果）"), ws.title  # repeated on every page
        if ws.col_breaks.brk:  # split into strips: the title spans the columns each strip repeats, so it shows whole
            keys = ws.print_title_cols.split(":")[1].lstrip("$")
            (span,) = [r for r in ws.merged_cells.ranges if r.min_row == top and r.min_col == 1]
            assert span.max_col == openpyxl.utils.column_index_from_string(keys), ws.title
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        assert any(s in text for s in secrets) == (ws.title == "说明"), ws.title


def test_xlsx_provisional_units_grade_reads_provisional(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    head = header_row(ws, "排名")
    grade_col = [c.value for c in ws[head]].index("等次") + 1
    rows = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=grade_col) for r in range(head + 1, head + 7)}
    assert rows["南浔区"].value == "暂定"  # missing data: its grade is not known yet
    assert rows["南浔区"].fill.fgColor.rgb.endswith("FFEB9C")  # marked provisional, not coloured as a grade
    assert rows["长兴县"].value == "优秀"


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
        assert ws.freeze_panes is not None and ws.print_title_rows
        assert "&P" in ws.oddFooter.center.text  # page numbers
        fonts = {(c.font.name, c.font.size) for row in ws.iter_rows() for c in row if c.value is not None}
        assert {name for name, _ in fonts} <= {"宋体", "黑体"}, ws.title
        # never shrunk below 9 pt on paper: the smallest font times the print scale
        assert min(size for _, size in fonts) * int(ws.page_setup.scale) / 100 >= 9, ws.title
    ranking = wb["县区排名"]
    assert ranking.column_dimensions["B"].width >= 2 * len("湖州开发区")  # CJK counted as two
    head = header_row(ranking, "排名")
    assert ranking.cell(row=head + 1, column=2).border.left.style == "thin"


def test_xlsx_wide_matrix_is_split_across_pages_by_district(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区明细"]
    head = header_row(ws, "序号")
    groups = [c.value for c in ws[head] if c.value]
    assert groups[:5] == ["序号", "栏目", "主要指标", "计量单位", "分值"] and "长兴县" in groups
    breaks = [b.id for b in ws.col_breaks.brk]
    assert breaks  # pages of whole districts: each break falls after a district's 得分 column
    assert all(ws.cell(row=head + 1, column=b).value == "得分" for b in breaks)
    assert ws.print_title_cols and ws.print_title_cols.startswith("$A:")  # indicator names on every page


def test_xlsx_chart_writes_each_bars_value(xlsx_report: Path) -> None:
    chart = openpyxl.load_workbook(xlsx_report)["县区排名"]._charts[0]
    labels = chart.dataLabels
    assert labels is not None and labels.showVal and not labels.showSerName and not labels.showCatName


def test_xlsx_detail_marks_missing_and_shortfalls(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区明细"]
    cells = [c for row in ws.iter_rows(min_row=header_row(ws, "序号") + 2) for c in row]
    assert any(c.value == "缺数据" for c in cells)
    red = [c for c in cells if c.fill is not None and c.fill.fgColor.rgb in ("00FFC7CE", "FFFFC7CE")]
    assert red  # the below-target cells


def test_xlsx_about_sheet_names_method_plan_input_and_version(assessment: Assessment, xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for needle in (assessment.plan.sha256, assessment.input.files[0].sha256, "默认评分方法", __version__, "生成时间",
                   "scoring.growth.bonus_per_point", "scoring.departments.groups.lead.rating_weight"):
        assert needle in text


# ---------------------------------------------------------------- docx


@pytest.fixture(scope="module")
def docx_report(assessment: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "通报.docx"
    write_report(assessment, path)
    return path


def test_docx_is_a_notice_with_number_title_narrative_tables_and_appendix(
    assessment: Assessment, docx_report: Path
) -> None:
    import docx

    d = docx.Document(str(docx_report))
    texts = [p.text for p in d.paragraphs if p.text.strip()]
    assert re.fullmatch(r"〔\d{4}〕\s+号", texts[0])  # the office fills in its prefix and number
    assert texts[1] == "关于2017年度湖州市工业强市建设考核暂定结果的通报"
    assert texts[2] == "各县区人民政府，湖州开发区管委会，市级有关部门："
    assert any(t.startswith("6个县区考核总分由高到低依次为：第1名长兴县（103.00分）") for t in texts)
    assert any(t.startswith("经研究，决定对评为优秀的长兴县、吴兴区2个县区") for t in texts)  # ⌊6/3⌋ places
    assert any(t.startswith("南浔区缺第2项“规上工业利税增幅”") for t in texts)
    assert texts.index("附件") > texts.index("湖州市工业强市建设工作领导小组办公室")
    ranks = d.tables[0]
    assert [c.text for c in ranks.rows[0].cells][:3] == ["排名", "县区", "总分"]
    assert [r.cells[1].text for r in ranks.rows[1:]] == [x.name for x in assessment.districts]
    assert ranks.rows[-1].cells[[c.text for c in ranks.rows[0].cells].index("等次")].text == "暂定"
    body = "\n".join(texts[: texts.index("附件")])
    assert assessment.plan.sha256 not in body  # hashes and paths only in the appendix
    assert any(assessment.plan.sha256 in c.text for row in d.tables[-1].rows for c in row.cells)


def test_docx_names_its_chinese_fonts_and_is_a4_portrait_with_page_numbers(docx_report: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(docx_report))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    east = {r._r.rPr.rFonts.get(qn("w:eastAsia")) for p in d.paragraphs for r in p.runs if r.text.strip()}
    assert {"方正小标宋简体", "黑体", "仿宋_GB2312"} <= east
    sizes = [r.font.size.pt for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs
             for r in p.runs if r.text]
    assert min(sizes) >= 9
    assert "PAGE" in "".join(e.text or "" for e in s.footer._element.iter(qn("w:instrText")))


def test_docx_keeps_typed_text_literal(docx_report: Path) -> None:
    import docx

    d = docx.Document(str(docx_report))
    text = "\n".join(p.text for p in d.paragraphs)
    assert f"因“{FULLWIDTH_ITEM}”扣2分" in text  # the 加减分 item exactly as typed, a literal run
    with zipfile.ZipFile(docx_report) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert f"因“{escape(HOSTILE_ITEM, quote=False)}”加3分" in xml  # a bonus item too: text in a run
    assert "<w:hyperlink" not in xml and "HYPERLINK" not in xml.replace(escape(HOSTILE_ITEM, quote=False), "")


def docx_body(path: Path) -> tuple[list[str], list[str]]:
    """The 通报's paragraphs and table cells before 附件 (the published body), in document order."""
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    d = docx.Document(str(path))
    paragraphs, cells = [], []
    for element in d.element.body.iterchildren():
        if element.tag.endswith("}p"):
            text = Paragraph(element, d).text
            if text == "附件":
                break
            paragraphs.append(text)
        elif element.tag.endswith("}tbl"):
            cells += [c.text for row in DocxTable(element, d).rows for c in row.cells]
    return paragraphs, cells


def test_docx_body_says_each_fact_once_and_nothing_for_the_office(docx_report: Path) -> None:
    paragraphs, cells = docx_body(docx_report)
    text = "\n".join([*paragraphs, *cells])
    for internal in ("请考核办", "超出名额", "计划自身", "县区实绩!", "所给的文件", "「"):
        assert internal not in text, internal
    assert text.count("南浔区缺第2项") == 1  # the missing indicators once, not under each table as well
    tie = ("牵头部门中，市国土资源局、市环保局、市金融办、市商务局、市市场监管局、市质量技监局总分同为100.00分，"
           "并列第1名，均评为优秀。")
    assert text.count(tie) == 1
    assert any(p.startswith("加分和扣分事项：长兴县因") and "加3分" in p and "扣2分" in p for p in paragraphs)


def test_docx_commends_departments_by_group(docx_report: Path) -> None:
    import docx

    d = docx.Document(str(docx_report))
    honoured = next(t for t in d.tables if t.rows[0].cells[0].text == "类别")
    assert [c.text for c in honoured.rows[0].cells] == ["类别", "单位", "总分", "组内排名"]
    kinds = {r.cells[0].text for r in honoured.rows[1:]}
    assert kinds == {"县区", "牵头部门", "配合部门", "服务保障部门"}


def test_docx_is_chinese_to_word(docx_report: Path) -> None:
    with zipfile.ZipFile(docx_report) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                assert b"ja-JP" not in z.read(name), name
        settings = z.read("word/settings.xml").decode("utf-8")
    assert re.search(r'<w:themeFontLang [^>]*w:eastAsia="zh-CN"', settings)


def test_docx_signature_stays_with_the_last_paragraph(docx_report: Path) -> None:
    import docx

    d = docx.Document(str(docx_report))
    texts = [p.text for p in d.paragraphs]
    issuer = texts.index("湖州市工业强市建设工作领导小组办公室")
    before = [p for p in d.paragraphs[:issuer] if p.text.strip()][-1]
    assert before.text.startswith("市财政局")  # the last sentence of the body
    chain = d.paragraphs[texts.index(before.text):issuer + 1]
    assert all(p.paragraph_format.keep_with_next for p in chain)


# ---------------------------------------------------------------- html


def published_html(a: Assessment) -> str:
    return render_html(publication_document(a, NOW, version="9.9"))


def test_html_is_self_contained_with_inline_svg_charts(assessment: Assessment) -> None:
    html = published_html(assessment)
    assert html.count("<svg") == 1 + len(assessment.districts)  # totals + one profile per district
    lowered = html.lower()
    for banned in ("<script", "src=", "href=", "url(", "@import", "<link", "<iframe"):
        assert banned not in lowered, banned
    # the only URL is inside escaped user text (the hostile 加减分 item), never a reference
    assert "http" not in lowered.replace(escape(HOSTILE_ITEM).lower(), "")


def test_html_escapes_every_text(assessment: Assessment) -> None:
    html = published_html(assessment)
    assert escape(SCRIPT_ITEM) in html and SCRIPT_ITEM not in html
    assert escape(HOSTILE_ITEM) in html


def test_html_has_the_masthead_and_keeps_hashes_for_the_end(assessment: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    write_report(assessment, out)
    html = out.read_text(encoding="utf-8")
    assert "<h1>2017年度湖州市工业强市建设考核结果（暂定结果）</h1>" in html
    assert '<p class="masthead">湖州市工业强市建设工作领导小组办公室' in html
    about = html.index("<h2>说明</h2>")
    assert html.index(assessment.plan.sha256) > about and html.index(assessment.plan.path) > about
    assert 'name="viewport"' in html and '<svg viewBox="0 0 560' in html and 'width="720"' not in html


def test_html_has_a4_landscape_print_css(assessment: Assessment) -> None:
    html = published_html(assessment)
    assert "@page { size: A4 landscape" in html and "@media print" in html


def test_html_category_cards_print_score_and_full_points_to_two_decimals(assessment: Assessment) -> None:
    html = published_html(assessment)
    cards = re.findall(r'<div class="profile">(.*?)</div>', html)
    assert len(cards) == len(assessment.districts)
    figures = [f for card in cards for f in re.findall(r'<text x="\d+" y="\d+" font-size="\d+">([^<]*)</text>', card)]
    assert len(figures) == 6 * len(assessment.districts)
    assert all(re.fullmatch(r"\d+\.\d{2}/\d+\.\d{2}", f) or f == "不考核" for f in figures), figures
    assert "4.17/4.17" in figures  # 湖州开发区 lacks row 22: its 两化融合 is out of 4.1666…, shown as 4.17


def test_html_chart_text_is_at_least_12_px(assessment: Assessment) -> None:
    html = published_html(assessment)
    sizes = [int(x) for x in re.findall(r'font-size="(\d+)"', html)]
    assert sizes and min(sizes) >= 13  # drawn at most 3 % below their design width: still ≥ 12 px


def test_html_districts_are_told_in_words_without_cells_or_empty_tables(assessment: Assessment) -> None:
    html = published_html(assessment)
    body = html.split("<h2>说明</h2>")[0]
    text = unescape(re.sub(r"<[^>]+>", "", body)).replace(HOSTILE_BASIS, "")  # a typed basis may hold a "!"
    for jargon in ("!", "所给的文件", ",,", "，，", "请考核办", "计划自身"):
        assert jargon not in text, jargon
    assert "<tbody></tbody>" not in html
    assert "<h2>长兴县（总分103.00分，第1名，优秀）</h2>" in html  # no shortfalls: a sentence, not a table
    assert "<p>各项考核指标均达到目标。</p>" in html or "<li>各项考核指标均达到目标。</li>" in html
    assert "<h2>南浔区（总分83.00分，第6名，等次暂定）：未达标1项（按失分从多到少）</h2>" in html


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
    write_report(assessment, out, force=True, now=NOW)
    assert out.read_text(encoding="utf-8") == render_md(publication_document(assessment, NOW, version=__version__))
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


@needs_example
def test_report_run_re_exports_a_recorded_run_and_attaches_the_file(tmp_path: Path) -> None:
    code, _, err = run("report", str(EXAMPLE), "-o", str(tmp_path / "first.json"))
    assert code == 0 and "第 1 号记录" in err
    out = tmp_path / "again.json"
    code, stdout, err = run("report", "--run", "1", "-o", str(out))
    assert code == 0 and stdout == "" and "按考核台账第 1 号记录" in err
    assert out.read_bytes() == (tmp_path / "first.json").read_bytes()  # the recorded result, exactly
    code, _, err = run("show", "1")
    assert str(out) in err  # attached to run 1: no new record
    _, history, _ = run("history", "--format", "json")
    assert len(json.loads(history)["runs"]) == 1


@needs_example
def test_report_without_a_workbook_uses_the_ledgers_default_run_and_says_so(tmp_path: Path) -> None:
    code, _, err = run("report", "-o", str(tmp_path / "r.docx"))
    assert code == 2 and "还没有本计划的考核记录" in err and not (tmp_path / "r.docx").exists()
    assert run("report", str(EXAMPLE), "-o", str(tmp_path / "a.md"))[0] == 0
    code, _, err = run("report", "-o", str(tmp_path / "r.docx"))
    assert code == 0 and "未指定工作簿,使用最新一期(2017)最新的记录:第 1 号记录" in err
    assert (tmp_path / "r.docx").read_bytes().startswith(b"PK")


def test_report_refuses_a_workbook_and_run_together_and_an_unknown_run(tmp_path: Path) -> None:
    code, _, err = run("report", str(EXAMPLE), "--run", "1", "-o", str(tmp_path / "r.md"))
    assert code == 2 and "其中之一" in err
    code, _, err = run("report", "--run", "9", "-o", str(tmp_path / "r.md"))
    assert code == 2 and "没有第 9 号记录" in err and not (tmp_path / "r.md").exists()


# ---------------------------------------------------------------- xlsx pages


def test_xlsx_a_cell_taller_than_a_page_goes_on_in_the_rows_below() -> None:
    from hz_assess.export.xlsx import row_height, write_sheet
    from hz_assess.views import Column, Table

    listing = "、".join(f"县区实绩!F{i}(第{i}项指标的名称写得比较长)" for i in range(200))
    t = Table("issues", "缺数据与警告", [Column("type", "类型"), Column("text", "内容")])
    t.add(["说明", listing])
    t.add(["说明", "短"])
    wb = openpyxl.Workbook()
    sheet = write_sheet(wb, "缺数据与警告", t, "缺数据与警告")
    ws, room = sheet.ws, sheet.pages.room()
    rows = range(sheet.first, ws.max_row + 1)
    assert all((ws.row_dimensions[r].height or 15) <= room for r in rows)  # no row runs into the footer
    pieces = [ws.cell(row=r, column=2).value for r in rows if ws.cell(row=r, column=2).value not in (None, "短")]
    assert len(pieces) > 1 and "".join(pieces) == listing  # nothing is cut, nothing repeated
    assert ws.cell(row=sheet.first, column=1).value == "说明"
    assert all(ws.row_dimensions[r].height >= row_height(1) for r in rows if ws.cell(row=r, column=2).value)


def test_xlsx_department_detail_strips_repeat_department_id_and_indicator_with_the_title(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["部门明细"]
    head = header_row(ws, "部门")
    assert [ws.cell(row=head, column=c).value for c in (1, 2, 3)] == ["部门", "序号", "主要指标"]
    assert ws.col_breaks.brk and ws.print_title_cols == "$A:$C"
    top = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    assert "部门指标明细" in str(ws.cell(row=top, column=1).value)  # the title prints on every strip


def test_xlsx_rows_are_tall_enough_for_chinese_text_and_centred(xlsx_report: Path) -> None:
    wb = openpyxl.load_workbook(xlsx_report)
    for ws in wb.worksheets:
        head = int(ws.print_title_rows.split(":")[1].lstrip("$"))
        for row in ws.iter_rows(min_row=head + 1):
            if any(c.value is not None for c in row):
                assert (ws.row_dimensions[row[0].row].height or 0) >= 20, (ws.title, row[0].row)
                assert all(c.alignment.vertical == "center" for c in row if c.value is not None), ws.title


def test_xlsx_chart_sits_right_below_the_ranking_and_the_notes_follow_it(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["县区排名"]
    head = header_row(ws, "排名")
    chart = ws._charts[0]
    anchor = chart.anchor._from.row + 1  # 0-based in the drawing
    assert anchor == head + 6 + 2  # six districts, a blank row
    assert ws.row_dimensions[anchor].height >= 6.5 / 2.54 * 72  # room for the whole chart
    notes = [ws.cell(row=r, column=1).value for r in range(anchor + 1, ws.max_row + 1)]
    assert any(str(n).startswith("德清县总分97.40分") for n in notes)


def test_xlsx_pages_are_planned_without_a_nearly_empty_last_page() -> None:
    from hz_assess.export.xlsx import Pages

    pages = Pages(scale=100)
    pages.add(1, 40, repeated=True)
    for r in range(2, 30):
        pages.add(r, 20)  # 560 pt of rows: 2 pages at 100 %, one at 86 %
    assert pages.count(100)[0] == 2 and pages.count(86)[0] == 1
    chart = Pages(scale=100)
    chart.add(1, 40, repeated=True)
    for r in range(2, 22):
        chart.add(r, 20)
    chart.add(23, 200, block=True)  # would cross the page's end: it starts the next page
    assert chart.count(100) == (2, [23])


def test_xlsx_about_names_parameters_in_chinese_with_their_keys(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["说明"]
    items = [str(ws.cell(row=r, column=1).value) for r in range(1, ws.max_row + 1)]
    assert "增幅类指标：每超过目标1个百分点，超额分占分值的比例(scoring.growth.bonus_per_point)" in items
    assert not any("请考核办" in str(c.value) for row in ws.iter_rows() for c in row)
    assert "计算说明" in items  # the plan's own inconsistency: here, for the office


def test_xlsx_issues_hold_no_office_instruction_and_no_plan_note(xlsx_report: Path) -> None:
    ws = openpyxl.load_workbook(xlsx_report)["缺数据与警告"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for internal in ("请考核办", "超出名额", "计划自身"):
        assert internal not in text, internal
    assert "牵头部门中，市国土资源局" in text and "均评为优秀" in text  # the fact, with its group


@pytest.fixture(scope="module")
def quarter() -> Assessment:
    """2017Q2 with every actual at its time-progress target but 南浔区's first five rows."""
    from _builders import at_target, set_value
    from hz_assess.plan import load_plan
    from hz_assess.scoring import score

    plan = load_plan()
    actuals = at_target(plan, "2017Q2")
    for ind_id in ("1", "2", "3", "4", "5"):
        set_value(actuals, "南浔区", ind_id, None)
    return score(plan, actuals)


@pytest.mark.parametrize("kind", ["xlsx", "html", "md", "docx"])
def test_a_quarters_reports_speak_of_progress_not_grades(quarter: Assessment, tmp_path: Path, kind: str) -> None:
    import docx

    out = tmp_path / f"q.{kind}"
    write_report(quarter, out, now=NOW)
    if kind == "xlsx":
        text = "\n".join(str(c.value) for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows()
                         for c in row if c.value is not None)
    elif kind == "docx":
        d = docx.Document(str(out))
        cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
        text = "\n".join([*(p.text for p in d.paragraphs), *cells])
    else:
        text = out.read_text(encoding="utf-8")
    for annual in ("等次", "考核总分", "评定等次", "优秀 ≥", "90分以上", "通报表扬"):
        assert annual not in text, annual
    assert "进度暂定" in text or "暂定" in text
    assert "落后进度的有南浔区" not in text


def test_docx_short_tables_stay_on_one_page_and_long_ones_keep_their_header(docx_report: Path) -> None:
    import docx

    d = docx.Document(str(docx_report))

    def keeps(row: Any) -> bool:
        return all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)

    ranks = d.tables[0]  # 7 rows: each keeps with the next but the last
    assert all(keeps(r) for r in ranks.rows[:-1]) and not keeps(ranks.rows[-1])
    about = d.tables[-1]  # longer than a page: the header keeps with the first rows only
    assert len(about.rows) > 30 and keeps(about.rows[0]) and not keeps(about.rows[10])
