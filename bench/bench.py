"""Benchmarks for hz-assess, printed as one table of times and ratios from a single run.

Run:  python bench/bench.py [--runs 7] [--skip-startup] [--skip-scale]

Ratios, not absolute times, are what to compare across machines: each is taken in
the same run on the same machine. Medians of several runs; the start-up commands run
round-robin (one of each per round), so a load that drifts during the run weighs on
the floor and on hz-assess alike; the in-process figures use time.perf_counter
around the call only.

- start-up: `hz-assess score` (json, --no-record) and (table, recorded) and `--help`,
  each divided by a do-nothing typer app with the same options (the floor for any
  typer CLI of this shape, bench/floor_app.py); beside each wall-clock ratio, the
  ratio of CPU time, which a busy machine does not inflate (recording waits for the
  disk too, which only the wall clock sees).
- scale: scoring 3,000 units × 200 indicators in-process; the same plus the csv of
  `score --format csv`; and the time per unit·indicator at 3,000 units ÷ at 100 units
  (1.0 is perfectly linear).
- robustness: 1,000 re-scorings of the bundled example ÷ one `score` of it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "actuals_2017.xlsx"
FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        del result  # freeing the result is not part of producing it
    return statistics.median(times)


def run_process(cmd: list[str], env: dict[str, str]) -> Callable[[], object]:
    return lambda: subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


# ---------------------------------------------------------------- start-up


def installed_cli() -> list[str]:
    """The console script a user runs: the one beside this interpreter, else on PATH, else `python -m`."""
    here = Path(sys.executable).parent / ("hz-assess.exe" if os.name == "nt" else "hz-assess")
    exe = str(here) if here.is_file() else shutil.which("hz-assess")
    return [exe] if exe else [sys.executable, "-m", "hz_assess"]


def startup(runs: int) -> list[tuple[str, float, str]]:
    cli = installed_cli()
    home = tempfile.mkdtemp(prefix="hz-bench-")
    # bytecode is written and used, as in any installed copy: PYTHONDONTWRITEBYTECODE (set in some
    # shells and containers) would make every run compile hz_assess from source, which no user pays
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["HZ_ASSESS_HOME"] = home
    floor_cmd = [sys.executable, str(FLOOR_APP)]
    # warm the bytecode caches and the OS file cache once, so the first measured run is not special
    for cmd in (floor_cmd + ["score", str(EXAMPLE)], [*cli, "score", str(EXAMPLE), "--no-record"]):
        subprocess.run(cmd, check=False, capture_output=True, env=env)
    # round-robin, one run of each per round: a machine whose load drifts (other jobs, a CI neighbour)
    # slows the floor and hz-assess alike, instead of whichever happened to run in the busy minute
    commands = {
        "floor": [*floor_cmd, "score", str(EXAMPLE), "--format", "json", "--no-record"],
        "json": [*cli, "score", str(EXAMPLE), "--format", "json", "--no-record"],
        "table": [*cli, "score", str(EXAMPLE)],
        "help_floor": [*floor_cmd, "--help"],
        "help": [*cli, "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            before = children_cpu()
            times[name].append(median_time(run_process(cmd, env), 1))
            cpu[name].append(children_cpu() - before)
    floor, json_score, table_score, help_floor, help_cli = (statistics.median(times[n]) for n in commands)
    c = {n: statistics.median(cpu[n]) for n in commands}
    shutil.rmtree(home, ignore_errors=True)

    def also(name: str, base: str) -> str:
        # CPU time (user + system) is what the process did, whatever else the machine was doing:
        # when the wall-clock ratio and this one disagree, the machine was busy
        return f"; cpu ÷ = {c[name] / c[base]:.2f}" if c[base] > 0 else ""

    return [
        ("do-nothing typer app, same options (floor)", floor, ""),
        ("score --format json --no-record", json_score,
         f"÷ floor = {json_score / floor:.2f}  (goal ≤ 1.5{also('json', 'floor')})"),
        ("score (table, recorded in the ledger)", table_score,
         f"÷ floor = {table_score / floor:.2f}  (goal ≤ 1.7{also('table', 'floor')})"),
        ("hz-assess --help", help_cli,
         f"÷ floor --help = {help_cli / help_floor:.2f}  (goal ≤ 1.1{also('help', 'help_floor')})"),
    ]


def children_cpu() -> float:
    """Seconds of CPU (user + system) used so far by finished child processes; 0 where not measured."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- scale


