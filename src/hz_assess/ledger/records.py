"""What the ledger holds, as plain data, and the sentences that name it for a person.

Times are stored as UTC ISO strings and shown only in Beijing time (UTC+8; China has
had no daylight saving since 1991, so a fixed offset is exact and needs no tz database).
The Assessment is read through a handful of fields only (plan ids and hashes, the input
reference, district/department names, ranks, scores, grades), so the result models can
change around the ledger: `input_files` is the one place that reads the input reference.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hz_assess.errors import LedgerError, Problem
from hz_assess.models import Actuals, Assessment

BEIJING = timezone(timedelta(hours=8))
MAX_RUN_ID = 2**63 - 1  # SQLite's INTEGER range; a larger id cannot name a run


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def beijing(stored: str) -> str:
    """A stored UTC time as Beijing wall-clock time, e.g. 2017-12-31 16:05:00."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored  # not ours to reinterpret: show it as it is
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def beijing_text(stored: str) -> str:
    return f"{beijing(stored)}(北京时间)"


def period_order(period: str) -> int:
    """Sort key of a period: a later year first, then year end above Q4 above Q3 …"""
    year, _, quarter = period.partition("Q")
    return int(year) * 10 + (int(quarter) if quarter else 5)


# ---------------------------------------------------------------- the parts of a run


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str


def input_files(a: Assessment) -> list[InputFile]:
    """The input files an assessment was computed from: the only reader of its input reference."""
    return [InputFile(_absolute(f.path), f.sha256) for f in a.input.files]


def _absolute(path: str) -> str:
    """The path as an absolute one, so a record names the file wherever it was run from."""
    if not path:
        return ""
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):  # a symlink loop: keep the path as the user gave it
        return path


@dataclass(frozen=True)
class Output:
    """A report file a run produced: where, in which format, its sha256, and when it was attached."""

    path: str
    format: str
    sha256: str = ""
    time: str = ""

    @classmethod
    def of(cls, path: Path, fmt: str) -> Output:
        """The output at `path` (just written), hashed so the file can later be matched to its run."""
        digest = hashlib.sha256()
        try:
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise LedgerError(Problem(
                "output_unreadable", str(path), f"无法读取报告文件以计算其 sha256({exc.strerror or exc})",
            )) from exc
        return cls(str(path.resolve()), fmt, digest.hexdigest())


@dataclass(frozen=True)
class Publication:
    """One 定稿 of a run. A replaced one keeps when it was replaced, by which run, and why."""

    id: int
    run_id: int
    plan_id: str
    period: str
    time: str
    note: str
    superseded_time: str | None = None
    superseded_by_run: int | None = None
    superseded_note: str = ""

    @property
    def standing(self) -> bool:
        return self.superseded_time is None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "time_beijing": beijing(self.time),
                "superseded_time_beijing": beijing(self.superseded_time) if self.superseded_time else None}


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
    period: str
    summary: str
    inputs: tuple[InputFile, ...] = ()
    outputs: tuple[Output, ...] = ()
    publications: tuple[Publication, ...] = ()

    @property
    def publication(self) -> Publication | None:
        """The standing 定稿 of this run, if it is the official result of its period."""
        return next((p for p in self.publications if p.standing), None)

    @property
    def input_paths(self) -> str:
        return "、".join(f.path for f in self.inputs) or "—"

    def publication_mark(self) -> str:
        """定稿 / 已被第 N 号取代 / '' for the history table."""
        if self.publication is not None:
            return "定稿"
        if self.publications:
            return f"已被第 {self.publications[-1].superseded_by_run} 号取代"
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "time": self.time, "time_beijing": beijing(self.time), "command": self.command,
            "tool_version": self.tool_version, "plan_id": self.plan_id, "plan_path": self.plan_path,
            "plan_sha256": self.plan_sha256, "departments_sha256": self.departments_sha256,
            "period": self.period, "summary": self.summary,
            "inputs": [asdict(f) for f in self.inputs],
            "outputs": [{**asdict(o), "time_beijing": beijing(o.time)} for o in self.outputs],
            "published": self.publication is not None,
            "publications": [p.to_json() for p in self.publications],
        }


@dataclass(frozen=True)
class Run:
    """A recorded run with the actuals it read and the assessment it produced."""

    info: RunInfo
    actuals: Actuals
    assessment: Assessment


@dataclass(frozen=True)
class Recording:
    """What `Ledger.record` did: the run's id, and whether an identical earlier run was reused."""

    run_id: int
    reused: bool = False


