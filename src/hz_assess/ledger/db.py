"""The ledger's SQLite file: where it lives, opening it safely, its schema and migrations.

Three promises live here (issue 10):
- a read-only command opens the file read-only (URI mode=ro) and never migrates it or
  switches its journal, so it works on a read-only file or folder;
- a file that is not ours (another program's database) is never converted to WAL or
  migrated: we check PRAGMA application_id (set on every ledger since schema 2), or for
  older files the schema 1 shape, before changing anything;
- a lock held by another program is waited on for at most LOCK_WAIT_S seconds, and the
  wait is announced once it passes ANNOUNCE_AFTER_S.
Every sqlite3/OS failure leaves as a LedgerError naming the file. Stdlib only.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

from hz_assess.errors import LedgerError, Problem

T = TypeVar("T")

LEDGER_NAME = "ledger.sqlite3"
APPLICATION_ID = 0x487A4173  # "HzAs" at offset 68 of the file header: this file is an hz-assess ledger
LOCK_WAIT_S = 5.0  # the longest we wait for another program's lock
ANNOUNCE_AFTER_S = 1.0  # a wait longer than this is announced on stderr
_RETRY_PAUSE_S = 0.05

# SQLite result codes (sqlite3.h); extended codes keep the primary code in their low byte
_SQLITE_BUSY, _SQLITE_READONLY, _SQLITE_CANTOPEN = 5, 8, 14
_SQLITE_READONLY_DIRECTORY = 1544

# Applied in order; the ledger's PRAGMA user_version is how many have run. Append
# new steps, never edit old ones: users' ledgers already went through them.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            command TEXT NOT NULL,
            plan_id TEXT NOT NULL,
            plan_path TEXT NOT NULL,
            plan_sha256 TEXT NOT NULL,
            departments_sha256 TEXT NOT NULL,
            input_path TEXT NOT NULL,
            input_sha256 TEXT NOT NULL,
            period TEXT NOT NULL,
            period_order INTEGER NOT NULL,
            summary TEXT NOT NULL,
            actuals_json TEXT NOT NULL,
            assessment_json TEXT NOT NULL
        )""",
        "CREATE INDEX runs_by_period ON runs (plan_id, period_order, time, id)",
    ),
    (
        # A run reads one or more input files: they move to run_inputs (runs.input_path
        # and runs.input_sha256 are no longer read and are '' in new rows).
        """CREATE TABLE run_inputs (
            run_id INTEGER NOT NULL REFERENCES runs (id),
            position INTEGER NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (run_id, position)
        )""",
        "INSERT INTO run_inputs (run_id, position, path, sha256) SELECT id, 0, input_path, input_sha256 FROM runs",
        # the report files a run produced (one run per report call, however many formats)
        """CREATE TABLE run_outputs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            time TEXT NOT NULL,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            sha256 TEXT NOT NULL
        )""",
        "CREATE INDEX run_outputs_by_run ON run_outputs (run_id, id)",
        # 定稿: every publication is kept; a replaced one gets superseded_time and the
        # publication that replaced it (whose note says why)
        """CREATE TABLE publications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            plan_id TEXT NOT NULL,
            period TEXT NOT NULL,
            time TEXT NOT NULL,
            note TEXT NOT NULL,
            superseded_time TEXT,
            superseded_by INTEGER REFERENCES publications (id)
        )""",
        # at most one standing publication per plan and period, whatever the code does
        "CREATE UNIQUE INDEX one_publication_per_period ON publications (plan_id, period) "
        "WHERE superseded_time IS NULL",
        "CREATE INDEX runs_by_inputs ON runs (plan_sha256, departments_sha256, period, tool_version)",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def home() -> Path:
    """$HZ_ASSESS_HOME, else the platform's user data folder (platformdirs knows each OS's place)."""
    explicit = os.environ.get("HZ_ASSESS_HOME")
    if explicit:
        try:
            return Path(explicit).expanduser()
        except RuntimeError as exc:  # ~user of a user that does not exist
            raise LedgerError(Problem(
                "ledger_home", "", f"环境变量 HZ_ASSESS_HOME 的值「{explicit}」无法解析为文件夹;请改为一个完整路径",
            )) from exc
    # imported here: only commands that touch the ledger pay for it
    from platformdirs import user_data_dir

    return Path(user_data_dir("hz-assess", appauthor=False))


def ledger_path() -> Path:
    return home() / LEDGER_NAME


def unusable(path: Path, reason: str, advice: str = "") -> LedgerError:
    advice = advice or "请把该文件改名备份后重试,或设置环境变量 HZ_ASSESS_HOME 指向另一个文件夹"
    return LedgerError(Problem("ledger_unusable", "", f"考核台账 {path} 无法使用({reason});{advice}"))


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0)


