"""Shared fixtures: the bundled plan, and a tiny builder for actuals workbooks.

`book` writes the real template into tmp_path and lets a test set cells by
(unit, indicator id) instead of shipping binary fixtures.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hz_assess.cli import app
from hz_assess.models import Plan
from hz_assess.plan import load_plan
from hz_assess.scope import Scope
from hz_assess.workbook import build_template
from hz_assess.workbook.layout import CITY_ACTUAL_COL, FIRST_ROW, FIRST_UNIT_COL, LIST_FIRST_ROW, RATING_COL


def run(*args: str, columns: int | None = None) -> tuple[int, str, str]:
    """The CLI run in-process as a user would type it: (exit code, stdout, stderr).

    `columns` sets the terminal width the tables are laid out for (rich reads COLUMNS).
    """
    env = {"COLUMNS": str(columns)} if columns else None
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may write the user's real ledger: every test gets its own HZ_ASSESS_HOME."""
    monkeypatch.setenv("HZ_ASSESS_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan()


_TEMPLATES: dict[tuple[str, str, str, str], bytes] = {}


def template(plan: Plan, period: str = "2017", scope: Scope | None = None) -> Any:
    """A fresh copy of the template as openpyxl loads it: each kind is built once per test run (building takes
    ~0.2 s, loading the saved bytes ~0.07; a deep copy of the workbook object would share styles and break)."""
    from openpyxl import load_workbook

    key = (plan.targets_sha256, plan.departments_sha256, period, str(scope or Scope()))
    if key not in _TEMPLATES:
        buffer = io.BytesIO()
        build_template(plan, period, scope).save(buffer)
        _TEMPLATES[key] = buffer.getvalue()
    return load_workbook(io.BytesIO(_TEMPLATES[key]))


class WorkbookBuilder:
    """The template as an openpyxl workbook, with setters named in the domain."""

    def __init__(self, plan: Plan, path: Path, period: str = "2017", scope: Scope | None = None) -> None:
        self.plan, self.path = plan, path
        self.wb: Any = template(plan, period, scope)

    def __getitem__(self, sheet: str) -> Any:
        return self.wb[sheet]

    def coord(self, unit: str, ind_id: str) -> str:
        from openpyxl.utils import get_column_letter

        row = FIRST_ROW + [i.id for i in self.plan.indicators].index(ind_id)
        col = FIRST_UNIT_COL + self.plan.unit_names.index(unit)
        return f"{get_column_letter(col)}{row}"

    def set(self, unit: str, ind_id: str, value: object, number_format: str | None = None) -> str:
        cell = self.wb["县区实绩"][self.coord(unit, ind_id)]
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return str(cell.coordinate)

    def city(self, ct_id: str, value: object) -> str:
        row = LIST_FIRST_ROW + [c.id for c in self.plan.city_targets].index(ct_id)
        return str(self.wb["全市目标"].cell(row=row, column=CITY_ACTUAL_COL, value=value).coordinate)

    def rating(self, department: str, value: object) -> str:
        row = LIST_FIRST_ROW + [d.name for d in self.plan.departments].index(department)
        return str(self.wb["部门评价"].cell(row=row, column=RATING_COL, value=value).coordinate)

    def adjust(self, row: int, subject: object, item: object, points: object, basis: object = None,
               veto: object = None) -> None:
        """加减分 row `row` (1 = the first under the header): 对象, 事项, 分值, 否决, 依据."""
        ws = self.wb["加减分"]
        for col, value in enumerate((subject, item, points, veto, basis), start=1):
            ws.cell(row=LIST_FIRST_ROW - 1 + row, column=col, value=value)

    def fill_all(self) -> WorkbookBuilder:
        """Every applicable actual at its target, every city target met, every department 优秀."""
        for ind in self.plan.indicators:
            for unit in self.plan.unit_names:
                if ind.applies_to(unit):
                    t = ind.target(unit)
                    self.set(unit, ind.id, "完成" if isinstance(t, str) else t)
        for ct in self.plan.city_targets:
            self.city(ct.id, "完成" if isinstance(ct.target, str) else ct.target)
        for dep in self.plan.departments:
            self.rating(dep.name, "优秀")
        return self

    def save(self, path: Path | None = None) -> Path:
        target = path or self.path
        self.wb.save(target)
        return target


@pytest.fixture
def book(plan: Plan, tmp_path: Path) -> WorkbookBuilder:
    return WorkbookBuilder(plan, tmp_path / "actuals.xlsx")


# ---------------------------------------------------------------- the seed, LibreOffice

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_376c5089092f3e03.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The plan's own text (湖政办发〔2017〕13号), beside the clone as ../shared: the verbatim checks need it."""
    if not SEED.exists():
        pytest.skip(f"the seed text is not at {SEED}: the verbatim checks against the plan are skipped")
    return SEED.read_text(encoding="utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive LibreOffice are marked `libreoffice` (slow; `-m "not libreoffice"` leaves them out)."""
    for item in items:
        if "soffice" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)



@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice's soffice: required on CI (the interop tests are the point there), skipped elsewhere."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required on CI")
        pytest.skip("LibreOffice (soffice) not installed")
    return found


def libreoffice_convert(soffice: str, files: Sequence[Path], out_dir: Path, to: str = "xlsx") -> list[Path]:
    """Open and save `files` with LibreOffice (one process for all), as a person re-saving them would."""
    profile = (out_dir.parent / f".lo-profile-{out_dir.name}").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", to,
                    "--outdir", str(out_dir), *map(str, files)], check=True, capture_output=True, timeout=300)
    out = [out_dir / f"{f.stem}.{to}" for f in files]
    missing = [p.name for p in out if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return out
