"""The assessment ledger (考核台账): every `score`/`report` run, kept in one SQLite file.

Users score many workbooks over a year and must later show which data produced
which published ranking, so each run keeps the plan and input hashes, the actuals
as read and the full Assessment. `history`, `show`, `trend` and `gaps` without a
file read it back. Parallel runs queue on SQLite's lock (WAL, a busy timeout and
BEGIN IMMEDIATE) instead of failing. Stdlib only: no I/O beyond the one file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from hz_assess import __version__
from hz_assess.errors import LedgerError, Problem
from hz_assess.models import Actuals, Assessment
from hz_assess.trend import Trend, build_trend, year_periods

LEDGER_NAME = "ledger.sqlite3"
BUSY_TIMEOUT_S = 30.0

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
)

_INFO_COLUMNS = (
    "id, time, command, tool_version, plan_id, plan_path, plan_sha256, departments_sha256, "
    "input_path, input_sha256, period, summary"
)


# ---------------------------------------------------------------- where it lives


def home() -> Path:
    """$HZ_ASSESS_HOME, else the platform's user data folder (platformdirs knows each OS's place)."""
    explicit = os.environ.get("HZ_ASSESS_HOME")
    if explicit:
        return Path(explicit).expanduser()
    # imported here: only commands that touch the ledger pay for it
    from platformdirs import user_data_dir

    return Path(user_data_dir("hz-assess", appauthor=False))


def ledger_path() -> Path:
    return home() / LEDGER_NAME


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class RunInfo:
    """One ledger row without its (large) JSON: what `history` lists."""

    id: int
    time: str
    command: str
    tool_version: str
    plan_id: str
    plan_path: str
    plan_sha256: str
    departments_sha256: str
    input_path: str
    input_sha256: str
    period: str
    summary: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Run:
    """A recorded run with the actuals it read and the assessment it produced."""

    info: RunInfo
    actuals: Actuals
    assessment: Assessment


class Recorded(NamedTuple):
    """What `record_run` did: the new run's id, or None and why it was skipped."""

    run_id: int | None
    message: str | None


def period_order(period: str) -> int:
    """Sort key of a period: a later year first, then year end above Q4 above Q3 …"""
    year, _, quarter = period.partition("Q")
    return int(year) * 10 + (int(quarter) if quarter else 5)


def summary_of(a: Assessment) -> str:
    """A line for `history`: who came first (ties share the rank) and with what."""
    first = [d for d in a.districts if d.rank == 1]
    if not first:
        return ""
    names = "、".join(d.name for d in first)
    return f"第一名 {names} {first[0].score:.2f} 分({first[0].grade})"


def _problem(path: Path, reason: str, advice: str = "") -> LedgerError:
    advice = advice or "请把该文件改名备份后重试,或设置环境变量 HZ_ASSESS_HOME 指向另一个文件夹"
    return LedgerError(Problem("ledger_unusable", "", f"考核台账 {path} 无法使用({reason});{advice}"))


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return f"文件已损坏或不是 hz-assess 的台账:{text}"
    if "locked" in text or "busy" in text:
        return f"被其他程序占用超过 {BUSY_TIMEOUT_S:.0f} 秒:{text}"
    if "readonly" in text or "read-only" in text:
        return f"没有写入权限:{text}"
    if "unable to open" in text:
        return f"无法打开该文件,可能没有权限:{text}"
    if isinstance(exc, OSError):
        return exc.strerror or text
    return text


# ---------------------------------------------------------------- the ledger


