"""Errors as data: every problem has a stable code, a place and a Chinese message.

One base error (HzError) carries one or more Problems; the CLI prints one line per
problem and exits 2. Third-party failures are wrapped at the edge into these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, where it is and what to do about it."""

    code: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}:{self.message}" if self.where else self.message


class HzError(Exception):
    """Base of every error the user can cause; never a bug."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        self.problems: list[Problem] = (
            [problems] if isinstance(problems, Problem) else list(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class PlanError(HzError):
    """The plan YAML (targets or departments) is unreadable or invalid."""


class WorkbookError(HzError):
    """The actuals workbook is unreadable or holds values we cannot accept."""


class UsageError(HzError):
    """A command-line argument names something that does not exist."""


class OutputError(HzError):
    """An output file cannot be written (exists, locked, unwritable)."""


class LedgerError(HzError):
    """The assessment ledger cannot be read or written."""
