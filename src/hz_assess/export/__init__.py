"""Reports: one Assessment written as .xlsx, .csv, .json, .md or .html (SPEC §6).

Every writer flattens the same Assessment; `write_report` picks the format, refuses
to overwrite without `force`, and writes through a temp file in the destination's
folder plus `os.replace`, so a failed write never leaves half a report behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from hz_assess.errors import OutputError, Problem
from hz_assess.export.html import render_html
from hz_assess.export.text import render_csv, render_json, render_md
from hz_assess.export.xlsx import write_xlsx
from hz_assess.models import Assessment, Plan

__all__ = ["FORMATS", "render_csv", "render_html", "render_json", "render_md", "report_format", "write_report",
           "write_xlsx"]

FORMATS = ("xlsx", "csv", "json", "md", "html")
_ALIASES = {"markdown": "md", "htm": "html"}


def _fail(code: str, path: Path, message: str) -> OutputError:
    return OutputError(Problem(code, str(path), message))


def report_format(path: Path, fmt: str | None = None) -> str:
    """The format asked for, else the one the file name ends with."""
    raw = (fmt or path.suffix).lower().lstrip(".")
    name = _ALIASES.get(raw, raw)
    if name not in FORMATS:
        shown = fmt or path.suffix or "(无扩展名)"
        raise _fail("output_format", path, f"不支持的报告格式「{shown}」;请让文件名以 .xlsx/.csv/.json/.md/.html 结尾,"
                                           "或用 --format 指定")
    return name


def _render_bytes(assessment: Assessment, fmt: str, plan: Plan | None) -> bytes:
    if fmt == "csv":
        return render_csv(assessment).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if fmt == "json":
        return (render_json(assessment) + "\n").encode("utf-8")  # byte-equal to `score --format json`
    if fmt == "md":
        return render_md(assessment, plan).encode("utf-8")
    return render_html(assessment, plan).encode("utf-8")


def _check_destination(path: Path, force: bool) -> None:
    if path.is_dir():
        raise _fail("output_is_directory", path, f"这是文件夹;请给出报告的文件名,如 {path / '考核报告.xlsx'}")
    if not path.parent.is_dir():
        raise _fail("output_no_folder", path, f"文件夹 {path.parent} 不存在;请先建好文件夹或换一个位置")
    if path.exists() and not force:
        raise _fail("output_exists", path, "文件已存在;如要覆盖请加 --force,或换一个文件名")


def _umask() -> int:
    # NamedTemporaryFile creates 0600; a report should get the permissions any new file would.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_report(
    assessment: Assessment, path: Path, fmt: str | None = None, *, force: bool = False, plan: Plan | None = None
) -> None:
    """Write the report in the format of `fmt` or of the file name; never a half-written file.

    `plan`, when given, adds the category of each indicator and the categories' full
    points (for the profile charts); everything else comes from the assessment.
    """
    path = Path(path)
    kind = report_format(path, fmt)
    _check_destination(path, force)
    tmp: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False) as handle:
            tmp = Path(handle.name)
            if kind != "xlsx":
                handle.write(_render_bytes(assessment, kind, plan))
        if kind == "xlsx":
            write_xlsx(assessment, tmp, plan)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _fail("output_unwritable", path, f"无法写入({reason});文件可能正被 Excel/WPS 打开,"
                                               "或没有写入权限;请关闭该文件或换一个位置后重试") from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
