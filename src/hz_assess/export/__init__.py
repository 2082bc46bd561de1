"""Reports: one Assessment written as .xlsx, .docx, .csv, .json, .md or .html (SPEC §6).

The format is the one the file name says (`--format`, if given, must agree with it);
`output.write_file` refuses overwrites without force and writes atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hz_assess import __version__
from hz_assess.errors import OutputError, Problem
from hz_assess.models import Assessment
from hz_assess.output import write_file

if TYPE_CHECKING:
    from hz_assess.views import Document

# Each writer is imported by the function that uses it: `score --format json` imports
# export.text, and with it this package, and should not pay for html, xlsx or the 通报.

__all__ = ["APPENDIX_FORMATS", "FORMATS", "render_report", "report_format", "write_report"]

FORMATS = ("xlsx", "docx", "csv", "json", "md", "html")
APPENDIX_FORMATS = ("xlsx", "html")
SUFFIXES = {"xlsx": (".xlsx",), "docx": (".docx",), "csv": (".csv",), "json": (".json",), "md": (".md", ".markdown"),
            "html": (".html", ".htm")}


def report_format(path: Path, fmt: str | None = None) -> str:
    """The format the file name says; `fmt`, when given, must say the same."""
    if path.is_dir():
        raise OutputError(Problem("output_is_directory", str(path), "这是一个文件夹;请给出报告的文件名,"
                                                                    "如 考核报告.xlsx"))
    by_suffix = next((k for k, v in SUFFIXES.items() if path.suffix.lower() in v), None)
    if fmt is not None and by_suffix is not None and fmt != by_suffix:
        raise OutputError(Problem("output_format_mismatch", str(path),
                                  f"--format {fmt} 与文件扩展名「{path.suffix}」不符;请让两者一致"
                                  f"(如 -o 报告.{fmt}),或去掉 --format"))
    kind = by_suffix or fmt
    if kind is None:
        raise OutputError(Problem("output_format", str(path),
                                  f"不支持的报告格式「{path.suffix or '(无扩展名)'}」;请让文件名以 "
                                  ".xlsx/.docx/.csv/.json/.md/.html 结尾"))
    if by_suffix is None:
        raise OutputError(Problem("output_suffix", str(path),
                                  f"文件扩展名「{path.suffix or '(无扩展名)'}」与报告格式 {kind} 不符;"
                                  f"请使用 {' 或 '.join(SUFFIXES[kind])} 结尾的文件名"))
    return kind


def render_report(a: Assessment, kind: str, *, now: datetime | None = None,
                  appendix: Document | None = None) -> bytes:
    """A text report's bytes (xlsx and docx are written by their writers); `now` dates a published report;
    `appendix` (html only): the robustness analysis."""
    from hz_assess.export.html import render_html
    from hz_assess.export.text import render_csv, render_json, render_md
    from hz_assess.views import report_document
    from hz_assess.views_publish import publication_document

    if kind == "csv":
        return render_csv(report_document(a)).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if kind == "json":
        return (render_json(a) + "\n").encode("utf-8")  # byte-equal to `score --format json`
    moment = now or datetime.now(UTC)
    if kind == "md":  # a briefing to publish, as the html: masthead first, paths and hashes in 说明 at the end
        return render_md(publication_document(a, moment, version=__version__)).encode("utf-8")
    if kind == "html":
        return render_html(publication_document(a, moment, version=__version__), appendix).encode("utf-8")
    raise ValueError(kind)


def write_report(a: Assessment, path: Path, fmt: str | None = None, *, force: bool = False,
                 inputs: Sequence[Path] = (), now: datetime | None = None, appendix: Document | None = None) -> str:
    """Write the report; returns its format. Never a half-written file, never onto an input.

    `now` is the moment the report is issued (its date, in Beijing time); the current time by default.
    `appendix`: a document to append (the robustness analysis), in the xlsx and html reports only.
    """
    path = Path(path)
    kind = report_format(path, fmt)
    moment = now or datetime.now(UTC)
    if appendix is not None and kind not in APPENDIX_FORMATS:
        raise OutputError(Problem("output_appendix", str(path), "稳健性分析只能附在 .xlsx 或 .html 报告中"))
    if kind == "xlsx":
        from hz_assess.export.xlsx import write_xlsx

        write_file(path, lambda tmp: write_xlsx(a, tmp, now=moment, appendix=appendix), suffixes=SUFFIXES[kind],
                   force=force, inputs=inputs)
    elif kind == "docx":
        from hz_assess.export.docx import write_docx
        from hz_assess.narrative import notice

        draft = notice(a, moment, version=__version__)
        write_file(path, lambda tmp: write_docx(draft, tmp), suffixes=SUFFIXES[kind], force=force, inputs=inputs)
    else:
        write_file(path, render_report(a, kind, now=moment, appendix=appendix), suffixes=SUFFIXES[kind], force=force,
                   inputs=inputs)
    return kind
