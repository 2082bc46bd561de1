"""openpyxl parses what XML it still reads (tests, any read path) through defusedxml, a declared dependency."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest


def test_openpyxl_found_defusedxml_and_parses_sheets_with_it() -> None:
    import defusedxml.ElementTree
    import openpyxl.xml
    import openpyxl.xml.functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse


def test_a_sheet_declaring_an_entity_is_refused(tmp_path: Path) -> None:
    from defusedxml import EntitiesForbidden
    from openpyxl import Workbook, load_workbook

    plain = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active["A1"] = "x"
    wb.save(plain)
    evil = tmp_path / "evil.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"<worksheet")
                data = data[:at] + b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + data[at:]
            zout.writestr(info, data)
    evil.write_bytes(buf.getvalue())
    load_workbook(plain)  # the untouched file reads
    with evil.open("rb") as handle, pytest.raises(ValueError) as caught:  # it cannot read the sheets, because:
        load_workbook(handle)
    cause = caught.value.__cause__ or caught.value.__context__
    assert isinstance(cause, EntitiesForbidden)