def _busy(exc: sqlite3.Error) -> bool:
    code = _code(exc)
    return code & 0xFF == _SQLITE_BUSY if code else "locked" in str(exc)


_PERMISSION_ADVICE = "请检查该文件及其所在文件夹的读写权限,或设置环境变量 HZ_ASSESS_HOME 指向可写的文件夹"


def _explained(path: Path, exc: sqlite3.Error | OSError) -> LedgerError:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return unusable(path, f"文件已损坏或不是 hz-assess 的台账:{text}")
    if isinstance(exc, sqlite3.Error) and _code(exc) & 0xFF == _SQLITE_READONLY:
        return unusable(path, f"没有写入权限:{text}", _PERMISSION_ADVICE)
    if "unable to open" in text or isinstance(exc, PermissionError):
        return unusable(path, f"无法打开该文件,可能没有权限:{text}", _PERMISSION_ADVICE)
    if isinstance(exc, OSError):
        return unusable(path, exc.strerror or text)
    return unusable(path, text)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Outdated(Exception):
    """A read found our ledger at an older schema: it must be migrated (written) first."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


class Database:
    """The ledger file at `path`, opened afresh for each read or write operation.

    `read(op)` runs op(connection) on a read-only connection (or returns `empty` when
    there is no ledger yet); `write(op)` runs it inside BEGIN IMMEDIATE after creating
    or migrating the file. Either waits at most `wait` seconds for another program's lock.
    """

    def __init__(
        self, path: Path, *, wait: float | None = None, announce_after: float | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        # module constants read now, not at import, so a test can shorten them
        self.wait = LOCK_WAIT_S if wait is None else wait
        self.announce_after = ANNOUNCE_AFTER_S if announce_after is None else announce_after
        self.notify = notify or _stderr

    # ------------------------------------------------------------ operations

    def read(self, op: Callable[[sqlite3.Connection], T], empty: T) -> T:
        with self._errors():
            try:
                return self._waiting(lambda timeout: self._read_once(op, empty, timeout))
            except _Outdated as old:
                self._upgrade(old.version)
                return self._waiting(lambda timeout: self._read_once(op, empty, timeout))

    def write(self, op: Callable[[sqlite3.Connection], T]) -> T:
        with self._errors():
            return self._waiting(lambda timeout: self._write_once(op, timeout))

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except LedgerError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise _explained(self.path, exc) from exc

    def _waiting(self, attempt: Callable[[float], T]) -> T:
        """Run `attempt(busy_timeout)` until it gets past another program's lock or time is up.

        SQLite itself waits up to the busy timeout; we split the wait so that a long one
        is announced, and retry when SQLite reports busy without waiting (it does so when
        waiting could deadlock).
        """
        start = time.monotonic()
        deadline, announce_at = start + self.wait, start + self.announce_after
        announced = False
        while True:
            limit = deadline if announced else min(deadline, announce_at)
            try:
                return attempt(max(0.0, limit - time.monotonic()))
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
                now = time.monotonic()
                if now >= deadline:
                    raise unusable(
                        self.path, f"被其他程序占用,等待 {self.wait:g} 秒后仍未释放",
                        "请关闭正在使用该文件的程序(如另一个 hz-assess 或数据库工具)后重试",
                    ) from exc
                if not announced and now >= announce_at:
                    self.notify(f"考核台账 {self.path} 正被其他程序占用,正在等待(最多 {self.wait:g} 秒)……")
                    announced = True
                time.sleep(min(_RETRY_PAUSE_S, deadline - now))

    def _read_once(self, op: Callable[[sqlite3.Connection], T], empty: T, timeout: float) -> T:
        with self._open(write=False, timeout=timeout) as conn:
            if conn is None:
                return empty
            version = self._check_ours(conn)
            if version == 0:
                return empty  # an empty file: a ledger nobody has written to yet
            if version < SCHEMA_VERSION:
                raise _Outdated(version)
            return op(conn)

    def _write_once(self, op: Callable[[sqlite3.Connection], T], timeout: float) -> T:
        with self._open(write=True, timeout=timeout) as conn:
            assert conn is not None  # a write creates the file
            self._check_ours(conn)
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                # WAL: readers never wait for a writer, and a crash cannot leave a torn ledger
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")  # take the write lock now: waiters queue here, not mid-way
            try:
                self._migrate(conn)
                result = op(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

    def _upgrade(self, version: int) -> None:
        """Migrate an older ledger so a read can go on; a read-only one is said plainly."""
        try:
            self._waiting(lambda timeout: self._write_once(lambda conn: None, timeout))
        except sqlite3.Error as exc:
            if _code(exc) & 0xFF in (_SQLITE_READONLY, _SQLITE_CANTOPEN):
                raise unusable(
                    self.path,
                    f"由旧版本的 hz-assess 建立,结构版本 {version},须先升级结构才能读取,而该文件或其文件夹只读",
                    "请让有写入权限的用户运行一次 hz-assess history,或把台账复制到可写的文件夹并用环境变量"
                    " HZ_ASSESS_HOME 指向它",
                ) from exc
            raise

    # ------------------------------------------------------------ opening

    def _uri(self, mode: str, *, immutable: bool = False) -> str:
        # as_uri() percent-encodes ?, #, %, [ ] and non-ASCII, which SQLite decodes back
        return self.path.absolute().as_uri() + f"?mode={mode}" + ("&immutable=1" if immutable else "")

    @contextmanager
    def _open(self, *, write: bool, timeout: float) -> Iterator[sqlite3.Connection | None]:
        """A connection (read-only unless `write`); None when reading a ledger that does not exist."""
        if self.path.exists() and not self.path.is_file():
            raise unusable(self.path, "该位置是一个文件夹,不是台账文件")
        if not self.path.exists():
            if not write:
                yield None
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves
        conn = sqlite3.connect(self._uri("rwc" if write else "ro"), uri=True, timeout=timeout, isolation_level=None)
        if not write:
            conn = self._readable(conn, timeout)
        with closing(conn):
            conn.row_factory = sqlite3.Row
            yield conn

    def _readable(self, conn: sqlite3.Connection, timeout: float) -> sqlite3.Connection:
        """`conn`, or an immutable one when a WAL ledger sits in a folder we cannot write.

        A read-only connection to a WAL file needs its -shm index; when no other program
        has the ledger open there is none, and in a read-only folder it cannot be made.
        Then nobody can be writing the file (a writer needs that folder too), so reading
        it as immutable is safe.
        """
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error as exc:
            conn.close()
            if not isinstance(exc, sqlite3.OperationalError) or (
                _code(exc) != _SQLITE_READONLY_DIRECTORY and _code(exc) & 0xFF != _SQLITE_CANTOPEN
            ):
                raise
        wal = Path(f"{self.path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            # committed writes still in the WAL: an immutable read would silently miss them
            raise unusable(
                self.path, "有尚未并入主文件的写入(-wal 文件),而所在文件夹只读,无法可靠读取",
                f"请把 {self.path.name} 连同 {wal.name} 一起复制到可写的文件夹,并用环境变量 HZ_ASSESS_HOME 指向它",
            )
        return sqlite3.connect(self._uri("ro", immutable=True), uri=True, timeout=timeout, isolation_level=None)

    def _check_ours(self, conn: sqlite3.Connection) -> int:
        """The schema version of our ledger; LedgerError for another program's database or a newer one."""
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if app_id == APPLICATION_ID or (app_id == 0 and version == 0 and not self._tables(conn)):
            if version > SCHEMA_VERSION:
                raise unusable(
                    self.path, f"由更新版本的 hz-assess 建立,结构版本 {version}",
                    "请升级 hz-assess 后再读取,或设置环境变量 HZ_ASSESS_HOME 另建台账",
                )
            return version
        if app_id == 0 and version == 1 and self._tables(conn) == {"runs"}:
            return version  # schema 1 predates application_id
        tables = sorted(self._tables(conn))
        found = f",其中有数据表 {'、'.join(tables[:3])}{'等' if len(tables) > 3 else ''}" if tables else ""
        raise unusable(
            self.path, f"这是其他程序的 SQLite 数据库{found},不是 hz-assess 的台账;hz-assess 不会改动它",
            "请设置环境变量 HZ_ASSESS_HOME 指向另一个文件夹",
        )

    @staticmethod
    def _tables(conn: sqlite3.Connection) -> set[str]:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")
        return {str(r[0]) for r in rows}

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Bring the schema up to date; runs inside the write transaction, so parallel runs migrate once."""
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for steps in MIGRATIONS[version:]:
            for sql in steps:
                conn.execute(sql)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
