"""Every command's output on a fixed scenario, captured to files so two versions can be compared byte for byte.

Run:  python bench/outputs.py OUT_DIR [--inputs DIR] [--tty]
Then: diff -r BEFORE_DIR AFTER_DIR

The scenario: the bundled example, a corrected copy of it, and three quarterly workbooks
(built once into --inputs and reused, so their bytes and sha256 stay the same between
captures); a fresh ledger with those runs recorded and one published. Then every command
that prints (targets, check, score, gaps, explain, validate, history, show, compare,
trend, template, report) in every format it offers, the tables at COLUMNS=80, 100, 120
and 200 (piped: what `| less` or a redirect gets), each capture one file holding the
command line, the exit code, stdout and stderr. With --tty the table runs are also
captured under a pseudo-terminal of that width (`script`), escape codes included.

Only the clock differs between two captures: times of day in the ledger are replaced
by a placeholder. Report files are compared too (xlsx and docx are zips with save
times inside; their text parts are compared instead).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "actuals_2017.xlsx"
WIDTHS = (80, 100, 120, 200)
# a moment in the ledger, whole or (in a wrapped cell) in parts
TIME = re.compile(r"20\d\d-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(\.\d+)?([+-]\d\d:\d\d|Z)?"
                  r"|\b\d\d:\d\d:\d\d\b|\b20\d\d-\d\d-\d\d\b")


def _example_module() -> Any:
    spec = importlib.util.spec_from_file_location("make_example", ROOT / "examples" / "make_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_inputs(folder: Path) -> dict[str, Path]:
    """The scenario's workbooks, built once: later captures reuse the same bytes."""
    files = {"2017": folder / "实绩_2017.xlsx", "fixed": folder / "实绩_2017_更正.xlsx",
             **{f"Q{q}": folder / f"实绩_2017Q{q}.xlsx" for q in (1, 2, 3)}}
    if all(p.exists() for p in files.values()):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    from hz_assess.plan import load_plan
    from hz_assess.workbook import build_template

    mod = _example_module()
    plan = load_plan()
    shutil.copyfile(EXAMPLE, files["2017"])
    wb = mod.fill(plan)
    ws = wb["县区实绩"]
    ws.cell(row=mod.FIRST_ROW + 3, column=mod.FIRST_UNIT_COL + 3, value=4.4)  # a corrected cell
    ws.cell(row=mod.FIRST_ROW, column=mod.FIRST_UNIT_COL + 2, value=9.3)
    wb.save(files["fixed"])
    mod.reproducible(files["fixed"])
    for q in (1, 2, 3):
        period = f"2017Q{q}"
        mod.build_template = lambda p, _period, period=period: build_template(p, period)
        wb = mod.fill(plan)
        for row in wb["县区实绩"].iter_rows(min_row=mod.FIRST_ROW):
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool) and cell.column >= 5:
                    cell.value = round(cell.value * (0.2 + 0.25 * q), 1)
        for row in wb["部门评价"].iter_rows(min_row=4):
            for cell in row[3:4]:
                cell.value = None
        wb.save(files[f"Q{q}"])
        mod.reproducible(files[f"Q{q}"])
    return files


