"""Whole-file problems: one clear sentence each, never a traceback, never a hang."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import WorkbookBuilder
from hz_assess.cli import app
from hz_assess.errors import WorkbookError
from hz_assess.models import Actuals, Plan
from hz_assess.workbook import read_actuals, validate_workbook, write_template


def one_problem(plan: Plan, path: Path) -> tuple[str, str]:
    with pytest.raises(WorkbookError) as info:
        read_actuals(plan, path)
    (problem,) = info.value.problems
    assert problem.message and "Traceback" not in problem.message
    return problem.code, problem.message


def rezip(src: Path, dst: Path, change: dict[str, bytes | None], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy an xlsx, replacing (bytes), dropping (None) or adding members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            if info.filename not in change:
                zout.writestr(info.filename, zin.read(info))
        for name, data in change.items():
            if data is not None:
                zout.writestr(name, data)
    return dst


@pytest.fixture
def good(plan: Plan, tmp_path: Path) -> Path:
    out = tmp_path / "good.xlsx"
    write_template(plan, out)
    return out


def test_missing_path(plan: Plan, tmp_path: Path) -> None:
    code, message = one_problem(plan, tmp_path / "nope.xlsx")
    assert code == "file_missing" and "不存在" in message


def test_a_directory(plan: Plan, tmp_path: Path) -> None:
    assert one_problem(plan, tmp_path)[0] == "is_directory"


def test_an_empty_file(plan: Plan, tmp_path: Path) -> None:
    (tmp_path / "e.xlsx").write_bytes(b"")
    code, message = one_problem(plan, tmp_path / "e.xlsx")
    assert code == "empty_file" and "0 字节" in message


def test_random_bytes(plan: Plan, tmp_path: Path) -> None:
    (tmp_path / "r.xlsx").write_bytes(bytes(range(256)) * 8)
    assert one_problem(plan, tmp_path / "r.xlsx")[0] == "not_xlsx"


def test_an_xls_file_or_encrypted_xlsx(plan: Plan, tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    code, message = one_problem(plan, tmp_path / "old.xls")
    assert code == "xls_or_encrypted" and ".xls" in message and "密码" in message and ".xlsx" in message


def test_an_ods_file(plan: Plan, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    (tmp_path / "a.ods").write_bytes(buf.getvalue())
    code, message = one_problem(plan, tmp_path / "a.ods")
    assert code == "ods" and ".ods" in message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_csv_file(plan: Plan, tmp_path: Path, encoding: str) -> None:
    (tmp_path / "a.csv").write_bytes("序号,主要指标,全市\n1,规上工业增加值增幅,7.5\n".encode(encoding))
    code, message = one_problem(plan, tmp_path / "a.csv")
    assert code == "not_xlsx" and "CSV" in message


def test_a_truncated_download(plan: Plan, good: Path, tmp_path: Path) -> None:
    data = good.read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert one_problem(plan, tmp_path / "cut.xlsx")[0] == "corrupt"


def test_a_zip_that_is_not_a_workbook(plan: Plan, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "a.docx").write_bytes(buf.getvalue())
    assert one_problem(plan, tmp_path / "a.docx")[0] == "not_xlsx"


def test_a_broken_part_inside_a_valid_zip(plan: Plan, good: Path, tmp_path: Path) -> None:
    bad = rezip(good, tmp_path / "b.xlsx", {"xl/workbook.xml": b"<workbook"})
    assert one_problem(plan, bad)[0] == "corrupt"


def test_a_decompression_bomb_is_refused_before_parsing(plan: Plan, good: Path, tmp_path: Path) -> None:
    bomb = rezip(good, tmp_path / "bomb.xlsx", {"xl/media/pad.xml": b"\0" * (25 * 1024 * 1024)})
    assert bomb.stat().st_size < 1024 * 1024
    code, message = one_problem(plan, bomb)
    assert code == "zip_bomb" and "拒绝" in message


def test_a_workbook_with_too_many_parts(plan: Plan, good: Path, tmp_path: Path) -> None:
    extra: dict[str, bytes | None] = {f"xl/junk/{i}.bin": b"" for i in range(2100)}
    assert one_problem(plan, rezip(good, tmp_path / "many.xlsx", extra))[0] == "zip_bomb"


def test_xml_entity_expansion_is_refused(plan: Plan, good: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(good) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    assert "<!DOCTYPE" not in sheet
    hostile = (lol + sheet).encode()
    code, message = one_problem(plan, rezip(good, tmp_path / "lol.xlsx", {"xl/worksheets/sheet1.xml": hostile}))
    assert code == "xml_entities" and "DOCTYPE" in message


def test_whole_file_problems_exit_2_with_one_line(plan: Plan, tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "old.xls")])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "old.xls" in result.stderr


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), zipped=st.booleans())
def test_random_bytes_only_ever_raise_workbook_error(plan: Plan, tmp_path: Path, data: bytes, zipped: bool) -> None:
    path = tmp_path / "fuzz.xlsx"
    if zipped:  # get past the magic-number check into the zip and XML handling
        data = b"PK\x03\x04" + data
    path.write_bytes(data)
    with pytest.raises(WorkbookError):
        read_actuals(plan, path)


cell_values = st.one_of(
    st.none(), st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
    st.booleans(), st.sampled_from(["#DIV/0!", "#N/A", "7.5%", "１，８４０", "完成", "基本完成", "=1/0", "——"]),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.sampled_from(["县区实绩", "县区实绩", "全市目标", "部门评价", "加减分", "说明"]),
                                st.integers(1, 45), st.integers(1, 20), cell_values), max_size=12))
def test_random_cell_contents_give_actuals_or_workbook_error(
    plan: Plan, tmp_path: Path, cells: list[tuple[str, int, int, object]]
) -> None:
    book = WorkbookBuilder(plan, tmp_path / "fuzz.xlsx")
    for sheet, row, col, value in cells:
        ws = book[sheet]
        if any((row, col) in rng.cells for rng in ws.merged_cells.ranges):
            continue
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch.isprintable())
        ws.cell(row=row, column=col, value=value)
    path = book.save()
    try:
        assert isinstance(read_actuals(plan, path), Actuals)
    except WorkbookError as exc:
        assert exc.problems and all(p.code and p.message for p in exc.problems)
    assert validate_workbook(plan, path).path == str(path)
