"""The one writer of files people asked for (SPEC §5): atomic, no clobbering, never onto an input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hz_assess.errors import OutputError
from hz_assess.output import write_file


def test_writes_the_bytes_with_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    write_file(out, b"a,b\r\n", suffixes=(".csv",))
    assert out.read_bytes() == b"a,b\r\n"
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_an_existing_file_is_kept_without_force_and_replaced_with_it(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_bytes(b"keep")
    with pytest.raises(OutputError, match="--force"):
        write_file(out, b"new", suffixes=(".csv",))
    assert out.read_bytes() == b"keep"
    write_file(out, b"new", suffixes=(".csv",), force=True)
    assert out.read_bytes() == b"new"


def test_a_file_that_appears_while_writing_is_not_clobbered(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"

    def slow_writer(tmp: Path) -> None:
        tmp.write_bytes(b"mine")
        out.write_bytes(b"another program's")  # a second writer finished first

    with pytest.raises(OutputError, match="已存在"):
        write_file(out, slow_writer, suffixes=(".csv",))
    assert out.read_bytes() == b"another program's"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_an_input_file_is_never_overwritten_even_with_force(tmp_path: Path) -> None:
    given = tmp_path / "实绩.xlsx"
    given.write_bytes(b"input")
    with pytest.raises(OutputError, match="输入文件"):
        write_file(tmp_path / "." / "实绩.xlsx", b"x", suffixes=(".xlsx",), force=True, inputs=[given])
    assert given.read_bytes() == b"input"


def test_the_suffix_must_say_the_format(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"\.xlsx"):
        write_file(tmp_path / "x.csv", b"x", suffixes=(".xlsx",))
    assert not (tmp_path / "x.csv").exists()


def test_a_failing_writer_leaves_no_temp_file(tmp_path: Path) -> None:
    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_file(tmp_path / "r.xlsx", broken, suffixes=(".xlsx",))
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_writer_leaves_no_temp_file(tmp_path: Path) -> None:
    def interrupted(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise SystemExit(143)  # what the CLI turns SIGTERM into

    with pytest.raises(SystemExit):
        write_file(tmp_path / "r.xlsx", interrupted, suffixes=(".xlsx",))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_write_permission_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    import tempfile

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(OutputError, match="没有写入权限"):
        write_file(tmp_path / "r.xlsx", b"x", suffixes=(".xlsx",))
