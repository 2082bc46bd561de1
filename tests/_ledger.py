"""Helpers for the ledger tests: run the CLI, and record Python-built runs without a workbook."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from _builders import at_target, set_value
from conftest import run
from hz_assess.ledger import ledger_path, record_run
from hz_assess.models import Actuals, Assessment, Plan
from hz_assess.scoring import score

cli = run  # the ledger tests' name for the shared in-process CLI


def actuals_for(plan: Plan, period: str, values: dict[tuple[str, str], float | str | None] | None = None,
                path: str = "") -> Actuals:
    """Every actual at its annual target, then `values` ((unit, indicator id) -> value)."""
    actuals = at_target(plan, period)
    actuals.path = path or f"/data/实绩_{period}.xlsx"
    for (unit, ind), value in (values or {}).items():
        set_value(actuals, unit, ind, value)
    return actuals


def record(plan: Plan, period: str, values: dict[tuple[str, str], float | str | None] | None = None,
           path: str = "", *, edit: Callable[[Assessment], None] | None = None, sha256: str = "") -> int:
    """Score Python-built actuals and record them; `edit` may alter the assessment before it is recorded."""
    actuals = actuals_for(plan, period, values, path)
    if sha256:
        actuals.sha256 = sha256
    a = score(plan, actuals)
    if edit is not None:
        edit(a)
    done = record_run(a, actuals, "score")
    assert done.message is None and done.run_id is not None, done.message
    return done.run_id


def sql(statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement on the test's ledger directly (what another tool could do to it)."""
    conn = sqlite3.connect(ledger_path())
    try:
        with conn:
            return list(conn.execute(statement, params))
    finally:
        conn.close()