class Capture:
    def __init__(self, out: Path, home: Path, tty: bool) -> None:
        self.out, self.home, self.tty, self.n = out, home, tty, 0
        self.exe = [sys.executable, "-m", "hz_assess"]

    def env(self, columns: int | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
        env.update(HZ_ASSESS_HOME=str(self.home), PYTHONIOENCODING="utf-8", TERM="xterm-256color")
        if columns:
            env["COLUMNS"] = str(columns)
        return env

    def save(self, name: str, args: list[str], code: int, stdout: bytes, stderr: bytes) -> None:
        self.n += 1
        text = (f"$ hz-assess {shlex.join(args)}\n[exit {code}]\n--- stdout\n".encode() + stdout
                + b"\n--- stderr\n" + stderr)
        text = TIME.sub("<time>", text.decode("utf-8", "replace")).encode()
        (self.out / f"{self.n:03d}-{name}.txt").write_bytes(text)

    def run(self, name: str, *args: str, columns: int | None = 200) -> None:
        done = subprocess.run([*self.exe, *args], capture_output=True, env=self.env(columns), cwd=self.out.parent)
        self.save(name if columns is None else f"{name}@{columns}", list(args), done.returncode, done.stdout,
                  done.stderr)

    def run_tty(self, name: str, *args: str, columns: int) -> None:
        inner = f"stty cols {columns} rows 50; exec {shlex.join([*self.exe, *args])}"
        done = subprocess.run(["script", "-qec", inner, "/dev/null"], capture_output=True,
                              env=self.env(None), cwd=self.out.parent, stdin=subprocess.DEVNULL)
        self.save(f"{name}@tty{columns}", list(args), done.returncode, done.stdout.replace(b"\r\n", b"\n"), b"")

    def table(self, name: str, *args: str) -> None:
        for w in WIDTHS:
            self.run(name, *args, columns=w)
        if self.tty:
            for w in (80, 200):
                self.run_tty(name, *args, columns=w)

    def formats(self, name: str, *args: str, formats: tuple[str, ...] = ("json", "csv", "md")) -> None:
        self.table(name, *args)
        for f in formats:
            self.run(f"{name}.{f}", *args, "--format", f, columns=None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--inputs", type=Path, default=Path("/tmp/hz-assess-outputs-inputs"))
    parser.add_argument("--tty", action="store_true", help="also capture the tables under a pseudo-terminal")
    args = parser.parse_args()
    files = build_inputs(args.inputs)
    out: Path = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    work = Path("/tmp/hz-assess-outputs-work")  # printed (ledger, output files): the same in every capture
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    home = work / "home"
    # the same absolute input paths in every capture: they are printed and hashed into the ledger
    fixed = Path("/tmp/hz-assess-outputs-run")
    if fixed.exists():
        shutil.rmtree(fixed)
    shutil.copytree(args.inputs, fixed)
    f = {k: str(fixed / p.name) for k, p in files.items()}
    c = Capture(out, home, args.tty)

    c.run("help", "--help", columns=80)
    c.run("help-score", "score", "-h", columns=80)
    c.formats("targets", "targets")
    c.formats("targets-district", "targets", "--district", "长兴")
    c.formats("targets-department", "targets", "--department", "经信委")
    c.formats("check", "check")
    # the ledger: three quarters, the year, a corrected year; the year published
    for key in ("Q1", "Q2", "Q3", "2017", "fixed"):
        c.run(f"score-record-{key}", "score", f[key])
    c.run("publish", "publish", "4")
    c.formats("score", "score", f["2017"], "--no-record")
    c.formats("score-detail", "score", f["2017"], "--detail", "--no-record")
    c.formats("score-by-district", "score", f["2017"], "--by", "district", "--no-record")
    c.formats("score-by-department", "score", f["2017"], "--by", "department", "--detail", "--no-record")
    c.formats("score-q2", "score", f["Q2"], "--no-record")
    c.formats("gaps", "gaps", f["2017"], "--district", "南浔")
    c.formats("gaps-ledger", "gaps", "--district", "长兴")
    c.formats("gaps-department", "gaps", f["2017"], "--department", "经信委")
    c.formats("explain", "explain", f["2017"], "--district", "南浔", "--indicator", "4")
    c.formats("explain-city", "explain", f["2017"], "--district", "全市", "--indicator", "C02")
    c.formats("explain-department", "explain", f["2017"], "--department", "经信委", "--indicator", "6")
    c.formats("validate", "validate", f["2017"], formats=("json",))
    c.formats("validate-q1", "validate", f["Q1"], formats=("json",))
    c.formats("history", "history")
    c.formats("show", "show", "4")
    c.formats("show-detail", "show", "4", "--detail")
    c.formats("compare", "compare", "4", "5")
    c.formats("trend", "trend", "--district", "长兴")
    c.formats("trend-city", "trend", "--district", "全市")
    c.run("template", "template", str(work / "模板.xlsx"))
    c.run("template-q1", "template", str(work / "一季度.xlsx"), "--period", "2017Q1")
    for kind in ("csv", "json", "md", "html", "xlsx", "docx"):
        target = work / f"报告.{kind}"
        c.run(f"report-{kind}", "report", f["2017"], "-o", str(target), "--no-record")
        c.n += 1
        text = file_text(target).decode("utf-8", "replace")  # the generation time is in every report
        (out / f"{c.n:03d}-report-file.{kind}.txt").write_bytes(TIME.sub("<time>", text).encode())
    return 0


def file_text(path: Path) -> bytes:
    """A report file's content to compare: the file itself, or a zip's parts without its save times."""
    if path.suffix not in (".xlsx", ".docx"):
        return path.read_bytes() if path.exists() else b"(missing)"
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name == "docProps/core.xml":
                continue
            parts.append(f"=== {name}\n".encode() + z.read(name))
    return b"\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
