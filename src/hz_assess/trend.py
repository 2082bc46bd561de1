"""One unit's indicators across the quarterly checks and the year end (季度督查 → 年度考核).

Pure: takes the recorded assessments of each period (the ledger picks each period's
定稿, else its latest run) and returns the values, the direction between the last two
periods, and whether the unit is on track for the annual target. "On track" is
the scoring engine's own verdict at the latest period with data: it already
compares accumulating indicators with the annual target × q/4 and rates with the
annual target, so the trend never disagrees with the published scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hz_assess.models import Assessment, CellValue, IndicatorResult, TargetCell

DIRECTION_UP, DIRECTION_DOWN, DIRECTION_FLAT = "上升", "下降", "持平"
_SAME = 1e-9


def year_periods(year: int) -> list[str]:
    """The periods of a year in order: 2017Q1 … 2017Q4, then the year end 2017."""
    return [f"{year}Q{q}" for q in range(1, 5)] + [str(year)]


@dataclass
class TrendLine:
    id: str
    name: str
    unit: str
    target: TargetCell
    values: dict[str, CellValue] = field(default_factory=dict)
    direction: str | None = None
    on_track: bool | None = None
    as_of: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "unit": self.unit, "target": self.target,
            "values": self.values, "direction": self.direction, "on_track": self.on_track,
            "as_of": self.as_of,
        }


@dataclass
class Trend:
    unit: str
    periods: list[str]
    runs: dict[str, int]
    indicators: list[TrendLine]
    published: dict[str, bool] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "periods": self.periods, "runs": self.runs, "published": self.published,
            "indicators": [line.to_json() for line in self.indicators],
        }


def unit_results(a: Assessment, unit: str) -> list[IndicatorResult]:
    """A district's indicator results; for the city also its further city targets."""
    if unit == a.city.name:
        return [*a.city.indicators, *a.city.city_targets]
    return next((d.indicators for d in a.districts if d.name == unit), [])


def direction(values: list[CellValue]) -> str | None:
    """上升/下降/持平 between the last two numeric values; None with fewer than two."""
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    if len(numbers) < 2:
        return None
    before, last = numbers[-2:]
    if abs(last - before) <= _SAME * max(1.0, abs(before)):
        return DIRECTION_FLAT
    return DIRECTION_UP if last > before else DIRECTION_DOWN


def build_trend(
    assessments: Mapping[str, Assessment], unit: str, runs: Mapping[str, int] | None = None,
    published: Mapping[str, bool] | None = None,
) -> Trend:
    """`assessments`: period -> assessment, in period order (Q1 … Q4, year end); `runs` and
    `published`: which ledger run each period comes from and whether it is that period's 定稿."""
    periods = list(assessments)
    lines: dict[str, TrendLine] = {}
    verdicts: dict[str, tuple[str, bool]] = {}
    # the latest period names the indicators and their annual targets
    for period in reversed(periods):
        for r in unit_results(assessments[period], unit):
            if r.status == "not_applicable":
                continue
            line = lines.setdefault(r.id, TrendLine(r.id, r.name, r.unit, r.annual_target))
            line.values[period] = r.actual
            if r.status in ("met", "below") and r.id not in verdicts:
                verdicts[r.id] = (period, r.status == "met")
    ordered = sorted(lines.values(), key=lambda line: _id_key(line.id))
    for line in ordered:
        line.values = {p: line.values.get(p) for p in periods}
        line.direction = direction(list(line.values.values()))
        if line.id in verdicts:
            line.as_of, line.on_track = verdicts[line.id]
    return Trend(unit=unit, periods=periods, runs=dict(runs or {}), indicators=ordered,
                 published=dict(published or {}))


def _id_key(ind_id: str) -> tuple[int, int]:
    """附件1 rows (1…34) before city targets (C01…), each in number order."""
    if ind_id.isdigit():
        return (0, int(ind_id))
    digits = "".join(ch for ch in ind_id if ch.isdigit())
    return (1, int(digits) if digits else 0)
