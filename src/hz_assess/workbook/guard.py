"""Look at a file's bytes before any spreadsheet library does; stdlib only.

Users hand us whatever their desktop produced: .xls, .ods, CSV, encrypted files,
half-copied downloads. Each gets one Chinese sentence instead of a library
traceback. Hostile .xlsx files (zip bombs, XML entity expansion) are refused here,
because openpyxl would otherwise inflate them in memory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hz_assess.errors import Problem, WorkbookError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_UNCOMPRESSED = 20 * 1024 * 1024  # the filled template is ~60 KB; openpyxl must never chew for minutes
MAX_RATIO = 200  # real xlsx XML compresses 5–30×; a bomb compresses thousands-fold
RATIO_FLOOR = 1024 * 1024  # tiny members may compress oddly; only judge big ones
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
XML_SUFFIXES = (".xml", ".rels", ".vml")
HOSTILE_MARKERS = ("<!DOCTYPE", "<!ENTITY")


def _fail(code: str, path: Path, message: str) -> WorkbookError:
    return WorkbookError(Problem(code, path.name, message))


def read_xlsx_bytes(path: Path) -> bytes:
    """The file's bytes, once checked to be a plain, sane .xlsx; else WorkbookError."""
    if not path.exists():
        raise _fail("file_missing", path, f"文件不存在:{path},请检查路径和文件名")
    if path.is_dir():
        raise _fail("is_directory", path, f"{path} 是文件夹,不是工作簿;请给出 .xlsx 文件的路径")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail("too_large", path, f"文件有 {size // (1024 * 1024)} MB,远大于实绩工作簿应有的大小,"
                                           "请确认选对了文件")
        data = path.read_bytes()
    except OSError as exc:
        raise _fail("file_unreadable", path, f"无法读取文件({exc.strerror}),请确认文件未被占用且有读取权限") from exc
    if not data:
        raise _fail("empty_file", path, "文件是空的(0 字节),请重新保存或重新复制该工作簿")
    if data.startswith(OLE2_MAGIC):
        raise _fail("xls_or_encrypted", path,
                    "这是旧版 Excel 97-2003(.xls)文件,或是设置了打开密码的加密工作簿;"
                    "请在 Excel/WPS 中取消密码后“另存为” Excel 工作簿(.xlsx)")
    if not data.startswith(ZIP_MAGIC):
        raise _fail("not_xlsx", path, _not_zip_message(data))
    _check_zip(path, data)
    return data


def _not_zip_message(data: bytes) -> str:
    head = data[:4096]
    if head.lstrip().startswith((b"<?xml", b"<html", b"<HTML", b"<!DOCTYPE")):
        return "这是 XML/HTML 文本,不是 Excel 工作簿;请在 Excel/WPS 中打开后“另存为” .xlsx"
    text = _as_text(head)
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    if text and printable >= 0.95 * len(text):
        return "这是 CSV/文本文件,不是 Excel 工作簿;请用 `hz-assess template` 生成模板,把数据填入后保存为 .xlsx"
    return "无法识别的文件格式,不是 Excel 工作簿(.xlsx);请确认选对了文件,或在 Excel/WPS 中另存为 .xlsx"


def _as_text(head: bytes) -> str:
    """The head decoded as UTF-8 or GB18030 (what Chinese Excel writes CSV in), or ""."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # the 4096-byte cut split a character
                return head[: exc.start].decode(encoding, errors="replace")
    return ""


def _check_zip(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names and zf.read("mimetype").strip() == ODS_MIME:
                raise _fail("ods", path, "这是 OpenDocument 表格(.ods),不是 .xlsx;"
                                         "请在 LibreOffice/WPS 中“另存为” Excel 工作簿(.xlsx)")
            if "EncryptedPackage" in names:
                raise _fail("encrypted", path, "工作簿已加密,请在 Excel/WPS 中取消密码后另存为 .xlsx")
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _fail("not_xlsx", path, "这是 zip 压缩包(或 Word 等其他文档),不是 Excel 工作簿;"
                                              "请确认选对了文件")
            if len(infos) > MAX_MEMBERS:
                raise _fail("zip_bomb", path, f"工作簿内部包含 {len(infos)} 个部件,远超正常数量,"
                                              "疑似恶意构造的文件,已拒绝读取")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise _fail("zip_bomb", path, "工作簿解压后超过 20 MB,疑似恶意构造的“压缩炸弹”,已拒绝读取")
            for info in infos:
                if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise _fail("zip_bomb", path, f"工作簿部件 {info.filename} 的压缩比异常,"
                                                  "疑似恶意构造的“压缩炸弹”,已拒绝读取")
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES) and _declares_entities(zf.read(info)):
                    raise _fail("xml_entities", path, f"工作簿部件 {info.filename} 含有 DOCTYPE/ENTITY 声明,"
                                                      "正常的 Excel 文件不会有,疑似恶意构造,已拒绝读取")
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
        # CRC mismatches, truncated downloads and exotic compression all land here
        raise _fail("corrupt", path, "工作簿已损坏(压缩包结构不完整),请重新复制或在 Excel/WPS 中打开后另存") from exc


def _declares_entities(raw: bytes) -> bool:
    text: str
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    else:
        text = raw.decode("utf-8", errors="replace")
    upper = text.upper()
    return any(marker in upper for marker in HOSTILE_MARKERS)
