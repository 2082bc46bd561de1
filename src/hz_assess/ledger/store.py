"""The assessment ledger (考核台账): record runs, publish one per period, and read them back.

Users score many workbooks over a year and must later show which data produced which
published ranking, so each run keeps the plan and input hashes, the actuals as read,
the full Assessment and the report files it produced. A period's 定稿 (publication)
is the run `gaps`, `trend`, `need` and `report --run` default to; every earlier
publication stays, marked superseded with when and why. SQLite handling (read-only
opening, lock waits, migrations) lives in `db`; sentences and data shapes in `records`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from hz_assess import __version__
from hz_assess.errors import LedgerError, Problem
from hz_assess.ledger.compare import Comparison, compare_runs
from hz_assess.ledger.db import Database, ledger_path, unusable
from hz_assess.ledger.records import (
    InputFile,
    Output,
    Publication,
    Published,
    Recording,
    Run,
    RunInfo,
    beijing_text,
    check_run_id,
    describe,
    has_unit,
    input_files,
    now_utc,
    period_order,
    plan_differs,
    publication_status,
    summary_of,
    unknown_run,
)
from hz_assess.models import Actuals, Assessment
from hz_assess.trend import Trend, build_trend, year_periods

_RUN_COLUMNS = (
    "id, time, command, tool_version, plan_id, plan_path, plan_sha256, departments_sha256, period, summary"
)
_PUBLICATIONS = (
    "SELECT p.id, p.run_id, p.plan_id, p.period, p.time, p.note, p.superseded_time, "
    "q.run_id AS superseded_by_run, coalesce(q.note, '') AS superseded_note "
    "FROM publications p LEFT JOIN publications q ON q.id = p.superseded_by"
)


class Ledger:
    """The SQLite ledger at `path` (default: ledger_path()). Every failure is a LedgerError.

    `wait` bounds how long another program's lock is waited on (default db.LOCK_WAIT_S);
    a wait longer than `announce_after` is announced through `notify` (default: stderr).
    """

    def __init__(
        self, path: Path | None = None, *, wait: float | None = None, announce_after: float | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path if path is not None else ledger_path()
        self._db = Database(self.path, wait=wait, announce_after=announce_after, notify=notify)

    # ------------------------------------------------------------ writing

    def record(
        self, assessment: Assessment, actuals: Actuals, command: str, *,
        outputs: Sequence[Output] = (), reuse: bool = False,
    ) -> Recording:
        """Append one run with the report files it produced.

        With `reuse`, a run with exactly the same inputs (the same input sha256s, plan and
        departments sha256, period and tool version) is not recorded again: the outputs
        are attached to that earlier run (its 定稿 if it has one, else the latest), so one
        `report` call per format still leaves one record.
        """
        plan, files, now = assessment.plan, input_files(assessment), now_utc()
        period = assessment.input.period
        row = {
            "time": now, "tool_version": __version__, "command": command, "plan_id": plan.id,
            "plan_path": plan.path, "plan_sha256": plan.sha256, "departments_sha256": plan.departments_sha256,
            "input_path": "", "input_sha256": "",  # superseded by run_inputs (schema 2)
            "period": period, "period_order": period_order(period), "summary": summary_of(assessment),
            "actuals_json": json.dumps(actuals.model_dump(mode="json"), ensure_ascii=False),
            "assessment_json": json.dumps(assessment.model_dump(mode="json"), ensure_ascii=False),
        }

        def insert(conn: sqlite3.Connection) -> Recording:
            if reuse:
                same = _same_inputs(conn, row, files)
                if same is not None:
                    _attach(conn, same, outputs, now)
                    return Recording(same, reused=True)
            columns, marks = ", ".join(row), ", ".join(f":{k}" for k in row)
            cursor = conn.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", row)
            assert cursor.lastrowid is not None
            conn.executemany(
                "INSERT INTO run_inputs (run_id, position, path, sha256) VALUES (?, ?, ?, ?)",
                [(cursor.lastrowid, i, f.path, f.sha256) for i, f in enumerate(files)],
            )
            _attach(conn, cursor.lastrowid, outputs, now)
            return Recording(cursor.lastrowid)

        return self._db.write(insert)

    def attach_output(self, run_id: int, output: Output) -> None:
        """Add a report file to an existing run (e.g. `report --run N` re-exporting it)."""
        self._existing(run_id)

        def attach(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                raise unknown_run(run_id, self.path)
            _attach(conn, run_id, [output], now_utc())

        self._db.write(attach)

    def publish(self, run_id: int, *, note: str = "", force: bool = False) -> Published:
        """Make run `run_id` the 定稿 of its plan and period.

        A period has one standing publication: replacing it needs `force` and a `note`
        saying why; the replaced one stays, marked superseded. Publishing the standing
        定稿 again changes nothing.
        """
        self._existing(run_id)
        note = note.strip()

        def publish(conn: sqlite3.Connection) -> Published:
            info = _info(conn, run_id)
            if info is None:
                raise unknown_run(run_id, self.path)
            standing = _standing(conn, info.plan_id, info.period)
            if standing is not None and standing.run_id == run_id:
                return Published(standing, already=True)
            if standing is not None and not force:
                raise LedgerError(Problem(
                    "already_published", "",
                    f"{info.period} 期已有定稿:第 {standing.run_id} 号记录({beijing_text(standing.time)} 定稿);"
                    f"如确需改用第 {run_id} 号记录,请加 --force 并用 --note 说明原因",
                ))
            if standing is not None and not note:
                raise LedgerError(Problem(
                    "publish_note_missing", "",
                    f"改定 {info.period} 期的定稿须用 --note 说明原因,例如 --note \"南浔区更正了第12项数据\"",
                ))
            now = now_utc()
            if standing is not None:
                # free the period's one standing place first (the unique index guards it)
                conn.execute("UPDATE publications SET superseded_time = ? WHERE id = ?", (now, standing.id))
            cursor = conn.execute(
                "INSERT INTO publications (run_id, plan_id, period, time, note) VALUES (?, ?, ?, ?, ?)",
                (run_id, info.plan_id, info.period, now, note),
            )
            if standing is not None:
                conn.execute("UPDATE publications SET superseded_by = ? WHERE id = ?", (cursor.lastrowid, standing.id))
            new = _publications(conn, "WHERE p.id = ?", (cursor.lastrowid,))[0]
            replaced = _publications(conn, "WHERE p.id = ?", (standing.id,))[0] if standing else None
            return Published(new, replaced, provisional=_provisional(conn, run_id))

        return self._db.write(publish)

    def _existing(self, run_id: int) -> None:
        """Before writing about run `run_id`: an id that cannot exist is refused without creating a ledger."""
        check_run_id(run_id, self.path)
        if not self.path.exists():
            raise unknown_run(run_id, self.path)

    # ------------------------------------------------------------ reading

    def _read(self, op: Callable[[sqlite3.Connection], Any], empty: Any) -> Any:
        return self._db.read(op, empty)

    def runs(self) -> list[RunInfo]:
        """Every recorded run, oldest first, with its inputs, outputs and publications."""
        infos: list[RunInfo] = self._read(lambda conn: _infos(conn, "", ()), [])
        return infos

    def run(self, run_id: int) -> Run:
        check_run_id(run_id, self.path)
        found: Run | None = self._read(lambda conn: self._load(conn, run_id), None)
        if found is None:
            raise unknown_run(run_id, self.path)
        return found

    def show(self, run_id: int) -> tuple[Run, list[str]]:
        """A run and the lines that say which it is, whether it is the 定稿, and what it produced."""
        check_run_id(run_id, self.path)

        def read(conn: sqlite3.Connection) -> tuple[Run, Publication | None] | None:
            run = self._load(conn, run_id)
            return None if run is None else (run, _standing(conn, run.info.plan_id, run.info.period))

        found = self._read(read, None)
        if found is None:
            raise unknown_run(run_id, self.path)
        run, standing = found
        lines = [f"考核台账{describe(run.info)}", publication_status(run.info, standing)]
        lines += [f"由此生成的报告:{o.path}({o.format},{beijing_text(o.time)})" for o in run.info.outputs]
        return run, lines

    def compare(self, old_id: int, new_id: int) -> Comparison:
        """What changed from run `old_id` to run `new_id` (see compare.compare_runs)."""
        return compare_runs(self.run(old_id), self.run(new_id))

    def default_run(self, plan_id: str) -> tuple[Run, str]:
        """The run a command uses when given no workbook, and a sentence saying which and why.

        The 定稿 of the latest period that has runs; else that period's latest run.
        """
        def read(conn: sqlite3.Connection) -> tuple[Run, str] | None:
            row = conn.execute(
                "SELECT period FROM runs WHERE plan_id = ? ORDER BY period_order DESC, id DESC LIMIT 1", (plan_id,)
            ).fetchone()
            if row is None:
                return None
            period = str(row["period"])
            run, standing, later = self._choose(conn, plan_id, period)
            if standing is not None:
                why = f"使用 {period} 期的定稿:{describe(run.info)},{beijing_text(standing.time)} 定稿"
                if later:
                    ids = "、".join(str(i) for i in later)
                    why += f";该期在定稿之后还有 {len(later)} 次试算(第 {ids} 号记录),未采用"
                return run, why
            why = (f"使用最新一期({period})最新的记录:{describe(run.info)};"
                   f"该期尚未定稿(可用 hz-assess publish {run.info.id} 定稿)")
            earlier = conn.execute(
                "SELECT p.period, p.run_id FROM publications p JOIN runs r ON r.id = p.run_id "
                "WHERE p.plan_id = ? AND p.superseded_time IS NULL ORDER BY r.period_order DESC LIMIT 1",
                (plan_id,),
            ).fetchone()
            if earlier is not None:
                why += f";较早的 {earlier['period']} 期定稿为第 {earlier['run_id']} 号记录"
            return run, why

        found: tuple[Run, str] | None = self._read(read, None)
        if found is None:
            raise LedgerError(Problem(
                "ledger_empty", "",
                f"考核台账 {self.path} 中还没有本计划的考核记录;请先计算一份实绩工作簿"
                "(hz-assess score 实绩.xlsx),或在命令中给出工作簿路径",
            ))
        return found

    def trend(
        self, plan_id: str, year: int, unit: str, *, targets_sha256: str = "", departments_sha256: str = "",
    ) -> tuple[Trend, list[str]]:
        """`unit` across the periods of `year`: each period's 定稿, else its latest run.

        Also the lines saying which run each period uses, and (given the current plan's
        hashes) which of them were scored with other plan files.
        """
        def read(conn: sqlite3.Connection) -> dict[str, tuple[Run, Publication | None, list[int]]]:
            chosen = {}
            for period in year_periods(year):
                if conn.execute("SELECT 1 FROM runs WHERE plan_id = ? AND period = ?", (plan_id, period)).fetchone():
                    chosen[period] = self._choose(conn, plan_id, period)
            return chosen

        chosen: dict[str, tuple[Run, Publication | None, list[int]]] = self._read(read, {})
        if not chosen:
            raise LedgerError(Problem(
                "ledger_empty", "",
                f"考核台账 {self.path} 中还没有 {year} 年的考核记录;请先按季度计算实绩工作簿"
                "(hz-assess score 实绩.xlsx)",
            ))
        if not any(has_unit(run.assessment, unit) for run, _, _ in chosen.values()):
            ids = "、".join(str(run.info.id) for run, _, _ in chosen.values())
            raise LedgerError(Problem(
                "unit_not_in_run", "",
                f"考核台账中 {year} 年所用的记录(第 {ids} 号)都没有「{unit}」的结果(记录所用的计划中没有这个单位);"
                "请按当前计划重新计算实绩工作簿",
            ))
        trend = build_trend(
            {p: run.assessment for p, (run, _, _) in chosen.items()}, unit,
            {p: run.info.id for p, (run, _, _) in chosen.items()},
            {p: standing is not None for p, (_, standing, _) in chosen.items()},
        )
        used = []
        for period, (run, standing, later) in chosen.items():
            if standing is None:
                used.append(f"{period} 第 {run.info.id} 号(最新记录,未定稿)")
            elif later:
                used.append(f"{period} 第 {run.info.id} 号(定稿;其后的试算第 {'、'.join(map(str, later))} 号未采用)")
            else:
                used.append(f"{period} 第 {run.info.id} 号(定稿)")
        lines = ["各期使用的考核台账记录:" + "、".join(used)]
        if targets_sha256:
            for run, _, _ in chosen.values():
                note = plan_differs(run.info, targets_sha256, departments_sha256)
                if note:
                    lines.append(note)
        return trend, lines

    def _choose(self, conn: sqlite3.Connection, plan_id: str, period: str) -> tuple[Run, Publication | None, list[int]]:
        """A period's 定稿 (and the runs recorded after it), else its latest run. The period has runs."""
        standing = _standing(conn, plan_id, period)
        if standing is not None:
            run = self._load(conn, standing.run_id)
            assert run is not None  # publications reference runs, which are never deleted
            later = [int(r["id"]) for r in conn.execute(
                "SELECT id FROM runs WHERE plan_id = ? AND period = ? AND id > ? ORDER BY id",
                (plan_id, period, standing.run_id),
            )]
            return run, standing, later
        row = conn.execute(
            "SELECT id FROM runs WHERE plan_id = ? AND period = ? ORDER BY time DESC, id DESC LIMIT 1",
            (plan_id, period),
        ).fetchone()
        run = self._load(conn, int(row["id"]))
        assert run is not None
        return run, None, []

    def _load(self, conn: sqlite3.Connection, run_id: int) -> Run | None:
        infos = _infos(conn, "WHERE id = ?", (run_id,))
        if not infos:
            return None
        row = conn.execute("SELECT actuals_json, assessment_json FROM runs WHERE id = ?", (run_id,)).fetchone()
        try:
            return Run(
                info=infos[0],
                actuals=Actuals.model_validate_json(row["actuals_json"]),
                assessment=Assessment.model_validate_json(row["assessment_json"]),
            )
        except ValidationError as exc:
            raise unusable(
                self.path, f"第 {run_id} 号记录的内容无法读取:{exc.error_count()} 处与当前版本的格式不符",
                "请用记录时的 hz-assess 版本(见 hz-assess history)查看该记录",
            ) from exc


