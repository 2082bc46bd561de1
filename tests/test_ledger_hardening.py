"""The ledger under hostile conditions (issue 10): read-only media, locks, foreign files, odd ids and paths.

Reading commands must work on a ledger nobody may write; a lock is waited on for a
bounded, announced time; another program's SQLite file is never changed; and nothing
here may end in exit 3 or stop `score`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _ledger import actuals_for, cli, record
from hz_assess.errors import LedgerError
from hz_assess.ledger import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Ledger, ledger_path
from hz_assess.ledger import db as ledger_db
from hz_assess.models import Plan
from hz_assess.scoring import score

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "actuals_2017.xlsx"
READ_COMMANDS = (
    ["history"], ["history", "--format", "json"], ["show", "1"], ["compare", "1", "2"],
    ["trend", "--district", "长兴县"], ["gaps", "--district", "长兴县"],
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _force_read_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Open every ledger connection read-only, as on read-only media; returns the URIs asked for.

    Works as root too (where chmod does not stop anyone): a write through such a
    connection fails exactly as on a read-only file.
    """
    asked: list[str] = []
    real = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if kwargs.get("uri"):
            asked.append(str(database))
            database = str(database).replace("mode=rwc", "mode=ro")
        return real(database, *args, **kwargs)

    monkeypatch.setattr(ledger_db.sqlite3, "connect", connect)
    return asked


def _two_runs_one_published(plan: Plan) -> None:
    record(plan, "2017Q1")
    record(plan, "2017Q1", {("长兴县", "12"): 100})
    assert cli("publish", "1")[0] == 0


# ---------------------------------------------------------------- read-only


