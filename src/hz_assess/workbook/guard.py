"""Look at a file's bytes before anything parses them; stdlib only.

Users hand us whatever their desktop produced: .xls, .ods, CSV, strict OOXML,
encrypted files, half-copied downloads, a pipe or a device by mistake. Each gets one
Chinese sentence instead of a library traceback or a hang. Hostile .xlsx files (zip
bombs, XML entity expansion) are refused here, before any XML is parsed.

Bounds, and why (measured on this machine):
- only regular files are opened, with O_NONBLOCK and checked again after opening, so a
  FIFO or a device never blocks; at most MAX_FILE_BYTES are read (a filled template is
  ~60 KB; with someone's 30 MB data sheet added it is ~5 MB);
- every member is inflated once, in chunks, to check its CRC: zlib inflates ~300 MB/s
  here, so MAX_UNCOMPRESSED (512 MiB; a 470 MB extra sheet took 1.9 s) costs under
  2 s and no memory. What is parsed afterwards is bounded separately (ooxml parses
  only the parts the reader needs, within its own budget; openpyxl never sees input);
- a member over 1 MiB that inflates more than MAX_RATIO-fold is a bomb: deflate cannot
  exceed ~1030×, which is what bombs use; real sheet XML compresses 5–30×, and even
  rows of styled empty cells without addresses only ~290×.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from pathlib import Path

from hz_assess.errors import Problem, WorkbookError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_RATIO = 500
RATIO_FLOOR = 1024 * 1024  # tiny members compress oddly; only judge big ones
CHUNK = 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
XML_SUFFIXES = (".xml", ".rels", ".vml")
STRICT_NAMESPACE = b"purl.oclc.org/ooxml"
# A DOCTYPE or ENTITY declaration, as UTF-8 and as UTF-16 either way round (upper-cased bytes).
HOSTILE_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
MARKER_OVERLAP = max(len(m) for m in HOSTILE_MARKERS)


def _fail(code: str, path: Path, message: str) -> WorkbookError:
    return WorkbookError(Problem(code, path.name, message))


def read_xlsx_bytes(path: Path) -> bytes:
    """The file's bytes, once checked to be a plain, sane .xlsx; else WorkbookError. Never writes."""
    data = _read_regular_file(path)
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