class Ledger:
    """The SQLite ledger at `path` (default: ledger_path()). Every failure is a LedgerError."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else ledger_path()

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection | None]:
        """An open, migrated connection; None when reading a ledger that does not exist yet.

        sqlite3 and OS errors raised in the caller's block come back through the
        yield and leave as LedgerError too, so callers need no handling of their own.
        """
        try:
            if self.path.exists() and not self.path.is_file():
                raise _problem(self.path, "该位置是一个文件夹,不是台账文件")
            if not self.path.exists():
                if not create:
                    yield None
                    return
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            with closing(conn):
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                self._migrate(conn)
                yield conn
        except LedgerError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise _problem(self.path, _reason(exc)) from exc

    def _migrate(self, conn: sqlite3.Connection) -> None:
        if self._version(conn) == len(MIGRATIONS):
            return
        with self._write(conn):
            # re-read under the write lock: a parallel run may have migrated meanwhile
            version = self._version(conn)
            for steps in MIGRATIONS[version:]:
                for sql in steps:
                    conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    def _version(self, conn: sqlite3.Connection) -> int:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise _problem(
                self.path, f"由更新版本的 hz-assess 建立,结构版本 {version}",
                "请升级 hz-assess 后再读取,或设置环境变量 HZ_ASSESS_HOME 另建台账",
            )
        return version

    @staticmethod
    @contextmanager
    def _write(conn: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so parallel writers wait (busy
        # timeout) at BEGIN rather than failing later on a lock upgrade
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # ------------------------------------------------------------ writing

    def record(self, assessment: Assessment, actuals: Actuals, command: str) -> int:
        """Append one run; returns its id."""
        plan, given = assessment.plan, assessment.input
        input_path = str(Path(given.path).resolve()) if given.path else ""
        row = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "command": command,
            "plan_id": plan.id,
            "plan_path": plan.path,
            "plan_sha256": plan.sha256,
            "departments_sha256": plan.departments_sha256,
            "input_path": input_path,
            "input_sha256": given.sha256,
            "period": given.period,
            "period_order": period_order(given.period),
            "summary": summary_of(assessment),
            "actuals_json": json.dumps(actuals.model_dump(mode="json"), ensure_ascii=False),
            "assessment_json": json.dumps(assessment.model_dump(mode="json"), ensure_ascii=False),
        }
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        with self._connect(create=True) as conn:
            assert conn is not None  # create=True always opens
            with self._write(conn):
                cursor = conn.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", row)
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    # ------------------------------------------------------------ reading

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._connect(create=False) as conn:
            return [] if conn is None else list(conn.execute(sql, params))

    def runs(self) -> list[RunInfo]:
        """Every recorded run, oldest first."""
        return [_info(r) for r in self._rows(f"SELECT {_INFO_COLUMNS} FROM runs ORDER BY id")]

    def run(self, run_id: int) -> Run:
        rows = self._rows(
            f"SELECT {_INFO_COLUMNS}, actuals_json, assessment_json FROM runs WHERE id = ?", (run_id,)
        )
        if not rows:
            raise LedgerError(Problem(
                "run_unknown", "",
                f"考核台账 {self.path} 中没有第 {run_id} 号记录;请用 hz-assess history 查看已有的记录编号",
            ))
        return self._load(rows[0])

    def latest(self, plan_id: str) -> Run | None:
        """The run of the latest period (year end > Q4 > … ), latest recorded first."""
        rows = self._rows(
            f"SELECT {_INFO_COLUMNS}, actuals_json, assessment_json FROM runs WHERE plan_id = ? "
            "ORDER BY period_order DESC, time DESC, id DESC LIMIT 1",
            (plan_id,),
        )
        return self._load(rows[0]) if rows else None

    def latest_per_period(self, plan_id: str, periods: Sequence[str]) -> dict[str, Run]:
        """For each period that has runs, its latest run; in the order of `periods`."""
        out: dict[str, Run] = {}
        for period in periods:
            rows = self._rows(
                f"SELECT {_INFO_COLUMNS}, actuals_json, assessment_json FROM runs "
                "WHERE plan_id = ? AND period = ? ORDER BY time DESC, id DESC LIMIT 1",
                (plan_id, period),
            )
            if rows:
                out[period] = self._load(rows[0])
        return out

    def require_latest(self, plan_id: str) -> Run:
        """The latest run (see `latest`); LedgerError telling the user to score first if none."""
        run = self.latest(plan_id)
        if run is None:
            raise LedgerError(Problem(
                "ledger_empty", "",
                f"考核台账 {self.path} 中还没有本计划的考核记录;请先计算一份实绩工作簿"
                "(hz-assess score 实绩.xlsx),或在命令中给出工作簿路径",
            ))
        return run

    def trend(self, plan_id: str, year: int, unit: str) -> Trend:
        """`unit` across the periods of `year` that have runs, the latest run of each."""
        found = self.latest_per_period(plan_id, year_periods(year))
        if not found:
            raise LedgerError(Problem(
                "ledger_empty", "",
                f"考核台账 {self.path} 中还没有 {year} 年的考核记录;请先按季度计算实绩工作簿"
                "(hz-assess score 实绩.xlsx)",
            ))
        return build_trend(
            {p: r.assessment for p, r in found.items()}, unit, {p: r.info.id for p, r in found.items()},
        )

    def _load(self, row: sqlite3.Row) -> Run:
        try:
            return Run(
                info=_info(row),
                actuals=Actuals.model_validate_json(row["actuals_json"]),
                assessment=Assessment.model_validate_json(row["assessment_json"]),
            )
        except ValidationError as exc:
            raise _problem(
                self.path, f"第 {row['id']} 号记录的内容无法读取:{exc.error_count()} 处与当前版本的格式不符",
                "请用记录时的 hz-assess 版本(见 hz-assess history)查看该记录",
            ) from exc


def _info(row: sqlite3.Row) -> RunInfo:
    return RunInfo(**{k: row[k] for k in RunInfo.__dataclass_fields__})


def describe(info: RunInfo) -> str:
    """Which recorded run a command is using, for a line on stderr."""
    return (
        f"第 {info.id} 号记录({info.command},{info.period} 期,输入 {info.input_path or '—'},"
        f"记录于 {info.time})"
    )


def record_run(assessment: Assessment, actuals: Actuals, command: str, *, path: Path | None = None) -> Recorded:
    """Record a run; a ledger problem never stops the caller, it comes back as a message."""
    ledger = Ledger(path)
    try:
        return Recorded(ledger.record(assessment, actuals, command), None)
    except LedgerError as exc:
        reason = ";".join(p.message for p in exc.problems)
        return Recorded(None, f"注意:计算结果不受影响,但本次未记入考核台账。{reason}")
