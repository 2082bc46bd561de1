"""Benchmarks for hz-assess: start-up, scoring the example, and scoring at scale.

Run:  python bench/bench.py [--runs 7] [--sizes 100,300,1000,3000] [--indicators 200]

Times are wall-clock medians over several runs of a fresh process (start-up) or of
the scoring call (scale). The floor is `python -c "import typer"`: a typer CLI
cannot start faster than that.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "actuals_2017.xlsx"


def _median_run(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def startup(runs: int) -> None:
    exe = shutil.which("hz-assess")
    cli = [exe] if exe else [sys.executable, "-m", "hz_assess"]
    floor = _median_run([sys.executable, "-c", "import typer"], runs)
    rows = [("python -c 'import typer'(下限)", floor)]
    rows.append(("hz-assess --help", _median_run([*cli, "--help"], runs)))
    rows.append(("hz-assess targets --format json", _median_run([*cli, "targets", "--format", "json"], runs)))
    if EXAMPLE.exists():
        rows.append(("hz-assess score example --no-record",
                     _median_run([*cli, "score", str(EXAMPLE), "--no-record"], runs)))
    print(f"start-up (median of {runs} runs)")
    for name, seconds in rows:
        print(f"  {name:<40} {seconds * 1000:8.1f} ms   (+{(seconds - floor) * 1000:6.1f} ms over floor)")


def synthetic(units: int, indicators: int):  # type: ignore[no-untyped-def]
    """A plan with `units` districts and `indicators` completion/growth rows, and actuals at ±10%."""
    from hz_assess.models import (
        Actuals,
        Category,
        Cell,
        Indicator,
        Plan,
        PlanInfo,
        ScoringParams,
        Unit,
    )

    names = ["全市", *[f"单位{i}" for i in range(units)]]
    inds = [
        Indicator(
            id=str(k + 1), name=f"指标{k + 1}", unit="%" if k % 3 == 0 else "家", category=f"栏目{k % 6}",
            rule="growth" if k % 3 == 0 else "completion", points=1,
            targets={n: float(5 + k % 7) for n in names},
        )
        for k in range(indicators)
    ]
    plan = Plan(
        info=PlanInfo(id="synthetic", title="synthetic", doc_number="-", issued="-", year=2017,
                      units=[Unit(name=n, city=(n == "全市")) for n in names]),
        categories=[Category(name=f"栏目{c}") for c in range(6)], indicators=inds, city_targets=[],
        scoring=ScoringParams(), departments=[], targets_path="-", targets_sha256="-",
        departments_path="-", departments_sha256="-",
    )
    cells = {
        n: {i.id: Cell(value=float(5 + int(i.id) % 7) * (0.9 + 0.2 * ((j * 31 + int(i.id)) % 11) / 10))
            for i in inds}
        for j, n in enumerate(names)
    }
    return plan, Actuals(path="synthetic", sha256="-", units=cells)


def scale(sizes: list[int], indicators: int, runs: int) -> None:
    from hz_assess.scoring import score

    print(f"scoring at scale ({indicators} indicators; median of {runs} runs)")
    previous = None
    for units in sizes:
        plan, actuals = synthetic(units, indicators)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            score(plan, actuals)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        per = med / (units * indicators) * 1e6
        growth = f"  ×{med / previous[1]:.1f} for ×{units / previous[0]:.1f} units" if previous else ""
        print(f"  {units:>6} units × {indicators}: {med:8.2f} s  ({per:.1f} µs per unit·indicator){growth}")
        previous = (units, med)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="100,300,1000,3000")
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    startup(args.runs)
    if not args.skip_scale:
        scale([int(s) for s in args.sizes.split(",")], args.indicators, max(1, args.runs // 3))


if __name__ == "__main__":
    main()
