"""The xlsx and docx reports as LibreOffice prints them: no word smaller than 9 pt, and the 通报's parts.

Each report is converted to PDF once per session; `pdftotext -bbox` gives every word's
box. Measured here (LibreOffice 7, Noto CJK, Liberation and DejaVu fonts), a word's box
is 1.25–1.30 times its font size tall: 9 pt text measures 11.3–11.7 pt, 11 pt 14.3 pt.
So a box under 9 × 1.2 = 10.8 pt means text under 9 pt (8.3 pt at most), while the
smallest text the reports print, 9.0–9.1 pt, passes with room to spare.

Needs LibreOffice (soffice) and poppler (pdftotext): skipped when absent on a
developer's machine, a failure on CI (where .ci/run installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from _report_fixture import report_assessment
from hz_assess.export import write_report

MIN_PT = 9
BOX_PER_PT = 1.2  # the smallest box-height / font-size ratio measured, less a margin
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r"<page ")


@dataclass
class Printed:
    pdf: Path
    words: list[tuple[float, str, int]]  # (box height in pt, word, page)

    def text(self) -> str:
        return subprocess.run(["pdftotext", "-layout", str(self.pdf), "-"], capture_output=True, text=True,
                              check=True).stdout


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("poppler (pdftotext) is required on CI")
        pytest.skip("poppler (pdftotext) not installed")
    return found


def _print(report: Path, soffice: str, pdftotext: str, profile: Path) -> Printed:
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf", "--outdir",
         str(report.parent), str(report)],
        capture_output=True, timeout=180, check=False,
    )
    pdf = report.with_suffix(".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr.decode(errors="replace")
    boxes = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words, page = [], 0
    for line in boxes.splitlines():
        if PAGE.search(line):
            page += 1
        m = WORD.search(line)
        if m:
            words.append((float(m[4]) - float(m[2]), m[5], page))
    return Printed(pdf, words)


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> dict[str, Printed]:
    pdftotext = _pdftotext()
    root = tmp_path_factory.mktemp("print")
    a = report_assessment()
    out = {}
    for kind in ("xlsx", "docx"):
        folder = root / kind
        folder.mkdir()
        path = folder / f"report.{kind}"
        write_report(a, path)
        out[kind] = _print(path, soffice, pdftotext, root / "lo_profile")
    return out


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_no_printed_word_is_smaller_than_9_pt(printed: dict[str, Printed], kind: str) -> None:
    words = printed[kind].words
    assert len(words) > 200  # the report was printed, not an empty page
    small = [(round(h, 1), w, page) for h, w, page in words if h < MIN_PT * BOX_PER_PT]
    assert not small, f"text under {MIN_PT} pt in the {kind} report (box height, word, page): {small[:10]}"


def test_xlsx_prints_the_masthead_and_every_district_on_its_pages(printed: dict[str, Printed]) -> None:
    text = printed["xlsx"].text()
    first_page = text.split("\f")[0]
    assert "2017年度湖州市工业强市建设考核结果（暂定结果）" in first_page
    assert "湖州市工业强市建设工作领导小组办公室" in first_page
    a = report_assessment()
    for d in a.districts:  # no district is cut from the printed matrix
        assert sum(d.name in page and "县区指标明细" in page for page in text.split("\f")) >= 1, d.name
    assert a.plan.sha256 not in "\f".join(p for p in text.split("\f") if "报告说明" not in p)


def test_docx_prints_title_narrative_and_tables(printed: dict[str, Printed]) -> None:
    text = re.sub(r"\s+", "", printed["docx"].text())
    for needle in ("关于2017年度湖州市工业强市建设考核暂定结果的通报", "一、县区考核结果",
                   "6个县区考核总分由高到低依次为：第1名长兴县（103.00分）", "表1县区排名", "表2县区分栏目得分",
                   "表3部门排名", "三、通报表扬", "四、存在的主要问题", "附件", "—1—"):
        assert needle in text, needle


def test_docx_tables_never_break_a_name_a_status_or_a_short_header(printed: dict[str, Printed]) -> None:
    """A cell of 2–8 CJK characters with no place to break (长兴县, 湖州开发区, 未报送, 基本分) prints on one line:
    each such cell of the document is a whole word of the printed page."""
    import docx

    d = docx.Document(str(printed["docx"].pdf.with_suffix(".docx")))
    whole = Counter(word for _, word, _ in printed["docx"].words)
    cells = Counter(c.text for t in d.tables for row in t.rows for c in row.cells
                    if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", c.text))
    assert cells["湖州开发区"] and cells["基本分"]
    broken = {text: (count, whole[text]) for text, count in cells.items() if whole[text] < count}
    assert not broken, f"cells printed on more than one line (cells, whole words): {broken}"