# ---------------------------------------------------------------- queries


def _infos(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[RunInfo]:
    rows = list(conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs {where} ORDER BY id", params))
    if not rows:
        return []
    ids = [int(r["id"]) for r in rows]
    # one query per table over the id range, not one per run: history stays fast on a long ledger
    span = (min(ids), max(ids))
    inputs: dict[int, list[InputFile]] = {}
    for r in conn.execute(
        "SELECT run_id, path, sha256 FROM run_inputs WHERE run_id BETWEEN ? AND ? ORDER BY run_id, position", span
    ):
        inputs.setdefault(int(r["run_id"]), []).append(InputFile(r["path"], r["sha256"]))
    outputs: dict[int, list[Output]] = {}
    for r in conn.execute(
        "SELECT run_id, path, format, sha256, time FROM run_outputs WHERE run_id BETWEEN ? AND ? ORDER BY id", span
    ):
        outputs.setdefault(int(r["run_id"]), []).append(Output(r["path"], r["format"], r["sha256"], r["time"]))
    pubs: dict[int, list[Publication]] = {}
    for p in _publications(conn, "WHERE p.run_id BETWEEN ? AND ?", span):
        pubs.setdefault(p.run_id, []).append(p)
    return [
        RunInfo(
            **{k: r[k] for k in _RUN_COLUMNS.split(", ")},
            inputs=tuple(inputs.get(int(r["id"]), ())),
            outputs=tuple(outputs.get(int(r["id"]), ())),
            publications=tuple(pubs.get(int(r["id"]), ())),
        )
        for r in rows
    ]


def _info(conn: sqlite3.Connection, run_id: int) -> RunInfo | None:
    found = _infos(conn, "WHERE id = ?", (run_id,))
    return found[0] if found else None


def _publications(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Publication]:
    return [
        Publication(
            id=int(r["id"]), run_id=int(r["run_id"]), plan_id=r["plan_id"], period=r["period"], time=r["time"],
            note=r["note"], superseded_time=r["superseded_time"],
            superseded_by_run=None if r["superseded_by_run"] is None else int(r["superseded_by_run"]),
            superseded_note=r["superseded_note"],
        )
        for r in conn.execute(f"{_PUBLICATIONS} {where} ORDER BY p.id", params)
    ]


def _standing(conn: sqlite3.Connection, plan_id: str, period: str) -> Publication | None:
    found = _publications(conn, "WHERE p.plan_id = ? AND p.period = ? AND p.superseded_time IS NULL", (plan_id, period))
    return found[0] if found else None


def _same_inputs(conn: sqlite3.Connection, row: dict[str, Any], files: Sequence[InputFile]) -> int | None:
    """The earlier run of exactly these inputs, plan files, period and tool version: its 定稿, else the latest."""
    wanted = sorted(f.sha256 for f in files)
    candidates = [int(r["id"]) for r in conn.execute(
        "SELECT id FROM runs WHERE plan_id = ? AND plan_sha256 = ? AND departments_sha256 = ? AND period = ? "
        "AND tool_version = ? ORDER BY id DESC",
        (row["plan_id"], row["plan_sha256"], row["departments_sha256"], row["period"], row["tool_version"]),
    )]
    same = [
        run_id for run_id in candidates
        if sorted(r[0] for r in conn.execute("SELECT sha256 FROM run_inputs WHERE run_id = ?", (run_id,))) == wanted
    ]
    if not same:
        return None
    published = {int(r[0]) for r in conn.execute("SELECT run_id FROM publications WHERE superseded_time IS NULL")}
    return next((run_id for run_id in same if run_id in published), same[0])


def _attach(conn: sqlite3.Connection, run_id: int, outputs: Sequence[Output], now: str) -> None:
    conn.executemany(
        "INSERT INTO run_outputs (run_id, time, path, format, sha256) VALUES (?, ?, ?, ?, ?)",
        [(run_id, now, o.path, o.format, o.sha256) for o in outputs],
    )


def _provisional(conn: sqlite3.Connection, run_id: int) -> bool:
    row = conn.execute("SELECT assessment_json FROM runs WHERE id = ?", (run_id,)).fetchone()
    try:
        a = Assessment.model_validate_json(row["assessment_json"])
    except ValidationError:
        return False  # an unreadable record is reported when it is read, not when it is published
    return any(d.provisional for d in a.districts) or any(d.provisional for d in a.departments)


# ---------------------------------------------------------------- never in the way of scoring


class Recorded(NamedTuple):
    """What `record_run` did: the run's id (None if it could not be recorded), a message for
    stderr when it could not, and whether an identical earlier run was reused."""

    run_id: int | None
    message: str | None
    reused: bool = False


def record_run(
    assessment: Assessment, actuals: Actuals, command: str, *, outputs: Sequence[tuple[Path, str]] = (),
    reuse: bool = False, path: Path | None = None,
) -> Recorded:
    """Record a run (see Ledger.record); a ledger problem never stops the caller, it comes back as a message.

    `outputs`: the (path, format) of report files just written; they are hashed here.
    """
    try:
        files = [Output.of(out, fmt) for out, fmt in outputs]
        done = Ledger(path).record(assessment, actuals, command, outputs=files, reuse=reuse)
    except LedgerError as exc:
        return Recorded(None, f"注意:计算结果不受影响,但本次未记入考核台账。{_reasons(exc)}")
    return Recorded(done.run_id, None, done.reused)


def attach_run_output(run_id: int, output: Path, fmt: str, *, path: Path | None = None) -> str | None:
    """Attach a report file re-exported from run `run_id` (`report --run N`); a ledger problem
    comes back as a message for stderr, never as a failure of the report already written."""
    try:
        Ledger(path).attach_output(run_id, Output.of(output, fmt))
    except LedgerError as exc:
        return f"注意:报告已写入,但未能在考核台账第 {run_id} 号记录上登记。{_reasons(exc)}"
    return None


def _reasons(exc: LedgerError) -> str:
    return ";".join(p.message for p in exc.problems)
