"""The one way hz-assess writes a file a person asked for (a template, a report, a collection).

Rules (SPEC §5): never overwrite without `force`; never write onto an input file,
even with `force`; never write a format other than the one the file name says; write
a temp file beside the destination and move it into place, so a crash, a full disk
or Ctrl-C never leaves half a file. Without `force` the move cannot clobber a file
another program created meanwhile (a hard link fails if the name exists). The new
file gets the permissions of any other new file (0666 minus the umask).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from hz_assess.errors import OutputError, Problem

Writer = Callable[[Path], None]


def _fail(code: str, path: Path, message: str) -> OutputError:
    return OutputError(Problem(code, str(path), message))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_destination(path: Path, *, suffixes: Sequence[str], force: bool, inputs: Sequence[Path] = ()) -> None:
    """Refuse a destination before any work is done; see the module docstring for the rules."""
    if path.suffix.lower() not in suffixes:
        shown = path.suffix or "(无扩展名)"
        raise _fail("output_suffix", path, f"文件扩展名「{shown}」与要写入的格式不符;请使用 "
                                           f"{' 或 '.join(suffixes)} 结尾的文件名")
    if path.is_dir():
        raise _fail("output_is_directory", path, "这是一个文件夹;请给出要写入的文件名")
    if not path.parent.is_dir():
        raise _fail("output_no_folder", path, f"文件夹 {path.parent} 不存在;请先建好文件夹或换一个位置")
    for given in inputs:
        if _same_file(path, given) or path.resolve() == given.resolve():
            raise _fail("output_is_input", path, "这是本次读取的输入文件,不能用输出覆盖它;请换一个文件名")
    if path.exists() and not force:
        raise _fail("output_exists", path, "文件已存在;如要覆盖请加 --force,或换一个文件名")


def write_file(path: Path, write: Writer | bytes, *, suffixes: Sequence[str], force: bool = False,
               inputs: Sequence[Path] = ()) -> None:
    """Write `path` atomically: `write` is the bytes, or a function that writes a given temp path."""
    path = Path(path)
    check_destination(path, suffixes=suffixes, force=force, inputs=inputs)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f"{path.suffix}.tmp")
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(write, bytes):
                handle.write(write)
        if not isinstance(write, bytes):
            write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        _move_into_place(tmp, path, force)
        tmp = None
    except OutputError:
        raise
    except OSError as exc:
        raise _fail("output_unwritable", path, _reason(exc)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _move_into_place(tmp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if the name appeared meanwhile: never clobber without --force
    except FileExistsError:
        raise _fail("output_exists", path, "文件已存在(可能刚由其他程序写入);如要覆盖请加 --force,"
                                           "或换一个文件名") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # a file system without hard links (FAT, some network shares): check, then rename
        if path.exists():
            raise _fail("output_exists", path, "文件已存在;如要覆盖请加 --force,或换一个文件名") from None
        os.replace(tmp, path)
        return
    tmp.unlink()


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "无法写入:磁盘空间不足;请清理磁盘或换一个位置后重试"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "无法写入:没有写入权限,或文件正被 Excel/WPS 打开;请关闭该文件或换一个有写入权限的位置后重试"
    return f"无法写入({exc.strerror or type(exc).__name__});请检查文件是否被占用,或换一个位置后重试"
