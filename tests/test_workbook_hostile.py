"""Whole-file problems: one clear sentence each, never a traceback, never a hang."""

from __future__ import annotations

import io
import os
import shutil
import struct
import threading
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import WorkbookBuilder
from hz_assess.cli import app
from hz_assess.errors import WorkbookError
from hz_assess.models import Actuals, Plan
from hz_assess.workbook import guard, ooxml, read_actuals, validate_workbook, write_template


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


# ---------------------------------------------------------------- issue 10: file kinds and bounds


def _in_thread(fn: Callable[[], object], seconds: float = 10) -> object:
    """fn() in a daemon thread: a hang fails the test instead of the suite."""
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(_outcome(fn)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert box, f"still running after {seconds} s"
    return box[0]


def _outcome(fn: Callable[[], object]) -> object:
    try:
        return fn()
    except Exception as exc:  # handed back to the test to assert on
        return exc


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_waiting_for_a_writer(plan: Plan, tmp_path: Path) -> None:
    fifo = tmp_path / "实绩.xlsx"
    os.mkfifo(fifo)
    outcome = _in_thread(lambda: read_actuals(plan, fifo))
    assert isinstance(outcome, WorkbookError) and outcome.problems[0].code == "not_a_file"
    assert "管道" in outcome.problems[0].message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_without_reading_it(plan: Plan) -> None:
    outcome = _in_thread(lambda: read_actuals(plan, Path("/dev/zero")))
    assert isinstance(outcome, WorkbookError) and outcome.problems[0].code == "not_a_file"


def test_a_strict_open_xml_workbook_is_refused(plan: Plan, good: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(good) as z:
        workbook = z.read("xl/workbook.xml").decode()
    strict = workbook.replace("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                              "http://purl.oclc.org/ooxml/spreadsheetml/main")
    code, message = one_problem(plan, rezip(good, tmp_path / "s.xlsx", {"xl/workbook.xml": strict.encode()}))
    assert code == "strict_ooxml" and "严格" in message


def _member_data_offset(path: Path, name: str) -> tuple[int, int]:
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    data = path.read_bytes()
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/styles.xml", "docProps/core.xml"])
def test_a_corrupted_deflate_stream_is_a_clear_error_not_a_crash(
    plan: Plan, good: Path, tmp_path: Path, member: str
) -> None:
    start, size = _member_data_offset(good, member)
    data = bytearray(good.read_bytes())
    for i in range(start + size // 3, start + size // 3 + 16):
        data[i] ^= 0x5A
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    code, message = one_problem(plan, bad)
    assert code == "corrupt" and "损坏" in message
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2 and "内部错误" not in result.stderr


def test_a_crc_mismatch_in_a_stored_member_is_refused(plan: Plan, good: Path, tmp_path: Path) -> None:
    stored = rezip(good, tmp_path / "stored.xlsx", {}, compression=zipfile.ZIP_STORED)
    start, size = _member_data_offset(stored, "xl/worksheets/sheet2.xml")
    data = bytearray(stored.read_bytes())
    data[start + size // 2] ^= 0x01  # still valid XML text, wrong CRC
    stored.write_bytes(bytes(data))
    assert one_problem(plan, stored)[0] == "corrupt"


def _with_extra_sheet(src: Path, dst: Path, sheet_xml: bytes) -> Path:
    """The workbook with one more worksheet (registered in workbook.xml, its rels and content types)."""
    with zipfile.ZipFile(src) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    # the r: prefix declared on the element itself: openpyxl declares it on the root or per element
    workbook = workbook.replace("</sheets>", '<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                                '2006/relationships" name="原始数据" sheetId="99" r:id="rId99"/></sheets>')
    rels = rels.replace("</Relationships>", '<Relationship Id="rId99" Target="worksheets/extra.xml" Type="http://'
                        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>')
    types = types.replace("</Types>", '<Override PartName="/xl/worksheets/extra.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    return rezip(src, dst, {"xl/workbook.xml": workbook.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
                            "[Content_Types].xml": types.encode(), "xl/worksheets/extra.xml": sheet_xml})


def test_a_large_legitimate_extra_sheet_is_read_not_refused_as_a_bomb(
    plan: Plan, book: WorkbookBuilder, tmp_path: Path
) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>企业{r}</t></is></c>'
        f'<c r="C{r}"><v>{r * 37 % 1000}.{r % 97}</v></c><c r="D{r}" t="inlineStr"><is><t>吴兴区</t></is></c></row>'
        for r in range(1, 230_000))
    sheet = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}' \
            "</sheetData></worksheet>"
    assert len(sheet.encode()) > 30 * 1024 * 1024
    path = _with_extra_sheet(book.fill_all().save(), tmp_path / "big.xlsx", sheet.encode())
    started = time.monotonic()
    a = read_actuals(plan, path)
    assert time.monotonic() - started < 10
    assert a.units["南浔区"]["1"].value == 7.5


def test_an_absurd_uncompressed_total_is_refused(
    plan: Plan, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    padded = rezip(good, tmp_path / "p.xlsx", {"xl/media/pad.bin": os.urandom(3 * 1024 * 1024)})
    code, message = one_problem(plan, padded)
    assert code == "too_large" and "MB" in message


def test_parsing_more_xml_than_the_budget_is_refused(
    plan: Plan, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ooxml, "MAX_PARSED", 40 * 1024)  # the template's parts add up to ~90 KB
    code, message = one_problem(plan, good)
    assert code == "too_large" and "合计" in message


def test_two_parts_of_one_name_are_refused(plan: Plan, good: Path, tmp_path: Path) -> None:
    dup = tmp_path / "dup.xlsx"
    shutil.copy(good, dup)
    with zipfile.ZipFile(good) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    with warnings.catch_warnings(), zipfile.ZipFile(dup, "a") as z:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name we are making on purpose
        z.writestr("xl/worksheets/sheet1.xml", sheet.replace(b"<sheetData>", b"<sheetData><row r=\"5\"/>"))
    code, message = one_problem(plan, dup)
    assert code == "corrupt" and "重名" in message


def test_an_xlsb_workbook_is_named_as_such(plan: Plan, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    (tmp_path / "a.xlsb").write_bytes(buf.getvalue())
    code, message = one_problem(plan, tmp_path / "a.xlsb")
    assert code == "xlsb" and ".xlsb" in message


def test_a_csv_in_a_latin_code_page_is_still_called_a_csv(plan: Plan, tmp_path: Path) -> None:
    # what LibreOffice writes under a Latin locale: neither UTF-8 nor GB18030
    (tmp_path / "a.csv").write_bytes(b"2017??,,\n\"\x93quoted\x94\",7.5,8\n" * 20)
    code, message = one_problem(plan, tmp_path / "a.csv")
    assert code == "not_xlsx" and "CSV" in message


def test_a_sheet_that_cannot_be_read_is_reported_once(plan: Plan, good: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(good) as z:
        kept = {i.filename: z.read(i) for i in z.infolist() if i.filename != "xl/worksheets/sheet5.xml"}
    broken = tmp_path / "no-notes.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in kept.items():
            z.writestr(name, data)
    v = validate_workbook(plan, broken)
    assert [(p.code, p.where) for p in v.problems] == [("not_a_worksheet", "no-notes.xlsx 说明")]