def _read_regular_file(path: Path) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of a regular file; a pipe, device or folder is refused unopened."""
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise _fail("file_missing", path, f"文件不存在:{path},请检查路径和文件名") from exc
    except OSError as exc:
        raise _fail("file_unreadable", path, f"无法访问文件({exc.strerror}),请检查路径和权限") from exc
    if stat.S_ISDIR(st.st_mode):
        raise _fail("is_directory", path, f"{path} 是文件夹,不是工作簿;请给出 .xlsx 文件的路径")
    if not stat.S_ISREG(st.st_mode):
        raise _fail("not_a_file", path, f"{path} 不是普通文件(而是管道、设备或套接字),无法作为工作簿读取;"
                                        "请先把工作簿保存为 .xlsx 文件,再给出该文件的路径")
    if st.st_size > MAX_FILE_BYTES:
        raise _fail("too_large", path, f"文件有 {st.st_size // (1024 * 1024)} MB,远大于实绩工作簿应有的大小"
                                       f"(上限 {MAX_FILE_BYTES // (1024 * 1024)} MB),请确认选对了文件")
    try:
        # O_NONBLOCK: should the path have been swapped for a FIFO since stat(), open() must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _fail("file_unreadable", path, f"无法读取文件({exc.strerror}),请确认文件未被占用且有读取权限") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _fail("not_a_file", path, f"{path} 不是普通文件,无法作为工作簿读取;请给出 .xlsx 文件的路径")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail("file_unreadable", path, f"无法读取文件({exc.strerror}),请确认文件未被占用且有读取权限") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:  # it grew after stat()
        raise _fail("too_large", path, f"文件大于 {MAX_FILE_BYTES // (1024 * 1024)} MB,远大于实绩工作簿应有的大小,"
                                       "请确认选对了文件")
    return data


def _not_zip_message(data: bytes) -> str:
    head = data[:4096]
    if head.lstrip().startswith((b"<?xml", b"<html", b"<HTML", b"<!DOCTYPE")):
        return "这是 XML/HTML 文本,不是 Excel 工作簿;请在 Excel/WPS 中打开后“另存为” .xlsx"
    text = _as_text(head)
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    # text in an encoding neither UTF-8 nor GB18030 (LibreOffice's CSV in a Latin locale) has no NULs and few controls
    controls = sum(b < 0x20 and b not in b"\r\n\t" for b in head)
    if (text and printable >= 0.95 * len(text)) or (b"\0" not in head and controls <= len(head) // 100):
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


CORRUPT = "工作簿已损坏(压缩数据不完整或校验失败),请重新复制,或在 Excel/WPS 中打开后另存为 .xlsx"


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
            if "xl/workbook.bin" in names:
                raise _fail("xlsb", path, "这是 Excel 二进制工作簿(.xlsb),不是 .xlsx;"
                                          "请在 Excel/WPS 中“另存为” Excel 工作簿(.xlsx)")
            if len(names) != len(infos):
                # two parts of one name: which one a program shows is anyone's guess
                raise _fail("corrupt", path, "工作簿内有重名的部件,文件已损坏或被改动过;"
                                             "请重新复制,或在 Excel/WPS 中打开后另存为 .xlsx")
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _fail("not_xlsx", path, "这是 zip 压缩包(或 Word 等其他文档),不是 Excel 工作簿;"
                                              "请确认选对了文件")
            if len(infos) > MAX_MEMBERS:
                raise _fail("zip_bomb", path, f"工作簿内部包含 {len(infos)} 个部件,远超正常数量,"
                                              "疑似恶意构造的文件,已拒绝读取")
            declared = sum(i.file_size for i in infos)
            if declared > MAX_UNCOMPRESSED:
                raise _fail("too_large", path, f"工作簿解压后有 {declared // (1024 * 1024)} MB,"
                                               f"超过本工具读取的上限 {MAX_UNCOMPRESSED // (1024 * 1024)} MB;"
                                               "请删除与实绩无关的工作表后再试")
            for info in infos:
                if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    ratio = info.file_size // max(info.compress_size, 1)
                    raise _fail("zip_bomb", path, f"工作簿部件 {info.filename} 的压缩比异常({ratio} 倍),"
                                                  "疑似恶意构造的“压缩炸弹”,已拒绝读取")
            for info in infos:
                _scan_member(path, zf, info)
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            ValueError, RuntimeError) as exc:
        # CRC mismatches, broken deflate streams, truncated downloads, exotic compression
        # and (RuntimeError) members encrypted the old zip way all land here
        raise _fail("corrupt", path, CORRUPT) from exc


def _scan_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one member in chunks: zipfile checks its CRC at the end; look for DOCTYPE/ENTITY and strict OOXML."""
    xml = info.filename.lower().endswith(XML_SUFFIXES)
    tail = b""
    with zf.open(info) as member:
        while chunk := member.read(CHUNK):
            if not xml:
                continue
            window = (tail + chunk).upper()
            if any(marker in window for marker in HOSTILE_MARKERS):
                raise _fail("xml_entities", path, f"工作簿部件 {info.filename} 含有 DOCTYPE/ENTITY 声明,"
                                                  "正常的 Excel 文件不会有,疑似恶意构造,已拒绝读取")
            if STRICT_NAMESPACE.upper() in window and info.filename in ("xl/workbook.xml", "_rels/.rels"):
                raise _fail("strict_ooxml", path, "这是“严格 Open XML”格式(Strict Open XML)的工作簿,"
                                                  "本工具不支持;请在 Excel 中“另存为” Excel 工作簿(*.xlsx),"
                                                  "不要选“严格 Open XML 电子表格”")
            tail = chunk[-MARKER_OVERLAP:]
