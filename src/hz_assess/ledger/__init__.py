"""The assessment ledger (考核台账): every `score`/`report` run kept in one SQLite file.

`store` records, publishes (定稿) and reads runs back; `compare` says what changed
between two runs; `records` holds the data shapes and the sentences shown to people;
`db` is the SQLite plumbing (read-only opening, bounded lock waits, migrations).
"""

from hz_assess.ledger.compare import Change, Comparison, compare_runs
from hz_assess.ledger.db import APPLICATION_ID, LEDGER_NAME, MIGRATIONS, SCHEMA_VERSION, home, ledger_path
from hz_assess.ledger.records import (
    InputFile,
    Output,
    Publication,
    Published,
    Recording,
    Run,
    RunInfo,
    beijing,
    beijing_text,
    describe,
    input_files,
    period_order,
    plan_differs,
    require_unit,
    summary_of,
)
from hz_assess.ledger.store import Ledger, Recorded, attach_run_output, record_run

__all__ = [
    "APPLICATION_ID", "LEDGER_NAME", "MIGRATIONS", "SCHEMA_VERSION", "Change", "Comparison", "InputFile",
    "Ledger", "Output", "Publication", "Published", "Recorded", "Recording", "Run", "RunInfo",
    "attach_run_output", "beijing", "beijing_text", "compare_runs", "describe", "home", "input_files",
    "ledger_path", "period_order", "plan_differs", "record_run", "require_unit", "summary_of",
]