def test_read_only_commands_open_the_ledger_read_only_and_change_nothing(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_runs_one_published(plan)
    before = _digest(ledger_path())
    asked = _force_read_only(monkeypatch)
    for args in READ_COMMANDS:
        code, out, err = cli(*args)
        assert code == 0, (args, err)
    assert asked and all(uri.endswith("?mode=ro") for uri in asked)
    assert _digest(ledger_path()) == before


def test_score_on_a_read_only_ledger_still_scores_and_says_it_was_not_recorded(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(plan, "2017")
    before = _digest(ledger_path())
    _force_read_only(monkeypatch)
    code, out, err = cli("score", str(EXAMPLE), "--format", "json")
    assert code == 0 and json.loads(out)["input"]["period"] == "2017"
    assert "未记入考核台账" in err and "没有写入权限" in err
    assert _digest(ledger_path()) == before


@pytest.fixture
def read_only_place(plan: Plan) -> Iterator[Path]:
    _two_runs_one_published(plan)
    folder = ledger_path().parent
    os.chmod(ledger_path(), 0o444)
    os.chmod(folder, 0o555)
    try:
        yield folder
    finally:
        os.chmod(folder, 0o755)
        os.chmod(ledger_path(), 0o644)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod does not stop root")
def test_a_read_only_ledger_file_in_a_read_only_folder_is_readable(read_only_place: Path) -> None:
    for args in READ_COMMANDS:
        code, out, err = cli(*args)
        assert code == 0, (args, err)
    assert sorted(p.name for p in read_only_place.iterdir()) == ["ledger.sqlite3"]


def _schema_1_ledger(plan: Plan) -> None:
    """A ledger as the first version wrote it: schema 1, WAL, no application_id, one run."""
    actuals = actuals_for(plan, "2017Q1", path="/data/旧台账.xlsx")
    actuals.sha256 = "a" * 64
    a = score(plan, actuals)
    conn = sqlite3.connect(ledger_path(), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO runs (time, tool_version, command, plan_id, plan_path, plan_sha256, departments_sha256, "
        "input_path, input_sha256, period, period_order, summary, actuals_json, assessment_json) "
        "VALUES ('2017-04-01T02:00:00+00:00', '0.1.0', 'score', ?, ?, ?, ?, '/data/旧台账.xlsx', ?, '2017Q1', "
        "20171, '', ?, ?)",
        (plan.info.id, plan.targets_path, plan.targets_sha256, plan.departments_sha256, "a" * 64,
         actuals.model_dump_json(), a.model_dump_json()),
    )
    conn.close()


def test_a_schema_1_ledger_is_migrated_and_keeps_its_runs(plan: Plan) -> None:
    _schema_1_ledger(plan)
    code, out, _ = cli("history", "--format", "json")
    assert code == 0
    (run,) = json.loads(out)["runs"]
    assert run["inputs"] == [{"path": "/data/旧台账.xlsx", "sha256": "a" * 64}]
    assert run["time_beijing"] == "2017-04-01 10:00:00"
    conn = sqlite3.connect(ledger_path())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    assert cli("publish", "1")[0] == 0


def test_an_old_ledger_on_read_only_media_says_it_must_be_upgraded_first(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    _schema_1_ledger(plan)
    before = _digest(ledger_path())
    _force_read_only(monkeypatch)
    code, out, err = cli("history")
    assert code == 2 and "Traceback" not in out + err
    assert "由旧版本的 hz-assess 建立,结构版本 1,须先升级结构" in err and "只读" in err and "HZ_ASSESS_HOME" in err
    assert _digest(ledger_path()) == before


# ---------------------------------------------------------------- locks


@pytest.fixture
def writer_lock(plan: Plan) -> Iterator[sqlite3.Connection]:
    """Another program in the middle of writing the ledger (it holds the write lock)."""
    record(plan, "2017")
    # check_same_thread=False: some tests release the lock from a timer thread
    holder = sqlite3.connect(ledger_path(), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_a_locked_ledger_is_waited_on_for_a_bounded_time_then_given_up_clearly(
    plan: Plan, writer_lock: sqlite3.Connection
) -> None:
    said: list[str] = []
    ledger = Ledger(wait=0.6, announce_after=0.2, notify=said.append)
    actuals = actuals_for(plan, "2017")
    start = time.monotonic()
    with pytest.raises(LedgerError) as caught:
        ledger.record(score(plan, actuals), actuals, "score")
    waited = time.monotonic() - start
    assert 0.55 <= waited < 1.5
    assert "被其他程序占用,等待 0.6 秒后仍未释放" in str(caught.value) and "关闭" in str(caught.value)
    assert len(said) == 1 and "正被其他程序占用,正在等待(最多 0.6 秒)" in said[0]
    assert [r.id for r in ledger.runs()] == [1]  # reading is not blocked by a writer (WAL)


def test_a_reader_locked_out_waits_the_same_bounded_time(plan: Plan) -> None:
    record(plan, "2017")
    holder = sqlite3.connect(ledger_path(), isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # a tool that keeps everyone out, readers too
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE runs SET summary = summary")
    try:
        said: list[str] = []
        start = time.monotonic()
        with pytest.raises(LedgerError, match="被其他程序占用"):
            Ledger(wait=0.5, announce_after=0.1, notify=said.append).runs()
        assert time.monotonic() - start < 1.5 and len(said) == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_lock_released_during_the_wait_lets_the_run_through(plan: Plan, writer_lock: sqlite3.Connection) -> None:
    said: list[str] = []
    release = threading.Timer(0.4, lambda: writer_lock.execute("ROLLBACK"))
    release.start()
    actuals = actuals_for(plan, "2017")
    done = Ledger(wait=3, announce_after=0.1, notify=said.append).record(score(plan, actuals), actuals, "score")
    release.join()
    assert done.run_id == 2 and len(said) == 1


def test_a_short_wait_is_not_announced(plan: Plan, writer_lock: sqlite3.Connection) -> None:
    said: list[str] = []
    release = threading.Timer(0.1, lambda: writer_lock.execute("ROLLBACK"))
    release.start()
    actuals = actuals_for(plan, "2017")
    Ledger(wait=3, announce_after=1.0, notify=said.append).record(score(plan, actuals), actuals, "score")
    release.join()
    assert said == []


def test_score_is_not_stopped_by_a_locked_ledger(
    monkeypatch: pytest.MonkeyPatch, writer_lock: sqlite3.Connection
) -> None:
    monkeypatch.setattr(ledger_db, "LOCK_WAIT_S", 0.4)
    monkeypatch.setattr(ledger_db, "ANNOUNCE_AFTER_S", 0.1)
    start = time.monotonic()
    code, out, err = cli("score", str(EXAMPLE), "--format", "json")
    assert code == 0 and json.loads(out)["input"]["period"] == "2017"
    assert "正被其他程序占用,正在等待(最多 0.4 秒)" in err
    assert "未记入考核台账" in err and "等待 0.4 秒后仍未释放" in err
    assert time.monotonic() - start < 10


# ---------------------------------------------------------------- not ours


CONTACTS = ("CREATE TABLE contacts (name TEXT, phone TEXT)", "INSERT INTO contacts VALUES ('张三', '0572-1234567')")


def _foreign_database(*statements: str) -> bytes:
    """Another program's SQLite file (rollback journal, its own tables) where the ledger should be."""
    conn = sqlite3.connect(ledger_path())
    with conn:
        for statement in statements or CONTACTS:
            conn.execute(statement)
    conn.close()
    return ledger_path().read_bytes()


def _journal_mode() -> str:
    conn = sqlite3.connect(ledger_path())
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def test_another_programs_sqlite_file_is_never_converted_or_migrated() -> None:
    before = _foreign_database()
    code, out, err = cli("history")
    assert code == 2 and "Traceback" not in out + err
    assert "其他程序的 SQLite 数据库,其中有数据表 contacts" in err and "HZ_ASSESS_HOME" in err
    code, out, err = cli("score", str(EXAMPLE), "--format", "json")
    assert code == 0 and json.loads(out)["input"]["period"] == "2017"
    assert "未记入考核台账" in err and "其他程序的 SQLite 数据库" in err
    assert ledger_path().read_bytes() == before
    assert _journal_mode() == "delete" and not Path(f"{ledger_path()}-wal").exists()


def test_a_database_that_only_looks_like_ours_is_refused() -> None:
    before = _foreign_database("CREATE TABLE runs (id INTEGER, note TEXT)", "INSERT INTO runs VALUES (1, 'x')")
    with pytest.raises(LedgerError, match="其他程序的 SQLite 数据库,其中有数据表 runs"):
        Ledger().runs()
    assert ledger_path().read_bytes() == before


def test_an_empty_file_at_the_ledger_path_becomes_the_ledger(plan: Plan) -> None:
    ledger_path().write_bytes(b"")
    assert Ledger().runs() == []
    record(plan, "2017")
    conn = sqlite3.connect(ledger_path())
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


# ---------------------------------------------------------------- odd ids and paths


def test_a_huge_show_id_is_a_clean_message_not_an_internal_error(plan: Plan) -> None:
    record(plan, "2017")
    for run_id in ("99999999999999999999", "9223372036854775808", "0"):
        code, out, err = cli("show", run_id)
        assert code == 2 and f"没有第 {run_id} 号记录" in err and "Traceback" not in out + err


def test_paths_with_brackets_are_stored_and_shown_verbatim(plan: Plan) -> None:
    path = "/data/实绩[v2]/[/x] [bold]b[/bold] :smile:.xlsx"
    record(plan, "2017", path=path)
    code, out, err = cli("history", "--format", "json")
    assert code == 0 and json.loads(out)["runs"][0]["inputs"][0]["path"] == path
    code, out, err = cli("history")
    assert code == 0 and "[/x]" in out and "[v2]" in out and ":smile:" in out
    code, out, err = cli("show", "1", "--by", "district")
    assert code == 0 and path in err and Path(path).name in out  # the heading names the file, verbatim
    code, out, err = cli("gaps", "--district", "长兴县")
    assert code == 0 and path in err


def test_a_workbook_in_a_bracketed_folder_is_recorded_and_listed(tmp_path: Path) -> None:
    folder = tmp_path / "实绩[v2]" / "[/x]"
    folder.mkdir(parents=True)
    workbook = shutil.copy(EXAMPLE, folder / "[b].xlsx")
    assert cli("score", str(workbook), "--format", "json")[0] == 0
    code, out, _ = cli("history", "--format", "json")
    assert code == 0 and json.loads(out)["runs"][0]["inputs"][0]["path"] == str(Path(workbook).resolve())
    assert cli("history")[0] == 0 and cli("show", "1")[0] == 0