def synthetic(units: int, indicators: int) -> tuple[Any, Any]:
    """A plan of `units` districts and `indicators` growth/completion rows, actuals within ±10% of target."""
    from hz_assess.models import Actuals, Category, Cell, Indicator, Plan, PlanInfo, ScoringParams, Unit

    names = ["全市", *[f"单位{i}" for i in range(units)]]
    inds = [
        Indicator(
            id=str(k + 1), name=f"指标{k + 1}", unit="%" if k % 3 == 0 else "家", category=f"栏目{k % 6}",
            rule="growth" if k % 3 == 0 else "completion", points=1.0, city_points=1.0,
            targets={n: float(5 + k % 7) for n in names},
        )
        for k in range(indicators)
    ]
    plan = Plan(
        info=PlanInfo(id="synthetic", title="synthetic", doc_number="-", issued="-", year=2017,
                      units=[Unit(name=n, city=(n == "全市")) for n in names]),
        categories=[Category(name=f"栏目{c}") for c in range(6)], indicators=inds, city_targets=[],
        scoring=ScoringParams(tie_break=["1", "2", "3"]), departments=[], targets_path="-", targets_sha256="-",
        departments_path="-", departments_sha256="-",
    )
    cells = {
        n: {i.id: Cell(value=float(5 + int(i.id) % 7) * (0.9 + 0.2 * ((j * 31 + int(i.id)) % 11) / 10))
            for i in inds}
        for j, n in enumerate(names)
    }
    return plan, Actuals(path="synthetic.xlsx", sha256="-", units=cells)


def scale(runs: int) -> list[tuple[str, float, str]]:
    from hz_assess.export.text import render_csv
    from hz_assess.scoring import score
    from hz_assess.views import score_document

    indicators = 200
    rows = []
    per_cell = {}
    for units in (100, 3000):
        plan, actuals = synthetic(units, indicators)
        score(plan, actuals)  # the plan's own checks are worked out once per plan, as in a real re-run
        seconds = median_time(lambda p=plan, a=actuals: score(p, a), runs)
        per_cell[units] = seconds / (units * indicators)
        if units == 3000:
            rows.append((f"score {units} units × {indicators} indicators", seconds, "(goal ≤ 0.5 s)"))
            both = median_time(lambda p=plan, a=actuals: render_csv(score_document(score(p, a))), runs)
            rows.append((f"score + csv export ({units} × {indicators})", both, "(goal ≤ 2 s)"))
        else:
            rows.append((f"score {units} units × {indicators} indicators", seconds, ""))
    ratio = per_cell[3000] / per_cell[100]
    rows.append(("time per unit·indicator, 3,000 ÷ 100 units", ratio, "(goal ≤ 1.3: linear)"))
    return rows


# ---------------------------------------------------------------- robustness


def robustness(runs: int) -> list[tuple[str, float, str]]:
    try:
        from hz_assess.analysis.robustness import robustness as analyse
    except ImportError:
        return []
    from hz_assess.plan import load_plan
    from hz_assess.scoring import score
    from hz_assess.workbook import read_actuals

    plan = load_plan()
    actuals = read_actuals(plan, EXAMPLE)
    one = median_time(lambda: (read_actuals(plan, EXAMPLE), score(plan, actuals)), runs)
    many = median_time(lambda: analyse(plan, actuals, samples=1000, seed=1), max(1, runs // 3))
    return [("read + score the example once", one, ""),
            ("robustness, 1,000 samples", many, f"÷ score = {many / one:.2f}  (goal ≤ 3)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    if not args.skip_startup:
        rows += startup(args.runs)
    if not args.skip_scale:
        rows += scale(max(3, args.runs // 2))
    rows += robustness(max(3, args.runs // 2))
    width = max(len(name) for name, _, _ in rows)
    print(f"hz-assess benchmarks (median of {args.runs} runs; Python {sys.version.split()[0]})")
    for name, value, note in rows:
        shown = f"{value:8.3f} ×" if "÷" in name else f"{value * 1000:8.1f} ms"
        print(f"  {name:<{width}}  {shown}  {note}")


if __name__ == "__main__":
    main()