@dataclass(frozen=True)
class Published:
    """What `Ledger.publish` did."""

    publication: Publication
    replaced: Publication | None = None
    already: bool = False
    provisional: bool = False

    def message(self) -> str:
        p = self.publication
        if self.already:
            return f"第 {p.run_id} 号记录已是 {p.period} 期的定稿({beijing_text(p.time)} 定稿),未作改动"
        text = f"已将第 {p.run_id} 号记录定为 {p.period} 期的正式结果(定稿)"
        if self.replaced is not None:
            text += f";原定稿第 {self.replaced.run_id} 号记录已标记为被取代,原因:{p.note}"
        elif p.note:
            text += f";说明:{p.note}"
        if self.provisional:
            text += "。注意:该记录是暂定结果(有缺数据的单位),补齐数据后可重新计算并用 --force 改定"
        return text


# ---------------------------------------------------------------- sentences


def summary_of(a: Assessment) -> str:
    """A line for `history`: who came first (ties share the rank) and with what."""
    first = [d for d in a.districts if d.rank == 1]
    if not first:
        return ""
    names = "、".join(d.name for d in first)
    return f"第一名 {names} {first[0].score:.2f} 分({first[0].grade})"


def describe(info: RunInfo) -> str:
    """Which recorded run a command is using, for a line on stderr."""
    return (
        f"第 {info.id} 号记录({info.command},{info.period} 期,输入 {info.input_paths},"
        f"记录于 {beijing_text(info.time)})"
    )


def publication_status(info: RunInfo, standing: Publication | None) -> str:
    """Whether `info` is its period's 定稿; `standing` is the period's current 定稿, if any."""
    own = info.publication
    if own is not None:
        note = f";说明:{own.note}" if own.note else ""
        return f"该记录是 {info.period} 期的定稿({beijing_text(own.time)} 定稿{note})"
    if info.publications:
        last = info.publications[-1]
        assert last.superseded_time is not None
        return (f"该记录曾是 {info.period} 期的定稿,已于 {beijing_text(last.superseded_time)} 被第 "
                f"{last.superseded_by_run} 号记录取代,原因:{last.superseded_note}")
    if standing is not None:
        return f"该记录未定稿;{info.period} 期的定稿是第 {standing.run_id} 号记录"
    return f"该记录未定稿;{info.period} 期尚无定稿(可用 hz-assess publish {info.id} 定稿)"


def plan_differs(info: RunInfo, targets_sha256: str, departments_sha256: str) -> str | None:
    """A warning when the plan files now in use differ from the ones the run was scored with."""
    targets = info.plan_sha256 != targets_sha256
    # runs recorded without a departments hash cannot be compared on it
    departments = bool(info.departments_sha256) and info.departments_sha256 != departments_sha256
    if not targets and not departments:
        return None
    which = ("目标任务文件和部门责任文件都" if targets and departments
             else "目标任务文件" if targets else "部门责任文件")
    return f"注意:第 {info.id} 号记录所用的{which}与当前的不同,以下按记录时的计划列出"


def check_run_id(run_id: int, path: Path) -> None:
    """A run id SQLite can hold; anything else names no run (and must not overflow sqlite3)."""
    if not 1 <= run_id <= MAX_RUN_ID:
        raise unknown_run(run_id, path)


def unknown_run(run_id: int, path: Path) -> LedgerError:
    return LedgerError(Problem(
        "run_unknown", "",
        f"考核台账 {path} 中没有第 {run_id} 号记录;请用 hz-assess history 查看已有的记录编号",
    ))


def require_unit(run: Run, *, district: str | None = None, department: str | None = None) -> None:
    """LedgerError unless the recorded assessment has results for the unit or department asked for."""
    a = run.assessment
    if department is not None:
        present, name, kind = any(d.name == department for d in a.departments), department, "部门"
    else:
        present, name, kind = district is not None and has_unit(a, district), str(district), "县区"
    if not present:
        raise LedgerError(Problem(
            "unit_not_in_run", "",
            f"考核台账第 {run.info.id} 号记录中没有「{name}」的结果(该记录所用的计划中没有这个{kind});"
            f"请给出实绩工作簿重新计算,或用 hz-assess show {run.info.id} 查看该记录",
        ))


def has_unit(a: Assessment, unit: str) -> bool:
    """Whether the assessment holds results for this district (or the city)."""
    return unit == a.city.name or any(d.name == unit for d in a.districts)
